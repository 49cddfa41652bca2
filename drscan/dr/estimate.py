"""RPO and RTO of one application under each disruption type, from its data stores'
mechanisms, its compute tiers and its entrypoints. Pure: (scope, mechanisms, strategy) in,
Estimate out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from drscan.dr.copies import assumed, human
from drscan.dr.model import (DATA_LOST, ESTIMATED, FAIL, NOT_ASSESSABLE, NOT_ASSESSED, PASS, UNAFFECTED, Estimate, Figure,
                             Mechanism, StoreEstimate, StrategyResult, Step)
from drscan.dr.scope import AppScope, DrContext, Tier
from drscan.dr.traffic import traffic_recovery
from drscan.model import Resource

CANNOT_RECOVER = "cannot_recover"
EVIDENCE_STORES = 12  # stores whose full evidence an estimate carries (worst first); the rest are summarised
_RANK = {UNAFFECTED: 0, ESTIMATED: 1, NOT_ASSESSABLE: 2, DATA_LOST: 3}


@dataclass(frozen=True)
class Scenario:
    """What one disruption takes away: a zone (of a region), a region, a provider, an account,
    or (corruption) nothing physical but every live copy's integrity."""

    disruption: str
    zone: str | None = None
    region: str | None = None
    provider: str | None = None
    account: str | None = None

    def describe(self) -> str:
        if self.disruption == "zone_loss":
            return f"zone {self.zone}" if self.zone else f"one zone of {self.region}"
        if self.disruption == "region_loss":
            return f"region {self.region}"
        if self.disruption == "provider_loss":
            return f"provider {self.provider}"
        if self.disruption == "account_compromise":
            return f"account {self.account}"
        return "data corruption or deletion (replicated to every live copy)"


def store_affected(store: Resource, scenario: Scenario) -> bool:
    d = scenario.disruption
    if d == "zone_loss":
        return store.region == scenario.region and (not store.zones or scenario.zone in store.zones or scenario.zone is None)
    if d == "region_loss":
        return store.region == scenario.region
    if d == "provider_loss":
        return store.provider == scenario.provider
    if d == "account_compromise":
        return store.account == scenario.account
    return True


def covers(mechanism: Mechanism, store: Resource, scenario: Scenario) -> bool | None:
    """Does this copy survive the scenario? None when its location is not known well enough."""
    loc = mechanism.location
    d = scenario.disruption
    if d == "data_corruption":
        return mechanism.point_in_time
    if d == "account_compromise":
        if not mechanism.point_in_time:
            return False
        if mechanism.immutable:
            return True
        if not loc.account:
            return None
        return loc.account != scenario.account
    if d == "provider_loss":
        return loc.provider != scenario.provider if loc.provider else None
    if not loc.region:
        return None
    if d == "region_loss":
        return loc.multi_region or loc.region != scenario.region
    # zone loss
    if loc.multi_region or loc.region != store.region or loc.zone_redundant:
        return True
    if loc.zones and scenario.zone is not None:
        return not set(loc.zones) <= {scenario.zone}
    return False


def estimate_store(store: Resource, mechanisms: Iterable[Mechanism], scenario: Scenario,
                   unaffected_reason: str | None = None) -> StoreEstimate:
    if not store_affected(store, scenario):
        return StoreEstimate(store.id, False, 0.0, UNAFFECTED, unaffected_reason or f"not in {scenario.describe()}")
    known, unknown, lost = [], [], []
    for mechanism in mechanisms:
        verdict = covers(mechanism, store, scenario)
        if verdict is True and mechanism.rpo_seconds is not None:
            known.append(mechanism)
        elif verdict is None or (verdict is True and mechanism.rpo_seconds is None):
            unknown.append(mechanism)
        else:
            lost.append(mechanism)
    if known:
        best = min(known, key=lambda m: (m.rpo_seconds, m.rto_seconds if m.rto_seconds is not None else float("inf")))
        reason = f"{best.label}: {best.rpo_reason or human(best.rpo_seconds)}"
        return StoreEstimate(store.id, True, best.rpo_seconds, ESTIMATED, reason, best, best.rto)
    if unknown:
        return StoreEstimate(store.id, True, None, NOT_ASSESSABLE,
                             "; ".join(sorted({m.rpo_reason or f"{m.label}: location or RPO unknown" for m in unknown})),
                             unknown[0], None)
    why = ", ".join(sorted({m.label for m in lost})) or "no replica, backup or snapshot at all"
    return StoreEstimate(store.id, True, None, DATA_LOST,
                         f"no copy of {store.name} survives {scenario.describe()} (has: {why})")


