"""Control coverage: for every control of a catalogue, which rules evidence it, how the
findings of those rules came out, and the control's resulting status."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

from drscan.engine.loader import Catalogue, Control, RuleSet
from drscan.model import Finding, Status


@dataclass(frozen=True)
class ControlStatus:
    control: Control
    coverage: str  # automated | manual | not_covered
    status: str  # pass | fail | not_assessed | manual | not_covered
    rules: tuple[str, ...]
    counts: dict[str, int]


def rules_by_control(rules: RuleSet, framework: str) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = defaultdict(list)
    prefix = framework + ":"
    for rule in rules.rules:
        for control in rule.controls:
            if control.startswith(prefix):
                mapping[control[len(prefix):]].append(rule.id)
    return mapping


def control_statuses(catalogue: Catalogue, rules: RuleSet, findings: Iterable[Finding] = ()) -> list[ControlStatus]:
    by_rule: dict[str, Counter] = defaultdict(Counter)
    for finding in findings:
        by_rule[finding.rule_id][finding.status.value] += 1
    mapping = rules_by_control(rules, catalogue.framework)
    out = []
    for control in catalogue.controls:
        rule_ids = tuple(mapping.get(control.id, ()))
        counts = Counter()
        for rule_id in rule_ids:
            counts.update(by_rule.get(rule_id, {}))
        counts_dict = {s.value: counts.get(s.value, 0) for s in Status}
        if rule_ids:
            coverage = "automated"
            if counts_dict["FAIL"]:
                status = "fail"
            elif counts_dict["NOT_ASSESSED"] or not counts_dict["PASS"]:
                status = "not_assessed"
            else:
                status = "pass"
        elif control.manual:
            coverage, status = "manual", "manual"
        else:
            coverage, status = "not_covered", "not_covered"
        out.append(ControlStatus(control, coverage, status, rule_ids, counts_dict))
    return out
