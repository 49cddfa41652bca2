"""Values that pass the schema but used to crash later (an RPO of 99999999999999999999w could not
be stored: "Integer exceeds 64-bit range"; dates and day counts that overflow date arithmetic;
regular expressions that only failed when a rule was evaluated) are refused when the file is
loaded, with a one-line error naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from drscan.assurance import load_attestations, load_waivers
from drscan.config import load_config, parse_duration
from drscan.engine.loader import load_rules
from drscan.engine.predicates import MAX_MATCH_CHARS, EvalContext, compile_condition
from drscan.errors import ConfigError, InputError, RuleError
from drscan.model import Resource
from drscan.paths import rules_dir
from tests.conftest import FIXED_NOW, SAMPLES, invoke_drscan

APP = "apps:\n  - name: web\n    members: {ids: [a]}\n"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "drscan.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("body, line, words", [
    (APP + "    rpo: 99999999999999999999w\n", 4, "longer than 100 years"),
    (APP + "    rto: " + "9" * 400 + "s\n", 4, "longer than 100 years"),
    (APP + "    rto: 5300w\n", 4, "longer than 100 years"),
    ("dr:\n  drill_max_age_days: 4000000000\n", 2, "must be <= "),
    ("dr:\n  restore_test_max_age_days: 9223372036854775807\n", 2, "must be <= "),
    ("evidence_ttl_days:\n  default: 1.0e+300\n", 2, "must be <= "),
    ("backup_defaults:\n  min_retention_days: 99999999\n", 2, "must be <= "),
    ("backups:\n  - {source: s, protects: db, max_age: 99999999999999999999w}\n", 2, "longer than 100 years"),
    ("dr:\n  assumptions:\n    pitr_rpo_seconds.aws_backup_continuous: 1.0e+300\n", 3, "must be <= "),
])
def test_oversized_values_in_drscan_yaml_are_refused_at_load(tmp_path, body, line, words):
    path = _config(tmp_path, body)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}:{line}: ") and words in str(error.value), str(error.value)


def test_the_rpo_that_could_not_be_stored_is_an_input_error_before_the_scan(tmp_path):
    config = _config(tmp_path, (SAMPLES / "drscan.yaml").read_text().replace("rpo: 15m", "rpo: 99999999999999999999w", 1))
    (tmp_path / "assurance").symlink_to(SAMPLES / "assurance")
    code, _, err = invoke_drscan("scan", "--import", str(SAMPLES / "aws"), "--config", str(config), "--db",
                                 str(tmp_path / "drscan.db"), "-q")
    assert code == 2, err
    assert err.startswith(f"drscan: error: {config}:") and "rpo: duration '99999999999999999999w' is longer" in err
    assert not (tmp_path / "drscan.db").exists()


def test_durations_up_to_the_bound_still_parse():
    assert parse_duration("15m") == 900 and parse_duration("5200w") == 5200 * 604800
    assert parse_duration("36500d") == 36500 * 86400
    with pytest.raises(ValueError):
        parse_duration("36501d")


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31", "1969-12-31", "3000-01-01", "2026-02-30", "yesterday"])
def test_drill_dates_outside_1970_2999_or_invalid_are_refused(tmp_path, date):
    (tmp_path / "drills.yaml").write_text(f"drills:\n  - app: web\n    date: {date}\n    type: drill\n")
    _config(tmp_path, APP + "dr:\n  drills: drills.yaml\n")
    with pytest.raises(ConfigError, match=r"drills.yaml:3: date: "):
        load_config(tmp_path / "drscan.yaml")


def test_drill_date_with_a_time_of_day_is_a_date(tmp_path):
    (tmp_path / "drills.yaml").write_text("drills:\n  - {app: web, date: '2026-10-14T09:30:00Z', type: drill}\n")
    config = load_config(_config(tmp_path, APP + "dr:\n  drills: drills.yaml\n"))
    assert config.dr.drills[0].date.isoformat() == "2026-10-14"


@pytest.mark.parametrize("field, value", [("date", "0001-01-01"), ("expires", "9999-12-31"), ("expires", "2026-13-01")])
def test_attestation_and_waiver_dates_out_of_range_are_refused(tmp_path, field, value):
    dates = {"date": "2026-01-01", "expires": "2027-01-01", field: value}
    attestations = tmp_path / "attestations.yaml"
    attestations.write_text(f"attestations:\n  - control: 'soc2:CC1.1'\n    statement: Reviewed every year.\n"
                            f"    owner: ciso\n    date: {dates['date']}\n    expires: {dates['expires']}\n")
    with pytest.raises(InputError, match=rf"^{attestations}:\d+: "):
        load_attestations(attestations, {"soc2:CC1.1"})
    if field == "expires":
        waivers = tmp_path / "waivers.yaml"
        waivers.write_text(f"waivers:\n  - rule: aws-s3-*\n    resources: ['*']\n    owner: a\n    reason: accepted\n"
                           f"    ticket: T-1\n    expires: {value}\n")
        with pytest.raises(InputError, match=rf"^{waivers}:7: "):
            load_waivers(waivers, {"aws-s3-bucket-versioning"})


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_as_of_outside_1970_2999_is_a_usage_error(moment, tmp_path, sample_pack):
    dr = ("dr", "--config", str(SAMPLES / "drscan.yaml"), "--db", str(sample_pack / "drscan.db"), "--as-of", moment)
    for argv in (("scan", "--import", str(tmp_path), "--as-of", moment), dr):
        code, _, err = invoke_drscan(*argv)
        assert code == 2 and err.startswith("drscan: error: --as-of:") and "outside 1970-2999" in err, err


# --- regular expressions in rules ----------------------------------------------------------

def _rules(tmp_path: Path, condition: str) -> Path:
    root = tmp_path / "rules"
    (root / "controls").mkdir(parents=True)
    for catalogue in (rules_dir() / "controls").glob("*.yaml"):
        (root / "controls" / catalogue.name).write_bytes(catalogue.read_bytes())
    (root / "custom.yaml").write_text(
        "rules:\n  - id: custom-bucket-name\n    version: 1\n    title: A custom rule on bucket names\n"
        "    severity: low\n    category: logging\n    kinds: [aws.s3.bucket]\n    controls: {iso27001-2022: [A.8.15]}\n"
        "    remediation: Rename the bucket to something sensible.\n"
        f"    condition:\n      all:\n        - {{attr: encrypted, op: eq, value: true}}\n        - {condition}\n")
    return root


@pytest.mark.parametrize("condition, words", [
    ('{attr: "@name", op: matches, value: "(unclosed"}', "missing ), unterminated subpattern"),
    ('{attr: "@name", op: matches, value: "*starts-with-a-star"}', "nothing to repeat"),
    ('{attr: "@name", op: matches, value: "[z-a]"}', "bad character range"),
    ("{attr: name, op: matches, value: 5}", "needs a string pattern"),
])
def test_an_invalid_rule_regex_is_a_rule_error_naming_file_and_line_at_load(tmp_path, condition, words):
    root = _rules(tmp_path, condition)
    with pytest.raises(RuleError) as error:
        load_rules(root)
    message = str(error.value)
    assert message.startswith(f"{root / 'custom.yaml'}:13: ") and words in message, message


def test_a_valid_custom_regex_loads_and_matches(tmp_path):
    rules = load_rules(_rules(tmp_path, '{attr: "@name", op: matches, value: "^logs-"}'))
    assert rules.get("custom-bucket-name") is not None


def _matches(value: str):
    condition = compile_condition({"attr": "name", "op": "matches", "value": "^(a|b)+c$"}, "rule.yaml", lambda at: 1, ())
    resource = Resource(kind="aws.s3.bucket", id="arn:aws:s3:::x", name="x", provider="aws", account="1",
                        region="us-east-1", attrs={"name": value})
    return condition(resource, EvalContext(related=lambda *a: [], now=FIXED_NOW))


def test_an_attribute_too_long_to_match_is_not_assessed_with_the_reason():
    assert _matches("ab" * 10 + "c")[0] is True and _matches("abd")[0] is False
    verdict, reason = _matches("a" * (MAX_MATCH_CHARS + 1))
    assert verdict is None and f"values over {MAX_MATCH_CHARS:,} are not matched" in reason
