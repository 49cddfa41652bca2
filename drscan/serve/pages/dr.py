"""DR pages: per app, RPO/RTO per disruption against the targets across scans (from the
`drscan.dr.app` resources every scan stores), detected vs declared strategy, single points of
failure; with `--config drscan.yaml` also the dependency diagram, the runbook and a read-only
`simulate` form, computed by drscan.dr.api on the stored scan (never on the cloud)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from drscan.config import load_config
from drscan.dr import api as dr_api
from drscan.dr.copies import human
from drscan.dr.model import DISRUPTIONS
from drscan.dr.output import simulation_json
from drscan.errors import InputError
from drscan.serve import queries
from drscan.serve.charts import Series, line_chart
from drscan.serve.pages import NotFound, Page, View

HEADINGS = {"zone_loss": "Zone loss", "region_loss": "Region loss", "provider_loss": "Provider loss",
            "data_corruption": "Data corruption", "account_compromise": "Account compromise"}
MAX_FAILURES = 10


def readiness_score(checks: dict[str, Any]) -> Any:
    """The app's DR readiness score (0-100, drscan.dr.score) stored with its assessment; None for
    scans stored by a drscan that did not compute it."""
    readiness = checks.get("readiness")
    return readiness.get("score") if isinstance(readiness, dict) else None


def _app_row(name: str, attrs: dict[str, Any]) -> dict[str, Any]:
    checks = attrs.get("dr") or {}
    return {
        "name": name, "tier": attrs.get("tier"), "owner": attrs.get("owner"),
        "targets": {"rpo_seconds": attrs.get("rpo_seconds"), "rto_seconds": attrs.get("rto_seconds")},
        "declared_strategy": checks.get("declared_strategy"), "detected_strategy": checks.get("detected_strategy"),
        "strategy_matches_declared": checks.get("strategy_matches_declared"),
        "primary_region": checks.get("primary_region"), "recovery_regions": checks.get("recovery_regions") or [],
        "single_points_of_failure": checks.get("single_points_of_failure"), "spof_count": checks.get("spof_count"),
        "disruptions": {d: checks.get(d) or {} for d in DISRUPTIONS},
        "readiness_score": readiness_score(checks),
        "checks": {k: v for k, v in checks.items() if k not in DISRUPTIONS},
    }


def _history(view: View) -> tuple[list[dict[str, Any]], dict[int, dict[str, dict]]]:
    scans = queries.list_scans(view.connection, view.settings.trend_scans)
    return scans, queries.app_assessments(view.connection, [s["id"] for s in scans])


def _met_count(row: dict[str, Any]) -> int:
    return sum(1 for d in DISRUPTIONS if (row["disruptions"][d] or {}).get("verdict") == "PASS")


def page(view: View) -> Page:
    scans, stored = _history(view)
    latest_id = scans[-1]["id"] if scans else None
    apps = [_app_row(name, attrs) for name, attrs in sorted(stored.get(latest_id, {}).items())] if latest_id else []
    names = sorted({name for per_scan in stored.values() for name in per_scan})
    trend = {name: [(_met_count(_app_row(name, stored[s["id"]][name])) if name in stored.get(s["id"], {}) else None)
                    for s in scans] for name in names}
    data = {"scan": scans[-1] if scans else None, "apps": apps, "disruptions": list(DISRUPTIONS),
            "within_targets_trend": {"scans": [s["id"] for s in scans], "apps": trend},
            "config": str(view.settings.config_path) if view.settings.config_path else None}
    chart = line_chart("Disruptions within targets per app across scans", [f"#{s['id']}" for s in scans],
                       [Series(name, tuple(values)) for name, values in trend.items()])
    return Page("serve/dr.html.j2", "DR readiness", data, {"chart": chart, "headings": HEADINGS, "human": human})


def _loaded(view: View, scan: dict[str, Any]) -> dr_api.Loaded:
    path = view.settings.config_path
    if path is None:
        raise NotFound("start drscan serve with --config drscan.yaml to see diagrams, runbooks and simulations")
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    config = view.settings.memo.get(("config", str(path), stamp), lambda: load_config(path))
    if not config.apps:
        raise InputError(f"{path}: no apps declared")

    def build() -> dr_api.Loaded:
        graph, info = dr_api.read_graph(view.connection, config, scan["id"], str(view.settings.db.path))
        return dr_api.loaded_from(config, graph, info)

    return view.settings.dr_memo.get(("dr", scan["id"], scan["started_at"], str(path), stamp), build)


def app_page(view: View) -> Page:
    name = view.text("name")
    scans, stored = _history(view)
    history = [(s, stored[s["id"]][name]) for s in scans if name in stored.get(s["id"], {})]
    if not history:
        raise NotFound(f"no DR assessment of an app called {name!r} in the last {len(scans)} scans")
    scan = view.scan()
    current = next((attrs for s, attrs in history if s["id"] == scan["id"]), None)
    if current is None:
        raise NotFound(f"app {name!r} was not assessed in scan {scan['id']}")
    row = _app_row(name, current)
    series: dict[str, dict[str, list]] = {}
    for disruption in DISRUPTIONS:
        series[disruption] = {key: [(_app_row(name, attrs)["disruptions"][disruption] or {}).get(key) for _, attrs in history]
                              for key in ("rpo_seconds", "rto_seconds", "verdict")}
    disruption = view.choice("disruption", DISRUPTIONS, "region_loss") or "region_loss"
    extras: dict[str, Any] = {"headings": HEADINGS, "human": human}
    runbook = diagram = None
    detail_error = None
    if view.settings.config_path is not None:
        try:
            loaded = _loaded(view, scan)
            if loaded.config.app(name) is None:
                raise InputError(f"{view.settings.config_path}: no app called {name!r}")
            runbook = dr_api.runbook_of(loaded, name, disruption).as_dict()
            diagram = dr_api.diagram_of(loaded, name)
        except InputError as exc:
            detail_error = str(exc)
    labels = [f"#{s['id']}" for s, _ in history]
    charts = {}
    for key, unit in (("rpo_seconds", "RPO"), ("rto_seconds", "RTO")):
        target = row["targets"][key]
        values = [Series(HEADINGS[d], tuple(None if v is None else round(v / 60, 1) for v in series[d][key])) for d in DISRUPTIONS]
        if target is not None:
            values.append(Series("target", tuple(round(target / 60, 1) for _ in history), "#13233a"))
        charts[key] = line_chart(f"{unit} (minutes) per disruption across scans", labels, values, " min")
    extras["charts"] = charts
    extras["diagram"] = Markup(diagram) if diagram else None  # drscan.dr.diagram escapes every label
    data = {"scan": scan, "app": row, "disruption": disruption,
            "history": {"scans": [s["id"] for s, _ in history], "started_at": [s["started_at"] for s, _ in history],
                        "disruptions": series},
            "runbook": runbook, "has_diagram": diagram is not None, "detail_error": detail_error,
            "config": str(view.settings.config_path) if view.settings.config_path else None}
    return Page("serve/dr_app.html.j2", f"DR: {name}", data, extras)


def simulate_page(view: View) -> Page:
    scan = view.scan()
    failures = [f.strip() for f in view.multi.get("fail", []) if f.strip()][:MAX_FAILURES]
    result = None
    error = None
    if failures:
        try:
            dr_api.parse_failures(failures)
            loaded = _loaded(view, scan)
            outcome = dr_api.simulate_on(loaded, failures)
            result = simulation_json(loaded.scan, outcome, 1 if outcome.missed_targets else 0)
        except InputError as exc:
            error = str(exc)
    data = {"scan": scan, "failures": failures, "result": result, "error": error,
            "config": str(view.settings.config_path) if view.settings.config_path else None}
    return Page("serve/dr_simulate.html.j2", "DR: simulate a failure", data, {"human": human},
                status_code=400 if error else 200)
