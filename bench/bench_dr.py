"""Benchmark `drscan dr` (status) and `drscan dr simulate --fail region:...` on a synthetic estate.

    python bench/bench_dr.py --resources 100000

Scans the estate of bench/synth_estate.py once into a temporary database, with a drscan.yaml
that declares its 103 apps (payments tier 1 with a primary and a recovery region), then times
the DR commands as a user runs them, each in a fresh process (load the scan, rebuild the graph,
assess / simulate, render). Prints one line per command and a JSON summary."""

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
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_scan import ensure_estate  # noqa: E402
from synth_estate import APPS, NAMED_APPS  # noqa: E402

from drscan import api  # noqa: E402

TARGET_SECONDS = 10.0


def bench_config(path: Path) -> Path:
    lines = ["organization: Bench Corp", "scope: {name: synthetic}", "apps:",
             "  - {name: payments, tier: 1, rpo: 15m, rto: 1h, strategy: warm_standby, primary_region: us-east-1,",
             "     recovery_regions: [us-west-2], contacts: [oncall@bench.example], members: {tags: {app: payments}}}",
             "  - {name: checkout, tier: 2, rpo: 1h, rto: 4h, depends_on: [payments], members: {tags: {app: checkout}}}",
             "  - {name: analytics, tier: 3, rpo: 24h, rto: 24h, members: {tags: {app: analytics}}}"]
    for name in APPS:
        if name not in NAMED_APPS:
            lines.append(f"  - {{name: {name}, tier: 3, rpo: 4h, rto: 8h, members: {{tags: {{app: {name}}}}}}}")
    path.write_text("\n".join(lines) + "\n")
    return path


RUNNER = "import sys; from drscan.cli_dr import dr_app; dr_app(sys.argv[1:], prog_name='drscan dr')"


def timed(args: list[str]) -> tuple[float, int, int]:
    """Wall-clock of the command in a fresh interpreter, as a user runs it (imports included)."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=HERE.parent, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"dr {' '.join(args)} failed ({result.returncode}): {result.stderr[-2000:]}")
    return seconds, result.returncode, len(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--region", default="us-east-1", help="region to fail in the simulation")
    args = parser.parse_args()
    estate = ensure_estate(args.resources)
    with tempfile.TemporaryDirectory() as tmp:
        config = bench_config(Path(tmp) / "drscan.yaml")
        db = Path(tmp) / "bench.db"
        started = time.perf_counter()
        scanned = api.scan(estate, config_path=config, db_path=db, formats=())
        scan_seconds = time.perf_counter() - started
        counts = (len(scanned.scan.resources), len(scanned.scan.relations))
        del scanned
        common = ["--config", str(config), "--db", str(db)]
        rows = {}
        for name, command in (("dr (table)", common), ("dr --format json", common + ["--format", "json"]),
                              (f"dr simulate --fail region:{args.region}", ["simulate", "--fail", f"region:{args.region}"] + common),
                              (f"dr simulate --fail region:{args.region} --format json",
                               ["simulate", "--fail", f"region:{args.region}", "--format", "json"] + common),
                              ("dr runbook payments", ["runbook", "payments"] + common)):
            seconds, code, size = timed(command)
            rows[name] = {"seconds": round(seconds, 2), "exit_code": code, "output_bytes": size,
                          "within_target": seconds < TARGET_SECONDS}
            print(f"{name:<55} {seconds:6.2f} s  exit {code}  output {size / 1e3:,.0f} kB", flush=True)
    summary = {"resources": counts[0], "relations": counts[1], "apps": len(APPS),
               "scan_seconds": round(scan_seconds, 1), "commands": rows,
               "peak_rss_mb_of_a_command": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
