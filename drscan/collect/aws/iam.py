"""IAM, once per account: users (console password, MFA, access keys, policies, groups), the
root user, the password policy and customer-managed policies. Reads the credential report
when one exists but never generates one: GenerateCredentialReport is a write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from drscan.collect.aws.base import GLOBAL, DumpShape, Record, ServiceSpec, TaskContext, error_code, tags_of
from drscan.collect.imports.aws_credential_report import import_credential_report
from drscan.errors import InputError
from drscan.normalize.aws import arn_account
from drscan.normalize.aws_access import iam_group, iam_policy, iam_user
from drscan.normalize.aws_governance import iam_role
from drscan.normalize.lookup import UNSEEN, as_int, iso_time
from drscan.normalize.shape import Shape

USER = "aws.iam.user"
ROOT = "aws.iam.root_account"
PASSWORD_POLICY = "aws.iam.password_policy"
POLICY = "aws.iam.policy"
ROLE = "aws.iam.role"
GROUP = "aws.iam.group"
KINDS = (USER, ROOT, PASSWORD_POLICY, POLICY, ROLE, GROUP)
SUPPORT_POLICY_ARN = "arn:aws:iam::aws:policy/AWSSupportAccess"

OPERATIONS = {
    "iam:GetAccountAuthorizationDetails": "iam:GetAccountAuthorizationDetails",
    "iam:GetLoginProfile": "iam:GetLoginProfile",
    "iam:ListMFADevices": "iam:ListMFADevices",
    "iam:ListAccessKeys": "iam:ListAccessKeys",
    "iam:GetCredentialReport": "iam:GetCredentialReport",
    "iam:GetAccountSummary": "iam:GetAccountSummary",
    "iam:GetAccountPasswordPolicy": "iam:GetAccountPasswordPolicy",
}

NO_SUCH_ENTITY = {"NoSuchEntity"}
REPORT_ABSENT = {"ReportNotPresent", "ReportExpired", "ReportInProgress"}
REPORT_ADVICE = ("no current IAM credential report; run `aws iam generate-credential-report` once "
                 "(drscan never calls it: it is a write) so root and last-used facts can be read")

# When an account has no password policy, IAM applies its default: at least 8 characters
# (and three of four character types), no reuse prevention, no expiry.
DEFAULT_PASSWORD_POLICY = dict(minimum_length=8, require_symbols=False, require_numbers=False,
                               require_uppercase=False, require_lowercase=False, allow_users_to_change=True,
                               expire_passwords=False, max_age_days=None, reuse_prevention=0, hard_expiry=False)


def root_arn(account: str) -> str:
    return f"arn:aws:iam::{account}:root"


@dataclass(frozen=True)
class UserCredentials:
    """Per-user answers; None = not seen, {} / [] = none configured."""

    login_profile: dict | None = None
    mfa_devices: list | None = None
    access_keys: list | None = None


# -- transforms ---------------------------------------------------------------------------------

def _credential_attrs(credentials: UserCredentials) -> dict[str, Any]:
    login, mfa, keys = credentials.login_profile, credentials.mfa_devices, credentials.access_keys
    active = [k for k in keys or [] if k.get("Status") == "Active"]
    rotated = sorted(t for t in (iso_time(k.get("CreateDate")) for k in active) if t)
    return dict(
        password_enabled=None if login is None else bool(login.get("LoginProfile")),
        mfa_active=None if mfa is None else bool(mfa),
        mfa_device_count=None if mfa is None else len(mfa),
        access_keys_active=None if keys is None else bool(active),
        active_access_key_count=None if keys is None else len(active),
        # An access key is never rotated in place: its creation date is its last rotation.
        oldest_active_access_key_rotated=(rotated[0] if rotated else None) if keys is not None else None,
    )


def user_record(detail: dict, account: str, region: str, credentials: UserCredentials = UserCredentials(),
                policies_seen: bool = True, admin_policies: set[str] | None = None,
                report: Mapping[str, Any] | None = None) -> Record:
    """One GetAccountAuthorizationDetails UserDetail. `admin_policies`: ARNs of the account's
    own policies that allow "*" on "*" (None when they could not be read); `report`: the
    user's credential-report facts, if a report exists."""
    name = detail["UserName"]
    arn = detail.get("Arn") or f"arn:aws:iam::{account}:user{detail.get('Path', '/')}{name}"
    shape = iam_user({"userName": name, "attachedManagedPolicies": detail.get("AttachedManagedPolicies"),
                      "userPolicyList": detail.get("UserPolicyList"), "groupList": detail.get("GroupList")},
                     {}, account, region)
    if not policies_seen:
        for attr in ("attached_policy_arns", "inline_policy_count", "groups", "has_admin_policy"):
            shape.attrs[attr] = UNSEEN
    elif shape.attrs["has_admin_policy"] is False:  # the account's own policies may still grant "*"
        own = {a for a in shape.attrs["attached_policy_arns"] if arn_account(a) == account}
        if admin_policies is None:
            shape.attrs["has_admin_policy"] = UNSEEN if own else False
        else:
            shape.attrs["has_admin_policy"] = bool(own & admin_policies)
    shape.attrs.update(_credential_attrs(credentials))
    shape.attrs.update(created_at=iso_time(detail.get("CreateDate")),
                       password_last_used=iso_time(detail.get("PasswordLastUsed")) or (report or {}).get("password_last_used"))
    return Record(kind=USER, id=arn, name=name, shape=shape, region=GLOBAL, tags=tags_of(detail.get("Tags")))


