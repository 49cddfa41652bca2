"""CloudWatch metric alarms, per region: what they watch, their state and whether they act, and
the resource their dimensions name (load balancer, instance, database, health check, ...)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws import rds_arn
from drscan.normalize.lookup import as_bool, as_int, derive, iso_time, need_list
from drscan.normalize.shape import Shape

KIND = "aws.cloudwatch.alarm"

OPERATIONS = {
    "cloudwatch:DescribeAlarms": "cloudwatch:DescribeAlarms",
}


def monitored_arns(dimensions: dict[str, str], account: str, region: str) -> list[str]:
    """ARNs of the resources a metric's dimensions name, where the name alone is enough to build one."""
    arns = []
    balancer = dimensions.get("LoadBalancer")  # "app/name/id" or "net/name/id"
    if balancer and balancer.count("/") == 2:
        arns.append(f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{balancer}")
    group = dimensions.get("TargetGroup")  # "targetgroup/name/id"
    if group and group.startswith("targetgroup/"):
        arns.append(f"arn:aws:elasticloadbalancing:{region}:{account}:{group}")
    if dimensions.get("InstanceId"):
        arns.append(f"arn:aws:ec2:{region}:{account}:instance/{dimensions['InstanceId']}")
    if dimensions.get("VolumeId"):
        arns.append(f"arn:aws:ec2:{region}:{account}:volume/{dimensions['VolumeId']}")
    if dimensions.get("DBInstanceIdentifier"):
        arns.append(rds_arn(dimensions["DBInstanceIdentifier"], account, region) or "")
    if dimensions.get("DBClusterIdentifier"):
        arns.append(rds_arn(dimensions["DBClusterIdentifier"], account, region, "cluster") or "")
    if dimensions.get("HealthCheckId"):  # Route 53 metrics live in us-east-1; the check is global
        arns.append(f"arn:aws:route53:::healthcheck/{dimensions['HealthCheckId']}")
    if dimensions.get("FunctionName") and ":" not in dimensions["FunctionName"]:
        arns.append(f"arn:aws:lambda:{region}:{account}:function:{dimensions['FunctionName']}")
    if dimensions.get("TableName"):
        arns.append(f"arn:aws:dynamodb:{region}:{account}:table/{dimensions['TableName']}")
    return [a for a in arns if a]


def alarm_record(item: dict, account: str, region: str) -> Record:
    """DescribeAlarms MetricAlarms entry. Metric-math alarms read the dimensions of every metric."""
    stats = [m.get("MetricStat", {}).get("Metric", {}) for m in item.get("Metrics") or [] if m.get("MetricStat")]
    metrics = [{"Namespace": item.get("Namespace"), "MetricName": item.get("MetricName"),
                "Dimensions": item.get("Dimensions")}] if item.get("MetricName") else stats
    dimensions: dict[str, str] = {}
    for metric in metrics:
        for dimension in metric.get("Dimensions") or []:
            dimensions.setdefault(str(dimension.get("Name")), str(dimension.get("Value")))
    first = metrics[0] if metrics else {}
    shape = Shape(attrs=dict(
        namespace=first.get("Namespace"), metric_name=first.get("MetricName"), dimensions=dimensions,
        state=item.get("StateValue"), state_updated_at=iso_time(item.get("StateUpdatedTimestamp")),
        actions_enabled=as_bool(item.get("ActionsEnabled")),
        alarm_actions_count=derive(need_list(item, "AlarmActions"), len),
        ok_actions_count=derive(need_list(item, "OKActions"), len),
        insufficient_data_actions_count=derive(need_list(item, "InsufficientDataActions"), len),
        comparison=item.get("ComparisonOperator"), threshold=item.get("Threshold"),
        period_seconds=as_int(item.get("Period")), evaluation_periods=as_int(item.get("EvaluationPeriods")),
        metric_math=not item.get("MetricName") and bool(item.get("Metrics")),
    ), name=item.get("AlarmName"))
    for arn in monitored_arns(dimensions, account, region):
        shape.ref("monitors", arn)
    return Record(kind=KIND, id=item["AlarmArn"], name=item.get("AlarmName") or item["AlarmArn"], shape=shape,
                  region=region, account=account)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("cloudwatch")
    alarms = ctx.pages(client, "DescribeAlarms", "MetricAlarms", kinds=(KIND,), AlarmTypes=["MetricAlarm"])
    for alarm in alarms or []:
        ctx.add(alarm_record(alarm, ctx.account, ctx.region), "cloudwatch:DescribeAlarms")


DUMPS = (
    DumpShape(key="MetricAlarms", item_field="AlarmArn", to_record=alarm_record),
)

SPEC = ServiceSpec(name="cloudwatch", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
