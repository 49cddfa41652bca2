"""The dr_scores table (store stage): the DR readiness score of every app and disruption, per
scan, taken from the scan's `drscan.dr.app` resources, and read back as a trend."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Iterator

import sqlite_utils

from drscan.model import Resource

APP_KIND = "drscan.dr.app"
OVERALL = "overall"  # the disruption column of the app's own score


def create_scores_table(db: sqlite_utils.Database) -> None:
    db["dr_scores"].create({"scan_id": int, "app": str, "disruption": str, "score": int, "tier": int, "floor": int,
                            "basis": str, "why": str}, foreign_keys=[("scan_id", "scans", "id")], if_not_exists=True)
    db["dr_scores"].create_index(["scan_id"], if_not_exists=True)


def score_rows(scan_id: int, resources: Iterable[Resource]) -> Iterator[tuple]:
    for resource in resources:
        if resource.kind != APP_KIND:
            continue
        readiness = ((resource.attrs.get("dr") or {}).get("readiness")) or {}
        if not readiness:
            continue
        tier = resource.attrs.get("tier")
        yield (scan_id, resource.name, OVERALL, readiness.get("score"), tier, readiness.get("floor"),
               "below_floor" if readiness.get("below_floor") else "", "")
        for disruption, part in (readiness.get("disruptions") or {}).items():
            yield (scan_id, resource.name, disruption, part.get("score"), tier, readiness.get("floor"), part.get("basis") or "",
                   part.get("why") or "")


def score_trend(db: sqlite_utils.Database, scan_ids: list[int]) -> dict[int, dict[str, Any]]:
    """scan id -> {app: {"score": n, "disruptions": {d: n}}} for the given scans (absent: no scores then)."""
    if not scan_ids or not db["dr_scores"].exists():
        return {}
    marks = ",".join("?" * len(scan_ids))
    trend: dict[int, dict[str, Any]] = defaultdict(dict)
    for scan_id, app, disruption, score in db.execute(
            f"select scan_id, app, disruption, score from dr_scores where scan_id in ({marks}) order by scan_id, app", scan_ids):
        entry = trend[scan_id].setdefault(app, {"score": None, "disruptions": {}})
        if disruption == OVERALL:
            entry["score"] = score
        else:
            entry["disruptions"][disruption] = score
    return dict(trend)


def recent_trend(db: sqlite_utils.Database, last: int = 20) -> list[dict[str, Any]]:
    """[{scan_id, started_at, apps: {app: score}}] for the last scans, oldest first."""
    rows = list(db.query("select id, started_at from scans order by id desc limit ?", [last]))[::-1]
    trend = score_trend(db, [r["id"] for r in rows])
    return [{"scan_id": r["id"], "started_at": r["started_at"],
             "apps": {app: v["score"] for app, v in trend.get(r["id"], {}).items()}} for r in rows]
