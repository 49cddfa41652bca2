"""Benchmark a live AWS scan: seed moto_server (127.0.0.1) with N resources in three regions,
run drscan's collector over it and report wall time, resources/s, API calls per resource and
peak memory. Optionally time Prowler against the same endpoint for comparison.

    python bench/bench_aws.py --resources 1000          # emulator warmed first (see warm_emulator)
    python bench/bench_aws.py --resources 1000 --cold   # first scan against a fresh moto_server
    python bench/bench_aws.py --resources 1000 --prowler /opt/prowler-venv/bin/prowler
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.collect.aws.estate import Keys, clients, create_users  # noqa: E402
from tests.collect.aws.server import moto_server  # noqa: E402

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


def _seed_region(endpoint: str, admin: Keys, region: str, count: int, offset: int) -> int:
    """Spread `count` resources over the common kinds; returns how many were created."""
    client = clients(endpoint, admin, region)
    ec2, s3, ddb, kms, rds, logs = (client("ec2"), client("s3"), client("dynamodb"), client("kms"), client("rds"),
                                    client("cloudwatch"))
    zone = f"{region}a"
    made = 0
    for i in range(count):
        n = offset + i
        kind = i % 8
        if kind == 0:
            args = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
            s3.create_bucket(Bucket=f"bench-{n}", **args)
        elif kind == 1:
            ec2.create_volume(AvailabilityZone=zone, Size=8, Encrypted=bool(n % 2),
                              TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "app", "Value": f"app{n % 7}"}]}])
        elif kind == 2:
            ec2.create_security_group(GroupName=f"bench-{n}", Description="bench")
        elif kind == 3:
            ddb.create_table(TableName=f"bench-{n}", BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        elif kind == 4:
            kms.create_key(Description=f"bench-{n}")
        elif kind == 5:
            rds.create_db_instance(DBInstanceIdentifier=f"bench-{n}", Engine="postgres", DBInstanceClass="db.t3.micro",
                                   AllocatedStorage=20, MasterUsername="bench", MasterUserPassword="benchbench1",
                                   BackupRetentionPeriod=n % 3, MultiAZ=bool(n % 2))
        elif kind == 6:
            ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                              Placement={"AvailabilityZone": zone})
        else:
            logs.put_metric_alarm(AlarmName=f"bench-{n}", MetricName="CPUUtilization", Namespace="AWS/EC2",
                                  Statistic="Average", Period=60, EvaluationPeriods=1, Threshold=90,
                                  ComparisonOperator="GreaterThanThreshold")
        made += 1
    return made


def seed(endpoint: str, admin: Keys, total: int) -> float:
    start = time.perf_counter()
    share = total // len(REGIONS)
    with ThreadPoolExecutor(len(REGIONS)) as pool:
        list(pool.map(lambda r: _seed_region(endpoint, admin, r[1], share, r[0] * share), enumerate(REGIONS)))
    return time.perf_counter() - start


def scan(endpoint: str, auditor: Keys, workdir: Path, workers: int, max_attempts: int) -> dict:
    from drscan import api
    from drscan.collect.aws.collect import AwsOptions
    from drscan.collect.sources import Sources

    os.environ.update(auditor.env(), AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_REGION="us-east-1")
    start = time.perf_counter()
    result = api.scan(sources=Sources(aws=AwsOptions(regions=REGIONS, workers=workers, max_attempts=max_attempts)), db_path=workdir / "bench.db",
                      fail_on="none")
    wall = time.perf_counter() - start
    resources = len(result.scan.resources)
    calls = sum(result.api_calls.values())
    return {"wall_s": round(wall, 2), "resources": resources, "resources_per_s": round(resources / wall, 1),
            "api_calls": calls, "calls_per_resource": round(calls / max(1, resources), 2),
            "gaps": len(result.scan.gaps), "gap_codes": dict(Counter(f"{g.service}:{g.code}" for g in result.scan.gaps)),
            "findings": len(result.scan.findings),
            "stages": {k: round(v, 2) for k, v in result.timings.items()},
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def prowler(executable: str, endpoint: str, auditor: Keys, workdir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(auditor.env(), AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_REGION="us-east-1")
    start = time.perf_counter()
    run = subprocess.run([executable, "aws", "--region", *REGIONS, "--output-directory", str(workdir / "prowler"),
                          "--output-formats", "json-ocsf", "--no-banner", "--ignore-exit-code-3"],
                         env=env, capture_output=True, text=True, timeout=3600)
    return {"wall_s": round(time.perf_counter() - start, 2), "exit": run.returncode, "stderr_tail": run.stderr[-300:]}


def warm_emulator(endpoint: str, auditor: Keys, timeout_s: float = 600) -> float:
    """moto_server imports a service's backend, and builds its per-region state, on the first
    request for it: a cost of the emulator (about a second per service on a busy machine) that a
    real endpoint does not have. One untimed scan in a separate process pays it, so the timed scan
    measures drscan and the emulator's per-call work, while drscan's own start-up (botocore models,
    client creation) still happens in the timed process."""
    env = dict(os.environ, **auditor.env(), AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_REGION="us-east-1")
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--warm-only"], env=env, check=True, timeout=timeout_s,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def warm_only() -> None:
    from drscan.collect.aws.collect import AwsOptions, collect_aws

    collect_aws(AwsOptions(regions=REGIONS, max_attempts=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", action="store_true",
                        help="time the first scan against a fresh moto_server (includes the emulator's start-up per service)")
    parser.add_argument("--warm-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--max-attempts", type=int, default=8,
                        help="botocore attempts per call; moto answers APIs it lacks with HTTP 500, which are retried")
    parser.add_argument("--prowler", help="path to a prowler executable to time against the same endpoint")
    parser.add_argument("--repeat", type=int, default=1,
                        help="timed scans of the same seeded emulator, one after another (the median is printed)")
    args = parser.parse_args()
    if args.warm_only:
        warm_only()
        return
    with tempfile.TemporaryDirectory() as tmp, moto_server(unauthenticated_calls=6) as endpoint:
        admin, auditor = create_users(endpoint)
        seeded = seed(endpoint, admin, args.resources)
        print(f"seeded {args.resources} resources in {len(REGIONS)} regions in {seeded:.1f} s")
        if not args.cold:
            print(f"emulator warmed by an untimed scan in another process in {warm_emulator(endpoint, auditor):.1f} s")
        walls = []
        for run in range(max(1, args.repeat)):
            workdir = Path(tmp) / f"run{run}"
            workdir.mkdir()
            figures = scan(endpoint, auditor, workdir, args.workers, args.max_attempts)
            walls.append(figures["wall_s"])
            print("drscan:", figures, flush=True)
        if len(walls) > 1:
            print(f"drscan wall over {len(walls)} scans: median {statistics.median(walls):.2f} s, "
                  f"min {min(walls):.2f} s, max {max(walls):.2f} s")
        if args.prowler:
            print("prowler:", prowler(args.prowler, endpoint, auditor, Path(tmp)))


if __name__ == "__main__":
    main()
