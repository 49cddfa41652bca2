"""Time the monitoring import, the per-app monitoring checks (routing every alert through the
Alertmanager tree) and the readiness score on a synthetic estate.

    python bench/bench_monitoring.py --apps 200 --rules-per-app 10 --routes 200
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import yaml

from drscan.collect.inventory import import_inventory
from drscan.config import App, Config
from drscan.dr.assess import new_context
from drscan.dr.scope import DrContext
from drscan.dr.score import readiness_score
from drscan.drtests.model import DrTest
from drscan.graph.build import build_graph
from drscan.monitoring.assess import monitoring_checks, monitoring_index

NOW = datetime(2026, 11, 20, 6, tzinfo=timezone.utc)


def write_estate(root: Path, apps: int, rules_per_app: int, routes: int) -> None:
    groups = []
    for a in range(apps):
        rules = [{"alert": f"App{a}Down", "expr": f'probe_success{{instance="https://app{a}.example/health"}} == 0',
                  "for": "2m", "labels": {"severity": "critical", "app": f"app{a}"}},
                 {"alert": f"App{a}BackupOld", "expr": f'time() - velero_backup_last_successful_timestamp{{schedule="app{a}-daily"}} > 90000',
                  "labels": {"severity": "critical", "app": f"app{a}"}}]
        rules += [{"alert": f"App{a}Other{n}", "expr": f'rate(http_requests_total{{app="app{a}", code=~"5.."}}[5m]) > {n}',
                   "labels": {"severity": "warning", "app": f"app{a}"}} for n in range(rules_per_app - 2)]
        groups.append({"name": f"app{a}", "interval": "30s", "rules": rules})
    (root / "rules.yml").write_text(yaml.safe_dump({"groups": groups}))
    tree = [{"matchers": [f'app="app{r}"', 'severity="critical"'], "receiver": "pager", "continue": r % 3 == 0}
            for r in range(routes)]
    (root / "alertmanager.yml").write_text(yaml.safe_dump({
        "route": {"receiver": "chat", "routes": tree},
        "receivers": [{"name": "chat", "slack_configs": [{"channel": "#x"}]},
                      {"name": "pager", "pagerduty_configs": [{"routing_key": "k"}]}]}))
    targets = [{"labels": {"instance": f"https://app{a}.example/health", "job": "blackbox"}, "scrapePool": "blackbox",
                "scrapeUrl": f"http://bb:9115/probe?target=https://app{a}.example/health", "health": "up",
                "scrapeInterval": "15s", "discoveredLabels": {"__param_target": f"https://app{a}.example/health"}}
               for a in range(apps)]
    import json
    (root / "targets.json").write_text(json.dumps({"status": "success", "data": {"activeTargets": targets}}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--rules-per-app", type=int, default=10)
    parser.add_argument("--routes", type=int, default=200)
    parser.add_argument("--tests-per-app", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_estate(root, args.apps, args.rules_per_app, args.routes)
        start = time.perf_counter()
        inventory = import_inventory(root)
        imported = time.perf_counter() - start
        config = Config(apps=tuple(App(name=f"app{a}", tier=1, rto="1h", rto_seconds=3600,
                                       entrypoints=(f"https://app{a}.example/health",)) for a in range(args.apps)))
        graph = build_graph(inventory, config.apps)
        ctx: DrContext = new_context(graph, config, NOW)
        start = time.perf_counter()
        index = monitoring_index(ctx)
        paging = sum(1 for a in config.apps if monitoring_checks(ctx, ctx.scope(a.name), {}, index)["alerts_page"])
        checked = time.perf_counter() - start
        tests = [DrTest(app=f"app{a}", disruption=d, kind="failover", date=NOW - timedelta(days=n * 9), outcome="pass",
                        source=f"t{a}-{n}") for a in range(args.apps) for n, d in
                 zip(range(args.tests_per_app), ["zone", "region", "data_corruption", "account_compromise"] * 10)]
        start = time.perf_counter()
        scores = [readiness_score(f"app{a}", 1, tests, NOW, max_age_days=90, floor=70).score for a in range(args.apps)]
        scored = time.perf_counter() - start
    rules = args.apps * args.rules_per_app
    print(f"{rules} alert rules, {args.routes} routes, {len(inventory.resources)} resources: import {imported:.2f} s")
    print(f"monitoring checks for {args.apps} apps (routing their alerts): {checked:.2f} s; {paging} page")
    print(f"readiness score for {args.apps} apps x {args.tests_per_app} tests: {scored:.3f} s (mean {sum(scores) / len(scores):.0f})")


if __name__ == "__main__":
    main()
