"""Failure simulation: cascades through a shared KMS key, a shared database and app
dependencies; zone loss takes volumes with their instances; single points of failure."""

from __future__ import annotations

import pytest

from drscan.dr.assess import prepare
from drscan.dr.simulate import (FAILOVER, KEEPS_SERVING, LOSES_DATA, RESTORE, Failure, parse_failure, simulate,
                                single_points_of_failure)
from drscan.errors import InputError
from tests.dr.helpers import ACCOUNT, T, app, context, rds, replica_of, res, service

KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1111aaaa-0000-0000-0000-000000000001"
KEY_DR = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/2222bbbb-0000-0000-0000-000000000002"


def run(ctx, *specs):
    names = [a.name for a in ctx.config.apps] + [s.name for s in ctx.config.shared_services]
    result = simulate(ctx, tuple(parse_failure(s) for s in specs), {n: prepare(ctx, n) for n in names})
    return {o.name: o for o in result.apps + result.services}, result


def web_group(region="us-east-1", tags=T, key=KEY):
    """An autoscaling group of two instances in two zones, each with an encrypted root volume."""
    group = res("aws.autoscaling.group", f"arn:aws:autoscaling:{region}:{ACCOUNT}:autoScalingGroup:g:autoScalingGroupName/web",
                region=region, tags=tags, zones=(region + "a", region + "b"),
                attrs={"availability_zones": [region + "a", region + "b"], "min_size": 2})
    resources, relations = [group], []
    for n, zone in enumerate((region + "a", region + "b")):
        instance = res("aws.ec2.instance", f"arn:aws:ec2:{region}:{ACCOUNT}:instance/i-{tags['app']}{n}", region=region,
                       zones=(zone,), tags=tags, attrs={"state": "running"})
        volume = res("aws.ec2.volume", f"arn:aws:ec2:{region}:{ACCOUNT}:volume/vol-{tags['app']}{n}", region=region,
                     zones=(zone,), tags=tags, attrs={"size_gb": 8})
        resources += [instance, volume]
        relations += [(group.id, instance.id, "manages"), (volume.id, instance.id, "attached_to"), (volume.id, key, "encrypted_by")]
    return resources, relations


