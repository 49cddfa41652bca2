"""Measured figures in the DR engine: a backup source's restorable age is the store's measured
RPO, a passed restore drill its measured restore time and a restore test of the app; stale
drills and backups are caught. Pure: hand-built inventory, real graph, real assessment."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from drscan.config import load_config
from drscan.dr.assess import assess_apps, new_context
from drscan.drill.records import drill_resources
from drscan.graph.backups import judge_backups, link_backups
from drscan.graph.build import build_graph
from drscan.model import Inventory, Resource
from tests.dr.helpers import NOW, rds

CONFIG = """apps:
  - {name: shop, tier: 2, rpo: 1h, rto: 4h, members: {tags: {app: shop}}, primary_region: us-east-1}
backups:
  - {source: "shop-*", protects: orders, repository_region: us-west-2}
dr: {restore_test_max_age_days: 30}
"""


def stanza(stop: datetime, pitr: bool = False) -> Resource:
    attrs = {"tool": "pgbackrest", "stanza": "shop-main", "last_success_at": stop.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "oldest_success_at": (stop - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ"), "success_count": 3,
             "pitr": pitr, "encrypted": True, "recent_error_count": 0}
    return Resource(kind="backup.pgbackrest.stanza", id="pgbackrest:shop-main@1", name="shop-main", provider="backup",
                    account="", region="", attrs=attrs, source="backups/shop.pgbackrest.json#stanza 1")


def drill_row(finished: datetime, seconds: float = 1800.0, status: str = "passed") -> dict:
    return {"id": 7, "app": "shop", "engine": "postgres", "method": "pgbackrest", "backup": "pgbackrest:shop-main@20261119-010000F",
            "backup_sha256": None, "backup_taken_at": "2026-11-19T01:00:00Z", "backup_age_seconds": 60.0,
            "started_at": (finished - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "finished_at": finished.strftime("%Y-%m-%dT%H:%M:%SZ"), "status": status,
            "phases": {"fetch": 5.0, "restore": seconds - 65, "start": 40.0, "verify": 20.0},
            "restore_duration_seconds": seconds, "verification": [], "tool_versions": {}, "host": "h", "target": "t",
            "kept": False, "error": None}


def assessed(tmp_path: Path, resources: list[Resource], now: datetime = NOW):
    path = tmp_path / "drscan.yaml"
    path.write_text(CONFIG)
    config = load_config(path)
    inventory = link_backups(Inventory(resources=tuple(resources)), config)
    graph = build_graph(inventory, config.apps)
    for resource in judge_backups(graph.resources, graph.related, graph.apps_of, config, now):
        graph.resources[resource.id] = resource
    ctx = new_context(graph, config, now)
    return graph, assess_apps(ctx)["shop"]


def test_backup_source_gives_a_measured_rpo_and_a_separate_region_copy(tmp_path):
    store = rds("arn:aws:rds:us-east-1:111111111111:db:orders", retention=0, multi_az=False)
    graph, shop = assessed(tmp_path, [store, stanza(NOW - timedelta(minutes=40))])
    judged = graph.resources["pgbackrest:shop-main@1"].attrs
    assert judged["protects"] == [store.id] and judged["max_age_seconds"] == 3600 and judged["claimed_by_apps"] == ["shop"]
    assert judged["restorable_within_max_age"] is True and judged["repository_separate"] is True
    corruption = shop.estimates["data_corruption"].as_dict()
    assert corruption["rpo_seconds"] == 2400.0 and corruption["rpo_basis"] == "measured"
    assert corruption["rpo_measured_by"] == ["pgbackrest:shop-main@1"]
    region = shop.estimates["region_loss"].as_dict()
    assert region["rpo_status"] == "estimated" and region["rpo_seconds"] == 2400.0  # the repository is in us-west-2


def test_a_stale_backup_fails_the_rpo_and_is_flagged_stopped(tmp_path):
    store = rds("arn:aws:rds:us-east-1:111111111111:db:orders", retention=0, multi_az=False)
    graph, shop = assessed(tmp_path, [store, stanza(NOW - timedelta(hours=30))])
    assert graph.resources["pgbackrest:shop-main@1"].attrs["restorable_within_max_age"] is False
    corruption = shop.estimates["data_corruption"]
    assert corruption.rpo_verdict == "FAIL" and corruption.rpo_seconds == 30 * 3600
    assert shop.checks["recovery_points_fresh"] is False


def test_a_passed_drill_is_the_measured_restore_time_and_a_recent_restore_test(tmp_path):
    store = rds("arn:aws:rds:us-east-1:111111111111:db:orders", retention=0, multi_az=False)
    (drill,) = drill_resources([drill_row(NOW - timedelta(days=3))])
    graph, shop = assessed(tmp_path, [store, stanza(NOW - timedelta(minutes=40)), drill])
    assert [r.id for r in graph.related(drill.id, "restore_of")] == [store.id]
    corruption = shop.estimates["data_corruption"].as_dict()
    assert {"label": "restore of orders (measured by drill 7)", "seconds": 1800.0, "basis": "measured", "source": "drill:7"} \
        in corruption["figures"]["measured"]
    assert "drill:7" in corruption["rto_measured_by"]
    assert shop.checks["restore_tested_within_days"] is True and shop.checks["restore_test_source"] == "drill:7"
    assert shop.checks["restore_time_measured"] is True and shop.checks["restore_time_seconds"] == 1800.0


def test_a_drill_older_than_restore_test_max_age_days_is_stale(tmp_path):
    store = rds("arn:aws:rds:us-east-1:111111111111:db:orders", retention=0, multi_az=False)
    (drill,) = drill_resources([drill_row(NOW - timedelta(days=45))])
    _, shop = assessed(tmp_path, [store, stanza(NOW - timedelta(minutes=40)), drill])
    assert shop.checks["restore_tested_within_days"] is False and shop.checks["restore_test_age_days"] == 45.0


def test_a_failed_drill_measures_nothing(tmp_path):
    store = rds("arn:aws:rds:us-east-1:111111111111:db:orders", retention=0, multi_az=False)
    (drill,) = drill_resources([drill_row(NOW - timedelta(days=1), status="failed")])
    _, shop = assessed(tmp_path, [store, stanza(NOW - timedelta(minutes=40)), drill])
    assert "drill:7" not in shop.estimates["data_corruption"].as_dict()["rto_measured_by"]
    assert shop.checks["restore_tested_within_days"] is False


def test_an_unclaimed_source_is_judged_against_the_default_max_age(tmp_path):
    lone = replace(stanza(NOW - timedelta(hours=30)), id="pgbackrest:ledger@2", name="ledger",
                   attrs={**stanza(NOW - timedelta(hours=30)).attrs, "stanza": "ledger"})
    graph, _ = assessed(tmp_path, [rds(), lone])
    judged = graph.resources["pgbackrest:ledger@2"].attrs
    assert judged["claimed_by_apps"] == [] and judged["max_age_seconds"] == 86400
    assert judged["max_age_source"].startswith("default maximum age") and judged["restorable_within_max_age"] is False
