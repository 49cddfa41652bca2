"""Per-application monitoring checks (evaluate stage, pure): is each entrypoint probed and alerted
on, is there an alert on the age of the app's backups and on its replicas' lag, does every such
alert route through Alertmanager to a paging receiver, and how long until an outage pages
someone (alert `for:` + rule evaluation interval + scrape interval). Reads the monitoring
resources of the graph (drscan.monitoring.prometheus, .imports) and the app's DR scope."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable
from urllib.parse import urlparse

from drscan.dr.model import Figure, Mechanism
from drscan.dr.scope import AppScope, DrContext
from drscan.model import Resource
from drscan.monitoring.alertmanager import RoutingTree, route_alert
from drscan.monitoring.catalogue import APP_LABELS, TARGET_LABELS, classify
from drscan.monitoring.imports import ALERTMANAGER
from drscan.monitoring.prometheus import RULE, SERVER, TARGET
from drscan.monitoring.promql import Selector

_AGGREGATED = re.compile(r"\b(sum|avg|min|max|count|group|topk|bottomk|quantile|stddev|stdvar|count_values)\b\s*(by|without|\()",
                         re.I)


@dataclass(frozen=True)
class Rule:
    """An alerting rule as the checks see it."""

    resource: Resource
    selectors: tuple[Selector, ...]
    kinds: frozenset[str] = frozenset()  # endpoint | backup_age | replica_lag

    @property
    def name(self) -> str:
        return str(self.resource.attrs.get("name"))

    @property
    def attrs(self):
        return self.resource.attrs

    def checks(self) -> frozenset[str]:
        return self.kinds


def _kinds(resource: Resource, selectors: tuple[Selector, ...]) -> frozenset[str]:
    declared = resource.attrs.get("check")
    if declared:
        return frozenset({str(declared)})
    return frozenset(c for s in selectors for m in s.metric_names() if (c := classify(m)))


def monitoring_rules(ctx: DrContext) -> list[Rule]:
    rules = []
    for resource in ctx.index.kind(RULE):
        found = resource.attrs.get("selectors")
        if found is None:
            continue  # an expression drscan could not read (expr_error): it cannot be credited
        selectors = tuple(Selector.from_dict(s) for s in found)
        rules.append(Rule(resource, selectors, _kinds(resource, selectors)))
    return rules


@dataclass(frozen=True)
class MonitoringIndex:
    """The scan's monitoring resources, read once per assessment (not once per app)."""

    rules: list[Rule]
    targets: list[Resource]
    trees: list[RoutingTree]
    servers: dict[str, Resource]
    by_check: dict[str, list[Rule]]
    targets_by_host: dict[str, list[Resource]]


def monitoring_index(ctx: DrContext) -> MonitoringIndex:
    rules = monitoring_rules(ctx)
    by_check: dict[str, list[Rule]] = {}
    for rule in rules:
        for check in rule.kinds:
            by_check.setdefault(check, []).append(rule)
    return MonitoringIndex(rules=rules, targets=list(ctx.index.kind(TARGET)),
                           trees=[RoutingTree.of(dict(c.attrs)) for c in ctx.index.kind(ALERTMANAGER)],
                           servers={str(s.attrs.get("server")): s for s in ctx.index.kind(SERVER)}, by_check=by_check,
                           targets_by_host=_by_host(ctx.index.kind(TARGET)))


def _by_host(targets: list[Resource]) -> dict[str, list[Resource]]:
    found: dict[str, list[Resource]] = {}
    for target in targets:
        found.setdefault(target_host(target), []).append(target)
    return found


def host_of(text: str) -> str:
    """'https://api.example.com:443/health' / 'api.example.com:9115' / 'api.example.com.' -> 'api.example.com'."""
    value = str(text).strip().lower()
    if "://" in value:
        value = urlparse(value).hostname or ""
    value = value.split("/", 1)[0]
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def entrypoint_hosts(ctx: DrContext, entrypoint: str) -> set[str]:
    hosts = {host_of(entrypoint)}
    for resource in ctx.index.resolve(entrypoint):
        for value in (resource.attrs.get("name"), resource.attrs.get("dns_name"), resource.attrs.get("fqdn"), resource.name):
            if value:
                hosts.add(host_of(str(value)))
    return {h for h in hosts if h}


def target_host(target: Resource) -> str:
    return host_of(str(target.attrs.get("probe_target") or target.attrs.get("instance") or ""))


