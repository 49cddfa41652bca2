"""RDS in one region: DB instances (cross-region replicas, automated backups replicated to
other regions), clusters and the Aurora global databases they belong to, and DB and cluster
snapshots including cross-region copies and who may restore them."""

from __future__ import annotations

from typing import Any, Iterable

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws import (arn_account, arn_region, kms_arn, rds_arn, rds_db_cluster, rds_db_instance,
                                  rds_db_snapshot, snapshot_restore_grants)
from drscan.normalize.lookup import UNSEEN, as_bool, as_int, derive, iso_time, need_list
from drscan.normalize.shape import Shape

INSTANCE = "aws.rds.db_instance"
CLUSTER = "aws.rds.db_cluster"
GLOBAL_CLUSTER = "aws.rds.global_cluster"
SNAPSHOT = "aws.rds.db_snapshot"
CLUSTER_SNAPSHOT = "aws.rds.db_cluster_snapshot"
KINDS = (INSTANCE, CLUSTER, GLOBAL_CLUSTER, SNAPSHOT, CLUSTER_SNAPSHOT)

OPERATIONS = {
    "rds:DescribeDBInstances": "rds:DescribeDBInstances",
    "rds:DescribeDBInstanceAutomatedBackups": "rds:DescribeDBInstanceAutomatedBackups",
    "rds:DescribeDBClusters": "rds:DescribeDBClusters",
    "rds:DescribeGlobalClusters": "rds:DescribeGlobalClusters",
    "rds:DescribeDBSnapshots": "rds:DescribeDBSnapshots",
    "rds:DescribeDBSnapshotAttributes": "rds:DescribeDBSnapshotAttributes",
    "rds:DescribeDBClusterSnapshots": "rds:DescribeDBClusterSnapshots",
    "rds:DescribeDBClusterSnapshotAttributes": "rds:DescribeDBClusterSnapshotAttributes",
}

AUTOMATED = "automated"  # RDS cannot share automated snapshots: no attribute call needed


def _other_regions(arns: Iterable[Any], region: str) -> list[str]:
    return sorted({arn_region(a) for a in arns if arn_region(a) and arn_region(a) != region})


def global_cluster_arn(identifier: str, account: str) -> str:
    return identifier if identifier.startswith("arn:") else f"arn:aws:rds::{account}:global-cluster:{identifier}"


# -- transforms ---------------------------------------------------------------------------------

def _backup_replications(item: dict) -> list[str]:
    return [r["DBInstanceAutomatedBackupsArn"] for r in item.get("DBInstanceAutomatedBackupsReplications") or []
            if r.get("DBInstanceAutomatedBackupsArn")]


def _backup_instance_arn(backup: dict, account: str, region: str) -> str | None:
    return backup.get("DBInstanceArn") or rds_arn(backup.get("DBInstanceIdentifier"), account, backup.get("Region") or region)


def instance_record(item: dict, account: str, region: str, automated_backups: list[dict] | None = None) -> Record:
    """`automated_backups`: the region's DescribeDBInstanceAutomatedBackups answer, or None
    when not seen (then only the instance's own replication list counts)."""
    identifier = item["DBInstanceIdentifier"]
    arn = item.get("DBInstanceArn") or rds_arn(identifier, account, region)
    shape = rds_db_instance(item, {}, account, region)
    replicated = _backup_replications(item)
    if automated_backups is not None:
        for backup in automated_backups:
            if _backup_instance_arn(backup, account, region) == arn:
                replicated += _backup_replications(backup)
    shape.attrs.update(
        status=item.get("DBInstanceStatus"),
        cross_region_replica_regions=derive(shape.attrs.get("read_replica_ids", UNSEEN), lambda ids: _other_regions(ids, region)),
        cross_region_automated_backup_regions=(_other_regions(replicated, region)
                                               if automated_backups is not None or replicated else None),
    )
    return Record(kind=INSTANCE, id=arn, name=identifier, shape=shape, region=region, tags=tags_of(item.get("TagList")))


