"""EKS clusters in one region: name, ARN, endpoint, version, control-plane logging, VPC config
(endpoint access and CIDRs) and envelope encryption of Kubernetes secrets. The kind and these
attributes are what the Kubernetes collector links its clusters to."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws_edge import eks_cluster

KIND = "aws.eks.cluster"

OPERATIONS = {
    "eks:ListClusters": "eks:ListClusters",
    "eks:DescribeCluster": "eks:DescribeCluster",
}

GONE = {"ResourceNotFoundException"}


def cluster_record(item: dict, account: str, region: str) -> Record:
    name = item["name"]
    return Record(kind=KIND, id=item.get("arn") or f"arn:aws:eks:{region}:{account}:cluster/{name}", name=name,
                  shape=eks_cluster(item, {}, account, region), region=region, tags=tags_of(item.get("tags")))


def collect(ctx: TaskContext) -> None:
    client = ctx.client("eks")
    for name in ctx.pages(client, "ListClusters", "clusters", kinds=(KIND,)) or []:
        arn = f"arn:aws:eks:{ctx.region}:{ctx.account}:cluster/{name}"
        described = ctx.call(client, "DescribeCluster", kinds=(KIND,), resource_id=arn, absent=GONE, name=name)
        if described:
            ctx.add(cluster_record(described["cluster"], ctx.account, ctx.region), "eks:DescribeCluster")


# `aws eks describe-cluster` prints {"cluster": {...}}.
DUMPS = (DumpShape(key="cluster", item_field="endpoint", to_record=cluster_record),)

SPEC = ServiceSpec(name="eks", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
