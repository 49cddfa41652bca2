"""Overview page: the latest scan per scope (with a stale-scan warning), fail / not-assessed /
pass trends per framework, category, severity and app across scans, the newest regressions."""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any

from drscan.history import diff_scans
from drscan.model import SEVERITY_RANK
from drscan.serve import queries
from drscan.serve.charts import STATUS_COLOURS, Series, line_chart
from drscan.errors import DrscanError
from drscan.serve.pages import Page, Settings, View

TREND_KEYS = ("framework", "category", "severity", "app")
MAX_REGRESSIONS = 25
WARM_EVERY_S = 30.0
LOG = logging.getLogger("drscan.serve")


def _hours_since(moment: str, now: datetime) -> float | None:
    try:
        when = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (now - when).total_seconds() / 3600


def trends(view: View, scans: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, list[int]]]]:
    """key (framework, ...) -> value -> status -> one count per scan."""
    summaries = [view.summary(scan) for scan in scans]
    out: dict[str, dict[str, dict[str, list[int]]]] = {}
    for key in TREND_KEYS:
        per_scan = [s.by_app if key == "app" else queries.counts_by(s, key) for s in summaries]
        values = sorted({v for counts in per_scan for v in counts},
                        key=lambda v: (SEVERITY_RANK.get(v, 9), v) if key == "severity" else v)
        out[key] = {value: {status: [counts.get(value, {}).get(status, 0) for counts in per_scan]
                            for status in queries.STATUSES} for value in values}
    return out


def regressions(view: View, scans: list[dict[str, Any]]) -> dict[str, Any] | None:
    if len(scans) < 2:
        return None
    old, new = scans[-2], scans[-1]
    diff = view.settings.memo.get(("diff-findings", old["id"], new["id"], new["started_at"]),
                                  lambda: diff_scans(view.connection, old["id"], new["id"], include_resources=False))
    changed = sorted(diff.regressed + diff.new, key=lambda c: (SEVERITY_RANK.get(c.severity, 9), c.rule_id, c.resource_id))
    return {"old_scan": old["id"], "new_scan": new["id"], "new": len(diff.new), "regressed": len(diff.regressed),
            "resolved": len(diff.resolved), "still_failing": len(diff.still_failing),
            "items": [{"fingerprint": c.fingerprint, "rule_id": c.rule_id, "resource_id": c.resource_id,
                       "severity": c.severity, "before": c.before, "after": c.after} for c in changed[:MAX_REGRESSIONS]]}


def keep_warm(settings: Settings, stop: threading.Event, every_seconds: float = WARM_EVERY_S) -> None:
    """Background thread of the server: whenever a new scan is stored, compute what the overview
    needs (each charted scan's summary, the latest diff) before anyone asks; on a 100k-resource
    estate that is seconds, once per scan. Every read is its own short transaction."""
    seen = None
    while not stop.is_set():
        try:
            with settings.db.connect() as connection:
                scans = queries.list_scans(connection, settings.trend_scans)
                latest = scans[-1]["id"] if scans else None
            if latest != seen:
                for scan in reversed(scans):
                    with settings.db.connect() as connection:
                        View(connection, {}, settings).summary(scan)
                with settings.db.connect() as connection:
                    regressions(View(connection, {}, settings), scans)
                seen = latest
        except (DrscanError, sqlite3.Error):
            LOG.warning("drscan serve: could not pre-compute the overview", exc_info=True)
        stop.wait(every_seconds)


def page(view: View) -> Page:
    scans = queries.list_scans(view.connection, view.settings.trend_scans)
    now = datetime.now(timezone.utc)
    latest = queries.latest_per_scope(view.connection)
    for scan in latest:
        age = _hours_since(scan["finished_at"], now)
        scan["age_hours"] = None if age is None else round(age, 1)
        scan["stale"] = age is not None and age > view.settings.stale_hours
    data: dict[str, Any] = {
        "scans": scans, "latest_per_scope": latest, "stale_after_hours": view.settings.stale_hours,
        "stale": [s["scope"] for s in latest if s["stale"]],
        "totals": {status: [s[key] for s in scans] for status, key in
                   (("FAIL", "fail"), ("NOT_ASSESSED", "not_assessed"), ("PASS", "pass"))},
        "trends": trends(view, scans) if scans else {k: {} for k in TREND_KEYS},
        "regressions": regressions(view, scans),
    }
    labels = [f"#{s['id']}" for s in scans]
    charts = {"totals": line_chart("Findings per status across scans", labels,
                                   [Series(status.replace("_", " ").lower(), tuple(values), STATUS_COLOURS[status])
                                    for status, values in data["totals"].items()])}
    for key, by_value in data["trends"].items():
        charts[key] = line_chart(f"Failing findings per {key} across scans", labels,
                                 [Series(value, tuple(counts["FAIL"])) for value, counts in by_value.items()])
    return Page("serve/overview.html.j2", "Overview", data, {"charts": charts})
