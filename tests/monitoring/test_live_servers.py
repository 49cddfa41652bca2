"""drscan against a real Prometheus and Alertmanager (Debian packages, started once for this
module): Prometheus loads the rule files and scrapes an exporter this test serves; drscan reads
both servers live (GET only) and the result matches the import of the same files."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Gauge, start_http_server

from drscan.collect.inventory import import_inventory
from drscan.config import App, Config
from drscan.dr.assess import assess_apps, new_context
from drscan.graph.build import build_graph
from drscan.model import Inventory
from drscan.monitoring.live import MonitoringOptions, collect_monitoring
from tests.conftest import FIXED_NOW, REPO, require_binary
from tests.monitoring.servers import alertmanager, get_json, prometheus, wait_for

EXAMPLES = REPO / "examples"
ENTRYPOINT = "https://api.payments.acme.example/health"
RULES = """\
groups:
  - name: payments-live
    interval: 1s
    rules:
      - alert: PaymentsApiDown
        expr: up{job="payments-api"} == 0
        for: 30s
        labels: {severity: critical, app: payments}
      - alert: PaymentsReplicaLag
        expr: pg_replication_lag_seconds{app="payments"} > 300
        for: 1m
        labels: {severity: warning, app: payments}
      - record: job:up:sum
        expr: sum by (job) (up)
"""


@pytest.fixture(scope="module")
def stack():
    require_binary("prometheus")
    require_binary("prometheus-alertmanager")
    # Not under pytest's 0700 tmp dirs: the servers run as `nobody` when the tests run as root.
    work = Path(tempfile.mkdtemp(prefix="drscan-monitoring-"))
    registry = CollectorRegistry()
    Gauge("probe_success", "probe result", registry=registry).set(1)
    lag = Gauge("pg_replication_lag_seconds", "replica lag", ["app", "instance"], registry=registry)
    lag.labels(app="payments", instance="payments-db-replica:9187").set(42.5)
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    exporter = f"127.0.0.1:{server.server_port}"
    rules_dir = work / "rules"
    rules_dir.mkdir()
    (rules_dir / "payments.yml").write_text(RULES)
    for example in sorted((EXAMPLES / "monitoring").glob("*rules*.yaml")) + sorted((EXAMPLES / "alerting").glob("*.yaml")):
        shutil.copy(example, rules_dir / example.name)
    config = f"""\
global: {{scrape_interval: 1s, evaluation_interval: 1s}}
rule_files: ["{rules_dir}/*.y*ml"]
scrape_configs:
  - job_name: payments-api
    static_configs: [{{targets: ["{exporter}"], labels: {{app: payments}}}}]
  - job_name: blackbox-http
    metrics_path: /probe
    params: {{module: [http_2xx], target: ["{ENTRYPOINT}"]}}
    static_configs: [{{targets: ["{exporter}"]}}]
    relabel_configs:
      - {{source_labels: [__param_target], target_label: instance}}
"""
    am_config = (EXAMPLES / "monitoring" / "alertmanager.yml").read_text()
    try:
        with prometheus(work, config) as prom_url, alertmanager(work, am_config) as am_url:
            def ready() -> bool:
                targets = get_json(prom_url + "/api/v1/targets")["data"]["activeTargets"]
                lagged = get_json(prom_url + "/api/v1/query?query=pg_replication_lag_seconds")["data"]["result"]
                return len(targets) == 2 and all(t["health"] == "up" for t in targets) and bool(lagged)
            wait_for(ready, "prometheus scrapes", _Alive(), work / "prometheus.log")
            yield {"prometheus": prom_url, "alertmanager": am_url, "work": work, "rules": rules_dir}
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(work, ignore_errors=True)


class _Alive:
    """wait_for's process argument for servers already known to be running."""

    returncode = None

    def poll(self):
        return None


def _config() -> Config:
    return Config(apps=(App(name="payments", tier=1, rto="1h", rto_seconds=3600, rpo="15m", rpo_seconds=900,
                            entrypoints=(ENTRYPOINT,), member_tags={"app": "payments"}),))


def _checks(inventory: Inventory) -> dict:
    config = _config()
    graph = build_graph(inventory, config.apps)
    assessment = assess_apps(new_context(graph, config, FIXED_NOW))["payments"]
    checks = dict(assessment.checks["monitoring"])
    checks["detection_figures"] = [{k: v for k, v in f.items() if k != "source"} for f in checks["detection_figures"]]
    return checks


def _comparable(resource) -> tuple:
    attrs = {k: v for k, v in resource.attrs.items() if k not in ("server", "file", "state", "health", "last_error",
                                                                  "active_labels", "expr",
                                                                  # the API reports the interval in effect; a file only
                                                                  # the group's own (else the server's applies)
                                                                  "group_interval_seconds")}
    return resource.kind, resource.name, json.dumps(attrs, sort_keys=True)


