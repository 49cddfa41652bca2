"""Global Accelerator, once per account (its API lives in us-west-2): each accelerator with the
regions of its endpoint groups, endpoint health and flow logs."""

from __future__ import annotations

from drscan.collect.aws.base import GLOBAL, DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws_edge import globalaccelerator_accelerator

KIND = "aws.globalaccelerator.accelerator"

OPERATIONS = {
    "globalaccelerator:ListAccelerators": "globalaccelerator:ListAccelerators",
    "globalaccelerator:DescribeAcceleratorAttributes": "globalaccelerator:DescribeAcceleratorAttributes",
    "globalaccelerator:ListListeners": "globalaccelerator:ListListeners",
    "globalaccelerator:ListEndpointGroups": "globalaccelerator:ListEndpointGroups",
}
HOME = "us-west-2"  # the only region the Global Accelerator API answers in


def accelerator_record(item: dict, account: str, region: str, groups: list | None = None,
                       attributes: dict | None = None) -> Record:
    """`groups`: every endpoint group of the accelerator's listeners; None when not all were seen."""
    supp = {}
    if groups is not None:
        supp["EndpointGroups"] = groups
    if attributes is not None:
        supp["AcceleratorAttributes"] = attributes
    return Record(kind=KIND, id=item["AcceleratorArn"], name=item.get("Name") or item["AcceleratorArn"],
                  shape=globalaccelerator_accelerator(item, supp, account, region), region=GLOBAL,
                  tags=tags_of(item.get("Tags")))


def accelerator_listing_record(item: dict, account: str, region: str) -> Record:
    return accelerator_record(item, account, region)


def _endpoint_groups(ctx: TaskContext, client, arn: str) -> list | None:
    listeners = ctx.pages(client, "ListListeners", "Listeners", kinds=(KIND,), resource_id=arn, AcceleratorArn=arn)
    if listeners is None:
        return None
    groups: list = []
    for listener in listeners:
        found = ctx.pages(client, "ListEndpointGroups", "EndpointGroups", kinds=(KIND,), resource_id=arn,
                          ListenerArn=listener["ListenerArn"])
        if found is None:
            return None
        groups.extend(found)
    return groups


def collect(ctx: TaskContext) -> None:
    client = ctx.client("globalaccelerator", HOME)
    for item in ctx.pages(client, "ListAccelerators", "Accelerators", kinds=(KIND,)) or []:
        arn = item["AcceleratorArn"]
        answer = ctx.call(client, "DescribeAcceleratorAttributes", kinds=(KIND,), resource_id=arn, AcceleratorArn=arn)
        attributes = None if answer is None else answer.get("AcceleratorAttributes") or {}
        ctx.add(accelerator_record(item, ctx.account, ctx.region, _endpoint_groups(ctx, client, arn), attributes),
                "globalaccelerator:ListAccelerators")


DUMPS = (DumpShape(key="Accelerators", item_field="AcceleratorArn", to_record=accelerator_listing_record),)

SPEC = ServiceSpec(name="globalaccelerator", collect=collect, operations=OPERATIONS, kinds=(KIND,), scope=GLOBAL,
                   home_region=HOME, dumps=DUMPS)
