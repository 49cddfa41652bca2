"""`drscan scan --aws --timings` as a subprocess against moto_server behind the fault proxy
(127.0.0.1): the timings it reports (findings.json's `timings` object and the printed tables)
add up to exactly the requests the proxy saw, retries included; a throttled call is retried and
its backoff measured; an AccessDenied answer is never retried."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.collect.aws.estate import SETUP_CALLS, create_users, seed
from tests.collect.aws.fault_proxy import FaultProxy
from tests.collect.aws.server import moto_server

DRSCAN = str(Path(sys.executable).parent / "drscan")
SERVICES = "s3,rds,kms,ec2"
THROTTLED_ONCE = "Action=DescribeDBInstances"  # RDS (query protocol): the operation is in the body


@pytest.fixture(scope="module")
def timed(tmp_path_factory):
    out = tmp_path_factory.mktemp("timings")
    with moto_server(unauthenticated_calls=SETUP_CALLS) as upstream:
        proxy = FaultProxy(upstream)
        with proxy.running() as endpoint:
            admin, auditor = create_users(endpoint, denied_actions=("s3:GetBucketVersioning",))
            seed(endpoint, admin)
            proxy.reset_counts()
            proxy.throttle_once = {THROTTLED_ONCE}
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(auditor.env(), AWS_ENDPOINT_URL=endpoint, AWS_DEFAULT_REGION="us-east-1",
                       MOTO_EC2_LOAD_DEFAULT_AMIS="false", COLUMNS="200")
            run = subprocess.run([DRSCAN, "scan", "--aws", "--regions", "us-east-1,eu-west-1", "--aws-services", SERVICES,
                                  "--aws-retries", "2", "--timings", "--out", str(out), "--format", "json",
                                  "--fail-on", "none", "--quiet"], env=env, capture_output=True, text=True, timeout=300)
            requests = sum(proxy.requests.values())
            paths = dict(proxy.paths)
    assert run.returncode == 0, run.stderr[-2000:]
    return run, json.loads((out / "findings.json").read_text())["timings"], requests, paths


def _operation(timings: dict, name: str) -> dict:
    (row,) = [r for r in timings["aws"]["operations"] if r["operation"] == name]
    return row


def test_timings_object_has_stages_services_and_operations(timed):
    _, timings, _, _ = timed
    assert set(timings["stages"]) >= {"collect", "graph", "evaluate"}
    aws = timings["aws"]
    assert {r["service"] for r in aws["services"]} == {"setup", *SERVICES.split(",")}
    for row in aws["services"]:
        assert set(row) == {"service", "tasks", "calls", "requests", "retries", "errors", "api_wait_s", "backoff_s",
                            "sdk_cpu_s", "own_cpu_s", "task_wall_s"}
        assert row["api_wait_s"] > 0 and row["calls"] > 0
    assert {r["service"]: r["tasks"] for r in aws["services"]} == {"setup": 0, "s3": 2, "rds": 2, "kms": 2, "ec2": 2}
    for row in aws["operations"]:
        assert set(row) == {"service", "operation", "calls", "requests", "retries", "errors", "api_wait_s", "backoff_s",
                            "sdk_cpu_s"}
        assert row["requests"] == row["calls"] + row["retries"]


def test_requests_counted_equal_the_requests_the_proxy_saw(timed):
    _, timings, requests, _ = timed
    totals = timings["aws"]["totals"]
    assert totals["requests"] == requests
    assert totals["calls"] == sum(r["calls"] for r in timings["aws"]["operations"])
    assert totals["requests"] == totals["calls"] + totals["retries"]


def test_a_throttled_call_is_retried_once_with_its_backoff_measured(timed):
    _, timings, _, _ = timed
    described = _operation(timings, "rds:DescribeDBInstances")
    assert described["calls"] == 2 and described["retries"] == 1 and described["errors"] == 0  # both regions
    assert described["backoff_s"] > 0


def test_access_denied_is_never_retried(timed):
    _, timings, _, paths = timed
    denied = _operation(timings, "s3:GetBucketVersioning")
    assert denied["calls"] == 2 and denied["errors"] == 2 and denied["retries"] == 0  # one bucket per region
    seen = sum(n for request, n in paths.items() if request.startswith("GET ") and request.endswith("?versioning"))
    assert seen == 2  # the proxy saw one request per bucket: no retry reached the wire


def test_tables_are_printed_even_with_quiet(timed):
    run, _, _, _ = timed
    assert "AWS time by service" in run.stdout and "Slowest AWS operations" in run.stdout
    assert run.stdout.startswith("Stages: collect ")
