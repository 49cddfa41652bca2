"""Entrypoints and traffic switching: DNS failover records (Route 53) and Traffic Manager
profiles, their health checks and TTLs, the time traffic takes to move, and the routing
pattern (active-active or failover) used by strategy detection."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from drscan.dr.copies import assumed
from drscan.dr.model import Figure, Step
from drscan.dr.scope import AppScope, DrContext
from drscan.model import Resource

if TYPE_CHECKING:
    from drscan.dr.estimate import Scenario

MULTI_ACTIVE_POLICIES = {"latency", "weighted", "geolocation", "multivalue", "geoproximity"}
MULTI_ACTIVE_TM = {"performance", "weighted", "multivalue", "geographic", "subnet"}


def dns_entries(ctx: DrContext, scope: AppScope) -> list[Resource]:
    """Route 53 records and Traffic Manager profiles that send users to the app: the entrypoints
    themselves, records that route to entrypoint load balancers, and member records/profiles."""
    found: dict[str, Resource] = {}
    for entry in list(scope.entrypoints) + list(scope.traffic):
        if entry.kind in ("aws.route53.record", "azure.network.traffic_manager_profile"):
            found[entry.id] = entry
        for record in ctx.graph.related(entry.id, "routes_to", "in"):
            if record.kind in ("aws.route53.record", "azure.network.traffic_manager_profile"):
                found[record.id] = record
    return sorted(found.values(), key=lambda r: r.id)


def health_check_of(ctx: DrContext, record: Resource) -> Resource | None:
    checks = ctx.graph.related(record.id, "checked_by")
    if checks:
        return checks[0]
    check_id = record.attrs.get("health_check_id")
    if check_id:
        return ctx.graph.resources.get(f"arn:aws:route53:::healthcheck/{check_id}") or ctx.graph.resources.get(str(check_id))
    return None


ELB_ALIAS_TTL_SECONDS = 60  # an alias record to an Elastic Load Balancer answers with the load balancer's 60 s TTL


def record_ttl(entry: Resource) -> float | None:
    """A DNS entry's TTL; alias records carry none of their own, and for load balancer targets
    Route 53 answers with the load balancer's fixed 60 s TTL."""
    ttl = entry.attrs.get("ttl")
    if ttl is None and ".elb.amazonaws.com" in str(entry.attrs.get("alias_dns_name") or "").lower():
        return ELB_ALIAS_TTL_SECONDS
    return ttl


def entry_switch_time(ctx: DrContext, entry: Resource) -> tuple[list[Figure], bool, list[Step]]:
    """(figures, automatic, evidence) for moving the traffic of one DNS entry to its standby."""
    if entry.kind == "azure.network.traffic_manager_profile":
        ttl, interval, failures = (entry.attrs.get(k) for k in ("ttl", "monitor_interval_s", "tolerated_failures"))
        figures = [_observed_or(ctx, ttl, "traffic_seconds.dns_default_ttl", f"{entry.name} TTL", entry.id)]
        figures.append(_observed_or(ctx, None if interval is None or failures is None else interval * max(1, failures),
                                    "traffic_seconds.health_check_interval", f"{entry.name} probes x tolerated failures", entry.id))
        return figures, True, [Step(entry.id, "routing_method", entry.attrs.get("routing_method"),
                                    f"Traffic Manager moves traffic when probes fail (TTL {ttl}, every {interval} s x {failures})")]
    ttl = record_ttl(entry)
    check = health_check_of(ctx, entry)
    steps = [Step(entry.id, "routing_policy", entry.attrs.get("routing_policy"), f"DNS record {entry.attrs.get('name') or entry.name}")]
    if check is not None:
        interval, threshold = check.attrs.get("request_interval"), check.attrs.get("failure_threshold")
        figures = [_observed_or(ctx, ttl, "traffic_seconds.dns_default_ttl", f"{entry.name} TTL", entry.id),
                   _observed_or(ctx, interval, "traffic_seconds.health_check_interval", "health check interval", check.id)]
        if threshold is None:
            count = ctx.assumptions.get("traffic_count.health_check_failure_threshold")
            figures[-1] = Figure(figures[-1].label + f" x {count:g} failures (assumed)", figures[-1].seconds * count, "assumed",
                                 "traffic_count.health_check_failure_threshold")
        else:
            figures[-1] = Figure(figures[-1].label + f" x {threshold} failures", figures[-1].seconds * threshold,
                                 figures[-1].basis, figures[-1].source)
        steps.append(Step(check.id, "request_interval", interval, f"health check every {interval} s, {threshold} failures "
                                                                   "before Route 53 fails over"))
        return figures, entry.attrs.get("routing_policy") not in (None, "simple"), steps
    figures = [assumed(ctx, "traffic_seconds.dns_manual_change", f"change {entry.name} by hand"),
               _observed_or(ctx, ttl, "traffic_seconds.dns_default_ttl", f"{entry.name} TTL", entry.id)]
    steps.append(Step(entry.id, "health_check_id", entry.attrs.get("health_check_id"),
                      "no health check: traffic moves only when someone changes the record"))
    return figures, False, steps


