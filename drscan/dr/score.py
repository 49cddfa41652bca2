"""The DR readiness score (evaluate stage, pure): 0-100 per app and per disruption, from the DR
tests that prove recovery (drscan.drtests) and the DR estimate's verdict. The formula is
published in the README ("DR readiness score"); FORMULA names its version.

Per disruption, M = the tier's maximum test age (drscan.yaml `dr.score.tiers`), age in days:
- the most recent conclusive technical test (failover, restore, chaos) decides:
  pass: 100 while age <= M; then 75 falling linearly to 25 at 2M; 25 after that;
  fail: 50 while age <= M; 25 after that. A pass whose measured RTO or RPO exceeds the
  app's target counts as a fail;
- a passing tabletop exercise within M is worth 40 (it proves the plan, not the recovery);
- the disruption scores the better of the two; never tested scores 0;
- capped at 50 when the DR estimate for that disruption misses the app's RPO or RTO.
The app's score is the mean over the disruptions that apply to it (provider loss only for
multi-cloud apps), rounded. Inconclusive tests (cancelled, no verdict) and tests that name no
disruption are listed but do not count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from drscan.drtests.model import ENGINE_DISRUPTION, DrTest

FORMULA = "drscan-readiness-1"
PASS_POINTS, STALE_START, STALE_FLOOR = 100.0, 75.0, 25.0
FAIL_RECENT, FAIL_STALE = 50.0, 25.0
TABLETOP_POINTS = 40.0
CAP_WHEN_ESTIMATE_FAILS = 50.0
TECHNICAL = ("failover", "restore", "chaos")
DISRUPTION_ORDER = tuple(ENGINE_DISRUPTION)  # zone, region, provider, data_corruption, account_compromise


def age_days(test: DrTest, now: datetime) -> float:
    return max(0.0, (now - test.date).total_seconds() / 86400)


def pass_points(age: float, max_age: int) -> float:
    if age <= max_age:
        return PASS_POINTS
    if age >= 2 * max_age:
        return STALE_FLOOR
    return STALE_START - (STALE_START - STALE_FLOOR) * (age - max_age) / max_age


def fail_points(age: float, max_age: int) -> float:
    return FAIL_RECENT if age <= max_age else FAIL_STALE


def effective_outcome(test: DrTest, rpo_target: float | None, rto_target: float | None) -> tuple[str, str]:
    """(pass | fail | inconclusive, why): a pass outside the targets is a fail."""
    if test.outcome != "pass":
        return test.outcome, test.outcome
    if rto_target is not None and test.measured_rto_seconds is not None and test.measured_rto_seconds > rto_target:
        return "fail", f"measured RTO {round(test.measured_rto_seconds)} s exceeds the {round(rto_target)} s target"
    if rpo_target is not None and test.measured_rpo_seconds is not None and test.measured_rpo_seconds > rpo_target:
        return "fail", f"measured RPO {round(test.measured_rpo_seconds)} s exceeds the {round(rpo_target)} s target"
    return "pass", "pass"


@dataclass(frozen=True)
class DisruptionScore:
    disruption: str
    score: int | None  # None: does not apply to this app
    basis: str  # proven | stale | failed | stale_failed | tabletop | untested | not_applicable
    why: str
    capped: bool = False
    deciding: DrTest | None = None
    tests: tuple[DrTest, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"disruption": self.disruption, "score": self.score, "basis": self.basis, "why": self.why,
                "capped": self.capped, "deciding_test": self.deciding.as_dict() if self.deciding else None,
                "tests": [t.as_dict() for t in self.tests]}


def disruption_score(disruption: str, tests: Iterable[DrTest], now: datetime, max_age: int, *,
                     rpo_target: float | None = None, rto_target: float | None = None,
                     estimate_verdict: str | None = None, applicable: bool = True) -> DisruptionScore:
    tests = tuple(sorted(tests, key=lambda t: t.date, reverse=True))
    if not applicable:
        return DisruptionScore(disruption, None, "not_applicable", "does not apply to this app", tests=tests)
    technical = [(t, *effective_outcome(t, rpo_target, rto_target)) for t in tests if t.kind in TECHNICAL]
    conclusive = [(t, outcome, why) for t, outcome, why in technical if outcome in ("pass", "fail")]
    points, basis, why, deciding = 0.0, "untested", "never tested", None
    if conclusive:
        deciding, outcome, reason = conclusive[0]
        age = age_days(deciding, now)
        stale = age > max_age
        if outcome == "pass":
            points, basis = pass_points(age, max_age), "stale" if stale else "proven"
            why = f"{deciding.kind} test passed {age:.0f} days ago" + (f" (older than {max_age} days)" if stale else "")
        else:
            points, basis = fail_points(age, max_age), "stale_failed" if stale else "failed"
            why = f"latest {deciding.kind} test failed {age:.0f} days ago" + ("" if reason == "fail" else f": {reason}")
    tabletops = [t for t in tests if t.kind == "tabletop" and t.outcome == "pass" and age_days(t, now) <= max_age]
    if tabletops and TABLETOP_POINTS > points:
        deciding, points, basis = tabletops[0], TABLETOP_POINTS, "tabletop"
        why = f"tabletop exercise {age_days(tabletops[0], now):.0f} days ago (no technical test proves recovery)"
    capped = estimate_verdict == "FAIL" and points > CAP_WHEN_ESTIMATE_FAILS
    if capped:
        points = CAP_WHEN_ESTIMATE_FAILS
        why += "; capped at 50: the DR estimate misses the RPO or RTO target"
    ignored = len(tests) - len(conclusive) - len(tabletops)
    if ignored and any(t.kind != "tabletop" for t in tests):
        inconclusive = sum(1 for _, outcome, _ in technical if outcome == "inconclusive")
        if inconclusive:
            why += f"; {inconclusive} inconclusive test(s) not counted"
    return DisruptionScore(disruption, round(points), basis, why, capped, deciding, tests)


@dataclass(frozen=True)
class ReadinessScore:
    app: str
    tier: int | None
    score: int | None
    floor: int
    max_age_days: int
    disruptions: dict[str, DisruptionScore] = field(default_factory=dict)
    unattributed: tuple[DrTest, ...] = ()  # tests of the app that name no disruption

    @property
    def below_floor(self) -> bool | None:
        return None if self.score is None else self.score < self.floor

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.app, "tier": self.tier, "score": self.score, "floor": self.floor,
                "below_floor": self.below_floor, "max_age_days": self.max_age_days, "formula": FORMULA,
                "disruptions": {d: s.as_dict() for d, s in self.disruptions.items()},
                "unattributed_tests": [t.as_dict() for t in self.unattributed]}


def readiness_score(app: str, tier: int | None, tests: Iterable[DrTest], now: datetime, *, max_age_days: int, floor: int,
                    rpo_target: float | None = None, rto_target: float | None = None,
                    verdicts: dict[str, str] | None = None, applicable: dict[str, bool] | None = None) -> ReadinessScore:
    """The app's score. `verdicts` and `applicable` are keyed by DR test disruption names (zone,
    region, provider, data_corruption, account_compromise)."""
    verdicts, applicable = verdicts or {}, applicable or {}
    mine = [t for t in tests if t.app == app]
    parts = {}
    for disruption in DISRUPTION_ORDER:
        parts[disruption] = disruption_score(
            disruption, [t for t in mine if t.disruption == disruption], now, max_age_days, rpo_target=rpo_target,
            rto_target=rto_target, estimate_verdict=verdicts.get(disruption), applicable=applicable.get(disruption, True))
    scores = [p.score for p in parts.values() if p.score is not None]
    total = round(sum(scores) / len(scores)) if scores else None
    return ReadinessScore(app=app, tier=tier, score=total, floor=floor, max_age_days=max_age_days, disruptions=parts,
                          unattributed=tuple(t for t in mine if t.disruption is None))
