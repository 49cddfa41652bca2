"""RDS collector against moto: instances with cross-region replicas and replicated automated
backups, Aurora global databases, snapshots and cross-region copies; rules on the result.

moto 5.2.5 answers DescribeDBInstanceAutomatedBackups without ARNs or replications and copies
snapshots without SourceRegion / SourceDBSnapshotIdentifier / SourceDBClusterSnapshotArn, so
botocore's Stubber serves those answers from tests/fixtures/aws_api/rds/*.json (shaped as the
RDS API reference documents them); everything else is moto."""

from __future__ import annotations

import json

import boto3

from drscan.collect.aws import rds

from tests.collect.aws.conftest import ACCOUNT, task
from tests.collect.aws.test_ec2 import Error, load_fixture, status, stubbed_context, verdicts

PASSWORD = "Sup3r-Secret-Passw0rd!"
EAST, WEST = "us-east-1", "eu-west-1"


def db(name: str, region: str = EAST) -> str:
    return f"arn:aws:rds:{region}:{ACCOUNT}:db:{name}"


def cluster(name: str, region: str = EAST) -> str:
    return f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{name}"


def _seed() -> None:
    east, west = boto3.client("rds", region_name=EAST), boto3.client("rds", region_name=WEST)
    common = dict(DBInstanceClass="db.t3.micro", AllocatedStorage=20, MasterUsername="acmeadmin", MasterUserPassword=PASSWORD)
    east.create_db_instance(DBInstanceIdentifier="payments-db", Engine="postgres", StorageEncrypted=True, MultiAZ=True,
                            BackupRetentionPeriod=7, DeletionProtection=True,
                            Tags=[{"Key": "app", "Value": "payments"}], **common)
    east.create_db_instance(DBInstanceIdentifier="reports-db", Engine="mysql", StorageEncrypted=False, MultiAZ=False,
                            BackupRetentionPeriod=1, PubliclyAccessible=True,
                            Tags=[{"Key": "app", "Value": "reports"}], **common)
    west.create_db_instance_read_replica(DBInstanceIdentifier="payments-db-dr", SourceDBInstanceIdentifier=db("payments-db"),
                                         DBInstanceClass="db.t3.micro", Tags=[{"Key": "app", "Value": "payments"}])
    east.create_db_snapshot(DBSnapshotIdentifier="payments-manual", DBInstanceIdentifier="payments-db")
    east.create_db_snapshot(DBSnapshotIdentifier="reports-export", DBInstanceIdentifier="reports-db")
    east.modify_db_snapshot_attribute(DBSnapshotIdentifier="reports-export", AttributeName="restore", ValuesToAdd=["all"])
    aurora = dict(Engine="aurora-postgresql", MasterUsername="acmeadmin", MasterUserPassword=PASSWORD, StorageEncrypted=True)
    ledger = east.create_db_cluster(DBClusterIdentifier="ledger", Tags=[{"Key": "app", "Value": "ledger"}], **aurora)
    east.create_global_cluster(GlobalClusterIdentifier="ledger-global",
                               SourceDBClusterIdentifier=ledger["DBCluster"]["DBClusterArn"])
    west.create_db_cluster(DBClusterIdentifier="ledger-dr", Engine="aurora-postgresql", GlobalClusterIdentifier="ledger-global")
    east.create_db_cluster(DBClusterIdentifier="orders", Tags=[{"Key": "app", "Value": "orders"}], **aurora)
    east.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="orders-manual", DBClusterIdentifier="orders")


def _east(**extra):
    answers = {"DescribeDBInstanceAutomatedBackups": lambda p: load_fixture("rds", "describe_db_instance_automated_backups")}
    answers.update(extra)
    ctx = stubbed_context(task("rds", EAST), answers)
    rds.collect(ctx)
    return ctx.out


def _west(**answers):
    ctx = stubbed_context(task("rds", WEST), answers)
    rds.collect(ctx)
    return ctx.out


def test_instances_replicas_and_replicated_backups(aws):
    _seed()
    out = _east()
    out.extend(_west())
    by_id = {r.id: r for r in out.resources}
    payments = by_id[db("payments-db")]
    assert payments.kind == "aws.rds.db_instance" and payments.tags == {"app": "payments"}
    assert payments.attrs["storage_encrypted"] is True and payments.attrs["multi_az"] is True
    assert payments.attrs["backup_retention_days"] == 7 and payments.attrs["deletion_protection"] is True
    assert payments.attrs["cross_region_replica_regions"] == [WEST]
    assert payments.attrs["cross_region_automated_backup_regions"] == ["us-west-2"]
    reports = by_id[db("reports-db")]
    assert reports.attrs["cross_region_automated_backup_regions"] == [] and reports.attrs["publicly_accessible"] is True
    replica = by_id[db("payments-db-dr", WEST)]
    assert replica.attrs["is_read_replica"] is True and replica.attrs["replica_source"] == db("payments-db")
    # The retained backup of a deleted instance marks nothing that exists.
    assert db("retired-db") not in by_id
    refs = {(r.source, r.type, r.target) for r in out.references}
    assert (replica.id, "replica_of", payments.id) in refs
    assert not out.gaps
    assert set(out.calls) <= set(rds.OPERATIONS)


