"""The graph's AWS Backup selection and DLM matchers (drscan.graph.aws_links) look candidates up
through per-scope indexes. Here they are compared, on randomized estates, with a straightforward
reference that walks every candidate (the AWS Backup semantics written out: Resources and
NotResources with '*' wildcards, ListOfTags OR, Conditions StringEquals/StringLike/
StringNotEquals/StringNotLike AND; DLM target tags, exclusions, attached volumes). The scaling
tests count the candidates examined (LinkWork), never wall-clock time: on an estate four times
larger, with selections whose matches stay bounded, the work grows about four times, where a
matcher that walks the whole scope per selection grows sixteen times."""

from __future__ import annotations

import random
import re
from dataclasses import replace

import pytest

from drscan.graph.aws_links import BACKUP_KINDS, LinkWork, _arn_matches, aws_links, dlm_targets, selection_targets
from drscan.model import Resource

ACCOUNT, OTHER = "111122223333", "444455556666"
KINDS = [("aws.ec2.volume", "ec2", "volume/vol-"), ("aws.ec2.instance", "ec2", "instance/i-"),
         ("aws.rds.db_instance", "rds", "db:db-"), ("aws.dynamodb.table", "dynamodb", "table/tbl-"),
         ("aws.s3.bucket", "s3", ""), ("aws.lambda.function", "lambda", "function:fn-")]
TAG_VALUES = {"backup": ["daily", "weekly", "none"], "team": ["a", "b", "c"], "env": ["prod", "staging"]}


# ------------------------------------------------------------------ the reference: every candidate, every rule

def _ref_glob(pattern: str, value: str) -> bool:
    return re.fullmatch(".*".join(re.escape(p) for p in pattern.split("*")), value, re.DOTALL) is not None


def _ref_key(key) -> str:
    return str(key).removeprefix("aws:ResourceTag/")


def _ref_conditions(conditions, tags) -> bool:
    ok = all(tags.get(_ref_key(e["key"])) == e["value"] for e in conditions.get("string_equals") or [])
    ok = ok and all(_ref_key(e["key"]) in tags and _ref_glob(str(e["value"]), tags[_ref_key(e["key"])])
                    for e in conditions.get("string_like") or [])
    ok = ok and all(tags.get(_ref_key(e["key"])) != e["value"] for e in conditions.get("string_not_equals") or [])
    return ok and not any(_ref_key(e["key"]) in tags and _ref_glob(str(e["value"]), tags[_ref_key(e["key"])])
                          for e in conditions.get("string_not_like") or [])


def reference_selection(selection: Resource, candidates: list[Resource]) -> list[str]:
    attrs = selection.attrs
    if attrs.get("resources") is None or attrs.get("tag_conditions") is None or any(
            name in attrs and attrs[name] is None for name in ("not_resources", "conditions")):
        return []
    resources, nots = attrs["resources"], attrs.get("not_resources", [])
    tag_list = [(_ref_key(t.get("key")), t.get("value")) for t in attrs["tag_conditions"]]
    conditions = attrs.get("conditions", {})
    select_all = not resources and not tag_list and any(conditions.values())
    out = []
    for c in candidates:
        if (c.provider != "aws" or c.id == selection.id or c.account != selection.account or c.region != selection.region
                or not c.kind.startswith(BACKUP_KINDS)):
            continue
        # one ARN pattern against one resource (planned resources included) is the module's own predicate
        included = select_all or any(_arn_matches(p, c) if "*" in p else p == c.id for p in resources) or any(
            c.tags.get(k) == v for k, v in tag_list)
        if included and c.id not in nots and not any("*" in p and _arn_matches(p, c) for p in nots) \
                and _ref_conditions(conditions, c.tags):
            out.append(c.id)
    return out