def instance_listing_record(item: dict, account: str, region: str) -> Record:
    return instance_record(item, account, region)


def _global_membership(arn: str, item: dict, account: str,
                       global_clusters: list[dict] | None) -> tuple[str | None, list[str] | None]:
    """(global cluster ARN, regions of all its members) for a cluster; (None, []) when it is in
    no global database; regions None when the global databases could not be read."""
    for candidate in global_clusters or []:
        members = [m.get("DBClusterArn") for m in candidate.get("GlobalClusterMembers") or []]
        if arn in members:
            gid = candidate.get("GlobalClusterArn") or global_cluster_arn(candidate["GlobalClusterIdentifier"], account)
            return gid, sorted({arn_region(m) for m in members if arn_region(m)})
    declared = item.get("GlobalClusterIdentifier")
    if declared:  # DescribeDBClusters names the membership; the regions need DescribeGlobalClusters
        return global_cluster_arn(declared, account), None
    return None, []


def cluster_record(item: dict, account: str, region: str, global_clusters: list[dict] | None = None) -> Record:
    identifier = item["DBClusterIdentifier"]
    arn = item.get("DBClusterArn") or rds_arn(identifier, account, region, "cluster")
    shape = rds_db_cluster(item, {}, account, region)
    global_id, global_regions = _global_membership(arn, item, account, global_clusters)
    shape.attrs.update(
        status=item.get("Status"),
        global_cluster_id=global_id,
        global_cluster_regions=global_regions,
        cross_region_replica_regions=derive(need_list(item, "ReadReplicaIdentifiers"), lambda ids: _other_regions(ids, region)),
    )
    shape.ref("member_of", global_id)
    return Record(kind=CLUSTER, id=arn, name=identifier, shape=shape, region=region, tags=tags_of(item.get("TagList")))


OTHER_ENGINES = {"docdb": "aws.docdb.cluster", "neptune": "aws.neptune.cluster"}


def cluster_listing_record(item: dict, account: str, region: str) -> Record:
    if item.get("Engine") in OTHER_ENGINES:
        from drscan.collect.aws.docdb import cluster_record as document_cluster_record

        return document_cluster_record(item, account, region, OTHER_ENGINES[item["Engine"]])
    return cluster_record(item, account, region)


def _members(item: dict) -> list[dict]:
    return [{"cluster_arn": m["DBClusterArn"], "region": arn_region(m["DBClusterArn"]), "writer": bool(m.get("IsWriter"))}
            for m in item.get("GlobalClusterMembers") or [] if m.get("DBClusterArn")]


def global_cluster_record(item: dict, account: str, region: str) -> Record:
    identifier = item["GlobalClusterIdentifier"]
    members = _members(item)
    regions = sorted({m["region"] for m in members if m["region"]})
    writer = next((m["region"] for m in members if m["writer"]), None)
    shape = Shape(attrs=dict(
        identifier=identifier,
        engine=item.get("Engine"),
        status=item.get("Status"),
        storage_encrypted=as_bool(item.get("StorageEncrypted")),
        deletion_protection=as_bool(item.get("DeletionProtection")),
        members=members,
        regions=regions,
        region_count=len(regions),
        writer_region=writer,
    ))
    return Record(kind=GLOBAL_CLUSTER, id=item.get("GlobalClusterArn") or global_cluster_arn(identifier, account),
                  name=identifier, shape=shape, region=writer or region, tags=tags_of(item.get("TagList")))


def global_cluster_home(item: dict, scanned: tuple[str, ...]) -> str | None:
    """The one scanned region whose task reports this global database: the writer's region if
    scanned, else the first scanned member region (DescribeGlobalClusters answers in each)."""
    members = _members(item)
    if not members:
        return scanned[0] if scanned else None
    writer = next((m["region"] for m in members if m["writer"]), None)
    if writer in scanned:
        return writer
    return next((r for r in scanned if r in {m["region"] for m in members}), None)


