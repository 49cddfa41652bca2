"""DNS failover semantics: Route 53 failover moves traffic when the PRIMARY's health check fails
(a SECONDARY without one is normal), latency/weighted records each need their own, latency
regions come from the Region field; Traffic Manager priority profiles fail over only on probed
endpoints; Cloud DNS routing policies on health-checked targets."""

from __future__ import annotations

import pytest

from drscan.dr.traffic import dns_failover_ok, entry_switch_time, routing_pattern
from drscan.normalize.gcp import dns_record_set
from tests.dr.helpers import T, app, assess, context, rds, replica_of, res

ZONE = "Z0PAYMENTS"


def record(set_id: str, *, policy: str, check: str | None = None, region: str | None = None, ttl: int | None = 60,
           name: str = "api.shop.example.", **more):
    attrs = {"name": name, "type": "A", "zone_id": ZONE, "ttl": ttl, "routing_policy": policy, "set_identifier": set_id,
             "health_check_id": check, "latency_region": region, **more}
    return res("aws.route53.record", f"arn:aws:route53:::hostedzone/{ZONE}/recordset/{name}/A/{set_id}", region="global",
               tags=T, attrs=attrs, name=f"{name} A ({set_id})")


def health_check(check_id: str):
    return res("aws.route53.health_check", f"arn:aws:route53:::healthcheck/{check_id}", region="global",
               attrs={"request_interval": 10, "failure_threshold": 3})


def balancer(region: str):
    return res("aws.elbv2.load_balancer", f"arn:aws:elasticloadbalancing:{region}:111111111111:loadbalancer/app/web/{region}",
               region=region, zones=(region + "a", region + "b"), tags=T, attrs={"dns_name": f"web.{region}.elb.amazonaws.com"})


def failover_estate(primary_checked: bool, secondary_checked: bool):
    east, west = balancer("us-east-1"), balancer("us-west-2")
    primary = record("primary", policy="failover", failover="PRIMARY", check="hc-east" if primary_checked else None)
    secondary = record("secondary", policy="failover", failover="SECONDARY", check="hc-west" if secondary_checked else None)
    db = rds(retention=0)
    replica = replica_of(db, "arn:aws:rds:us-west-2:111111111111:db:orders-dr")
    web = [res("aws.ec2.instance", f"arn:aws:ec2:{r}:111111111111:instance/i-{r}", region=r, zones=(r + "a",), tags=T,
               attrs={"state": "running"}) for r in ("us-east-1", "us-west-2")]
    resources = [east, west, primary, secondary, db, replica, *web, health_check("hc-east"), health_check("hc-west")]
    relations = [(primary.id, east.id, "routes_to"), (secondary.id, west.id, "routes_to"), (replica.id, db.id, "replica_of")]
    return resources, relations, primary, secondary


def test_failover_with_a_health_checked_primary_and_an_unchecked_secondary_is_automatic():
    resources, relations, primary, secondary = failover_estate(primary_checked=True, secondary_checked=False)
    ctx, result = assess(resources, relations, apps=(app(entrypoints=("api.shop.example",)),))
    region = result["shop"].estimates["region_loss"]
    assert not [f for f in region.figures if f.source == "traffic_seconds.dns_manual_change"]
    traffic = [f for f in region.figures if f.basis == "observed" and ("TTL" in f.label or "health check" in f.label)]
    assert sum(f.seconds for f in traffic) == 60 + 10 * 3
    assert result["shop"].checks["dns_failover_ok"] is True
    for entry in (primary, secondary):  # both records of the pair give the same, automatic, answer
        figures, automatic, steps = entry_switch_time(ctx, entry)
        assert automatic and sum(f.seconds for f in figures) == 90
        assert any("treats it as healthy" in s.inference for s in steps)


