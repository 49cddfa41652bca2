"""Benchmark the live Azure collector on a synthetic subscription served by the local HTTPS fake.

    python bench/bench_azure.py --resources 10000 --page-size 1000 --workers 8

Clones the recorded-shape rows of tests/fixtures/azure_api into N resources of one subscription
(storage, disks, VMs, scale sets, SQL, Key Vault, network, backup, Site Recovery, role
assignments), writes them as Resource Graph pages of --page-size rows, serves them from the fake
in a child process (so its memory is not counted), and times collect_azure. Prints wall time,
resources/s, Resource Graph pages, ARM GETs and the collector's peak memory (max RSS of this process; the fake runs in a child)."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from drscan.collect.azure.clients import StaticTokenCredential  # noqa: E402
from drscan.collect.azure.collect import AzureOptions, collect_azure  # noqa: E402
from drscan.collect.azure.queries import GRAPH_QUERIES  # noqa: E402
from tests.collect.azure.fake_arm import FakeArm, make_certificate  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "azure_api"
TEMPLATE_SUB = "0b1f6471-1bf0-4dda-aec3-222222222222"
SUB = "5e1d9c0a-6f2b-4c3d-8e9f-0a1b2c3d4e5f"
# share of the estate per ARM type (the rest of each query's types come from the same templates)
MIX = {
    "microsoft.storage/storageaccounts": 0.20, "microsoft.compute/disks": 0.25, "microsoft.compute/virtualmachines": 0.20,
    "microsoft.compute/virtualmachinescalesets": 0.05, "microsoft.keyvault/vaults": 0.05,
    "microsoft.network/trafficmanagerprofiles": 0.02, "microsoft.recoveryservices/vaults": 0.005,
    "microsoft.recoveryservices/vaults/backuppolicies": 0.005,
    "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems": 0.15,
    "microsoft.recoveryservices/vaults/replicationfabrics/replicationprotectioncontainers/replicationprotecteditems": 0.04,
    "microsoft.authorization/roleassignments": 0.02, "microsoft.sql/servers": 0.002, "microsoft.sql/servers/databases": 0.008,
}


def templates() -> dict[str, dict]:
    """One recorded-shape row per ARM type, from the test fixtures."""
    found: dict[str, dict] = {}
    for path in sorted((FIXTURES / "graph").rglob("*.json")):
        for row in json.loads(path.read_text())["data"]:
            if row["name"] != "master":
                found.setdefault(row["type"], row)
    return found


def clone(row: dict, number: int) -> dict:
    text = json.dumps(row)
    old_name = row["name"]
    text = text.replace(row["subscriptionId"], SUB).replace(old_name, f"{old_name}-{number:05d}")
    if row["type"] == "microsoft.sql/servers/databases":  # spread databases over the cloned servers
        text = text.replace("sql-checkout-weu/", f"sql-checkout-weu-{number % 20:05d}/")
    return json.loads(text)


def write_estate(root: Path, size: int, page_size: int) -> tuple[int, int]:
    rows_by_type = {t: [clone(row, n) for n in range(max(1, round(size * MIX.get(t, 0))))]
                    for t, row in templates().items() if t in MIX}
    scenario: dict = {"subscriptions": {"pages": ["subscriptions.json"]}, "graph": [], "arm": {}}
    (root / "subscriptions.json").write_text(json.dumps({"value": [{
        "id": f"/subscriptions/{SUB}", "subscriptionId": SUB, "displayName": "bench", "state": "Enabled", "tenantId": "t"}]}))
    pages = 0
    for query in GRAPH_QUERIES:
        rows = [r for t in query.arm_types for r in rows_by_type.get(t, [])]
        names = []
        for start in range(0, len(rows), page_size):
            page = {"totalRecords": len(rows), "count": len(rows[start:start + page_size]),
                    "data": rows[start:start + page_size], "facets": [], "resultTruncated": "false"}
            if start + page_size < len(rows):
                page["$skipToken"] = f"{query.name}-{start + page_size}"
            name = f"{query.name}-{start // page_size}.json"
            (root / name).write_text(json.dumps(page))
            names.append(name)
        pages += len(names)
        scenario["graph"].append({"subscription": SUB, "match": query.kql.split(" | ")[1], "pages": names})
    detail = {"tde.json": {"properties": {"state": "Enabled"}}, "retention.json": {"properties": {"retentionDays": 14}},
              "empty.json": {"value": []}}
    for name, body in detail.items():
        (root / name).write_text(json.dumps(body))
    for database in rows_by_type.get("microsoft.sql/servers/databases", []):
        base = database["id"].lower()
        scenario["arm"][f"{base}/transparentdataencryption/current"] = "tde.json"
        scenario["arm"][f"{base}/backupshorttermretentionpolicies/default"] = "retention.json"
        scenario["arm"][f"{base}/replicationlinks"] = ["empty.json"]
    for server in rows_by_type.get("microsoft.sql/servers", []):
        scenario["arm"][f"{server['id'].lower()}/failovergroups"] = ["empty.json"]
    (root / "scenario.json").write_text(json.dumps(scenario))
    return sum(len(v) for v in rows_by_type.values()), pages


def serve(root: str, size: int, page_size: int, urls, stop) -> None:
    """Child process: write the synthetic estate, serve it, stop when told (or after 10 minutes)."""
    rows, pages = write_estate(Path(root), size, page_size)
    cert, key = make_certificate(Path(root))
    with FakeArm(Path(root), cert, key, token="bench-token") as fake:
        urls.put((fake.url, str(cert), rows, pages))
        stop.wait(600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--trace-memory", action="store_true",
                        help="also report tracemalloc's peak (slows allocation-heavy code ~2x, so wall time is then not comparable)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        urls, stop = multiprocessing.Queue(), multiprocessing.Event()
        server = multiprocessing.Process(target=serve, args=(tmp, args.resources, args.page_size, urls, stop), daemon=True)
        server.start()
        try:
            url, cert, rows, pages = urls.get(timeout=120)
            os.environ["REQUESTS_CA_BUNDLE"] = cert
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            if args.trace_memory:
                tracemalloc.start()
            started = time.perf_counter()
            inventory = collect_azure(AzureOptions(subscriptions=None, endpoint=url, credential=StaticTokenCredential("bench-token"),
                                                   page_size=args.page_size, workers=args.workers))
            elapsed = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1] if args.trace_memory else None
            tracemalloc.stop()
        finally:
            stop.set()
            server.join(timeout=10)
            if server.is_alive():
                server.terminate()
    databases = sum(1 for r in inventory.resources if r.kind == "azure.sql.database")
    figures = {
        "resources_served": rows, "resources_collected": len(inventory.resources), "gaps": len(inventory.gaps),
        "graph_pages": pages, "sql_arm_gets": databases * 3 + sum(1 for r in inventory.resources if r.kind == "azure.sql.server"),
        "wall_s": round(elapsed, 2), "resources_per_s": round(len(inventory.resources) / elapsed),
        "peak_traced_mib": round(peak / 2**20, 1) if peak is not None else None,
        "rss_before_mib": round(rss_before, 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "workers": args.workers, "page_size": args.page_size,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
