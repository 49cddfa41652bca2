"""app_resources(): one drscan.dr.app resource per app, its attributes the DR assessment, that
the rules of rules/dr.yaml evaluate (what api.scan will store next to the inventory)."""

from __future__ import annotations

import dataclasses

import orjson

from drscan.collect.inventory import import_inventory
from drscan.config import DrSettings, load_config
from drscan.dr.assess import DR_APP_KIND, app_resources
from drscan.engine.evaluate import evaluate_resource
from drscan.graph.build import build_graph
from drscan.model import Status
from tests.conftest import FIXED_NOW, SAMPLES
from tests.dr.helpers import app, graph, rds


def test_sample_apps_become_assessed_resources_the_dr_rules_judge(ruleset):
    config = load_config(SAMPLES / "drscan.yaml")
    sample_graph = build_graph(import_inventory(SAMPLES), config.apps)
    resources = app_resources(sample_graph, config, FIXED_NOW)
    assert [r.id for r in resources] == ["app:payments", "app:checkout", "app:analytics", "app:identity",
                                         "app:catalog", "app:intranet", "app:orders", "app:reporting", "app:search"]
    payments = resources[0]
    assert (payments.kind, payments.provider, payments.account, payments.region) == (DR_APP_KIND, "drscan", "", "us-east-1")
    assert payments.attrs["rpo_seconds"] == 900 and payments.attrs["tier"] == 1
    dr = payments.attrs["dr"]
    for key in ("backup_covers_all_data_stores", "backup_interval_seconds_max", "latest_recovery_point_age_seconds",
                "cross_region_copy", "cross_account_copy", "immutable_copy", "restore_tested_within_days",
                "restore_time_within_rto", "dns_failover_ok", "entrypoints_monitored", "drill_recorded_within_period",
                "detected_strategy", "region_loss", "spof_count"):
        assert key in dr, key
    assert dr["region_loss"]["rpo_met"] is False  # the statements bucket has no copy outside us-east-1
    orjson.dumps(payments.attrs)  # storable as the store writes attributes
    for resource in resources:
        sample_graph.resources[resource.id] = resource
    rules = [r for r in ruleset.rules if DR_APP_KIND in r.kinds]
    assert len(rules) >= 15
    findings = {(f.resource_id, f.rule_id): f for r in resources for rule in rules
                if (f := evaluate_resource(r, rule, sample_graph, FIXED_NOW)) is not None}
    region = findings[("app:payments", "dr-app-region-loss-within-targets")]
    assert region.status is Status.FAIL and region.category == "dr" and "iso27001-2022:A.5.30" in region.controls
    assert findings[("app:payments", "dr-app-backup-covers-data-stores")].status is Status.FAIL
    # the sample's drills file records a payments tabletop on 2026-10-14
    assert findings[("app:payments", "dr-app-drill-recorded")].status is Status.PASS
    # no drills file configured: the drill rule cannot tell, so it is not assessed (never passed)
    bare = app_resources(sample_graph, dataclasses.replace(config, dr=DrSettings()), FIXED_NOW)
    drill_rule = next(r for r in rules if r.id == "dr-app-drill-recorded")
    assert evaluate_resource(bare[0], drill_rule, sample_graph, FIXED_NOW).status is Status.NOT_ASSESSED
    assert findings[("app:payments", "dr-app-entrypoints-monitored")].category == "monitoring"
    assert ("app:checkout", "dr-app-tier1-no-single-point-of-failure") not in findings  # tier 2


def test_app_resources_is_pure_and_empty_without_apps():
    from drscan.config import Config

    small = graph([rds()], apps=(app(),))
    config = Config(apps=(app(),))
    first, second = app_resources(small, config, FIXED_NOW), app_resources(small, config, FIXED_NOW)
    assert first == second
    assert app_resources(small, Config(), FIXED_NOW) == []