def test_failover_whose_primary_has_no_health_check_needs_a_manual_change():
    resources, relations, primary, _ = failover_estate(primary_checked=False, secondary_checked=True)
    ctx, result = assess(resources, relations, apps=(app(entrypoints=("api.shop.example",)),))
    region = result["shop"].estimates["region_loss"]
    assert region.manual
    assert "traffic_seconds.dns_manual_change" in [f.source for f in region.figures]
    ok, reason, _ = dns_failover_ok(ctx, ctx.scope("shop"))
    assert ok is False and "PRIMARY" in reason and "primary" in reason and "no health check" in reason


def test_latency_regions_come_from_the_region_field_not_the_set_identifier():
    east, west = balancer("us-east-1"), balancer("us-west-2")
    blue = record("blue", policy="latency", region="us-east-1", check="hc-east")
    green = record("green", policy="latency", region="us-west-2", check="hc-west")
    ctx = context([east, west, blue, green, health_check("hc-east"), health_check("hc-west")],
                  [(blue.id, east.id, "routes_to"), (green.id, west.id, "routes_to")], apps=(app(),))
    pattern, steps = routing_pattern(ctx, ctx.scope("shop"))
    assert pattern == "multi_active"
    assert "2 records spread traffic over 2 regions" in steps[0].inference


def test_two_latency_records_in_one_region_are_not_multi_region():
    a = record("a", policy="latency", region="us-east-1", check="hc-east", ttl=60)
    b = record("b", policy="latency", region="us-east-1", check="hc-west", ttl=60)
    ctx = context([a, b, balancer("us-east-1"), health_check("hc-east"), health_check("hc-west")], apps=(app(),))
    assert routing_pattern(ctx, ctx.scope("shop"))[0] != "multi_active"


def test_latency_records_each_need_their_own_health_check():
    checked = record("east", policy="latency", region="us-east-1", check="hc-east")
    unchecked = record("west", policy="latency", region="us-west-2")
    ctx = context([checked, unchecked, health_check("hc-east")], apps=(app(entrypoints=("api.shop.example",)),))
    figures, automatic, steps = entry_switch_time(ctx, checked)
    assert not automatic and "west" in steps[-1].inference and "no health check" in steps[-1].inference
    assert dns_failover_ok(ctx, ctx.scope("shop"))[0] is False


def test_alias_evaluating_its_load_balancer_target_fails_over_without_a_health_check():
    primary = record("primary", policy="failover", failover="PRIMARY", ttl=None,
                     alias_dns_name="dualstack.web.us-east-1.elb.amazonaws.com.", evaluate_target_health=True)
    secondary = record("secondary", policy="failover", failover="SECONDARY", ttl=None,
                       alias_dns_name="dualstack.web.us-west-2.elb.amazonaws.com.", evaluate_target_health=False)
    ctx = context([primary, secondary], apps=(app(),))
    figures, automatic, _ = entry_switch_time(ctx, secondary)
    assert automatic
    assert [f.basis for f in figures] == ["observed", "assumed"] and figures[0].seconds == 60  # the ELB alias TTL


def traffic_manager(*, always_serve="Disabled", monitor_status="Online", profile_monitor="Online", interval=30):
    endpoints = [{"name": "primary", "priority": 1, "status": "Enabled", "monitor_status": monitor_status,
                  "always_serve": always_serve, "location": "West Europe"},
                 {"name": "standby", "priority": 2, "status": "Enabled", "monitor_status": "Online",
                  "always_serve": "Disabled", "location": "North Europe"}]
    return res("azure.network.traffic_manager_profile", "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/"
               "trafficmanagerprofiles/tm-shop", region="global", tags=T, account="s",
               attrs={"routing_method": "Priority", "ttl": 30, "monitor_interval_s": interval, "tolerated_failures": 3,
                      "profile_monitor_status": profile_monitor, "endpoint_count": 2, "endpoints": endpoints})