def user_detail_record(item: dict, account: str, region: str) -> Record:
    """`aws iam get-account-authorization-details`: policies seen, credentials not."""
    return user_record(item, account, GLOBAL)


def listed_user_record(item: dict, account: str, region: str) -> Record:
    """`aws iam list-users`: the user exists; neither policies nor credentials were seen."""
    return user_record(item, account, GLOBAL, policies_seen=False)


def policy_record(item: dict, account: str, region: str) -> Record:
    name = item.get("PolicyName") or str(item["Arn"]).rsplit("/", 1)[-1]
    shape = iam_policy(dict(item, PolicyName=name), {}, account, GLOBAL)
    count = as_int(item.get("AttachmentCount"))
    shape.attrs.update(attached=None if count is None else count > 0, updated_at=iso_time(item.get("UpdateDate")))
    arn = item.get("Arn") or f"arn:aws:iam::{account}:policy{item.get('Path', '/')}{name}"
    return Record(kind=POLICY, id=arn, name=name, shape=shape, region=GLOBAL, tags=tags_of(item.get("Tags")))


def _entity_record(item: dict, account: str, kind: str, segment: str, transform) -> Record:
    """A GetAccountAuthorizationDetails RoleDetail or GroupDetail (`segment`: role, group)."""
    name = item[f"{segment.title()}Name"]
    arn = item.get("Arn") or f"arn:aws:iam::{account}:{segment}{item.get('Path', '/')}{name}"
    shape = transform(item, {}, account, GLOBAL)
    shape.attrs.update(created_at=iso_time(item.get("CreateDate")))
    return Record(kind=kind, id=arn, name=name, shape=shape, region=GLOBAL, account=account, tags=tags_of(item.get("Tags")))


def role_record(item: dict, account: str, region: str) -> Record:
    """A RoleDetailList (or ListRoles) entry, service-linked roles included (path
    /aws-service-role/...): who the trust policy lets assume the role."""
    return _entity_record(item, arn_account(str(item.get("Arn") or "")) or account, ROLE, "role", iam_role)


def group_record(item: dict, account: str, region: str) -> Record:
    return _entity_record(item, account, GROUP, "group", iam_group)


