"""EFS file systems in one region: encryption, One Zone placement, the automatic backup policy
and cross-region replication (as source or destination)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws import efs_file_system

KIND = "aws.efs.file_system"

OPERATIONS = {
    "efs:DescribeFileSystems": "elasticfilesystem:DescribeFileSystems",
    "efs:DescribeBackupPolicy": "elasticfilesystem:DescribeBackupPolicy",
    "efs:DescribeReplicationConfigurations": "elasticfilesystem:DescribeReplicationConfigurations",
}

NO_BACKUP_POLICY = {"PolicyNotFound"}
NO_REPLICATION = {"ReplicationNotFound"}


def file_system_arn(file_system_id: str, account: str, region: str) -> str:
    return f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{file_system_id}"


def file_system_record(item: dict, account: str, region: str, backup_policy: dict | None = None,
                       replications: list[dict] | None = None) -> Record:
    """`backup_policy`: DescribeBackupPolicy's answer ({} = no policy); `replications`: the
    region's replication configurations. Either None when not seen (attributes then None)."""
    fs_id = item["FileSystemId"]
    arn = item.get("FileSystemArn") or file_system_arn(fs_id, account, region)
    conf = dict(item)
    if backup_policy is not None:
        conf["BackupPolicy"] = backup_policy.get("BackupPolicy") or {"Status": "DISABLED"}
    outgoing = [d for r in replications or [] if r.get("SourceFileSystemId") == fs_id for d in r.get("Destinations") or []]
    incoming = [r for r in replications or [] if any(d.get("FileSystemId") == fs_id for d in r.get("Destinations") or [])]
    conf["ReplicationConfiguration"] = {"Destinations": outgoing}
    shape = efs_file_system(conf, {}, account, region)
    shape.attrs.update(
        name=item.get("Name"),
        state=item.get("LifeCycleState"),
        replication_overwrite_protection=(item.get("FileSystemProtection") or {}).get("ReplicationOverwriteProtection"),
        replication_source_arn=incoming[0].get("SourceFileSystemArn") if incoming else None,
    )
    if backup_policy is None:
        shape.attrs["backup_policy_status"] = None
    if replications is None:
        shape.attrs["replication_regions"] = None
        shape.attrs["replication_source_arn"] = None
    for destination in outgoing:
        if destination.get("FileSystemId") and destination.get("Region"):
            # The API names the destination by id and region; same-account replication assumed.
            shape.ref("replicates_to", file_system_arn(destination["FileSystemId"], account, destination["Region"]))
    return Record(kind=KIND, id=arn, name=item.get("Name") or fs_id, shape=shape, region=region,
                  tags=tags_of(item.get("Tags")))


def file_system_listing_record(item: dict, account: str, region: str) -> Record:
    return file_system_record(item, account, region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("efs")
    file_systems = ctx.pages(client, "DescribeFileSystems", "FileSystems", kinds=(KIND,))
    if not file_systems:
        return
    # Without FileSystemId the call lists every replication configuration of the region.
    replications = ctx.pages(client, "DescribeReplicationConfigurations", "Replications", kinds=(KIND,),
                             absent=NO_REPLICATION)
    for item in file_systems:
        arn = item.get("FileSystemArn") or file_system_arn(item["FileSystemId"], ctx.account, ctx.region)
        policy = ctx.call(client, "DescribeBackupPolicy", kinds=(KIND,), resource_id=arn, absent=NO_BACKUP_POLICY,
                          FileSystemId=item["FileSystemId"])
        ctx.add(file_system_record(item, ctx.account, ctx.region, policy, replications), "efs:DescribeFileSystems")


DUMPS = (DumpShape(key="FileSystems", item_field="FileSystemId", to_record=file_system_listing_record),)

SPEC = ServiceSpec(name="efs", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
