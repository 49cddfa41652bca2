"""Rule and catalogue loading: schema validation with file:line errors, control mapping checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drscan.engine.loader import load_rules
from drscan.errors import RuleError
from drscan.paths import rules_dir

GOOD_RULE = """\
rules:
  - id: test-bucket-versioning
    version: 1
    title: Bucket keeps versions
    severity: medium
    category: backup
    kinds: [aws.s3.bucket]
    controls: {iso27001-2022: [A.8.13]}
    condition: {attr: versioning, op: eq, value: Enabled}
    remediation: Enable versioning on the bucket.
"""


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir() / "controls", root / "controls")
    return root


def test_valid_rule_loads_and_is_indexed_by_kind(rules_copy):
    (rules_copy / "x.yaml").write_text(GOOD_RULE)
    ruleset = load_rules(rules_copy)
    assert [r.id for r in ruleset.by_kind["aws.s3.bucket"]] == ["test-bucket-versioning"]
    assert ruleset.get("test-bucket-versioning").controls == ("iso27001-2022:A.8.13",)


def test_unknown_key_is_an_error_naming_file_and_line(rules_copy):
    (rules_copy / "x.yaml").write_text(GOOD_RULE.replace("    remediation:", "    sevrity: high\n    remediation:"))
    with pytest.raises(RuleError, match=r"x\.yaml:10: .*unknown key.*sevrity"):
        load_rules(rules_copy)


def test_unknown_control_is_an_error_naming_the_line(rules_copy):
    (rules_copy / "x.yaml").write_text(GOOD_RULE.replace("A.8.13", "A.8.99"))
    with pytest.raises(RuleError, match=r"x\.yaml:8: .*'A\.8\.99' is not a control of iso27001-2022"):
        load_rules(rules_copy)


def test_unknown_operator_names_the_condition_line(rules_copy):
    (rules_copy / "x.yaml").write_text(GOOD_RULE.replace("op: eq", "op: equals"))
    with pytest.raises(RuleError, match=r"x\.yaml:9: unknown operator 'equals'"):
        load_rules(rules_copy)


def test_duplicate_rule_ids_are_rejected(rules_copy):
    (rules_copy / "a.yaml").write_text(GOOD_RULE)
    (rules_copy / "b.yaml").write_text(GOOD_RULE)
    with pytest.raises(RuleError, match="duplicate rule id 'test-bucket-versioning'"):
        load_rules(rules_copy)


def test_invalid_yaml_names_the_line(rules_copy):
    (rules_copy / "x.yaml").write_text("rules:\n  - id: [unclosed\n")
    with pytest.raises(RuleError, match=r"x\.yaml:\d+: invalid YAML"):
        load_rules(rules_copy)


def test_catalogues_list_every_control(ruleset):
    iso = ruleset.catalogues["iso27001-2022"]
    themes = {}
    for control in iso.controls:
        themes[control.theme_id] = themes.get(control.theme_id, 0) + 1
    assert themes == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
    soc2 = ruleset.catalogues["soc2"].control_ids()
    assert {"CC1.1", "CC6.1", "CC9.2", "A1.3", "C1.2", "PI1.5", "P8.1"} <= soc2
    assert len(soc2) == 61


def test_rule_ids_are_stable_released_set(ruleset):
    """Released rule ids never change: this list may only grow."""
    released = Path(__file__).with_name("released_rule_ids.txt").read_text().split()
    current = {r.id for r in ruleset.rules}
    assert set(released) <= current, f"released rule ids removed or renamed: {sorted(set(released) - current)}"


def test_justification_is_carried_on_the_rule(rules_copy):
    (rules_copy / "x.yaml").write_text(GOOD_RULE + "    justification:\n"
                                       "      iso27001-2022:A.8.13: Versions are the copies an overwrite or deletion restores from.\n")
    rule = load_rules(rules_copy).get("test-bucket-versioning")
    assert rule.justification == {"iso27001-2022:A.8.13": "Versions are the copies an overwrite or deletion restores from."}


def test_justification_for_a_control_the_rule_does_not_map_is_an_error_naming_the_line(rules_copy):
    (rules_copy / "x.yaml").write_text(GOOD_RULE + "    justification:\n"
                                       "      soc2:CC6.1: Not a control this rule maps to at all.\n")
    with pytest.raises(RuleError, match=r"x\.yaml:12: rule test-bucket-versioning: justification for 'soc2:CC6.1'"):
        load_rules(rules_copy)


def test_justification_must_be_a_sentence(rules_copy):
    (rules_copy / "x.yaml").write_text(GOOD_RULE + "    justification:\n      iso27001-2022:A.8.13: short\n")
    with pytest.raises(RuleError, match="x.yaml"):
        load_rules(rules_copy)


def test_every_mapping_is_justified_except_on_rules_released_before_justifications(ruleset):
    """Rules released before the `justification` key existed (unjustified_rule_ids.txt, a list that may
    only shrink) may leave their older mappings unexplained; every other mapping carries its reason,
    and so does every CIS AWS mapping, whichever rule it is on."""
    legacy = set(Path(__file__).with_name("unjustified_rule_ids.txt").read_text().split())
    unexplained = [(r.id, c) for r in ruleset.rules for c in r.controls if c not in r.justification
                   and (r.id not in legacy or c.startswith("cis-aws-3.0:"))]
    assert unexplained == []
