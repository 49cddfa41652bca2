"""DR strategy detection: what runs in the recovery region(s) decides between backup & restore,
pilot light, warm standby and active-active (AWS DR whitepaper terms), compared with the
strategy the app declares."""

from __future__ import annotations


from drscan.dr.model import Mechanism, Step, StrategyResult
from drscan.dr.scope import BLOCK_KINDS, GLOBAL_REGIONS, AppScope, DrContext
from drscan.dr.traffic import routing_pattern

LIVE = ("async_replica", "sync_replication")


def _is_region(name: str) -> bool:
    """'us-west-2', 'europe-west1', 'northeurope' yes; 'paired region of x', 'us' (multi-region) no."""
    return bool(name) and " " not in name and name not in GLOBAL_REGIONS and len(name) > 3


def recovery_regions(scope: AppScope, mechanisms: dict[str, tuple[Mechanism, ...]]) -> tuple[tuple[str, ...], Step]:
    app = scope.app
    if app is not None and app.recovery_regions:
        return app.recovery_regions, Step(f"app:{scope.name}", "recovery_regions", list(app.recovery_regions),
                                          "declared in drscan.yaml")
    regions = sorted({m.location.region for store in scope.data_stores if store.region == scope.primary_region
                      for m in mechanisms.get(store.id, ()) if _is_region(m.location.region)
                      and m.location.region != scope.primary_region})
    return tuple(regions), Step(f"app:{scope.name}", "recovery_regions", regions,
                                "detected: regions holding replicas or copies of the primary region's data"
                                if regions else "no replica or copy of the primary region's data in another region")


def detect_strategy(ctx: DrContext, scope: AppScope, mechanisms: dict[str, tuple[Mechanism, ...]]) -> StrategyResult:
    primary = scope.primary_region
    declared = scope.app.strategy if scope.app else None
    recovery, step = recovery_regions(scope, mechanisms)
    steps = [step]
    stores = [s for s in scope.data_stores if s.region == primary] or list(scope.data_stores)
    # Managed data services carry the app's data; disks of standalone VMs are judged with compute.
    stores = [s for s in stores if s.kind not in BLOCK_KINDS] or stores
    live = copied = 0
    for store in stores:
        found = mechanisms.get(store.id, ())
        outside = [m for m in found if m.location.region and (m.location.multi_region or m.location.region != primary)
                   and (not recovery or m.location.region in recovery or m.location.multi_region
                        or not _is_region(m.location.region))]
        if any(m.kind in LIVE for m in outside):
            live += 1
            copied += 1
        elif any(m.point_in_time for m in outside):
            copied += 1
    steps.append(Step(f"app:{scope.name}", "dr.replicated_data_stores", f"{live}/{len(stores)}",
                      f"{live} of {len(stores)} primary data store(s) have a live replica outside {primary or 'the primary region'}; "
                      f"{copied} have a replica or a backup copy there"))
    primary_units = sum(t.units for t in scope.tiers if t.region == primary)
    recovery_units = sum(t.units for t in scope.tiers if t.region in recovery)
    ratio = None
    if primary_units > 0:
        ratio = recovery_units / primary_units
    elif recovery_units > 0:
        ratio = 1.0
    steps.append(Step(f"app:{scope.name}", "dr.recovery_capacity", {"primary": primary_units, "recovery": recovery_units},
                      f"compute running: {primary_units:g} unit(s) in {primary or '?'}, {recovery_units:g} in "
                      f"{', '.join(recovery) or 'no recovery region'}"))
    routing, routing_steps = routing_pattern(ctx, scope)
    steps.extend(routing_steps)
    pilot_max = ctx.assumptions.get("strategy_ratio.pilot_light_max")
    full_min = ctx.assumptions.get("strategy_ratio.full_capacity_min")
    data_live = (live * 2 >= len(stores) and live > 0) if stores else True
    if ratio is not None and recovery_units > 0 and data_live and (
            routing == "multi_active" or (routing == "failover_both_healthy" and ratio >= full_min)):
        detected, why = "active_active", f"serving in {primary} and {', '.join(recovery)} behind {routing.replace('_', ' ')} routing"
    elif data_live and stores and ratio is not None and ratio > pilot_max:
        detected, why = "warm_standby", f"data replicated and scaled-down compute running ({ratio:.0%} of primary capacity)"
    elif data_live and stores:
        detected, why = "pilot_light", "data replicated, little or no compute running in the recovery region" + (
            f" ({ratio:.0%} of primary capacity)" if ratio is not None else "")
    elif not stores and recovery_units > 0:
        detected, why = "warm_standby", "stateless app with compute running in the recovery region"
    elif copied:
        detected, why = "backup_restore", f"only backups or copies outside {primary} (no live replica for most data)"
    else:
        detected, why = "none", f"nothing runs, replicates or is copied outside {primary or 'the primary region'}"
    steps.append(Step(f"app:{scope.name}", "dr.detected_strategy", detected, why))
    matches = None if declared is None else declared == detected
    if declared is not None:
        steps.append(Step(f"app:{scope.name}", "strategy", declared,
                          "matches the declared strategy" if matches else f"declared {declared}, but the inventory shows {detected}"))
    return StrategyResult(declared=declared, detected=detected, matches=matches, primary_region=primary,
                          recovery_regions=tuple(recovery), capacity_ratio=ratio, evidence=tuple(steps))
