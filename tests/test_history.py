"""Scheduled-scan features: history with time in violation, diff between scans, drift rules
against the previous scan, baselines and Prometheus metrics."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from drscan import api
from drscan.model import Evidence, Finding, Scan, Status
from drscan.store import db as store
from tests.conftest import REPO, SAMPLES

ACCOUNT, REGION = "111111111111", "us-east-1"


def bucket(name: str, versioning: str, tags: dict | None = None) -> dict:
    return {"version": "1.3", "accountId": ACCOUNT, "resourceType": "AWS::S3::Bucket", "resourceId": name,
            "arn": f"arn:aws:s3:::{name}", "awsRegion": REGION, "tags": tags or {}, "configuration": {"name": name},
            "supplementaryConfiguration": {"BucketVersioningConfiguration": {"status": versioning},
                                           "PublicAccessBlockConfiguration": {"blockPublicAcls": True, "ignorePublicAcls": True,
                                                                              "blockPublicPolicy": True, "restrictPublicBuckets": True}}}


def database(retention: int, replicas: list[str]) -> dict:
    return {"version": "1.3", "accountId": ACCOUNT, "resourceType": "AWS::RDS::DBInstance", "resourceId": "db-1",
            "arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders", "awsRegion": REGION,
            "configuration": {"dBInstanceIdentifier": "orders", "multiAZ": True, "storageEncrypted": True,
                              "backupRetentionPeriod": retention, "deletionProtection": True, "publiclyAccessible": False,
                              "readReplicaDBInstanceIdentifiers": replicas}}


def write_estate(directory: Path, items: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps({"configurationItems": items}))
    return directory


@pytest.fixture
def two_scans(tmp_path):
    db = tmp_path / "drscan.db"
    first = write_estate(tmp_path / "first", [bucket("keep", "Enabled"), bucket("old", "Enabled"),
                                              database(14, ["arn:aws:rds:us-west-2:111111111111:db:orders-replica"])])
    second = write_estate(tmp_path / "second", [bucket("keep", "Suspended"), bucket("new", "Enabled"), database(1, [])])
    api.scan(first, db_path=db)
    result = api.scan(second, db_path=db)
    return db, result


def test_diff_reports_new_regressed_resolved_and_changed_resources(two_scans):
    db, _ = two_scans
    diff = api.diff(db)
    assert (diff.old_scan, diff.new_scan) == (1, 2)
    regressed = {(c.rule_id, c.resource_id) for c in diff.regressed}
    assert ("aws-s3-bucket-versioning", "arn:aws:s3:::keep") in regressed
    assert ("aws-rds-instance-backup-retention", "arn:aws:rds:us-east-1:111111111111:db:orders") in regressed
    new = {(c.rule_id, c.resource_id) for c in diff.new}
    assert ("drift-s3-versioning-suspended", "arn:aws:s3:::keep") in new
    assert ("drift-rds-replica-removed", "arn:aws:rds:us-east-1:111111111111:db:orders") in new
    assert ("drift-rds-backup-retention-lowered", "arn:aws:rds:us-east-1:111111111111:db:orders") in new
    assert [r["id"] for r in diff.resources_added] == ["arn:aws:s3:::new"]
    assert [r["id"] for r in diff.resources_removed] == ["arn:aws:s3:::old"]
    changed = {c.id: {a["path"]: (a["before"], a["after"]) for a in c.changes} for c in diff.resources_changed}
    assert changed["arn:aws:s3:::keep"]["versioning"] == ("Enabled", "Suspended")
    assert changed["arn:aws:rds:us-east-1:111111111111:db:orders"]["backup_retention_days"] == (14, 1)


def test_drift_rules_do_not_fire_on_a_first_scan(tmp_path):
    estate = write_estate(tmp_path / "e", [bucket("b", "Suspended")])
    result = api.scan(estate, db_path=tmp_path / "d.db")
    assert not [f for f in result.scan.findings if f.category == "drift"]


def test_cli_diff_and_history(two_scans):
    db, _ = two_scans
    run = lambda *a: subprocess.run([sys.executable, "-m", "drscan.cli", *a], capture_output=True, text=True, cwd=REPO)
    diff = json.loads(run("diff", "--db", str(db), "1", "2", "--json").stdout)
    assert diff["counts"]["resources_added"] == 1 and diff["counts"]["regressed"] >= 2
    history = json.loads(run("history", "--db", str(db), "--json").stdout)
    assert [s["id"] for s in history["scans"]] == [1, 2] and history["scans"][1]["fail_delta"] > 0
    assert "scan 1 → 2" in run("diff", "--db", str(db)).stdout
    missing = run("diff", "--db", str(db), "1", "9")
    assert missing.returncode == 2 and "scan 9 not found" in missing.stderr


def finding(status: Status) -> Finding:
    return Finding(rule_id="r", rule_version=1, resource_id="x", resource_kind="aws.s3.bucket", provider="aws",
                   account="1", region="r", status=status, severity="high", category="backup", controls=(),
                   evidence=(Evidence("a", 1),), reason="")


def test_history_measures_time_in_violation(tmp_path):
    db = store.open_db(tmp_path / "d.db")
    for day, status in ((1, Status.FAIL), (2, Status.FAIL), (4, Status.PASS), (5, Status.FAIL)):
        at = f"2026-11-0{day}T00:00:00Z"
        store.save_scan(db, Scan(id=None, started_at=at, finished_at=at, scope={}, sources=(), resources=(),
                                 relations=(), findings=(finding(status),), gaps=()))
    row = next(db.query("select * from finding_history"))
    assert row["first_seen_at"] == "2026-11-01T00:00:00Z"
    assert row["violation_seconds"] == 3 * 86400  # failing from day 1 until it passed on day 4
    assert row["last_status"] == "FAIL" and row["failing_since"] == "2026-11-05T00:00:00Z" and row["failing_scans"] == 3


def test_baseline_accepts_known_failures_only(tmp_path):
    out = tmp_path / "out"
    first = api.scan(SAMPLES, out_dir=out, formats=("json",))
    assert first.exit_code == 1
    accepted = api.scan(SAMPLES, baseline_path=out / "findings.json")
    assert accepted.exit_code == 0
    document = json.loads((out / "findings.json").read_text())
    document["findings"] = [f for f in document["findings"] if f["rule_id"] != "aws-iam-root-mfa"]
    (tmp_path / "partial.json").write_text(json.dumps(document))
    assert api.scan(SAMPLES, baseline_path=tmp_path / "partial.json").exit_code == 1


def test_metrics_file_is_valid_prometheus_text(tmp_path):
    path = tmp_path / "textfile" / "drscan.prom"
    result = api.scan(SAMPLES, config_path=SAMPLES / "drscan.yaml", metrics_path=path)
    families = {f.name: f for f in text_string_to_metric_families(path.read_text())}
    findings = {(s.labels["status"], s.labels["severity"]): s.value for s in families["drscan_findings"].samples}
    assert sum(v for (status, _), v in findings.items() if status == "FAIL") == result.context["totals"]["FAIL"]
    apps = {(s.labels["app"], s.labels["status"]) for s in families["drscan_app_findings"].samples}
    assert ("payments", "FAIL") in apps
    assert families["drscan_last_success_timestamp_seconds"].samples[0].value > 1.7e9
    assert families["drscan_gate_failed"].samples[0].value == 1
    assert not list(path.parent.glob(".*.tmp"))  # written atomically, no leftovers
