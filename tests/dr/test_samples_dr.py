"""The bundled estate (samples/acme) shows every DR strategy, as drscan detects it from the
inventory, and an app that misses its region-loss targets: scanned once into a database, then
read back through drscan.dr.api and `drscan dr` (typer's CliRunner)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from drscan import api
from drscan.cli_dr import dr_app
from drscan.dr import api as dr_api
from drscan.dr.model import ESTIMATED, FAIL
from tests.conftest import FIXED_NOW, SAMPLES

CONFIG = SAMPLES / "drscan.yaml"
# The app built for each strategy (samples/acme/generate.py); each declares it in drscan.yaml,
# except intranet, which declares backup_restore (drscan.yaml cannot declare "none").
STRATEGY_APPS = {"backup_restore": "analytics", "pilot_light": "catalog", "warm_standby": "payments",
                 "active_active": "identity", "none": "intranet"}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("acme-dr") / "drscan.db"
    api.scan(SAMPLES, config_path=CONFIG, db_path=db, as_of=FIXED_NOW)
    return db


@pytest.fixture(scope="module")
def report(sample_db):
    return dr_api.status(CONFIG, sample_db)


def dr(sample_db: Path, *args: str):
    return CliRunner().invoke(dr_app, [*args, "--config", str(CONFIG), "--db", str(sample_db)], env={"COLUMNS": "200"})


def test_each_strategy_is_detected_for_the_app_built_for_it(report):
    detected = {name: a.strategy.detected for name, a in report.assessments.items()}
    assert {strategy: detected[app] for strategy, app in STRATEGY_APPS.items()} == {s: s for s in STRATEGY_APPS}
    declared = {name: a.strategy.declared for name, a in report.assessments.items()}
    assert declared["intranet"] == "backup_restore" and report.assessments["intranet"].strategy.matches is False
    for strategy, app in STRATEGY_APPS.items():
        if strategy != "none":
            assert report.assessments[app].strategy.matches is True, app
    identity = report.assessments["identity"].strategy
    assert identity.recovery_regions == ("us-west-2",) and identity.capacity_ratio == 1.0
    assert report.assessments["catalog"].strategy.capacity_ratio == 0.0  # nothing runs in us-west-2


def test_catalog_misses_its_rto_for_region_loss(report):
    region = report.assessments["catalog"].estimates["region_loss"]
    assert region.verdict == FAIL and region.rto_status == ESTIMATED
    assert region.rto_seconds > region.rto_target_seconds == 3600
    assert region.rpo_status == ESTIMATED and region.rpo_seconds <= region.rpo_target_seconds  # data is replicated
    assert report.missed_targets


def test_apps_without_a_cross_region_copy_lose_data_in_a_region_loss(report):
    intranet = report.assessments["intranet"].estimates["region_loss"]
    assert intranet.verdict == FAIL and intranet.rpo_status == "data_lost" and "intranet" in intranet.rpo_reason
    identity = report.assessments["identity"].estimates["region_loss"]
    assert identity.rpo_status == ESTIMATED and identity.rpo_seconds <= identity.rpo_target_seconds  # global table


def test_offline_twin_files_feed_the_assessment(report):
    """Route 53 record sets and a restore job come from AWS CLI output under samples/acme/aws/cli."""
    identity, payments = report.assessments["identity"].checks, report.assessments["payments"].checks
    assert identity["dns_failover_ok"] is True  # latency records with health checks, TTL 60
    assert payments["restore_tested_within_days"] is True
    assert payments["restore_test_source"].startswith("arn:aws:backup:us-west-2:222222222222:restore-job:")
    assert identity["drill_recorded_within_period"] is True and identity["restore_test_source"].endswith("drills.yaml:10")


def test_payments_runbook_lists_keys_data_compute_traffic_in_order(sample_db):
    result = dr(sample_db, "runbook", "payments", "--format", "md")
    assert result.exit_code == 1, result.output  # payments misses its targets for region loss
    text = result.output
    sections = ["### Keys and network", "### Data", "### Compute", "### Traffic"]
    positions = [text.index(s) for s in sections]
    assert positions == sorted(positions), positions
    numbers = []
    for start, end in zip(positions, positions[1:] + [len(text)]):
        steps = [int(n) for n in re.findall(r"^(\d+)\. \*\*", text[start:end], flags=re.M)]
        assert steps, text[start:end]
        numbers.extend(steps)
    assert numbers == sorted(numbers)
    assert "aws rds promote-read-replica --db-instance-identifier payments-db-replica-usw2" in text


def _simulate_region_loss(sample_db: Path) -> dict:
    result = dr(sample_db, "simulate", "--fail", "region:us-east-1", "--format", "json")
    assert result.exit_code == 1, result.output
    return {a["name"]: a for a in json.loads(result.output)["apps"]}


def test_simulated_region_loss_loses_intranet_data_but_not_identity_data(sample_db):
    apps = _simulate_region_loss(sample_db)
    assert apps["intranet"]["outcome"] == "loses_data" and apps["intranet"]["data_loss_status"] == "data_lost"
    identity = apps["identity"]
    assert identity["outcome"] != "loses_data" and identity["data_loss_seconds"] <= identity["rpo_target_seconds"]


def test_simulated_region_loss_keeps_the_active_active_app_serving(sample_db):
    assert _simulate_region_loss(sample_db)["identity"]["outcome"] == "keeps_serving"


def test_monitoring_detection_time_is_an_observed_part_of_the_rto(report):
    """catalog's entrypoint alert (for: 5m, group interval 30s, probe scraped every 15s) pages after
    5m45s; recovering catalog from a region loss needs people, so that detection time is in its RTO."""
    catalog = report.assessments["catalog"]
    region = catalog.estimates["region_loss"]
    detection = [f for f in region.figures if f.label.startswith(("alert CatalogDown", "evaluation interval", "scrape interval"))]
    assert [(f.seconds, f.basis) for f in detection] == [(300.0, "observed"), (30.0, "observed"), (15.0, "observed")]
    assert region.rto_reason.startswith("detection 6 min (alert for: + evaluation + scrape) + ")
    assert catalog.checks["monitoring"]["detection_seconds"] == 345.0
    # Data corruption is not what an endpoint alert detects: no detection figure there.
    assert not any(f.label.startswith("alert ") for f in catalog.estimates["data_corruption"].figures)
