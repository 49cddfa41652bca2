"""The DR section of the HTML and PDF reports: per application the detected strategy, estimated
RPO/RTO per disruption against its targets, single points of failure, the dependency picture and
the region-loss runbook, computed from the stored scan and drscan.yaml by drscan.dr."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from drscan.config import Config
from drscan.model import Scan

DISRUPTION_TITLES = {"zone_loss": "Zone loss", "region_loss": "Region loss", "provider_loss": "Provider loss",
                     "data_corruption": "Data corruption / deletion", "account_compromise": "Account compromise / ransomware"}


def _moment(scan: Scan) -> datetime:
    text = str(scan.scope.get("as_of") or scan.started_at)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def human(seconds: float | None) -> str:
    from drscan.dr.copies import human as dr_human

    return dr_human(seconds)


def _trend(name: str, scan: Scan, history: list[dict] | None, current: int | None) -> list[tuple[str, int | None]]:
    """(label, score) per stored scan up to this one, then this scan's own score."""
    points = [(f"#{row['scan_id']} {str(row['started_at'])[:10]}", row["apps"].get(name))
              for row in history or [] if scan.id is None or row["scan_id"] < scan.id]
    label = f"#{scan.id} " if scan.id is not None else ""
    return points + [(label + str(scan.scope.get("as_of") or scan.started_at)[:10], current)]


def dr_section(scan: Scan, config: Config, score_history: list[dict] | None = None) -> list[dict[str, Any]]:
    """One entry per app of drscan.yaml; [] when there are none. `score_history` is the stored
    scores of earlier scans (drscan.store.scores.recent_trend), for the trend chart."""
    if not config.apps:
        return []
    from drscan.dr.api import graph_of_scan
    from drscan.dr.assess import DR_APP_KIND, assess_apps, new_context
    from drscan.dr.diagram import render_svg
    from drscan.dr.output import assessment_json
    from drscan.dr.runbook import build_runbook
    from drscan.report.trend_svg import trend_svg

    resources = [r for r in scan.resources if r.kind != DR_APP_KIND]
    relations = tuple(r for r in scan.relations if r.type != "member_of_app")
    graph = graph_of_scan(resources, relations, tuple(scan.gaps), config.apps)
    ctx = new_context(graph, config, _moment(scan))
    apps = []
    for name, assessment in assess_apps(ctx).items():
        data = assessment_json(assessment, graph.resources)
        runbook = build_runbook(ctx, assessment, "region_loss", scan.id)
        data["disruption_rows"] = [
            {"id": key, "title": DISRUPTION_TITLES.get(key, key), "scope": d["scope"],
             "rpo": human(d["rpo_seconds"]) if d["rpo_seconds"] is not None else d["rpo_status"].replace("_", " "),
             "rto": human(d["rto_seconds"]) if d["rto_seconds"] is not None else d["rto_status"].replace("_", " "),
             "rpo_verdict": d["rpo_verdict"], "rto_verdict": d["rto_verdict"], "verdict": d["verdict"],
             "reason": d["rpo_reason"] if d["rpo_verdict"] != "PASS" else d["rto_reason"],
             "assumed": bool(d["figures"]["assumed"]), "measured": bool(d["figures"]["measured"]),
             "rpo_measured": d.get("rpo_basis") == "measured"}
            for key, d in data["disruptions"].items()]
        data["drills"] = drill_rows(ctx, name)
        data["targets_text"] = {"rpo": human(assessment.rpo_target_seconds) if assessment.rpo_target_seconds else "-",
                                "rto": human(assessment.rto_target_seconds) if assessment.rto_target_seconds else "-"}
        data["svg"] = render_svg(ctx, assessment)
        readiness = assessment.checks.get("readiness") or {}
        data["readiness"] = readiness
        data["score_rows"] = [{"disruption": d, "score": p.get("score"), "basis": str(p.get("basis", "")).replace("_", " "),
                               "why": p.get("why", "")} for d, p in (readiness.get("disruptions") or {}).items()]
        data["score_trend_svg"] = trend_svg(_trend(name, scan, score_history, readiness.get("score")),
                                            floor=readiness.get("floor"), title=f"DR readiness score of {name} over time")
        data["runbook"] = runbook.as_dict()
        data["runbook"]["steps"] = [dict(s, expected=human(s["expected_seconds"]) if s["expected_seconds"] is not None else "")
                                    for s in data["runbook"]["steps"]]
        apps.append(data)
    return apps


def drill_rows(ctx, app: str) -> list[dict[str, Any]]:
    """The app's restore drills (drscan drill restore), newest first: backup, its age, phase times, checks."""
    from drscan.dr.database_backups import DRILL_KIND

    scope = ctx.scope(app)
    stores = {s.id for s in list(scope.data_stores) + list(scope.replicas)}
    rows = []
    for drill in ctx.index.kind(DRILL_KIND):
        restored = {r.id for r in ctx.graph.related(drill.id, "restore_of")}
        if drill.attrs.get("app") != app and not restored & stores:
            continue
        a = drill.attrs
        checks = a.get("verification") or []
        rows.append({"id": drill.id, "finished_at": a.get("finished_at"), "status": a.get("status"), "backup": a.get("backup"),
                     "backup_age": human(a.get("backup_age_seconds")), "rto": human(a.get("restore_duration_seconds")),
                     "phases": ", ".join(f"{k} {human(round(v, 1))}" for k, v in (a.get("phases") or {}).items()),
                     "checks": f"{sum(1 for c in checks if c.get('ok'))}/{len(checks)} ok" if checks else "none",
                     "host": a.get("host")})
    return sorted(rows, key=lambda r: str(r["finished_at"]), reverse=True)
