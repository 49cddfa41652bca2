"""The live collector with the real `kubernetes` client against the fake API server: paging,
a 403 on one kind (gap -> NOT_ASSESSED, never PASS), a 410 expired continue token (listing
restarted once, or a gap), read-only requests within the ClusterRole of `drscan permissions k8s`."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml
from typer.testing import CliRunner

from drscan import api
from drscan.cli import app
from drscan.collect.kubernetes.collect import KubernetesOptions, collect_kubernetes
from drscan.collect.kubernetes.tasks import ListTask, run_list_task
from drscan.collect.sources import Sources
from drscan.errors import InputError
from drscan.model import Status
from tests.collect.kubernetes.estate import cluster_objects, gke_objects, velero_objects
from tests.conftest import FIXED_NOW


def _collect(kubeconfig, contexts=("prod-eks",), page_size=2):
    return collect_kubernetes(KubernetesOptions(contexts=contexts, kubeconfig=str(kubeconfig), page_size=page_size, workers=4))


def test_collects_every_kind_across_pages_with_cluster_in_every_id(apiserver, scenario, kubeconfig):
    inventory = _collect(kubeconfig, contexts=("prod-eks", "prod-gke"))
    expected = Counter(o["kind"] for o in cluster_objects() + velero_objects() + gke_objects())
    got = Counter(r.attrs.get("api_version", "") and r.id.split("/")[4] for r in inventory.resources if r.kind != "k8s.core.cluster")
    assert sum(got.values()) == sum(expected.values())
    assert {r.account for r in inventory.resources} == {"prod-eks", "prod-gke"}
    assert all(r.id.startswith(f"k8s://{r.account}") for r in inventory.resources)
    assert not inventory.gaps
    continued = [q for _, _, q, _ in apiserver.requests if q.get("continue")]
    assert continued and all(q["limit"] == "2" for _, _, q, _ in apiserver.requests)
    ledger = next(r for r in inventory.resources if r.id == "k8s://prod-eks/payments/statefulset/ledger")
    assert ledger.attrs["replicas"] == 2 and ledger.attrs["volume_claim_templates"] == ["data"]
    cluster = next(r for r in inventory.resources if r.id == "k8s://prod-eks")
    assert cluster.attrs["kubeconfig_cluster"] == "arn:aws:eks:us-east-1:111111111111:cluster/prod-eks"
    assert cluster.attrs["server"].endswith("/prod-eks")


def test_every_request_is_a_get_the_cluster_role_allows(apiserver, scenario, kubeconfig):
    role = yaml.safe_load(CliRunner().invoke(app, ["permissions", "k8s"]).output)
    assert role["kind"] == "ClusterRole"
    allowed = {(g, r, v) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"] for v in rule["verbs"]}
    assert {v for _, _, v in allowed} == {"get", "list"}
    _collect(kubeconfig, contexts=("prod-eks", "prod-gke"))
    assert apiserver.requests
    for method, path, query, auth in apiserver.requests:
        assert method == "GET" and auth == "Bearer test-token"
        segments = path.lstrip("/").split("/")[1:]  # drop the cluster prefix of the fake
        group, plural = ("", segments[2]) if segments[0] == "api" else (segments[1], segments[3])
        assert (group, plural, "list") in allowed, f"{path} is not allowed by the ClusterRole"


def test_forbidden_kind_is_a_gap_and_its_rules_are_not_assessed(apiserver, scenario, kubeconfig, tmp_path):
    scenario.forbidden.add(("prod-eks", "poddisruptionbudgets"))
    config = tmp_path / "drscan.yaml"
    config.write_text("apps:\n  - name: payments\n    tier: 1\n    rpo: 1h\n    rto: 4h\n    members: {namespaces: [payments]}\n")
    result = api.scan(sources=Sources(kubernetes=KubernetesOptions(contexts=("prod-eks",), kubeconfig=str(kubeconfig), page_size=3)),
                      config_path=config, as_of=FIXED_NOW)
    gaps = [g for g in result.scan.gaps if g.code == "Forbidden"]
    assert len(gaps) == 1 and gaps[0].kinds == ("k8s.policy.poddisruptionbudget",) and gaps[0].account == "prod-eks"
    assert "cannot list resource" in gaps[0].message
    budget = [f for f in result.scan.findings if f.rule_id == "k8s-workload-tier1-disruption-budget"]
    assert budget and all(f.status is Status.NOT_ASSESSED for f in budget)
    replicas = {f.resource_id: f.status for f in result.scan.findings if f.rule_id == "k8s-workload-tier1-replicas"}
    assert replicas["k8s://prod-eks/payments/deployment/payments-api"] is Status.PASS  # other kinds still assessed


def test_expired_continue_token_restarts_the_listing_once(apiserver, scenario, kubeconfig):
    scenario.expire_once.add(("prod-eks", "backups"))
    batch = run_list_task(ListTask("prod-eks", "prod-eks", "k8s.velero.backup", str(kubeconfig), page_size=2))
    assert not batch.gaps
    assert len([r for r in batch.resources if r.kind == "k8s.velero.backup"]) == 5
    backups = [q for _, p, q, _ in apiserver.requests if p.endswith("/backups")]
    assert [bool(q.get("continue")) for q in backups] == [False, True, False, True, True]  # 410, then a fresh start


def test_token_that_keeps_expiring_is_a_gap(apiserver, scenario, kubeconfig):
    scenario.expire_always.add(("prod-eks", "backups"))
    batch = run_list_task(ListTask("prod-eks", "prod-eks", "k8s.velero.backup", str(kubeconfig), page_size=2))
    assert not batch.resources
    assert [(g.code, g.kinds) for g in batch.gaps] == [("Expired", ("k8s.velero.backup",))]


def test_velero_not_installed_is_reported_without_hiding_rules(apiserver, scenario, kubeconfig):
    scenario.missing.add(("prod-gke", "velero.io"))
    batch = run_list_task(ListTask("prod-gke", "prod-gke", "k8s.velero.schedule", str(kubeconfig)))
    assert [(g.code, g.kinds) for g in batch.gaps] == [("NotFound", ())]


def test_cli_scans_named_contexts_and_rejects_unknown_ones(apiserver, scenario, kubeconfig, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["scan", "--k8s", "--kube-context", "prod-eks", "--kube-context", "prod-gke",
                                 "--kubeconfig", str(kubeconfig), "--out", str(tmp_path / "out"), "--format", "json",
                                 "--fail-on", "none", "--quiet"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "findings.json").exists()
    unknown = runner.invoke(app, ["scan", "--k8s", "--kube-context", "nope", "--kubeconfig", str(kubeconfig), "--quiet"])
    assert isinstance(unknown.exception, InputError) and unknown.exception.exit_code == 2  # main() maps it to exit 2
    assert "unknown context 'nope'" in str(unknown.exception)


def test_tasks_are_plain_picklable_inputs():
    import pickle

    task = ListTask("prod-eks", "prod-eks", "k8s.apps.deployment", "/tmp/kubeconfig", page_size=100)
    assert pickle.loads(pickle.dumps(task)) == task
    assert pickle.loads(pickle.dumps(run_list_task)) is run_list_task  # a module-level function: ships to any worker


def test_list_tasks_on_a_dask_cluster_find_what_the_local_threads_find(apiserver, scenario, kubeconfig):
    """The same ListTasks on worker processes (each reads the kubeconfig path the task names)."""
    distributed = pytest.importorskip("distributed")
    from drscan.collect.executor import DaskExecutor, ExecutorOptions

    local = _collect(kubeconfig, contexts=("prod-eks", "prod-gke"))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        executor = DaskExecutor(ExecutorOptions(kind="dask", scheduler=cluster.scheduler_address))
        try:
            remote = collect_kubernetes(KubernetesOptions(contexts=("prod-eks", "prod-gke"), kubeconfig=str(kubeconfig),
                                                          page_size=2), executor=executor)
        finally:
            executor.close()
    assert [r.id for r in remote.resources] == [r.id for r in local.resources]
    assert [r.attrs for r in remote.resources] == [r.attrs for r in local.resources]
    assert remote.gaps == local.gaps == ()
