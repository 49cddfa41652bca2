"""Graph stage, AWS: relations that need the whole inventory, as pure functions of Resources.
AWS Backup selections and DLM policies -protects-> what they match (tags, ARN wildcards,
conditions, in their account and region); Route 53 alias records -routes_to-> the load
balancers whose DNS names they point at. Live scans, imports and Terraform plans (planned
resources have addresses for ids, so ARN patterns match them by service, type and region)
all go through these matchers."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping

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


@dataclass
class LinkWork:
    """Counted work of the matchers below (candidates examined against a selection's or policy's
    rules), for tests that check matching stays proportional to what matches, not to the estate."""
    examined: int = 0


class _Scope:
    """The resources of one account and region that AWS Backup and DLM can select, indexed: by id,
    by tag (key, value), by kind, by the instances a volume is attached to, and ARNs sorted so a
    wildcard's literal prefix finds its range. Positions keep the inventory's order in results."""

    def __init__(self, candidates: Iterable[Resource]):
        self.members: list[Resource] = []
        self.position: dict[str, int] = {}
        self.by_tag: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_kind: dict[str, list[int]] = defaultdict(list)
        self.by_attached: dict[str, list[int]] = defaultdict(list)
        self.planned: list[int] = []  # resources Terraform has not created yet (no ARN): matched by _planned_arn
        arns: list[tuple[str, int]] = []
        for candidate in candidates:
            if candidate.id in self.position:
                continue
            index = len(self.members)
            self.members.append(candidate)
            self.position[candidate.id] = index
            for item in candidate.tags.items():
                self.by_tag[item].append(index)
            self.by_kind[candidate.kind].append(index)
            if candidate.kind == "aws.ec2.volume":
                for instance in candidate.attrs.get("attached_instance_ids") or []:
                    self.by_attached[str(instance)].append(index)
            if candidate.id.startswith("arn:"):
                arns.append((candidate.id, index))
            elif candidate.kind in PLANNED_ARN_PREFIXES:
                self.planned.append(index)
        arns.sort()
        self.arn_keys = [arn for arn, _ in arns]
        self.arn_index = [index for _, index in arns]

    def matching(self, pattern: str) -> Iterator[int]:
        """Positions of the members whose ARN (or planned ARN) matches a wildcard pattern."""
        prefix = pattern.split("*", 1)[0]
        start = bisect_left(self.arn_keys, prefix)
        for i in range(start, len(self.arn_keys)):
            if not self.arn_keys[i].startswith(prefix):
                break
            if _glob(pattern, self.arn_keys[i]):
                yield self.arn_index[i]
        for index in self.planned:
            if _arn_matches(pattern, self.members[index]):
                yield index

    def tagged(self, pairs: Iterable[tuple[str, Any]]) -> set[int]:
        """Positions of the members carrying any of the (key, value) tags. A value of None (not
        read) equals the missing tag, as `tags.get(key) == None` does: those are found by a scan."""
        found: set[int] = set()
        for key, value in pairs:
            if value is None:
                found.update(i for i, member in enumerate(self.members) if key not in member.tags)
            elif isinstance(value, str):
                found.update(self.by_tag.get((key, value), ()))
        return found


def _backup_candidates(selector: Resource, candidates: Iterable[Resource]) -> Iterator[Resource]:
    return (c for c in candidates if c.provider == "aws" and c.account == selector.account
            and c.region == selector.region and c.kind.startswith(BACKUP_KINDS))


def selection_targets(selection: Resource, candidates: Iterable[Resource]) -> list[str]:
    """Ids of the candidates an AWS Backup selection assigns to its plan: resources of a kind AWS
    Backup protects, in the selection's account and region, matching any Resources ARN/wildcard or
    any ListOfTags tag (OR), and none of NotResources, and every Conditions entry (AND). A selection
    with only Conditions selects every resource that meets them. A selection whose contents were
    not read (Resources or ListOfTags absent or None, NotResources or Conditions None) assigns nothing."""
    return _selection_targets(selection, _Scope(_backup_candidates(selection, candidates)))


def _selection_targets(selection: Resource, scope: _Scope, work: LinkWork | None = None) -> list[str]:
    attrs = selection.attrs
    if any(attrs.get(name) is None for name in ("resources", "tag_conditions")) or any(
            name in attrs and attrs[name] is None for name in ("not_resources", "conditions")):
        return []
    resources = [str(r) for r in attrs["resources"]]
    tag_list = [(_tag_key(t.get("key")), t.get("value")) for t in attrs["tag_conditions"]]
    not_resources = [str(r) for r in attrs.get("not_resources", [])]
    not_patterns = [p for p in not_resources if "*" in p]
    excluded = set(not_resources)
    conditions = attrs.get("conditions", {})
    if not resources and not tag_list and any(conditions.values()):  # select all that meet the conditions
        equals = conditions.get("string_equals") or []
        included: Iterable[int] = (scope.tagged([(_tag_key(equals[0]["key"]), equals[0]["value"])])
                                   if equals else range(len(scope.members)))
    else:
        found = scope.tagged(tag_list)
        found.update(scope.position[p] for p in resources if "*" not in p and p in scope.position)
        for pattern in resources:
            if "*" in pattern:
                found.update(scope.matching(pattern))
        included = found
    matched = []
    for index in sorted(included):
        candidate = scope.members[index]
        if work is not None:
            work.examined += 1
        if candidate.id == selection.id or candidate.id in excluded or any(_arn_matches(p, candidate) for p in not_patterns):
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
    return _dlm_targets(policy, _Scope(_backup_candidates(policy, candidates)))


def _dlm_targets(policy: Resource, scope: _Scope, work: LinkWork | None = None) -> list[str]:
    attrs = policy.attrs
    if attrs.get("state") != "ENABLED" or attrs.get("policy_type") != "EBS_SNAPSHOT_MANAGEMENT":
        return []
    types = set(attrs.get("resource_types") or [])
    target_tags = dict(attrs.get("target_tags") or {})
    default = bool(attrs.get("default_policy")) and not target_tags
    if not types or not (target_tags or default):
        return []

    def of_kind(kind: str) -> list[Resource]:
        chosen = scope.by_kind.get(kind, []) if default else sorted(
            i for i in scope.tagged(target_tags.items()) if scope.members[i].kind == kind)
        if work is not None:
            work.examined += len(chosen)
        return [scope.members[i] for i in chosen]

    matched: list[str] = []
    if "VOLUME" in types:
        matched += [c.id for c in of_kind("aws.ec2.volume") if not _excluded(policy, c)]
    if "INSTANCE" in types:
        instances = [c for c in of_kind("aws.ec2.instance")
                     if not any(c.tags.get(k) == v for k, v in (attrs.get("exclude_tags") or {}).items())]
        matched += [c.id for c in instances]
        attached = sorted({i for c in instances for i in scope.by_attached.get(c.id.rsplit("/", 1)[-1], ())})
        if work is not None:
            work.examined += len(attached)
        matched += [scope.members[i].id for i in attached if not _excluded(policy, scope.members[i])]
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


def aws_links(resources: Mapping[str, Resource], work: LinkWork | None = None) -> list[Relation]:
    """Every AWS relation above, for one inventory: each account and region is indexed once
    (_Scope), and each selection or policy looks up only the resources its rules can match."""
    selectors = [r for r in resources.values() if r.kind in ("aws.backup.selection", "aws.dlm.lifecycle_policy")]
    records = [r for r in resources.values() if r.kind == "aws.route53.record"]
    if not selectors and not records:
        return []
    relations: list[Relation] = []
    by_scope: dict[tuple[str, str], list[Resource]] = defaultdict(list)
    if selectors:
        for resource in resources.values():
            if resource.provider == "aws" and resource.kind.startswith(BACKUP_KINDS):
                by_scope[(resource.account, resource.region)].append(resource)
    scopes: dict[tuple[str, str], _Scope] = {}
    for selector in selectors:
        key = (selector.account, selector.region)
        scope = scopes.get(key) or scopes.setdefault(key, _Scope(by_scope.get(key, ())))
        match = _selection_targets if selector.kind == "aws.backup.selection" else _dlm_targets
        relations.extend(Relation(selector.id, target, "protects")
                         for target in match(selector, scope, work) if target != selector.id)
    if records:
        relations.extend(alias_targets(records, [r for r in resources.values() if r.kind == "aws.elbv2.load_balancer"]))
    return relations
