"""DR stage for Kubernetes (pure): facts that need the apps' targets or the scan's clock, derived
onto the Velero schedules, workloads and PVCs so that the `k8s-*` rules stay simple comparisons.
Per schedule: the apps whose namespaces it backs up and their strictest RPO and tier, the last
Completed backup and its age (the measured RPO), whether the schedule still produces backups, the
latest Completed restore of its backups (its duration is a measured RTO), and the effective TTL
against backup_defaults.min_retention_days. Per workload and PVC: the tier of its app."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Iterable

from drscan.config import Config
from drscan.dr.assumptions import load_assumptions
from drscan.dr.copies import parse_time
from drscan.graph.build import ResourceGraph
from drscan.graph.kubernetes import BACKUP, PVC, RESTORE, SCHEDULE, blind_spots
from drscan.model import Gap, Resource, data_time
from drscan.normalize.kubernetes import WORKLOAD_KINDS

COMPLETED = "Completed"


def _namespace_apps(graph: ResourceGraph, namespace_id: str) -> set[str]:
    """Apps that own a namespace or anything in it."""
    apps = set(graph.apps_of.get(namespace_id, ()))
    for item in graph.related(namespace_id, "in_namespace", "in"):
        apps.update(graph.apps_of.get(item.id, ()))
    return apps


def _age(now: datetime, value: Any) -> float | None:
    moment = parse_time(value)
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def latest(items: Iterable[Resource], phase: str = COMPLETED) -> Resource | None:
    done = [i for i in items if i.attrs.get("phase") == phase and parse_time(i.attrs.get("completed_at"))]
    return max(done, key=lambda i: parse_time(i.attrs["completed_at"])) if done else None


def schedule_restores(graph: ResourceGraph, schedule: Resource, by_schedule: dict[tuple, list[Resource]]) -> list[Resource]:
    """Restores of this schedule's backups (by the backup, or by schedule name for expired backups)."""
    found = {r.id: r for b in graph.related(schedule.id, "created_by", "in") for r in graph.related(b.id, "restore_from", "in")}
    for restore in by_schedule.get((schedule.account, schedule.attrs.get("namespace"), schedule.attrs.get("name")), ()):
        found[restore.id] = restore
    return list(found.values())


def schedule_facts(graph: ResourceGraph, schedule: Resource, config: Config, now: datetime, blind: set[str],
                   grace: float, restores_by_schedule: dict[tuple, list[Resource]]) -> dict[str, Any]:
    attrs = dict(schedule.attrs)
    apps = sorted({a for ns in graph.related(schedule.id, "selects") for a in _namespace_apps(graph, ns.id)})
    targets = [config.app(a) for a in apps]
    rpos = [a.rpo_seconds for a in targets if a is not None and a.rpo_seconds is not None]
    tiers = [a.tier for a in targets if a is not None and a.tier is not None]
    rpo = min(rpos) if rpos else None
    interval = attrs.get("interval_seconds")
    backups = graph.related(schedule.id, "created_by", "in")
    last = latest(backups)
    age = _age(now, last.attrs.get("completed_at")) if last else None
    backups_visible = BACKUP not in blind
    attrs.update(app_names=apps, app_rpo_seconds=rpo, app_tier=min(tiers) if tiers else None,
                 interval_within_rpo=None if interval is None or rpo is None else interval <= rpo,
                 last_completed_backup_id=last.id if last else None,
                 last_completed_backup_at=last.attrs.get("completed_at") if last else None,
                 measured_rpo_seconds=age)
    if age is not None:
        within, fresh = (None if rpo is None else age <= rpo), (None if interval is None else age <= interval + grace)
    elif not backups_visible:
        within = fresh = None
    else:
        created_age = _age(now, attrs.get("created_at"))
        within = None if rpo is None else False  # never a Completed backup: the RPO is unbounded
        young = created_age is not None and interval is not None and created_age <= interval + grace
        fresh = None if interval is None or young else False
    attrs.update(last_backup_within_rpo=within, producing_backups=fresh)
    restores = schedule_restores(graph, schedule, restores_by_schedule)
    drill = latest(restores)
    max_age = config.dr.restore_test_max_age_days
    if drill is not None:
        days = round(_age(now, drill.attrs["completed_at"]) / 86400, 1)
        attrs.update(last_restore_id=drill.id, restore_test_age_days=days, restore_tested_within_days=days <= max_age,
                     measured_rto_seconds=drill.attrs.get("duration_seconds"))
    else:
        attrs.update(last_restore_id=None, restore_test_age_days=None, measured_rto_seconds=None,
                     restore_tested_within_days=None if RESTORE in blind else False)
    attrs["restore_test_max_age_days"] = max_age
    ttl = attrs.get("ttl_seconds")
    if not ttl:  # zero: the server default, which each backup it made records (backup_controller.go)
        made = [b.attrs.get("ttl_seconds") for b in sorted(backups, key=lambda b: str(b.attrs.get("created_at"))) if b.attrs.get("ttl_seconds")]
        ttl = made[-1] if made else None
    required = config.backup_defaults.min_retention_days
    attrs.update(effective_ttl_seconds=ttl, required_retention_days=required,
                 ttl_meets_retention=None if ttl is None else ttl >= required * 86400)
    return attrs


def kubernetes_facts(graph: ResourceGraph, config: Config, now: datetime, gaps: Iterable[Gap] = (),
                     per_resource_time: bool = False) -> list[Resource]:
    """Updated Velero schedules, workloads and PVCs (same ids), to put back into the graph. Backup
    and restore ages are measured as of `now`, or, with per_resource_time, as of when the
    schedule's export was captured (kubectl output carries no time: its file's name or mtime)."""
    subjects = [r for r in graph.resources.values() if r.kind in (SCHEDULE, PVC) or r.kind in WORKLOAD_KINDS]
    if not subjects:
        return []
    restores: dict[tuple, list[Resource]] = {}
    for restore in graph.resources.values():
        if restore.kind == RESTORE and restore.attrs.get("schedule"):
            key = (restore.account, restore.attrs.get("namespace"), restore.attrs.get("schedule"))
            restores.setdefault(key, []).append(restore)
    blind = blind_spots(gaps)
    grace = load_assumptions(config.dr.assumptions).get("schedule_grace_seconds")
    tier_of = {a.name: a.tier for a in config.apps if a.tier is not None}
    updated = []
    for resource in subjects:
        if resource.kind == SCHEDULE:
            kinds = {kind for cluster, kind in blind if cluster in (resource.account, "")}
            moment = data_time(resource, now) if per_resource_time else now
            attrs = schedule_facts(graph, resource, config, moment, kinds, grace, restores)
        else:
            tiers = [tier_of[a] for a in graph.apps_of.get(resource.id, ()) if a in tier_of]
            attrs = {**resource.attrs, "app_tier": min(tiers) if tiers else None}
        updated.append(replace(resource, attrs=attrs))
    return updated
