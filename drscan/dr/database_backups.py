"""Measured figures from database backups and restore drills, for the DR engine.

- A backup source (pgBackRest stanza, WAL-G set, Barman server, XtraBackup set, dump set, Veeam
  or Bacula job) that `protects` a data store is a point-in-time copy whose RPO is **measured**:
  the age of its newest restorable point (last archived WAL for PITR, else the newest successful
  backup), recomputed at the assessment's clock.
- A passed restore drill (`drscan.drill.restore`, from `drscan drill restore`) that restored a
  backup of the store gives the **measured** restore time (its phases' total), and counts as a
  restore test of its app (stale after dr.restore_test_max_age_days).
Pure functions of the DrContext; hooked into mechanisms.py, copies.py and assess.py."""

from __future__ import annotations

from datetime import datetime

from drscan.dr.copies import age_seconds, human, parse_time, regional_copy, restore_figures
from drscan.dr.model import Figure, Location, Mechanism, Step
from drscan.dr.scope import AppScope, DrContext
from drscan.graph.backups import SOURCE_KINDS, restorable_point
from drscan.model import Resource

DRILL_KIND = "drscan.drill.restore"


def _location(store: Resource, source: Resource) -> Location:
    region = source.attrs.get("repository_region")
    if region:
        return regional_copy(store.provider, store.account, str(region))
    return Location(store.provider, store.account, "")  # where the repository is: not known


def database_backup_copies(ctx: DrContext, store: Resource) -> list[Mechanism]:
    """One mechanism per backup source that protects this store, with a measured RPO."""
    found = []
    for source in ctx.graph.related(store.id, "protects", "in"):
        if source.kind not in SOURCE_KINDS:
            continue
        protected = ctx.graph.related(source.id, "protects")
        point, basis = restorable_point(source, protected)
        age = age_seconds(point, ctx.as_of(source))  # as of when the backup evidence was captured
        rto, rto_steps, _ = restore_figures(ctx, store)
        tool = source.attrs.get("tool") or source.kind.split(".")[1]
        location = _location(store, source)
        max_age = source.attrs.get("max_age_seconds")
        stopped = bool(age is not None and isinstance(max_age, (int, float)) and age > max_age)
        steps = [Step(source.id, "relation:protects", store.id, f"{tool} backup source {source.name} protects {store.name}"),
                 Step(source.id, "restorable_at", point, f"{basis}: {human(age)} old (measured)" if age is not None else basis),
                 Step(source.id, "repository_region", source.attrs.get("repository_region"),
                      f"repository in {location.describe()}" if location.region else "repository location not known")]
        if stopped:
            steps.append(Step(source.id, "max_age_seconds", max_age, f"older than its maximum age {human(max_age)}: backups have stopped"))
        pitr = bool(source.attrs.get("pitr")) and basis.startswith("last archived WAL")
        found.append(Mechanism(kind="pitr" if pitr else "backup", label=f"{tool} {source.name}", store_id=store.id,
                               location=location, rpo_seconds=age, rto=rto, point_in_time=True,
                               immutable=False, action="database_backup_restore", target_id=source.id,
                               latest_point_age_seconds=age, stopped=stopped, evidence=tuple(steps) + tuple(rto_steps),
                               rpo_reason=f"measured: {basis} {human(age)} old" if age is not None else
                               f"{tool} {source.name}: {basis}", rpo_measured_by=source.id if age is not None else ""))
    return found


def _passed_drills(ctx: DrContext, store: Resource) -> list[Resource]:
    return [d for d in ctx.graph.related(store.id, "restore_of", "in")
            if d.kind == DRILL_KIND and d.attrs.get("status") == "passed"
            and isinstance(d.attrs.get("restore_duration_seconds"), (int, float))]


def measured_drill_restore(ctx: DrContext, store: Resource) -> tuple[Figure, Step] | None:
    """The newest passed drill that restored a backup of this store: its total time is the measured restore."""
    drills = _passed_drills(ctx, store)
    if not drills:
        return None
    drill = max(drills, key=lambda d: str(d.attrs.get("finished_at") or ""))
    seconds = float(drill.attrs["restore_duration_seconds"])
    phases = drill.attrs.get("phases") or {}
    return (Figure(f"restore of {store.name} (measured by drill {drill.id.split(':')[-1]})", seconds, "measured", drill.id),
            Step(drill.id, "restore_duration_seconds", round(seconds, 1),
                 f"drill of {drill.attrs.get('finished_at')}: {drill.attrs.get('backup')} restored and verified in {human(seconds)} ("
                 + ", ".join(f"{k} {human(round(v, 1))}" for k, v in phases.items()) + ")"))


def drill_test_times(ctx: DrContext, scope: AppScope) -> list[tuple[datetime, str]]:
    """When the app's restore drills passed: drills recorded for the app, or of one of its stores."""
    stores = {s.id for s in list(scope.data_stores) + list(scope.replicas)}
    found = []
    for drill in ctx.index.kind(DRILL_KIND):
        if drill.attrs.get("status") != "passed":
            continue
        restored = {r.id for r in ctx.graph.related(drill.id, "restore_of")}
        if drill.attrs.get("app") == scope.name or restored & stores:
            when = parse_time(drill.attrs.get("finished_at"))
            if when is not None:
                found.append((when, drill.id))
    return found
