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

MULTI_ACTIVE_POLICIES = {"latency", "weighted", "geolocation", "multivalue", "geoproximity", "cidr", "geo"}
MULTI_ACTIVE_TM = {"performance", "weighted", "multivalue", "geographic", "subnet"}
ROUTE53, TRAFFIC_MANAGER, CLOUD_DNS = "aws.route53.record", "azure.network.traffic_manager_profile", "gcp.dns.record_set"
DNS_KINDS = (ROUTE53, TRAFFIC_MANAGER, CLOUD_DNS)
UNPROBED_TM_STATUS = {"disabled", "unmonitored", "inactive"}


def dns_entries(ctx: DrContext, scope: AppScope) -> list[Resource]:
    """Route 53 records, Cloud DNS record sets and Traffic Manager profiles that send users to the
    app: the entrypoints themselves, records that route to entrypoint load balancers, and member
    records/profiles."""
    found: dict[str, Resource] = {}
    for entry in list(scope.entrypoints) + list(scope.traffic):
        if entry.kind in DNS_KINDS:
            found[entry.id] = entry
        for record in ctx.graph.related(entry.id, "routes_to", "in"):
            if record.kind in DNS_KINDS:
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


def _name(record: Resource) -> str:
    return str(record.attrs.get("name") or record.name).lower().rstrip(".")


def record_group(ctx: DrContext, record: Resource) -> list[Resource]:
    """The Route 53 records that answer the same name and type in the same zone (a failover pair,
    the latency records of every region): Route 53 chooses among them."""
    if record.kind != ROUTE53:
        return [record]
    group = ctx.index.record_groups().get(record_key(record))
    return sorted(group or [record], key=lambda r: r.id)


def record_key(record: Resource) -> tuple:
    """What makes Route 53 records answer the same queries: account, zone, name and type."""
    return record.account, record.attrs.get("zone_id"), _name(record), record.attrs.get("type")


def _deciding_records(group: list[Resource]) -> tuple[list[Resource], str]:
    """The records whose health decides where Route 53 sends traffic, and why: with failover
    routing the PRIMARY (Route 53 answers with the SECONDARY when the PRIMARY's health check fails;
    a SECONDARY without a health check is treated as healthy, which is normal); with latency,
    weighted, geolocation, multivalue routing every record (an unchecked one keeps its answers)."""
    policy = str(group[0].attrs.get("routing_policy") or "simple").lower()
    if policy == "failover":
        primaries = [r for r in group if str(r.attrs.get("failover") or "").upper() == "PRIMARY"]
        return primaries, "the PRIMARY record"
    if policy in MULTI_ACTIVE_POLICIES:
        return group, f"every {policy} record"
    return [], "a simple record (one answer, nothing to fail over to)"


def _route53_detection(ctx: DrContext, record: Resource) -> tuple[Figure | None, Step | None]:
    """How long Route 53 takes to see the record's target fail: its health check's interval x
    failure threshold; an alias evaluating its target's health (load balancer) is assumed to
    take a health check's time. None when the record's health is never evaluated."""
    check = health_check_of(ctx, record)
    if check is not None and check.attrs.get("disabled") is not True:  # a disabled check always reports healthy
        interval, threshold = check.attrs.get("request_interval"), check.attrs.get("failure_threshold")
        figure = _observed_or(ctx, interval, "traffic_seconds.health_check_interval", "health check interval", check.id)
        if threshold is None:
            count = ctx.assumptions.get("traffic_count.health_check_failure_threshold")
            figure = Figure(figure.label + f" x {count:g} failures (assumed)", figure.seconds * count, "assumed",
                            "traffic_count.health_check_failure_threshold")
        else:
            figure = Figure(figure.label + f" x {threshold} failures", figure.seconds * threshold, figure.basis, figure.source)
        return figure, Step(check.id, "request_interval", interval,
                            f"health check of {record.name} every {interval} s, {threshold} failures before Route 53 fails over")
    if record.attrs.get("alias_dns_name") and record.attrs.get("evaluate_target_health") is True:
        count = ctx.assumptions.get("traffic_count.health_check_failure_threshold")
        figure = assumed(ctx, "traffic_seconds.health_check_interval", f"{record.name} evaluates its alias target's health")
        return Figure(figure.label + f" x {count:g} failures (assumed)", figure.seconds * count, "assumed", figure.source), \
            Step(record.id, "evaluate_target_health", True, f"{record.name} follows its alias target's health")
    return None, None


