"""Benchmark a restore drill: a real PostgreSQL server (started here, as in the tests), a table
filled until its pg_dump (custom format, uncompressed) is about --size-gb, then
`drscan drill restore postgres` of that dump with a count(*) verification. Prints seconds per
phase (fetch, restore, start, verify) and the total.

    python bench/bench_drill.py --size-gb 1
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drscan.drill.model import Check, DrillRequest, parse_expectation  # noqa: E402
from drscan.drill.run import run_drill  # noqa: E402
from tests.dbservers import start_postgres  # noqa: E402

ROW_BYTES = 83  # COPY text of (int, md5, md5) plus separators


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-gb", type=float, default=1.0)
    args = parser.parse_args()
    rows = int(args.size_gb * 1e9 / ROW_BYTES)
    server = start_postgres(archive=False)
    work = Path(tempfile.mkdtemp(prefix="drscan-bench-drill-"))
    try:
        mark = time.perf_counter()
        server.psql("ALTER SYSTEM SET log_statement = 'none'")
        server.psql("SELECT pg_reload_conf()")
        server.psql("CREATE DATABASE bench_src")
        server.psql(f"CREATE TABLE orders AS SELECT g AS id, md5(g::text) AS a, md5((g * 7)::text) AS b "
                    f"FROM generate_series(1, {rows}) g", database="bench_src", timeout=3600)
        print(f"filled {rows:,} rows in {time.perf_counter() - mark:.1f} s")
        dump = work / "orders-bench.dump"
        mark = time.perf_counter()
        subprocess.run([str(server.bin / "pg_dump"), "-Fc", "-Z0", "-f", str(dump), server.dsn("bench_src")],
                       env=server.env, check=True, timeout=3600)
        print(f"pg_dump: {dump.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - mark:.1f} s")
        request = DrillRequest(engine="postgres", source=str(dump), target=server.dsn("drscan_drill_bench"),
                               checks=(Check("select count(*) from orders", parse_expectation(f"= {rows}")),), app="bench")
        record = run_drill(request)
        print(f"drill {record.status}: " + ", ".join(f"{k} {v:.1f} s" for k, v in record.phases.items())
              + f"; total {record.restore_duration_seconds:.1f} s")
        return 0 if record.status == "passed" else 1
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
