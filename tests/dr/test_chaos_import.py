"""Chaos Mesh and LitmusChaos objects exported with kubectl reach the readiness score: the
Kubernetes importer keeps them, the DR-test registry judges them (drscan.drtests.chaos)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from drscan.cli import app as cli_app

CHAOS = Path(__file__).resolve().parents[1] / "fixtures" / "chaos"
CONFIG = """\
organization: Chaos Test
apps:
  - name: payments
    tier: 1
    owner: payments@example.com
    rpo: 1h
    rto: 4h
    members: {namespaces: [payments]}
  - name: catalog
    tier: 2
    owner: catalog@example.com
    rpo: 4h
    rto: 8h
    members: {namespaces: [catalog]}
"""


def namespace(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "creationTimestamp": "2026-01-01T00:00:00Z"}}


def fixture(name: str) -> dict:
    return json.loads((CHAOS / name).read_text())


def scan_and_score(tmp_path: Path, chaos_items: list[dict]) -> dict:
    cluster = tmp_path / "exports" / "k8s" / "prod-eks"
    cluster.mkdir(parents=True)
    (cluster / "cluster.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List",
                                                      "items": [namespace("payments"), namespace("catalog")]}))
    (cluster / "chaos.json").write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": chaos_items}))
    config = tmp_path / "drscan.yaml"
    config.write_text(CONFIG)
    db = tmp_path / "drscan.db"
    runner = CliRunner()
    scanned = runner.invoke(cli_app, ["scan", "--import", str(tmp_path / "exports"), "--config", str(config), "--db", str(db),
                                      "--as-of", "2026-11-20T06:00:00Z", "--quiet", "--fail-on", "none"])
    assert scanned.exit_code == 0, scanned.output
    shown = runner.invoke(cli_app, ["dr", "score", "--config", str(config), "--db", str(db), "--format", "json"])
    assert shown.exit_code in (0, 1), shown.output  # 1: an app below its tier's floor (payments has no region test)
    return {a["app"]: a for a in json.loads(shown.output)["apps"]}


def test_litmus_result_joined_to_its_engine_and_chaos_mesh_workflow_decide_zone_scores(tmp_path):
    apps = scan_and_score(tmp_path, [fixture("litmus-chaosresult-pod-delete.json"), fixture("litmus-chaosengine.json"),
                                     fixture("chaos-mesh-workflow.json")])
    payments = apps["payments"]["disruptions"]["zone"]
    assert payments["deciding_test"]["source"] == "k8s://prod-eks/payments/chaosresult/payments-chaos-pod-delete"
    assert payments["basis"] != "failed" and payments["score"] > 0
    catalog = apps["catalog"]["disruptions"]["zone"]
    assert catalog["deciding_test"]["source"] == "k8s://prod-eks/catalog/workflow/catalog-zone-drill"


def test_a_litmus_result_without_its_engine_names_no_app(tmp_path):
    apps = scan_and_score(tmp_path, [fixture("litmus-chaosresult-pod-delete.json")])
    assert apps["payments"]["disruptions"]["zone"].get("deciding_test") is None


def test_a_failed_litmus_verdict_is_a_failed_test(tmp_path):
    result = fixture("litmus-chaosresult-pod-delete.json")
    result["status"]["experimentStatus"].update(verdict="Fail", phase="Completed_With_Probe_Failure")
    apps = scan_and_score(tmp_path, [result, fixture("litmus-chaosengine.json")])
    assert apps["payments"]["disruptions"]["zone"]["basis"] == "failed"
