"""A small, realistic EKS cluster with Velero, as kubectl prints it: the shared input of the
import tests, the graph/rule tests and the fake API server of the live-collector tests."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

import k8s_builders as k  # noqa: E402

NOW = datetime(2026, 11, 20, 6, 0, 0, tzinfo=timezone.utc)
CREATED = datetime(2026, 3, 1, 9, 0, 0, tzinfo=timezone.utc)
REGION = "us-east-1"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
ACCOUNT = "111111111111"


def volume_id(name: str) -> str:
    return "vol-0" + k.uid(name).replace("-", "")[:16]


def cluster_objects() -> list[dict]:
    """namespaces, nodes, storage, workloads, budgets, services, ingresses of cluster 'prod-eks'."""
    items = [k.namespace(n, CREATED, labels) for n, labels in (
        ("default", None), ("kube-system", None), ("velero", None),
        ("payments", {"app": "payments", "team": "payments"}), ("orders", {"app": "orders"}), ("scratch", None))]
    items += [k.node(f"ip-10-0-{i}-1{i}.ec2.internal", CREATED, cloud="aws", region=REGION, zone=ZONES[i % 3],
                     instance_type="m6i.xlarge", instance_id=f"i-0{k.uid(str(i)).replace('-', '')[:16]}", pool="general")
              for i in range(6)]
    items.append(k.storage_class("gp3", CREATED, "ebs.csi.aws.com", default=True, parameters={"type": "gp3", "encrypted": "true"}))
    for ns, name, zone, size in (("payments", "data-ledger-0", "us-east-1a", "100Gi"), ("payments", "data-ledger-1", "us-east-1b", "100Gi"),
                                 ("orders", "orders-files", "us-east-1a", "50Gi"), ("scratch", "tmp-cache", "us-east-1c", "20Gi")):
        pv_name = "pvc-" + k.uid(f"{ns}/{name}")
        items.append(k.pvc(name, ns, CREATED, storage_class="gp3", size=size, volume=pv_name))
        items.append(k.pv(pv_name, CREATED, claim_ns=ns, claim=name, size=size, storage_class="gp3", driver="ebs.csi.aws.com",
                          handle=volume_id(name), zone=zone))
    items.append(k.statefulset("ledger", "payments", CREATED, replicas=2, zone_spread=True))
    items.append(k.deployment("payments-api", "payments", CREATED, replicas=3, anti_affinity=True))
    items.append(k.deployment("orders-api", "orders", CREATED, replicas=1, claims=("orders-files",)))
    items.append(k.deployment("cache", "scratch", CREATED, replicas=1, claims=("tmp-cache",)))
    items.append(k.daemonset("node-exporter", "kube-system", CREATED, nodes=6))
    items.append(k.pdb("payments-api", "payments", CREATED, {"app": "payments-api"}, expected=3))
    items.append(k.service("payments-api", "payments", CREATED, {"app": "payments-api"},
                           lb_hostname="k8s-payments-1234567890.us-east-1.elb.amazonaws.com"))
    items.append(k.ingress("payments", "payments", CREATED, "pay.acme.example", "payments-api"))
    return items


def velero_objects() -> list[dict]:
    """Schedules (payments hourly, orders daily but stale), their backups, a restore drill, the BSL."""
    items = [k.velero_bsl("default", CREATED, provider="aws", bucket="acme-velero-prod-eks", config={"region": "us-west-2"}),
             k.velero_vsl("default", CREATED, provider="aws", region=REGION),
             k.velero_schedule("payments-hourly", CREATED, "0 * * * *", ["payments"], last_backup=NOW - timedelta(minutes=40)),
             k.velero_schedule("orders-daily", CREATED, "0 2 * * *", ["orders"], last_backup=NOW - timedelta(days=6))]
    for hours in (0.67, 1.67, 2.67):
        start = NOW - timedelta(hours=hours)
        items.append(k.velero_backup(k.backup_name("payments-hourly", start), start, schedule="payments-hourly",
                                     namespaces=["payments"], csi_snapshots=(2, 2)))
    failed = NOW - timedelta(hours=3.67)
    items.append(k.velero_backup(k.backup_name("payments-hourly", failed), failed, schedule="payments-hourly",
                                 namespaces=["payments"], phase="PartiallyFailed", errors=2, csi_snapshots=(2, 1)))
    stale = NOW - timedelta(days=6)
    items.append(k.velero_backup(k.backup_name("orders-daily", stale), stale, schedule="orders-daily", namespaces=["orders"],
                                 snapshots=(1, 1)))
    drill = NOW - timedelta(days=12)
    items.append(k.velero_restore("payments-drill-1", drill, k.backup_name("payments-hourly", NOW - timedelta(hours=0.67)),
                                  duration=timedelta(minutes=23), namespaces=["payments"]))
    return items


def write_exports(root: Path, cluster: str = "prod-eks") -> Path:
    """k8s/<cluster>/cluster.json and velero.json, as the README's kubectl commands write them."""
    import json

    folder = root / "k8s" / cluster
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cluster.json").write_text(json.dumps(k.kube_list(cluster_objects()), indent=4))
    (folder / "velero.json").write_text(json.dumps(k.kube_list(velero_objects()), indent=4))
    return root / "k8s"


def gke_objects() -> list[dict]:
    """A second, smaller cluster (GKE in europe-west1) with one namespace backed up to GCS."""
    zones = ("europe-west1-b", "europe-west1-c")
    items = [k.namespace(n, CREATED, labels) for n, labels in (("default", None), ("analytics", {"app": "analytics"}))]
    items += [k.node(f"gke-prod-gke-pool-1-{i:08x}", CREATED, cloud="gcp", region="europe-west1", zone=zones[i % 2],
                     instance_type="e2-standard-4", instance_id=f"gke-prod-gke-pool-1-{i:08x}", project="acme-analytics")
              for i in range(2)]
    items.append(k.pvc("warehouse", "analytics", CREATED, storage_class="standard-rwo", size="200Gi", volume="pvc-warehouse"))
    items.append(k.pv("pvc-warehouse", CREATED, claim_ns="analytics", claim="warehouse", size="200Gi", storage_class="standard-rwo",
                      driver="pd.csi.storage.gke.io", handle="projects/acme-analytics/zones/europe-west1-b/disks/pvc-warehouse",
                      zone="europe-west1-b"))
    items.append(k.deployment("etl", "analytics", CREATED, replicas=2, claims=("warehouse",)))
    items.append(k.velero_bsl("default", CREATED, provider="gcp", bucket="acme-velero-prod-gke"))
    items.append(k.velero_schedule("analytics-daily", CREATED, "30 1 * * *", ["analytics"], last_backup=NOW - timedelta(hours=4)))
    start = NOW - timedelta(hours=4, minutes=30)
    items.append(k.velero_backup(k.backup_name("analytics-daily", start), start, schedule="analytics-daily",
                                 namespaces=["analytics"], csi_snapshots=(1, 1)))
    return items
