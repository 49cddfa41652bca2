"""Route 53 collector: zones, record sets and health checks against moto (with the DR rules and
the alias -> load balancer resolver), every routing policy from an API-shaped fixture served by
botocore's Stubber (moto does not model geoproximity or CIDR routing), and the per-zone bound."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from botocore.stub import Stubber

from drscan.collect.aws import elbv2, route53
from drscan.graph.aws_links import alias_targets
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.collect.aws.collect import run_task
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Inventory, Relation, Resource
from tests.collect.aws.conftest import global_task, task
from tests.conftest import FIXED_NOW

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aws_api" / "route53"


def _health_check(client, reference: str, fqdn: str, threshold: int = 3, disabled: bool = False) -> str:
    config = {"Type": "HTTPS", "FullyQualifiedDomainName": fqdn, "Port": 443, "ResourcePath": "/healthz",
              "RequestInterval": 30, "FailureThreshold": threshold, "Disabled": disabled}
    return client.create_health_check(CallerReference=reference, HealthCheckConfig=config)["HealthCheck"]["Id"]


def _seed() -> dict[str, str]:
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
               for n, z in ((1, "a"), (2, "b"))]
    balancer = boto3.client("elbv2", region_name="us-east-1").create_load_balancer(Name="payments-alb", Subnets=subnets)
    dns = balancer["LoadBalancers"][0]["DNSName"]
    dns_client = boto3.client("route53", region_name="us-east-1")
    zone = dns_client.create_hosted_zone(Name="payments.acme.example.", CallerReference="z1")["HostedZone"]["Id"].split("/")[-1]
    dns_client.create_hosted_zone(Name="internal.acme.example.", CallerReference="z2", VPC={"VPCRegion": "us-east-1", "VPCId": vpc},
                                  HostedZoneConfig={"Comment": "internal", "PrivateZone": True})
    dns_client.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone, AddTags=[{"Key": "app", "Value": "payments"}])
    primary = _health_check(dns_client, "hc1", "api.payments.acme.example")
    slow = _health_check(dns_client, "hc2", "api-dr.payments.acme.example", threshold=10)
    off = _health_check(dns_client, "hc3", "old.payments.acme.example", disabled=True)
    dns_client.change_tags_for_resource(ResourceType="healthcheck", ResourceId=primary, AddTags=[{"Key": "Name", "Value": "api-primary"}])
    changes = [
        {"Name": "api.payments.acme.example.", "Type": "A", "SetIdentifier": "primary", "Failover": "PRIMARY", "HealthCheckId": primary,
         "AliasTarget": {"HostedZoneId": "Z35SXDOTRQ7X7K", "DNSName": f"dualstack.{dns}.", "EvaluateTargetHealth": True}},
        {"Name": "api.payments.acme.example.", "Type": "A", "SetIdentifier": "secondary", "Failover": "SECONDARY", "TTL": 300,
         "HealthCheckId": slow, "ResourceRecords": [{"Value": "203.0.113.10"}]},
        {"Name": "www.payments.acme.example.", "Type": "A", "SetIdentifier": "www-primary", "Failover": "PRIMARY", "TTL": 60,
         "ResourceRecords": [{"Value": "203.0.113.20"}]},
        {"Name": "www.payments.acme.example.", "Type": "A", "SetIdentifier": "www-secondary", "Failover": "SECONDARY", "TTL": 60,
         "ResourceRecords": [{"Value": "203.0.113.21"}]},
        {"Name": "blog.payments.acme.example.", "Type": "CNAME", "SetIdentifier": "blue", "Weight": 10, "TTL": 300,
         "ResourceRecords": [{"Value": "blog.example.net"}]},
    ]
    dns_client.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={
        "Changes": [{"Action": "CREATE", "ResourceRecordSet": change} for change in changes]})
    return {"zone": zone, "primary": primary, "slow": slow, "off": off, "dns": dns}


def _record_id(zone: str, name: str, record_type: str, set_identifier: str = "") -> str:
    return f"arn:aws:route53:::hostedzone/{zone}/recordset/{name}/{record_type}/{set_identifier}"


def test_zones_records_and_health_checks_with_dr_rules(aws, ruleset):
    ids = _seed()
    out = run_task(global_task("route53"), spec=route53.SPEC)
    by_id = {r.id: r for r in out.resources}
    zone = by_id[f"arn:aws:route53:::hostedzone/{ids['zone']}"]
    assert zone.kind == "aws.route53.hosted_zone" and zone.region == "global" and zone.tags == {"app": "payments"}
    assert zone.attrs["private_zone"] is False and zone.attrs["zone_name"] == "payments.acme.example."
    private = next(r for r in out.resources if r.name == "internal.acme.example.")
    assert private.attrs["private_zone"] is True

    primary = by_id[_record_id(ids["zone"], "api.payments.acme.example.", "A", "primary")]
    secondary = by_id[_record_id(ids["zone"], "api.payments.acme.example.", "A", "secondary")]
    www = by_id[_record_id(ids["zone"], "www.payments.acme.example.", "A", "www-primary")]
    blog = by_id[_record_id(ids["zone"], "blog.payments.acme.example.", "CNAME", "blue")]
    assert (primary.attrs["routing_policy"], primary.attrs["failover"]) == ("failover", "PRIMARY")
    assert primary.attrs["alias_dns_name"] == f"dualstack.{ids['dns']}." and primary.attrs["evaluate_target_health"] is True
    assert primary.attrs["ttl"] is None and primary.attrs["health_check_id"] == ids["primary"]
    assert secondary.attrs["ttl"] == 300 and secondary.attrs["values"] == ["203.0.113.10"]
    assert www.attrs["evaluate_target_health"] is False and www.attrs["health_check_id"] is None
    assert (blog.attrs["routing_policy"], blog.attrs["weight"]) == ("weighted", 10)
    edges = {(r.source, r.type, r.target) for r in out.references}
    assert (primary.id, "checked_by", f"arn:aws:route53:::healthcheck/{ids['primary']}") in edges
    assert (primary.id, "in_zone", zone.id) in edges

    check = by_id[f"arn:aws:route53:::healthcheck/{ids['primary']}"]
    assert check.name == "api-primary" and check.attrs["detection_seconds"] == 90 and check.attrs["disabled"] is False
    assert by_id[f"arn:aws:route53:::healthcheck/{ids['off']}"].attrs["disabled"] is True
    assert not out.gaps
    assert out.calls["route53:ListHostedZones"] == 1 and out.calls["route53:ListResourceRecordSets"] == 2
    assert set(out.calls) <= set(route53.OPERATIONS)

    # The alias resolver, on the load balancer the elbv2 collector reports.
    balancers = run_task(task("elbv2"), spec=elbv2.SPEC).resources
    (alb,) = [b for b in balancers if b.kind == "aws.elbv2.load_balancer"]
    assert alias_targets(out.resources, balancers) == [Relation(primary.id, alb.id, "routes_to")]

    graph = build_graph(Inventory(resources=tuple(out.resources), references=tuple(out.references)))
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in evaluate(graph, ruleset, FIXED_NOW)}
    assert verdicts[("aws-route53-failover-health-check", primary.id)] == "PASS"
    assert verdicts[("aws-route53-failover-health-check", www.id)] == "FAIL"
    assert ("aws-route53-failover-health-check", secondary.id) not in verdicts  # a secondary may go unchecked
    assert verdicts[("aws-route53-failover-ttl", primary.id)] == "PASS"  # alias: the load balancer's 60 s
    assert verdicts[("aws-route53-failover-ttl", secondary.id)] == "FAIL"
    assert ("aws-route53-failover-ttl", blog.id) not in verdicts
    assert verdicts[("aws-route53-health-check-detection-time", check.id)] == "PASS"
    assert verdicts[("aws-route53-health-check-detection-time", f"arn:aws:route53:::healthcheck/{ids['slow']}")] == "FAIL"
    assert verdicts[("aws-route53-health-check-enabled", f"arn:aws:route53:::healthcheck/{ids['off']}")] == "FAIL"


def test_every_routing_policy_from_api_shaped_records(aws):
    """moto does not model geoproximity or CIDR routing: botocore's Stubber serves a ListResourceRecordSets
    page shaped as in the Route 53 API reference (tests/fixtures/aws_api/route53)."""
    records_page = json.loads((FIXTURES / "list_resource_record_sets.json").read_text())
    spec_task = global_task("route53")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    with Stubber(ctx.client("route53")) as stub:
        stub.add_response("list_hosted_zones", {"HostedZones": [{"Id": "/hostedzone/Z0IOYEPXLCHTCCLW4IVTR", "Name": "acme.example.",
                                                                 "CallerReference": "r", "Config": {"PrivateZone": False}}],
                                                "IsTruncated": False, "MaxItems": "100", "Marker": ""})
        stub.add_response("list_tags_for_resources", {"ResourceTagSets": []},
                          {"ResourceType": "hostedzone", "ResourceIds": ["Z0IOYEPXLCHTCCLW4IVTR"]})
        stub.add_response("list_resource_record_sets", records_page)
        stub.add_response("list_health_checks", {"HealthChecks": [], "IsTruncated": False, "MaxItems": "100", "Marker": ""})
        route53.collect(ctx)
    records = {r.name: r for r in ctx.out.resources if r.kind == "aws.route53.record"}
    policies = {r.attrs["name"]: r.attrs["routing_policy"] for r in records.values()}
    assert policies == {"acme.example.": "simple", "api.acme.example.": "failover", "www.acme.example.": "weighted",
                        "eu.acme.example.": "latency", "geo.acme.example.": "geolocation", "near.acme.example.": "geoproximity",
                        "multi.acme.example.": "multivalue", "office.acme.example.": "cidr", "\\052.acme.example.": "simple"}
    assert records["eu.acme.example. A (eu-west-1)"].attrs["latency_region"] == "eu-west-1"
    balancer = Resource(kind="aws.elbv2.load_balancer", id="arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/payments-alb/4ca8",
                        name="payments-alb", provider="aws", account="111111111111", region="us-east-1",
                        attrs={"dns_name": "payments-alb-8861148129.us-east-1.elb.amazonaws.com"})
    routed = {r.source for r in alias_targets(ctx.out.resources, [balancer])}
    assert routed == {records["api.acme.example. A (api-primary)"].id, records["www.acme.example. CNAME (blue)"].id}
    assert not ctx.out.gaps


def test_a_zone_larger_than_the_bound_is_read_partly_and_says_so(aws, monkeypatch):
    ids = _seed()
    monkeypatch.setattr(route53, "MAX_RECORDS_PER_ZONE", 3)
    out = run_task(global_task("route53"), spec=route53.SPEC)
    in_zone = [r for r in out.resources if r.kind == "aws.route53.record" and r.attrs["zone_id"] == ids["zone"]]
    assert len(in_zone) == 3
    (gap,) = [g for g in out.gaps if g.resource_id == f"arn:aws:route53:::hostedzone/{ids['zone']}"]
    assert (gap.code, gap.operation, gap.kinds) == ("Truncated", "ListResourceRecordSets", ("aws.route53.record",))
