"""RPO/RTO per mechanism and disruption, on hand-built graphs with answers worked out by hand
from drscan/dr/assumptions.yaml (decision 1800 s, RDS failover 120 s, promote 900 s, ...)."""

from __future__ import annotations

import pytest

from drscan.dr.model import DATA_LOST, ESTIMATED, FAIL, NOT_ASSESSABLE, NOT_ASSESSED, PASS
from tests.dr.helpers import T, app, assess, rds, replica_of, res

DB = "arn:aws:rds:us-east-1:111111111111:db:orders"


def estimates(resources, relations=(), **kw):
    _, result = assess(resources, relations, **kw)
    return result["shop"].estimates


def test_multi_az_database_survives_a_zone_with_automatic_failover_but_not_a_region():
    e = estimates([rds(retention=0)])
    zone = e["zone_loss"]
    assert (zone.rpo_seconds, zone.rpo_status, zone.rto_seconds) == (0.0, ESTIMATED, 120.0)
    assert zone.verdict == PASS and not zone.manual  # automatic failover: no decision time
    assert [f.source for f in zone.figures] == ["failover_seconds.rds_multi_az"]
    region = e["region_loss"]
    assert region.rpo_status == DATA_LOST and region.rpo_seconds is None and region.verdict == FAIL
    assert "no copy of orders survives region us-east-1" in region.rpo_reason
    corruption = e["data_corruption"]
    assert corruption.rpo_status == DATA_LOST  # the standby copies the corruption: no point-in-time copy
    assert e["provider_loss"].verdict == NOT_ASSESSED and "one provider" in e["provider_loss"].rpo_reason


def test_cross_region_read_replica_gives_replication_lag_rpo_and_promotion_rto():
    primary = rds(retention=0)
    replica = replica_of(primary, "arn:aws:rds:us-west-2:111111111111:db:orders-dr")
    e = estimates([primary, replica], [(replica.id, primary.id, "replica_of")])
    region = e["region_loss"]
    assert (region.rpo_seconds, region.rto_seconds) == (60.0, 1800.0 + 900.0)
    assert region.rpo_verdict == PASS and region.rto_verdict == PASS and region.verdict == PASS
    assert {f.source for f in region.figures} == {"decision_seconds", "promote_seconds.rds_read_replica"}
    steps = [s for s in region.evidence if s.attribute == "relation:replica_of"]
    assert steps and steps[0].resource_id == replica.id and "us-west-2" in steps[0].inference


def test_pitr_covers_corruption_with_an_assumed_restore_time_from_size():
    e = estimates([rds(multi_az=False, retention=7, size=200)])
    corruption = e["data_corruption"]
    assert corruption.rpo_seconds == 300.0 and corruption.rpo_verdict == PASS
    # decision 1800 + restore set-up 1800 + 200 GB at 500 GB/h (1440 s) = 5040 s > 1 h target
    assert corruption.rto_seconds == pytest.approx(5040.0)
    assert corruption.rto_verdict == FAIL and corruption.verdict == FAIL
    assert all(f.basis == "assumed" for f in corruption.figures)


def test_measured_restore_job_replaces_the_assumed_restore_time():
    db = rds(multi_az=False, retention=7, size=200)
    job = res("aws.backup.restore_job", "arn:aws:backup:us-east-1:111111111111:restore-job:r1",
              attrs={"status": "COMPLETED", "created_at": "2026-11-01T10:00:00Z", "completed_at": "2026-11-01T10:20:00Z"})
    e = estimates([db, job], [(job.id, db.id, "restore_of")])
    corruption = e["data_corruption"]
    assert corruption.rto_seconds == pytest.approx(1800.0 + 1200.0)  # decision + measured 20 min
    measured = [f for f in corruption.figures if f.basis == "measured"]
    assert len(measured) == 1 and measured[0].source == job.id and measured[0].seconds == 1200.0
    assert corruption.as_dict()["figures"]["measured"][0]["source"] == job.id
    assert corruption.verdict == PASS