def reference_dlm(policy: Resource, candidates: list[Resource]) -> list[str]:
    a = policy.attrs
    if a.get("state") != "ENABLED" or a.get("policy_type") != "EBS_SNAPSHOT_MANAGEMENT":
        return []
    types, target = set(a.get("resource_types") or []), dict(a.get("target_tags") or {})
    default = bool(a.get("default_policy")) and not target
    if not types or not (target or default):
        return []
    local = [c for c in candidates if c.provider == "aws" and c.account == policy.account and c.region == policy.region]
    excl_tags = a.get("exclude_tags") or {}

    def excluded(v):
        return v.attrs.get("volume_type") in (a.get("exclude_volume_types") or []) or any(
            v.tags.get(k) == x for k, x in excl_tags.items())

    def tagged(r):
        return default or any(r.tags.get(k) == v for k, v in target.items())

    out = []
    if "VOLUME" in types:
        out += [c.id for c in local if c.kind == "aws.ec2.volume" and tagged(c) and not excluded(c)]
    if "INSTANCE" in types:
        inst = [c for c in local if c.kind == "aws.ec2.instance" and tagged(c) and not any(c.tags.get(k) == v for k, v in excl_tags.items())]
        ids = {c.id.rsplit("/", 1)[-1] for c in inst}
        out += [c.id for c in inst]
        out += [c.id for c in local if c.kind == "aws.ec2.volume" and not excluded(c) and ids & set(c.attrs.get("attached_instance_ids") or [])]
    return list(dict.fromkeys(out))


# ------------------------------------------------------------------ randomized estates

def _resource(rng: random.Random, n: int, region: str, account: str) -> Resource:
    kind, service, prefix = rng.choice(KINDS)
    suffix = f"{rng.choice('0123456789abcdef')}{n:06x}"
    arn = f"arn:aws:s3:::bucket-{suffix}" if service == "s3" else f"arn:aws:{service}:{region}:{account}:{prefix}{suffix}"
    tags = {k: rng.choice(v) for k, v in TAG_VALUES.items() if rng.random() < 0.7}
    attrs = {}
    if kind == "aws.ec2.volume":
        attrs = {"volume_type": rng.choice(["gp3", "io2"]), "attached_instance_ids": [f"i-{rng.choice('0123456789abcdef')}{rng.randrange(n + 1):06x}"]}
    if rng.random() < 0.05:  # a planned resource (Terraform address for an id)
        arn = f"aws_ebs_volume.v{n}" if kind == "aws.ec2.volume" else arn
    return Resource(kind=kind, id=arn, name=arn.rsplit("/", 1)[-1], provider="aws", account=account, region=region,
                    attrs=attrs, tags=tags)


def _condition(rng: random.Random) -> dict:
    key = rng.choice(list(TAG_VALUES))
    value = rng.choice(TAG_VALUES[key] + ["*", f"{rng.choice(TAG_VALUES[key])[:1]}*", "x*"])
    return {"key": rng.choice([key, f"aws:ResourceTag/{key}"]), "value": value}


def _selection(rng: random.Random, n: int, region: str, pool: list[Resource]) -> Resource:
    ids = [r.id for r in pool]
    resources = rng.sample(ids, min(len(ids), rng.randrange(4)))
    resources += [rng.choice(["*", f"arn:aws:ec2:{region}:{ACCOUNT}:volume/*", f"arn:aws:ec2:{region}:{ACCOUNT}:volume/vol-{rng.choice('0123456789abcdef')}*",
                              f"arn:aws:rds:*:{ACCOUNT}:db:*", "arn:aws:s3:::bucket-a*", f"arn:aws:dynamodb:{region}:*:table/tbl-*"])
                  for _ in range(rng.randrange(3))]
    nots = rng.sample(ids, min(len(ids), rng.randrange(2))) + [
        rng.choice([f"arn:aws:ec2:{region}:{ACCOUNT}:volume/vol-{rng.choice('0123456789abcdef')}*", "arn:aws:s3:::*"])
        for _ in range(rng.randrange(2))]
    tag_list = [{"key": k, "value": rng.choice(TAG_VALUES[k])} for k in rng.sample(list(TAG_VALUES), rng.randrange(3))]
    conditions = {op: [_condition(rng) for _ in range(rng.choice([0, 0, 0, 1, 2]))]
                  for op in ("string_equals", "string_like", "string_not_equals", "string_not_like")}
    attrs = {"resources": resources, "tag_conditions": tag_list, "not_resources": nots, "conditions": conditions}
    if rng.random() < 0.05:
        attrs[rng.choice(list(attrs))] = None  # not read: assigns nothing
    return Resource(kind="aws.backup.selection", id=f"arn:aws:backup:{region}:{ACCOUNT}:backup-plan:p/selection/s{n}",
                    name=f"s{n}", provider="aws", account=ACCOUNT, region=region, attrs=attrs)


