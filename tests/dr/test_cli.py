"""`drscan dr` through typer's CliRunner on dr_app, against a database that drscan.api.scan
wrote from the bundled sample estate: exit codes, JSON fields, runbook Markdown."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drscan import api
from drscan.cli_dr import dr_app
from drscan.dr.model import DISRUPTIONS
from drscan.dr.simulate import OUTCOMES
from tests.conftest import SAMPLES, SAMPLES_AS_OF

PAYMENTS_KEY = "bfd88ad9-2398-4e31-81f4-843668179b93"  # payments-cmk in the sample estate
DB = "arn:aws:rds:us-east-1:111111111111:db:payments-db"
REPLICA = "arn:aws:rds:us-west-2:111111111111:db:payments-db-replica-usw2"

CONFIG = f"""\
organization: Acme Corp
scope: {{name: acme-production}}
apps:
  - name: payments
    tier: 1
    owner: payments-team@acme.example
    contacts: [payments-oncall@acme.example]
    rpo: 15m
    rto: 1h
    strategy: pilot_light
    primary_region: us-east-1
    recovery_regions: [us-west-2]
    entrypoints: [payments-alb-8861148129.us-east-1.elb.amazonaws.com]
    depends_on: [card-network]
    members: {{tags: {{app: payments}}}}
  - name: checkout
    tier: 2
    rpo: 1h
    rto: 4h
    depends_on: [payments]
    members: {{tags: {{app: checkout}}}}
  - name: analytics
    tier: 3
    rpo: 24h
    rto: 24h
    members: {{tags: {{app: analytics}}}}
  - name: ledger-db
    tier: 2
    rpo: 48h
    rto: 48h
    members: {{ids: ["{DB}", "{REPLICA}"]}}
shared_services:
  - {{name: card-network, type: third_party}}
dr:
  drills: drills.yaml
  assumptions: {{decision_seconds: 900}}
"""

DRILLS = """\
drills:
  - {app: payments, date: 2026-10-01, type: drill, scenario: region_loss, measured_rto: 50m, measured_rpo: 1m}