def _verdict(value: float | None, status: str, target: int | None) -> str:
    if status in (DATA_LOST, CANNOT_RECOVER):
        return FAIL
    if value is None or target is None:
        return NOT_ASSESSED
    return PASS if value <= target else FAIL


def _combine(rpo: str, rto: str) -> str:
    if FAIL in (rpo, rto):
        return FAIL
    if rpo == PASS and rto == PASS:
        return PASS
    return NOT_ASSESSED


def _compute_recovery(ctx: DrContext, scope: AppScope, scenario: Scenario,
                      strategy: StrategyResult) -> tuple[float | None, list[Figure], bool, list[Step], str]:
    """Time for compute to serve again: (seconds, figures, manual, evidence, reason)."""
    d = scenario.disruption
    steps: list[Step] = []
    if d == "data_corruption" or not scope.tiers:
        return 0.0, [], False, steps, "compute is not affected" if scope.tiers else "no compute"
    if d == "zone_loss":
        figures, manual = [], False
        for tier in scope.tiers:
            if tier.region != scenario.region or not _tier_in_zone(tier, scenario.zone):
                continue
            if tier.zone_redundant and (scenario.zone is None or set(tier.zones) - {scenario.zone}):
                figures.append(assumed(ctx, "traffic_seconds.load_balancer_health_check",
                                       f"{tier.label or tier.key}: survivors in other zones take the traffic"))
                steps.append(Step(tier.member_ids[0], "zones", list(tier.zones), "spans several zones: keeps serving"))
            else:
                manual = True
                figures.append(assumed(ctx, "compute_seconds.replace_instance", f"{tier.label or tier.key}: relaunch in another zone"))
                steps.append(Step(tier.member_ids[0], "zones", list(tier.zones),
                                  "all capacity of this tier is in the lost zone (or its zone is unknown)"))
        worst = max(figures, key=lambda f: f.seconds) if figures else None
        return (worst.seconds if worst else 0.0), [worst] if worst else [], manual, steps, ""
    affected = [t for t in scope.tiers if _tier_affected(t, scenario)]
    if not affected:
        return 0.0, [], False, steps, "no compute in the failed location"
    if d == "account_compromise":
        figures = [assumed(ctx, "compute_seconds.account_rebuild", "clean account / subscription"),
                   assumed(ctx, "compute_seconds.provision", "deploy network and compute")]
        return sum(f.seconds for f in figures), figures, True, steps, ""
    detected = strategy.detected
    if d == "provider_loss":
        others = [t for t in scope.tiers if t.provider != scenario.provider and t.units > 0]
        detected = "warm_standby" if others else "backup_restore"
    key = {"active_active": None, "warm_standby": "compute_seconds.scale_out", "pilot_light": "compute_seconds.launch",
           "backup_restore": "compute_seconds.provision", "none": "compute_seconds.provision"}[detected]
    steps.append(Step(f"app:{scope.name}", "dr.detected_strategy", detected,
                      f"{len(affected)} compute tier(s) in {scenario.describe()} must be replaced by the "
                      f"{detected.replace('_', ' ')} environment"))
    if key is None:
        return 0.0, [], False, steps, "already serving elsewhere"
    label = {"compute_seconds.scale_out": "scale the standby up", "compute_seconds.launch": "start the switched-off compute",
             "compute_seconds.provision": "deploy network and compute from infrastructure as code"}[key]
    if detected == "none":
        label += " (no recovery environment exists)"
    figure = assumed(ctx, key, label)
    return figure.seconds, [figure], True, steps, ""


def _tier_in_zone(tier: Tier, zone: str | None) -> bool:
    return zone is None or not tier.zones or zone in tier.zones


def _tier_affected(tier: Tier, scenario: Scenario) -> bool:
    d = scenario.disruption
    if d == "region_loss":
        return tier.region == scenario.region
    if d == "provider_loss":
        return tier.provider == scenario.provider
    if d == "account_compromise":
        return tier.account == scenario.account
    return False


