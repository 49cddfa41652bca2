"""Monitoring exports recognized by content, and the per-app checks drawn from them (no servers:
the files as a user hands them over)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drscan.collect.inventory import import_inventory
from drscan.config import App, Config
from drscan.dr.assess import assess_apps, new_context
from drscan.errors import InputError
from drscan.graph.build import build_graph
from drscan.model import Inventory, Resource
from tests.conftest import FIXED_NOW, REPO

RULES = """\
groups:
  - name: apps
    rules:
      - alert: ShopDown
        expr: probe_success{instance=~"https://shop\\\\.acme\\\\.example.*"} == 0
        for: 3m
        labels: {severity: critical, app: shop}
      - alert: AnyBackupOld
        expr: time() - velero_backup_last_successful_timestamp > 90000
        labels: {severity: critical}
      - alert: LedgerLag
        expr: pg_replication_lag_seconds{instance="ledger-replica:9187"} > 60
        labels: {severity: critical, app: ledger}
"""
ALERTMANAGER = """\
route:
  receiver: chat
  routes:
    - {matchers: ['app="shop"'], receiver: pager}
receivers:
  - {name: chat, email_configs: [{to: ops@acme.example}]}
  - {name: pager, opsgenie_configs: [{api_key: k}]}
"""


def _checks(inventory: Inventory, app: App, extra=()):
    config = Config(apps=(app,))
    graph = build_graph(Inventory(resources=tuple(inventory.resources) + tuple(extra)), config.apps)
    return assess_apps(new_context(graph, config, FIXED_NOW))[app.name].checks["monitoring"]


@pytest.fixture
def exports(tmp_path):
    (tmp_path / "rules.yaml").write_text(RULES)
    (tmp_path / "alertmanager.yml").write_text(ALERTMANAGER)
    (tmp_path / "drscan.yaml").write_text((REPO / "samples" / "acme" / "drscan.yaml").read_text())
    (tmp_path / "deployment.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n---\nkind: Service\n")
    return tmp_path


def test_only_monitoring_yaml_is_read(exports):
    inventory = import_inventory(exports)
    assert sorted(Path(s).name for s in inventory.sources) == ["alertmanager.yml", "rules.yaml"]
    assert not inventory.gaps
    kinds = sorted(r.kind for r in inventory.resources)
    assert kinds == ["monitoring.alertmanager.config"] + ["monitoring.prometheus.alert_rule"] * 3


def test_rule_files_without_targets_give_honest_answers(exports):
    inventory = import_inventory(exports)
    shop = App(name="shop", tier=1, rto="1h", rto_seconds=3600, entrypoints=("https://shop.acme.example/",))
    checks = _checks(inventory, shop)
    assert checks["entrypoints_probed"] is None  # no /api/v1/targets in the exports
    assert checks["entrypoints_alerted"] is True and checks["entrypoint_alerts"] == ["ShopDown"]  # its matcher names the host
    assert checks["backup_age_alerted"] is True and "AnyBackupOld" in checks["backup_age_alerts"]  # unscoped: covers all
    assert checks["alerts_page"] is False and checks["unpaged_alerts"] == ["AnyBackupOld"]  # no app label: email
    # No prometheus.yml: the evaluation and scrape intervals are Prometheus' defaults, marked assumed.
    assert checks["detection_seconds"] == 300.0 and checks["detection_basis"] == "assumed"
    other = App(name="blog", tier=2, entrypoints=("blog.acme.example",))
    assert _checks(inventory, other)["entrypoints_alerted"] is False


def test_replica_lag_alert_is_required_only_for_apps_with_replicas(exports):
    inventory = import_inventory(exports)
    ledger = App(name="ledger", tier=3, member_tags={"app": "ledger"})
    primary = Resource(kind="aws.rds.db_instance", id="arn:aws:rds:us-east-1:1:db:ledger", name="ledger", provider="aws",
                       account="1", region="us-east-1", tags={"app": "ledger"},
                       attrs={"multi_az": True, "backup_retention_days": 7})
    replica = Resource(kind="aws.rds.db_instance", id="arn:aws:rds:us-west-2:1:db:ledger-replica", name="ledger-replica",
                       provider="aws", account="1", region="us-west-2", tags={"app": "ledger"},
                       attrs={"source_db_instance": primary.id, "is_read_replica": True})
    config = Config(apps=(ledger,))
    from drscan.model import Reference
    graph = build_graph(Inventory(resources=tuple(inventory.resources) + (primary, replica),
                                  references=(Reference(replica.id, primary.id, "replica_of"),)), config.apps)
    checks = assess_apps(new_context(graph, config, FIXED_NOW))["ledger"].checks["monitoring"]
    assert checks["has_async_replicas"] is True
    assert checks["replica_lag_alerted"] is True and checks["replica_lag_alerts"] == ["LedgerLag"]
    assert _checks(inventory, App(name="shop", tier=1))["replica_lag_alerted"] is None


@pytest.mark.parametrize("name,text,message", [
    ("rules.yml", "groups:\n  - name: x\n    rules: [\n", "rules.yml:"),
    ("rules.yml", "groups:\n  - 3\n", "rules.yml: Prometheus rule file: `groups` must be a list"),
    ("am.yml", "route:\n  receiver: a\n  routes: [{matchers: ['x ~ y']}]\nreceivers: []\n", "am.yml: not a valid Alertmanager"),
])
def test_malformed_monitoring_files_are_errors_naming_the_file(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match=message.replace("`", ".")):
        import_inventory(tmp_path)


def test_api_answers_and_prometheusrule_objects(tmp_path):
    status = {"cluster": {"status": "disabled", "peers": []}, "uptime": "2026-11-20T05:00:00Z",
              "versionInfo": {"version": "0.25.0"}, "config": {"original": ALERTMANAGER}}
    (tmp_path / "am-status.json").write_text(json.dumps(status))
    (tmp_path / "prometheusrule.yaml").write_text("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"
                                                  "metadata: {name: shop}\nspec:\n" + "\n".join("  " + line for line in RULES.splitlines()))
    (tmp_path / "rules.json").write_text(json.dumps({"status": "success", "data": {"groups": [
        {"name": "api", "file": "/etc/prometheus/rules/api.yml", "interval": 15, "rules": [
            {"state": "firing", "name": "ApiDown", "query": "up{job=\"api\"} == 0", "duration": 120, "labels": {"severity": "page"},
             "annotations": {}, "alerts": [{"labels": {"alertname": "ApiDown", "job": "api", "severity": "page"}}],
             "health": "ok", "type": "alerting"},
            {"name": "job:up:sum", "query": "sum by (job) (up)", "health": "ok", "type": "recording"}]}]}}))
    inventory = import_inventory(tmp_path)
    by_kind = {}
    for r in inventory.resources:
        by_kind.setdefault(r.kind, []).append(r)
    assert len(by_kind["monitoring.prometheus.alert_rule"]) == 4 and len(by_kind["monitoring.alertmanager.config"]) == 1
    api = next(r for r in by_kind["monitoring.prometheus.alert_rule"] if r.name == "ApiDown")
    assert (api.attrs["for_seconds"], api.attrs["group_interval_seconds"], api.attrs["file"]) == (120.0, 15.0, "api.yml")
    assert api.attrs["active_labels"] == [{"alertname": "ApiDown", "job": "api", "severity": "page"}]


def test_observed_replica_lag_replaces_the_assumed_lag():
    """The worst lag Prometheus saw over 7 days for a replica becomes the RPO of the copy it holds."""
    from drscan.model import Reference
    from drscan.monitoring.prometheus import replica_lag_resources

    ledger = App(name="ledger", tier=1, rpo="5m", rpo_seconds=300, rto="1h", rto_seconds=3600, member_tags={"app": "ledger"},
                 primary_region="us-east-1")
    primary = Resource(kind="aws.rds.db_instance", id="arn:aws:rds:us-east-1:1:db:ledger", name="ledger", provider="aws",
                       account="1", region="us-east-1", tags={"app": "ledger"},
                       attrs={"multi_az": True, "backup_retention_days": 7})
    replica = Resource(kind="aws.rds.db_instance", id="arn:aws:rds:us-west-2:1:db:ledger-replica-usw2", name="ledger-replica-usw2",
                       provider="aws", account="1", region="us-west-2", tags={"app": "ledger"},
                       attrs={"is_read_replica": True})
    lag = replica_lag_resources("aws_rds_replica_lag_maximum", [
        {"metric": {"dbinstance_identifier": "ledger-replica-usw2", "job": "cloudwatch"}, "value": [1763618400.0, "412"]},
        {"metric": {"dbinstance_identifier": "someone-else", "job": "cloudwatch"}, "value": [1763618400.0, "9000"]}],
        "prom:9090", "7d", "api:prometheus@prom:9090 /api/v1/query")
    config = Config(apps=(ledger,))
    graph = build_graph(Inventory(resources=(primary, replica, *lag),
                                  references=(Reference(replica.id, primary.id, "replica_of"),)), config.apps)
    region = assess_apps(new_context(graph, config, FIXED_NOW))["ledger"].estimates["region_loss"]
    assert region.rpo_seconds == 412.0 and region.rpo_verdict == "FAIL"  # 412 s observed > the 5 min target
    assert "observed" in region.rpo_reason
    observed = [f for f in region.figures if f.basis == "observed" and "replica lag" in f.label]
    assert observed and observed[0].seconds == 412.0 and observed[0].source.startswith("prometheus:prom:9090:lag:")


@pytest.mark.parametrize("levels", [120, 9])  # 9 levels: 90 aliases, 10^9 values once expanded
def test_alias_bombs_are_refused(tmp_path, levels):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"] + [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]"
                                                       for n in range(1, levels)]
    (tmp_path / "rules.yml").write_text("\n".join(lines) + "\ngroups:\n  - {name: g, rules: []}\n")
    with pytest.raises(InputError, match=r"rules.yml:\d+: invalid YAML: more than 1,000,000 values"):
        import_inventory(tmp_path)
