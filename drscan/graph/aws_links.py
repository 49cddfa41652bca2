"""Graph stage, AWS: relations that need the whole inventory, as pure functions of Resources.
AWS Backup selections and DLM policies -protects-> what they match (tags, ARN wildcards,
conditions, in their account and region); Route 53 alias records -routes_to-> the load
balancers whose DNS names they point at. Live scans, imports and Terraform plans (planned
resources have addresses for ids, so ARN patterns match them by service, type and region)
all go through these matchers."""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Any, Iterable, Mapping

from drscan.model import Relation, Resource

# Resource kinds AWS Backup can protect (kind prefixes), for selections written as "*" or tag rules.
BACKUP_KINDS = ("aws.ec2.volume", "aws.ec2.instance", "aws.rds.db_instance", "aws.rds.db_cluster",
                "aws.dynamodb.table", "aws.efs.file_system", "aws.s3.bucket", "aws.fsx.", "aws.docdb.",
                "aws.neptune.", "aws.redshift.cluster", "aws.storagegateway.volume", "aws.timestream.table",
                "aws.cloudformation.stack")
TAG_KEY_PREFIX = "aws:ResourceTag/"
# How the ARN of a resource Terraform has not created yet starts: (service, resource-type prefix).
# Its id part is unknown until apply, so only a pattern with a wildcard there can match it.
PLANNED_ARN_PREFIXES = {
    "aws.ec2.volume": ("ec2", "volume/"), "aws.ec2.instance": ("ec2", "instance/"),
    "aws.rds.db_instance": ("rds", "db:"), "aws.rds.db_cluster": ("rds", "cluster:"),
    "aws.dynamodb.table": ("dynamodb", "table/"), "aws.efs.file_system": ("elasticfilesystem", "file-system/"),
    "aws.s3.bucket": ("s3", ""),
}
UNKNOWN_PART = "\x00"  # stands for the id AWS assigns at apply; only '*' matches it


@lru_cache(maxsize=4096)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """AWS Backup wildcards: '*' matches any run of characters (nothing else is special)."""
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def _glob(pattern: str, value: str) -> bool:
    return _wildcard(pattern).fullmatch(value) is not None


def _tag_key(key: Any) -> str:
    return str(key).removeprefix(TAG_KEY_PREFIX)


def _conditions_hold(conditions: Mapping, tags: Mapping[str, str]) -> bool:
    for entry in conditions.get("string_equals") or []:
        if tags.get(_tag_key(entry["key"])) != entry["value"]:
            return False
    for entry in conditions.get("string_like") or []:
        key = _tag_key(entry["key"])
        if key not in tags or not _glob(str(entry["value"]), tags[key]):
            return False
    for entry in conditions.get("string_not_equals") or []:
        if tags.get(_tag_key(entry["key"])) == entry["value"]:
            return False
    for entry in conditions.get("string_not_like") or []:
        key = _tag_key(entry["key"])
        if key in tags and _glob(str(entry["value"]), tags[key]):
            return False
    return True


def _planned_arn(resource: Resource) -> str | None:
    """The ARN a planned resource will have, with the parts AWS assigns at apply unknown."""
    prefix = PLANNED_ARN_PREFIXES.get(resource.kind)
    if prefix is None:
        return None
    service, resource_type = prefix
    if service == "s3":  # bucket ARNs name neither region nor account
        named = resource.name and resource.name != resource.attrs.get("terraform_address")
        return f"arn:aws:s3:::{resource.name if named else UNKNOWN_PART}"
    region = resource.region if resource.region not in ("", "unknown") else UNKNOWN_PART
    account = resource.account if resource.account.isdigit() else UNKNOWN_PART
    return f"arn:aws:{service}:{region}:{account}:{resource_type}{UNKNOWN_PART}"


def _arn_matches(pattern: str, resource: Resource) -> bool:
    if resource.id.startswith("arn:"):
        return _glob(pattern, resource.id)
    planned = _planned_arn(resource)
    if planned is None:
        return False
    pattern_fields, fields = pattern.split(":", 5), planned.split(":", 5)
    if len(pattern_fields) != 6:
        return False
    # A region or account not known from the plan matches any; the unknown id matches only '*'.
    return all(value == UNKNOWN_PART and index in (3, 4) or _glob(part, value)
               for index, (part, value) in enumerate(zip(pattern_fields, fields)))


def selection_targets(selection: Resource, candidates: Iterable[Resource]) -> list[str]:
    """Ids of the candidates an AWS Backup selection assigns to its plan: resources of a kind AWS
    Backup protects, in the selection's account and region, matching any Resources ARN/wildcard or
    any ListOfTags tag (OR), and none of NotResources, and every Conditions entry (AND). A selection
    with only Conditions selects every resource that meets them. A selection whose contents were
    not read (Resources or ListOfTags absent or None, NotResources or Conditions None) assigns nothing."""
    attrs = selection.attrs
    if any(attrs.get(name) is None for name in ("resources", "tag_conditions")) or any(
            name in attrs and attrs[name] is None for name in ("not_resources", "conditions")):
        return []
    resources = [str(r) for r in attrs["resources"]]
    tag_list = [(_tag_key(t.get("key")), t.get("value")) for t in attrs["tag_conditions"]]
    not_resources = [str(r) for r in attrs.get("not_resources", [])]
    conditions = attrs.get("conditions", {})
    select_all = not resources and not tag_list and any(conditions.values())
    explicit = {p for p in resources if "*" not in p}
    patterns = [p for p in resources if "*" in p]
    matched = []
    for candidate in candidates:
        if (candidate.provider != "aws" or candidate.id == selection.id or candidate.account != selection.account
                or candidate.region != selection.region or not candidate.kind.startswith(BACKUP_KINDS)):
            continue
        included = (select_all or candidate.id in explicit or any(_arn_matches(p, candidate) for p in patterns)
                    or any(candidate.tags.get(key) == value for key, value in tag_list))
        if not included or candidate.id in not_resources or any(
                "*" in p and _arn_matches(p, candidate) for p in not_resources):
            continue
        if _conditions_hold(conditions, candidate.tags):
            matched.append(candidate.id)
    return matched