def _manual(ctx: DrContext, entry: Resource, ttl, steps: list[Step], why: str) -> tuple[list[Figure], bool, list[Step]]:
    figures = [assumed(ctx, "traffic_seconds.dns_manual_change", f"change {entry.name} by hand"),
               _observed_or(ctx, ttl, "traffic_seconds.dns_default_ttl", f"{entry.name} TTL", entry.id)]
    return figures, False, steps + [Step(entry.id, "health_check_id", entry.attrs.get("health_check_id"),
                                         f"{why}: traffic moves only when someone changes the record")]


def _route53_switch(ctx: DrContext, entry: Resource) -> tuple[list[Figure], bool, list[Step]]:
    group = record_group(ctx, entry)
    ttls = [t for t in (record_ttl(r) for r in group) if t is not None]
    ttl = max(ttls) if ttls else None
    policy = entry.attrs.get("routing_policy")
    steps = [Step(entry.id, "routing_policy", policy, f"DNS record {entry.attrs.get('name') or entry.name}"
                                                       + (f" ({len(group)} records)" if len(group) > 1 else ""))]
    deciding, which = _deciding_records(group)
    if not deciding:
        return _manual(ctx, entry, ttl, steps, f"{entry.name} is {which}")
    detections = []
    for record in deciding:
        figure, step = _route53_detection(ctx, record)
        if figure is None:
            return _manual(ctx, record, ttl, steps, f"{which} {record.name} has no health check")
        detections.append(figure)
        steps.append(step)
    unchecked = [r.name for r in group if r not in deciding and health_check_of(ctx, r) is None]
    if unchecked:
        steps.append(Step(entry.id, "failover", "SECONDARY", f"{', '.join(unchecked)} has no health check: Route 53 "
                                                             "treats it as healthy, as a failover SECONDARY is meant to be"))
    slowest = max(detections, key=lambda f: f.seconds)
    return [_observed_or(ctx, ttl, "traffic_seconds.dns_default_ttl", f"{entry.name} TTL", entry.id), slowest], True, steps


def _traffic_manager_switch(ctx: DrContext, entry: Resource) -> tuple[list[Figure], bool, list[Step]]:
    """Traffic Manager moves traffic when its probes mark an endpoint degraded: automatic when the
    profile monitors its endpoints and the endpoints that decide (the highest-priority one for
    priority routing, every enabled one otherwise) are probed (not alwaysServe, not Unmonitored)."""
    ttl, interval, failures = (entry.attrs.get(k) for k in ("ttl", "monitor_interval_s", "tolerated_failures"))
    method = str(entry.attrs.get("routing_method") or "").lower()
    steps = [Step(entry.id, "routing_method", entry.attrs.get("routing_method"),
                  f"Traffic Manager moves traffic when probes fail (TTL {ttl}, every {interval} s x {failures})")]
    if interval is None or str(entry.attrs.get("profile_monitor_status") or "").lower() == "disabled":
        return _manual(ctx, entry, ttl, steps, f"{entry.name} does not monitor its endpoints")
    endpoints = [e for e in entry.attrs.get("endpoints") or [] if str(e.get("status") or "Enabled").lower() == "enabled"]
    if method == "priority" and endpoints:
        deciding = [min(endpoints, key=lambda e: e.get("priority") if e.get("priority") is not None else 1_000)]
    else:
        deciding = endpoints
    for endpoint in deciding:
        unprobed = str(endpoint.get("always_serve") or "").lower() == "enabled" or \
            str(endpoint.get("monitor_status") or "").lower() in UNPROBED_TM_STATUS
        if unprobed:
            return _manual(ctx, entry, ttl, steps, f"endpoint {endpoint.get('name')} of {entry.name} is not probed "
                                                   f"(alwaysServe {endpoint.get('always_serve')}, monitor status "
                                                   f"{endpoint.get('monitor_status')})")
    figures = [_observed_or(ctx, ttl, "traffic_seconds.dns_default_ttl", f"{entry.name} TTL", entry.id),
               _observed_or(ctx, interval * max(1, failures) if failures is not None else None,
                            "traffic_seconds.health_check_interval", f"{entry.name} probes x tolerated failures", entry.id)]
    return figures, True, steps


