"""Benchmark the live GCP collector on a synthetic project served by the local Cloud Asset fake.

    python bench/bench_gcp.py --assets 10000 --page-size 500 --workers 8

Clones the recorded-shape assets of tests/fixtures/gcp_api into N assets of one project (disks,
snapshots, instances, buckets, SQL, keys, clusters, service accounts, ... plus the buckets' and
project's IAM policies), serves them from the fake in a child process (so its CPU and memory are
not counted), and times collect_gcp through the real google-cloud-asset REST client. Prints wall
time, assets/s, ListAssets pages and requests, and the collector's peak memory."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from google.oauth2.credentials import Credentials  # noqa: E402

from drscan.collect.gcp.collect import GcpOptions, collect_gcp  # noqa: E402
from tests.collect.gcp.fake_cloud_asset import FakeCloudAsset, load_fixtures  # noqa: E402

PROJECT, NUMBER = "bench-prod", "420000000001"
TEMPLATE_PROJECT, TEMPLATE_NUMBER = "acme-prod", "410000000101"
# share of the estate per asset type (RESOURCE); bucket and project IAM policies are added on top
MIX = {
    "compute.googleapis.com/Disk": 0.25, "compute.googleapis.com/Snapshot": 0.20, "compute.googleapis.com/Instance": 0.15,
    "storage.googleapis.com/Bucket": 0.10, "iam.googleapis.com/ServiceAccountKey": 0.06, "iam.googleapis.com/ServiceAccount": 0.04,
    "cloudkms.googleapis.com/CryptoKey": 0.04, "compute.googleapis.com/Firewall": 0.04, "sqladmin.googleapis.com/Instance": 0.03,
    "compute.googleapis.com/ResourcePolicy": 0.02, "compute.googleapis.com/RegionInstanceGroupManager": 0.02,
    "compute.googleapis.com/InstanceGroupManager": 0.015, "container.googleapis.com/Cluster": 0.01,
    "dns.googleapis.com/ManagedZone": 0.01, "spanner.googleapis.com/Instance": 0.003, "compute.googleapis.com/RegionDisk": 0.002,
}


def templates() -> tuple[dict[str, dict], dict[str, dict]]:
    """One recorded asset per type (RESOURCE) and per type (IAM_POLICY), from the test fixtures."""
    assets, _ = load_fixtures()
    resources: dict[str, dict] = {}
    for asset in assets["RESOURCE"]:
        if f"projects/{TEMPLATE_NUMBER}" in asset["ancestors"]:
            resources.setdefault(asset["assetType"], asset)
    policies = {a["assetType"]: a for a in assets["IAM_POLICY"] if f"projects/{TEMPLATE_NUMBER}" in a["ancestors"]}
    return resources, policies


def clone(asset: dict, number: int) -> dict:
    """The template with a unique name (its short name suffixed) in the bench project."""
    short = asset["name"].rstrip("/").rsplit("/", 1)[-1]
    text = json.dumps(asset).replace(short, f"{short}-{number:05d}")
    return json.loads(text.replace(TEMPLATE_PROJECT, PROJECT).replace(TEMPLATE_NUMBER, NUMBER))


def synthetic_estate(size: int) -> dict[str, list[dict]]:
    resources, policies = templates()
    listed = [clone(resources[t], n) for t, share in MIX.items() for n in range(max(1, round(size * share)))]
    listed.append(json.loads(json.dumps(resources["cloudresourcemanager.googleapis.com/Project"])
                             .replace(TEMPLATE_PROJECT, PROJECT).replace(TEMPLATE_NUMBER, NUMBER)))
    buckets = [a for a in listed if a["assetType"] == "storage.googleapis.com/Bucket"]
    iam = [dict(json.loads(json.dumps(policies["storage.googleapis.com/Bucket"]).replace(TEMPLATE_NUMBER, NUMBER)),
                name=b["name"]) for b in buckets]
    iam.append(json.loads(json.dumps(policies["cloudresourcemanager.googleapis.com/Project"])
                          .replace(TEMPLATE_PROJECT, PROJECT).replace(TEMPLATE_NUMBER, NUMBER)))
    return {"RESOURCE": listed, "IAM_POLICY": iam}


def serve(size: int, urls, stop) -> None:
    """Child process: build the estate, serve it, stop when told (or after 10 minutes)."""
    estate = synthetic_estate(size)
    fake = FakeCloudAsset(assets=estate, projects={PROJECT: NUMBER}, token="bench-token").start()
    try:
        urls.put((fake.url, {k: len(v) for k, v in estate.items()}))
        stop.wait(600)
    finally:
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=10000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--trace-memory", action="store_true",
                        help="also report tracemalloc's peak (slows allocation-heavy code, so wall time is then not comparable)")
    args = parser.parse_args()
    urls, stop = multiprocessing.Queue(), multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.assets, urls, stop), daemon=True)
    server.start()
    try:
        url, served = urls.get(timeout=120)
        pages: list[int] = []
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if args.trace_memory:
            tracemalloc.start()
        started = time.perf_counter()
        inventory = collect_gcp(GcpOptions(scopes=(f"projects/{PROJECT}",), endpoint=url, credentials=Credentials(token="bench-token"),
                                           page_size=args.page_size, workers=args.workers), on_progress=pages.append)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if args.trace_memory else None
        tracemalloc.stop()
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
    listed = sum(pages)
    figures = {
        "assets_served": served, "assets_listed": listed, "resources_collected": len(inventory.resources),
        "gaps": len(inventory.gaps), "list_assets_pages": len(pages),
        "wall_s": round(elapsed, 2), "assets_per_s": round(listed / elapsed),
        "peak_traced_mib": round(peak / 2**20, 1) if peak is not None else None,
        "rss_before_mib": round(rss_before, 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "workers": args.workers, "page_size": args.page_size,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