def _excluded(policy: Resource, volume: Resource) -> bool:
    attrs = policy.attrs
    if volume.attrs.get("volume_type") in (attrs.get("exclude_volume_types") or []):
        return True
    return any(volume.tags.get(k) == v for k, v in (attrs.get("exclude_tags") or {}).items())


def dlm_targets(policy: Resource, candidates: Iterable[Resource]) -> list[str]:
    """Ids of the EBS volumes and EC2 instances an ENABLED snapshot policy covers, in its account
    and region: VOLUME policies match volumes carrying any of the target tags; INSTANCE policies
    match instances carrying one, plus the volumes attached to them (DLM snapshots every volume of
    the instance; boot volumes are not told apart here). A default policy (no target tags) covers
    every resource of its type that its exclusions do not remove. AMI and event-based policies,
    disabled policies and policies whose details were not read cover nothing."""
    attrs = policy.attrs
    if attrs.get("state") != "ENABLED" or attrs.get("policy_type") != "EBS_SNAPSHOT_MANAGEMENT":
        return []
    types = set(attrs.get("resource_types") or [])
    target_tags = dict(attrs.get("target_tags") or {})
    default = bool(attrs.get("default_policy")) and not target_tags
    if not types or not (target_tags or default):
        return []
    local = [c for c in candidates if c.provider == "aws" and c.account == policy.account and c.region == policy.region]

    def tagged(resource: Resource) -> bool:
        return default or any(resource.tags.get(k) == v for k, v in target_tags.items())

    matched: list[str] = []
    if "VOLUME" in types:
        matched += [c.id for c in local if c.kind == "aws.ec2.volume" and tagged(c) and not _excluded(policy, c)]
    if "INSTANCE" in types:
        instances = [c for c in local if c.kind == "aws.ec2.instance" and tagged(c)
                     and not any(c.tags.get(k) == v for k, v in (attrs.get("exclude_tags") or {}).items())]
        instance_ids = {c.id.rsplit("/", 1)[-1] for c in instances}
        matched += [c.id for c in instances]
        matched += [c.id for c in local if c.kind == "aws.ec2.volume" and not _excluded(policy, c)
                    and instance_ids & set(c.attrs.get("attached_instance_ids") or [])]
    return list(dict.fromkeys(matched))


def dns_key(name: Any) -> str:
    """Alias DNS names come as 'dualstack.NAME.' or 'NAME.'; load balancers report 'NAME'."""
    text = str(name or "").strip().lower().rstrip(".")
    return text.removeprefix("dualstack.")


def alias_targets(records: Iterable[Resource], load_balancers: Iterable[Resource]) -> list[Relation]:
    """record --routes_to--> load balancer, for alias records (and CNAMEs) whose DNS name is a load
    balancer's, in any account or region of the inventory."""
    by_dns: dict[str, list[str]] = {}
    for balancer in load_balancers:
        dns = balancer.attrs.get("dns_name")
        if dns:
            by_dns.setdefault(dns_key(dns), []).append(balancer.id)
    relations: list[Relation] = []
    for record in records:
        if record.kind != "aws.route53.record":
            continue
        names = [record.attrs.get("alias_dns_name")]
        if record.attrs.get("type") == "CNAME":
            names += list(record.attrs.get("values") or [])
        for name in names:
            for balancer_id in by_dns.get(dns_key(name), []) if name else []:
                relations.append(Relation(record.id, balancer_id, "routes_to"))
    return list(dict.fromkeys(relations))


def aws_links(resources: Mapping[str, Resource]) -> list[Relation]:
    """Every AWS relation above, for one inventory (candidates grouped by account and region)."""
    selectors = [r for r in resources.values() if r.kind in ("aws.backup.selection", "aws.dlm.lifecycle_policy")]
    records = [r for r in resources.values() if r.kind == "aws.route53.record"]
    if not selectors and not records:
        return []
    relations: list[Relation] = []
    by_scope: dict[tuple[str, str], list[Resource]] = defaultdict(list)
    for resource in resources.values():
        if resource.provider == "aws":
            by_scope[(resource.account, resource.region)].append(resource)
    for selector in selectors:
        match = selection_targets if selector.kind == "aws.backup.selection" else dlm_targets
        relations.extend(Relation(selector.id, target, "protects")
                         for target in match(selector, by_scope[(selector.account, selector.region)]) if target != selector.id)
    if records:
        relations.extend(alias_targets(records, [r for r in resources.values() if r.kind == "aws.elbv2.load_balancer"]))
    return relations
