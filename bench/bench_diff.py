"""Benchmark `drscan diff` between two stored scans of N resources.

    python bench/bench_diff.py --resources 100000

Scans the synthetic estate once, stores a second scan in which 1% of resources changed an
attribute, 0.5% disappeared and 0.5% are new, then times api.diff on the two."""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_scan import ensure_estate  # noqa: E402

from drscan import api  # noqa: E402
from drscan.model import Status  # noqa: E402
from drscan.store.db import open_db, save_scan  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=100_000)
    args = parser.parse_args()
    estate = ensure_estate(args.resources)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        first = api.scan(estate, config_path=HERE / "bench.drscan.yaml", db_path=db_path).scan
        resources = list(first.resources)
        n = len(resources)
        for i in rng.sample(range(n), n // 100):
            resources[i] = replace(resources[i], attrs={**resources[i].attrs, "bench_changed": True})
        removed = set(rng.sample(range(n), n // 200))
        kept = [r for i, r in enumerate(resources) if i not in removed]
        added = [replace(r, id=r.id + "-new") for r in rng.sample(kept, n // 200)]
        gone = {resources[i].id for i in removed}
        findings = [replace(f, status=Status.FAIL) if rng.random() < 0.01 else f for f in first.findings if f.resource_id not in gone]
        second = replace(first, id=None, resources=tuple(kept + added), findings=tuple(findings))
        db = open_db(db_path)
        save_scan(db, second)
        db.conn.close()
        started = time.perf_counter()
        diff = api.diff(db_path)
        seconds = time.perf_counter() - started
    counts = diff.as_dict()["counts"]
    print(f"diff of two {n}-resource scans: {seconds:.2f} s, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB; {counts}")


if __name__ == "__main__":
    main()