"""


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    work = tmp_path_factory.mktemp("dr-cli")
    (work / "drscan.yaml").write_text(CONFIG)
    (work / "drills.yaml").write_text(DRILLS)
    api.scan(SAMPLES, config_path=work / "drscan.yaml", db_path=work / "drscan.db", as_of=api.parse_as_of(SAMPLES_AS_OF))
    return work


def dr(estate: Path, *args: str):
    result = CliRunner().invoke(dr_app, [*args, "--config", str(estate / "drscan.yaml"), "--db", str(estate / "drscan.db")]
                                if args and args[0] in ("simulate", "runbook", "diagram") else
                                ["--config", str(estate / "drscan.yaml"), "--db", str(estate / "drscan.db"), *args],
                                env={"COLUMNS": "200"})
    return result


def test_status_table_exits_1_when_an_app_misses_a_target(estate):
    result = dr(estate)
    assert result.exit_code == 1, result.output
    for text in ("DR readiness", "payments", "checkout", "analytics", "Region loss", "Corruption", "FAIL"):
        assert text in result.output
    assert "declared pilot light" in result.output  # detected strategy differs from the declaration


def test_status_json_has_strategy_and_per_disruption_estimates_with_evidence(estate):
    result = dr(estate, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["exit_code"] == 1 and document["scan"]["id"] == 1
    assert document["as_of"].startswith("2026-11-20T06:00")
    apps = {a["name"]: a for a in document["apps"]}
    payments = apps["payments"]
    assert payments["strategy"]["declared"] == "pilot_light"
    assert payments["strategy"]["detected"] in ("backup_restore", "pilot_light", "warm_standby", "active_active", "none")
    assert payments["strategy"]["matches"] is (payments["strategy"]["detected"] == "pilot_light")
    assert set(payments["disruptions"]) == set(DISRUPTIONS)
    for estimate in payments["disruptions"].values():
        for key in ("rpo_seconds", "rto_seconds", "rpo_target_seconds", "rto_target_seconds", "verdict", "evidence",
                    "rpo_status", "rto_status", "rpo_reason", "rto_reason", "figures"):
            assert key in estimate
        assert estimate["rpo_target_seconds"] == 900 and estimate["rto_target_seconds"] == 3600
        assert estimate["verdict"] in ("PASS", "FAIL", "NOT_ASSESSED")
        assert all(set(step) == {"resource_id", "attribute", "value", "inference"} for step in estimate["evidence"])
    region = payments["disruptions"]["region_loss"]
    assert region["verdict"] == "FAIL" and region["rpo_status"] == "data_lost"
    assert "acme-payments-statements-no-replication" in region["rpo_reason"]
    assert payments["checks"]["drill_recorded_within_period"] is True and payments["checks"]["drill_age_days"] == 50
    assert payments["checks"]["single_points_of_failure"] and payments["single_points_of_failure"]
    assert any(a["key"] == "decision_seconds" and a["value"] == 900 and a["overridden"] for a in document["assumptions"])
    ledger = apps["ledger-db"]
    assert ledger["verdict"] == "NOT_ASSESSED"  # single provider: provider loss cannot be judged
    assert {d: e["verdict"] for d, e in ledger["disruptions"].items()} == {
        "zone_loss": "PASS", "region_loss": "PASS", "provider_loss": "NOT_ASSESSED", "data_corruption": "PASS",
        "account_compromise": "PASS"}
    assert ledger["disruptions"]["region_loss"]["rpo_seconds"] == 60.0  # the cross-region read replica
    assert any(m["kind"] == "async_replica" for store in ledger["data_stores"] for m in store["mechanisms"])


def test_an_app_meeting_its_targets_exits_0(estate):
    result = dr(estate, "--app", "ledger-db")
    assert result.exit_code == 0, result.output


def test_simulate_region_loss_json(estate):
    result = dr(estate, "simulate", "--fail", "region:us-east-1", "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    assert document["failures"] == ["region:us-east-1"] and document["failed_resource_count"] > 50
    apps = {a["name"]: a for a in document["apps"]}
    assert all(a["outcome"] in OUTCOMES for a in apps.values())
    for key in ("keeps_serving", "data_loss_seconds", "recovery_seconds", "verdict", "cascade", "actions", "failed_members"):
        assert key in apps["payments"]
    assert apps["payments"]["outcome"] == "loses_data" and apps["payments"]["keeps_serving"] is False
    assert apps["ledger-db"]["outcome"] == "recovers_after_failover" and apps["ledger-db"]["data_loss_seconds"] == 60.0
    assert apps["checkout"]["outcome"] != "keeps_serving"
    assert any("payments" in str(step["value"]) for step in apps["checkout"]["cascade"])  # depends on payments
    assert apps["analytics"]["outcome"] in OUTCOMES


def test_simulate_zone_and_kms_key_together_and_options_given_before_the_subcommand(estate):
    args = ["--config", str(estate / "drscan.yaml"), "--db", str(estate / "drscan.db"), "simulate",
            "--fail", "zone:us-east-1b", "--fail", f"kms:{PAYMENTS_KEY}"]
    result = CliRunner().invoke(dr_app, args + ["--format", "json"])
    document = json.loads(result.output)
    assert document["failures"] == ["zone:us-east-1b", f"kms:{PAYMENTS_KEY}"]
    payments = {a["name"]: a for a in document["apps"]}["payments"]
    assert any("cannot decrypt" in step["inference"] for step in payments["cascade"])
    table = CliRunner().invoke(dr_app, args, env={"COLUMNS": "200"})
    assert "Simulated failure of zone:us-east-1b" in table.output and "payments" in table.output


@pytest.mark.parametrize("args,message", [
    (["simulate", "--fail", "zone:europe-west1-b"], "no resource in that zone"),
    (["simulate", "--fail", "galaxy:far"], "expected one of"),
    (["runbook", "no-such-app"], "unknown app 'no-such-app'"),
    (["--format", "xml"], "--format must be one of"),
    (["--scan", "99"], "--scan 99: no such scan"),
    (["runbook", "payments", "--disruption", "meteor"], "--disruption must be one of"),
])
def test_bad_input_exits_2(estate, args, message):
    result = dr(estate, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_missing_database_is_bad_input_and_a_corrupt_one_a_database_error(estate, tmp_path):
    missing = CliRunner().invoke(dr_app, ["--config", str(estate / "drscan.yaml"), "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and "no such database" in missing.output
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a sqlite database" * 100)
    broken = CliRunner().invoke(dr_app, ["--config", str(estate / "drscan.yaml"), "--db", str(corrupt)])
    assert broken.exit_code == 3, broken.output


def test_runbook_markdown_and_json(estate):
    result = dr(estate, "runbook", "payments", "--format", "md")
    assert result.exit_code == 1  # payments misses its region-loss targets
    markdown = result.output
    assert markdown.startswith("# Recovery runbook: payments - region loss (region us-east-1)")
    for text in ("payments-oncall@acme.example", "Confirm card-network is serving", "### Data", "### Compute",
                 "aws rds promote-read-replica --db-instance-identifier payments-db-replica-usw2 --region us-west-2",
                 "## Data that cannot be recovered", "acme-payments-statements-no-replication"):
        assert text in markdown, text
    document = json.loads(dr(estate, "runbook", "ledger-db", "--format", "json", "--disruption", "corruption").output)
    assert document["disruption"] == "data_corruption" and document["expected"]["rpo_seconds"] == 300.0
    assert any("restore-db-instance-to-point-in-time" in s["command"] for s in document["steps"])


def test_default_config_and_db_paths(estate, tmp_path, monkeypatch):
    for name in ("drscan.yaml", "drills.yaml", "drscan.db"):
        shutil.copy(estate / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(dr_app, ["--format", "json", "--app", "ledger-db"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["apps"][0]["name"] == "ledger-db"


def test_diagram_writes_svg(estate, tmp_path):
    out = tmp_path / "payments.svg"
    result = dr(estate, "diagram", "payments", "--out", str(out), "--fail", "region:us-east-1")
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert svg.startswith("<svg") and 'class="node failed"' in svg and "payments-db" in svg
