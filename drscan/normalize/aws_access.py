"""Who can reach or act on an AWS resource, from its native JSON: security-group ingress open to
the world, IAM users and policies that grant full admin, Lambda environments holding plaintext
credentials. Part of the AWS normalizer (drscan/normalize/aws.py maps Config types to these).
As everywhere in drscan/normalize, a value derived from a field that is absent, null or of the
wrong type is UNSEEN (left out), so its rules report NOT_ASSESSED."""

from __future__ import annotations

import urllib.parse
from typing import Any

from drscan.normalize.lookup import UNSEEN, any_known, as_bool, as_dict, as_int, as_list, derive, field, need_list, text
from drscan.normalize.shape import Shape

ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_PORTS = (22, 3389)
WORLD = {"0.0.0.0/0", "::/0"}

# Values a secret-named Lambda variable may hold without being the secret itself: a reference to a
# secret store, a flag or a number.
SECRET_REFERENCE_PREFIXES = ("arn:aws:secretsmanager:", "arn:aws:ssm:", "arn:aws:kms:", "{{resolve:", "/")
HARMLESS_VALUES = {"", "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null", "***"}


def _port_range_hits(permission: dict, ports: tuple[int, ...]) -> Any:
    """The ports of `ports` a permission opens; UNSEEN when its protocol or range is missing."""
    protocol = text(field(permission, "ipProtocol"))
    if protocol is None:
        return UNSEEN
    if protocol == "-1":
        return list(ports)
    low, high = as_int(field(permission, "fromPort")), as_int(field(permission, "toPort"))
    if low is None or high is None:
        return UNSEEN
    return [p for p in ports if low <= p <= high]


def _open_to_world(permission: Any) -> Any:
    """Whether an ingress permission admits 0.0.0.0/0 or ::/0: True, False, or UNSEEN when its
    address ranges (IPv4 or IPv6 list, or a range's CIDR) are missing."""
    if not isinstance(permission, dict):
        return UNSEEN
    v4 = [r for key in ("ipv4Ranges", "ipRanges") for r in (field(permission, key) if isinstance(field(permission, key), list) else [])]
    v6 = field(permission, "ipv6Ranges")
    cidrs = {text(r) if not isinstance(r, dict) else text(field(r, "cidrIp") or field(r, "cidrIpv6")) for r in v4}
    cidrs |= {text(field(r, "cidrIpv6")) for r in (v6 if isinstance(v6, list) else [])}
    if cidrs & WORLD:
        return True
    complete = (any(isinstance(field(permission, key), list) for key in ("ipv4Ranges", "ipRanges"))
                and isinstance(v6, list) and None not in cidrs)
    return False if complete else UNSEEN


def ec2_security_group(conf: dict, supp: dict, account: str, region: str) -> Shape:
    permissions = need_list(conf, "ipPermissions")
    open_ports: set[int] = set()
    world_rules = 0
    unknown = permissions is UNSEEN
    for permission in [] if unknown else permissions:
        world = _open_to_world(permission)
        hits = _port_range_hits(permission, ADMIN_PORTS) if isinstance(permission, dict) else UNSEEN
        if world is True:
            world_rules += 1
        if world is UNSEEN:
            unknown = True
            continue
        if world and hits is UNSEEN:
            unknown = True
        elif world:
            open_ports.update(hits)
    return Shape(attrs=dict(
        group_name=text(field(conf, "groupName")),
        vpc_id=text(field(conf, "vpcId")),
        world_ingress_rules=UNSEEN if unknown else world_rules,
        # Ports known to be open stand even when another permission could not be read.
        admin_ports_open_to_world=sorted(open_ports) if open_ports or not unknown else UNSEEN,
    ))


def _policy_documents(values: list) -> Any:
    """The policy documents; UNSEEN when one of them is missing or unreadable."""
    docs = []
    for value in values:
        if isinstance(value, str):
            value = urllib.parse.unquote(value)
        doc = as_dict(value)
        if not doc:
            return UNSEEN
        docs.append(doc)
    return docs


def allows_full_admin(document: dict) -> Any:
    """An Allow statement with Action '*' on Resource '*': True, False, or UNSEEN when a
    statement's Effect, Action or Resource is missing."""
    statements = field(document, "Statement")
    if statements is None:
        return UNSEEN
    found = []
    for statement in as_list(statements):
        effect, actions, resources = (field(statement, key) for key in ("Effect", "Action", "Resource"))
        if field(statement, "NotAction") is not None or field(statement, "NotResource") is not None:
            continue  # "everything but" statements are not read here
        if effect is None or actions is None or resources is None:
            found.append(UNSEEN)
            continue
        admin = ({str(a) for a in as_list(actions)} & {"*", "*:*"}) and "*" in {str(r) for r in as_list(resources)}
        found.append(effect == "Allow" and bool(admin))
    return any_known(found)


