"""OpenSearch Service domains in one region: encryption at rest and node to node, HTTPS only,
zone awareness, dedicated masters, audit and error logs, fine-grained access, VPC placement
(DescribeDomains reads up to five domains a call)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_data import opensearch_domain

KIND = "aws.opensearch.domain"

OPERATIONS = {
    "opensearch:ListDomainNames": "es:ListDomainNames",
    "opensearch:DescribeDomains": "es:DescribeDomains",
}
BATCH = 5  # DescribeDomains' limit


def domain_record(item: dict, account: str, region: str) -> Record:
    name = item["DomainName"]
    return Record(kind=KIND, id=item.get("ARN") or f"arn:aws:es:{region}:{account}:domain/{name}", name=name,
                  shape=opensearch_domain(item, {}, account, region), region=region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("opensearch")
    listed = ctx.call(client, "ListDomainNames", kinds=(KIND,))
    names = [d["DomainName"] for d in (listed or {}).get("DomainNames") or []]
    for start in range(0, len(names), BATCH):
        answer = ctx.call(client, "DescribeDomains", kinds=(KIND,), DomainNames=names[start:start + BATCH])
        for item in (answer or {}).get("DomainStatusList") or []:
            ctx.add(domain_record(item, ctx.account, ctx.region), "opensearch:DescribeDomains")


DUMPS = (DumpShape(key="DomainStatusList", item_field="DomainName", to_record=domain_record),)

SPEC = ServiceSpec(name="opensearch", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
