"""Security Hub in one region: whether the account is subscribed and which standards are
enabled. A region where Security Hub is not enabled is recorded as such (enabled false)."""

from __future__ import annotations

from drscan.collect.aws.base import Record, ServiceSpec, TaskContext
from drscan.normalize.aws_governance import securityhub_hub

KIND = "aws.securityhub.hub"

OPERATIONS = {
    "securityhub:DescribeHub": "securityhub:DescribeHub",
    "securityhub:GetEnabledStandards": "securityhub:GetEnabledStandards",
}

# Security Hub answers "not subscribed" with these codes: a fact, not a gap.
NOT_ENABLED = {"InvalidAccessException", "ResourceNotFoundException"}


def hub_record(item: dict, account: str, region: str, standards: list | None = None) -> Record:
    supp = {"StandardsSubscriptions": standards} if standards is not None else {}
    conf = dict(item) if item else {"Enabled": False}
    return Record(kind=KIND, id=item.get("HubArn") or f"arn:aws:securityhub:{region}:{account}:hub/default",
                  name=f"Security Hub {region}", shape=securityhub_hub(conf, supp, account, region), region=region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("securityhub")
    hub = ctx.call(client, "DescribeHub", kinds=(KIND,), absent=NOT_ENABLED)
    if hub is None:
        return
    standards = None
    if hub:
        standards = ctx.pages(client, "GetEnabledStandards", "StandardsSubscriptions", kinds=(KIND,),
                              resource_id=hub.get("HubArn"))
    ctx.add(hub_record({k: v for k, v in hub.items() if k != "ResponseMetadata"}, ctx.account, ctx.region, standards),
            "securityhub:DescribeHub")


SPEC = ServiceSpec(name="securityhub", collect=collect, operations=OPERATIONS, kinds=(KIND,))