def _observed_or(ctx: DrContext, value, key: str, label: str, source: str) -> Figure:
    if isinstance(value, (int, float)):
        return Figure(label, float(value), "observed", source)
    return assumed(ctx, key, label + " (not in inventory)")


def traffic_recovery(ctx: DrContext, scope: AppScope, scenario: "Scenario") -> tuple[float | None, list[Figure], bool, list[Step]]:
    """Seconds for users to reach the recovered app: DNS switch (automatic with health checks,
    manual otherwise), or 0 when the entrypoints survive the scenario."""
    if scenario.disruption in ("zone_loss", "data_corruption"):
        return 0.0, [], False, []
    serving = [t for t in scope.tiers if t.units > 0]
    moved = any(_location_failed(scenario, t.provider, t.account, t.region) for t in serving) or any(
        _location_failed(scenario, e.provider, e.account, e.region) for e in scope.entrypoints)
    if not moved:
        return 0.0, [], False, []
    entries = dns_entries(ctx, scope)
    if not entries:
        figures = [assumed(ctx, "traffic_seconds.dns_manual_change", "repoint DNS by hand (no DNS record in inventory)"),
                   assumed(ctx, "traffic_seconds.dns_default_ttl", "DNS TTL (not in inventory)")]
        return sum(f.seconds for f in figures), figures, True, [
            Step(f"app:{scope.name}", "entrypoints", [e.id for e in scope.entrypoints] or list(scope.unresolved_entrypoints),
                 "no DNS record or Traffic Manager profile for the entrypoints in the inventory: assume a manual DNS change")]
    worst: tuple[float, list[Figure], bool, list[Step]] | None = None
    for entry in entries:
        figures, automatic, steps = entry_switch_time(ctx, entry)
        seconds = sum(f.seconds for f in figures)
        if worst is None or seconds > worst[0]:
            worst = (seconds, figures, not automatic, steps)
    return worst


def _location_failed(scenario: "Scenario", provider: str, account: str, region: str) -> bool:
    d = scenario.disruption
    return (d == "region_loss" and region == scenario.region) or (d == "provider_loss" and provider == scenario.provider) \
        or (d == "account_compromise" and account == scenario.account)


