"""ELBv2 collector against moto: load balancers with their attributes and tags, listeners (TLS
policy, HTTPS redirect), target groups with health checks and registered targets, the relations
between them, and the load balancer rules."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from drscan.collect.aws import elbv2
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.collect.aws.collect import run_task
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Inventory
from tests.collect.aws.conftest import ACCOUNT, task
from tests.conftest import FIXED_NOW


def _seed() -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, SubnetId=a)["Instances"][0]["InstanceId"]
    elb = boto3.client("elbv2", region_name="us-east-1")
    alb = elb.create_load_balancer(Name="payments-alb", Subnets=[a, b], Scheme="internet-facing", Tags=[{"Key": "app", "Value": "payments"}])["LoadBalancers"][0]
    nlb = elb.create_load_balancer(Name="tools-nlb", Subnets=[a], Type="network", Scheme="internal")["LoadBalancers"][0]
    elb.modify_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"], Attributes=[
        {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "acme-elb-logs"},
        {"Key": "deletion_protection.enabled", "Value": "true"}])
    web = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=vpc, HealthCheckPath="/healthz",
                                  Tags=[{"Key": "app", "Value": "payments"}])["TargetGroups"][0]
    legacy = elb.create_target_group(Name="legacy", Protocol="TCP", Port=22, VpcId=vpc)["TargetGroups"][0]
    elb.modify_target_group(TargetGroupArn=legacy["TargetGroupArn"], HealthCheckEnabled=False)
    elb.register_targets(TargetGroupArn=web["TargetGroupArn"], Targets=[{"Id": instance}])
    cert = boto3.client("acm", region_name="us-east-1").request_certificate(DomainName="pay.acme.example")["CertificateArn"]
    elb.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    modern = elb.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                                 SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06", Certificates=[{"CertificateArn": cert}],
                                 DefaultActions=[{"Type": "forward", "TargetGroupArn": web["TargetGroupArn"]}])["Listeners"][0]
    old = elb.create_listener(LoadBalancerArn=alb["LoadBalancerArn"], Protocol="HTTPS", Port=8443,
                              SslPolicy="ELBSecurityPolicy-2016-08", Certificates=[{"CertificateArn": cert}],
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": web["TargetGroupArn"]}])["Listeners"][0]
    elb.create_listener(LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=22, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": legacy["TargetGroupArn"]}])
    return {"alb": alb["LoadBalancerArn"], "nlb": nlb["LoadBalancerArn"], "web": web["TargetGroupArn"],
            "legacy": legacy["TargetGroupArn"], "instance": instance, "modern": modern["ListenerArn"],
            "old": old["ListenerArn"], "alb_dns": alb["DNSName"]}


def test_load_balancers_listeners_and_target_groups(aws, ruleset):
    ids = _seed()
    out = run_task(task("elbv2"), spec=elbv2.SPEC)
    by_id = {r.id: r for r in out.resources}
    kinds = sorted(r.kind for r in out.resources)
    assert kinds.count("aws.elbv2.load_balancer") == 2 and kinds.count("aws.elbv2.listener") == 4
    assert kinds.count("aws.elbv2.target_group") == 2
    alb, nlb = by_id[ids["alb"]], by_id[ids["nlb"]]
    assert alb.name == "payments-alb" and alb.attrs["type"] == "application" and alb.attrs["scheme"] == "internet-facing"
    assert alb.attrs["dns_name"] == ids["alb_dns"] and alb.attrs["availability_zones"] == ["us-east-1a", "us-east-1b"]
    assert alb.zones == ("us-east-1a", "us-east-1b") and alb.tags == {"app": "payments"}
    assert alb.attrs["access_logs_enabled"] is True and alb.attrs["deletion_protection"] is True
    assert nlb.attrs["az_count"] == 1 and nlb.attrs["deletion_protection"] is False
    modern, old = by_id[ids["modern"]], by_id[ids["old"]]
    assert modern.attrs["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06" and modern.attrs["forwards_to"] == [ids["web"]]
    assert old.attrs["ssl_policy"] == "ELBSecurityPolicy-2016-08" and old.attrs["encrypted_in_transit"] is True
    redirect = next(r for r in out.resources if r.kind == "aws.elbv2.listener" and r.attrs["port"] == 80)
    assert redirect.attrs["redirects_to_https"] is True and redirect.attrs["encrypted_in_transit"] is True
    web, legacy = by_id[ids["web"]], by_id[ids["legacy"]]
    assert web.attrs["health_check_enabled"] is True and web.attrs["health_check_path"] == "/healthz"
    assert web.attrs["target_type"] == "instance" and web.attrs["target_count"] == 1 and web.tags == {"app": "payments"}
    assert legacy.attrs["health_check_enabled"] is False and legacy.attrs["protocol"] == "TCP"
    edges = {(r.source, r.type, r.target) for r in out.references}
    assert (ids["web"], "serves", ids["alb"]) in edges and (ids["legacy"], "serves", ids["nlb"]) in edges
    assert (ids["web"], "routes_to", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{ids['instance']}") in edges
    assert (ids["modern"], "listener_of", ids["alb"]) in edges and (ids["modern"], "forwards_to", ids["web"]) in edges
    assert not out.gaps
    assert out.calls["elbv2:DescribeTargetHealth"] == 2 and out.calls["elbv2:DescribeListeners"] == 2
    assert set(out.calls) <= set(elbv2.OPERATIONS)

    graph = build_graph(Inventory(resources=tuple(out.resources), references=tuple(out.references)))
    assert {r.id for r in graph.related(ids["alb"], "serves", "in")} == {ids["web"]}
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in evaluate(graph, ruleset, FIXED_NOW)}
    assert verdicts[("aws-elbv2-multi-az", ids["alb"])] == "PASS" and verdicts[("aws-elbv2-multi-az", ids["nlb"])] == "FAIL"
    assert verdicts[("aws-elbv2-access-logging", ids["alb"])] == "PASS"
    assert ("aws-elbv2-access-logging", ids["nlb"]) not in verdicts  # network load balancers are not judged
    assert verdicts[("aws-elbv2-deletion-protection", ids["nlb"])] == "FAIL"
    assert verdicts[("aws-elbv2-listener-tls", redirect.id)] == "PASS"
    assert verdicts[("aws-elbv2-listener-tls-policy", ids["modern"])] == "PASS"
    assert verdicts[("aws-elbv2-listener-tls-policy", ids["old"])] == "FAIL"
    assert verdicts[("aws-elbv2-target-group-health-check", ids["web"])] == "PASS"
    assert verdicts[("aws-elbv2-target-group-health-check", ids["legacy"])] == "FAIL"


def test_denied_target_health_leaves_targets_unknown(aws):
    """moto cannot deny one call: botocore's Stubber answers the listings, then AccessDenied on DescribeTargetHealth."""
    spec_task = task("elbv2")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    group = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web/6b6d11f90352135e"
    with Stubber(ctx.client("elbv2")) as stub:
        stub.add_response("describe_load_balancers", {"LoadBalancers": []})
        stub.add_response("describe_target_groups", {"TargetGroups": [
            {"TargetGroupArn": group, "TargetGroupName": "web", "Protocol": "HTTP", "Port": 80, "HealthCheckEnabled": True,
             "TargetType": "instance", "LoadBalancerArns": []}]})
        stub.add_response("describe_tags", {"TagDescriptions": [{"ResourceArn": group, "Tags": [{"Key": "app", "Value": "payments"}]}]})
        stub.add_client_error("describe_target_health", "AccessDenied", "not authorized", 403)
        elbv2.collect(ctx)
    (found,) = ctx.out.resources
    assert found.attrs["target_count"] is None and found.attrs["health_check_enabled"] is True
    assert not ctx.out.references
    (gap,) = ctx.out.gaps
    assert (gap.code, gap.operation, gap.resource_id, gap.kinds) == (
        "AccessDenied", "DescribeTargetHealth", group, ("aws.elbv2.target_group",))
