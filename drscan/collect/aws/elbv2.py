"""Elastic Load Balancing v2, per region: application/network/gateway load balancers (zones,
scheme, DNS name, access logs, deletion protection), their listeners, and target groups with the
targets they route to."""

from __future__ import annotations

from typing import Any

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws import elbv2_listener, elbv2_load_balancer
from drscan.normalize.lookup import as_bool, as_int, dig
from drscan.normalize.shape import Shape

LOAD_BALANCER = "aws.elbv2.load_balancer"
LISTENER = "aws.elbv2.listener"
TARGET_GROUP = "aws.elbv2.target_group"
KINDS = (LOAD_BALANCER, LISTENER, TARGET_GROUP)

OPERATIONS = {
    "elbv2:DescribeLoadBalancers": "elasticloadbalancing:DescribeLoadBalancers",
    "elbv2:DescribeLoadBalancerAttributes": "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elbv2:DescribeListeners": "elasticloadbalancing:DescribeListeners",
    "elbv2:DescribeTargetGroups": "elasticloadbalancing:DescribeTargetGroups",
    "elbv2:DescribeTargetHealth": "elasticloadbalancing:DescribeTargetHealth",
    "elbv2:DescribeTags": "elasticloadbalancing:DescribeTags",
}

TAG_BATCH = 20  # DescribeTags takes at most 20 ARNs


def load_balancer_record(item: dict, account: str, region: str, attributes: list[dict] | None = None,
                         tags: dict[str, str] | None = None) -> Record:
    """DescribeLoadBalancers entry, with its DescribeLoadBalancerAttributes `Attributes` when read."""
    shape = elbv2_load_balancer(item, {"Attributes": attributes} if attributes is not None else {}, account, region)
    shape.attrs.update(vpc_id=item.get("VpcId"), state=dig(item, "State.Code"),
                       ip_address_type=item.get("IpAddressType"))
    return Record(kind=LOAD_BALANCER, id=item["LoadBalancerArn"], name=item.get("LoadBalancerName") or item["LoadBalancerArn"],
                  shape=shape, region=region, account=account, tags=tags or {})


def forward_targets(actions: list[dict]) -> list[str]:
    """Target group ARNs a listener's default actions forward to (plain or weighted forward)."""
    arns = []
    for action in actions or []:
        arns.append(action.get("TargetGroupArn"))
        arns.extend(t.get("TargetGroupArn") for t in dig(action, "ForwardConfig.TargetGroups") or [])
    return list(dict.fromkeys(a for a in arns if a))


def listener_record(item: dict, account: str, region: str) -> Record:
    """DescribeListeners entry."""
    shape = elbv2_listener(item, {}, account, region)
    shape.attrs.update(certificate_count=len(item.get("Certificates") or []),
                       forwards_to=forward_targets(item.get("DefaultActions") or []))
    for target_group in shape.attrs["forwards_to"]:
        shape.ref("forwards_to", target_group)
    balancer = str(item.get("LoadBalancerArn") or "").split("/")
    name = f"{balancer[-2] if len(balancer) > 2 else 'listener'}:{item.get('Port')}"
    return Record(kind=LISTENER, id=item["ListenerArn"], name=name, shape=shape, region=region, account=account)


def target_arn(target_type: str | None, target_id: str, account: str, region: str) -> str | None:
    """The resource a registered target is: an instance, a Lambda function, or an ALB (an IP is not one)."""
    if target_type == "instance" or target_id.startswith("i-"):
        return f"arn:aws:ec2:{region}:{account}:instance/{target_id}"
    if target_id.startswith("arn:"):
        return target_id
    return None


