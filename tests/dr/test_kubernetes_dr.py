"""The DR engine on Kubernetes: workloads are the app's compute, PVCs its data, Velero backups its
copies (where the volume data really is), the age of a schedule's last Completed backup a measured
RPO and a Completed Velero Restore a measured RTO that replaces the assumed restore throughput;
runbooks restore with `velero restore create --from-backup` after the storage location."""

from __future__ import annotations

import json
from pathlib import Path

from drscan.collect.inventory import import_inventory
from drscan.config import load_config
from drscan.dr.assess import assess_apps, new_context
from drscan.dr.kubernetes_facts import kubernetes_facts
from drscan.dr.runbook import build_runbook
from drscan.graph.build import build_graph
from tests.collect.kubernetes import estate

CONFIG = """apps:
  - name: payments
    tier: 1
    rpo: 2h
    rto: 4h
    members: {namespaces: [payments]}
"""


def _assess(tmp_path: Path, drop=()):
    root = tmp_path / "exports"
    estate.write_exports(root)
    velero = root / "k8s" / "prod-eks" / "velero.json"
    document = json.loads(velero.read_text())
    document["items"] = [i for i in document["items"] if i["kind"] not in drop]
    velero.write_text(json.dumps(document))
    (tmp_path / "drscan.yaml").write_text(CONFIG)
    config = load_config(tmp_path / "drscan.yaml")
    inventory = import_inventory(root / "k8s")
    graph = build_graph(inventory, config.apps)
    for resource in kubernetes_facts(graph, config, estate.NOW, inventory.gaps):
        graph.resources[resource.id] = resource
    ctx = new_context(graph, config, estate.NOW)
    return ctx, assess_apps(ctx)["payments"]


def test_workloads_are_compute_and_pvcs_are_data_stores(tmp_path):
    ctx, payments = _assess(tmp_path)
    scope = ctx.scope("payments")
    assert {r.id for r in scope.data_stores} == {"k8s://prod-eks/payments/persistentvolumeclaim/data-ledger-0",
                                                 "k8s://prod-eks/payments/persistentvolumeclaim/data-ledger-1"}
    assert {t.member_ids[0] for t in scope.tiers} == {"k8s://prod-eks/payments/deployment/payments-api",
                                                     "k8s://prod-eks/payments/statefulset/ledger"}
    assert all(t.zone_redundant for t in scope.tiers)
    assert payments.strategy.primary_region == "us-east-1"


def test_last_completed_backup_age_is_a_measured_rpo(tmp_path):
    _, payments = _assess(tmp_path)
    corruption = payments.estimates["data_corruption"].as_dict()
    assert corruption["rpo_basis"] == "measured"
    assert corruption["rpo_measured_by"] == ["k8s://prod-eks/velero/backup/payments-hourly-20261120051948"]
    assert corruption["rpo_seconds"] == 3600  # hourly schedule; last Completed backup 40 min old
    # Without the Backup objects the schedule still counts, but nothing is measured.
    _, blind = _assess(tmp_path / "no-backups", drop=("Backup", "Restore"))
    assert blind.estimates["data_corruption"].as_dict()["rpo_basis"] == "estimated"


def test_completed_restore_is_a_measured_rto_replacing_the_assumed_one(tmp_path):
    _, measured = _assess(tmp_path)
    figures = measured.estimates["data_corruption"].as_dict()["figures"]
    assert [f["source"] for f in figures["measured"]] == ["k8s://prod-eks/velero/restore/payments-drill-1"]
    assert figures["measured"][0]["seconds"] == 23 * 60
    assert measured.checks["restore_tested_within_days"] is True
    _, assumed = _assess(tmp_path / "no-restore", drop=("Restore",))
    figures = assumed.estimates["data_corruption"].as_dict()["figures"]
    assert not figures["measured"]
    assert {"restore_overhead_seconds.velero", "restore_gb_per_hour.velero"} <= {f["source"] for f in figures["assumed"]}


def test_region_loss_knows_snapshots_stay_in_the_cluster_region(tmp_path):
    _, payments = _assess(tmp_path)
    region = payments.estimates["region_loss"]
    assert region.rpo_status == "data_lost"  # CSI snapshots live in us-east-1, although the BSL bucket is in us-west-2


def test_runbook_restores_namespaces_after_the_storage_location_and_before_workloads(tmp_path):
    ctx, payments = _assess(tmp_path)
    book = build_runbook(ctx, payments, "data_corruption", None).as_dict()
    commands = [(s["layer"], s["command"]) for s in book["steps"]]
    restore = [c for layer, c in commands if "velero" in c and "restore create" in c]
    assert len(restore) == 1 and "--from-backup payments-hourly-20261120051948" in restore[0]
    assert "--include-namespaces payments" in restore[0]
    order = [s["layer"] for s in book["steps"] if "velero" in s["command"] or "kubectl" in s["command"]]
    assert order == ["keys_network", "data", "compute", "compute"]  # location, namespace restore, the two workloads
    assert any("backup-location create default --provider aws --bucket acme-velero-prod-eks --config region=us-west-2"
               in s["command"] for s in book["steps"])
    assert any("rollout status statefulset/ledger" in s["command"] for s in book["steps"])
