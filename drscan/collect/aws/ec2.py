"""EC2 and EBS in one region: instances, volumes, the account's own snapshots and AMIs,
security groups, and the region's EBS encryption-by-default setting."""

from __future__ import annotations

from typing import Any

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws import ec2_instance, ec2_volume, kms_arn
from drscan.normalize.aws_access import ec2_security_group
from drscan.normalize.aws_compute import root_device_facts, security_group_rule_counts, volume_device_facts
from drscan.normalize.lookup import as_bool, as_int, derive, iso_time, need_list
from drscan.normalize.shape import Shape

INSTANCE = "aws.ec2.instance"
VOLUME = "aws.ec2.volume"
SNAPSHOT = "aws.ec2.snapshot"
IMAGE = "aws.ec2.image"
SECURITY_GROUP = "aws.ec2.security_group"
ACCOUNT_SETTINGS = "aws.ec2.account_settings"
KINDS = (INSTANCE, VOLUME, SNAPSHOT, IMAGE, SECURITY_GROUP, ACCOUNT_SETTINGS)

OPERATIONS = {
    "ec2:DescribeInstances": "ec2:DescribeInstances",
    "ec2:DescribeVolumes": "ec2:DescribeVolumes",
    "ec2:DescribeSnapshots": "ec2:DescribeSnapshots",
    "ec2:DescribeImages": "ec2:DescribeImages",
    "ec2:DescribeSecurityGroups": "ec2:DescribeSecurityGroups",
    "ec2:GetEbsEncryptionByDefault": "ec2:GetEbsEncryptionByDefault",
    "ec2:GetEbsDefaultKmsKeyId": "ec2:GetEbsDefaultKmsKeyId",
}

# CopySnapshot and CreateImage leave this placeholder where the source volume would be.
NO_VOLUME = "vol-ffffffff"


def _name(item: dict, default: str) -> str:
    return tags_of(item.get("Tags")).get("Name") or default