def target_group_record(item: dict, account: str, region: str, health: list[dict] | None = None,
                        tags: dict[str, str] | None = None) -> Record:
    """DescribeTargetGroups entry, with its DescribeTargetHealth descriptions when read."""
    target_type = item.get("TargetType")
    balancers = list(dict.fromkeys(item.get("LoadBalancerArns") or []))
    shape = Shape(attrs=dict(
        protocol=item.get("Protocol"), port=as_int(item.get("Port")), target_type=target_type,
        vpc_id=item.get("VpcId"), load_balancer_arns=balancers,
        health_check_enabled=as_bool(item.get("HealthCheckEnabled")),
        health_check_protocol=item.get("HealthCheckProtocol"), health_check_path=item.get("HealthCheckPath"),
        health_check_interval_seconds=as_int(item.get("HealthCheckIntervalSeconds")),
        healthy_threshold=as_int(item.get("HealthyThresholdCount")),
        unhealthy_threshold=as_int(item.get("UnhealthyThresholdCount")),
    ))
    for balancer in balancers:
        shape.ref("serves", balancer)
    if health is None:  # DescribeTargetHealth was not read
        shape.attrs.update(target_count=None, healthy_target_count=None, unhealthy_target_count=None, target_zones=None)
    else:
        states = [dig(h, "TargetHealth.State") for h in health]
        zones = sorted({str(dig(h, "Target.AvailabilityZone")) for h in health if dig(h, "Target.AvailabilityZone")})
        shape.attrs.update(target_count=len(health), healthy_target_count=states.count("healthy"),
                           unhealthy_target_count=states.count("unhealthy"), target_zones=zones)
        for description in health:
            target_id = str(dig(description, "Target.Id") or "")
            shape.ref("routes_to", target_arn(target_type, target_id, account, region) if target_id else None)
    return Record(kind=TARGET_GROUP, id=item["TargetGroupArn"], name=item.get("TargetGroupName") or item["TargetGroupArn"],
                  shape=shape, region=region, account=account, tags=tags or {})


def _tags(ctx: TaskContext, client: Any, arns: list[str], kinds: tuple[str, ...]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(arns), TAG_BATCH):
        answer = ctx.call(client, "DescribeTags", kinds=kinds, ResourceArns=arns[start:start + TAG_BATCH])
        for entry in (answer or {}).get("TagDescriptions") or []:
            found[str(entry.get("ResourceArn"))] = tags_of(entry.get("Tags"))
    return found


def collect(ctx: TaskContext) -> None:
    client = ctx.client("elbv2")
    balancers = ctx.pages(client, "DescribeLoadBalancers", "LoadBalancers", kinds=(LOAD_BALANCER, LISTENER)) or []
    groups = ctx.pages(client, "DescribeTargetGroups", "TargetGroups", kinds=(TARGET_GROUP,)) or []
    tags = _tags(ctx, client, [b["LoadBalancerArn"] for b in balancers] + [g["TargetGroupArn"] for g in groups],
                 (LOAD_BALANCER, TARGET_GROUP))
    for balancer in balancers:
        arn = balancer["LoadBalancerArn"]
        answer = ctx.call(client, "DescribeLoadBalancerAttributes", kinds=(LOAD_BALANCER,), resource_id=arn,
                          LoadBalancerArn=arn)
        attributes = (answer.get("Attributes") or []) if answer is not None else None
        ctx.add(load_balancer_record(balancer, ctx.account, ctx.region, attributes, tags.get(arn)),
                "elbv2:DescribeLoadBalancers")
        for listener in ctx.pages(client, "DescribeListeners", "Listeners", kinds=(LISTENER,), resource_id=arn,
                                  LoadBalancerArn=arn) or []:
            ctx.add(listener_record(listener, ctx.account, ctx.region), "elbv2:DescribeListeners")
    for group in groups:
        arn = group["TargetGroupArn"]
        answer = ctx.call(client, "DescribeTargetHealth", kinds=(TARGET_GROUP,), resource_id=arn, TargetGroupArn=arn)
        health = (answer.get("TargetHealthDescriptions") or []) if answer is not None else None
        ctx.add(target_group_record(group, ctx.account, ctx.region, health, tags.get(arn)), "elbv2:DescribeTargetGroups")


DUMPS = (
    DumpShape(key="LoadBalancers", item_field="LoadBalancerArn", to_record=load_balancer_record),
    DumpShape(key="Listeners", item_field="ListenerArn", to_record=listener_record),
    DumpShape(key="TargetGroups", item_field="TargetGroupArn", to_record=target_group_record),
)

SPEC = ServiceSpec(name="elbv2", collect=collect, operations=OPERATIONS, kinds=KINDS, dumps=DUMPS)
