"""EC2 Auto Scaling groups, per region: zone spread, capacity, health check type, the instances
they manage and the target groups they register them in."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws import autoscaling_group
from drscan.normalize.lookup import as_int, derive, known_list, need_list

KIND = "aws.autoscaling.group"

OPERATIONS = {
    "autoscaling:DescribeAutoScalingGroups": "autoscaling:DescribeAutoScalingGroups",
}


def group_record(item: dict, account: str, region: str) -> Record:
    """DescribeAutoScalingGroups entry (tags included)."""
    shape = autoscaling_group(item, {}, account, region)
    instances = need_list(item, "Instances")
    in_service = derive(instances, lambda found: [i for i in found if i.get("LifecycleState") == "InService"])
    shape.attrs.update(
        health_check_grace_seconds=as_int(item.get("HealthCheckGracePeriod")),
        in_service_count=derive(in_service, len),
        instance_zones=derive(in_service, lambda found: sorted({str(i["AvailabilityZone"]) for i in found
                                                                if i.get("AvailabilityZone")})),
        capacity_rebalance=bool(item.get("CapacityRebalance")),
        subnet_ids=[s for s in str(item.get("VPCZoneIdentifier") or "").split(",") if s],
        suspended_processes=sorted(str(p.get("ProcessName")) for p in item.get("SuspendedProcesses") or []),
    )
    for target_group in known_list(shape.attrs["target_group_arns"]):
        shape.ref("registered_in", target_group)
    return Record(kind=KIND, id=item["AutoScalingGroupARN"], name=item.get("AutoScalingGroupName") or item["AutoScalingGroupARN"],
                  shape=shape, region=region, account=account, tags=tags_of(item.get("Tags")))


def collect(ctx: TaskContext) -> None:
    client = ctx.client("autoscaling")
    for group in ctx.pages(client, "DescribeAutoScalingGroups", "AutoScalingGroups", kinds=(KIND,)) or []:
        ctx.add(group_record(group, ctx.account, ctx.region), "autoscaling:DescribeAutoScalingGroups")


DUMPS = (
    DumpShape(key="AutoScalingGroups", item_field="AutoScalingGroupARN", to_record=group_record),
)

SPEC = ServiceSpec(name="autoscaling", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