def _cloud_dns_switch(ctx: DrContext, entry: Resource) -> tuple[list[Figure], bool, list[Step]]:
    """Cloud DNS answers from a primary-backup policy's primary targets while their health checks
    pass, and from each geo / weighted item whose health-checked targets are healthy. Items
    without health-checked targets are always answered, so traffic does not move away from them."""
    ttl, policy = entry.attrs.get("ttl"), entry.attrs.get("routing_policy")
    steps = [Step(entry.id, "routing_policy", policy, f"Cloud DNS record set {entry.attrs.get('name') or entry.name}")]
    if policy == "primary_backup":
        automatic = entry.attrs.get("primary_health_checked") is True
        why = "its primary targets are not health-checked"
    elif policy in ("geo", "weighted"):
        items = entry.attrs.get("items") or []
        automatic = bool(items) and all(i.get("health_checked") for i in items)
        why = "not every item has health-checked targets"
    else:
        automatic, why = False, "a record set without a routing policy"
    if not automatic:
        return _manual(ctx, entry, ttl, steps, f"{entry.name}: {why}")
    count = ctx.assumptions.get("traffic_count.health_check_failure_threshold")
    detection = assumed(ctx, "traffic_seconds.health_check_interval", f"{entry.name} health check (not in inventory)")
    return [_observed_or(ctx, ttl, "traffic_seconds.dns_default_ttl", f"{entry.name} TTL", entry.id),
            Figure(detection.label + f" x {count:g} failures (assumed)", detection.seconds * count, "assumed", detection.source)], \
        True, steps + [Step(entry.id, "health_checked", True, "health-checked targets decide the answers")]


def entry_switch_time(ctx: DrContext, entry: Resource) -> tuple[list[Figure], bool, list[Step]]:
    """(figures, automatic, evidence) for moving the traffic of one DNS entry to its standby."""
    if entry.kind == TRAFFIC_MANAGER:
        return _traffic_manager_switch(ctx, entry)
    if entry.kind == CLOUD_DNS:
        return _cloud_dns_switch(ctx, entry)
    return _route53_switch(ctx, entry)


def _switch_key(ctx: DrContext, entry: Resource) -> str:
    """Entries that switch together (the records of one Route 53 name) are judged once."""
    return record_group(ctx, entry)[0].id


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
    for entry in {_switch_key(ctx, e): e for e in entries}.values():
        figures, automatic, steps = entry_switch_time(ctx, entry)
        seconds = sum(f.seconds for f in figures)
        if worst is None or seconds > worst[0]:
            worst = (seconds, figures, not automatic, steps)
    return worst


def _location_failed(scenario: "Scenario", provider: str, account: str, region: str) -> bool:
    d = scenario.disruption
    return (d == "region_loss" and region == scenario.region) or (d == "provider_loss" and provider == scenario.provider) \
        or (d == "account_compromise" and account == scenario.account)


