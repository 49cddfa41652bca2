"""Amazon DocumentDB clusters in one region (the RDS API, filtered to engine docdb): encryption,
backup retention, deletion protection, instances in more than one zone, audit log export."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_data import document_cluster

KIND = "aws.docdb.cluster"
ENGINE = "docdb"

# DocumentDB's API is RDS's: the IAM actions are rds:*.
OPERATIONS = {"docdb:DescribeDBClusters": "rds:DescribeDBClusters"}


def cluster_record(item: dict, account: str, region: str, kind: str = KIND) -> Record:
    identifier = item["DBClusterIdentifier"]
    return Record(kind=kind, id=item.get("DBClusterArn") or f"arn:aws:rds:{region}:{account}:cluster:{identifier}",
                  name=identifier, shape=document_cluster(item, {}, account, region), region=region)


def collect_engine(ctx: TaskContext, service: str, engine: str, kind: str) -> None:
    client = ctx.client(service)
    for item in ctx.pages(client, "DescribeDBClusters", "DBClusters", kinds=(kind,),
                          Filters=[{"Name": "engine", "Values": [engine]}]) or []:
        if item.get("Engine") == engine:  # the filter is the API's; check it held
            ctx.add(cluster_record(item, ctx.account, ctx.region, kind), f"{service}:DescribeDBClusters")


def collect(ctx: TaskContext) -> None:
    collect_engine(ctx, "docdb", ENGINE, KIND)


SPEC = ServiceSpec(name="docdb", collect=collect, operations=OPERATIONS, kinds=(KIND,))
