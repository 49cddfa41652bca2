"""CloudFront distributions, once per account: origin failover groups (does the default
behaviour target a group?), viewer protocol and TLS policy, WAF web ACL, and standard logging
(GetDistributionConfig per distribution: the listing omits Logging)."""

from __future__ import annotations

from drscan.collect.aws.base import GLOBAL, DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_edge import cloudfront_distribution

KIND = "aws.cloudfront.distribution"

OPERATIONS = {
    "cloudfront:ListDistributions": "cloudfront:ListDistributions",
    "cloudfront:GetDistributionConfig": "cloudfront:GetDistributionConfig",
}


def distribution_record(item: dict, account: str, region: str, config: dict | None = None) -> Record:
    """`config`: GetDistributionConfig's DistributionConfig; None when not seen (logging unknown)."""
    merged = dict(item)
    if config is not None:
        merged["DistributionConfig"] = {**config, "WebACLId": config.get("WebACLId", item.get("WebACLId")),
                                        "OriginGroups": config.get("OriginGroups", item.get("OriginGroups"))}
    shape = cloudfront_distribution(merged, {}, account, region)
    arn = item.get("ARN") or f"arn:aws:cloudfront::{account}:distribution/{item['Id']}"
    return Record(kind=KIND, id=arn, name=item.get("DomainName") or item["Id"], shape=shape, region=GLOBAL)


def distribution_listing_record(item: dict, account: str, region: str) -> Record:
    return distribution_record(item, account, region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("cloudfront")
    for item in ctx.pages(client, "ListDistributions", "DistributionList.Items", kinds=(KIND,)) or []:
        arn = item.get("ARN") or f"arn:aws:cloudfront::{ctx.account}:distribution/{item['Id']}"
        answer = ctx.call(client, "GetDistributionConfig", kinds=(KIND,), resource_id=arn, Id=item["Id"])
        config = (answer or {}).get("DistributionConfig") if answer is not None else None
        ctx.add(distribution_record(item, ctx.account, ctx.region, config), "cloudfront:ListDistributions")


# `aws cloudfront list-distributions` prints {"DistributionList": {"Items": [...]}}; the importer
# reads the Items list when handed that inner object.
DUMPS = (DumpShape(key="Items", item_field="DomainName", to_record=distribution_listing_record),)

SPEC = ServiceSpec(name="cloudfront", collect=collect, operations=OPERATIONS, kinds=(KIND,), scope=GLOBAL, dumps=DUMPS)
