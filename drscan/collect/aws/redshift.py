"""Redshift provisioned clusters in one region: encryption, public access, automated snapshot
retention, cross-region snapshot copy, Multi-AZ / relocation, and audit logging (one
DescribeLoggingStatus per cluster)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws_data import redshift_cluster

KIND = "aws.redshift.cluster"

OPERATIONS = {
    "redshift:DescribeClusters": "redshift:DescribeClusters",
    "redshift:DescribeLoggingStatus": "redshift:DescribeLoggingStatus",
}


def cluster_arn(identifier: str, account: str, region: str) -> str:
    return f"arn:aws:redshift:{region}:{account}:cluster:{identifier}"


def cluster_record(item: dict, account: str, region: str, logging: dict | None = None) -> Record:
    """`logging`: DescribeLoggingStatus' answer, None when not seen (logging_enabled then None)."""
    identifier = item["ClusterIdentifier"]
    supp = {"LoggingStatus": logging} if logging is not None else {}
    return Record(kind=KIND, id=cluster_arn(identifier, account, region), name=identifier,
                  shape=redshift_cluster(item, supp, account, region), region=region, tags=tags_of(item.get("Tags")))


def cluster_listing_record(item: dict, account: str, region: str) -> Record:
    return cluster_record(item, account, region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("redshift")
    for item in ctx.pages(client, "DescribeClusters", "Clusters", kinds=(KIND,)) or []:
        arn = cluster_arn(item["ClusterIdentifier"], ctx.account, ctx.region)
        logging = ctx.call(client, "DescribeLoggingStatus", kinds=(KIND,), resource_id=arn,
                           ClusterIdentifier=item["ClusterIdentifier"])
        ctx.add(cluster_record(item, ctx.account, ctx.region, logging), "redshift:DescribeClusters")


DUMPS = (DumpShape(key="Clusters", item_field="ClusterIdentifier", to_record=cluster_listing_record),)

SPEC = ServiceSpec(name="redshift", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