def test_live_read_matches_the_import_of_the_same_files(stack, tmp_path):
    live = collect_monitoring(MonitoringOptions(prometheus=stack["prometheus"], alertmanager=stack["alertmanager"],
                                                timeout_seconds=10))
    assert not live.gaps, live.gaps
    kinds = {r.kind for r in live.resources}
    assert {"monitoring.prometheus.alert_rule", "monitoring.prometheus.server", "monitoring.prometheus.target",
            "monitoring.alertmanager.config", "monitoring.prometheus.replica_lag"} <= kinds
    # The import: the same rule files, prometheus.yml and alertmanager.yml, plus the saved targets answer.
    exports = tmp_path / "exports"
    shutil.copytree(stack["rules"], exports)
    shutil.copy(stack["work"] / "prometheus.yml", exports / "prometheus.yml")
    shutil.copy(EXAMPLES / "monitoring" / "alertmanager.yml", exports / "alertmanager.yml")
    with urllib.request.urlopen(stack["prometheus"] + "/api/v1/targets", timeout=5) as response:
        (exports / "targets.json").write_bytes(response.read())
    imported = import_inventory(exports)
    assert not imported.gaps
    rules = lambda inv: sorted(_comparable(r) for r in inv.resources if r.kind == "monitoring.prometheus.alert_rule")
    assert rules(live) == rules(imported) and len(rules(live)) >= 9
    am = lambda inv: [_comparable(r)[::2] for r in inv.resources if r.kind == "monitoring.alertmanager.config"]
    assert am(live) == am(imported)
    server = lambda inv: [_comparable(r)[::2] for r in inv.resources if r.kind == "monitoring.prometheus.server"]
    assert server(live) == server(imported)

    # The same verdicts for the app either way, except what only the live server can tell (replica lag).
    live_checks, imported_checks = _checks(live), _checks(imported)
    assert live_checks == imported_checks
    assert live_checks["entrypoints_probed"] is True and live_checks["entrypoints_alerted"] is True
    assert live_checks["entrypoint_alerts"] == ["PaymentsEndpointDown"]
    assert live_checks["alerts_page"] is True and live_checks["backup_age_alerted"] is True
    # for: 2m + group interval 30s + scrape 1s, all observed.
    assert live_checks["detection_seconds"] == 151.0 and live_checks["detection_basis"] == "observed"
    (lag,) = [r for r in live.resources if r.kind == "monitoring.prometheus.replica_lag" and r.attrs["labels"]["job"] == "payments-api"]
    assert lag.attrs["max_seconds"] == 42.5 and lag.attrs["labels"]["app"] == "payments"


def test_unreachable_or_refusing_servers_are_gaps(stack):
    inventory = collect_monitoring(MonitoringOptions(prometheus="http://127.0.0.1:1", alertmanager=stack["prometheus"],
                                                     timeout_seconds=3))
    codes = {(g.service, g.operation): g.code for g in inventory.gaps}
    assert codes[("prometheus", "GET /api/v1/rules")] == "ConnectionError"
    assert codes[("alertmanager", "GET /api/v2/status")] == "404"  # Prometheus has no /api/v2/status
    assert not inventory.resources


def test_credentials_come_from_the_environment_and_never_from_the_url(stack):
    from drscan.errors import InputError
    from drscan.monitoring.live import _auth_header

    assert _auth_header({"DRSCAN_PROMETHEUS_TOKEN": "t0k"}, "PROMETHEUS") == "Bearer t0k"
    assert _auth_header({"DRSCAN_ALERTMANAGER_USERNAME": "u", "DRSCAN_ALERTMANAGER_PASSWORD": "p"}, "ALERTMANAGER") == "Basic dTpw"
    with pytest.raises(InputError, match="environment"):
        collect_monitoring(MonitoringOptions(prometheus="http://user:pw@127.0.0.1:9090"))


def test_example_rules_load_in_the_real_prometheus_and_pass_promtool(stack):
    groups = get_json(stack["prometheus"] + "/api/v1/rules")["data"]["groups"]
    loaded = {g["name"] for g in groups}
    assert {"payments-availability", "payments-recovery", "drscan", "payments-live"} <= loaded
    assert all(r["health"] != "err" for g in groups for r in g["rules"])
    promtool = require_binary("promtool")
    for example in sorted(EXAMPLES.glob("*/*rules*.yaml")):
        run = subprocess.run([promtool, "check", "rules", str(example)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stdout + run.stderr


def test_scan_command_reads_the_servers(stack, tmp_path):
    from drscan import api
    from drscan.collect.sources import Sources

    result = api.scan(sources=Sources(monitoring=MonitoringOptions(prometheus=stack["prometheus"],
                                                                   alertmanager=stack["alertmanager"])),
                      db_path=tmp_path / "drscan.db", as_of=FIXED_NOW)
    assert result.scan.scope["monitoring"] == {"prometheus": stack["prometheus"], "alertmanager": stack["alertmanager"]}
    assert any(r.kind == "monitoring.alertmanager.config" for r in result.scan.resources)