def _series_labels(target: Resource, metric: str) -> dict[str, str]:
    labels = dict(target.attrs.get("labels") or {})
    labels["__name__"] = metric
    return labels


def _selects(selector: Selector, labels: dict[str, str]) -> bool:
    return all(m.matches(labels) is True for m in selector.matchers if m.name != "__name__")


def _names_host(selector: Selector, hosts: set[str]) -> bool:
    """Without targets: a matcher on an instance/target label that names the entrypoint."""
    for matcher in selector.matchers:
        if matcher.name not in TARGET_LABELS or matcher.op not in ("=", "=~"):
            continue
        if matcher.op == "=" and host_of(matcher.value) in hosts:
            return True
        if matcher.op == "=~" and any(m in (matcher.value.replace("\\.", ".")) for m in hosts):
            return True
    return False


@dataclass(frozen=True)
class Coverage:
    """An endpoint alert covering one entrypoint (through a known target, or by naming it)."""

    rule: Rule
    target: Resource | None


def _endpoint_coverage(rules: list[Rule], matching: list[Resource], hosts: set[str]) -> list[Coverage]:
    """Endpoint alerts covering the entrypoint `hosts`, given the targets that address them."""
    found = []
    for rule in rules:
        if "endpoint" not in rule.checks():
            continue
        for selector in rule.selectors:
            metrics = selector.metric_names()
            if not any(m in ("probe_success", "up") for m in metrics) and rule.attrs.get("check") != "endpoint":
                continue
            metric = metrics[0] if metrics else "up"
            covered = [t for t in matching if _selects(selector, _series_labels(t, metric))]
            found.extend(Coverage(rule, t) for t in covered)
            if not covered and _names_host(selector, hosts):
                found.append(Coverage(rule, None))
    return found


def _generic_endpoint_rules(rules: list[Rule]) -> list[Rule]:
    """Endpoint alerts that may cover any target: no matcher pins the instance/target label."""
    return [r for r in rules if "endpoint" in r.checks() and any(
        not any(m.name in TARGET_LABELS and m.op in ("=", "=~") for m in s.matchers) for s in r.selectors)]


def names_app(rule: Rule, names: set[str]) -> bool | None:
    """Is this backup/lag alert about the app? By an app label, or a matcher value naming the app
    or one of its data stores. None: the alert is not scoped at all (covers every series)."""
    labels = rule.attrs.get("labels") or {}
    if any(str(labels.get(k, "")).lower() in names for k in APP_LABELS):
        return True
    relevant = [s for s in rule.selectors if any(classify(m) for m in s.metric_names()) or rule.attrs.get("check")]
    scoped = False
    for selector in relevant:
        for matcher in selector.matchers:
            if matcher.name == "__name__" or matcher.op in ("!=", "!~"):
                continue
            scoped = True
            value = matcher.value.lower()
            if matcher.op == "=":
                if value in names or any(value.startswith(n + sep) for n in names for sep in "-_./"):
                    return True
            elif any(matcher.matches({matcher.name: n}) for n in names):
                return True
    return False if scoped else None


def _app_names(scope: AppScope) -> set[str]:
    names = {scope.name.lower()}
    for store in list(scope.data_stores) + list(scope.replicas):
        names.add(store.name.lower())
        names.add(store.id.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower())
    return {n for n in names if n}


def _alert_labels(rule: Rule, target: Resource | None) -> list[dict[str, str]]:
    """The label sets this alert fires with: the live alerts' own, else series labels (when the
    expression keeps them) overridden by the rule's labels, plus alertname."""
    active = rule.attrs.get("active_labels") or []
    if active:
        return [dict(a) for a in active]
    labels: dict[str, str] = {}
    expr = str(rule.attrs.get("expr") or "")
    if not _AGGREGATED.search(expr):
        if target is not None:
            labels.update({k: v for k, v in (target.attrs.get("labels") or {}).items() if not k.startswith("__")})
        for selector in rule.selectors:
            labels.update({m.name: m.value for m in selector.matchers if m.op == "=" and m.name != "__name__"})
    labels.update(rule.attrs.get("labels") or {})
    labels["alertname"] = rule.name
    return [labels]