def test_aurora_global_database_and_its_members(aws):
    _seed()
    out = _east()
    out.extend(_west())
    by_id = {r.id: r for r in out.resources}
    ledger, ledger_dr, orders = by_id[cluster("ledger")], by_id[cluster("ledger-dr", WEST)], by_id[cluster("orders")]
    global_arn = f"arn:aws:rds::{ACCOUNT}:global-cluster:ledger-global"
    assert ledger.attrs["global_cluster_id"] == global_arn and ledger.attrs["global_cluster_regions"] == [WEST, EAST]
    assert ledger_dr.attrs["global_cluster_regions"] == [WEST, EAST]
    assert orders.attrs["global_cluster_id"] is None and orders.attrs["global_cluster_regions"] == []
    (global_db,) = [r for r in out.resources if r.kind == "aws.rds.global_cluster"]  # reported by one region only
    assert global_db.id == global_arn and global_db.attrs["region_count"] == 2
    assert {m["cluster_arn"] for m in global_db.attrs["members"]} == {ledger.id, ledger_dr.id}
    refs = {(r.source, r.type, r.target) for r in out.references}
    assert (ledger.id, "member_of", global_arn) in refs and (ledger_dr.id, "member_of", global_arn) in refs
    assert out.calls["rds:DescribeGlobalClusters"] == 2  # only regions with a member cluster ask


def test_snapshots_public_and_private(aws):
    _seed()
    out = _east()
    by_id = {r.id: r for r in out.resources}
    exported = by_id[f"arn:aws:rds:{EAST}:{ACCOUNT}:snapshot:reports-export"]
    manual = by_id[f"arn:aws:rds:{EAST}:{ACCOUNT}:snapshot:payments-manual"]
    assert exported.attrs["public"] is True and manual.attrs["public"] is False
    assert manual.attrs["snapshot_type"] == "manual" and manual.attrs["is_cross_region_copy"] is False
    automated = [r for r in out.resources if r.kind == "aws.rds.db_snapshot" and r.attrs["snapshot_type"] == "automated"]
    assert automated and all(r.attrs["public"] is False for r in automated)
    cluster_manual = by_id[f"arn:aws:rds:{EAST}:{ACCOUNT}:cluster-snapshot:orders-manual"]
    assert cluster_manual.kind == "aws.rds.db_cluster_snapshot" and cluster_manual.attrs["public"] is False
    refs = {(r.source, r.type, r.target) for r in out.references}
    assert (manual.id, "snapshot_of", db("payments-db")) in refs
    assert (cluster_manual.id, "snapshot_of", cluster("orders")) in refs
    # Only manual snapshots are asked who may restore them.
    manual_count = sum(1 for r in out.resources if r.kind == "aws.rds.db_snapshot" and r.attrs["snapshot_type"] == "manual")
    assert out.calls["rds:DescribeDBSnapshotAttributes"] == manual_count


def test_cross_region_copies_point_at_their_source_region(aws):
    """Fixtures: a DB snapshot and a cluster snapshot copied from us-east-1 into eu-west-1."""
    out = _west(
        DescribeDBSnapshots=lambda p: load_fixture("rds", "describe_db_snapshots_cross_region_copy"),
        DescribeDBSnapshotAttributes=lambda p: load_fixture("rds", "describe_db_snapshot_attributes_private"),
        DescribeDBClusterSnapshots=lambda p: load_fixture("rds", "describe_db_cluster_snapshots_cross_region_copy"),
        DescribeDBClusterSnapshotAttributes=lambda p: load_fixture("rds", "describe_db_cluster_snapshot_attributes_public"),
    )
    by_kind = {r.kind: r for r in out.resources}
    copy, cluster_copy = by_kind["aws.rds.db_snapshot"], by_kind["aws.rds.db_cluster_snapshot"]
    assert copy.region == WEST and copy.attrs["is_cross_region_copy"] is True and copy.attrs["source_region"] == EAST
    assert copy.attrs["source_snapshot"].startswith(f"arn:aws:rds:{EAST}:")
    assert copy.attrs["public"] is False and copy.attrs["shared_with_accounts"] == ["210987654321"]
    assert copy.attrs["created_at"] == "2026-11-24T03:21:44Z"
    assert cluster_copy.attrs["is_cross_region_copy"] is True and cluster_copy.attrs["public"] is True
    refs = {(r.source, r.type, r.target) for r in out.references}
    assert (copy.id, "snapshot_of", db("payments-db")) in refs  # the source instance, in its own region
    assert (cluster_copy.id, "snapshot_of", cluster("ledger")) in refs
    found = verdicts(out)
    assert status(found, "aws-rds-snapshot-not-public", cluster_copy.id) == "FAIL"
    assert status(found, "aws-rds-snapshot-not-public", copy.id) == "PASS"
    assert status(found, "aws-rds-snapshot-encrypted", copy.id) == "PASS"


