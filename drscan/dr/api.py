"""What `drscan dr` and Python callers use: load drscan.yaml and a stored scan, rebuild the
dependency graph, and run the pure DR functions (status, simulate, runbook, diagram)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import orjson

from drscan.config import EARLIEST_DATE, LATEST_DATE, App, Config, load_config
from drscan.dr.assess import DR_APP_KIND, assess_apps, new_context, prepare
from drscan.dr.diagram import render_svg
from drscan.dr.model import DISRUPTIONS, AppAssessment
from drscan.dr.runbook import Runbook, build_runbook
from drscan.dr.scope import DrContext, select_member_ids, tag_index
from drscan.dr.simulate import SimulationResult, parse_failure, simulate as run_simulation
from drscan.errors import InputError, StoreError
from drscan.graph.build import ResourceGraph, app_node_id
from drscan.model import DATA_TIME_BASIS, Gap, Relation, Resource
from drscan.store.db import describe, reading


@dataclass(frozen=True)
class ScanInfo:
    id: int
    started_at: str
    as_of: str
    resource_count: int
    per_resource_time: bool = False  # the scan measured ages as of each resource's capture time


@dataclass
class Loaded:
    config: Config
    graph: ResourceGraph
    scan: ScanInfo
    context: DrContext


@dataclass
class StatusReport:
    scan: ScanInfo
    config: Config
    context: DrContext
    assessments: dict[str, AppAssessment]

    @property
    def missed_targets(self) -> bool:
        return any(a.verdict == "FAIL" for a in self.assessments.values())


def _parse_moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--as-of: not an ISO 8601 date/time: {text!r}") from None
    if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
        raise InputError(f"--as-of: {text!r} is outside {EARLIEST_DATE.year}-{LATEST_DATE.year}")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def load_graph(db_path: Path, config: Config, scan_id: int | None = None) -> tuple[ResourceGraph, ScanInfo]:
    """The chosen (default: latest) stored scan as a ResourceGraph, app membership recomputed from
    `config` (the scan may have been taken with another drscan.yaml)."""
    with reading(db_path) as db:
        return read_graph(db.conn, config, scan_id, str(db_path))


def read_graph(conn: sqlite3.Connection, config: Config, scan_id: int | None, where: str) -> tuple[ResourceGraph, ScanInfo]:
    """load_graph on an open connection (`drscan serve` passes its read-only one); `where` names
    the database in messages. A damaged file is a StoreError naming the cause."""
    try:
        chosen = scan_id
        if chosen is None:
            chosen = conn.execute("select max(id) from scans").fetchone()[0]
        if chosen is None:
            raise InputError(f"{where}: no scans yet (run drscan scan --db {where} first)")
        row = conn.execute("select id, started_at, scope, resource_count from scans where id = ?", [chosen]).fetchone()
        if row is None:
            raise InputError(f"--scan {chosen}: no such scan in {where}")
        resources = _resources(conn, chosen)
        relations = tuple(Relation(r[0], r[1], r[2]) for r in conn.execute(
            "select source, target, type from relations where scan_id = ? and type != 'member_of_app'", [chosen]))
        gaps = tuple(Gap(provider=g[0], account=g[1], region=g[2], service=g[3], operation=g[4], code=g[5], message=g[6],
                         resource_id=g[7]) for g in conn.execute(
            "select provider, account, region, service, operation, code, message, resource_id from gaps where scan_id = ?",
            [chosen]))
        scan_id_, started_at, scope_text, resource_count = row
        scope = orjson.loads(scope_text or "{}")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{where}: cannot read scan: {describe(exc)}") from None
    except orjson.JSONDecodeError:
        raise StoreError(f"{where}: cannot read scan: a stored value is not valid JSON (the file is damaged)") from None
    return graph_of_scan(resources, relations, gaps, config.apps), ScanInfo(
        id=scan_id_, started_at=started_at, as_of=scope.get("as_of") or started_at, resource_count=resource_count,
        per_resource_time=scope.get("as_of_basis") == DATA_TIME_BASIS)


class LazyAttrs(Mapping):
    """A resource's stored attributes, decoded from JSON on first use: an assessment reads the
    attributes of a small part of a large estate, and decoding all of them is most of the load time."""

    __slots__ = ("_text", "_data")

    def __init__(self, text: str):
        self._text, self._data = text, None

    def _decoded(self) -> dict:
        if self._data is None:
            self._data = orjson.loads(self._text)
        return self._data

    def __getitem__(self, key):
        return self._decoded()[key]

    def get(self, key, default=None):
        return self._decoded().get(key, default)

    def __iter__(self):
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return repr(self._decoded())


def _resources(conn: sqlite3.Connection, scan_id: int) -> list[Resource]:
    """The scan's resources, read with plain tuples (sqlite-utils' dict rows cost seconds at 100k)."""
    loads = orjson.loads
    rows = conn.execute("select kind, id, name, provider, account, region, zones, attrs, tags, source, observed_at "
                        "from resources where scan_id = ? and kind != ?", [scan_id, DR_APP_KIND])
    return [Resource(kind=k, id=i, name=n, provider=p, account=a, region=r, zones=tuple(loads(z)), attrs=LazyAttrs(at),
                     tags=loads(t), source=src or "", observed_at=o or "") for k, i, n, p, a, r, z, at, t, src, o in rows]


def graph_of_scan(resources: list[Resource], relations: tuple[Relation, ...], gaps: tuple[Gap, ...],
                  apps: tuple[App, ...]) -> ResourceGraph:
    """A stored scan's relations are the graph's already (references resolved, backup selections
    expanded), so only app membership is derived here, from a tag index (not apps x resources)."""
    by_id = {r.id: r for r in resources}
    index = tag_index(resources)
    membership: list[Relation] = []
    apps_of: dict[str, list[str]] = {}
    for app in apps:
        node = app_node_id(app.name)
        for member in select_member_ids(by_id, app, index, relations):
            membership.append(Relation(member, node, "member_of_app"))
            apps_of.setdefault(member, []).append(app.name)
    return ResourceGraph(resources=by_id, relations=list(relations) + membership, gaps=list(gaps),
                         apps_of={k: tuple(v) for k, v in apps_of.items()}, app_nodes=tuple(app_node_id(a.name) for a in apps))



def load(config_path: Path, db_path: Path, scan_id: int | None = None, as_of: str | None = None) -> Loaded:
    config = load_config(config_path)
    if not config.apps:
        raise InputError(f"{config_path}: no apps declared; `drscan dr` assesses the apps of drscan.yaml")
    graph, scan = load_graph(db_path, config, scan_id)
    return loaded_from(config, graph, scan, as_of)


def loaded_from(config: Config, graph: ResourceGraph, scan: ScanInfo, as_of: str | None = None) -> Loaded:
    # Ages (recovery points, drills) are measured as of the scan (each recovery point as of when
    # it was captured, when the scan was), unless --as-of fixes one moment.
    now = _parse_moment(as_of) or _parse_moment(scan.as_of) or datetime.now(timezone.utc)
    return Loaded(config, graph, scan, new_context(graph, config, now, per_resource_time=as_of is None and scan.per_resource_time))


def status(config_path: Path, db_path: Path, scan_id: int | None = None, as_of: str | None = None,
           apps: list[str] | None = None) -> StatusReport:
    return status_of(load(config_path, db_path, scan_id, as_of), apps)


def status_of(loaded: Loaded, apps: list[str] | None = None) -> StatusReport:
    for name in apps or ():
        if loaded.config.app(name) is None:
            raise InputError(f"unknown app {name!r} (known: {', '.join(a.name for a in loaded.config.apps)})")
    return StatusReport(loaded.scan, loaded.config, loaded.context, assess_apps(loaded.context, apps))


@dataclass
class ScoreReport:
    scan: ScanInfo
    as_of: datetime
    scores: dict  # app -> drscan.dr.score.ReadinessScore
    trend: list  # [{scan_id, started_at, apps: {app: score}}], oldest first


def scores(config_path: Path, db_path: Path, scan_id: int | None = None, as_of: str | None = None,
           apps: list[str] | None = None) -> ScoreReport:
    """The readiness score of each app (recomputed from the stored scan and the current drills
    file), with the scores stored by earlier scans."""
    from drscan.store.scores import recent_trend

    report = status(config_path, db_path, scan_id, as_of, apps=apps)
    with reading(db_path) as db:  # read only: an older file without scores has no trend
        trend = recent_trend(db) if db["dr_scores"].exists() else []
    return ScoreReport(report.scan, report.context.now, {n: a.readiness for n, a in report.assessments.items()}, trend)


def simulate(config_path: Path, db_path: Path, failures: list[str], scan_id: int | None = None,
             as_of: str | None = None) -> tuple[ScanInfo, SimulationResult]:
    parse_failures(failures)
    loaded = load(config_path, db_path, scan_id, as_of)
    return loaded.scan, simulate_on(loaded, failures)


def parse_failures(failures: list[str]) -> tuple:
    if not failures:
        raise InputError("dr simulate needs at least one --fail (zone:, region:, provider:, account:, resource:, kms:, service:)")
    return tuple(parse_failure(f) for f in failures)


def simulate_on(loaded: Loaded, failures: list[str]) -> SimulationResult:
    parsed = parse_failures(failures)
    ctx = loaded.context
    names = [a.name for a in ctx.config.apps] + [s.name for s in ctx.config.shared_services]
    return run_simulation(ctx, parsed, {name: prepare(ctx, name) for name in names})


def runbook(config_path: Path, db_path: Path, app: str, disruption: str = "region_loss", scan_id: int | None = None,
            as_of: str | None = None) -> Runbook:
    check_disruption(disruption)
    return runbook_of(load(config_path, db_path, scan_id, as_of), app, disruption)


def check_disruption(disruption: str) -> None:
    if disruption not in DISRUPTIONS:
        raise InputError(f"--disruption must be one of {', '.join(DISRUPTIONS)}, got {disruption!r}")


def runbook_of(loaded: Loaded, app: str, disruption: str = "region_loss") -> Runbook:
    check_disruption(disruption)
    report = status_of(loaded, apps=[app])
    return build_runbook(report.context, report.assessments[app], disruption, report.scan.id)


def diagram(config_path: Path, db_path: Path, app: str, scan_id: int | None = None, as_of: str | None = None,
            failures: list[str] | None = None) -> str:
    return diagram_of(load(config_path, db_path, scan_id, as_of), app, failures)


def diagram_of(loaded: Loaded, app: str, failures: list[str] | None = None) -> str:
    report = status_of(loaded, apps=[app])
    failed = set(simulate_on(loaded, failures).failed_ids) if failures else set()
    return render_svg(report.context, report.assessments[app], failed=failed)
