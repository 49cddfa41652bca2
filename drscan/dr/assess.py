"""Per-application DR assessment (strategy, per-disruption RPO/RTO and verdicts, readiness
checks, single points of failure) and the `drscan.dr.app` resources that carry it into the
rule engine: app_resources(graph, config, now)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drscan.config import Config
from drscan.dr.assumptions import load_assumptions
from drscan.dr.copies import RESTORE_JOB_KINDS, parse_time
from drscan.dr.database_backups import DRILL_KIND, drill_test_times
from drscan.dr.estimate import Scenario, covers, estimate_disruption
from drscan.dr.mechanisms import mechanisms_for
from drscan.dr.model import DISRUPTIONS, FAIL, PASS, AppAssessment, Mechanism
from drscan.dr.observed import with_observed_figures, with_observed_lag
from drscan.dr.readiness import readiness_checks_extra
from drscan.dr.scope import AppScope, DrContext
from drscan.dr.simulate import single_points_of_failure
from drscan.dr.strategy import detect_strategy
from drscan.dr.traffic import dns_failover_ok, entrypoints_monitored
from drscan.graph.build import ResourceGraph, app_node_id
from drscan.model import Resource

# Rule kinds must be provider.service.type (engine/schema.py), so the app resource is drscan.dr.app.
DR_APP_KIND = "drscan.dr.app"
MAX_SPOFS = 25
CRITICAL_TIER = 1  # tiers 0 and 1 get single-point-of-failure analysis


def new_context(graph: ResourceGraph, config: Config, now: datetime, per_resource_time: bool = False) -> DrContext:
    return DrContext(graph=graph, config=config, assumptions=load_assumptions(config.dr.assumptions), now=now,
                     per_resource_time=per_resource_time)


def _all(values: list[bool | None]) -> bool | None:
    """Kleene AND: False if any False, None if any unknown, True otherwise (None for no values)."""
    if not values:
        return None
    if False in values:
        return False
    if None in values:
        return None
    return True


def _met(verdict: str) -> bool | None:
    return True if verdict == PASS else False if verdict == FAIL else None


def _store_checks(store: Resource, found: tuple[Mechanism, ...]) -> dict[str, bool | None]:
    pit = [m for m in found if m.point_in_time]
    backed = True if any(m.rpo_seconds is not None for m in pit) else None if pit else False
    region = [covers(m, store, Scenario("region_loss", region=store.region)) for m in found]
    cross_region = True if True in region else None if None in region else False
    accounts = [None if not m.location.account else m.location.account != store.account for m in pit]
    cross_account = True if True in accounts else None if None in accounts else False
    immutable = True if any(m.immutable for m in pit) else False
    return {"backed": backed, "cross_region": cross_region, "cross_account": cross_account, "immutable": immutable}


def _interval(found: tuple[Mechanism, ...]) -> tuple[float | None, bool]:
    """(shortest schedule interval of the store's point-in-time copies, whether it has any)."""
    pit = [m for m in found if m.point_in_time]
    values = [m.interval_seconds if m.kind in ("backup", "snapshot") else m.rpo_seconds for m in pit]
    values = [v for v in values if v is not None]
    return (min(values) if values else None), bool(pit)


def _within(intervals: list[tuple[float | None, bool]], target: int | None) -> bool | None:
    """Every data store has a point-in-time copy at least as often as the RPO target."""
    if target is None or not intervals:
        return None
    verdicts = [False if not protected else None if value is None else value <= target for value, protected in intervals]
    return _all(verdicts)


def readiness_checks(ctx: DrContext, scope: AppScope, mechanisms: dict[str, tuple[Mechanism, ...]],
                     assessment_parts: dict[str, Any]) -> dict[str, Any]:
    app = scope.app
    settings = ctx.config.dr
    strategy = assessment_parts["strategy"]
    estimates = assessment_parts["estimates"]
    per_store = {s.id: _store_checks(s, mechanisms.get(s.id, ())) for s in scope.data_stores}
    stores = list(scope.data_stores)
    intervals = [_interval(mechanisms.get(s.id, ())) for s in stores]
    known_intervals = [i for i, _ in intervals if i is not None]
    interval_max = max(known_intervals) if known_intervals else None
    ages, fresh = [], []
    for store in stores:
        scheduled = [m for m in mechanisms.get(store.id, ()) if m.latest_point_age_seconds is not None]
        if scheduled:
            ages.append(min(m.latest_point_age_seconds for m in scheduled))
            fresh.append(any(not m.stopped for m in scheduled))
    rpo_target, rto_target = (app.rpo_seconds, app.rto_seconds) if app else (None, None)
    restore_age, restore_source = _restore_test_age(ctx, scope)
    tested: bool | None
    if restore_age is not None:
        tested = restore_age <= settings.restore_test_max_age_days
    elif ctx.index.kind("aws.backup.restore_job") or ctx.index.kind("k8s.velero.restore") or settings.drills_path is not None \
            or ctx.index.kind(DRILL_KIND):
        tested = False
    else:
        tested = None
    corruption = estimates["data_corruption"]
    restore_seconds, measured = None, None
    if corruption.stores and all(s.rto is not None for s in corruption.stores if s.affected):
        restore_seconds = max((sum(f.seconds for f in s.rto) for s in corruption.stores if s.rto is not None), default=None)
        measured = all(f.basis == "measured" for s in corruption.stores if s.rto for f in s.rto)
    dns_ok, dns_reason, _ = dns_failover_ok(ctx, scope)
    monitored, monitored_reason, _ = entrypoints_monitored(ctx, scope)
    drills = sorted((d for d in settings.drills if d.app == scope.name), key=lambda d: d.date)
    drill_age = (ctx.now.date() - drills[-1].date).days if drills else None
    drill_ok = None if settings.drills_path is None else (drill_age is not None and drill_age <= settings.drill_max_age_days)
    checks: dict[str, Any] = {
        "declared_strategy": strategy.declared, "detected_strategy": strategy.detected,
        "strategy_matches_declared": strategy.matches, "primary_region": scope.primary_region or None,
        "recovery_regions": list(strategy.recovery_regions), "multi_cloud": len({r.provider for r in stores + list(scope.compute)}) >= 2,
        "member_count": len(scope.members), "data_store_count": len(stores),
        "backup_covers_all_data_stores": _all([c["backed"] for c in per_store.values()]),
        "backup_interval_seconds_max": interval_max,
        "backup_interval_within_rpo": _within(intervals, rpo_target),
        "latest_recovery_point_age_seconds": max(ages) if ages else None,
        "recovery_points_fresh": _all(fresh) if fresh else None,
        "cross_region_copy": _all([c["cross_region"] for c in per_store.values()]),
        "cross_account_copy": _all([c["cross_account"] for c in per_store.values()]),
        "immutable_copy": _all([c["immutable"] for c in per_store.values()]),
        "restore_test_age_days": restore_age, "restore_test_source": restore_source,
        "restore_tested_within_days": tested, "restore_test_max_age_days": settings.restore_test_max_age_days,
        "restore_time_seconds": restore_seconds, "restore_time_measured": measured,
        "restore_time_within_rto": None if restore_seconds is None or rto_target is None else restore_seconds <= rto_target,
        "dns_failover_ok": dns_ok, "dns_failover_reason": dns_reason,
        "entrypoints_monitored": monitored, "entrypoints_monitored_reason": monitored_reason,
        "drill_recorded_within_period": drill_ok, "drill_age_days": drill_age,
        "drill_measured_rto_seconds": drills[-1].measured_rto_seconds if drills else None,
        "drill_max_age_days": settings.drill_max_age_days,
    }
    for disruption, estimate in estimates.items():
        checks[disruption] = {
            "rpo_seconds": estimate.rpo_seconds, "rpo_status": estimate.rpo_status, "rto_seconds": estimate.rto_seconds,
            "rto_status": estimate.rto_status, "rpo_met": _met(estimate.rpo_verdict), "rto_met": _met(estimate.rto_verdict),
            "targets_met": _met(estimate.verdict), "verdict": estimate.verdict,
        }
    return checks


def _restore_test_age(ctx: DrContext, scope: AppScope) -> tuple[float | None, str | None]:
    latest, source, measured_at = None, None, ctx.now
    for store in list(scope.data_stores) + list(scope.replicas):
        for job in ctx.graph.related(store.id, "restore_of", "in"):
            if job.kind not in RESTORE_JOB_KINDS or str(job.attrs.get("status") or "").upper() != "COMPLETED":
                continue
            when = parse_time(job.attrs.get("completed_at") or job.attrs.get("created_at"))
            if when and (latest is None or when > latest):
                latest, source, measured_at = when, job.id, ctx.as_of(job)
    for when, drill_id in drill_test_times(ctx, scope):  # drscan drill restore records
        if latest is None or when > latest:
            latest, source, measured_at = when, drill_id, ctx.now
    for drill in ctx.config.dr.drills:
        if drill.app == scope.name and drill.type == "drill":
            when = datetime(drill.date.year, drill.date.month, drill.date.day, tzinfo=ctx.now.tzinfo)
            if latest is None or when > latest:
                latest, source, measured_at = when, drill.source, ctx.now
    if latest is None:
        return None, None
    return round(max(0.0, (measured_at - latest).total_seconds()) / 86400, 1), source


def prepare(ctx: DrContext, name: str) -> tuple[dict[str, tuple[Mechanism, ...]], Any]:
    scope = ctx.scope(name)
    mechanisms = with_observed_lag(ctx, scope, {s.id: mechanisms_for(ctx, s) for s in scope.data_stores})
    return mechanisms, detect_strategy(ctx, scope, mechanisms)


def needed(ctx: DrContext, names: list[str] | None) -> list[str]:
    """The apps asked for and everything they depend on, transitively (all apps and services by default)."""
    everything = [a.name for a in ctx.config.apps] + [s.name for s in ctx.config.shared_services]
    if names is None:
        return everything
    wanted: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in wanted:
            continue
        wanted.add(name)
        app = ctx.config.app(name)
        stack.extend(app.depends_on if app else ())
    return [n for n in everything if n in wanted]


def assess_apps(ctx: DrContext, names: list[str] | None = None, spof: bool = True) -> dict[str, AppAssessment]:
    """Assess the named apps (default: all in the configuration)."""
    from drscan.drtests.adapters import gather_tests
    from drscan.monitoring.assess import detection_figures, monitoring_checks, monitoring_index

    prepared = {n: prepare(ctx, n) for n in needed(ctx, names)}
    assessed = dict(prepared)
    tests = gather_tests(ctx.graph, ctx.config, ctx.index.kind)
    monitored = monitoring_index(ctx)
    results = {}
    for app in ctx.config.apps:
        if names is not None and app.name not in names:
            continue
        scope = ctx.scope(app.name)
        mechanisms, strategy = prepared[app.name]
        monitoring = monitoring_checks(ctx, scope, mechanisms, monitored)
        detection = detection_figures(monitoring)
        estimates = {d: with_observed_figures(estimate_disruption(ctx, scope, mechanisms, strategy, d), detection)
                     for d in DISRUPTIONS}
        checks = readiness_checks(ctx, scope, mechanisms, {"strategy": strategy, "estimates": estimates})
        checks["monitoring"] = monitoring
        readiness = readiness_checks_extra(ctx, app, estimates, checks, tests)
        checks.update(readiness.checks)
        spofs: tuple[str, ...] = ()
        if spof and app.tier is not None and app.tier <= CRITICAL_TIER:
            spofs = tuple(r for r, _ in single_points_of_failure(ctx, app.name, assessed))
            checks["single_points_of_failure"] = list(spofs[:MAX_SPOFS])
            checks["spof_count"] = len(spofs)
        else:
            checks["single_points_of_failure"], checks["spof_count"] = None, None
        notes = tuple(f"entrypoint {e!r} matches no resource or DNS name in the scan" for e in scope.unresolved_entrypoints)
        results[app.name] = AppAssessment(
            name=app.name, tier=app.tier, owner=app.owner, contacts=app.contacts, rpo_target_seconds=app.rpo_seconds,
            rto_target_seconds=app.rto_seconds, member_count=len(scope.members), providers=scope.providers,
            strategy=strategy, estimates=estimates, checks=checks, single_points_of_failure=spofs,
            data_store_ids=tuple(s.id for s in scope.data_stores), mechanisms=mechanisms, notes=notes,
            readiness=readiness.score)
    return results


def app_resource(assessment: AppAssessment) -> Resource:
    return Resource(kind=DR_APP_KIND, id=app_node_id(assessment.name), name=assessment.name, provider="drscan", account="",
                    region=assessment.strategy.primary_region or "",
                    attrs={"tier": assessment.tier, "owner": assessment.owner, "rpo_seconds": assessment.rpo_target_seconds,
                           "rto_seconds": assessment.rto_target_seconds, "dr": assessment.checks},
                    source="drscan:dr-assessment")


def unassessed_app_resource(app: Any) -> Resource:
    """An app with no members: nothing to assess, so its `dr` checks are absent and every DR rule
    is NOT_ASSESSED (the graph stage's AppHasNoMembers gap says why)."""
    return Resource(kind=DR_APP_KIND, id=app_node_id(app.name), name=app.name, provider="drscan", account="",
                    region=app.primary_region or "",
                    attrs={"tier": app.tier, "owner": app.owner, "rpo_seconds": app.rpo_seconds,
                           "rto_seconds": app.rto_seconds, "dr": {"member_count": 0}},
                    source="drscan:dr-assessment")


def app_resources(graph: ResourceGraph, config: Config, now: datetime, per_resource_time: bool = False) -> list[Resource]:
    """One `drscan.dr.app` resource per configured app, its attributes the DR assessment (pure)."""
    if not config.apps:
        return []
    empty = {a.name for a in config.apps if not graph.related(app_node_id(a.name), "member_of_app", "in")}
    ctx = new_context(graph, config, now, per_resource_time)
    assessed = assess_apps(ctx)
    return [unassessed_app_resource(app) if app.name in empty else app_resource(assessed[app.name])
            for app in config.apps]