def _pages(configs: list[RoutingTree], rule: Rule, target: Resource | None) -> tuple[bool | None, str]:
    verdicts, reasons = [], []
    for labels in _alert_labels(rule, target):
        outcomes = [route_alert(c, labels) for c in configs]
        paging = [o for o in outcomes if o.paging]
        if paging:
            verdicts.append(True)
            reasons.append(paging[0].reason)
        elif any(o.paging is None for o in outcomes):
            verdicts.append(None)
            reasons.append(next(o.reason for o in outcomes if o.paging is None))
        else:
            verdicts.append(False)
            reasons.append(outcomes[0].reason if outcomes else "no route")
    verdict = False if False in verdicts else None if None in verdicts else True
    return verdict, f"{rule.name}: " + "; ".join(dict.fromkeys(reasons))


def _detection(ctx: DrContext, coverage: Coverage, servers: dict[str, Resource]) -> tuple[float, list[Figure]]:
    rule = coverage.rule
    server = servers.get(str(rule.attrs.get("server")))
    figures = [Figure(f"alert {rule.name} for:", float(rule.attrs.get("for_seconds") or 0.0), "observed", rule.resource.id)]
    interval = rule.attrs.get("group_interval_seconds")
    if interval:
        figures.append(Figure(f"evaluation interval of group {rule.attrs.get('group')}", float(interval), "observed",
                              rule.resource.id))
    elif server is not None:
        figures.append(Figure("rule evaluation interval", float(server.attrs["evaluation_interval_seconds"]), "observed",
                              server.id))
    else:
        key = "monitoring_seconds.evaluation_interval"
        figures.append(Figure("rule evaluation interval (Prometheus default)", ctx.assumptions.get(key), "assumed", key))
    target = coverage.target
    scrape = target.attrs.get("scrape_interval_seconds") if target is not None else None
    if scrape:
        figures.append(Figure(f"scrape interval of {target.name}", float(scrape), "observed", target.id))
    elif server is not None:
        job = (target.attrs.get("job") if target is not None else None) or ""
        seconds = (server.attrs.get("job_scrape_intervals") or {}).get(job) or server.attrs["scrape_interval_seconds"]
        figures.append(Figure("scrape interval", float(seconds), "observed", server.id))
    else:
        key = "monitoring_seconds.scrape_interval"
        figures.append(Figure("scrape interval (Prometheus default)", ctx.assumptions.get(key), "assumed", key))
    return sum(f.seconds for f in figures), figures


def _all(values: Iterable[bool | None]) -> bool | None:
    values = list(values)
    if not values:
        return None
    return False if False in values else None if None in values else True


