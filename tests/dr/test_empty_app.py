"""An app whose `members` selector matches nothing (a tag-key typo): a configuration warning on
stderr and in the scan's gaps, and every DR verdict of that app NOT_ASSESSED for that reason;
its single-point-of-failure and single-region rules never PASS on an empty app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from drscan import api
from drscan.model import Status
from tests.conftest import REPO, SAMPLES, SAMPLES_AS_OF


@pytest.fixture(scope="module")
def typo_config(tmp_path_factory) -> Path:
    text = (SAMPLES / "drscan.yaml").read_text()
    assert "members: {tags: {app: payments}}" in text
    text = text.replace("members: {tags: {app: payments}}", "members: {tags: {ap: payments}}")  # the typo
    text = text.replace("drills: assurance/drills.yaml", f"drills: {SAMPLES / 'assurance/drills.yaml'}")
    path = tmp_path_factory.mktemp("typo") / "drscan.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def typo_scan(typo_config):
    return api.scan(SAMPLES, config_path=typo_config, formats=(), as_of=api.parse_as_of(SAMPLES_AS_OF))


def test_an_app_without_members_is_a_warning_and_a_gap(typo_scan):
    (warning,) = typo_scan.warnings
    assert warning.startswith("app 'payments': its members (tags ap=payments) match no resource in this scan")
    (gap,) = [g for g in typo_scan.scan.gaps if g.code == "AppHasNoMembers"]
    assert gap.resource_id == "app:payments" and gap.operation == "apps[payments].members"


def test_every_dr_verdict_of_an_app_without_members_is_not_assessed_with_the_reason(typo_scan):
    findings = [f for f in typo_scan.scan.findings if f.resource_id == "app:payments"]
    assert {f.rule_id for f in findings} >= {"dr-app-tier1-no-single-point-of-failure", "dr-app-region-loss-within-targets",
                                             "dr-app-backup-covers-data-stores", "dr-app-cross-region-copy"}
    for finding in findings:
        assert finding.status is Status.NOT_ASSESSED, (finding.rule_id, finding.status)
        assert "AppHasNoMembers" in finding.reason, finding.reason
    other = {f.rule_id: f.status for f in typo_scan.scan.findings if f.resource_id == "app:identity"}
    assert Status.PASS in other.values() or Status.FAIL in other.values()  # the other apps are still judged


def test_the_cli_prints_the_warning_on_stderr(typo_config, tmp_path):
    result = subprocess.run([sys.executable, "-m", "drscan.cli", "scan", "--import", str(SAMPLES), "--config",
                             str(typo_config), "--format", "json", "--out", str(tmp_path), "--as-of", SAMPLES_AS_OF,
                             "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(tmp_path)})
    assert result.returncode == 1, result.stderr  # the sample's planted failures still fail the gate
    warnings = [line for line in result.stderr.splitlines() if line.startswith("drscan: warning:")]
    assert len(warnings) == 1 and "app 'payments'" in warnings[0] and "match no resource" in warnings[0]