def kms_estate():
    key = res("aws.kms.key", KEY, attrs={"key_state": "Enabled"})
    key_dr = res("aws.kms.key", KEY_DR, region="us-west-2", attrs={"key_state": "Enabled"})
    db = rds(multi_az=True, retention=7)
    replica = replica_of(db, f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders-dr")
    bucket = res("aws.s3.bucket", "arn:aws:s3:::reports-archive", tags={"app": "reports"},
                 attrs={"versioning": "Enabled", "object_lock_enabled": False, "replication_enabled": False,
                        "replication_destinations": []})
    web, web_relations = web_group()
    relations = [(db.id, KEY, "encrypted_by"), (replica.id, db.id, "replica_of"), (replica.id, KEY_DR, "encrypted_by"),
                 (bucket.id, KEY, "encrypted_by")] + web_relations
    return [key, key_dr, db, replica, bucket] + web, relations


def test_disabled_shared_kms_key_takes_down_everything_it_encrypts():
    resources, relations = kms_estate()
    ctx = context(resources, relations, apps=(app("shop"), app("reports", tier=2)))
    outcomes, result = run(ctx, f"kms:{KEY.rsplit('/', 1)[-1]}")  # key id, not ARN
    shop, reports = outcomes["shop"], outcomes["reports"]
    # The database is lost with its key, but the replica in us-west-2 uses another key: failover.
    assert shop.outcome == FAILOVER
    assert any("read replica orders-dr" in a for a in shop.actions)
    assert any(s.attribute == "relation:encrypted_by" and "cannot decrypt" in s.inference for s in shop.cascade)
    failed_volume = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-shop0"
    assert failed_volume in result.failed_ids and f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-shop0" in result.failed_ids
    # The bucket's old versions are encrypted with the same key: nothing survives.
    assert reports.outcome == LOSES_DATA and reports.data_loss_status == "data_lost" and reports.verdict == "FAIL"
    assert KEY_DR not in result.failed_ids and f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders-dr" not in result.failed_ids


def test_replica_encrypted_with_the_same_key_does_not_save_the_database():
    resources, relations = kms_estate()
    relations = [r for r in relations if r != (f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders-dr", KEY_DR, "encrypted_by")]
    relations.append((f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders-dr", KEY, "encrypted_by"))  # a multi-region key, say
    ctx = context(resources, relations, apps=(app("shop"),))
    outcomes, _ = run(ctx, f"kms:{KEY}")
    assert outcomes["shop"].outcome == LOSES_DATA


def test_shared_database_failure_cascades_to_every_dependent_app():
    db = rds(multi_az=False, retention=7, tags={"team": "core"})
    a_fn = res("aws.lambda.function", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:a", tags={"app": "a"})
    b_fn = res("aws.lambda.function", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:b", tags={"app": "b"})
    c_fn = res("aws.lambda.function", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:c", tags={"app": "c"})
    core = service("core-db", member_ids=(db.id,))
    apps = (app("a", depends_on=("core-db",)), app("b", depends_on=("core-db",)), app("c", depends_on=("a",)))
    ctx = context([db, a_fn, b_fn, c_fn], apps=apps, services=(core,))
    outcomes, _ = run(ctx, f"resource:{db.id}")
    assert outcomes["core-db"].outcome == RESTORE  # point-in-time restore of the shared database
    assert outcomes["a"].outcome == RESTORE and outcomes["b"].outcome == RESTORE
    assert any(s.attribute == "depends_on" and "core-db" in s.value for s in outcomes["a"].cascade)
    assert outcomes["c"].outcome == RESTORE and any("depends on a" in s.inference for s in outcomes["c"].cascade)
    # a third-party outage declared as a shared service
    ctx = context([db, a_fn, b_fn, c_fn], apps=apps, services=(core, service("payments-api", type="third_party")))
    outcomes, _ = run(ctx, "service:core-db")
    assert outcomes["a"].outcome == FAILOVER and outcomes["c"].outcome == FAILOVER


def test_zone_loss_takes_volumes_with_their_instances_and_the_group_keeps_serving():
    web, relations = web_group()
    single = res("aws.ec2.instance", f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-admin", zones=("us-east-1a",),
                 tags={**T, "Name": "admin"}, attrs={"state": "running"})
    disk = res("aws.ec2.volume", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-admin", zones=("us-east-1a",), tags=T,
               attrs={"size_gb": 20})
    db = rds(multi_az=True, retention=7)
    ctx = context(web + [single, disk, db], relations + [(disk.id, single.id, "attached_to")], apps=(app("shop"),))
    outcomes, result = run(ctx, "zone:us-east-1a")
    assert disk.id in result.failed_ids and f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-shop0" in result.failed_ids
    shop = outcomes["shop"]
    # The admin instance's disk had no backup: its data is lost; the group and the Multi-AZ DB carry on.
    assert shop.outcome == LOSES_DATA and any("vol-admin: no surviving copy" in a for a in shop.actions)
    assert db.id not in result.failed_ids
    ctx = context(web + [db], relations, apps=(app("shop"),))
    outcomes, _ = run(ctx, "zone:us-east-1a")
    assert outcomes["shop"].outcome == KEEPS_SERVING and outcomes["shop"].verdict == "PASS"


def test_region_loss_with_replica_recovers_after_failover_with_time_and_data_loss():
    db = rds(multi_az=True, retention=7)
    replica = replica_of(db, f"arn:aws:rds:us-west-2:{ACCOUNT}:db:orders-dr")
    ctx = context([db, replica], [(replica.id, db.id, "replica_of")], apps=(app("shop"),))
    outcomes, _ = run(ctx, "region:us-east-1")
    shop = outcomes["shop"]
    assert shop.outcome == FAILOVER and shop.data_loss_seconds == 60.0
    assert shop.recovery_seconds == 1800.0 + 900.0 and shop.verdict == "PASS"


def test_single_points_of_failure_of_a_tier_one_app():
    web, relations = web_group()
    lb = res("aws.elbv2.load_balancer", f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:loadbalancer/app/shop/1", tags=T,
             zones=("us-east-1a", "us-east-1b"), attrs={"dns_name": "shop-1.elb.amazonaws.com"})
    key = res("aws.kms.key", KEY)
    db = rds(multi_az=True, retention=7)
    ctx = context(web + [lb, key, db], relations + [(db.id, KEY, "encrypted_by")], apps=(app("shop"),))
    names = ["shop"]
    spofs = dict(single_points_of_failure(ctx, "shop", {n: prepare(ctx, n) for n in names}))
    assert spofs[lb.id] == FAILOVER  # the only entrypoint
    assert spofs[db.id] == RESTORE  # the standby dies with the instance; PITR remains
    assert spofs[KEY] == LOSES_DATA  # backups are encrypted with it too
    for n in (0, 1):  # one instance of a two-zone group is not a single point of failure
        assert f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-shop{n}" not in spofs


@pytest.mark.parametrize("text", ["bogus", "region:", "planet:earth", "zone"])
def test_malformed_failure_specs_are_input_errors(text):
    with pytest.raises(InputError, match="expected one of"):
        parse_failure(text)


def test_failures_that_match_nothing_are_input_errors_naming_known_values():
    ctx = context([rds()], apps=(app("shop"),))
    with pytest.raises(InputError, match=r"region:mars-1.*known: us-east-1"):
        run(ctx, "region:mars-1")
    with pytest.raises(InputError, match="no KMS key"):
        run(ctx, "kms:nope")
    with pytest.raises(InputError, match="no app or shared service"):
        run(ctx, "service:nope")
    assert Failure("zone", "a").spec == "zone:a"