def iam_user(conf: dict, supp: dict, account: str, region: str) -> Shape:
    attached_entries = need_list(conf, "attachedManagedPolicies")
    attached = derive(attached_entries, lambda found: [text(field(p, "policyArn")) for p in found])
    inline_entries = need_list(conf, "userPolicyList")
    inline = derive(inline_entries, lambda found: _policy_documents([field(p, "policyDocument") for p in found]))
    admin = [UNSEEN] if attached is UNSEEN else [a == ADMIN_POLICY_ARN for a in attached] + [UNSEEN for a in attached if a is None]
    admin += [UNSEEN] if inline is UNSEEN else [allows_full_admin(d) for d in inline]
    return Shape(attrs=dict(
        user_name=text(field(conf, "userName")),
        attached_policy_arns=derive(attached, lambda found: [a for a in found if a]),
        inline_policy_count=derive(inline, len),
        groups=derive(need_list(conf, "groupList"), lambda found: [t for t in (text(g) for g in found) if t]),
        has_admin_policy=any_known(admin),
    ))


SERVICE_LINKED_PATH = "/aws-service-role/"  # IAM puts every service-linked role under this path


def _attached_arns(conf: dict) -> Any:
    """The ARNs of attached managed policies (Config's attachedManagedPolicies, or the capitalized
    GetAccountAuthorizationDetails names); UNSEEN when the list is absent or not a list."""
    return derive(need_list(conf, "attachedManagedPolicies"),
                  lambda found: [a for a in (text(field(p, "policyArn")) for p in found) if a])


def iam_role(conf: dict, supp: dict, account: str, region: str) -> Shape:
    """AWS::IAM::Role (Config) or a GetAccountAuthorizationDetails RoleDetail (the same names, capitalized)."""
    path = text(field(conf, "path"))
    return Shape(attrs=dict(
        role_name=text(field(conf, "roleName")),
        path=path,
        service_linked=UNSEEN if path is None else path.startswith(SERVICE_LINKED_PATH),
        attached_policy_arns=_attached_arns(conf),
    ))


def iam_group(conf: dict, supp: dict, account: str, region: str) -> Shape:
    return Shape(attrs=dict(group_name=text(field(conf, "groupName")), path=text(field(conf, "path")),
                            attached_policy_arns=_attached_arns(conf)))


def iam_policy(conf: dict, supp: dict, account: str, region: str) -> Shape:
    versions = as_list(field(conf, "policyVersionList"))
    default = [v for v in versions if as_bool(field(v, "isDefaultVersion"))] or versions
    docs = _policy_documents([field(v, "document") for v in default[:1]])
    return Shape(attrs=dict(
        policy_name=text(field(conf, "policyName")),
        attachment_count=as_int(field(conf, "attachmentCount")),
        allows_full_admin=any_known(allows_full_admin(d) for d in docs) if docs and docs is not UNSEEN else UNSEEN,
    ))


def lambda_function(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # Environment variables routinely hold credentials: their values are reduced to one boolean
    # by lambda_environment_facts and never kept; only the names are.
    names, secret = lambda_environment_facts(field(conf, "environment"))
    key = text(field(conf, "kmsKeyArn"))
    shape = Shape(attrs=dict(runtime=text(field(conf, "runtime")), kms_key_arn=key,
                             memory_mb=as_int(field(conf, "memorySize")),
                             env_var_names=names, env_has_plaintext_secret=secret))
    shape.ref("encrypted_by", key)
    return shape


def _plaintext_secret(name: str, value: Any) -> bool:
    from drscan.redact import SECRET_KEY_NAME, looks_secret  # (imported here: this section only adds functions)

    text = "" if value is None else str(value)
    if looks_secret(text):
        return True
    if not SECRET_KEY_NAME.search(name):
        return False
    plain = text.strip()
    return not (plain.lower() in HARMLESS_VALUES or plain.isdigit() or plain.startswith(SECRET_REFERENCE_PREFIXES))


def lambda_environment_facts(environment: Any) -> tuple[Any, Any]:
    """(variable names, does any value look like a plaintext credential?) from a Lambda function's
    Environment. The values are read here and nowhere else, and never returned. Both UNSEEN when
    the environment is not in the record; the flag is also UNSEEN when the values could not be
    seen: Lambda could not decrypt them (Error), or AWS Config masked them as "***"."""
    if not isinstance(environment, dict):
        return UNSEEN, UNSEEN
    variables = field(environment, "Variables")
    if not isinstance(variables, dict):
        return UNSEEN, UNSEEN
    names = sorted(str(k) for k in variables)
    if any(_plaintext_secret(str(k), v) for k, v in variables.items()):
        return names, True
    if variables and all(str(v) == "***" for v in variables.values()):
        return names, UNSEEN
    return names, False
