"""The Kubernetes part of the Acme sample estate (imported by generate.py): an EKS cluster
(`k8s/prod-eks`, us-east-1) and a GKE cluster (`k8s/prod-gke`, us-central1) with Velero, written
as the README's kubectl commands write them (cluster-<capture time>.json, velero-<capture time>.json,
and for GKE the `kubectl config view --minify -o json` sidecar that links it to its Cloud Asset
resource). kubectl output carries no capture time, so the file names do: Velero backup ages are
measured as of then, not as of the day the sample is scanned.

Planted: namespaces with volumes that no schedule covers (orders-cache, ml-scratch, ml-sandbox),
a stale schedule with a short TTL and no restore drill (reporting-daily), a partially failed
backup, a storage location that is Unavailable and in the cluster's own region, a tier-1
worker with one replica pinned to one zone, a tier-1 database without a disruption budget, a
schedule slower than its app's RPO (search-6h); and their compliant twins, including the orders
restore drill whose duration is the measured RTO."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

import k8s_builders as k

NOW = datetime(2026, 11, 20, 6, 0, 0, tzinfo=timezone.utc)
CAPTURED = NOW.strftime("%Y%m%dT%H%MZ")  # when the kubectl exports were taken, in their file names
CREATED = datetime(2026, 2, 9, 14, 30, 0, tzinfo=timezone.utc)
EKS_ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")
GKE_ZONES = ("us-central1-a", "us-central1-b", "us-central1-f")
GKE_CONTEXT = "gke_acme-shared_us-central1_shared-gke-regional"  # the Cloud Asset cluster shared-gke-regional

Expect = Callable[[str, str, str, str], None]


def _id(cluster: str, namespace: str | None, kind: str, name: str) -> str:
    return f"k8s://{cluster}/{namespace or '_cluster'}/{kind}/{name}"


def _volume(items: list, cluster: str, ns: str, claim: str, zone: str, size: str, *, gke: bool = False) -> None:
    pv_name = "pvc-" + k.uid(f"{cluster}/{ns}/{claim}")
    if gke:
        driver, handle, sc = "pd.csi.storage.gke.io", f"projects/acme-shared/zones/{zone}/disks/{pv_name}", "standard-rwo"
    else:
        driver, handle, sc = "ebs.csi.aws.com", "vol-0" + k.uid(claim).replace("-", "")[:16], "gp3"
    items.append(k.pvc(claim, ns, CREATED, storage_class=sc, size=size, volume=pv_name))
    items.append(k.pv(pv_name, CREATED, claim_ns=ns, claim=claim, size=size, storage_class=sc, driver=driver, handle=handle, zone=zone))


def eks(expect: Expect) -> tuple[list[dict], list[dict]]:
    c = "prod-eks"
    items = [k.namespace(n, CREATED, labels) for n, labels in (
        ("default", None), ("kube-system", None), ("velero", None), ("orders", {"app": "orders", "tier": "1"}),
        ("orders-cache", {"app": "orders"}), ("reporting", {"app": "reporting"}), ("ml-scratch", {"team": "data-science"}))]
    items += [k.node(f"ip-10-40-{i}-{20 + i}.ec2.internal", CREATED, cloud="aws", region="us-east-1", zone=EKS_ZONES[i % 3],
                     instance_type="m6i.2xlarge", instance_id="i-0" + k.uid(f"eks-node-{i}").replace("-", "")[:16],
                     pool="general-2026") for i in range(6)]
    items.append(k.storage_class("gp3", CREATED, "ebs.csi.aws.com", default=True, parameters={"type": "gp3", "encrypted": "true"}))
    items.append(k.statefulset("orders-db", "orders", CREATED, replicas=2, zone_spread=True, size="200Gi"))
    _volume(items, c, "orders", "data-orders-db-0", "us-east-1a", "200Gi")
    _volume(items, c, "orders", "data-orders-db-1", "us-east-1b", "200Gi")
    items.append(k.deployment("orders-api", "orders", CREATED, replicas=3, anti_affinity=True))
    worker = k.deployment("orders-worker", "orders", CREATED, replicas=1)
    worker["spec"]["template"]["spec"]["nodeSelector"] = {"topology.kubernetes.io/zone": "us-east-1a"}
    items.append(worker)
    items.append(k.pdb("orders-api", "orders", CREATED, {"app": "orders-api"}, expected=3))
    items.append(k.service("orders-api", "orders", CREATED, {"app": "orders-api"},
                           lb_hostname="k8s-orders-ordersap-4f2a9c1b7d-1843920216.us-east-1.elb.amazonaws.com"))
    items.append(k.ingress("orders", "orders", CREATED, "orders.acme.example", "orders-api"))
    items.append(k.statefulset("redis", "orders-cache", CREATED, replicas=1, size="20Gi"))
    _volume(items, c, "orders-cache", "data-redis-0", "us-east-1b", "20Gi")
    items.append(k.deployment("report-builder", "reporting", CREATED, replicas=1, claims=("reports-cache",)))
    _volume(items, c, "reporting", "reports-cache", "us-east-1c", "50Gi")
    items.append(k.deployment("jupyter", "ml-scratch", CREATED, replicas=1, claims=("notebooks",)))
    _volume(items, c, "ml-scratch", "notebooks", "us-east-1a", "100Gi")
    items.append(k.daemonset("fluent-bit", "kube-system", CREATED, nodes=6))

    velero = [k.velero_bsl("default", CREATED, provider="aws", bucket="acme-velero-prod-eks", prefix="prod-eks",
                           config={"region": "us-west-2"}),
              k.velero_bsl("dr-east", CREATED, provider="aws", bucket="acme-velero-prod-eks-east", default=False,
                           config={"region": "us-east-1"}, phase="Unavailable"),
              k.velero_vsl("default", CREATED, provider="aws", region="us-east-1"),
              k.velero_schedule("orders-hourly", CREATED, "0 * * * *", ["orders"], last_backup=NOW - timedelta(minutes=40)),
              k.velero_schedule("reporting-daily", CREATED, "0 3 * * *", ["reporting"], last_backup=NOW - timedelta(days=9, hours=3),
                                ttl="72h0m0s")]
    for hours in (0.67, 1.67, 2.67):
        start = NOW - timedelta(hours=hours)
        velero.append(k.velero_backup(k.backup_name("orders-hourly", start), start, schedule="orders-hourly",
                                      namespaces=["orders"], csi_snapshots=(2, 2)))
    partial_start = NOW - timedelta(hours=3.67)
    partial = k.backup_name("orders-hourly", partial_start)
    velero.append(k.velero_backup(partial, partial_start, schedule="orders-hourly", namespaces=["orders"],
                                  phase="PartiallyFailed", errors=1, warnings=3, csi_snapshots=(2, 1)))
    stale_start = NOW - timedelta(days=9, hours=3)
    velero.append(k.velero_backup(k.backup_name("reporting-daily", stale_start), stale_start, schedule="reporting-daily",
                                  namespaces=["reporting"], csi_snapshots=(1, 1), ttl="72h0m0s"))
    drill_start = datetime(2026, 11, 2, 10, 15, 0, tzinfo=timezone.utc)
    velero.append(k.velero_restore("orders-drill-2026-11-02", drill_start, "orders-hourly-20261102090000",
                                   duration=timedelta(minutes=17, seconds=40), namespaces=["orders"], schedule="orders-hourly"))

    good = k.backup_name("orders-hourly", NOW - timedelta(hours=0.67))
    for slug, rid, result in (
        ("k8s-namespace-backed-up", _id(c, None, "namespace", "orders"), "PASS"),
        ("k8s-namespace-backed-up", _id(c, None, "namespace", "orders-cache"), "FAIL"),
        ("k8s-namespace-backed-up", _id(c, None, "namespace", "ml-scratch"), "FAIL"),
        ("k8s-schedule-interval-within-rpo", _id(c, "velero", "schedule", "orders-hourly"), "PASS"),
        ("k8s-schedule-last-backup-within-rpo", _id(c, "velero", "schedule", "reporting-daily"), "FAIL"),
        ("k8s-schedule-last-backup-within-rpo", _id(c, "velero", "schedule", "orders-hourly"), "PASS"),
        ("k8s-schedule-producing-backups", _id(c, "velero", "schedule", "reporting-daily"), "FAIL"),
        ("k8s-schedule-producing-backups", _id(c, "velero", "schedule", "orders-hourly"), "PASS"),
        ("k8s-schedule-ttl", _id(c, "velero", "schedule", "reporting-daily"), "FAIL"),
        ("k8s-schedule-ttl", _id(c, "velero", "schedule", "orders-hourly"), "PASS"),
        ("k8s-schedule-restore-tested", _id(c, "velero", "schedule", "reporting-daily"), "FAIL"),
        ("k8s-schedule-restore-tested", _id(c, "velero", "schedule", "orders-hourly"), "PASS"),
        ("k8s-backup-succeeded", _id(c, "velero", "backup", partial), "FAIL"),
        ("k8s-backup-succeeded", _id(c, "velero", "backup", good), "PASS"),
        ("k8s-backup-volumes-captured", _id(c, "velero", "backup", partial), "FAIL"),
        ("k8s-backup-volumes-captured", _id(c, "velero", "backup", good), "PASS"),
        ("k8s-location-available", _id(c, "velero", "backupstoragelocation", "dr-east"), "FAIL"),
        ("k8s-location-available", _id(c, "velero", "backupstoragelocation", "default"), "PASS"),
        ("k8s-location-offsite", _id(c, "velero", "backupstoragelocation", "dr-east"), "FAIL"),
        ("k8s-location-offsite", _id(c, "velero", "backupstoragelocation", "default"), "PASS"),
        ("k8s-tier1-replicas", _id(c, "orders", "deployment", "orders-worker"), "FAIL"),
        ("k8s-tier1-replicas", _id(c, "orders", "deployment", "orders-api"), "PASS"),
        ("k8s-tier1-zone-spread", _id(c, "orders", "deployment", "orders-worker"), "FAIL"),
        ("k8s-tier1-zone-spread", _id(c, "orders", "deployment", "orders-api"), "PASS"),
        ("k8s-tier1-disruption-budget", _id(c, "orders", "statefulset", "orders-db"), "FAIL"),
        ("k8s-tier1-disruption-budget", _id(c, "orders", "deployment", "orders-api"), "PASS"),
        ("k8s-tier1-single-zone-copy", _id(c, "orders-cache", "persistentvolumeclaim", "data-redis-0"), "FAIL"),
        ("k8s-tier1-single-zone-copy", _id(c, "orders", "persistentvolumeclaim", "data-orders-db-0"), "PASS"),
    ):
        expect("k8s", slug, rid, result)
    return items, velero


def gke(expect: Expect) -> tuple[list[dict], list[dict]]:
    c = "prod-gke"
    items = [k.namespace(n, CREATED, labels) for n, labels in (
        ("default", None), ("velero", None), ("search", {"team": "search"}), ("ml-sandbox", {"team": "data-science"}))]
    items += [k.node(f"gke-shared-gke-regional-pool-2026-{k.uid(str(i))[:8]}-{i:04x}", CREATED, cloud="gcp",
                     region="us-central1", zone=GKE_ZONES[i % 3], instance_type="e2-standard-8", project="acme-shared",
                     instance_id=f"gke-shared-gke-regional-pool-2026-{k.uid(str(i))[:8]}-{i:04x}", pool="pool-2026")
              for i in range(3)]
    items.append(k.storage_class("standard-rwo", CREATED, "pd.csi.storage.gke.io", default=True, parameters={"type": "pd-balanced"}))
    items.append(k.statefulset("search-index", "search", CREATED, replicas=3, zone_spread=True, storage_class="standard-rwo"))
    for i in range(3):
        _volume(items, c, "search", f"data-search-index-{i}", GKE_ZONES[i], "100Gi", gke=True)
    items.append(k.deployment("search-api", "search", CREATED, replicas=2))
    items.append(k.pdb("search-api", "search", CREATED, {"app": "search-api"}, expected=2))
    items.append(k.pdb("search-index", "search", CREATED, {"app": "search-index"}, expected=3))
    items.append(k.deployment("notebook", "ml-sandbox", CREATED, replicas=1, claims=("scratch",)))
    _volume(items, c, "ml-sandbox", "scratch", "us-central1-b", "30Gi", gke=True)
    velero = [k.velero_bsl("default", CREATED, provider="gcp", bucket="acme-velero-prod-gke", prefix="prod-gke"),
              k.velero_vsl("default", CREATED, provider="gcp"),
              k.velero_schedule("search-6h", CREATED, "0 */6 * * *", ["search"], last_backup=NOW - timedelta(hours=2))]
    start = NOW - timedelta(hours=2)
    velero.append(k.velero_backup(k.backup_name("search-6h", start), start, schedule="search-6h", namespaces=["search"],
                                  csi_snapshots=(3, 3), duration=timedelta(minutes=11)))
    for slug, rid, result in (
        ("k8s-namespace-backed-up", _id(c, None, "namespace", "search"), "PASS"),
        ("k8s-namespace-backed-up", _id(c, None, "namespace", "ml-sandbox"), "FAIL"),
        ("k8s-schedule-interval-within-rpo", _id(c, "velero", "schedule", "search-6h"), "FAIL"),
        ("k8s-location-bucket-immutable", _id(c, "velero", "backupstoragelocation", "default"), "PASS"),
        ("k8s-location-offsite", _id(c, "velero", "backupstoragelocation", "default"), "PASS"),
    ):
        expect("k8s", slug, rid, result)
    return items, velero


def gke_kubeconfig() -> dict:
    """`kubectl config view --minify -o json` (credentials shown as kubectl redacts them)."""
    return {"kind": "Config", "apiVersion": "v1", "preferences": {}, "current-context": GKE_CONTEXT,
            "clusters": [{"name": GKE_CONTEXT, "cluster": {"server": "https://34.118.224.17",
                                                           "certificate-authority-data": "DATA+OMITTED"}}],
            "users": [{"name": GKE_CONTEXT, "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1",
                                                               "command": "gke-gcloud-auth-plugin", "provideClusterInfo": True,
                                                               "installHint": "Install gke-gcloud-auth-plugin"}}}],
            "contexts": [{"name": GKE_CONTEXT, "context": {"cluster": GKE_CONTEXT, "user": GKE_CONTEXT}}]}


def build_k8s(expect: Expect) -> dict[str, dict]:
    """{path under samples/acme: document}."""
    eks_items, eks_velero = eks(expect)
    gke_items, gke_velero = gke(expect)
    return {f"k8s/prod-eks/cluster-{CAPTURED}.json": k.kube_list(eks_items),
            f"k8s/prod-eks/velero-{CAPTURED}.json": k.kube_list(eks_velero),
            f"k8s/prod-gke/cluster-{CAPTURED}.json": k.kube_list(gke_items),
            f"k8s/prod-gke/velero-{CAPTURED}.json": k.kube_list(gke_velero),
            f"k8s/prod-gke/kubeconfig-{CAPTURED}.json": gke_kubeconfig()}
