"""Readiness attributes of an app (evaluate stage, pure): the DR readiness score from its DR
tests and estimates, runbook freshness from the runbook attestations, and overdue follow-ups
of its drills. They become `dr.readiness.*`, `dr.runbook.*` and `dr.follow_ups.*` of the
`drscan.dr.app` resource, which rules/dr.yaml judges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drscan.config import App
from drscan.dr.model import Estimate
from drscan.dr.score import ReadinessScore, readiness_score
from drscan.dr.scope import DrContext
from drscan.drtests.model import TEST_DISRUPTION, DrTest

KEPT_TESTS = 5  # tests per disruption carried in the stored attributes (all of them: drscan dr score --format json)


@dataclass(frozen=True)
class Readiness:
    score: ReadinessScore
    checks: dict[str, Any]


def score_for(ctx: DrContext, app: App, estimates: dict[str, Estimate], multi_cloud: bool,
              tests: list[DrTest]) -> ReadinessScore:
    max_age, floor = ctx.config.dr.score_policy(app.tier)
    verdicts = {TEST_DISRUPTION[d]: e.verdict for d, e in estimates.items()}
    return readiness_score(app.name, app.tier, tests, ctx.now, max_age_days=max_age, floor=floor,
                           rpo_target=app.rpo_seconds, rto_target=app.rto_seconds, verdicts=verdicts,
                           applicable={"provider": multi_cloud})


def _compact(score: ReadinessScore) -> dict[str, Any]:
    data = score.as_dict()
    for part in data["disruptions"].values():
        part["test_count"] = len(part["tests"])
        part["tests"] = part["tests"][:KEPT_TESTS]
    data["unattributed_tests"] = data["unattributed_tests"][:KEPT_TESTS]
    return data


def readiness_checks_extra(ctx: DrContext, app: App, estimates: dict[str, Estimate], checks: dict[str, Any],
                           tests: list[DrTest]) -> Readiness:
    settings = ctx.config.dr
    score = score_for(ctx, app, estimates, bool(checks.get("multi_cloud")), tests)
    today = ctx.now.date()
    reviews = sorted((r for r in settings.runbooks if r.app == app.name), key=lambda r: r.reviewed_at)
    if reviews:
        latest = reviews[-1]
        age = (today - latest.reviewed_at).days
        runbook = {"reviewed_by": latest.reviewed_by, "reviewed_at": latest.reviewed_at.isoformat(), "age_days": age,
                   "fresh": age <= settings.runbook_max_age_days, "location": latest.location or None,
                   "source": latest.source}
    else:
        # With a drills file the absence of a review is a fact; without one drscan cannot tell.
        runbook = {"reviewed_by": None, "reviewed_at": None, "age_days": None,
                   "fresh": False if settings.drills_path is not None else None, "location": None, "source": None}
    runbook["max_age_days"] = settings.runbook_max_age_days
    open_items = [(d, f) for d in settings.drills if d.app == app.name for f in d.follow_ups if not f.done]
    overdue = [(d, f) for d, f in open_items if f.due < today]
    follow_ups = {
        "open_count": len(open_items) if settings.drills_path is not None else None,
        "overdue_count": len(overdue) if settings.drills_path is not None else None,
        "overdue": [{"item": f.item, "owner": f.owner, "due": f.due.isoformat(), "days_overdue": (today - f.due).days,
                     "drill_date": d.date.isoformat(), "source": f.source} for d, f in overdue[:20]],
    }
    return Readiness(score, {"readiness": _compact(score), "runbook": runbook, "follow_ups": follow_ups})
