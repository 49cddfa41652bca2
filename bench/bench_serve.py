"""Benchmark `drscan serve`: response times of the findings explorer on a large stored scan.

    python bench/bench_serve.py --resources 100000 [--requests 40]

Builds (once, cached in bench/out/) a database with two scans of the synthetic estate
(bench/synth_estate.py; the second with 1% of findings flipped to FAIL so the history has
changes), starts `drscan serve` on 127.0.0.1 in a subprocess, and times GET requests of the
findings page: the first page, a filtered page, a deep page, a sorted page and their JSON
twins. Prints p50/p95/max per request kind and a JSON summary."""

from __future__ import annotations

import argparse
import json
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_scan import ensure_estate  # noqa: E402


def build_database(size: int) -> Path:
    from drscan import api
    from drscan.model import Status
    from drscan.store.db import open_db, save_scan

    path = HERE / "out" / f"serve-{size}.db"
    if path.exists():
        return path
    estate = ensure_estate(size)
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    first = api.scan(estate, config_path=HERE / "bench.drscan.yaml", db_path=partial).scan
    rng = random.Random(11)
    findings = [replace(f, status=Status.FAIL) if rng.random() < 0.01 else f for f in first.findings]
    next_day = (datetime.fromisoformat(first.started_at.replace("Z", "+00:00")) + timedelta(days=1)).isoformat()
    later = replace(first, id=None, started_at=next_day, finished_at=next_day, findings=tuple(findings))
    db = open_db(partial)
    save_scan(db, later)
    db.conn.execute("pragma wal_checkpoint(truncate)")
    db.conn.close()
    partial.rename(path)
    for leftover in (Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"drscan serve exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("drscan serve did not start within 60 s")


def timed(url: str, accept: str) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    return (time.perf_counter() - started) * 1000, len(body)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="Requests per kind (after 2 warm-up requests).")
    args = parser.parse_args()
    db_path = build_database(args.resources)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "drscan.cli", "serve", "--db", str(db_path), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    results = {}
    try:
        wait_until_up(base, process)
        # Each scan's summary (counts per rule and app, filter values) and the latest diff are
        # computed once per new scan, in the background from start; a request that comes first waits.
        first = timed(base + "/", "text/html")[0]
        warm = [timed(base + "/", "text/html")[0] for _ in range(10)]
        results["overview"] = {"first_after_start_ms": round(first, 1), "warm_p50_ms": round(statistics.median(warm), 1)}
        print(f"overview: first request after start {first:.0f} ms, then p50 {statistics.median(warm):.0f} ms", flush=True)
        kinds = {  # name -> (path, first page of the timed run)
            "first page": ("/findings", 1),
            "filtered page": ("/findings?status=FAIL&severity=high&provider=aws", 1),
            "text search": ("/findings?q=bucket&status=FAIL", 1),
            "framework filter": ("/findings?framework=iso27001-2022&status=NOT_ASSESSED", 1),
            "deep pages (200+)": ("/findings", 200),
            "sorted by resource": ("/findings?sort=resource&order=desc", 1),
        }
        for name, (path, first) in kinds.items():
            for accept, label in (("text/html", "html"), ("application/json", "json")):
                # The first request of a filter also counts its matches (kept afterwards: a stored
                # scan never changes); "cold" is that first request, the rest are the next pages.
                join = "&" if "?" in path else "?"
                cold = timed(f"{base}{path}{join}page={first}", accept)[0]
                samples = [timed(f"{base}{path}{join}page={first + n % 20}", accept)[0] for n in range(args.requests)]
                results[f"{name} ({label})"] = {"cold_ms": round(cold, 1), "p50_ms": round(statistics.median(samples), 1),
                                                "p95_ms": round(percentile(samples, 0.95), 1),
                                                "max_ms": round(max(samples), 1)}
                row = results[f"{name} ({label})"]
                print(f"{name + ' (' + label + ')':<32} cold {row['cold_ms']:7.1f} ms  p50 {row['p50_ms']:7.1f} ms  "
                      f"p95 {row['p95_ms']:7.1f} ms  max {row['max_ms']:7.1f} ms", flush=True)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    findings = connection.execute("select count(*) from findings where scan_id = (select max(id) from scans)").fetchone()[0]
    resources = connection.execute("select resource_count from scans order by id desc limit 1").fetchone()[0]
    connection.close()
    print(json.dumps({"resources": resources, "findings_in_scan": findings, "requests_per_kind": args.requests,
                      "results": results}, indent=2))


if __name__ == "__main__":
    main()
