"""The shipped CI, scheduling and alerting examples are well-formed and use real flags."""

from __future__ import annotations

import yaml

from tests.conftest import REPO

EXAMPLES = REPO / "examples"


def test_yaml_examples_parse():
    files = sorted(EXAMPLES.rglob("*.y*ml"))
    assert len(files) >= 4
    for path in files:
        documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        assert documents, path


def test_alert_rules_reference_metrics_drscan_writes():
    rules = yaml.safe_load((EXAMPLES / "alerting" / "alertmanager-rules.yaml").read_text())["groups"][0]["rules"]
    expressions = " ".join(r["expr"] for r in rules)
    for metric in ("drscan_last_success_timestamp_seconds", "drscan_findings", "drscan_app_findings", "drscan_gaps"):
        assert metric in expressions
    from drscan.report.formats import metrics
    source = (REPO / "drscan" / "report" / "formats" / "metrics.py").read_text()
    for metric in ("drscan_last_success_timestamp_seconds", "drscan_findings", "drscan_app_findings", "drscan_gaps"):
        assert f'"{metric}"' in source
    assert metrics.metrics_text


def test_scheduled_commands_use_existing_scan_flags():
    import subprocess
    import sys
    help_text = subprocess.run([sys.executable, "-m", "drscan.cli", "scan", "--help"], capture_output=True, text=True,
                               cwd=REPO, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"}).stdout
    for flag in ("--import", "--config", "--db", "--out", "--metrics-file", "--quiet"):
        assert flag in help_text
        for name in ("crontab", "drscan.service", "kubernetes-cronjob.yaml"):
            assert flag in (EXAMPLES / "schedule" / name).read_text()
