"""Auto Scaling collector against moto: zone spread, health check type, managed instances and
target groups, the rules that judge them, and an honest gap on AccessDenied."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from drscan.collect.aws import autoscaling
from drscan.collect.aws.base import READ_PREFIXES, SessionFactory, TaskContext
from drscan.collect.aws.collect import run_task
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Inventory
from tests.collect.aws.conftest import ACCOUNT, task
from tests.conftest import FIXED_NOW


def _seed() -> str:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    group = boto3.client("elbv2", region_name="us-east-1").create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    scaling = boto3.client("autoscaling", region_name="us-east-1")
    scaling.create_launch_configuration(LaunchConfigurationName="web", ImageId="ami-12345678", InstanceType="t3.micro")
    scaling.create_auto_scaling_group(
        AutoScalingGroupName="web-asg", LaunchConfigurationName="web", MinSize=2, MaxSize=6, DesiredCapacity=2,
        VPCZoneIdentifier=f"{a},{b}", TargetGroupARNs=[group], HealthCheckType="ELB", HealthCheckGracePeriod=120,
        Tags=[{"Key": "app", "Value": "payments", "PropagateAtLaunch": True}])
    scaling.create_auto_scaling_group(
        AutoScalingGroupName="batch-single-az", LaunchConfigurationName="web", MinSize=1, MaxSize=2, DesiredCapacity=1,
        VPCZoneIdentifier=a, TargetGroupARNs=[group], HealthCheckType="EC2")
    return group


def test_groups_with_zones_capacity_instances_and_target_groups(aws, ruleset):
    group_arn = _seed()
    out = run_task(task("autoscaling"), spec=autoscaling.SPEC)
    groups = {r.name: r for r in out.resources}
    assert set(groups) == {"web-asg", "batch-single-az"}
    web, batch = groups["web-asg"], groups["batch-single-az"]
    assert web.kind == "aws.autoscaling.group" and web.id.startswith(f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:autoScalingGroup:")
    assert web.attrs["availability_zones"] == ["us-east-1a", "us-east-1b"] and web.attrs["az_count"] == 2
    assert (web.attrs["min_size"], web.attrs["max_size"], web.attrs["desired_capacity"]) == (2, 6, 2)
    assert web.attrs["health_check_type"] == "ELB" and web.attrs["health_check_grace_seconds"] == 120
    assert web.attrs["target_group_arns"] == [group_arn] and web.tags == {"app": "payments"}
    assert len(web.attrs["instance_ids"]) == 2 and web.attrs["in_service_count"] == 2
    assert batch.attrs["az_count"] == 1 and batch.attrs["health_check_type"] == "EC2"
    edges = {(r.source, r.type, r.target) for r in out.references}
    assert (web.id, "registered_in", group_arn) in edges
    for instance in web.attrs["instance_ids"]:
        assert (web.id, "manages", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{instance}") in edges
    assert not out.gaps
    assert dict(out.calls) == {"autoscaling:DescribeAutoScalingGroups": 1}
    assert all(c.split(":")[1].startswith(READ_PREFIXES) and c in autoscaling.OPERATIONS for c in out.calls)

    graph = build_graph(Inventory(resources=tuple(out.resources), references=tuple(out.references)))
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in evaluate(graph, ruleset, FIXED_NOW, out.gaps)}
    assert verdicts[("aws-autoscaling-multi-az", web.id)] == "PASS"
    assert verdicts[("aws-autoscaling-multi-az", batch.id)] == "FAIL"
    assert verdicts[("aws-autoscaling-elb-health-check", web.id)] == "PASS"
    assert verdicts[("aws-autoscaling-elb-health-check", batch.id)] == "FAIL"


def test_access_denied_is_a_gap_not_an_empty_region(aws):
    """moto cannot deny one call, so botocore's Stubber answers DescribeAutoScalingGroups with AccessDenied."""
    _seed()
    spec_task = task("autoscaling")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    with Stubber(ctx.client("autoscaling")) as stub:
        stub.add_client_error("describe_auto_scaling_groups", "AccessDenied", "User is not authorized", 403)
        autoscaling.collect(ctx)
    assert ctx.out.resources == []
    (gap,) = ctx.out.gaps
    assert (gap.code, gap.operation, gap.kinds, gap.region) == (
        "AccessDenied", "DescribeAutoScalingGroups", ("aws.autoscaling.group",), "us-east-1")
