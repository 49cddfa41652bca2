"""CloudWatch alarms collector against moto: metric, state, actions, the resource each alarm
monitors (from its dimensions), and the alarm-action rules."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from drscan.collect.aws import cloudwatch
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.collect.aws.collect import run_task
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Inventory
from tests.collect.aws.conftest import ACCOUNT, task
from tests.conftest import FIXED_NOW

TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall"


def _alarm(client, name: str, namespace: str, metric: str, dimensions: dict[str, str], **extra) -> None:
    client.put_metric_alarm(AlarmName=name, Namespace=namespace, MetricName=metric, Statistic="Sum", Period=60,
                            EvaluationPeriods=3, Threshold=5, ComparisonOperator="GreaterThanThreshold",
                            Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()], **extra)


def _seed() -> None:
    client = boto3.client("cloudwatch", region_name="us-east-1")
    _alarm(client, "alb-5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count",
           {"LoadBalancer": "app/payments-alb/4ca873016bb93a56"}, ActionsEnabled=True, AlarmActions=[TOPIC])
    _alarm(client, "db-cpu", "AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": "payments-db"},
           ActionsEnabled=False, AlarmActions=[TOPIC])
    _alarm(client, "web-cpu", "AWS/EC2", "CPUUtilization", {"InstanceId": "i-0abc123"}, ActionsEnabled=True)
    _alarm(client, "api-health", "AWS/Route53", "HealthCheckStatus",
           {"HealthCheckId": "627d2ae1-c51d-45c3-9c88-ae293f830870"}, ActionsEnabled=True, AlarmActions=[TOPIC],
           OKActions=[TOPIC])


def test_alarms_with_actions_and_the_resources_they_monitor(aws, ruleset):
    _seed()
    out = run_task(task("cloudwatch"), spec=cloudwatch.SPEC)
    alarms = {r.name: r for r in out.resources}
    assert set(alarms) == {"alb-5xx", "db-cpu", "web-cpu", "api-health"}
    alb = alarms["alb-5xx"]
    assert alb.id == f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:alb-5xx" and alb.kind == "aws.cloudwatch.alarm"
    assert (alb.attrs["namespace"], alb.attrs["metric_name"]) == ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count")
    assert alb.attrs["dimensions"] == {"LoadBalancer": "app/payments-alb/4ca873016bb93a56"}
    assert alb.attrs["state"] in {"OK", "INSUFFICIENT_DATA"} and alb.attrs["actions_enabled"] is True
    assert alb.attrs["alarm_actions_count"] == 1 and alarms["api-health"].attrs["ok_actions_count"] == 1
    assert alarms["db-cpu"].attrs["actions_enabled"] is False and alarms["web-cpu"].attrs["alarm_actions_count"] == 0
    monitors = {(r.source, r.target) for r in out.references if r.type == "monitors"}
    assert monitors == {
        (alb.id, f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/payments-alb/4ca873016bb93a56"),
        (alarms["db-cpu"].id, f"arn:aws:rds:us-east-1:{ACCOUNT}:db:payments-db"),
        (alarms["web-cpu"].id, f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0abc123"),
        (alarms["api-health"].id, "arn:aws:route53:::healthcheck/627d2ae1-c51d-45c3-9c88-ae293f830870"),
    }
    assert not out.gaps and dict(out.calls) == {"cloudwatch:DescribeAlarms": 1}

    graph = build_graph(Inventory(resources=tuple(out.resources)))
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in evaluate(graph, ruleset, FIXED_NOW)}
    assert verdicts[("aws-cloudwatch-alarm-actions-enabled", alb.id)] == "PASS"
    assert verdicts[("aws-cloudwatch-alarm-actions-enabled", alarms["db-cpu"].id)] == "FAIL"
    assert verdicts[("aws-cloudwatch-alarm-has-actions", alb.id)] == "PASS"
    assert verdicts[("aws-cloudwatch-alarm-has-actions", alarms["web-cpu"].id)] == "FAIL"


def test_metric_math_alarm_reads_the_dimensions_of_its_metrics():
    item = {"AlarmName": "fn-errors", "AlarmArn": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:fn-errors",
            "ActionsEnabled": True, "AlarmActions": [TOPIC], "StateValue": "ALARM",
            "Metrics": [{"Id": "e1", "Expression": "m1 * 100 / m2", "ReturnData": True},
                        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Errors",
                                                               "Dimensions": [{"Name": "FunctionName", "Value": "payments-webhook"}]},
                                                    "Period": 60, "Stat": "Sum"}, "ReturnData": False},
                        {"Id": "m2", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations",
                                                               "Dimensions": [{"Name": "FunctionName", "Value": "payments-webhook"}]},
                                                    "Period": 60, "Stat": "Sum"}, "ReturnData": False}]}
    record = cloudwatch.alarm_record(item, ACCOUNT, "eu-west-1")
    assert record.shape.attrs["metric_math"] is True and record.shape.attrs["namespace"] == "AWS/Lambda"
    assert record.shape.refs == [("monitors", f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:payments-webhook")]


def test_throttled_listing_is_a_gap(aws):
    """moto does not throttle, so botocore's Stubber answers DescribeAlarms with a throttling error."""
    spec_task = task("cloudwatch")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    with Stubber(ctx.client("cloudwatch")) as stub:
        stub.add_client_error("describe_alarms", "Throttling", "Rate exceeded", 400)
        cloudwatch.collect(ctx)
    assert ctx.out.resources == []
    (gap,) = ctx.out.gaps
    assert (gap.code, gap.operation, gap.kinds) == ("Throttling", "DescribeAlarms", ("aws.cloudwatch.alarm",))