def _regions(ctx: DrContext, entry: Resource) -> set[str]:
    """Regions a DNS entry sends traffic to: its targets' regions, a latency record's Region
    field, a Cloud DNS geo item's location (not the SetIdentifier, which is only a label)."""
    regions = {t.region for t in ctx.graph.related(entry.id, "routes_to")}
    if entry.attrs.get("latency_region"):
        regions.add(str(entry.attrs["latency_region"]))
    regions |= {str(i.get("location")) for i in entry.attrs.get("items") or [] if i.get("location")}
    return regions - {"", "global"}


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
        if entry.kind == TRAFFIC_MANAGER:
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
        if entry.kind == CLOUD_DNS:
            policy = entry.attrs.get("routing_policy")
            regions = _regions(ctx, entry)
            if policy in ("geo", "weighted") and len(regions) >= 2:
                return "multi_active", [Step(entry.id, "routing_policy", policy,
                                             f"{entry.name}: answers spread over {len(regions)} regions")]
            if policy == "primary_backup":
                pattern = pattern or "failover"
                steps.append(Step(entry.id, "routing_policy", policy, f"{entry.name}: primary-backup routing"))
            continue
        by_name[_name(entry)].append(entry)
    for name, records in sorted(by_name.items()):
        group = {r.id: r for entry in records for r in record_group(ctx, entry)}.values()
        policies = {str(r.attrs.get("routing_policy") or "simple").lower() for r in group}
        regions = set().union(*(_regions(ctx, r) for r in group))
        if policies & MULTI_ACTIVE_POLICIES and len(group) >= 2 and len(regions) >= 2:
            return "multi_active", [Step(sorted(r.id for r in group)[0], "routing_policy", sorted(policies),
                                         f"{name}: {len(group)} records spread traffic over {len(regions)} regions")]
        if "failover" in policies:
            checked = [r for r in group if health_check_of(ctx, r) is not None]
            roles = {str(r.attrs.get("failover") or "").upper() for r in checked}
            both = {"PRIMARY", "SECONDARY"} <= roles
            pattern = "failover_both_healthy" if both else (pattern or "failover")
            steps.append(Step(sorted(r.id for r in group)[0], "failover", sorted(roles),
                              f"{name}: failover routing, " + ("both records health-checked" if both else
                                                               "PRIMARY health-checked, SECONDARY not (Route 53 treats it as healthy)"
                                                               if "PRIMARY" in roles else "the PRIMARY is not health-checked")))
    return pattern, steps


def dns_failover_ok(ctx: DrContext, scope: AppScope) -> tuple[bool | None, str, list[Step]]:
    """Every DNS entry of the app fails over by itself (health checks on the records that decide:
    a failover PRIMARY, every latency/weighted record, monitored Traffic Manager endpoints, Cloud
    DNS health-checked targets) with a TTL of at most dns_failover_max_ttl_seconds."""
    entries = dns_entries(ctx, scope)
    if not entries:
        return None, "no DNS record or Traffic Manager profile for the app's entrypoints in the inventory", []
    limit = ctx.assumptions.get("dns_failover_max_ttl_seconds")
    steps, unknown = [], []
    groups = {_switch_key(ctx, e): e for e in entries}
    for entry in groups.values():
        _, automatic, switch_steps = entry_switch_time(ctx, entry)
        ttls = [t for t in (record_ttl(r) for r in record_group(ctx, entry)) if t is not None]
        ttl = max(ttls) if ttls else None
        steps.append(Step(entry.id, "ttl", ttl, f"TTL {ttl}, fails over automatically: {'yes' if automatic else 'no'}"))
        if not automatic:
            return False, switch_steps[-1].inference, steps + switch_steps[-1:]
        if ttl is None:
            unknown.append(entry.name)
        elif ttl > limit:
            return False, f"{entry.name} TTL {ttl} s > {limit:g} s", steps
    if unknown:
        return None, f"TTL of {', '.join(unknown)} not in the inventory", steps
    return True, f"{len(groups)} DNS entr{'y' if len(groups) == 1 else 'ies'} fail over on health checks with TTL <= {limit:g} s", steps


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
        checked = health_check_of(ctx, entry) is not None or entry.attrs.get("monitor_interval_s") is not None or (
            entry.kind in (ROUTE53, CLOUD_DNS) and entry_switch_time(ctx, entry)[1])  # its record set fails over on health checks
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