def _drop_unknown_source(shape: Shape, relation: str, known: set[str] | None, region: str) -> None:
    """A snapshot outlives its database: when the region's listing is known and the source is
    not in it, keep the id in the attributes but draw no edge to nothing."""
    if known is None:
        return
    shape.refs[:] = [(r, t) for r, t in shape.refs
                     if r != relation or arn_region(t) != region or t in known]


def snapshot_record(item: dict, account: str, region: str, attributes: list | None = None,
                    instances: set[str] | None = None) -> Record:
    """`attributes`: DescribeDBSnapshotAttributes' list, [] for automated snapshots (never
    shareable), None when not seen."""
    if attributes is None and item.get("SnapshotType") == AUTOMATED:
        attributes = []
    shape = rds_db_snapshot(item, {"DBSnapshotAttributes": attributes} if attributes is not None else {}, account, region)
    _drop_unknown_source(shape, "snapshot_of", instances, region)
    identifier = item["DBSnapshotIdentifier"]
    return Record(kind=SNAPSHOT, id=item.get("DBSnapshotArn") or f"arn:aws:rds:{region}:{account}:snapshot:{identifier}",
                  name=identifier, shape=shape, region=region, tags=tags_of(item.get("TagList")))


def snapshot_listing_record(item: dict, account: str, region: str) -> Record:
    return snapshot_record(item, account, region)


def cluster_snapshot_record(item: dict, account: str, region: str, attributes: list | None = None,
                            clusters: set[str] | None = None) -> Record:
    if attributes is None and item.get("SnapshotType") == AUTOMATED:
        attributes = []
    identifier = item["DBClusterSnapshotIdentifier"]
    source = item.get("SourceDBClusterSnapshotArn")
    source_region = arn_region(source) or None
    grants = snapshot_restore_grants(attributes)
    shape = Shape(attrs=dict(
        identifier=identifier,
        snapshot_type=item.get("SnapshotType"),
        created_at=iso_time(item.get("SnapshotCreateTime")),
        encrypted=as_bool(item.get("StorageEncrypted")),
        kms_key_id=item.get("KmsKeyId"),
        engine=item.get("Engine"),
        source_snapshot=source,
        source_region=source_region,
        is_cross_region_copy=bool(source_region) and source_region != region,
        allocated_storage_gb=as_int(item.get("AllocatedStorage")),
        public=None if grants is None else derive(grants, lambda found: "all" in found),
        shared_with_accounts=None if grants is None else derive(grants, lambda found: sorted(g for g in found if g != "all")),
    ))
    shape.ref("snapshot_of", rds_arn(item.get("DBClusterIdentifier"), arn_account(source) or account,
                                     source_region or region, "cluster"))
    shape.ref("encrypted_by", kms_arn(item.get("KmsKeyId"), account, region))
    _drop_unknown_source(shape, "snapshot_of", clusters, region)
    return Record(kind=CLUSTER_SNAPSHOT,
                  id=item.get("DBClusterSnapshotArn") or f"arn:aws:rds:{region}:{account}:cluster-snapshot:{identifier}",
                  name=identifier, shape=shape, region=region, tags=tags_of(item.get("TagList")))


def cluster_snapshot_listing_record(item: dict, account: str, region: str) -> Record:
    return cluster_snapshot_record(item, account, region)


# -- collection ---------------------------------------------------------------------------------

def _instances(ctx: TaskContext, client: Any) -> set[str] | None:
    instances = ctx.pages(client, "DescribeDBInstances", "DBInstances", kinds=(INSTANCE,))
    if instances is None:
        return None
    backups = None
    if any(not i.get("DBClusterIdentifier") for i in instances):  # Aurora members keep no instance backups
        backups = ctx.pages(client, "DescribeDBInstanceAutomatedBackups", "DBInstanceAutomatedBackups", kinds=(INSTANCE,))
    arns = set()
    for item in instances:
        record = instance_record(item, ctx.account, ctx.region, backups)
        arns.add(ctx.add(record, "rds:DescribeDBInstances").id)
    return arns