def _dlm(rng: random.Random, n: int, region: str) -> Resource:
    attrs = {"state": rng.choice(["ENABLED"] * 4 + ["DISABLED"]), "policy_type": "EBS_SNAPSHOT_MANAGEMENT",
             "resource_types": rng.sample(["VOLUME", "INSTANCE"], rng.randint(1, 2)),
             "target_tags": {k: rng.choice(TAG_VALUES[k]) for k in rng.sample(list(TAG_VALUES), rng.randrange(3))},
             "default_policy": rng.random() < 0.3, "exclude_volume_types": rng.sample(["gp3", "io2"], rng.randrange(2)),
             "exclude_tags": {"env": "staging"} if rng.random() < 0.3 else {}}
    return Resource(kind="aws.dlm.lifecycle_policy", id=f"arn:aws:dlm:{region}:{ACCOUNT}:policy/p{n}", name=f"p{n}",
                    provider="aws", account=ACCOUNT, region=region, attrs=attrs)


def _estate(rng: random.Random, size: int) -> list[Resource]:
    pool = []
    for n in range(size):
        region = rng.choice(["us-east-1", "us-east-1", "eu-west-1"])
        pool.append(_resource(rng, n, region, rng.choice([ACCOUNT] * 5 + [OTHER])))
    # instances the volumes name as attached, so INSTANCE policies reach their volumes
    for volume in [r for r in pool if r.kind == "aws.ec2.volume"][: size // 10]:
        instance_id = volume.attrs["attached_instance_ids"][0]
        pool.append(Resource(kind="aws.ec2.instance", id=f"arn:aws:ec2:{volume.region}:{volume.account}:instance/{instance_id}",
                             name=instance_id, provider="aws", account=volume.account, region=volume.region,
                             tags=dict(volume.tags)))
    return list({r.id: r for r in pool}.values())  # an inventory: one resource per id


@pytest.mark.parametrize("seed", range(12))
def test_indexed_selection_matching_equals_the_reference(seed):
    rng = random.Random(seed)
    pool = _estate(rng, 300)
    for n in range(40):
        selection = _selection(rng, n, rng.choice(["us-east-1", "eu-west-1"]), pool)
        assert selection_targets(selection, pool) == reference_selection(selection, pool), selection.attrs


@pytest.mark.parametrize("seed", range(6))
def test_indexed_dlm_matching_equals_the_reference(seed):
    rng = random.Random(seed)
    pool = _estate(rng, 300)
    for n in range(30):
        policy = _dlm(rng, n, rng.choice(["us-east-1", "eu-west-1"]))
        assert dlm_targets(policy, pool) == reference_dlm(policy, pool), policy.attrs


def test_aws_links_equals_the_reference_over_a_whole_inventory():
    rng = random.Random(99)
    pool = _estate(rng, 400)
    selectors = [_selection(rng, n, "us-east-1", pool) for n in range(20)] + [_dlm(rng, n, "us-east-1") for n in range(10)]
    inventory = {r.id: r for r in pool + selectors}
    expected = [(s.id, t) for s in selectors
                for t in (reference_selection(s, list(inventory.values())) if s.kind == "aws.backup.selection"
                          else reference_dlm(s, list(inventory.values()))) if t != s.id]
    assert [(r.source, r.target) for r in aws_links(inventory)] == expected


# ------------------------------------------------------------------ scaling: counted work, two sizes

def _scaling_estate(size: int) -> dict[str, Resource]:
    """One account and region (the worst case for a scope), one selection per 200 resources, each
    matching a bounded set: a team tag of its own, a few listed ARNs, a narrow wildcard, with
    NotResources and conditions; one DLM policy per 1,000 resources on its own tag."""
    rng = random.Random(size)
    resources: dict[str, Resource] = {}
    for n in range(size):
        kind, service, prefix = KINDS[n % 4]
        arn = f"arn:aws:{service}:us-east-1:{ACCOUNT}:{prefix}{n:08x}"
        tags = {"team": f"t{n % (size // 20)}", "env": rng.choice(["prod", "staging"]), "backup": rng.choice(TAG_VALUES["backup"])}
        attrs = {"volume_type": "gp3", "attached_instance_ids": [f"i-{n - 1:08x}"]} if kind == "aws.ec2.volume" else {}
        resources[arn] = Resource(kind=kind, id=arn, name=arn, provider="aws", account=ACCOUNT, region="us-east-1",
                                  attrs=attrs, tags=tags)
    ids = list(resources)
    for n in range(size // 200):
        selection = Resource(
            kind="aws.backup.selection", id=f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-plan:p/selection/{n}", name=str(n),
            provider="aws", account=ACCOUNT, region="us-east-1",
            attrs={"resources": rng.sample(ids, 5) + [f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-{n:06x}*"],
                   "tag_conditions": [{"key": "team", "value": f"t{n}"}],
                   "not_resources": [f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-{n:07x}*"],
                   "conditions": {"string_not_equals": [{"key": "aws:ResourceTag/env", "value": "staging"}],
                                  "string_like": [{"key": "backup", "value": "*"}]}})
        resources[selection.id] = selection
    for n in range(size // 1000):
        policy = Resource(kind="aws.dlm.lifecycle_policy", id=f"arn:aws:dlm:us-east-1:{ACCOUNT}:policy/{n}", name=str(n),
                          provider="aws", account=ACCOUNT, region="us-east-1",
                          attrs={"state": "ENABLED", "policy_type": "EBS_SNAPSHOT_MANAGEMENT",
                                 "resource_types": ["VOLUME", "INSTANCE"], "target_tags": {"team": f"t{n + 1}"}})
        resources[policy.id] = policy
    return resources


def _work(size: int) -> tuple[int, int]:
    work = LinkWork()
    relations = aws_links(_scaling_estate(size), work)
    return work.examined, len(relations)


def test_selection_and_dlm_matching_work_grows_linearly_with_the_estate():
    small, small_relations = _work(4_000)
    large, large_relations = _work(16_000)
    assert small_relations > 0 and large_relations > 3 * small_relations
    # Linear: 4x the estate, ~4x the work (bounded matches per selection, 4x the selections).
    # Walking the whole scope per selection would be 16x.
    assert large <= 5 * small, (small, large)
    assert large <= 3 * large_relations, (large, large_relations)


def test_a_selection_examines_only_what_its_rules_can_match():
    resources = _scaling_estate(8_000)
    selection = next(r for r in resources.values() if r.kind == "aws.backup.selection")
    narrow = replace(selection, attrs={**selection.attrs, "resources": [], "not_resources": [], "conditions": {}})
    work = LinkWork()
    only = {selection.id: narrow, **{k: v for k, v in resources.items() if v.kind != "aws.backup.selection" and v.kind != "aws.dlm.lifecycle_policy"}}
    targets = aws_links(only, work)
    assert len(targets) == work.examined == sum(1 for r in resources.values() if r.tags.get("team") == "t0")


def test_the_graph_is_built_from_the_model_alone_and_never_imports_a_collector():
    import ast
    from pathlib import Path

    import drscan.graph

    for path in Path(drscan.graph.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith("drscan.collect") for n in names), f"{path.name} imports {names}"
