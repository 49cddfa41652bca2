"""MemoryDB clusters in one region: Multi-AZ availability, TLS, KMS key, snapshot retention and
multi-Region membership."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_data import memorydb_cluster

KIND = "aws.memorydb.cluster"

OPERATIONS = {"memorydb:DescribeClusters": "memorydb:DescribeClusters"}


def cluster_record(item: dict, account: str, region: str) -> Record:
    name = item["Name"]
    return Record(kind=KIND, id=item.get("ARN") or f"arn:aws:memorydb:{region}:{account}:cluster/{name}", name=name,
                  shape=memorydb_cluster(item, {}, account, region), region=region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("memorydb")
    for item in ctx.pages(client, "DescribeClusters", "Clusters", kinds=(KIND,), ShowShardDetails=True) or []:
        ctx.add(cluster_record(item, ctx.account, ctx.region), "memorydb:DescribeClusters")


DUMPS = (DumpShape(key="Clusters", item_field="ACLName", to_record=cluster_record),)

SPEC = ServiceSpec(name="memorydb", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
