"""The DR assessment stays linear in an app's size, and its look-ups built once per DrContext
(mechanisms per store, AWS Backup sources per selection, failure cascades, Route 53 record
groups, Aurora global clusters, replication destinations) give the answers of the straightforward
code they replaced.

The scaling test counts the lines of drscan/dr executed (sys.settrace, never wall-clock time) for
an app of N and of 4N members with the same per-store density (3 AWS Backup selections per store,
2 recovery points, a tenth of the members entrypoints): linear work grows about 4x, a step that
walks the app per member (entrypoints per failure candidate, record groups per record, stores
per replicated store) grows 16x."""

from __future__ import annotations

import random
import sys
from collections import Counter, deque
from pathlib import Path

import pytest

import drscan.dr
from drscan.config import App
from drscan.dr.assess import assess_apps
from drscan.dr.simulate import PROPAGATION, _WHY, FailedSet, Failure, failure_cascade, propagate
from drscan.dr.model import Step
from drscan.dr.traffic import ROUTE53, record_group
from tests.dr.helpers import ACCOUNT, context, res

OTHER = "222222222222"


def estate(n: int, seed: int = 0, selections: int = 3, points: int = 2) -> tuple[list, list, tuple[App, ...]]:
    """An estate of about n members of app "shop" (tier 1) and "ops" (tier 1, every other member
    of shop), each store selected by `selections` AWS Backup selections of one plan and keeping
    `points` recovery points in a locked vault; 4 KMS keys; instances with volumes; load balancers and
    Route 53 failover pairs as entrypoints; EFS file systems replicated to us-west-2; Aurora
    global clusters with their secondaries."""
    rng = random.Random(seed)
    resources, relations = [], []

    def tags(i: int) -> dict:
        return {"app": "shop", "ops": "yes"} if i % 2 == 0 else {"app": "shop"}

    def add(resource):
        resources.append(resource)
        return resource

    keys = [add(res("aws.kms.key", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k{k}", tags={"app": "shop"})) for k in range(4)]
    vault = add(res("aws.backup.vault", f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:main",
                    attrs={"locked": True, "encryption_key_arn": keys[0].id}))
    add(res("aws.backup.vault", f"arn:aws:backup:us-west-2:{OTHER}:backup-vault:dr", region="us-west-2", account=OTHER,
            attrs={"locked": rng.random() < 0.5}))
    plan = add(res("aws.backup.plan", f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-plan:daily", attrs={"rules": [
        {"name": "daily", "schedule": "cron(0 5 ? * * *)", "target_vault": "main",
         "copy_destinations": [f"arn:aws:backup:us-west-2:{OTHER}:backup-vault:dr"]},
        {"name": "pitr", "schedule": "rate(1 hour)", "continuous": True, "target_vault": "main"}]}))
    chosen_by = [add(res("aws.backup.selection", f"{plan.id}/selection/s{k}")) for k in range(selections)]
    relations += [(s.id, plan.id, "selection_of") for s in chosen_by]
    for i in range(n * 2 // 3):
        zone = f"us-east-1{'abc'[i % 3]}"
        kind = i % 5
        if kind == 0:
            store = res("aws.rds.db_instance", f"arn:aws:rds:us-east-1:{ACCOUNT}:db:db{i}", zones=(zone,), tags=tags(i),
                        attrs={"multi_az": rng.choice([True, False, None]), "backup_retention_days": rng.choice([0, 7]),
                               "allocated_storage_gb": rng.choice([20, 500])})
        elif kind == 1:
            store = res("aws.s3.bucket", f"arn:aws:s3:::bucket{i}", tags=tags(i),
                        attrs={"versioning": rng.choice(["Enabled", "Off"]), "replication_enabled": False})
        elif kind == 2:  # EFS replicated to us-west-2, its replica a member too
            store = res("aws.efs.file_system", f"arn:aws:elasticfilesystem:us-east-1:{ACCOUNT}:file-system/fs-{i}",
                        tags=tags(i), attrs={"replication_regions": ["us-west-2"], "size_bytes": 10**9})
            add(res("aws.efs.file_system", f"arn:aws:elasticfilesystem:us-west-2:{ACCOUNT}:file-system/fs-{i}-dr",
                    region="us-west-2", tags=tags(i), attrs={"size_bytes": 10**9}))
        elif kind == 3:  # Aurora global database: primary here, secondary in us-west-2
            store = res("aws.rds.db_cluster", f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:c{i}", tags=tags(i),
                        attrs={"global_cluster_id": f"g{i}", "global_cluster_regions": ["us-east-1", "us-west-2"],
                               "backup_retention_days": 7})
            add(res("aws.rds.db_cluster", f"arn:aws:rds:us-west-2:{ACCOUNT}:cluster:c{i}-dr", region="us-west-2",
                    tags=tags(i), attrs={"global_cluster_id": f"g{i}", "backup_retention_days": 7}))
        else:  # an instance and its volume
            instance = add(res("aws.ec2.instance", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-{i}", zones=(zone,),
                               tags=tags(i), attrs={"state": "running"}))
            store = res("aws.ec2.volume", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-{i}", zones=(zone,), tags=tags(i),
                        attrs={"size_gb": 100})
            relations.append((store.id, instance.id, "attached_to"))
        add(store)
        relations.append((store.id, keys[i % len(keys)].id, "encrypted_by"))
        relations += [(s.id, store.id, "protects") for s in chosen_by]
        for p in range(points):
            point = add(res("aws.backup.recovery_point", f"arn:aws:backup:us-east-1:{ACCOUNT}:recovery-point:rp{i}-{p}",
                            attrs={"status": "COMPLETED", "created_at": f"2026-11-{19 - p:02d}T05:00:00Z",
                                   "size_bytes": 10**9}))
            relations += [(point.id, store.id, "recovery_point_of"), (point.id, vault.id, "stored_in")]
    for i in range(n // 20):  # load balancers, and a Route 53 failover pair in front of each
        region = ("us-east-1", "us-west-2")[i % 2]
        balancer = add(res("aws.elbv2.load_balancer", f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/app/web{i}/x",
                           region=region, zones=(region + "a", region + "b"), tags=tags(i),
                           attrs={"dns_name": f"web{i}.{region}.elb.amazonaws.com"}))
        for role in ("PRIMARY", "SECONDARY"):
            record = add(res(ROUTE53, f"arn:aws:route53:::hostedzone/Z1/recordset/api{i // 2}.shop.example./A/{role}",
                             region="global", tags=tags(i), name=f"api{i // 2} {role}",
                             attrs={"name": f"api{i // 2}.shop.example.", "type": "A", "zone_id": "Z1", "ttl": 60,
                                    "routing_policy": "failover", "failover": role, "set_identifier": f"{role}{i}",
                                    "health_check_id": "hc" if role == "PRIMARY" else None}))
            relations.append((record.id, balancer.id, "routes_to"))
    apps = (App(name="shop", tier=1, rpo_seconds=3600, rto_seconds=14400, rpo="1h", rto="4h", member_tags={"app": "shop"},
                primary_region="us-east-1"),
            App(name="ops", tier=1, rpo_seconds=900, rto_seconds=3600, rpo="15m", rto="1h", member_tags={"ops": "yes"}))
    return resources, relations, apps


# ------------------------------------------------------------------ the references

def reference_propagate(ctx, failed: FailedSet) -> FailedSet:
    """The failure cascade as it was written before it read ids: resources per relation, every time."""
    graph = ctx.graph
    queue = deque(failed.resources)
    while queue:
        current = queue.popleft()
        origin = failed.cause.get(current, "cascade")
        victims = []
        for relation, end in PROPAGATION.items():
            victims.extend((n, relation) for n in graph.related(current, relation, "in" if end == "source" else "out"))
        victims.extend((v, "encrypted_by") for v in graph.resources.values()
                       if v.kind == "aws.backup.vault" and v.attrs.get("encryption_key_arn") == current)
        for victim, relation in victims:
            if victim.id in failed.resources:
                continue
            other = graph.resources.get(current)
            failed.resources[victim.id] = Step(victim.id, f"relation:{relation}", current,
                                               _WHY[relation].format(other=other.name if other else current))
            failed.cause[victim.id] = "zone" if origin == "zone" and relation == "attached_to" else f"cascade:{origin}"
            queue.append(victim.id)
    return failed


def reference_record_group(ctx, record):
    if record.kind != ROUTE53:
        return [record]
    key = (record.account, record.attrs.get("zone_id"), str(record.attrs.get("name") or record.name).lower().rstrip("."),
           record.attrs.get("type"))
    group = [r for r in ctx.graph.resources.values() if r.kind == ROUTE53 and
             (r.account, r.attrs.get("zone_id"), str(r.attrs.get("name") or r.name).lower().rstrip("."), r.attrs.get("type")) == key]
    return sorted(group or [record], key=lambda r: r.id)


@pytest.mark.parametrize("seed", range(3))
def test_failure_cascades_equal_the_reference(seed):
    resources, relations, apps = estate(120, seed)
    ctx = context(resources, relations, apps)
    for resource in resources:
        expected = reference_propagate(ctx, FailedSet((Failure("resource", resource.id),), {resource.id: Step(
            resource.id, "dr.failure", f"resource:{resource.id}", "fails alone")}, {resource.id: "resource"}))
        for _ in range(2):  # the second answer may come from the context's memo
            found = failure_cascade(ctx, resource.id)
            assert (found.resources, found.cause) == (expected.resources, expected.cause)
    key = resources[0].id  # its cascade is large: the second answer came from the memo
    fresh = FailedSet((Failure("resource", key),), {key: Step(key, "dr.failure", "x", "y")}, {key: "resource"})
    assert propagate(ctx, fresh).resources.keys() == failure_cascade(ctx, key).resources.keys()
    assert ("cascade", key) in ctx.memo


@pytest.mark.parametrize("seed", range(3))
def test_record_groups_equal_the_reference(seed):
    resources, relations, apps = estate(200, seed)
    rng = random.Random(seed)
    records = [r for r in resources if r.kind == ROUTE53]
    for record in rng.sample(records, 5):  # records answering the same name from another zone, type, case
        resources.append(res(ROUTE53, record.id + "-copy", region="global", name=record.name,
                             attrs={**record.attrs, "name": str(record.attrs["name"]).upper(),
                                    "zone_id": rng.choice(["Z1", "Z2"]), "type": rng.choice(["A", "AAAA"])}))
    ctx = context(resources, relations, apps)
    for record in [r for r in resources if r.kind == ROUTE53] + resources[:5]:
        assert record_group(ctx, record) == reference_record_group(ctx, record)


@pytest.mark.parametrize("seed", range(2))
def test_one_context_for_all_apps_assesses_as_a_fresh_context_per_app(seed):
    """What the context keeps across apps (mechanisms per store, sources per selection, large
    cascades, indexes) changes no answer: each app assessed alone in a new context is the same."""
    resources, relations, apps = estate(160, seed)
    shared = assess_apps(context(resources, relations, apps))
    for app in apps:
        alone = assess_apps(context(resources, relations, apps), [app.name])[app.name]
        assert alone == shared[app.name]
    assert shared["shop"].checks["spof_count"] > 0 and shared["ops"].single_points_of_failure


# ------------------------------------------------------------------ the scaling check

DR_DIR = str(Path(drscan.dr.__file__).parent)


def dr_lines_executed(n: int) -> tuple[Counter, int]:
    """Lines of drscan/dr executed per function assessing the estate of n members, and the member
    count; one selection and one recovery point per store, so that per-member work stays small
    next to a walk of the app."""
    resources, relations, apps = estate(n, selections=1, points=1)
    ctx = context(resources, relations, apps)
    lines: Counter = Counter()

    def local(frame, event, arg):
        if event == "line":
            code = frame.f_code
            lines[(code.co_filename.rsplit("/", 1)[-1], code.co_firstlineno, code.co_name)] += 1
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename.startswith(DR_DIR) else None

    sys.settrace(tracer)
    try:
        assessed = assess_apps(ctx)
    finally:
        sys.settrace(None)
    return lines, assessed["shop"].member_count


def test_dr_assessment_work_grows_linearly_with_the_app():
    small, small_members = dr_lines_executed(200)
    large, large_members = dr_lines_executed(800)
    assert 3.5 * small_members <= large_members <= 4.5 * small_members
    # 4x the members, ~4x the work, in total and in every function that does a noticeable part of
    # it; a step that walks the app (or the estate) per member grows ~16x.
    assert sum(large.values()) <= 5 * sum(small.values()), (sum(small.values()), sum(large.values()))
    grown = {f"{name} ({file}:{line})": (small[(file, line, name)], count) for (file, line, name), count in large.items()
             if count >= 2000 and count > 6 * small[(file, line, name)]}
    assert not grown, grown