def test_dynamodb_global_table_and_pitr():
    table = res("aws.dynamodb.table", "arn:aws:dynamodb:us-east-1:111111111111:table/ledger", tags=T,
                attrs={"pitr_enabled": True, "replica_regions": ["us-west-2"], "size_bytes": 50_000_000_000})
    e = estimates([table])
    assert (e["zone_loss"].rpo_seconds, e["zone_loss"].rto_seconds) == (0.0, 0.0)
    # the replica is writable already: no promotion and no human decision, only replication lag
    assert (e["region_loss"].rpo_seconds, e["region_loss"].rto_seconds) == (1.0, 0.0)
    # decision 1800 + set-up 1800 + 50 GB at 100 GB/h (1800 s)
    assert (e["data_corruption"].rpo_seconds, e["data_corruption"].rto_seconds) == (300.0, pytest.approx(5400.0))
    assert e["account_compromise"].rpo_status == DATA_LOST  # PITR and the replica live in the same account


def test_s3_versioning_covers_corruption_but_only_object_lock_covers_account_compromise():
    plain = res("aws.s3.bucket", "arn:aws:s3:::docs", tags=T,
                attrs={"versioning": "Enabled", "object_lock_enabled": False, "replication_enabled": False,
                       "replication_destinations": []})
    e = estimates([plain])
    assert e["data_corruption"].rpo_seconds == 0.0 and e["data_corruption"].rpo_verdict == PASS
    assert e["data_corruption"].rto_status == NOT_ASSESSABLE  # bucket size is not in the inventory
    assert e["data_corruption"].verdict == NOT_ASSESSED
    assert e["account_compromise"].rpo_status == DATA_LOST
    assert e["region_loss"].rpo_status == DATA_LOST
    locked = res("aws.s3.bucket", "arn:aws:s3:::docs", tags=T, attrs={**plain.attrs, "object_lock_enabled": True})
    assert estimates([locked])["account_compromise"].rpo_seconds == 0.0


def _backup_estate(points, copy=True, locked=True):
    volume = res("aws.ec2.volume", "arn:aws:ec2:us-east-1:111111111111:volume/vol-1", zones=("us-east-1a",), tags=T,
                 attrs={"size_gb": 100})
    plan_id = "arn:aws:backup:us-east-1:111111111111:backup-plan:p1"
    destination = "arn:aws:backup:us-west-2:222222222222:backup-vault:dr"
    plan = res("aws.backup.plan", plan_id, attrs={"rules": [{"name": "daily", "schedule": "cron(0 5 ? * * *)",
                                                              "target_vault": "main", "continuous": False,
                                                              "copy_destinations": [destination] if copy else []}]})
    selection = res("aws.backup.selection", plan_id + "/selection/s1", attrs={"resources": [volume.id]})
    vault = res("aws.backup.vault", destination, region="us-west-2", account="222222222222", attrs={"locked": locked})
    resources = [volume, plan, selection, vault]
    relations = [(selection.id, volume.id, "protects"), (selection.id, plan.id, "selection_of")]
    for n, (region, account, created) in enumerate(points):
        point = res("aws.backup.recovery_point", f"arn:aws:backup:{region}:{account}:recovery-point:rp{n}", region=region,
                    account=account, attrs={"status": "COMPLETED", "created_at": created})
        resources.append(point)
        relations.append((point.id, volume.id, "recovery_point_of"))
    return resources, relations


def test_aws_backup_plan_with_cross_account_copy_gives_interval_based_rpo_per_disruption():
    resources, relations = _backup_estate([("us-east-1", "111111111111", "2026-11-20T05:00:00Z"),
                                           ("us-west-2", "222222222222", "2026-11-20T05:40:00Z")])
    ctx, result = assess(resources, relations)
    e = result["shop"].estimates
    assert e["zone_loss"].rpo_seconds == 86400.0  # the local vault is regional: survives the zone
    assert e["data_corruption"].rpo_seconds == 86400.0
    assert e["region_loss"].rpo_seconds == 86400.0 + 3600.0  # daily + assumed copy time
    assert e["account_compromise"].rpo_seconds == 86400.0 + 3600.0
    checks = result["shop"].checks
    assert checks["backup_interval_seconds_max"] == 86400 and checks["backup_interval_within_rpo"] is False
    assert checks["cross_region_copy"] is True and checks["cross_account_copy"] is True and checks["immutable_copy"] is True
    assert checks["latest_recovery_point_age_seconds"] == 1200.0 and checks["recovery_points_fresh"] is True


