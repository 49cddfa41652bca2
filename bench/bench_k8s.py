"""Benchmark Kubernetes imports: N clusters x M objects (kubectl List JSON written with
bench/k8s_builders.py) imported, linked, assessed and evaluated, then stored.

    python bench/bench_k8s.py --clusters 50 --objects 2000

Writes the estate into bench/out/k8s-<N>x<M>/k8s/<cluster>/{cluster,velero}.json (reused when
present), runs the scan in this process and prints one JSON line with the figures (stages are
wall-clock seconds; cpu_seconds is the process's CPU time for the whole scan)."""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import k8s_builders as k  # noqa: E402
from estate_builders import NOW  # noqa: E402

CREATED = NOW - timedelta(days=200)
APPS = 10  # apps per cluster, each a namespace


def cluster_objects(index: int, objects: int) -> tuple[list[dict], list[dict]]:
    """About `objects` objects: nodes, namespaces with workloads and volumes, Velero schedules and backups."""
    name = f"c{index:03d}"
    zones = ("us-east-1a", "us-east-1b", "us-east-1c")
    items: list[dict] = [k.node(f"{name}-node-{n}", CREATED, cloud="aws", region="us-east-1", zone=zones[n % 3],
                                instance_type="m6i.xlarge", instance_id=f"i-{index:04d}{n:012d}") for n in range(30)]
    items.append(k.storage_class("gp3", CREATED, "ebs.csi.aws.com", default=True))
    velero: list[dict] = [k.velero_bsl("default", CREATED, provider="aws", bucket=f"velero-{name}", config={"region": "us-west-2"})]
    per_namespace = max(1, (objects - 60) // (APPS * 2))  # half in apps' namespaces, half in scratch ones
    for a in range(APPS * 2):
        ns = f"app{a:02d}" if a < APPS else f"scratch{a:02d}"
        items.append(k.namespace(ns, CREATED, {"app": ns} if a < APPS else None))
        budget = per_namespace - 1
        w = 0
        while budget > 0:
            claim = f"data-{w}"
            pv_name = f"pvc-{index}-{a}-{w}"
            items.append(k.deployment(f"svc-{w}", ns, CREATED, replicas=1 + w % 3, claims=(claim,), zone_spread=w % 2 == 0))
            items.append(k.pvc(claim, ns, CREATED, storage_class="gp3", size="20Gi", volume=pv_name))
            items.append(k.pv(pv_name, CREATED, claim_ns=ns, claim=claim, size="20Gi", storage_class="gp3",
                              driver="ebs.csi.aws.com", handle=f"vol-{index:04d}{a:04d}{w:08d}", zone=zones[w % 3]))
            items.append(k.service(f"svc-{w}", ns, CREATED, {"app": f"svc-{w}"}))
            budget -= 4
            w += 1
        if a < APPS:
            velero.append(k.velero_schedule(f"{ns}-hourly", CREATED, "0 * * * *", [ns], last_backup=NOW - timedelta(minutes=30)))
            for h in range(3):
                start = NOW - timedelta(hours=h + 0.5)
                velero.append(k.velero_backup(k.backup_name(f"{ns}-hourly", start), start, schedule=f"{ns}-hourly",
                                              namespaces=[ns], csi_snapshots=(w, w)))
    return items, velero


def write_estate(root: Path, clusters: int, objects: int) -> int:
    written = 0
    for index in range(clusters):
        folder = root / "k8s" / f"c{index:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        items, velero = cluster_objects(index, objects)
        (folder / "cluster.json").write_text(json.dumps(k.kube_list(items)))
        (folder / "velero.json").write_text(json.dumps(k.kube_list(velero)))
        written += len(items) + len(velero)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--objects", type=int, default=2000)
    args = parser.parse_args()
    root = HERE / "out" / f"k8s-{args.clusters}x{args.objects}"
    if not (root / ".complete").exists():
        count = write_estate(root, args.clusters, args.objects)
        (root / ".complete").write_text(str(count))
    count = int((root / ".complete").read_text())
    config = root / "drscan.yaml"
    config.write_text("apps:\n" + "".join(f"  - {{name: app{a:02d}, tier: 1, rpo: 1h, rto: 4h, members: {{tags: {{app: app{a:02d}}}}}}}\n"
                                          for a in range(APPS)))
    from drscan import api
    from drscan.model import Status

    with tempfile.TemporaryDirectory() as tmp:
        started, cpu = time.perf_counter(), time.process_time()
        result = api.scan(root / "k8s", config_path=config, db_path=Path(tmp) / "k8s.db", as_of=NOW)
        total, cpu = time.perf_counter() - started, time.process_time() - cpu
    findings = result.scan.findings
    print(json.dumps({
        "clusters": args.clusters, "objects": count, "resources": len(result.scan.resources),
        "relations": len(result.scan.relations), "findings": len(findings),
        "fail": sum(1 for f in findings if f.status is Status.FAIL), "seconds": round(total, 2),
        "cpu_seconds": round(cpu, 2),  # wall time suffers when other work shares the cores; CPU time does not
        "stages": {key: round(value, 2) for key, value in result.timings.items()},
        "objects_per_s": round(count / total), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main()