def root_record(account: str, summary: dict | None, report_root: Mapping[str, Any] | None) -> Record:
    """The root user from GetAccountSummary (always current) and, for what only it knows, the
    credential report's <root_account> row."""
    summary_map = None if summary is None else summary.get("SummaryMap") or {}
    mfa = None if summary_map is None else summary_map.get("AccountMFAEnabled") == 1
    present = None if summary_map is None else summary_map.get("AccountAccessKeysPresent") == 1
    if mfa is None and report_root is not None:
        mfa = report_root.get("mfa_active")
    if present is False:
        active = False
    elif report_root is not None:
        active = report_root.get("access_keys_active")
    else:
        active = None  # keys exist; whether any is active only the credential report says
    shape = Shape(attrs=dict(
        mfa_active=mfa,
        access_keys_present=present,
        access_keys_active=active,
        oldest_active_access_key_rotated=(report_root or {}).get("oldest_active_access_key_rotated") if active else None,
        password_last_used=(report_root or {}).get("password_last_used"),
        signing_certificates_present=None if summary_map is None else summary_map.get("AccountSigningCertificatesPresent") == 1,
    ))
    return Record(kind=ROOT, id=root_arn(account), name="root", shape=shape, region=GLOBAL)


def password_policy_record(account: str, answer: dict | None) -> Record:
    """GetAccountPasswordPolicy's answer; {} = the account has none (IAM's default applies)."""
    record_id = f"arn:aws:iam::{account}:account-password-policy"
    if answer is None:
        attrs: dict[str, Any] = dict(exists=None, **{k: None for k in DEFAULT_PASSWORD_POLICY})
    elif not answer.get("PasswordPolicy"):
        attrs = dict(exists=False, **DEFAULT_PASSWORD_POLICY)
    else:
        policy = answer["PasswordPolicy"]
        attrs = dict(
            exists=True,
            minimum_length=as_int(policy.get("MinimumPasswordLength")),
            require_symbols=bool(policy.get("RequireSymbols")),
            require_numbers=bool(policy.get("RequireNumbers")),
            require_uppercase=bool(policy.get("RequireUppercaseCharacters")),
            require_lowercase=bool(policy.get("RequireLowercaseCharacters")),
            allow_users_to_change=bool(policy.get("AllowUsersToChangePassword")),
            expire_passwords=bool(policy.get("ExpirePasswords")),
            max_age_days=as_int(policy.get("MaxPasswordAge")),
            reuse_prevention=as_int(policy.get("PasswordReusePrevention")) or 0,  # absent: no reuse prevention
            hard_expiry=bool(policy.get("HardExpiry")),
        )
    return Record(kind=PASSWORD_POLICY, id=record_id, name="account password policy", shape=Shape(attrs=attrs),
                  region=GLOBAL)


# -- collection ---------------------------------------------------------------------------------

def _credential_report(ctx: TaskContext, client: Any) -> dict[str, dict] | None:
    """ARN -> credential-report facts, or None (with a Gap) when there is no current report."""
    try:
        answer = client.get_credential_report()
    except (ClientError, BotoCoreError) as exc:
        code, message = error_code(exc)
        # Only the root user's facts depend on it (users' are read live), so only ROOT is named.
        ctx.gap("iam", "GetCredentialReport", code, REPORT_ADVICE if code in REPORT_ABSENT else message,
                kinds=(ROOT,), resource_id=root_arn(ctx.account))
        return None
    content = answer.get("Content") or b""
    try:
        batch = import_credential_report(content.decode("utf-8") if isinstance(content, bytes) else str(content),
                                         "iam:GetCredentialReport")
    except (InputError, UnicodeDecodeError) as exc:
        ctx.gap("iam", "GetCredentialReport", "UnreadableCredentialReport", str(exc)[:300], kinds=(ROOT,),
                resource_id=root_arn(ctx.account))
        return None
    ctx.out.gaps.extend(batch.gaps)  # rows drscan could not read
    return {r.id: dict(r.attrs) for r in batch.resources}


def _admin_policies(ctx: TaskContext, client: Any) -> set[str] | None:
    policies = ctx.pages(client, "GetAccountAuthorizationDetails", "Policies", kinds=(POLICY,),
                         Filter=["LocalManagedPolicy"])
    if policies is None:
        return None
    admin = set()
    for item in policies:
        record = policy_record(item, ctx.account, GLOBAL)
        ctx.add(record, "iam:GetAccountAuthorizationDetails")
        if record.shape.attrs["allows_full_admin"] is True:
            admin.add(record.id)
    return admin


