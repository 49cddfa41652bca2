"""The time of the data: ages (access keys, service-account keys, recovery points, restore tests)
are measured as of when each resource's data was captured (AWS Config capture time, Cloud Asset
readTime or newest updateTime, a date in the file's name, else the file's mtime), shown as
"data as of" in every report; --as-of still fixes one moment for everything."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from drscan import api
from drscan.collect.inventory import file_time, import_inventory
from drscan.config import Config, load_config
from drscan.dr.assess import new_context
from drscan.dr.copies import recovery_points, regional_copy, scheduled_copy
from drscan.graph.backups import judge_backups, link_backups
from drscan.graph.build import build_graph
from drscan.model import Inventory, Status
from tests.collect.kubernetes import estate
from tests.conftest import FIXED_NOW
from tests.dr import test_database_backups as backup_tests
from tests.dr.helpers import graph, rds, res
from tests.test_cli import drscan

HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
          "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
          "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
          "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,"
          "cert_2_last_rotated")
CAPTURE = datetime(2026, 6, 1, 6, 0, tzinfo=timezone.utc)  # five months before the tests' "now"
K8S_APPS = """apps:
  - {name: payments, tier: 1, rpo: 2h, rto: 4h, members: {namespaces: [payments]}}
"""


def credential_report(directory: Path, name: str, rotated: datetime) -> Path:
    row = (f"ci-bot,arn:aws:iam::111111111111:user/ci-bot,2025-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,"
           f"{rotated.isoformat()},N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")
    path = directory / name
    path.write_text(HEADER + "\n" + row + "\n")
    old = (FIXED_NOW - timedelta(days=1)).timestamp()
    os.utime(path, (old, old))  # copied yesterday: the mtime says nothing about when the report was generated
    return path


def config_snapshot(directory: Path, captured: datetime) -> Path:
    item = {"configurationItemCaptureTime": captured.isoformat().replace("+00:00", "Z"), "configurationItemStatus": "OK",
            "awsAccountId": "111111111111", "awsRegion": "us-east-1", "resourceType": "AWS::S3::Bucket",
            "resourceId": "acme-logs", "resourceName": "acme-logs", "ARN": "arn:aws:s3:::acme-logs",
            "configuration": {"name": "acme-logs"}, "supplementaryConfiguration": {}, "tags": {}}
    path = directory / "config-snapshot.json"
    path.write_text(json.dumps({"fileVersion": "1.0", "configurationItems": [item]}))
    return path


def key_age_status(result) -> Status:
    (finding,) = [f for f in result.scan.findings if f.rule_id == "aws-iam-user-access-key-age"]
    return finding.status


def test_an_old_credential_report_is_judged_as_of_the_date_in_its_name(tmp_path):
    # rotated 61 days before the report was generated: fine then, 233 days old by FIXED_NOW
    credential_report(tmp_path, "credential-report-2026-06-01T06-00-00.csv", CAPTURE - timedelta(days=61))
    as_captured = api.scan(tmp_path, formats=(), fail_on="none")
    assert key_age_status(as_captured) is Status.PASS
    assert as_captured.scan.scope["as_of"] == "2026-06-01T06:00:00.000Z"
    assert as_captured.scan.scope["data_as_of"] == {"oldest": "2026-06-01T06:00:00Z", "newest": "2026-06-01T06:00:00Z",
                                                    "basis": "capture time of the data"}
    overridden = api.scan(tmp_path, formats=(), fail_on="none", as_of=FIXED_NOW)
    assert key_age_status(overridden) is Status.FAIL
    assert overridden.scan.scope["as_of_basis"] == "--as-of"


def test_aws_config_items_carry_their_capture_time(tmp_path):
    config_snapshot(tmp_path, CAPTURE)
    (bucket,) = import_inventory(tmp_path).resources
    assert bucket.observed_at == "2026-06-01T06:00:00Z"


def test_each_resource_is_judged_as_of_its_own_capture_when_sources_differ(tmp_path):
    config_snapshot(tmp_path, FIXED_NOW - timedelta(hours=2))  # a fresh export
    credential_report(tmp_path, "credential-report-2026-06-01T06-00-00.csv", CAPTURE - timedelta(days=61))
    result = api.scan(tmp_path, formats=("json",), out_dir=tmp_path / "out", fail_on="none")
    assert key_age_status(result) is Status.PASS  # the old report is still judged as of its own generation
    span = result.context["scan"]["data_as_of"]
    assert (span["oldest"], span["newest"]) == ("2026-06-01T06:00:00Z", "2026-11-20T04:00:00Z")
    assert span["text"] == "2026-06-01T06:00:00Z to 2026-11-20T04:00:00Z (each resource judged as of its capture time)"
    written = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert written["scan"]["data_as_of"]["oldest"] == "2026-06-01T06:00:00Z"


def test_every_report_shows_data_as_of(tmp_path):
    credential_report(tmp_path, "credential-report-2026-06-01T06-00-00.csv", CAPTURE - timedelta(days=61))
    out = tmp_path / "out"
    result = drscan("scan", "--import", str(tmp_path), "--out", str(out), "--format", "json,html", "--fail-on", "none")
    assert result.returncode == 0, result.stderr
    assert "Data as of 2026-06-01T06:00:00Z" in result.stdout
    assert "<dt>Data as of</dt><dd>2026-06-01T06:00:00Z</dd>" in (out / "report.html").read_text()
    assert json.loads((out / "findings.json").read_text())["scan"]["data_as_of"]["newest"] == "2026-06-01T06:00:00Z"


def test_cloud_asset_listing_is_dated_by_its_read_time_and_an_export_by_its_newest_update(tmp_path):
    asset = {"name": "//iam.googleapis.com/projects/p/serviceAccounts/sa@p.iam.gserviceaccount.com/keys/k1",
             "assetType": "iam.googleapis.com/ServiceAccountKey", "updateTime": "2026-01-01T00:00:00Z",
             "resource": {"version": "v1", "data": {"name": "projects/p/serviceAccounts/sa/keys/k1", "keyType": "USER_MANAGED",
                                                    "validAfterTime": "2026-03-15T00:00:00Z"}}}
    listing = tmp_path / "listing" / "assets.json"
    listing.parent.mkdir()
    listing.write_text(json.dumps({"readTime": "2026-05-01T12:00:00.123456Z", "assets": [asset]}))
    (key,) = import_inventory(listing.parent).resources
    assert key.observed_at == "2026-05-01T12:00:00Z"
    export = tmp_path / "export" / "assets.ndjson"
    export.parent.mkdir()
    export.write_text(json.dumps(asset) + "\n" + json.dumps({**asset, "name": asset["name"][:-1] + "2",
                                                              "updateTime": "2026-04-30T08:00:00Z"}) + "\n")
    assert {r.observed_at for r in import_inventory(export.parent).resources} == {"2026-04-30T08:00:00Z"}
    # the service-account key rule (created_at within 90 days) judged as of the listing: 47 days old
    result = api.scan(listing.parent, formats=(), fail_on="none")
    (finding,) = [f for f in result.scan.findings if f.rule_id == "gcp-iam-service-account-key-age"]
    assert finding.status is Status.PASS


@pytest.mark.parametrize("name, expected", [
    ("credential-report-2026-06-01.csv", "2026-06-01T23:59:59Z"),  # a date alone: the end of that day
    ("export-20260601T0630Z.ndjson", "2026-06-01T06:30:00Z"),
    ("config-snapshot-202101151234-us-east-1.json", None),          # an account-like number is no date
])
def test_file_names_date_the_records_that_carry_no_time(name, expected, tmp_path):
    path = tmp_path / name
    path.write_text("x")
    written = datetime(2026, 12, 1, tzinfo=timezone.utc).timestamp()
    os.utime(path, (written, written))
    moment, basis = file_time(path)
    assert moment == (expected or "2026-12-01T00:00:00Z")
    assert basis == ("date in the file name" if expected else "file modification time")


def test_recovery_point_age_is_measured_as_of_its_capture():
    table = res("aws.dynamodb.table", "arn:aws:dynamodb:us-east-1:111111111111:table/orders", tags={"app": "shop"})
    point = replace(res("aws.backup.recovery_point", "arn:aws:backup:us-east-1:111111111111:recovery-point:p1",
                        attrs={"status": "COMPLETED", "created_at": "2026-05-31T05:00:00Z"}),
                    observed_at="2026-06-01T06:00:00Z")
    g = graph([table, point], [(point.id, table.id, "recovery_point_of")])
    created = datetime(2026, 5, 31, 5, tzinfo=timezone.utc)
    for per_resource, age in ((True, 25 * 3600), (False, (FIXED_NOW - created).total_seconds())):
        ctx = new_context(g, Config(), FIXED_NOW, per_resource_time=per_resource)
        points = recovery_points(ctx, table)[("aws", "111111111111", "us-east-1")]
        mechanism = scheduled_copy(ctx, table, kind="backup", label="AWS Backup",
                                   location=regional_copy("aws", "111111111111", "us-east-1"), interval=86400, lag=0,
                                   immutable=False, points=points, evidence=[], action="restore")
        assert mechanism.rpo_seconds == max(86400, age)  # 25 h old when captured; 173 d by FIXED_NOW


def test_velero_backup_ages_are_measured_as_of_the_kubectl_export_that_holds_them(tmp_path):
    """kubectl output carries no capture time: a Velero export named with its capture time is
    judged as of then, even beside a cluster listing taken five months later."""
    root = estate.write_exports(tmp_path / "exports")
    velero = root / "prod-eks" / "velero.json"
    velero.rename(velero.with_name(f"velero-{estate.NOW:%Y%m%dT%H%MZ}.json"))
    later = (estate.NOW + timedelta(days=150)).timestamp()
    os.utime(root / "prod-eks" / "cluster.json", (later, later))  # listed again today: dated by its mtime
    (tmp_path / "drscan.yaml").write_text(K8S_APPS)
    result = api.scan(root, config_path=tmp_path / "drscan.yaml", formats=(), fail_on="none")
    assert result.scan.scope["data_as_of"]["newest"] == (estate.NOW + timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    schedule = next(r for r in result.scan.resources if r.id == "k8s://prod-eks/velero/schedule/payments-hourly")
    assert schedule.attrs["measured_rpo_seconds"] < 3600  # the last backup was minutes old when captured, not 150 days
    assert schedule.attrs["restore_test_age_days"] == 12.0
    verdicts = {f.rule_id: f.status for f in result.scan.findings if f.resource_id == schedule.id}
    assert verdicts["k8s-velero-schedule-last-backup-within-rpo"] is Status.PASS
    assert verdicts["k8s-velero-schedule-producing-backups"] is Status.PASS
    assert verdicts["k8s-velero-schedule-restore-tested"] is Status.PASS
    overridden = api.scan(root, config_path=tmp_path / "drscan.yaml", formats=(), fail_on="none",
                          as_of=estate.NOW + timedelta(days=150))  # --as-of: one moment for everything
    verdicts = {f.rule_id: f.status for f in overridden.scan.findings if f.resource_id == schedule.id}
    assert verdicts["k8s-velero-schedule-producing-backups"] is Status.FAIL


def test_a_backup_export_is_judged_as_of_its_capture_beside_fresher_data(tmp_path):
    """A database backup set captured long ago is aged as of its capture, not as of the newest data."""
    captured = FIXED_NOW - timedelta(days=150)
    (tmp_path / "drscan.yaml").write_text(backup_tests.CONFIG)
    config = load_config(tmp_path / "drscan.yaml")
    source = replace(backup_tests.stanza(captured - timedelta(minutes=40)), observed_at=captured.strftime("%Y-%m-%dT%H:%M:%SZ"))
    store = replace(rds("arn:aws:rds:us-east-1:111111111111:db:orders", retention=0, multi_az=False),
                    observed_at=FIXED_NOW.strftime("%Y-%m-%dT%H:%M:%SZ"))
    graph_ = build_graph(link_backups(Inventory(resources=(store, source)), config), config.apps)
    for per_resource, age in ((True, 40 * 60), (False, 150 * 86400 + 40 * 60)):
        (judged,) = [r for r in judge_backups(graph_.resources, graph_.related, graph_.apps_of, config, FIXED_NOW,
                                              per_resource) if r.id == source.id]
        assert judged.attrs["restorable_age_seconds"] == age
        assert judged.attrs["restorable_within_max_age"] is per_resource


@pytest.mark.parametrize("stamp", [1e300, -1e300, 99999999999999999999, [1], {"a": 1}, "not a time"])
def test_a_capture_time_that_is_no_time_leaves_the_resource_dated_by_its_file(tmp_path, stamp):
    """An epoch outside years 1-9999 or a value of the wrong type in configurationItemCaptureTime,
    readTime or updateTime is no capture time: the file's name or mtime dates the data, no crash."""
    item = json.loads(config_snapshot(tmp_path, CAPTURE).read_text())
    item["configurationItems"][0]["configurationItemCaptureTime"] = stamp
    (tmp_path / "config-snapshot-20260601T0600Z.json").write_text(json.dumps(item))
    (tmp_path / "config-snapshot.json").unlink()
    asset = {"name": "//storage.googleapis.com/b", "assetType": "storage.googleapis.com/Bucket", "updateTime": stamp,
             "resource": {"data": {"name": "b"}}}
    (tmp_path / "assets-20260601T0600Z.json").write_text(json.dumps({"readTime": stamp, "assets": [asset]}))
    resources = import_inventory(tmp_path).resources
    assert len(resources) == 2 and {r.observed_at for r in resources} == {"2026-06-01T06:00:00Z"}