def estimate_scenario(ctx: DrContext, scope: AppScope, mechanisms: dict[str, tuple[Mechanism, ...]],
                      strategy: StrategyResult, scenario: Scenario) -> Estimate:
    app = scope.app
    rpo_target = app.rpo_seconds if app else None
    rto_target = app.rto_seconds if app else None
    outside = f"not in {scenario.describe()}"
    stores = [estimate_store(store, mechanisms.get(store.id, ()), scenario, outside) for store in scope.data_stores]
    worst = max(stores, key=lambda s: (_RANK[s.rpo_status], s.rpo_seconds or 0.0), default=None)
    if worst is None:
        rpo, rpo_status, rpo_reason = 0.0, UNAFFECTED, "no data stores among the app's members: no data to lose"
    elif worst.rpo_status == DATA_LOST:
        lost = [s for s in stores if s.rpo_status == DATA_LOST]
        rpo, rpo_status = None, DATA_LOST
        rpo_reason = f"data lost in {len(lost)} data store(s): " + "; ".join(s.reason for s in lost[:3])
    elif worst.rpo_status == NOT_ASSESSABLE:
        rpo, rpo_status, rpo_reason = None, NOT_ASSESSABLE, f"{ctx.graph.resources[worst.store_id].name}: {worst.reason}"
    elif worst.rpo_status == UNAFFECTED:
        rpo, rpo_status, rpo_reason = 0.0, UNAFFECTED, f"no data store is in {scenario.describe()}"
    else:
        rpo, rpo_status = worst.rpo_seconds, ESTIMATED
        rpo_reason = f"worst data store {ctx.graph.resources[worst.store_id].name}: {worst.reason}"

    figures: list[Figure] = []
    steps: list[Step] = []
    manual = False
    data_seconds: float | None = 0.0
    rto_status, rto_reason = ESTIMATED, ""
    if rpo_status == DATA_LOST:
        data_seconds, rto_status, rto_reason = None, CANNOT_RECOVER, "cannot recover: " + rpo_reason
    else:
        slowest = None
        for store in stores:
            if not store.affected:
                continue
            if store.rto is None:
                data_seconds = None
                rto_status = NOT_ASSESSABLE
                name = ctx.graph.resources[store.store_id].name
                rto_reason = rto_reason or f"recovery time of {name} cannot be estimated" + (
                    f" ({store.reason})" if store.rpo_status == NOT_ASSESSABLE else " (its data size is not in the inventory)")
                continue
            seconds = sum(f.seconds for f in store.rto)
            manual = manual or not (store.mechanism and store.mechanism.automatic)
            if slowest is None or seconds > slowest[0]:
                slowest = (seconds, store)
        if slowest is not None and data_seconds is not None:
            data_seconds = slowest[0]
            figures.extend(slowest[1].rto)
    compute_seconds, compute_figures, compute_manual, compute_steps, _ = _compute_recovery(ctx, scope, scenario, strategy)
    traffic_seconds, traffic_figures, traffic_manual, traffic_steps = traffic_recovery(ctx, scope, scenario)
    figures.extend(compute_figures + traffic_figures)
    manual = manual or compute_manual or traffic_manual
    steps.extend(compute_steps + traffic_steps)
    rto = None
    if data_seconds is not None and compute_seconds is not None and traffic_seconds is not None:
        decision = assumed(ctx, "decision_seconds", "declare the disaster (manual steps ahead)") if manual else None
        if decision:
            figures.insert(0, decision)
        rto = (decision.seconds if decision else 0.0) + max(data_seconds, compute_seconds) + traffic_seconds
        rto_reason = (f"{'decision ' + human(decision.seconds) + ' + ' if decision else ''}max(data {human(data_seconds)}, "
                      f"compute {human(compute_seconds)}) + traffic {human(traffic_seconds)}")
        if rpo_status == UNAFFECTED and not stores and not compute_figures and not traffic_figures:
            rto_status = UNAFFECTED
    rpo_verdict = _verdict(rpo, rpo_status, rpo_target)
    rto_verdict = _verdict(rto, rto_status, rto_target)
    if rpo_target is None:
        rpo_reason += "; no RPO target declared"
    if rto_target is None:
        rto_reason += "; no RTO target declared"
    evidence = _evidence(ctx, scope, stores, scenario) + steps
    return Estimate(disruption=scenario.disruption, scope=scenario.describe(), rpo_seconds=rpo, rpo_status=rpo_status,
                    rpo_reason=rpo_reason, rto_seconds=rto, rto_status=rto_status, rto_reason=rto_reason,
                    rpo_target_seconds=rpo_target, rto_target_seconds=rto_target, rpo_verdict=rpo_verdict,
                    rto_verdict=rto_verdict, verdict=_combine(rpo_verdict, rto_verdict), figures=tuple(figures),
                    evidence=tuple(evidence), stores=tuple(stores), manual=manual)