def test_schedule_that_stopped_producing_backups_is_caught():
    resources, relations = _backup_estate([("us-east-1", "111111111111", "2026-11-17T05:00:00Z")], copy=False)
    _, result = assess(resources, relations)
    corruption = result["shop"].estimates["data_corruption"]
    assert corruption.rpo_seconds == 3 * 86400.0 + 3600.0  # now - latest point, not the 24 h schedule
    assert corruption.stores[0].mechanism.stopped
    assert any("backups have stopped" in s.inference for s in corruption.evidence)
    assert result["shop"].checks["recovery_points_fresh"] is False
    assert result["shop"].estimates["region_loss"].rpo_status == DATA_LOST  # no copy outside the region


def test_dlm_schedule_with_cross_region_copy():
    volume = res("aws.ec2.volume", "arn:aws:ec2:us-east-1:111111111111:volume/vol-2", zones=("us-east-1b",), tags=T,
                 attrs={"size_gb": 10})
    policy = res("aws.dlm.lifecycle_policy", "arn:aws:dlm:us-east-1:111111111111:policy/p", attrs={
        "state": "ENABLED", "schedules": [{"interval_hours": 12, "cross_region_copy_regions": ["us-west-2"]}]})
    e = estimates([volume, policy], [(policy.id, volume.id, "protects")])
    assert e["data_corruption"].rpo_seconds == 43200.0
    assert e["region_loss"].rpo_seconds == 43200.0 + 3600.0
    disabled = res("aws.dlm.lifecycle_policy", policy.id, attrs={**policy.attrs, "state": "DISABLED"})
    assert estimates([volume, disabled], [(policy.id, volume.id, "protects")])["data_corruption"].rpo_status == DATA_LOST


def test_gcp_snapshot_schedule_in_a_multi_region_survives_region_loss():
    disk = res("gcp.compute.disk", "//compute.googleapis.com/projects/p/zones/us-central1-a/disks/d", region="us-central1",
               zones=("us-central1-a",), account="p", tags=T, attrs={"regional": False, "size_gb": 50})
    policy = res("gcp.compute.resource_policy", "//compute.googleapis.com/projects/p/regions/us-central1/resourcePolicies/daily",
                 region="us-central1", account="p", attrs={"snapshot_schedule": True, "interval_hours": 24,
                                                           "storage_locations": ["us"]})
    e = estimates([disk, policy], [(disk.id, policy.id, "scheduled_by")], apps=(app(primary_region="us-central1"),))
    assert e["region_loss"].rpo_seconds == 86400.0
    assert e["zone_loss"].rpo_seconds == 86400.0


def test_cloud_sql_high_availability_and_cross_region_replica():
    primary = res("gcp.sql.instance", "//cloudsql.googleapis.com/projects/p/instances/main", region="us-central1",
                  zones=("us-central1-b", "us-central1-c"), account="p", tags=T,
                  attrs={"availability_type": "REGIONAL", "backups_enabled": True, "pitr_enabled": True, "disk_size_gb": 100})
    replica = res("gcp.sql.instance", "//cloudsql.googleapis.com/projects/p/instances/main-east", region="us-east1",
                  zones=("us-east1-c",), account="p", tags=T, attrs={"availability_type": "ZONAL", "is_replica": True})
    e = estimates([primary, replica], [(replica.id, primary.id, "replica_of")], apps=(app(primary_region="us-central1"),))
    assert (e["zone_loss"].rpo_seconds, e["zone_loss"].rto_seconds) == (0.0, 60.0)
    assert (e["region_loss"].rpo_seconds, e["region_loss"].rto_seconds) == (60.0, 1800.0 + 600.0)
    assert e["data_corruption"].rpo_seconds == 300.0


