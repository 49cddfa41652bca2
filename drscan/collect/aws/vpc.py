"""VPCs in one region and their flow logs (DescribeFlowLogs once per region, only when the
region has VPCs)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws_governance import ec2_flow_log, ec2_vpc, vpc_arn

VPC = "aws.ec2.vpc"
FLOW_LOG = "aws.ec2.flow_log"

OPERATIONS = {
    "ec2:DescribeVpcs": "ec2:DescribeVpcs",
    "ec2:DescribeFlowLogs": "ec2:DescribeFlowLogs",
}


def vpc_record(item: dict, account: str, region: str, flow_logs: list | None = None) -> Record:
    """`flow_logs`: the region's flow logs; None when not seen (flow_logs_enabled then absent)."""
    vpc_id = item["VpcId"]
    mine = None if flow_logs is None else [f for f in flow_logs if f.get("ResourceId") == vpc_id]
    tags = tags_of(item.get("Tags"))
    return Record(kind=VPC, id=vpc_arn(vpc_id, str(item.get("OwnerId") or account), region), name=tags.get("Name") or vpc_id,
                  shape=ec2_vpc(item, {"FlowLogs": mine} if mine is not None else {}, account, region), region=region,
                  tags=tags)


def vpc_listing_record(item: dict, account: str, region: str) -> Record:
    return vpc_record(item, account, region)


def flow_log_record(item: dict, account: str, region: str) -> Record:
    return Record(kind=FLOW_LOG, id=f"arn:aws:ec2:{region}:{account}:vpc-flow-log/{item['FlowLogId']}", name=item["FlowLogId"],
                  shape=ec2_flow_log(item, {}, account, region), region=region, tags=tags_of(item.get("Tags")))


def collect(ctx: TaskContext) -> None:
    client = ctx.client("ec2")
    vpcs = ctx.pages(client, "DescribeVpcs", "Vpcs", kinds=(VPC,))
    if not vpcs:
        return
    flow_logs = ctx.pages(client, "DescribeFlowLogs", "FlowLogs", kinds=(VPC,))
    for item in vpcs:
        ctx.add(vpc_record(item, ctx.account, ctx.region, flow_logs), "ec2:DescribeVpcs")


DUMPS = (
    DumpShape(key="Vpcs", item_field="VpcId", to_record=vpc_listing_record),
    DumpShape(key="FlowLogs", item_field="FlowLogId", to_record=flow_log_record),
)

SPEC = ServiceSpec(name="vpc", collect=collect, operations=OPERATIONS, kinds=(VPC, FLOW_LOG), dumps=DUMPS)
