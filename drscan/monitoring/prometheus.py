"""Prometheus evidence -> drscan Resources (collect stage, pure transforms): alerting rules from
rule files or GET /api/v1/rules, the server's scrape and evaluation intervals from prometheus.yml
or GET /api/v1/status/config, scrape targets (GET /api/v1/targets), active alerts
(GET /api/v1/alerts) and observed replica lag (GET /api/v1/query). Rule files and the API give
the same normalized attributes, so an import and a live read of one server agree."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any, Iterable
from urllib.parse import parse_qs, urlparse

from drscan.model import Resource
from drscan.monitoring.durations import duration_seconds
from drscan.monitoring.promql import PromqlError, selectors

PROVIDER = "monitoring"
RULE = "monitoring.prometheus.alert_rule"
SERVER = "monitoring.prometheus.server"
TARGET = "monitoring.prometheus.target"
ALERT = "monitoring.prometheus.alert"
REPLICA_LAG = "monitoring.prometheus.replica_lag"
KINDS = (RULE, SERVER, TARGET, ALERT, REPLICA_LAG)
DEFAULT_INTERVAL_SECONDS = 60.0  # Prometheus' default scrape_interval and evaluation_interval (1m)
CHECK_ANNOTATION = "drscan_check"  # lets a user classify an alert drscan does not recognize


def _resource(kind: str, rid: str, name: str, server: str, attrs: dict, source: str) -> Resource:
    return Resource(kind=kind, id=rid, name=name, provider=PROVIDER, account=server, region="", attrs=attrs, source=source)


def _strings(mapping: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (mapping or {}).items()} if isinstance(mapping, dict) else {}


def alert_rule_attrs(rule: dict, group: dict, file: str, server: str) -> dict[str, Any]:
    """One alerting rule, from a rule file (`alert`, `expr`, `for`) or the API (`name`, `query`,
    `duration` in seconds). Absent `for` means 0: the alert fires on the first evaluation."""
    expr = str(rule.get("expr", rule.get("query", "")))
    try:
        found = [s.as_dict() for s in selectors(expr)]
        error = None
    except PromqlError as exc:
        found, error = None, str(exc)
    pending = rule.get("for", rule.get("duration"))
    annotations = _strings(rule.get("annotations"))
    attrs: dict[str, Any] = {
        "name": str(rule.get("alert", rule.get("name", ""))), "group": str(group.get("name", "")), "file": file,
        "expr": expr, "for_seconds": duration_seconds(pending) if pending is not None else 0.0,
        "keep_firing_for_seconds": duration_seconds(rule.get("keep_firing_for", rule.get("keepFiringFor"))) or 0.0,
        "labels": _strings(rule.get("labels")), "annotations": annotations,
        # A rule file has the group's own interval (absent: the server's evaluation_interval applies);
        # the API reports the interval in effect.
        "group_interval_seconds": duration_seconds(group.get("interval")) or None,
        "selectors": found, "expr_error": error, "server": server,
        "check": annotations.get(CHECK_ANNOTATION),
    }
    if "state" in rule:  # the API adds the rule's live state and its active alerts
        attrs.update(state=rule.get("state"), health=rule.get("health"), last_error=rule.get("lastError") or None,
                     active_labels=[_strings(a.get("labels")) for a in rule.get("alerts") or [] if isinstance(a, dict)])
    return attrs


def rule_resources(groups: Iterable[dict], file: str, server: str, source: str) -> list[Resource]:
    """Alerting rules of a rule file's (or the API's) groups; recording rules are not alerts."""
    found = []
    for group in groups:
        if not isinstance(group, dict):
            continue
        group_file = PurePosixPath(str(group.get("file") or file)).name
        for index, rule in enumerate(group.get("rules") or []):
            if not isinstance(rule, dict) or not (rule.get("alert") or rule.get("type") == "alerting"):
                continue
            attrs = alert_rule_attrs(rule, group, group_file, server)
            rid = f"prometheus:{server}:{group_file}:{attrs['group']}#{index}:{attrs['name']}"
            found.append(_resource(RULE, rid, attrs["name"], server, attrs, f"{source}#group {attrs['group']} rule {index + 1}"))
    return found


def server_resource(config: dict, server: str, source: str) -> Resource:
    """prometheus.yml (or /api/v1/status/config's `yaml`): the intervals that bound detection time."""
    glob = config.get("global") or {}
    scrape = duration_seconds(glob.get("scrape_interval"))
    evaluation = duration_seconds(glob.get("evaluation_interval"))
    jobs = {}
    for job in config.get("scrape_configs") or []:
        if isinstance(job, dict) and job.get("job_name"):
            jobs[str(job["job_name"])] = duration_seconds(job.get("scrape_interval")) or scrape or DEFAULT_INTERVAL_SECONDS
    attrs = {"scrape_interval_seconds": scrape or DEFAULT_INTERVAL_SECONDS, "scrape_interval_default": scrape is None,
             "evaluation_interval_seconds": evaluation or DEFAULT_INTERVAL_SECONDS,
             "evaluation_interval_default": evaluation is None, "job_scrape_intervals": jobs,
             "rule_files": [str(f) for f in config.get("rule_files") or []], "server": server}
    return _resource(SERVER, f"prometheus:{server}", f"prometheus {server}", server, attrs, source)


def probe_target(target: dict) -> str | None:
    """What a blackbox-style target probes: its `target` URL parameter, if any."""
    discovered = target.get("discoveredLabels") or {}
    if discovered.get("__param_target"):
        return str(discovered["__param_target"])
    params = parse_qs(urlparse(str(target.get("scrapeUrl") or "")).query)
    return params["target"][0] if params.get("target") else None


def target_resources(data: dict, server: str, source: str) -> list[Resource]:
    found = []
    for index, target in enumerate(data.get("activeTargets") or []):
        if not isinstance(target, dict):
            continue
        labels = _strings(target.get("labels"))
        discovered = target.get("discoveredLabels") or {}
        interval = duration_seconds(target.get("scrapeInterval") or discovered.get("__scrape_interval__"))
        attrs = {"job": labels.get("job"), "instance": labels.get("instance"), "labels": labels,
                 "scrape_pool": target.get("scrapePool"), "scrape_url": target.get("scrapeUrl"),
                 "probe_target": probe_target(target), "health": target.get("health"),
                 "scrape_interval_seconds": interval, "last_scrape": target.get("lastScrape"),
                 "last_error": target.get("lastError") or None, "server": server}
        name = attrs["probe_target"] or labels.get("instance") or str(target.get("scrapeUrl"))
        rid = f"prometheus:{server}:target:{target.get('scrapePool')}:{name}"
        found.append(_resource(TARGET, rid, name, server, attrs, f"{source}#target {index + 1}"))
    return found


def alert_resources(data: dict, server: str, source: str) -> list[Resource]:
    found = []
    for index, alert in enumerate(data.get("alerts") or []):
        if not isinstance(alert, dict):
            continue
        labels = _strings(alert.get("labels"))
        name = labels.get("alertname", f"alert {index + 1}")
        key = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        attrs = {"alertname": name, "labels": labels, "state": alert.get("state"), "active_at": alert.get("activeAt"),
                 "server": server}
        found.append(_resource(ALERT, f"prometheus:{server}:alert:{key}", name, server, attrs, f"{source}#alert {index + 1}"))
    return found


def replica_lag_resources(metric: str, result: list, server: str, window: str, source: str) -> list[Resource]:
    """Instant-vector result of max_over_time(<metric>[window]): the worst lag per series."""
    found = []
    for item in result or []:
        if not isinstance(item, dict):
            continue
        labels = _strings(item.get("metric"))
        try:
            value = float((item.get("value") or [None, None])[1])
        except (TypeError, ValueError):
            continue
        key = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        attrs = {"metric": metric, "labels": labels, "max_seconds": value, "window": window, "server": server,
                 "query": f"max_over_time({metric}[{window}])"}
        found.append(_resource(REPLICA_LAG, f"prometheus:{server}:lag:{metric}{{{key}}}", f"{metric}{{{key}}}", server,
                               attrs, source))
    return found