def test_rules_judge_the_collected_estate(aws):
    _seed()
    out = _east()
    out.extend(_west())
    found = verdicts(out)
    assert status(found, "aws-rds-instance-encrypted", db("reports-db")) == "FAIL"
    assert status(found, "aws-rds-instance-encrypted", db("payments-db")) == "PASS"
    assert status(found, "aws-rds-instance-not-public", db("reports-db")) == "FAIL"
    assert status(found, "aws-rds-instance-multi-az", db("payments-db")) == "PASS"
    assert status(found, "aws-rds-instance-multi-az", db("reports-db")) == "FAIL"
    assert status(found, "aws-rds-instance-backup-retention", db("reports-db")) == "FAIL"
    assert status(found, "aws-rds-instance-cross-region-replica", db("payments-db")) == "PASS"
    assert status(found, "aws-rds-instance-cross-region-replica", db("reports-db")) == "FAIL"
    assert status(found, "aws-rds-instance-cross-region-backups", db("payments-db")) == "PASS"
    assert status(found, "aws-rds-instance-cross-region-backups", db("reports-db")) == "FAIL"
    assert status(found, "aws-rds-cluster-global-database", cluster("ledger")) == "PASS"
    assert status(found, "aws-rds-cluster-global-database", cluster("orders")) == "FAIL"
    assert status(found, "aws-rds-snapshot-not-public", f"arn:aws:rds:{EAST}:{ACCOUNT}:snapshot:reports-export") == "FAIL"
    assert status(found, "aws-rds-snapshot-not-public", f"arn:aws:rds:{EAST}:{ACCOUNT}:snapshot:payments-manual") == "PASS"


def test_denied_calls_are_gaps_and_not_assessed(aws):
    _seed()
    out = _east(
        DescribeDBInstanceAutomatedBackups=lambda p: Error("AccessDenied", "not authorized", 403),
        DescribeDBSnapshotAttributes=lambda p: Error("AccessDenied", "not authorized", 403)
        if p["DBSnapshotIdentifier"] == "reports-export" else None,
    )
    by_id = {r.id: r for r in out.resources}
    assert by_id[db("payments-db")].attrs["cross_region_automated_backup_regions"] is None
    exported_id = f"arn:aws:rds:{EAST}:{ACCOUNT}:snapshot:reports-export"
    assert by_id[exported_id].attrs["public"] is None
    gaps = {(g.operation, g.code, g.resource_id, g.kinds) for g in out.gaps}
    assert gaps == {("DescribeDBInstanceAutomatedBackups", "AccessDenied", None, ("aws.rds.db_instance",)),
                    ("DescribeDBSnapshotAttributes", "AccessDenied", exported_id, ("aws.rds.db_snapshot",))}
    found = verdicts(out)
    assert status(found, "aws-rds-snapshot-not-public", exported_id) == "NOT_ASSESSED"
    backups = found[("aws-rds-instance-cross-region-backups", db("payments-db"))]
    assert backups.status.value == "NOT_ASSESSED" and "AccessDenied" in backups.reason


def test_master_password_is_never_collected(aws):
    _seed()
    out = _east()
    assert PASSWORD not in json.dumps([(r.attrs, r.tags) for r in out.resources], default=str)


def test_cli_dumps_use_the_same_transforms():
    """`aws rds describe-db-instances` output: the instance's own replication list counts."""
    shapes = {d.key: d for d in rds.DUMPS}
    item = {"DBInstanceIdentifier": "payments-db", "DBInstanceArn": db("payments-db"), "Engine": "postgres",
            "StorageEncrypted": True, "DBInstanceAutomatedBackupsReplications": [
                {"DBInstanceAutomatedBackupsArn": f"arn:aws:rds:us-west-2:{ACCOUNT}:auto-backup:ab-1"}]}
    record = shapes["DBInstances"].to_record(item, ACCOUNT, EAST)
    assert record.shape.attrs["cross_region_automated_backup_regions"] == ["us-west-2"]
    bare = shapes["DBInstances"].to_record({"DBInstanceIdentifier": "x"}, ACCOUNT, EAST)
    assert bare.shape.attrs["cross_region_automated_backup_regions"] is None  # not seen, not "none"
    global_db = shapes["GlobalClusters"].to_record(_global_cluster_item(), ACCOUNT, EAST)
    assert global_db.region == "us-west-2" and global_db.shape.attrs["writer_region"] == "us-west-2"


def _global_cluster_item() -> dict:
    return {"GlobalClusterIdentifier": "g1", "GlobalClusterArn": f"arn:aws:rds::{ACCOUNT}:global-cluster:g1",
            "Engine": "aurora-mysql", "GlobalClusterMembers": [
                {"DBClusterArn": f"arn:aws:rds:us-west-2:{ACCOUNT}:cluster:a", "IsWriter": True},
                {"DBClusterArn": f"arn:aws:rds:{EAST}:{ACCOUNT}:cluster:b", "IsWriter": False}]}
