"""ElastiCache in one region: replication groups (Multi-AZ, automatic failover, encryption,
snapshot retention, global datastore membership) and standalone cache clusters. An empty region
costs one call: replication groups are read only when a node belongs to one."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_data import elasticache_cluster, elasticache_replication_group

GROUP = "aws.elasticache.replication_group"
CLUSTER = "aws.elasticache.cluster"

OPERATIONS = {
    "elasticache:DescribeCacheClusters": "elasticache:DescribeCacheClusters",
    "elasticache:DescribeReplicationGroups": "elasticache:DescribeReplicationGroups",
}


def group_record(item: dict, account: str, region: str) -> Record:
    name = item["ReplicationGroupId"]
    return Record(kind=GROUP, id=item.get("ARN") or f"arn:aws:elasticache:{region}:{account}:replicationgroup:{name}",
                  name=name, shape=elasticache_replication_group(item, {}, account, region), region=region)


def cluster_record(item: dict, account: str, region: str) -> Record | None:
    """A node of a replication group is judged through its group, not on its own."""
    if item.get("ReplicationGroupId"):
        return None
    name = item["CacheClusterId"]
    return Record(kind=CLUSTER, id=item.get("ARN") or f"arn:aws:elasticache:{region}:{account}:cluster:{name}",
                  name=name, shape=elasticache_cluster(item, {}, account, region), region=region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("elasticache")
    clusters = ctx.pages(client, "DescribeCacheClusters", "CacheClusters", kinds=(CLUSTER, GROUP), ShowCacheNodeInfo=True)
    if not clusters:
        return
    for item in clusters:
        record = cluster_record(item, ctx.account, ctx.region)
        if record is not None:
            ctx.add(record, "elasticache:DescribeCacheClusters")
    if any(c.get("ReplicationGroupId") for c in clusters):
        for item in ctx.pages(client, "DescribeReplicationGroups", "ReplicationGroups", kinds=(GROUP,)) or []:
            ctx.add(group_record(item, ctx.account, ctx.region), "elasticache:DescribeReplicationGroups")


DUMPS = (
    DumpShape(key="ReplicationGroups", item_field="ReplicationGroupId", to_record=group_record),
    DumpShape(key="CacheClusters", item_field="CacheClusterId", to_record=cluster_record),
)

SPEC = ServiceSpec(name="elasticache", collect=collect, operations=OPERATIONS, kinds=(GROUP, CLUSTER), dumps=DUMPS)
