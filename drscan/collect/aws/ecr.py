"""ECR repositories in one region: scan on push, tag immutability, encryption, and which other
regions and accounts the registry's replication rules copy each repository to (one
DescribeRegistry per region, only when it has repositories)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_data import ecr_replication, ecr_repository

KIND = "aws.ecr.repository"

OPERATIONS = {
    "ecr:DescribeRepositories": "ecr:DescribeRepositories",
    "ecr:DescribeRegistry": "ecr:DescribeRegistry",
}


def repository_record(item: dict, account: str, region: str, registry: dict | None = None) -> Record:
    """`registry`: DescribeRegistry's answer; None when not seen (replication attributes None)."""
    name = item["repositoryName"]
    shape = ecr_repository(item, {}, account, region)
    if registry is None:
        shape.attrs.update(replication_regions=None, replication_accounts=None)
    else:
        rules = (registry.get("replicationConfiguration") or {}).get("rules") or []
        regions, accounts = ecr_replication(rules, name, str(item.get("registryId") or account), region)
        shape.attrs.update(replication_regions=regions, replication_accounts=accounts)
    return Record(kind=KIND, id=item.get("repositoryArn") or f"arn:aws:ecr:{region}:{account}:repository/{name}",
                  name=name, shape=shape, region=region)


def repository_listing_record(item: dict, account: str, region: str) -> Record:
    return repository_record(item, account, region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("ecr")
    repositories = ctx.pages(client, "DescribeRepositories", "repositories", kinds=(KIND,))
    if not repositories:
        return
    registry = ctx.call(client, "DescribeRegistry", kinds=(KIND,))
    for item in repositories:
        ctx.add(repository_record(item, ctx.account, ctx.region, registry), "ecr:DescribeRepositories")


DUMPS = (DumpShape(key="repositories", item_field="repositoryName", to_record=repository_listing_record),)

SPEC = ServiceSpec(name="ecr", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
