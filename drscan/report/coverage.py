"""Control coverage: for every control of a catalogue, which rules evidence it, how the
findings of those rules came out, and the control's resulting status.

Statuses: automated controls are `fail` (any unwaived FAIL), `not_assessed` (some result could
not be assessed, or nothing in scope), `waived` (only waived failures), `stale` (would pass, but
the evidence is older than the framework's time-to-live) or `pass`. Manual controls are `manual`,
or — when attestations are given — `manual_attested` / `manual_missing`. Controls nothing
covers are `not_covered` (unless attested)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from drscan.engine.loader import Catalogue, Control, RuleSet
from drscan.model import Finding

if TYPE_CHECKING:
    from drscan.assurance import Assurance, Attestation

WAIVED = "WAIVED"
COUNTED = ("PASS", "FAIL", "NOT_ASSESSED", WAIVED)


@dataclass(frozen=True)
class ControlStatus:
    control: Control
    coverage: str  # automated | manual | not_covered
    status: str
    rules: tuple[str, ...]
    counts: dict[str, int]
    evidence_age_days_max: float | None = None
    attestations: tuple["Attestation", ...] = field(default=())


def automated_status(counts: dict[str, int]) -> str:
    """An automated control's status from its rules' result counts (PASS, FAIL, NOT_ASSESSED, WAIVED)."""
    if counts.get("FAIL"):
        return "fail"
    if counts.get("NOT_ASSESSED") or not (counts.get("PASS") or counts.get(WAIVED)):
        return "not_assessed"
    return "waived" if counts.get(WAIVED) else "pass"


def rules_by_control(rules: RuleSet, framework: str) -> dict[str, list[str]]:
    mapping: dict[str, list[str]] = defaultdict(list)
    prefix = framework + ":"
    for rule in rules.rules:
        for control in rule.controls:
            if control.startswith(prefix):
                mapping[control[len(prefix):]].append(rule.id)
    return mapping


def rule_tallies(findings: Iterable[Finding], *, waived: frozenset[str] | set[str] = frozenset(),
                 ages: dict[str, float] | None = None,
                 oldest: dict[str, float] | None = None) -> tuple[dict[str, Counter], dict[str, float]]:
    """Findings per rule by status (WAIVED for waived fingerprints), and each rule's oldest evidence
    age: from `ages` (keyed by fingerprint, rule_id|resource_id) or given per rule as `oldest`."""
    by_rule: dict[str, Counter] = defaultdict(Counter)
    oldest = dict(oldest or {})
    for finding in findings:
        key = f"{finding.rule_id}|{finding.resource_id}" if waived or ages else ""
        by_rule[finding.rule_id][WAIVED if key in waived else finding.status.value] += 1
        if ages and key in ages:
            oldest[finding.rule_id] = max(oldest.get(finding.rule_id, 0.0), ages[key])
    return by_rule, oldest


def control_statuses(catalogue: Catalogue, rules: RuleSet, findings: Iterable[Finding] = (), *,
                     waived: frozenset[str] | set[str] = frozenset(), ages: dict[str, float] | None = None,
                     ttl_days: float | None = None, assurance: "Assurance | None" = None,
                     tallies: tuple[dict[str, Counter], dict[str, float]] | None = None) -> list[ControlStatus]:
    """`waived` and `ages` are keyed by finding fingerprint (rule_id|resource_id); `tallies`
    (from rule_tallies, the same findings, waivers and ages) saves counting them again per framework."""
    by_rule, oldest = tallies if tallies is not None else rule_tallies(findings, waived=waived, ages=ages)
    mapping = rules_by_control(rules, catalogue.framework)
    out = []
    for control in catalogue.controls:
        rule_ids = tuple(mapping.get(control.id, ()))
        counts: Counter = Counter()
        for rule_id in rule_ids:
            counts.update(by_rule.get(rule_id, {}))
        counts_dict = {name: counts.get(name, 0) for name in COUNTED}
        age = max((oldest[r] for r in rule_ids if r in oldest), default=None)
        attested = tuple(assurance.attested(f"{catalogue.framework}:{control.id}")) if assurance else ()
        if rule_ids:
            coverage = "automated"
            status = automated_status(counts_dict)
            if status in ("pass", "waived") and ttl_days is not None and age is not None and age > ttl_days:
                status = "stale"
        elif control.manual:
            coverage = "manual"
            status = "manual" if assurance is None else ("manual_attested" if attested else "manual_missing")
        else:
            coverage = "not_covered"
            status = "manual_attested" if attested else "not_covered"
        out.append(ControlStatus(control, coverage, status, rule_ids, counts_dict, age, attested))
    return out
