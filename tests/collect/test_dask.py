"""--executor dask: a real dask.distributed cluster of worker processes scanning an Organization of
20 member accounts in moto_server (127.0.0.1, behind a proxy that adds latency, throttles chosen
accounts and measures per-account concurrency). The answers must equal a local scan's, survive a
worker killed mid-scan, keep the per-account budget cluster-wide, and keep one throttled account
from failing the others."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
import dask  # noqa: E402

from drscan.collect.aws.base import THROTTLE_CODES  # noqa: E402
from drscan.collect.aws.collect import AwsOptions, collect_aws  # noqa: E402
from drscan.collect.executor import DaskExecutor, ExecutorOptions  # noqa: E402
from drscan.engine.evaluate import evaluate  # noqa: E402
from drscan.engine.loader import load_rules  # noqa: E402
from drscan.errors import InputError  # noqa: E402
from drscan.graph.build import build_graph  # noqa: E402
from drscan.paths import rules_dir  # noqa: E402
from tests.collect.aws.fault_proxy import FaultProxy, in_flight_limit_kept  # noqa: E402
from tests.collect.aws.org_estate import KEYS, MANAGEMENT, seed_organization  # noqa: E402
from tests.collect.aws.server import free_port, moto_server  # noqa: E402

MEMBERS = 20
DRSCAN = [str(Path(sys.executable).parent / "drscan")]
SERVICES = ("s3", "kms", "ec2")


@pytest.fixture(scope="module")
def org():
    """moto_server seeded with the Organization, the proxy in front of it, and the environment a
    worker process inherits (credentials of the management account, the endpoint)."""
    saved = dict(os.environ)
    with moto_server() as upstream:
        members = seed_organization(upstream, MEMBERS)
        proxy = FaultProxy(upstream)
        with proxy.running() as endpoint:
            os.environ.update(AWS_ACCESS_KEY_ID=KEYS["aws_access_key_id"], AWS_SECRET_ACCESS_KEY=KEYS["aws_secret_access_key"],
                              AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=endpoint, MOTO_EC2_LOAD_DEFAULT_AMIS="false")
            for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
                os.environ.pop(name, None)
            try:
                yield proxy, members, endpoint
            finally:
                os.environ.clear()
                os.environ.update(saved)


@pytest.fixture(scope="module")
def cluster(org):
    """Two worker processes (not threads), started after the environment is set so they inherit it.
    Short lease timeouts so a killed worker's budget leases come back quickly."""
    with dask.config.set({"distributed.scheduler.locks.lease-timeout": "3s",
                          "distributed.scheduler.locks.lease-validation-interval": "1s"}):
        local = distributed.LocalCluster(n_workers=2, threads_per_worker=4, processes=True, host="127.0.0.1",
                                         dashboard_address=None)
        try:
            yield local
        finally:
            local.close()


def _options(**overrides) -> AwsOptions:
    base = dict(regions=("us-east-1",), org=True, assume_role="DrscanAudit", services=SERVICES, max_attempts=2,
                per_account=2, workers=8)
    base.update(overrides)
    return AwsOptions(**base)


def _verdicts(inventory) -> set[tuple[str, str, str]]:
    rules = load_rules(rules_dir())
    graph = build_graph(inventory)
    now = datetime.now(timezone.utc)  # as a CLI scan would judge ages
    return {(f.rule_id, f.resource_id, f.status.value) for f in evaluate(graph, rules, now, inventory.gaps)}


@pytest.fixture(scope="module")
def local_scan(org):
    inventory, calls = collect_aws(_options())
    return inventory, calls


def _dask(cluster) -> DaskExecutor:
    return DaskExecutor(ExecutorOptions(kind="dask", scheduler=cluster.scheduler_address))


def test_local_scan_sees_every_member_account(org, local_scan):
    _, members, _ = org
    inventory, calls = local_scan
    accounts = {r.account for r in inventory.resources}
    assert accounts == set(members) | {MANAGEMENT}
    assert calls["sts:AssumeRole"] == MEMBERS  # one per member account, however many tasks it has
    assert not [g for g in inventory.gaps if g.operation in ("collect", "AssumeRole")]


def test_dask_scan_finds_exactly_what_the_local_scan_finds(cluster, local_scan):
    executor = _dask(cluster)
    timings = []
    try:
        inventory, calls = collect_aws(_options(), executor=executor, on_timings=timings.append)
    finally:
        executor.close()
    # --timings: every task's measurements came back from the workers with its result and add up
    # to the calls counted (role assumptions are counted, not timed: they belong to no task).
    (timed,) = timings
    assert timed.totals()["calls"] == sum(calls.values()) - calls["sts:AssumeRole"]
    assert timed.totals()["tasks"] == (MEMBERS + 1) * len(SERVICES)  # one region: one task per account and service
    local_inventory, _ = local_scan
    assert sorted(r.id for r in inventory.resources) == sorted(r.id for r in local_inventory.resources)
    assert _verdicts(inventory) == _verdicts(local_inventory)
    assert len(inventory.resources) == len({r.id for r in inventory.resources})
    # Each worker process assumes each member role at most once.
    assert MEMBERS <= calls["sts:AssumeRole"] <= 2 * MEMBERS


