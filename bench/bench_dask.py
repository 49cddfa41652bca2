"""Benchmark --executor dask on an AWS Organization: moto_server (127.0.0.1) seeded with N member
accounts reached through AssumeRole, behind a proxy that adds a fixed API latency (real AWS calls
take tens of milliseconds; moto answers in one or two), scanned by the local executor and by a
Dask LocalCluster of 1, 2 and 4 worker processes. Prints wall time, tasks/s and API calls.

A first (warm-up) scan records moto's answers in the proxy; the timed scans are answered from that
record, at the set latency, so they measure drscan at a fixed API latency rather than
moto_server's CPU (one Python process, which on a 2-core machine is the bottleneck otherwise).

    python bench/bench_dask.py --accounts 200 --latency 0.05 --threads 8
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drscan.collect.aws.collect import AwsOptions, collect_aws  # noqa: E402
from drscan.collect.executor import DaskExecutor, ExecutorOptions  # noqa: E402
from tests.collect.aws.fault_proxy import FaultProxy  # noqa: E402
from tests.collect.aws.org_estate import KEYS, seed_organization  # noqa: E402
from tests.collect.aws.server import moto_server  # noqa: E402

SERVICES = ("s3", "kms", "ec2", "iam")


def _scan(options: AwsOptions, executor=None) -> tuple[float, int, int, int]:
    start = time.perf_counter()
    inventory, calls = collect_aws(options, executor=executor)
    elapsed = time.perf_counter() - start
    failed = sum(1 for g in inventory.gaps if g.operation in ("collect", "AssumeRole"))
    return elapsed, len(inventory.resources), sum(calls.values()), failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every API call")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process (and local threads)")
    parser.add_argument("--processes", default="1,2,4")
    args = parser.parse_args()

    import distributed

    with moto_server() as upstream:
        start = time.perf_counter()
        seed_organization(upstream, args.accounts)
        print(f"seeded {args.accounts} member accounts in {time.perf_counter() - start:.1f} s")
        proxy = FaultProxy(upstream, latency=args.latency, replay=True)
        with proxy.running() as endpoint:
            os.environ.update(AWS_ACCESS_KEY_ID=KEYS["aws_access_key_id"], AWS_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"],
                              AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint)
            tasks = (args.accounts + 1) * len(SERVICES)
            print(f"{tasks} tasks ({len(SERVICES)} services x {args.accounts + 1} accounts, 1 region), "
                  f"{args.latency * 1000:.0f} ms per API call")
            print(f"{'executor':<22} {'wall s':>8} {'tasks/s':>8} {'resources':>10} {'API calls':>10} {'failed':>7}")
            options = AwsOptions(regions=("us-east-1",), org=True, assume_role="DrscanAudit", services=SERVICES,
                                 max_attempts=2, workers=args.threads, per_account=4)
            proxy.latency = 0.0
            _scan(options)  # warm-up: records every answer
            proxy.latency = args.latency
            wall, resources, calls, failed = _scan(options)
            print(f"{'local ' + str(args.threads) + ' threads':<22} {wall:8.1f} {tasks / wall:8.1f} {resources:10} {calls:10} {failed:7}")
            for processes in (int(p) for p in args.processes.split(",")):
                cluster = distributed.LocalCluster(n_workers=processes, threads_per_worker=args.threads, processes=True,
                                                   host="127.0.0.1", dashboard_address=None)
                executor = DaskExecutor(ExecutorOptions(kind="dask", scheduler=cluster.scheduler_address))
                try:
                    wall, resources, calls, failed = _scan(options, executor)
                finally:
                    executor.close()
                    cluster.close()
                label = f"dask {processes} x {args.threads} threads"
                print(f"{label:<22} {wall:8.1f} {tasks / wall:8.1f} {resources:10} {calls:10} {failed:7}")


if __name__ == "__main__":
    main()
