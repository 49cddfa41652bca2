"""Runbooks list recovery steps in dependency order with concrete commands; diagrams are
deterministic, self-contained SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

from drscan.dr.diagram import render_svg
from drscan.dr.runbook import ORDER, build_runbook
from tests.dr.helpers import ACCOUNT, T, app, assess, rds, replica_of, res, service
from tests.dr.test_simulate import KEY, KEY_DR, web_group


def estate():
    key = res("aws.kms.key", KEY)
    key_dr = res("aws.kms.key", KEY_DR, region="us-west-2")
    db = rds(multi_az=True, retention=7)
    replica = replica_of(db, f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders-dr")
    vpc = res("aws.ec2.vpc", f"arn:aws:ec2:us-west-2:{ACCOUNT}:vpc/vpc-dr", region="us-west-2", tags={**T, "Name": "shop-dr"})
    web, relations = web_group()
    standby, standby_relations = web_group(region="us-west-2", key=KEY_DR)
    record = res("aws.route53.record", "arn:aws:route53:::hostedzone/Z9/record/shop", region="global",
                 attrs={"name": "shop.example.com.", "ttl": 300, "routing_policy": "simple", "zone_id": "Z9"})
    lb = res("aws.elbv2.load_balancer", f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/shop/1", tags=T,
             zones=("us-east-1a", "us-east-1b"), attrs={"dns_name": "shop-1.us-east-1.elb.amazonaws.com"})
    resources = [key, key_dr, db, replica, vpc, record, lb] + web + standby
    relations = relations + standby_relations + [(db.id, KEY, "encrypted_by"), (replica.id, db.id, "replica_of"),
                                                 (replica.id, KEY_DR, "encrypted_by"), (record.id, lb.id, "routes_to")]
    shop = app("shop", contacts=("oncall@shop.example", "+1 555 0100"), strategy="warm_standby",
               recovery_regions=("us-west-2",), entrypoints=("shop.example.com",), depends_on=("identity",))
    return resources, relations, (shop,), (service("identity", type="third_party"),)


def test_runbook_orders_dependencies_keys_data_compute_traffic_with_commands():
    resources, relations, apps, services = estate()
    ctx, result = assess(resources, relations, apps=apps, services=services)
    book = build_runbook(ctx, result["shop"], "region_loss", scan_id=7)
    layers = [s.layer for s in book.steps]
    assert layers == sorted(layers, key=ORDER.index), layers
    assert [s.order for s in book.steps] == list(range(1, len(book.steps) + 1))
    assert layers[0] == "dependencies" and book.steps[0].title == "Confirm identity is serving"
    by_layer = {layer: [s for s in book.steps if s.layer == layer] for layer in ORDER}
    assert any(KEY_DR == s.resource_id and "aws kms describe-key" in s.command for s in by_layer["keys_network"])
    assert not any(s.resource_id == KEY for s in by_layer["keys_network"])  # the primary key is lost with the region
    assert any("vpc-dr" in s.resource_id for s in by_layer["keys_network"])
    promote = [s for s in by_layer["data"] if "promote-read-replica" in s.command]
    assert promote and promote[0].command == "aws rds promote-read-replica --db-instance-identifier orders-dr --region us-west-2"
    assert promote[0].expected_seconds == 900 and promote[0].basis == "assumed"
    scale = by_layer["compute"]
    assert scale and "aws autoscaling update-auto-scaling-group --auto-scaling-group-name web" in scale[0].command
    assert "--region us-west-2" in scale[0].command
    traffic = by_layer["traffic"]
    assert traffic and "aws route53 change-resource-record-sets --hosted-zone-id Z9" in traffic[0].command
    markdown = book.to_markdown()
    assert markdown.startswith("# Recovery runbook: shop - region loss (region us-east-1)")
    for text in ("oncall@shop.example", "+1 555 0100", "| Targets | RPO 15 min, RTO 60 min |", "Expected RPO | 60 s",
                 "### Keys and network", "### Data", "### Compute", "### Traffic", "promote-read-replica"):
        assert text in markdown, text
    assert markdown.index("### Keys and network") < markdown.index("### Data") < markdown.index("### Compute") \
        < markdown.index("### Traffic")
    document = book.as_dict()
    assert document["expected"]["rpo_seconds"] == 60.0 and document["contacts"] == ["oncall@shop.example", "+1 555 0100"]
    assert document["steps"][0]["layer"] == "dependencies"


def test_corruption_runbook_restores_to_a_point_in_time():
    resources, relations, apps, services = estate()
    ctx, result = assess(resources, relations, apps=apps, services=services)
    book = build_runbook(ctx, result["shop"], "data_corruption", scan_id=7)
    data = [s for s in book.steps if s.layer == "data"]
    assert any("aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier orders" in s.command for s in data)
    assert not [s for s in book.steps if s.layer == "traffic"]


def test_diagram_is_deterministic_svg_with_failed_and_at_risk_nodes():
    resources, relations, apps, services = estate()
    ctx, result = assess(resources, relations, apps=apps, services=services)
    failed = {f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders"}
    first = render_svg(ctx, result["shop"], failed=failed)
    assert first == render_svg(ctx, result["shop"], failed=failed)
    root = ElementTree.fromstring(first)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    groups = root.findall("{http://www.w3.org/2000/svg}g")
    states = {g.find("{http://www.w3.org/2000/svg}title").text: g.get("class").split()[1] for g in groups}
    assert states[f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders"] == "failed"
    assert states[f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders-dr"] == "standby"
    assert states[result["shop"].single_points_of_failure[0]] in ("at_risk", "failed")
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "1. Keys & network" in texts and "4. Traffic" in texts
    # columns in recovery order: keys left of data left of compute left of traffic
    x = {g.find("{http://www.w3.org/2000/svg}title").text: float(g.find("{http://www.w3.org/2000/svg}rect").get("x"))
         for g in groups}
    assert x[KEY] < x[f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders"] < x[f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-shop0"] \
        < x[f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/shop/1"]
    assert "<script" not in first and "http://" not in first.replace("http://www.w3.org/2000/svg", "")
