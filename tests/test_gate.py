"""`drscan plan` (Terraform plan gating with SARIF/JUnit) and `drscan drift --terraform-state`,
as subprocesses on Terraform 1.x JSON fixtures for all three providers."""

from __future__ import annotations

import json

import jsonschema
import pytest
from junitparser import JUnitXml

from tests.conftest import REPO, SAMPLES
from tests.test_cli import drscan

TF = REPO / "tests" / "fixtures" / "terraform"
SARIF_SCHEMA = json.loads((REPO / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())


def test_plan_removing_a_cross_region_replica_fails_the_gate_with_sarif_and_junit(tmp_path):
    result = drscan("plan", str(TF / "aws" / "plan-dr-regressions.json"), "--config", str(SAMPLES / "drscan.yaml"),
                    "--fail-on", "high", "--sarif", str(tmp_path / "out.sarif"), "--junit", str(tmp_path / "out.xml"))
    assert result.returncode == 1, result.stderr
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    jsonschema.validate(sarif, SARIF_SCHEMA)
    results = sarif["runs"][0]["results"]
    rule_ids = {r["ruleId"] for r in results}
    assert "tf-dr-replica-removed" in rule_ids and "tf-dr-pitr-disabled" in rule_ids
    replica = next(r for r in results if r["ruleId"] == "tf-dr-replica-removed")
    assert replica["level"] == "error"
    assert replica["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].endswith("replica")
    assert "tf-dr-replica-removed" in {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    suites = JUnitXml.fromfile(str(tmp_path / "out.xml"))
    assert sum(s.failures for s in suites) == sum(1 for r in results if r["kind"] == "fail")


def test_plan_that_adds_encryption_passes(tmp_path):
    result = drscan("plan", str(TF / "aws" / "plan-add-encryption.json"), "--fail-on", "high")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Gate (--fail-on high): PASS" in result.stdout


@pytest.mark.parametrize("provider", ["gcp", "azure"])
def test_plan_regressions_are_found_for_every_provider(provider, tmp_path):
    result = drscan("plan", str(TF / provider / "plan-dr-regressions.json"), "--sarif", str(tmp_path / "o.sarif"))
    assert result.returncode == 1
    rules = {r["ruleId"] for r in json.loads((tmp_path / "o.sarif").read_text())["runs"][0]["results"]}
    assert any(rule.startswith("tf-dr-") for rule in rules)


def test_soft_fail_reports_but_exits_0():
    result = drscan("plan", str(TF / "aws" / "plan-dr-regressions.json"), "--soft-fail")
    assert result.returncode == 0 and "tf-dr-" in result.stdout


def test_not_a_plan_is_a_clear_input_error(tmp_path):
    result = drscan("plan", str(TF / "aws" / "state.json"))
    assert result.returncode == 2 and "state.json" in result.stderr


def test_drift_against_terraform_state(tmp_path):
    db = tmp_path / "drscan.db"
    drscan("scan", "--import", str(SAMPLES / "aws"), "--db", str(db), "-q", "--fail-on", "none")
    result = drscan("drift", "--db", str(db), "--terraform-state", str(TF / "aws" / "state.json"), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["managed"] > 0 and report["unmanaged"]
    changed = {c["address"]: {d["attribute"] for d in c["differences"]} for c in report["changed"]}
    assert "replica_regions" in changed["aws_dynamodb_table.ledger"]
    assert "aws.ec2.volume" in {u["kind"] for u in report["unmanaged"]}  # live volumes nobody declared