def volume_arn(volume_id: str, account: str, region: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:volume/{volume_id}"


def snapshot_arn(snapshot_id: str, region: str) -> str:
    # EBS snapshot and AMI ARNs carry no account (as AWS Backup recovery points name them).
    return f"arn:aws:ec2:{region}::snapshot/{snapshot_id}"


def instance_record(item: dict, account: str, region: str) -> Record:
    shape = ec2_instance(item, {}, account, region)
    shape.attrs["security_group_ids"] = derive(need_list(item, "SecurityGroups"),
                                               lambda groups: [g["GroupId"] for g in groups if g.get("GroupId")])
    shape.attrs["launched_at"] = iso_time(item.get("LaunchTime"))
    shape.attrs.update(root_device_facts(item))
    instance_id = item["InstanceId"]
    return Record(kind=INSTANCE, id=f"arn:aws:ec2:{region}:{account}:instance/{instance_id}",
                  name=_name(item, instance_id), shape=shape, region=region, tags=tags_of(item.get("Tags")))


def reservation_records(item: dict, account: str, region: str) -> list[Record]:
    """DescribeInstances answers in reservations; terminated instances linger there for an hour."""
    return [instance_record(i, account, region) for i in item.get("Instances") or []
            if (i.get("State") or {}).get("Name") != "terminated"]


def volume_record(item: dict, account: str, region: str) -> Record:
    volume_id = item["VolumeId"]
    shape = ec2_volume(item, {}, account, region)
    shape.attrs["state"] = item.get("State")
    shape.attrs.update(volume_device_facts(item))
    return Record(kind=VOLUME, id=volume_arn(volume_id, account, region), name=_name(item, volume_id),
                  shape=shape, region=region, tags=tags_of(item.get("Tags")))


def snapshot_record(item: dict, account: str, region: str, public: bool | None = None,
                    volume_ids: set[str] | None = None) -> Record:
    """`public`: None when drscan could not see who may restore it. `volume_ids`: the region's
    volumes, when known, so a snapshot of a deleted volume does not point at nothing."""
    snapshot_id = item["SnapshotId"]
    volume_id = item.get("VolumeId")
    volume_id = None if volume_id in (None, "", NO_VOLUME) else volume_id
    shape = Shape(attrs=dict(
        volume_id=volume_id,
        source_volume_exists=None if volume_ids is None or volume_id is None else volume_id in volume_ids,
        created_at=iso_time(item.get("StartTime")),
        state=item.get("State"),
        encrypted=as_bool(item.get("Encrypted")),
        kms_key_id=item.get("KmsKeyId"),
        size_gb=as_int(item.get("VolumeSize")),
        storage_tier=item.get("StorageTier"),
        public=public,
    ))
    if volume_id and (volume_ids is None or volume_id in volume_ids):
        shape.ref("snapshot_of", volume_arn(volume_id, account, region))
    shape.ref("encrypted_by", kms_arn(item.get("KmsKeyId"), account, region))
    return Record(kind=SNAPSHOT, id=snapshot_arn(snapshot_id, region), name=_name(item, snapshot_id), shape=shape,
                  region=region, tags=tags_of(item.get("Tags")))


def snapshot_listing_record(item: dict, account: str, region: str) -> Record:
    return snapshot_record(item, account, region)


def image_record(item: dict, account: str, region: str) -> Record:
    image_id = item["ImageId"]
    ebs = [m["Ebs"] for m in item.get("BlockDeviceMappings") or [] if isinstance(m.get("Ebs"), dict)]
    snapshot_ids = [e["SnapshotId"] for e in ebs if e.get("SnapshotId")]
    shape = Shape(attrs=dict(
        image_name=item.get("Name"),
        created_at=iso_time(item.get("CreationDate")),
        state=item.get("State"),
        snapshot_ids=snapshot_ids,
        public=as_bool(item.get("Public")),
        encrypted=all(as_bool(e.get("Encrypted")) for e in ebs) if ebs else None,
        source_region=item.get("SourceImageRegion"),
    ))
    for snapshot_id in snapshot_ids:
        shape.ref("backed_by", snapshot_arn(snapshot_id, region))
    return Record(kind=IMAGE, id=f"arn:aws:ec2:{region}::image/{image_id}", name=item.get("Name") or image_id,
                  shape=shape, region=region, tags=tags_of(item.get("Tags")))


def security_group_record(item: dict, account: str, region: str) -> Record:
    group_id = item["GroupId"]
    return Record(kind=SECURITY_GROUP, id=f"arn:aws:ec2:{region}:{account}:security-group/{group_id}",
                  name=item.get("GroupName") or group_id, shape=security_group_shape(item, account, region),
                  region=region, tags=tags_of(item.get("Tags")))


def account_settings_record(account: str, region: str, by_default: dict | None, default_key: dict | None) -> Record:
    """The region's EBS defaults; a call that failed leaves its attribute None."""
    shape = Shape(attrs=dict(
        ebs_encryption_by_default=None if by_default is None else bool(as_bool(by_default.get("EbsEncryptionByDefault"))),
        ebs_default_kms_key_id=None if default_key is None else default_key.get("KmsKeyId"),
    ))
    return Record(kind=ACCOUNT_SETTINGS, id=f"arn:aws:ec2:{region}:{account}:account-settings",
                  name=f"EC2 settings {region}", shape=shape, region=region)


def _public_snapshot_ids(ctx: TaskContext, client: Any) -> set[str] | None:
    # One call instead of DescribeSnapshotAttribute per snapshot: "all" restorable = public.
    public = ctx.pages(client, "DescribeSnapshots", "Snapshots", kinds=(SNAPSHOT,), OwnerIds=["self"],
                       RestorableByUserIds=["all"])
    return None if public is None else {s["SnapshotId"] for s in public}


def security_group_shape(item: dict, account: str, region: str) -> Shape:
    shape = ec2_security_group(item, {}, account, region)
    shape.attrs.update(security_group_rule_counts(item))
    return shape


def collect(ctx: TaskContext) -> None:
    client = ctx.client("ec2")
    instances = [record for reservation in ctx.pages(client, "DescribeInstances", "Reservations", kinds=(INSTANCE,)) or []
                 for record in reservation_records(reservation, ctx.account, ctx.region)]
    volumes = ctx.pages(client, "DescribeVolumes", "Volumes", kinds=(VOLUME,))
    encrypted = None if volumes is None else {v["VolumeId"]: as_bool(v.get("Encrypted")) for v in volumes}
    for record in instances:
        root = record.shape.attrs.get("root_volume_id")
        # The root volume's encryption, from this region's volumes; None when they were not seen.
        record.shape.attrs["root_volume_encrypted"] = None if encrypted is None or not root else encrypted.get(root)
        ctx.add(record, "ec2:DescribeInstances")
    for volume in volumes or []:
        ctx.add(volume_record(volume, ctx.account, ctx.region), "ec2:DescribeVolumes")
    volume_ids = None if volumes is None else {v["VolumeId"] for v in volumes}
    snapshots = ctx.pages(client, "DescribeSnapshots", "Snapshots", kinds=(SNAPSHOT,), OwnerIds=["self"])
    if snapshots:
        public_ids = _public_snapshot_ids(ctx, client)
        for snapshot in snapshots:
            public = None if public_ids is None else snapshot["SnapshotId"] in public_ids
            ctx.add(snapshot_record(snapshot, ctx.account, ctx.region, public, volume_ids), "ec2:DescribeSnapshots")
    for image in ctx.pages(client, "DescribeImages", "Images", kinds=(IMAGE,), Owners=["self"]) or []:
        ctx.add(image_record(image, ctx.account, ctx.region), "ec2:DescribeImages")
    for group in ctx.pages(client, "DescribeSecurityGroups", "SecurityGroups", kinds=(SECURITY_GROUP,)) or []:
        ctx.add(security_group_record(group, ctx.account, ctx.region), "ec2:DescribeSecurityGroups")
    settings_id = f"arn:aws:ec2:{ctx.region}:{ctx.account}:account-settings"
    by_default = ctx.call(client, "GetEbsEncryptionByDefault", kinds=(ACCOUNT_SETTINGS,), resource_id=settings_id)
    default_key = ctx.call(client, "GetEbsDefaultKmsKeyId", kinds=(ACCOUNT_SETTINGS,), resource_id=settings_id)
    ctx.add(account_settings_record(ctx.account, ctx.region, by_default, default_key), "ec2:GetEbs*")


DUMPS = (
    DumpShape(key="Reservations", item_field="Instances", to_record=reservation_records),
    DumpShape(key="Volumes", item_field="VolumeId", to_record=volume_record),
    DumpShape(key="Snapshots", item_field="SnapshotId", to_record=snapshot_listing_record),
    DumpShape(key="Images", item_field="ImageId", to_record=image_record),
    DumpShape(key="SecurityGroups", item_field="GroupId", to_record=security_group_record),
)

SPEC = ServiceSpec(name="ec2", collect=collect, operations=OPERATIONS, kinds=KINDS, dumps=DUMPS)