def _clusters(ctx: TaskContext, client: Any) -> set[str] | None:
    clusters = ctx.pages(client, "DescribeDBClusters", "DBClusters", kinds=(CLUSTER,))
    if clusters is None:
        return None
    # DocumentDB and Neptune share this API; their own service modules collect them.
    clusters = [c for c in clusters if c.get("Engine") not in OTHER_ENGINES]
    global_clusters = None
    if any(c.get("GlobalClusterIdentifier") for c in clusters):
        global_clusters = ctx.pages(client, "DescribeGlobalClusters", "GlobalClusters", kinds=(GLOBAL_CLUSTER, CLUSTER))
        scanned = tuple(ctx.task.regions) or (ctx.region,)
        for item in global_clusters or []:
            if global_cluster_home(item, scanned) == ctx.region:
                ctx.add(global_cluster_record(item, ctx.account, ctx.region), "rds:DescribeGlobalClusters")
    return {ctx.add(cluster_record(c, ctx.account, ctx.region, global_clusters), "rds:DescribeDBClusters").id
            for c in clusters}


def _restore_attributes(ctx: TaskContext, client: Any, operation: str, result_key: str, list_key: str, kind: str,
                        arn: str, **params: Any) -> list | None:
    answer = ctx.call(client, operation, kinds=(kind,), resource_id=arn, **params)
    return None if answer is None else (answer.get(result_key) or {}).get(list_key) or []


def collect(ctx: TaskContext) -> None:
    client = ctx.client("rds")
    instances = _instances(ctx, client)
    clusters = _clusters(ctx, client)

    def instance_attributes(item: dict) -> list | None:
        if item.get("SnapshotType") == AUTOMATED:
            return None
        return _restore_attributes(ctx, client, "DescribeDBSnapshotAttributes", "DBSnapshotAttributesResult",
                                   "DBSnapshotAttributes", SNAPSHOT, item.get("DBSnapshotArn", ""),
                                   DBSnapshotIdentifier=item["DBSnapshotIdentifier"])

    def cluster_attributes(item: dict) -> list | None:
        if item.get("SnapshotType") == AUTOMATED:
            return None
        return _restore_attributes(ctx, client, "DescribeDBClusterSnapshotAttributes",
                                   "DBClusterSnapshotAttributesResult", "DBClusterSnapshotAttributes",
                                   CLUSTER_SNAPSHOT, item.get("DBClusterSnapshotArn", ""),
                                   DBClusterSnapshotIdentifier=item["DBClusterSnapshotIdentifier"])

    # Manual snapshots' restore attributes: one call each, read concurrently.
    snapshots = ctx.pages(client, "DescribeDBSnapshots", "DBSnapshots", kinds=(SNAPSHOT,)) or []
    for item, attributes in zip(snapshots, ctx.each(instance_attributes, snapshots)):
        ctx.add(snapshot_record(item, ctx.account, ctx.region, attributes, instances), "rds:DescribeDBSnapshots")
    snapshots = ctx.pages(client, "DescribeDBClusterSnapshots", "DBClusterSnapshots", kinds=(CLUSTER_SNAPSHOT,)) or []
    for item, attributes in zip(snapshots, ctx.each(cluster_attributes, snapshots)):
        ctx.add(cluster_snapshot_record(item, ctx.account, ctx.region, attributes, clusters), "rds:DescribeDBClusterSnapshots")


DUMPS = (
    DumpShape(key="DBInstances", item_field="DBInstanceIdentifier", to_record=instance_listing_record),
    DumpShape(key="DBClusters", item_field="DBClusterIdentifier", to_record=cluster_listing_record),
    DumpShape(key="GlobalClusters", item_field="GlobalClusterIdentifier", to_record=global_cluster_record),
    DumpShape(key="DBSnapshots", item_field="DBSnapshotIdentifier", to_record=snapshot_listing_record),
    DumpShape(key="DBClusterSnapshots", item_field="DBClusterSnapshotIdentifier", to_record=cluster_snapshot_listing_record),
)

SPEC = ServiceSpec(name="rds", collect=collect, operations=OPERATIONS, kinds=KINDS, dumps=DUMPS, reads_each=True)