@pytest.mark.parametrize("profile, automatic", [
    (traffic_manager(), True),
    (traffic_manager(always_serve="Enabled"), False),        # the primary is never probed: always "healthy"
    (traffic_manager(monitor_status="Unmonitored"), False),
    (traffic_manager(profile_monitor="Disabled"), False),
    (traffic_manager(always_serve="Disabled", monitor_status="Degraded"), True),  # probed, failing: traffic moves
])
def test_traffic_manager_priority_profile_fails_over_only_on_a_probed_primary(profile, automatic):
    ctx = context([profile], apps=(app(entrypoints=(profile.id,)),))
    figures, is_automatic, steps = entry_switch_time(ctx, profile)
    assert is_automatic is automatic
    if automatic:
        assert sum(f.seconds for f in figures) == 30 + 30 * 3
    else:
        assert "traffic_seconds.dns_manual_change" in [f.source for f in figures]
    assert dns_failover_ok(ctx, ctx.scope("shop"))[0] is automatic


ASSET_NAME = "//dns.googleapis.com/projects/123/managedZones/shop/rrsets/api.shop.example./A"


def cloud_dns(routing_policy: dict) -> dict:
    """The `resource.data` of a Cloud Asset Inventory dns.googleapis.com/ResourceRecordSet."""
    return {"name": "api.shop.example.", "type": "A", "ttl": 30, "routingPolicy": routing_policy}


def cloud_dns_resource(data: dict):
    shape = dns_record_set(data, {}, "global")
    return res("gcp.dns.record_set", ASSET_NAME, region="global", tags=T, account="shop-prod", attrs=shape.attrs)


ILB = {"internalLoadBalancers": [{"loadBalancerType": "regionalL4ilb", "ipAddress": "10.0.0.5", "port": "443",
                                  "ipProtocol": "tcp", "networkUrl": "projects/shop-prod/global/networks/prod",
                                  "project": "shop-prod", "region": "us-central1"}]}


def test_cloud_dns_primary_backup_on_health_checked_targets_fails_over_by_itself():
    entry = cloud_dns_resource(cloud_dns({"primaryBackup": {
        "primaryTargets": ILB, "trickleTraffic": 0,
        "backupGeoTargets": {"items": [{"location": "us-east1", "rrdatas": ["10.1.0.5"]}]}}}))
    assert entry.attrs["routing_policy"] == "primary_backup" and entry.attrs["primary_health_checked"] is True
    ctx = context([entry], apps=(app(entrypoints=(ASSET_NAME,)),))
    assert entry_switch_time(ctx, entry)[1] is True
    assert dns_failover_ok(ctx, ctx.scope("shop"))[0] is True
    assert routing_pattern(ctx, ctx.scope("shop"))[0] == "failover"


def test_cloud_dns_geo_items_spread_over_regions_and_each_needs_health_checked_targets():
    checked = cloud_dns_resource(cloud_dns({"geo": {"enableFencing": False, "items": [
        {"location": "us-central1", "healthCheckedTargets": ILB},
        {"location": "us-east1", "healthCheckedTargets": ILB}]}}))
    ctx = context([checked], apps=(app(entrypoints=(ASSET_NAME,)),))
    assert entry_switch_time(ctx, checked)[1] is True
    assert routing_pattern(ctx, ctx.scope("shop"))[0] == "multi_active"
    partly = cloud_dns_resource(cloud_dns({"geo": {"items": [
        {"location": "us-central1", "healthCheckedTargets": ILB}, {"location": "us-east1", "rrdatas": ["10.1.0.5"]}]}}))
    ctx = context([partly], apps=(app(entrypoints=(ASSET_NAME,)),))
    ok, reason, _ = dns_failover_ok(ctx, ctx.scope("shop"))
    assert ok is False and "not every item has health-checked targets" in reason


def test_cloud_dns_record_set_without_a_routing_policy_is_a_manual_switch():
    entry = cloud_dns_resource({"name": "api.shop.example.", "type": "A", "ttl": 300, "rrdatas": ["10.0.0.5"]})
    ctx = context([entry], apps=(app(entrypoints=(ASSET_NAME,)),))
    assert entry_switch_time(ctx, entry)[1] is False
