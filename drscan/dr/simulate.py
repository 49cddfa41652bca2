"""Failure simulation: fail zones, regions, providers, accounts, single resources or KMS keys,
propagate the failure along dependency edges (a disabled key takes down what it encrypts, a
failed volume its instance, a failed server its databases, a failed app its dependents) and
tell per application whether it keeps serving, recovers after failover, needs a restore, or
loses data, with the data lost and the time to recover. Also lists single points of failure."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from drscan.dr.copies import assumed, human
from drscan.dr.model import FAIL, NOT_ASSESSED, PASS, Figure, Mechanism, Step, StrategyResult
from drscan.dr.scope import KEY_KINDS, AppScope, DrContext
from drscan.errors import InputError
from drscan.model import Resource

FAILURE_KINDS = ("zone", "region", "provider", "account", "resource", "kms", "service")
KEEPS_SERVING, FAILOVER, RESTORE, LOSES_DATA = "keeps_serving", "recovers_after_failover", "needs_restore", "loses_data"
OUTCOMES = (KEEPS_SERVING, FAILOVER, RESTORE, LOSES_DATA)
_RANK = {o: i for i, o in enumerate(OUTCOMES)}
MAX_LISTED = 50
# relation type -> which end fails when the other fails: "source" = the source fails when the
# target has failed (e.g. resource -encrypted_by-> key), "target" = the target fails when the
# source has failed (volume -attached_to-> instance).
PROPAGATION: dict[str, str] = {
    "encrypted_by": "source", "child_of": "source", "member_of": "source", "listener_of": "source",
    "stored_in": "source", "attached_to": "target",
}
_PROPAGATION_LOOKUPS = tuple((relation, "in" if end == "source" else "out") for relation, end in PROPAGATION.items())
_WHY = {"encrypted_by": "cannot decrypt: its key {other} failed", "child_of": "its parent {other} failed",
        "member_of": "its cluster {other} failed", "listener_of": "its load balancer {other} failed",
        "stored_in": "its vault {other} failed", "attached_to": "its volume {other} failed"}


@dataclass(frozen=True)
class Failure:
    kind: str
    value: str

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.value}"


def parse_failure(text: str) -> Failure:
    kind, sep, value = str(text).partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in FAILURE_KINDS or not value.strip():
        raise InputError(f"--fail {text!r}: expected one of {', '.join(k + ':<value>' for k in FAILURE_KINDS)}")
    return Failure(kind, value.strip())


@dataclass
class FailedSet:
    """Failed resource ids with the step that explains each, plus failed services / apps."""

    failures: tuple[Failure, ...]
    resources: dict[str, Step] = field(default_factory=dict)
    cause: dict[str, str] = field(default_factory=dict)  # id -> failure kind that started it ("zone", "kms", ...)
    services: dict[str, Step] = field(default_factory=dict)

    @property
    def zones(self) -> set[str]:
        return {f.value for f in self.failures if f.kind == "zone"}

    def location_failed(self, provider: str, account: str, region: str, zones: tuple[str, ...] = (),
                        zone_redundant: bool = False, multi_region: bool = False) -> bool:
        for failure in self.failures:
            if failure.kind == "region" and region == failure.value and not multi_region:
                return True
            if failure.kind == "provider" and provider == failure.value:
                return True
            if failure.kind == "account" and account == failure.value:
                return True
        return bool(zones) and not zone_redundant and set(zones) <= self.zones


def _match_key(ctx: DrContext, value: str) -> list[Resource]:
    wanted = value.lower()
    found = []
    for kind in KEY_KINDS:
        for key in ctx.index.kind(kind):
            ident = key.id.lower()
            if ident == wanted or ident.endswith("/" + wanted) or ident.endswith(":" + wanted) or \
                    str(key.attrs.get("key_id") or "").lower() == wanted or key.name.lower() == wanted:
                found.append(key)
    return found


def initial_failures(ctx: DrContext, failures: tuple[Failure, ...]) -> FailedSet:
    failed = FailedSet(failures)
    resources = ctx.graph.resources.values()
    for failure in failures:
        kind, value = failure.kind, failure.value
        if kind == "service":
            if ctx.config.app(value) is None and ctx.config.shared_service(value) is None:
                raise InputError(f"--fail service:{value}: no app or shared service of that name in the configuration")
            failed.services[value] = Step(f"service:{value}", "dr.failure", failure.spec, f"{value} is down (simulated)")
            continue
        if kind == "kms":
            hits = _match_key(ctx, value)
            if not hits:
                raise InputError(f"--fail kms:{value}: no KMS key / key vault with that id, ARN or name in the scan")
        elif kind == "resource":
            hits = ctx.index.resolve(value)
            if not hits:
                raise InputError(f"--fail resource:{value}: no resource with that id in the scan")
        elif kind == "zone":
            hits = [r for r in resources if r.zones and set(r.zones) <= failed.zones]
        else:
            attribute = {"region": "region", "provider": "provider", "account": "account"}[kind]
            hits = [r for r in resources if getattr(r, attribute) == value]
        if not hits and kind in ("zone", "region", "provider", "account"):
            known = sorted({z for r in resources for z in r.zones} if kind == "zone"
                           else {getattr(r, kind) for r in resources if getattr(r, kind)})
            raise InputError(f"--fail {failure.spec}: no resource in that {kind} (known: {', '.join(known[:12])}"
                             f"{', ...' if len(known) > 12 else ''})")
        for hit in hits:
            if hit.id not in failed.resources:
                failed.resources[hit.id] = Step(hit.id, "dr.failure", failure.spec, f"in the failed {kind} {value}"
                                                if kind not in ("resource", "kms") else f"{failure.spec} (simulated)")
                failed.cause[hit.id] = kind
    return propagate(ctx, failed)


def propagate(ctx: DrContext, failed: FailedSet) -> FailedSet:
    """Fixed point over PROPAGATION edges; each resource enters the queue at most once."""
    graph = ctx.graph
    resources, related_ids = graph.resources, graph.related_ids
    vaults_by_key = ctx.index.vaults_by_key()
    queue = deque(failed.resources)
    while queue:
        current = queue.popleft()
        origin = failed.cause.get(current, "cascade")
        victims: list[tuple[str, str]] = []
        for relation, direction in _PROPAGATION_LOOKUPS:  # ids, not resources: this runs for every SPOF candidate
            victims.extend((i, relation) for i in related_ids(current, relation, direction) if i in resources)
        victims.extend((v.id, "encrypted_by") for v in vaults_by_key.get(current, ()))
        for victim, relation in victims:
            if victim in failed.resources:
                continue
            other = resources.get(current)
            failed.resources[victim] = Step(victim, f"relation:{relation}", current,
                                            _WHY[relation].format(other=other.name if other else current))
            failed.cause[victim] = "zone" if origin == "zone" and relation == "attached_to" else f"cascade:{origin}"
            queue.append(victim)
    return failed


@dataclass(frozen=True)
class AppOutcome:
    name: str
    outcome: str
    data_loss_seconds: float | None
    data_loss_status: str  # none | estimated | data_lost | unknown
    recovery_seconds: float | None
    rpo_target_seconds: int | None
    rto_target_seconds: int | None
    verdict: str
    failed_members: tuple[str, ...]
    failed_member_count: int
    cascade: tuple[Step, ...]
    actions: tuple[str, ...]
    figures: tuple[Figure, ...]
    reason: str

    def as_dict(self) -> dict:
        return {"name": self.name, "outcome": self.outcome, "keeps_serving": self.outcome == KEEPS_SERVING,
                "data_loss_seconds": None if self.data_loss_seconds is None else round(self.data_loss_seconds, 1),
                "data_loss_status": self.data_loss_status,
                "recovery_seconds": None if self.recovery_seconds is None else round(self.recovery_seconds, 1),
                "rpo_target_seconds": self.rpo_target_seconds, "rto_target_seconds": self.rto_target_seconds,
                "verdict": self.verdict, "reason": self.reason, "failed_member_count": self.failed_member_count,
                "failed_members": list(self.failed_members), "actions": list(self.actions),
                "figures": [f.as_dict() for f in self.figures], "cascade": [s.as_dict() for s in self.cascade]}


def mechanism_survives(mechanism: Mechanism, store: Resource, failed: FailedSet) -> bool:
    if mechanism.rpo_seconds is None:
        return False
    if mechanism.kind == "sync_replication":
        # A standby in another zone outlives the loss of a zone, nothing else (same resource, same key).
        return failed.cause.get(store.id) == "zone" and mechanism.location.zone_redundant
    if any(i in failed.resources for i in mechanism.depends_on) or (mechanism.target_id and mechanism.target_id in failed.resources):
        return False
    loc = mechanism.location
    if failed.location_failed(loc.provider, loc.account, loc.region, loc.zones, loc.zone_redundant, loc.multi_region):
        return False
    if mechanism.kind == "async_replica" or mechanism.point_in_time:
        return True
    return False


def _store_result(store: Resource, mechanisms: tuple[Mechanism, ...], failed: FailedSet) -> tuple[str, Mechanism | None]:
    surviving = [m for m in mechanisms if mechanism_survives(m, store, failed)]
    if not surviving:
        return LOSES_DATA, None
    best = min(surviving, key=lambda m: (m.rpo_seconds, m.rto_seconds if m.rto_seconds is not None else float("inf")))
    if best.kind in ("sync_replication", "async_replica") and best.automatic:
        return KEEPS_SERVING, best  # a standby that takes over by itself, or a copy that already serves
    if best.kind in ("async_replica", "sync_replication"):
        return FAILOVER, best
    return RESTORE, best


def app_outcome(ctx: DrContext, scope: AppScope, mechanisms: dict[str, tuple[Mechanism, ...]], strategy_result: StrategyResult,
                failed: FailedSet, dependency_outcomes: dict[str, "AppOutcome"]) -> AppOutcome:
    strategy = strategy_result.detected
    recovery_regions = set(strategy_result.recovery_regions)
    app = scope.app
    rpo_target = app.rpo_seconds if app else None
    rto_target = app.rto_seconds if app else None
    outcome = KEEPS_SERVING
    cascade: list[Step] = []
    actions: list[str] = []
    manual = False
    loss: float | None = 0.0
    loss_status = "none"
    data_time: float | None = 0.0
    data_figures: list[Figure] = []
    other_figures: list[Figure] = []

    def worse(candidate: str) -> None:
        nonlocal outcome
        outcome = max(outcome, candidate, key=_RANK.__getitem__)

    if scope.name in failed.services:
        cascade.append(failed.services[scope.name])
        worse(FAILOVER)
        actions.append(f"wait for {scope.name} to come back or switch to its fallback")
    if len(failed.resources) < len(scope.data_stores):
        hit_stores = sorted((scope.store_index[i] for i in failed.resources if i in scope.store_index), key=lambda r: r.id)
    else:
        hit_stores = [s for s in scope.data_stores if s.id in failed.resources]
    for store in hit_stores:
        cascade.append(failed.resources[store.id])
        result, best = _store_result(store, mechanisms.get(store.id, ()), failed)
        worse(result)
        if best is None:
            loss_status = "data_lost"
            actions.append(f"{store.name}: no surviving copy - data lost")
            continue
        if loss_status != "data_lost":
            loss = max(loss or 0.0, best.rpo_seconds or 0.0)
            loss_status = "estimated"
        actions.append(f"{store.name}: {best.label}")
        manual = manual or not best.automatic
        if best.rto is None:
            data_time = None
        elif data_time is not None and sum(f.seconds for f in best.rto) >= data_time:
            data_time = sum(f.seconds for f in best.rto)
            data_figures = list(best.rto)
    compute_time: float | None = 0.0
    if len(failed.resources) < len(scope.tier_of):
        touched = {scope.tier_of[i].key: scope.tier_of[i] for i in failed.resources if i in scope.tier_of}
        candidates = [touched[k] for k in sorted(touched)]
    else:
        candidates = list(scope.tiers)
    serving = [t for t in candidates if t.units > 0 and (t.region not in recovery_regions or strategy == "active_active")]

    def standby() -> list:
        return [t for t in scope.tiers if t.units > 0 and t.region in recovery_regions and strategy != "active_active"
                and any(m not in failed.resources for m in t.member_ids)]
    regional = any(f.kind in ("region", "provider", "account") for f in failed.failures)
    for tier in serving:
        group = tier.key.startswith("asg:")
        instances = tier.member_ids[1:] if group else tier.member_ids
        # Survivors first: it stops at the first one, where listing the failed members walks the
        # whole tier (hundreds of instances) for every single-resource failure.
        if any(m not in failed.resources for m in instances):
            continue  # survivors in the tier keep serving
        down = [m for m in tier.member_ids if m in failed.resources]
        if not down:
            continue
        if strategy == "active_active" and any(
                other is not tier and other.units > 0 and other.region != tier.region
                and any(m not in failed.resources for m in other.member_ids) for other in scope.tiers):
            cascade.append(failed.resources[down[0]])
            actions.append(f"{tier.label or tier.key}: lost; the other region keeps serving")
            continue  # active-active: the surviving region already takes the traffic
        cascade.extend(failed.resources[m] for m in down[:3])
        key: str | None
        if group and tier.member_ids[0] not in failed.resources and tier.zone_redundant:
            worse(FAILOVER)
            key = "compute_seconds.replace_instance"
            actions.append(f"{tier.label or tier.key}: the autoscaling group relaunches in the surviving zones")
        elif not regional:
            worse(FAILOVER)
            manual = True
            key = "compute_seconds.replace_instance"
            actions.append(f"{tier.label or tier.key}: relaunch in a surviving zone from its image")
        elif strategy in ("active_active", "warm_standby", "pilot_light") and (strategy == "active_active" or standby()):
            worse(FAILOVER)
            manual = manual or strategy != "active_active"
            key = {"active_active": None, "warm_standby": "compute_seconds.scale_out"}.get(strategy, "compute_seconds.launch")
            actions.append(f"{tier.label or tier.key}: serve from the standby in {', '.join(sorted(recovery_regions)) or 'the other regions'}")
        else:
            worse(RESTORE)
            manual = True
            key = "compute_seconds.provision"
            actions.append(f"{tier.label or tier.key}: rebuild the compute ({key.split('.')[-1].replace('_', ' ')})")
        if key:
            figure = assumed(ctx, key, f"{tier.label or tier.key}: recover compute")
            if compute_time is not None and figure.seconds > compute_time:
                compute_time = figure.seconds
                other_figures = [f for f in other_figures if not f.source.startswith("compute")] + [figure]
    traffic_time = 0.0
    if len(failed.resources) < len(scope.entrypoints):  # entrypoints are sorted by id
        entry_failed = sorted((scope.entrypoint_index[i] for i in failed.resources if i in scope.entrypoint_index),
                              key=lambda r: r.id)
    else:
        entry_failed = [e for e in scope.entrypoints if e.id in failed.resources]
    if entry_failed and (len(entry_failed) == len(scope.entrypoints) or outcome != KEEPS_SERVING):
        cascade.extend(failed.resources[e.id] for e in entry_failed)
        worse(FAILOVER)
        manual = True
        switch = assumed(ctx, "traffic_seconds.dns_manual_change", "move traffic to the surviving entrypoint")
        ttl = assumed(ctx, "traffic_seconds.dns_default_ttl", "DNS TTL")
        traffic_time = switch.seconds + ttl.seconds
        other_figures += [switch, ttl]
        actions.append("move traffic (DNS) to the recovered entrypoint")
    for name in (scope.app.depends_on if scope.app else ()):
        dependency = dependency_outcomes.get(name)
        if dependency is None and name in failed.services:
            worse(FAILOVER)
            compute_time = None
            cascade.append(Step(f"app:{scope.name}", "depends_on", name, f"depends on {name}, which is down"))
            continue
        if dependency is None or dependency.outcome == KEEPS_SERVING:
            continue
        worse(RESTORE if dependency.outcome == LOSES_DATA else dependency.outcome)
        cascade.append(Step(f"app:{scope.name}", "depends_on", name,
                            f"depends on {name}, which {dependency.outcome.replace('_', ' ')}"))
        actions.append(f"wait for {name} to recover")
        if dependency.recovery_seconds is None:
            compute_time = None
        elif compute_time is not None:
            compute_time = max(compute_time, dependency.recovery_seconds)
    figures = data_figures + other_figures
    if outcome == KEEPS_SERVING:
        recovery: float | None = 0.0
        loss, loss_status = 0.0, "none"
    elif data_time is None or compute_time is None or loss_status == "data_lost":
        recovery = None
    else:
        if manual:
            figures.insert(0, assumed(ctx, "decision_seconds", "declare the disaster"))
        recovery = (figures[0].seconds if manual else 0.0) + max(data_time, compute_time) + traffic_time
    if loss_status == "data_lost":
        loss = None
    verdict = _verdict(outcome, loss, loss_status, recovery, rpo_target, rto_target)
    if len(failed.resources) < len(scope.member_ids):
        failed_members = sorted(i for i in failed.resources if i in scope.member_ids)
    else:
        failed_members = sorted(i for i in scope.member_ids if i in failed.resources)
    return AppOutcome(name=scope.name, outcome=outcome, data_loss_seconds=loss, data_loss_status=loss_status,
                      recovery_seconds=recovery, rpo_target_seconds=rpo_target, rto_target_seconds=rto_target,
                      verdict=verdict, failed_members=tuple(failed_members[:MAX_LISTED]),
                      failed_member_count=len(failed_members), cascade=tuple(_dedupe(cascade)[:MAX_LISTED]),
                      actions=tuple(dict.fromkeys(actions))[:MAX_LISTED], figures=tuple(figures),
                      reason=_reason(outcome, loss, loss_status, recovery))


def _dedupe(steps: list[Step]) -> list[Step]:
    return list({(s.resource_id, s.attribute): s for s in steps}.values())


def _verdict(outcome, loss, loss_status, recovery, rpo_target, rto_target) -> str:
    if outcome == KEEPS_SERVING:
        return PASS
    if loss_status == "data_lost":
        return FAIL
    if (rpo_target is not None and loss is not None and loss > rpo_target) or \
            (rto_target is not None and recovery is not None and recovery > rto_target):
        return FAIL
    if rpo_target is None or rto_target is None or recovery is None:
        return NOT_ASSESSED
    return PASS


def _reason(outcome, loss, loss_status, recovery) -> str:
    if outcome == KEEPS_SERVING:
        return "keeps serving"
    lost = "data lost (a data store has no surviving copy)" if loss_status == "data_lost" else f"loses up to {human(loss)} of data"
    back = ("cannot be fully recovered" if loss_status == "data_lost" else "recovery time cannot be estimated") \
        if recovery is None else f"back in about {human(recovery)}"
    return f"{outcome.replace('_', ' ')}: {lost}; {back}"


@dataclass(frozen=True)
class SimulationResult:
    failures: tuple[Failure, ...]
    failed_resource_count: int
    apps: tuple[AppOutcome, ...]
    services: tuple[AppOutcome, ...]
    failed_ids: frozenset[str] = frozenset()

    @property
    def missed_targets(self) -> bool:
        return any(a.verdict == FAIL for a in self.apps)


def _order(ctx: DrContext, names: list[str]) -> list[str]:
    """Dependencies before dependents (a cycle is broken at the first name)."""
    done: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in done or name in visiting:
            return
        visiting.add(name)
        app = ctx.config.app(name)
        for dependency in (app.depends_on if app else ()):
            if dependency in names:
                visit(dependency)
        visiting.discard(name)
        done.append(name)

    for name in names:
        visit(name)
    return done


Assessed = dict[str, tuple[dict[str, tuple[Mechanism, ...]], StrategyResult]]


def simulate(ctx: DrContext, failures: tuple[Failure, ...], assessed: Assessed) -> SimulationResult:
    """`assessed`: app or service name -> (mechanisms by store id, strategy)."""
    failed = initial_failures(ctx, failures)
    names = [a.name for a in ctx.config.apps] + [s.name for s in ctx.config.shared_services]
    outcomes: dict[str, AppOutcome] = {}
    for name in _order(ctx, names):
        mechanisms, strategy = assessed[name]
        outcomes[name] = app_outcome(ctx, ctx.scope(name), mechanisms, strategy, failed, outcomes)
    apps = tuple(outcomes[a.name] for a in ctx.config.apps)
    services = tuple(outcomes[s.name] for s in ctx.config.shared_services)
    return SimulationResult(failures, len(failed.resources), apps, services, frozenset(failed.resources))


def single_points_of_failure(ctx: DrContext, name: str, assessed: Assessed) -> list[tuple[str, str]]:
    """Resources whose loss alone stops the app serving: [(resource id, outcome)]. Candidates are
    the app's members and keys, and the members of what it depends on."""
    scope = ctx.scope(name)
    candidates: dict[str, Resource] = {r.id: r for r in list(scope.members) + list(scope.keys)}
    dependencies = list(scope.app.depends_on) if scope.app else []
    for dependency in dependencies:
        for member in ctx.scope(dependency).members:
            candidates.setdefault(member.id, member)
    involved = _involved(ctx, [name] + dependencies, assessed)
    found = []
    for resource_id in sorted(candidates):
        failed = failure_cascade(ctx, resource_id)
        if involved.isdisjoint(failed.resources):
            continue
        outcomes: dict[str, AppOutcome] = {}
        for current in _order(ctx, dependencies + [name]):
            mechanisms, strategy = assessed[current]
            outcomes[current] = app_outcome(ctx, ctx.scope(current), mechanisms, strategy, failed, outcomes)
        if outcomes[name].outcome != KEEPS_SERVING:
            found.append((resource_id, outcomes[name].outcome))
    return found


SHARED_CASCADE = 16  # cascades at least this large (a key, a vault) are kept: every app holding the resource asks again


def failure_cascade(ctx: DrContext, resource_id: str) -> FailedSet:
    """What fails when `resource_id` fails alone (read only by the caller)."""
    known = ctx.memo.get(("cascade", resource_id))
    if known is not None:
        return known
    failed = propagate(ctx, FailedSet((Failure("resource", resource_id),), {resource_id: Step(
        resource_id, "dr.failure", f"resource:{resource_id}", "fails alone")}, {resource_id: "resource"}))
    if len(failed.resources) >= SHARED_CASCADE:
        ctx.memo[("cascade", resource_id)] = failed
    return failed


def _involved(ctx: DrContext, names: list[str], assessed: Assessed) -> set[str]:
    ids: set[str] = set()
    for name in names:
        scope = ctx.scope(name)
        ids.update(r.id for r in list(scope.data_stores) + list(scope.entrypoints))
        ids.update(m for t in scope.tiers for m in t.member_ids)
        for mechanisms in assessed[name][0].values():
            for mechanism in mechanisms:
                ids.update(mechanism.depends_on)
                if mechanism.target_id:
                    ids.add(mechanism.target_id)
    return ids
