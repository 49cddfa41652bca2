"""drscan.yaml DR fields: applications with strategy, entrypoints, regions and dependencies,
shared services, the dr: block and the drills file; errors name file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from drscan.config import load_config
from drscan.errors import ConfigError
from tests.conftest import REPO, SAMPLES

FULL = """\
organization: Acme
apps:
  - name: payments
    tier: 1
    owner: payments-team@acme.example
    contacts: [oncall-payments@acme.example, "+1 555 0100"]
    rpo: 15m
    rto: 1h
    strategy: warm_standby
    members: {tags: {app: payments}}
    entrypoints: [api.payments.acme.example, "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1"]
    primary_region: us-east-1
    recovery_regions: [us-west-2]
    depends_on: [identity, stripe]
  - name: identity
    members: {ids: ["arn:aws:cognito-idp:us-east-1:1:userpool/p"]}
shared_services:
  - name: stripe
    type: third_party
  - name: core-network
    members: {tags: {team: network}}
dr:
  assumptions: {decision_seconds: 900, compute_seconds.scale_out: 300}
  drills: drills.yaml
  drill_max_age_days: 180
  restore_test_max_age_days: 30
"""

DRILLS = """\
drills:
  - app: payments
    date: 2026-09-01
    type: drill
    scenario: region_loss
    measured_rto: 50m
    measured_rpo: 2m
    participants: [alice, bob]
  - app: identity
    date: "2026-06-15"
    type: tabletop
"""


def write(tmp_path: Path, text: str, drills: str | None = DRILLS) -> Path:
    if drills is not None:
        (tmp_path / "drills.yaml").write_text(drills)
    path = tmp_path / "drscan.yaml"
    path.write_text(text)
    return path


def test_every_dr_field_is_loaded(tmp_path):
    config = load_config(write(tmp_path, FULL))
    payments = config.app("payments")
    assert payments.contacts == ("oncall-payments@acme.example", "+1 555 0100")
    assert payments.strategy == "warm_standby" and payments.primary_region == "us-east-1"
    assert payments.recovery_regions == ("us-west-2",) and payments.depends_on == ("identity", "stripe")
    assert payments.entrypoints[0] == "api.payments.acme.example"
    assert (payments.rpo_seconds, payments.rto_seconds) == (900, 3600)
    assert [s.name for s in config.shared_services] == ["stripe", "core-network"]
    assert config.shared_service("stripe").type == "third_party"
    assert config.shared_service("core-network").member_tags == {"team": "network"}
    assert config.dr.assumptions == {"decision_seconds": 900, "compute_seconds.scale_out": 300}
    assert (config.dr.drill_max_age_days, config.dr.restore_test_max_age_days) == (180, 30)
    drill, tabletop = config.dr.drills
    assert drill.date == dt.date(2026, 9, 1) and drill.measured_rto_seconds == 3000 and drill.measured_rpo_seconds == 120
    assert drill.participants == ("alice", "bob") and drill.source.endswith("drills.yaml:2")
    assert tabletop.type == "tabletop" and tabletop.date == dt.date(2026, 6, 15)


def test_defaults_when_the_dr_block_is_absent(tmp_path):
    path = tmp_path / "drscan.yaml"
    path.write_text("apps:\n  - name: payments\n    members: {tags: {app: payments}}\n")
    config = load_config(path)
    assert config.dr.drills == () and config.dr.drill_max_age_days == 365 and config.dr.restore_test_max_age_days == 90
    assert config.app("payments").strategy is None and config.app("payments").depends_on == ()
    assert load_config(REPO / "bench" / "bench.drscan.yaml").apps


@pytest.mark.parametrize("change,line,message", [
    ("depends_on: [identity, stripe]", 14, "depends on unknown app or shared service 'billing'"),
    ("strategy: warm_standby", 9, "invalid configuration at apps/0/strategy"),
    ("recovery_regions: [us-west-2]", 13, "primary_region 'us-east-1' is also listed in recovery_regions"),
    ("decision_seconds: 900", 23, "unknown DR assumption 'decision_secs'"),
    ("- name: core-network", 20, "duplicate shared service name 'stripe'"),
    ("  - name: identity", 16, "depends on itself"),  # the depends_on line added below the name
])
def test_invalid_dr_configuration_names_file_and_line(tmp_path, change, line, message):
    broken = {
        "depends_on: [identity, stripe]": "depends_on: [identity, billing]",
        "strategy: warm_standby": "strategy: hot_standby",
        "recovery_regions: [us-west-2]": "recovery_regions: [us-east-1]",
        "decision_seconds: 900": "decision_secs: 900",
        "- name: core-network": "- name: stripe",
        "  - name: identity": "  - name: identity\n    depends_on: [identity]",
    }[change]
    text = FULL.replace(change, broken, 1)
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}:" in str(error.value) and message in str(error.value)
    reported = int(str(error.value).split(f"{path}:", 1)[1].split(":", 1)[0])
    assert reported == line, str(error.value)


@pytest.mark.parametrize("drills,line,message", [
    ("drills:\n  - {app: billing, date: 2026-01-01, type: drill}\n", 2, "drill for unknown app 'billing'"),
    ("drills:\n  - app: payments\n    date: last tuesday\n    type: drill\n", 3, "not a date"),
    ("drills:\n  - app: payments\n    date: 2026-01-01\n    type: game-day\n", 4, "invalid drills file"),
    ("drills:\n  - app: payments\n    date: 2026-01-01\n    type: drill\n    measured_rto: soon\n", 5, "measured_rto"),
])
def test_invalid_drills_file_names_its_file_and_line(tmp_path, drills, line, message):
    write(tmp_path, FULL, drills)
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path / "drscan.yaml")
    assert f"drills.yaml:{line}:" in str(error.value) and message in str(error.value)


def test_missing_drills_file_is_an_error_at_the_dr_block_line(tmp_path):
    path = write(tmp_path, FULL, drills=None)
    with pytest.raises(ConfigError, match=rf"{path}:24: drills file not found"):
        load_config(path)