def _user_credentials(ctx: TaskContext, client: Any, name: str, arn: str) -> UserCredentials:
    login = ctx.call(client, "GetLoginProfile", kinds=(USER,), resource_id=arn, absent=NO_SUCH_ENTITY, UserName=name)
    mfa = ctx.pages(client, "ListMFADevices", "MFADevices", kinds=(USER,), resource_id=arn, UserName=name)
    keys = ctx.pages(client, "ListAccessKeys", "AccessKeyMetadata", kinds=(USER,), resource_id=arn, UserName=name)
    return UserCredentials(login, mfa, keys)


def _roles(ctx: TaskContext, client: Any) -> list[Record] | None:
    roles = ctx.pages(client, "GetAccountAuthorizationDetails", "RoleDetailList", kinds=(ROLE,), Filter=["Role"])
    return None if roles is None else [role_record(item, ctx.account, GLOBAL) for item in roles]


def collect(ctx: TaskContext) -> None:
    client = ctx.client("iam")
    # The summary first: when both it and the report fail, the root's findings name its gap.
    summary = ctx.call(client, "GetAccountSummary", kinds=(ROOT,), resource_id=root_arn(ctx.account))
    report = _credential_report(ctx, client)
    admin = _admin_policies(ctx, client)
    users = ctx.pages(client, "GetAccountAuthorizationDetails", "UserDetailList", kinds=(USER,), Filter=["User"])
    users = users or []
    every_credentials = ctx.each(lambda detail: _user_credentials(ctx, client, detail["UserName"], detail["Arn"]), users)
    for detail, credentials in zip(users, every_credentials):  # users' credentials read concurrently
        arn = detail["Arn"]
        ctx.add(user_record(detail, ctx.account, GLOBAL, credentials, True, admin,
                            None if report is None else report.get(arn, {})), "iam:GetAccountAuthorizationDetails")
    for item in ctx.pages(client, "GetAccountAuthorizationDetails", "GroupDetailList", kinds=(GROUP,), Filter=["Group"]) or []:
        ctx.add(group_record(item, ctx.account, GLOBAL), "iam:GetAccountAuthorizationDetails")
    roles = _roles(ctx, client)
    for role in roles or []:
        ctx.add(role, "iam:GetAccountAuthorizationDetails")
    root = root_record(ctx.account, summary, None if report is None else report.get(root_arn(ctx.account)))
    # CIS AWS 1.17: some role lets people manage incidents with AWS Support.
    root.shape.attrs["support_role_exists"] = None if roles is None else any(
        SUPPORT_POLICY_ARN in (r.shape.attrs.get("attached_policy_arns") or []) for r in roles)
    ctx.add(root, "iam:GetAccountSummary")
    policy = ctx.call(client, "GetAccountPasswordPolicy", kinds=(PASSWORD_POLICY,),
                      resource_id=f"arn:aws:iam::{ctx.account}:account-password-policy", absent=NO_SUCH_ENTITY)
    ctx.add(password_policy_record(ctx.account, policy), "iam:GetAccountPasswordPolicy")


DUMPS = (
    DumpShape(key="UserDetailList", item_field="UserName", to_record=user_detail_record),
    DumpShape(key="Users", item_field="UserName", to_record=listed_user_record),
    DumpShape(key="Policies", item_field="DefaultVersionId", to_record=policy_record),
    DumpShape(key="RoleDetailList", item_field="AssumeRolePolicyDocument", to_record=role_record),
    DumpShape(key="Roles", item_field="AssumeRolePolicyDocument", to_record=role_record),
    DumpShape(key="GroupDetailList", item_field="GroupName", to_record=group_record),
)

SPEC = ServiceSpec(name="iam", collect=collect, operations=OPERATIONS, kinds=KINDS, scope=GLOBAL, dumps=DUMPS, reads_each=True)
