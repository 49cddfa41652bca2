"""Controls page: per framework, every control of the catalogue with its status in each scan of
the chosen audit period, the rules and findings behind it, and the evidence packs built for it
(`--packs DIR`). Statuses use the report's rule (report/coverage.py automated_status) on the
counts stored with each scan's findings; waivers and attestations live outside the database and
are not applied here (an evidence pack applies them)."""

from __future__ import annotations

from datetime import date

from drscan.errors import InputError
from drscan.report.coverage import COUNTED, automated_status, rules_by_control
from drscan.serve import queries
from drscan.serve.packs import list_packs
from drscan.serve.pages import NotFound, Page, View


def _day(view: View, name: str) -> str:
    value = view.text(name, limit=10)
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise InputError(f"parameter {name!r} must be a date (YYYY-MM-DD), got {value!r}") from None
    return value


def page(view: View) -> Page:
    catalogues = view.settings.rules.catalogues
    if not catalogues:
        raise NotFound("no control catalogues are loaded")
    framework = view.text("framework") or sorted(catalogues)[0]
    catalogue = catalogues.get(framework)
    if catalogue is None:
        raise NotFound(f"unknown framework {framework!r} (known: {', '.join(sorted(catalogues))})")
    start, end = _day(view, "from"), _day(view, "to")
    scans = [s for s in queries.list_scans(view.connection)
             if (not start or s["started_at"][:10] >= start) and (not end or s["started_at"][:10] <= end)]
    if not start and not end:
        scans = scans[-view.settings.trend_scans:]
    stored = [queries.control_counts(view.summary(s), framework) for s in scans]
    current = rules_by_control(view.settings.rules, framework)
    controls = []
    for control in catalogue.controls:
        statuses = []
        for per_control in stored:
            entry = per_control.get(control.id)
            if entry is not None:
                statuses.append(automated_status(dict(entry["counts"])))
            elif current.get(control.id):
                statuses.append("not_assessed")  # automated, but nothing in scope
            else:
                statuses.append("manual" if control.manual else "not_covered")
        latest = stored[-1].get(control.id) if stored else None
        rules = sorted(set(current.get(control.id, ())) | (latest["rules"] if latest else set()))
        coverage = "automated" if rules else ("manual" if control.manual else "not_covered")
        failing_scans = sum(1 for s in statuses if s == "fail")
        controls.append({
            "id": control.id, "title": control.title, "theme": control.theme_name, "coverage": coverage,
            "rules": rules, "statuses": statuses, "latest": statuses[-1] if statuses else None,
            "latest_counts": {k: (latest["counts"].get(k, 0) if latest else 0) for k in COUNTED if k != "WAIVED"},
            "failing_scans": failing_scans,
        })
    summary: dict[str, int] = {}
    for control in controls:
        key = control["latest"] or "none"
        summary[key] = summary.get(key, 0) + 1
    packs = [p for p in list_packs(view.settings.packs_dir) if framework in p["frameworks"]] if view.settings.packs_dir else []
    data = {"framework": {"id": framework, "title": catalogue.title, "version": catalogue.version},
            "frameworks": sorted(catalogues), "period": {"from": start or None, "to": end or None},
            "scans": [{"id": s["id"], "started_at": s["started_at"]} for s in scans],
            "summary": summary, "controls": controls, "packs": packs,
            "packs_dir_configured": view.settings.packs_dir is not None}
    return Page("serve/controls.html.j2", f"Controls: {catalogue.title}", data)
