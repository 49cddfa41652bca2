"""Property: adding a replica or a backup to an estate never makes an estimated RPO worse,
for every disruption type (a smaller number, or a better status: estimated < not assessable <
data lost)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drscan.dr.model import DATA_LOST, DISRUPTIONS, NOT_ASSESSABLE
from tests.dr.helpers import app, assess, res

REGIONS = ("us-east-1", "us-west-2")
ACCOUNTS = ("111111111111", "222222222222")
MAYBE_BOOL = st.sampled_from([True, False, None])
STATUS_RANK = {NOT_ASSESSABLE: 1, DATA_LOST: 2}


@st.composite
def stores(draw):
    kind = draw(st.sampled_from(["rds", "dynamodb", "s3", "volume", "azure_sql"]))
    n = draw(st.integers(0, 9999))
    zone = draw(st.sampled_from(["us-east-1a", "us-east-1b"]))
    if kind == "rds":
        return res("aws.rds.db_instance", f"arn:aws:rds:us-east-1:111111111111:db:db{n}", zones=(zone,), tags={"app": "shop"},
                   attrs={"multi_az": draw(MAYBE_BOOL), "backup_retention_days": draw(st.sampled_from([0, 7, None])),
                          "allocated_storage_gb": draw(st.sampled_from([20, None]))})
    if kind == "dynamodb":
        return res("aws.dynamodb.table", f"arn:aws:dynamodb:us-east-1:111111111111:table/t{n}", tags={"app": "shop"},
                   attrs={"pitr_enabled": draw(MAYBE_BOOL), "replica_regions": draw(st.sampled_from([[], ["us-west-2"]]))})
    if kind == "s3":
        return res("aws.s3.bucket", f"arn:aws:s3:::b{n}", tags={"app": "shop"},
                   attrs={"versioning": draw(st.sampled_from(["Enabled", "Suspended", "Off", None])),
                          "object_lock_enabled": draw(st.booleans()), "replication_enabled": draw(MAYBE_BOOL),
                          "replication_destinations": []})
    if kind == "azure_sql":
        return res("azure.sql.database", f"/subscriptions/s/resourcegroups/rg/providers/microsoft.sql/servers/a/databases/d{n}",
                   region="us-east-1", account="111111111111", tags={"app": "shop"},
                   attrs={"zone_redundant": draw(st.booleans()), "backup_redundancy": draw(st.sampled_from(["Local", "Geo", None])),
                          "geo_backup": draw(st.booleans())})
    return res("aws.ec2.volume", f"arn:aws:ec2:us-east-1:111111111111:volume/vol-{n}", zones=(zone,), tags={"app": "shop"},
               attrs={"size_gb": draw(st.sampled_from([10, None]))})


@st.composite
def additions(draw, store):
    """One replica or one backup of `store`: the resources and relations to add."""
    n = draw(st.integers(0, 9999))
    region, account = draw(st.sampled_from(REGIONS)), draw(st.sampled_from(ACCOUNTS))
    choice = draw(st.sampled_from(["replica", "plan", "recovery_point", "snapshot", "dlm"]))
    if choice == "replica" and store.kind in ("aws.rds.db_instance", "azure.sql.database"):
        replica = res(store.kind, f"{store.id}-replica{n}", region=region, account=account,
                      attrs={"is_read_replica": True, "is_secondary": True})
        return [replica], [(replica.id, store.id, "replica_of")]
    if choice == "plan" or choice == "replica":
        plan = res("aws.backup.plan", f"arn:aws:backup:us-east-1:111111111111:backup-plan:p{n}", attrs={"rules": [{
            "name": "r", "schedule": draw(st.sampled_from(["cron(0 5 ? * * *)", "rate(1 hour)", "cron(0 5 L * ? *)", None])),
            "continuous": draw(st.booleans()), "target_vault": "v",
            "copy_destinations": draw(st.sampled_from([[], [f"arn:aws:backup:{region}:{account}:backup-vault:dr"]]))}]})
        selection = res("aws.backup.selection", f"{plan.id}/selection/s{n}")
        return [plan, selection], [(selection.id, store.id, "protects"), (selection.id, plan.id, "selection_of")]
    if choice == "dlm" and store.kind == "aws.ec2.volume":
        policy = res("aws.dlm.lifecycle_policy", f"arn:aws:dlm:us-east-1:111111111111:policy/p{n}", attrs={
            "state": draw(st.sampled_from(["ENABLED", "DISABLED"])),
            "schedules": [{"interval_hours": draw(st.sampled_from([1, 12, 24, None])),
                           "cross_region_copy_regions": draw(st.sampled_from([[], ["us-west-2"]]))}]})
        return [policy], [(policy.id, store.id, "protects")]
    day = draw(st.integers(1, 20))
    kind = "aws.backup.recovery_point" if choice != "snapshot" else "aws.ec2.snapshot"
    point = res(kind, f"arn:aws:backup:{region}:{account}:recovery-point:rp{n}", region=region, account=account,
                attrs={"status": draw(st.sampled_from(["COMPLETED", "FAILED", None])),
                       "created_at": f"2026-11-{day:02d}T05:00:00Z"})
    relation = "recovery_point_of" if kind == "aws.backup.recovery_point" else "snapshot_of"
    return [point], [(point.id, store.id, relation)]


def rank(estimate) -> tuple[int, float]:
    """Order of badness: a known RPO (by value) < not assessable < data lost."""
    return STATUS_RANK.get(estimate.rpo_status, 0), estimate.rpo_seconds or 0.0


@st.composite
def estates(draw):
    base = draw(st.lists(stores(), min_size=1, max_size=3, unique_by=lambda r: r.id))
    target = draw(st.sampled_from(base))
    extra_resources, extra_relations = draw(additions(target))
    return base, extra_resources, extra_relations


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_adding_a_replica_or_backup_never_makes_rpo_worse(estate):
    base, extra_resources, extra_relations = estate
    apps = (app("shop", primary_region="us-east-1"),)
    _, before = assess(base, apps=apps)
    _, after = assess(base + extra_resources, extra_relations, apps=apps)
    for disruption in DISRUPTIONS:
        old, new = before["shop"].estimates[disruption], after["shop"].estimates[disruption]
        assert rank(new) <= rank(old), (disruption, old.rpo_status, old.rpo_seconds, new.rpo_status, new.rpo_seconds,
                                        new.rpo_reason)