def test_per_account_budget_holds_across_the_whole_cluster(org, cluster):
    proxy, members, _ = org
    proxy.reset_counts()
    proxy.latency = 0.03  # real APIs take tens of milliseconds: tasks of one account overlap
    executor = _dask(cluster)
    try:
        collect_aws(_options(per_account=1, services=("s3", "kms", "ec2", "iam")), executor=executor)
    finally:
        executor.close()
        proxy.latency = 0.0
    # 2 processes x 4 threads could run 8 tasks of one account at once; the distributed semaphore
    # lets 1 run. (The management account is left out: its key also signs every AssumeRole.)
    member_peaks = {a: n for a, n in in_flight_limit_kept(proxy, 1).items() if a in members}
    assert member_peaks == {}
    assert sum(proxy.requests[a] for a in members) > 0


def test_a_worker_killed_mid_scan_loses_nothing_and_duplicates_nothing(org, cluster, local_scan):
    proxy, _, _ = org
    proxy.latency = 0.02
    executor = _dask(cluster)
    pids = list(executor.client.run(os.getpid).values())
    finished = []

    def kill_once(task) -> None:
        finished.append(task)
        if len(finished) == 5:
            os.kill(pids[0], signal.SIGKILL)  # the nanny starts a new worker; its tasks run again

    try:
        inventory, _ = collect_aws(_options(), executor=executor, on_task=kill_once)
    finally:
        executor.close()
        proxy.latency = 0.0
    local_inventory, _ = local_scan
    assert len(finished) == len(set(map(id, finished))) == 3 * (MEMBERS + 1)  # every task reported once
    assert sorted(r.id for r in inventory.resources) == sorted(r.id for r in local_inventory.resources)
    assert _verdicts(inventory) == _verdicts(local_inventory)


def test_a_throttling_storm_on_one_account_is_its_gap_and_spares_the_others(org, cluster, local_scan):
    proxy, members, _ = org
    stormy = members[3]
    proxy.throttled = {stormy}
    executor = _dask(cluster)
    try:
        inventory, _ = collect_aws(_options(), executor=executor)
    finally:
        executor.close()
        proxy.throttled = set()
    local_inventory, _ = local_scan
    expected = sorted(r.id for r in local_inventory.resources if r.account != stormy)
    assert sorted(r.id for r in inventory.resources if r.account != stormy) == expected
    storm_gaps = [g for g in inventory.gaps if g.account == stormy]
    assert storm_gaps and all(g.code in THROTTLE_CODES for g in storm_gaps)
    local_gaps = {(g.account, g.operation, g.code) for g in local_inventory.gaps if g.account != stormy}
    assert {(g.account, g.operation, g.code) for g in inventory.gaps if g.account != stormy} == local_gaps
    verdicts = _verdicts(inventory)
    stormy_verdicts = {v for v in verdicts if f"/{stormy}/" in v[1] or f":{stormy}:" in v[1]}
    assert stormy_verdicts and {status for _, _, status in stormy_verdicts} == {"NOT_ASSESSED"}
    assert proxy.throttles[stormy] > 0


def test_cli_dask_scan_writes_the_findings_of_a_local_scan(org, cluster, local_scan, tmp_path):
    run = subprocess.run(DRSCAN + ["scan", "--aws", "--org", "--assume-role", "DrscanAudit", "--regions", "us-east-1",
                                   "--aws-services", ",".join(SERVICES), "--out", str(tmp_path), "--format", "json",
                                   "--fail-on", "none", "--quiet", "--executor", "dask",
                                   "--dask-scheduler", cluster.scheduler_address],
                         env=dict(os.environ, AWS_MAX_ATTEMPTS="2"), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    findings = json.loads((tmp_path / "findings.json").read_text())
    assert findings["scan"]["scope"]["executor"] == "dask"
    written = {(f["rule_id"], f["resource_id"], f["status"]) for f in findings["findings"]}
    assert written == _verdicts(local_scan[0]) and len(written) > 3 * MEMBERS


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(InputError, match=r"--dask-scheduler tcp://127\.0\.0\.1:\d+: cannot connect"):
        DaskExecutor(ExecutorOptions(kind="dask", scheduler=f"tcp://127.0.0.1:{free_port()}", connect_timeout=2))


def test_cli_unreachable_scheduler_exits_2_with_one_line(tmp_path):
    run = subprocess.run(DRSCAN + ["scan", "--aws", "--executor", "dask", "--dask-scheduler", "bogus://nowhere"],
                         capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", AWS_DEFAULT_REGION="us-east-1",
                                  AWS_ENDPOINT_URL="http://127.0.0.1:9"))
    assert run.returncode == 2, run.stderr
    assert "--dask-scheduler bogus://nowhere" in run.stderr and "Traceback" not in run.stderr


def test_import_evaluated_in_partitions_on_the_cluster_gives_the_local_findings(cluster):
    from drscan import api

    sample = Path(__file__).resolve().parents[2] / "samples" / "acme"
    as_of = datetime(2026, 11, 20, 6, tzinfo=timezone.utc)
    local = api.scan(sample, config_path=sample / "drscan.yaml", as_of=as_of)
    executor = _dask(cluster)
    try:
        remote = api.scan(sample, config_path=sample / "drscan.yaml", as_of=as_of, executor=executor)
    finally:
        executor.close()
    assert remote.scan.findings == local.scan.findings
    assert remote.exit_code == local.exit_code
