"""Benchmark the offline pipeline: import -> graph -> evaluate -> store, on synthetic estates.

    python bench/bench_scan.py --resources 10000 100000 [--reports]

Each size runs in its own process (so peak memory is that run's own), on an estate written
by bench/synth_estate.py into bench/out/. Prints one line per size and a JSON summary."""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def ensure_estate(size: int) -> Path:
    out = HERE / "out" / f"estate-{size}"
    if not (out / ".complete").exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, str(HERE / "synth_estate.py"), "--resources", str(size), "--out", str(out), "--overwrite"], check=True)
        (out / ".complete").write_text(f"{time.perf_counter() - started:.1f}s\n")
    return out


def run_one(size: int, reports: bool) -> dict:
    sys.path.insert(0, str(REPO))
    from drscan import api
    from drscan.model import Status

    estate = ensure_estate(size)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = api.scan(estate, config_path=HERE / "bench.drscan.yaml", db_path=Path(tmp) / "bench.db",
                          out_dir=Path(tmp) / "reports" if reports else None, formats=("json", "csv", "html"))
        total = time.perf_counter() - started
        db_mb = (Path(tmp) / "bench.db").stat().st_size / 1e6
    findings = result.scan.findings
    return {
        "resources": len(result.scan.resources),
        "relations": len(result.scan.relations),
        "findings": len(findings),
        "fail": sum(1 for f in findings if f.status is Status.FAIL),
        "gaps": len(result.scan.gaps),
        "seconds": round(total, 2),
        "stages": {k: round(v, 2) for k, v in result.timings.items()},
        "resources_per_s": round(len(result.scan.resources) / total),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "db_mb": round(db_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--reports", action="store_true", help="also write JSON/CSV/HTML reports (PDF is not benchmarked)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, args.reports)))
        return
    results = []
    for size in args.resources:
        ensure_estate(size)
        command = [sys.executable, __file__, "--child", str(size)] + (["--reports"] if args.reports else [])
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        results.append(row)
        print(f"{row['resources']:>7} resources  {row['seconds']:>6.2f} s  {row['resources_per_s']:>6}/s  "
              f"peak {row['peak_rss_mb']} MB  findings {row['findings']}  stages {row['stages']}", flush=True)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
