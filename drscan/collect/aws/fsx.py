"""FSx file systems in one region (Windows, Lustre, ONTAP, OpenZFS): deployment type (Multi-AZ,
scratch), automatic backup retention, copy tags to backups, KMS key, Windows audit logging."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws_data import fsx_file_system

KIND = "aws.fsx.file_system"

OPERATIONS = {"fsx:DescribeFileSystems": "fsx:DescribeFileSystems"}


def file_system_record(item: dict, account: str, region: str) -> Record:
    fs_id = item["FileSystemId"]
    tags = tags_of(item.get("Tags"))
    return Record(kind=KIND, id=item.get("ResourceARN") or f"arn:aws:fsx:{region}:{account}:file-system/{fs_id}",
                  name=tags.get("Name") or fs_id, shape=fsx_file_system(item, {}, account, region), region=region, tags=tags)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("fsx")
    for item in ctx.pages(client, "DescribeFileSystems", "FileSystems", kinds=(KIND,)) or []:
        ctx.add(file_system_record(item, ctx.account, ctx.region), "fsx:DescribeFileSystems")


# EFS also prints {"FileSystems": [...]}; only FSx items carry FileSystemType.
DUMPS = (DumpShape(key="FileSystems", item_field="FileSystemType", to_record=file_system_record),)

SPEC = ServiceSpec(name="fsx", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
