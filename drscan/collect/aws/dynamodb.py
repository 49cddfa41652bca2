"""DynamoDB tables in one region: encryption, point-in-time recovery, deletion protection,
global-table replicas and tags."""

from __future__ import annotations

from typing import Any

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws import dynamodb_table

KIND = "aws.dynamodb.table"

OPERATIONS = {
    "dynamodb:ListTables": "dynamodb:ListTables",
    "dynamodb:DescribeTable": "dynamodb:DescribeTable",
    "dynamodb:DescribeContinuousBackups": "dynamodb:DescribeContinuousBackups",
    "dynamodb:ListTagsOfResource": "dynamodb:ListTagsOfResource",
    # every table's tags in a few calls; ListTagsOfResource per table when it cannot be read
    "resourcegroupstaggingapi:GetResources": "tag:GetResources",
}

TAGGING_TYPE = "dynamodb:table"  # the Resource Groups Tagging API's name for tables
GONE = {"ResourceNotFoundException"}  # deleted between ListTables and the next call


def table_record(table: dict, account: str, region: str, backups: dict | None = None,
                 tags: list | None = None) -> Record:
    """`backups`: DescribeContinuousBackups' answer, None when not seen (PITR then unknown)."""
    supp = {"ContinuousBackupsDescription": backups.get("ContinuousBackupsDescription") or {}} if backups is not None else {}
    name = table["TableName"]
    arn = table.get("TableArn") or f"arn:aws:dynamodb:{region}:{account}:table/{name}"
    return Record(kind=KIND, id=arn, name=name, shape=dynamodb_table(table, supp, account, region), region=region,
                  tags=tags_of(tags))


def table_dump_record(table: dict, account: str, region: str) -> Record:
    return table_record(table, account, region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("dynamodb")
    names = ctx.pages(client, "ListTables", "TableNames", kinds=(KIND,)) or []
    tags = ctx.tags_by_arn(TAGGING_TYPE) if names else None
    for record in ctx.each(lambda name: read_table(ctx, client, name, tags), names):  # tables read concurrently
        if record is not None:
            ctx.add(record, "dynamodb:DescribeTable")


def read_table(ctx: TaskContext, client: Any, name: str, tags_by_arn: dict[str, list] | None = None) -> Record | None:
    """One table's description, continuous backups and tags (None: deleted meanwhile, or a gap).
    Tags come from the region's bulk read when there is one (absent there: never tagged)."""
    arn = f"arn:aws:dynamodb:{ctx.region}:{ctx.account}:table/{name}"
    described = ctx.call(client, "DescribeTable", kinds=(KIND,), resource_id=arn, absent=GONE, TableName=name)
    if not described:  # deleted meanwhile ({}), or a gap was recorded (None)
        return None
    table = described["Table"]
    arn = table.get("TableArn") or arn
    backups = ctx.call(client, "DescribeContinuousBackups", kinds=(KIND,), resource_id=arn, TableName=name)
    if tags_by_arn is not None:
        tags = tags_by_arn.get(arn, [])
    else:
        tags = ctx.pages(client, "ListTagsOfResource", "Tags", kinds=(KIND,), resource_id=arn, ResourceArn=arn)
    return table_record(table, ctx.account, ctx.region, backups, tags)


# `aws dynamodb describe-table` prints one {"Table": {...}} object, not a list.
DUMPS = (DumpShape(key="Table", item_field="TableName", to_record=table_dump_record),)

SPEC = ServiceSpec(name="dynamodb", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS, reads_each=True)