def routing_pattern(ctx: DrContext, scope: AppScope) -> tuple[str | None, list[Step]]:
    """'multi_active' (latency/weighted/... across regions), 'failover_both_healthy', 'failover'
    or None (no DNS routing in the inventory)."""
    entries = dns_entries(ctx, scope)
    if not entries:
        return None, []
    steps: list[Step] = []
    pattern = None
    by_name: dict[str, list[Resource]] = defaultdict(list)
    for entry in entries:
        if entry.kind == "azure.network.traffic_manager_profile":
            method = str(entry.attrs.get("routing_method") or "").lower()
            count = entry.attrs.get("endpoint_count") or 0
            if method in MULTI_ACTIVE_TM and count >= 2:
                return "multi_active", [Step(entry.id, "routing_method", entry.attrs.get("routing_method"),
                                             f"{count} endpoints share traffic")]
            if method == "priority" and count >= 2:
                pattern = "failover_both_healthy"  # Traffic Manager probes every endpoint
                steps.append(Step(entry.id, "routing_method", entry.attrs.get("routing_method"),
                                  "priority routing with monitored endpoints: failover"))
            continue
        by_name[str(entry.attrs.get("name") or entry.name).lower().rstrip(".")].append(entry)
    for name, records in sorted(by_name.items()):
        policies = {str(r.attrs.get("routing_policy") or "simple").lower() for r in records}
        regions = {t.region for r in records for t in ctx.graph.related(r.id, "routes_to")} | \
                  {str(r.attrs.get("set_identifier") or "") for r in records if r.attrs.get("routing_policy") == "latency"}
        if policies & MULTI_ACTIVE_POLICIES and len(records) >= 2 and len(regions - {""}) >= 2:
            return "multi_active", [Step(records[0].id, "routing_policy", sorted(policies),
                                         f"{name}: {len(records)} records spread traffic over {len(regions - {''})} regions")]
        if "failover" in policies:
            checked = [r for r in records if health_check_of(ctx, r) is not None]
            roles = {str(r.attrs.get("failover") or "").upper() for r in checked}
            both = {"PRIMARY", "SECONDARY"} <= roles
            pattern = "failover_both_healthy" if both else (pattern or "failover")
            steps.append(Step(records[0].id, "failover", sorted(roles),
                              f"{name}: failover routing, " + ("both records health-checked" if both else
                                                               "not every record is health-checked")))
    return pattern, steps


def dns_failover_ok(ctx: DrContext, scope: AppScope) -> tuple[bool | None, str, list[Step]]:
    """Every DNS entry of the app has a health check and a TTL of at most dns_failover_max_ttl_seconds."""
    entries = dns_entries(ctx, scope)
    if not entries:
        return None, "no DNS record or Traffic Manager profile for the app's entrypoints in the inventory", []
    limit = ctx.assumptions.get("dns_failover_max_ttl_seconds")
    steps, unknown = [], []
    for entry in entries:
        ttl = record_ttl(entry)
        checked = entry.attrs.get("monitor_interval_s") is not None if entry.kind.startswith("azure") else \
            health_check_of(ctx, entry) is not None
        steps.append(Step(entry.id, "ttl", ttl, f"TTL {ttl}, health check {'yes' if checked else 'no'}"))
        if not checked:
            return False, f"{entry.name} has no health check", steps
        if ttl is None:
            unknown.append(entry.name)
        elif ttl > limit:
            return False, f"{entry.name} TTL {ttl} s > {limit:g} s", steps
    if unknown:
        return None, f"TTL of {', '.join(unknown)} not in the inventory", steps
    return True, f"{len(entries)} DNS entr{'y' if len(entries) == 1 else 'ies'} health-checked with TTL <= {limit:g} s", steps


def entrypoints_monitored(ctx: DrContext, scope: AppScope) -> tuple[bool | None, str, list[Step]]:
    """Every entrypoint has a health check or an alarm on it."""
    entries = {e.id: e for e in scope.entrypoints}
    for entry in dns_entries(ctx, scope):
        entries.setdefault(entry.id, entry)
    if not entries:
        return None, "the app has no entrypoint (declare entrypoints, or tag its load balancer / DNS record)", []
    alarm_kinds = {"aws": "aws.cloudwatch.alarm", "azure": "azure.insights.metricalerts", "gcp": "gcp.monitoring.alert_policy"}
    alarms_known = {p for p, kind in alarm_kinds.items() if ctx.index.kind(kind)}
    steps, unseen = [], []
    for entry in sorted(entries.values(), key=lambda r: r.id):
        alarms = [a for a in ctx.graph.related(entry.id, "monitors", "in") if a.kind in alarm_kinds.values()]
        checked = health_check_of(ctx, entry) is not None or entry.attrs.get("monitor_interval_s") is not None
        if checked or alarms:
            steps.append(Step(entry.id, "relation:monitors" if alarms else "health_check", [a.id for a in alarms] or True,
                              "monitored"))
            continue
        if entry.provider not in alarms_known:
            unseen.append(entry.name)
            continue
        steps.append(Step(entry.id, "relation:monitors", [], "no health check and no alarm"))
        return False, f"{entry.name} has no health check or alarm", steps
    if unseen:
        return None, f"no alarms of that cloud in the inventory, so monitoring of {', '.join(unseen[:3])} cannot be told", steps
    return True, f"{len(entries)} entrypoint(s) monitored", steps

