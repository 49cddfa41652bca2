"""Strategy detection from what runs in the recovery region, one estate per strategy."""

from __future__ import annotations

from tests.dr.helpers import T, app, assess, rds, replica_of, res


def instances(region: str, count: int, stem: str = "web", state: str = "running"):
    return [res("aws.ec2.instance", f"arn:aws:ec2:{region}:111111111111:instance/i-{stem}{region[-1]}{n}", region=region,
                zones=(f"{region}{'abc'[n % 3]}",), tags={**T, "Name": f"{stem}-{n}"}, attrs={"state": state})
            for n in range(count)]


def detect(resources, relations=(), **app_kw):
    _, result = assess(resources, relations, apps=(app(**app_kw),))
    return result["shop"].strategy


def test_nothing_outside_the_primary_region_is_none():
    strategy = detect([rds(retention=0)] + instances("us-east-1", 2))
    assert strategy.detected == "none" and strategy.recovery_regions == ()


def test_only_backup_copies_in_the_recovery_region_is_backup_and_restore():
    db = rds(retention=0)
    plan = res("aws.backup.plan", "arn:aws:backup:us-east-1:111111111111:backup-plan:p", attrs={"rules": [
        {"name": "daily", "schedule": "cron(0 3 * * ? *)", "target_vault": "v",
         "copy_destinations": ["arn:aws:backup:us-west-2:111111111111:backup-vault:dr"]}]})
    selection = res("aws.backup.selection", plan.id + "/selection/s")
    strategy = detect([db, plan, selection] + instances("us-east-1", 2),
                      [(selection.id, db.id, "protects"), (selection.id, plan.id, "selection_of")])
    assert strategy.detected == "backup_restore" and strategy.recovery_regions == ("us-west-2",)


def test_replicated_data_without_compute_is_pilot_light():
    db = rds(retention=0)
    replica = replica_of(db, "arn:aws:rds:us-west-2:111111111111:db:dr")
    strategy = detect([db, replica] + instances("us-east-1", 4), [(replica.id, db.id, "replica_of")])
    assert strategy.detected == "pilot_light" and strategy.capacity_ratio == 0.0


def test_replicated_data_and_scaled_down_compute_is_warm_standby_and_is_compared_with_the_declaration():
    db = rds(retention=0)
    replica = replica_of(db, "arn:aws:rds:us-west-2:111111111111:db:dr")
    strategy = detect([db, replica] + instances("us-east-1", 4) + instances("us-west-2", 1),
                      [(replica.id, db.id, "replica_of")], strategy="pilot_light")
    assert strategy.detected == "warm_standby" and strategy.capacity_ratio == 0.25
    assert strategy.declared == "pilot_light" and strategy.matches is False
    assert any("declared pilot_light" in s.inference for s in strategy.evidence)


def test_stopped_standby_instances_count_as_switched_off():
    db = rds(retention=0)
    replica = replica_of(db, "arn:aws:rds:us-west-2:111111111111:db:dr")
    strategy = detect([db, replica] + instances("us-east-1", 4) + instances("us-west-2", 4, state="stopped"),
                      [(replica.id, db.id, "replica_of")])
    assert strategy.detected == "pilot_light"


def test_serving_from_two_regions_behind_latency_routing_is_active_active():
    table_east = res("aws.dynamodb.table", "arn:aws:dynamodb:us-east-1:111111111111:table/orders", tags=T,
                     attrs={"pitr_enabled": True, "replica_regions": ["us-west-2"]})
    table_west = res("aws.dynamodb.table", "arn:aws:dynamodb:us-west-2:111111111111:table/orders", region="us-west-2", tags=T,
                     attrs={"pitr_enabled": True, "replica_regions": ["us-east-1"]})
    lbs, records, relations = [], [], []
    for region in ("us-east-1", "us-west-2"):
        lb = res("aws.elbv2.load_balancer", f"arn:aws:elasticloadbalancing:{region}:111111111111:loadbalancer/app/web/{region}",
                 region=region, tags=T, attrs={"dns_name": f"web.{region}.elb.amazonaws.com"})
        check = res("aws.route53.health_check", f"arn:aws:route53:::healthcheck/{region}", region="global",
                    attrs={"request_interval": 10, "failure_threshold": 3})
        record = res("aws.route53.record", f"arn:aws:route53:::hostedzone/Z/record/api/{region}", region="global", tags=T,
                     attrs={"name": "api.shop.example.", "ttl": 60, "routing_policy": "latency", "set_identifier": region})
        lbs += [lb, check]
        records.append(record)
        relations += [(record.id, lb.id, "routes_to"), (record.id, check.id, "checked_by")]
    strategy = detect([table_east, table_west] + lbs + records + instances("us-east-1", 3) + instances("us-west-2", 3),
                      relations, recovery_regions=("us-west-2",))
    assert strategy.detected == "active_active"
    assert strategy.capacity_ratio == 1.0