def test_azure_sql_geo_replica_and_storage_account_redundancy():
    db = res("azure.sql.database", "/subscriptions/s/resourcegroups/rg/providers/microsoft.sql/servers/a/databases/db",
             region="westeurope", account="s", tags=T,
             attrs={"zone_redundant": True, "backup_redundancy": "Geo", "geo_backup": True, "is_secondary": False,
                    "max_size_bytes": 10_000_000_000})
    secondary = res("azure.sql.database", "/subscriptions/s/resourcegroups/rg/providers/microsoft.sql/servers/b/databases/db",
                    region="northeurope", account="s", tags=T, attrs={"is_secondary": True})
    account = res("azure.storage.account", "/subscriptions/s/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st",
                  region="westeurope", account="s", tags=T,
                  attrs={"sku": "Standard_GRS", "geo_redundant": True, "zone_redundant": False, "secondary_location": "northeurope"})
    e = estimates([db, secondary, account], [(secondary.id, db.id, "replica_of")], apps=(app(primary_region="westeurope"),))
    region = e["region_loss"]
    stores = {s.store_id: s for s in region.stores}
    assert stores[db.id].rpo_seconds == 5.0
    assert stores[account.id].rpo_seconds == 900.0 and region.rpo_seconds == 900.0
    assert e["zone_loss"].stores[0].rpo_seconds == 0.0  # zone-redundant database
    zone_stores = {s.store_id: s for s in e["zone_loss"].stores}
    # GRS keeps one zone's worth of copies in the primary region: after a zone loss only the
    # asynchronous secondary region has the data.
    assert zone_stores[account.id].rpo_seconds == 900.0 and "geo-replication" in zone_stores[account.id].reason
    corruption = {s.store_id: s for s in e["data_corruption"].stores}
    assert corruption[db.id].rpo_seconds == 600.0
    assert corruption[account.id].rpo_status == NOT_ASSESSABLE  # blob versioning is not collected
    assert e["data_corruption"].rpo_status == NOT_ASSESSABLE


def test_missing_attributes_make_the_estimate_not_assessable_never_pass():
    db = rds(multi_az=None, retention=None)
    e = estimates([db])
    for disruption in ("zone_loss", "data_corruption"):
        assert e[disruption].rpo_status == NOT_ASSESSABLE, disruption
        assert e[disruption].verdict == NOT_ASSESSED
        assert "not known" in e[disruption].rpo_reason


def test_app_without_data_stores_loses_no_data_and_without_members_is_not_assessed():
    function = res("aws.lambda.function", "arn:aws:lambda:us-east-1:111111111111:function:f", tags=T)
    e = estimates([function])
    assert e["data_corruption"].rpo_seconds == 0.0 and e["data_corruption"].verdict == PASS
    nobody = estimates([res("aws.s3.bucket", "arn:aws:s3:::other", tags={"app": "else"})])
    assert all(x.verdict == NOT_ASSESSED for x in nobody.values())


def test_dns_failover_record_with_health_check_gives_observed_traffic_switch_time():
    primary = rds(retention=0)
    replica = replica_of(primary, "arn:aws:rds:us-west-2:111111111111:db:orders-dr")
    lb = res("aws.elbv2.load_balancer", "arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/web/1", tags=T,
             zones=("us-east-1a", "us-east-1b"), attrs={"dns_name": "web-1.us-east-1.elb.amazonaws.com"})
    web = res("aws.ec2.instance", "arn:aws:ec2:us-east-1:111111111111:instance/i-1", zones=("us-east-1a",), tags=T,
              attrs={"state": "running"})
    record = res("aws.route53.record", "arn:aws:route53:::hostedzone/Z1/record/shop.example.com/A/primary", region="global",
                 attrs={"name": "shop.example.com.", "ttl": 60, "routing_policy": "failover", "failover": "PRIMARY",
                        "zone_id": "Z1", "health_check_id": "hc1"})
    check = res("aws.route53.health_check", "arn:aws:route53:::healthcheck/hc1", region="global",
                attrs={"request_interval": 10, "failure_threshold": 3})
    ctx, result = assess([primary, replica, lb, web, record, check],
                         [(replica.id, primary.id, "replica_of"), (record.id, lb.id, "routes_to"), (record.id, check.id, "checked_by")],
                         apps=(app(entrypoints=("shop.example.com",)),))
    region = result["shop"].estimates["region_loss"]
    observed = [f for f in region.figures if f.basis == "observed"]
    assert sum(f.seconds for f in observed) == 60 + 10 * 3
    checks = result["shop"].checks
    assert checks["dns_failover_ok"] is True
    assert checks["entrypoints_monitored"] is True
    # replicated data, no compute in us-west-2: pilot light, so compute must be started there.
    assert result["shop"].strategy.detected == "pilot_light"
    # decision 1800 + max(promote 900, start compute 1800) + DNS 60 + 10 x 3
    assert region.rto_seconds == pytest.approx(1800 + 1800 + 90)