def _evidence(ctx: DrContext, scope: AppScope, stores: list[StoreEstimate], scenario: Scenario) -> list[Step]:
    affected = sorted((s for s in stores if s.affected), key=lambda s: (-_RANK[s.rpo_status], -(s.rpo_seconds or 0.0)))
    steps: list[Step] = [Step(f"app:{scope.name}", "dr.scenario", scenario.describe(),
                              f"{len(affected)} of {len(stores)} data store(s) are in {scenario.describe()}")]
    for store in affected[:EVIDENCE_STORES]:
        if store.mechanism is not None:
            steps.extend(store.mechanism.evidence)
        steps.append(Step(store.store_id, "dr.rpo", None if store.rpo_seconds is None else round(store.rpo_seconds),
                          f"{store.rpo_status}: {store.reason}"))
    if len(affected) > EVIDENCE_STORES:
        steps.append(Step(f"app:{scope.name}", "dr.data_stores", len(affected) - EVIDENCE_STORES,
                          f"{len(affected) - EVIDENCE_STORES} more affected data store(s) with a smaller RPO "
                          "(see `data_stores` for each)"))
    return steps


def scenarios_for(scope: AppScope, disruption: str) -> list[Scenario]:
    """The candidate failures of one disruption type for this app (the estimate keeps the worst)."""
    primary = scope.primary_region
    if disruption == "zone_loss":
        zones = sorted({z for r in list(scope.data_stores) + list(scope.compute) if r.region == primary for z in r.zones})
        return [Scenario("zone_loss", zone=z, region=primary) for z in zones] or [Scenario("zone_loss", region=primary)]
    if disruption == "region_loss":
        return [Scenario("region_loss", region=primary)]
    if disruption == "provider_loss":
        return [Scenario("provider_loss", provider=p) for p in _providers(scope)]
    if disruption == "account_compromise":
        accounts = sorted({r.account for r in list(scope.data_stores) + list(scope.compute) if r.account})
        return [Scenario("account_compromise", account=a) for a in accounts]
    return [Scenario("data_corruption")]


def _providers(scope: AppScope) -> list[str]:
    return sorted({r.provider for r in list(scope.data_stores) + list(scope.compute) if r.provider})


def not_assessable(scope: AppScope, disruption: str, scope_text: str, reason: str) -> Estimate:
    app = scope.app
    return Estimate(disruption=disruption, scope=scope_text, rpo_seconds=None, rpo_status=NOT_ASSESSABLE, rpo_reason=reason,
                    rto_seconds=None, rto_status=NOT_ASSESSABLE, rto_reason=reason,
                    rpo_target_seconds=app.rpo_seconds if app else None, rto_target_seconds=app.rto_seconds if app else None,
                    rpo_verdict=NOT_ASSESSED, rto_verdict=NOT_ASSESSED, verdict=NOT_ASSESSED,
                    evidence=(Step(f"app:{scope.name}", "dr.scenario", disruption, reason),))


def estimate_disruption(ctx: DrContext, scope: AppScope, mechanisms: dict[str, tuple[Mechanism, ...]],
                        strategy: StrategyResult, disruption: str) -> Estimate:
    if not scope.members:
        return not_assessable(scope, disruption, "-", "no resource in the inventory matches the app's members")
    if disruption in ("zone_loss", "region_loss") and not scope.primary_region:
        return not_assessable(scope, disruption, "-", "the primary region is not known (declare primary_region)")
    if disruption == "provider_loss" and len(_providers(scope)) < 2:
        provider = (_providers(scope) or ["?"])[0]
        return not_assessable(scope, disruption, f"provider {provider}",
                              f"the app runs on one provider ({provider}); provider loss is assessed for multi-cloud apps")
    candidates = scenarios_for(scope, disruption)
    if not candidates:
        return not_assessable(scope, disruption, "-", "no account is known for the app's resources")
    estimates = [estimate_scenario(ctx, scope, mechanisms, strategy, s) for s in candidates]
    return max(estimates, key=_badness)


def _badness(estimate: Estimate) -> tuple:
    rank = {UNAFFECTED: 0, ESTIMATED: 1, NOT_ASSESSABLE: 2, DATA_LOST: 3}
    rto_rank = {UNAFFECTED: 0, ESTIMATED: 1, NOT_ASSESSABLE: 2, CANNOT_RECOVER: 3}
    return (rank[estimate.rpo_status], estimate.rpo_seconds or 0.0, rto_rank[estimate.rto_status], estimate.rto_seconds or 0.0)