def monitoring_checks(ctx: DrContext, scope: AppScope, mechanisms: dict[str, tuple[Mechanism, ...]],
                      index: MonitoringIndex | None = None) -> dict[str, Any]:
    """The `dr.monitoring.*` attributes of the app resource (None = could not tell, with a reason).
    `index`: monitoring_index(ctx), built once when many apps are assessed."""
    index = index or monitoring_index(ctx)
    rules, targets, configs, servers = index.rules, index.targets, index.trees, index.servers
    app = scope.app
    has_replicas = any(m.kind == "async_replica" for found in mechanisms.values() for m in found)
    checks: dict[str, Any] = {"has_async_replicas": has_replicas, "alert_rules_seen": len(rules),
                              "targets_seen": len(targets), "alertmanager_configs_seen": len(configs)}
    no_rules = "no Prometheus alerting rules in the scan (import rule files or /api/v1/rules, or give --prometheus)"
    relevant: list[tuple[Rule, Resource | None]] = []

    # -- entrypoints: probed, alerted, detection time
    entrypoints = list(app.entrypoints) if app else []
    probed, alerted, detections, reasons_probe, reasons_alert, alert_names = [], [], [], [], [], set()
    worst: tuple[float, list[Figure]] | None = None
    for entrypoint in entrypoints:
        hosts = entrypoint_hosts(ctx, entrypoint)
        matching = [t for host in sorted(hosts) for t in index.targets_by_host.get(host, ())]
        if not targets:
            probed.append(None)
            reasons_probe.append(f"{entrypoint}: no scrape targets in the scan (/api/v1/targets)")
        elif matching:
            probed.append(True)
            reasons_probe.append(f"{entrypoint}: scraped as {', '.join(sorted(t.name for t in matching)[:3])}")
        else:
            probed.append(False)
            reasons_probe.append(f"{entrypoint}: no probe or scrape target addresses it")
        coverage = _endpoint_coverage(index.by_check.get("endpoint", []), matching, hosts)
        if coverage:
            alerted.append(True)
            names = sorted({c.rule.name for c in coverage})
            alert_names.update(names)
            reasons_alert.append(f"{entrypoint}: {', '.join(names)}")
            relevant.extend((c.rule, c.target) for c in coverage)
            best = min((_detection(ctx, c, servers) for c in coverage), key=lambda d: d[0])
            detections.append(best[0])
            if worst is None or best[0] > worst[0]:
                worst = best
        elif not rules:
            alerted.append(None)
            reasons_alert.append(no_rules)
        elif not targets and _generic_endpoint_rules(rules):
            alerted.append(None)
            reasons_alert.append(f"{entrypoint}: endpoint alerts exist ({', '.join(sorted({r.name for r in _generic_endpoint_rules(rules)})[:3])}) "
                                 "but without scrape targets drscan cannot tell whether they cover it")
        else:
            alerted.append(False)
            reasons_alert.append(f"{entrypoint}: no alert on probe_success or up selects it")
    none_declared = "the app declares no entrypoints in drscan.yaml"
    checks.update(
        entrypoints=entrypoints,
        entrypoints_probed=_all(probed), entrypoints_probed_reason="; ".join(reasons_probe) or none_declared,
        entrypoints_alerted=_all(alerted), entrypoints_alerted_reason="; ".join(reasons_alert) or none_declared,
        entrypoint_alerts=sorted(alert_names),
        detection_seconds=round(worst[0], 1) if worst else None,
        detection_basis=("assumed" if any(f.basis == "assumed" for f in worst[1]) else "observed") if worst else None,
        detection_figures=[f.as_dict() for f in worst[1]] if worst else [],
    )
    rto = app.rto_seconds if app else None
    checks["detection_within_rto"] = None if worst is None or rto is None else worst[0] <= rto

    # -- backup age and replica lag alerts scoped to this app
    names = _app_names(scope)
    for check, key in (("backup_age", "backup_age"), ("replica_lag", "replica_lag")):
        if check == "replica_lag" and not has_replicas:
            checks.update(replica_lag_alerted=None, replica_lag_alerted_reason="the app has no asynchronous replica",
                          replica_lag_alerts=[])
            continue
        candidates = index.by_check.get(check, [])
        scoped = [(r, names_app(r, names)) for r in candidates]
        chosen = [r for r, verdict in scoped if verdict is not False]
        if chosen:
            verdict, reason = True, ", ".join(sorted({r.name for r in chosen}))
            relevant.extend((r, None) for r in chosen)
        elif not rules:
            verdict, reason = None, no_rules
        else:
            verdict = False
            reason = (f"alerts on {check.replace('_', ' ')} exist ({', '.join(sorted({r.name for r in candidates})[:3])}) "
                      f"but none names {scope.name} or its data stores" if candidates
                      else f"no alert on a {check.replace('_', ' ')} metric")
        checks[f"{key}_alerted"] = verdict
        checks[f"{key}_alerted_reason"] = reason
        checks[f"{key}_alerts"] = sorted({r.name for r in chosen})

    # -- paging
    if not relevant:
        page, page_reason, unpaged = None, "no alert for the app to route", []
    elif not configs:
        page, page_reason, unpaged = None, "no Alertmanager configuration in the scan (alertmanager.yml, /api/v2/status or --alertmanager)", []
    else:
        results = {}
        for rule, target in relevant:
            results.setdefault((rule.resource.id, target.id if target else None), _pages(configs, rule, target))
        verdicts = [v for v, _ in results.values()]
        page = _all(verdicts)
        unpaged = sorted({reason.split(":", 1)[0] for v, reason in results.values() if v is not True})
        page_reason = "; ".join(dict.fromkeys(reason for v, reason in results.values() if v is not True)) or \
            "; ".join(dict.fromkeys(reason for _, reason in results.values()))
    checks.update(alerts_page=page, alerts_page_reason=page_reason, unpaged_alerts=unpaged)
    return checks


def detection_figures(checks: dict[str, Any]) -> tuple[Figure, ...]:
    """The detection figures of the worst entrypoint, for the RTO (empty when nothing alerts)."""
    return tuple(Figure(f["label"], f["seconds"], f["basis"], f["source"]) for f in checks.get("detection_figures") or ())

