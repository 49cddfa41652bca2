"""Build the one report context (a plain dict) that every output renders: the terminal
summary, JSON, CSV, HTML and PDF all read the same figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Any

from drscan import __version__
from drscan.config import Config
from drscan.engine.loader import RuleSet
from drscan.model import CATEGORIES, SEVERITIES, SEVERITY_RANK, Scan, Status
from drscan.report.coverage import control_statuses

STATUS_ORDER = {Status.FAIL: 0, Status.NOT_ASSESSED: 1, Status.PASS: 2}
APP_RELATION = "member_of_app"


def _counts(statuses: Counter) -> dict[str, int]:
    return {s.value: statuses.get(s.value, 0) for s in Status}


def apps_by_resource(scan: Scan) -> dict[str, list[str]]:
    apps: dict[str, list[str]] = defaultdict(list)
    for relation in scan.relations:
        if relation.type == APP_RELATION:
            apps[relation.source].append(relation.target.removeprefix("app:"))
    return apps


def build_context(scan: Scan, rules: RuleSet, config: Config, fail_on: str, exit_code: int,
                  generated_at: str | None = None) -> dict[str, Any]:
    resources = {r.id: r for r in scan.resources}
    rules_by_id = {r.id: r for r in rules.rules}
    apps_of = apps_by_resource(scan)
    ordered = sorted(scan.findings, key=lambda f: (STATUS_ORDER[f.status], SEVERITY_RANK.get(f.severity, 9), f.rule_id, f.resource_id))
    findings = []
    for f in ordered:
        rule = rules_by_id.get(f.rule_id)
        resource = resources.get(f.resource_id)
        findings.append({
            "rule_id": f.rule_id, "rule_version": f.rule_version, "title": rule.title if rule else f.rule_id,
            "status": f.status.value, "severity": f.severity, "category": f.category,
            "resource_id": f.resource_id, "resource_name": resource.name if resource else f.resource_id,
            "resource_kind": f.resource_kind, "provider": f.provider, "account": f.account, "region": f.region,
            "apps": apps_of.get(f.resource_id, []), "controls": list(f.controls),
            "evidence": [{"path": e.path, "value": e.value} for e in f.evidence], "reason": f.reason,
            "remediation": rule.remediation if rule else "", "source": resource.source if resource else "",
        })

    by_severity: dict[str, Counter] = {s: Counter() for s in SEVERITIES}
    by_category: dict[str, Counter] = {c: Counter() for c in CATEGORIES}
    by_provider: dict[str, Counter] = defaultdict(Counter)
    by_app: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    passes: Counter = Counter()
    for f in scan.findings:
        totals[f.status.value] += 1
        by_severity[f.severity][f.status.value] += 1
        by_category[f.category][f.status.value] += 1
        by_provider[f.provider][f.status.value] += 1
        for app in apps_of.get(f.resource_id, ()):
            by_app[app][f.status.value] += 1
        if f.status is Status.PASS:
            passes[f.rule_id] += 1
    resources_per_provider = Counter(r.provider for r in scan.resources)
    resources_per_app = Counter(app for names in apps_of.values() for app in names)

    frameworks = []
    for catalogue in rules.catalogues.values():
        statuses = control_statuses(catalogue, rules, scan.findings)
        themes: dict[str, dict] = {}
        for cs in statuses:
            theme = themes.setdefault(cs.control.theme_id, {"id": cs.control.theme_id, "name": cs.control.theme_name, "controls": []})
            theme["controls"].append({"id": cs.control.id, "title": cs.control.title, "coverage": cs.coverage,
                                      "status": cs.status, "rules": list(cs.rules), "counts": cs.counts})
        coverage = Counter(cs.coverage for cs in statuses)
        status = Counter(cs.status for cs in statuses)
        frameworks.append({
            "id": catalogue.framework, "title": catalogue.title, "version": catalogue.version,
            "summary": {"controls": len(statuses), "automated": coverage["automated"], "manual": coverage["manual"],
                        "not_covered": coverage["not_covered"], "pass": status["pass"], "fail": status["fail"],
                        "not_assessed": status["not_assessed"]},
            "themes": list(themes.values()),
        })

    scope = dict(scan.scope)
    scope.setdefault("providers", sorted(resources_per_provider))
    scope.setdefault("accounts", sorted({r.account for r in scan.resources if r.account}))
    scope.setdefault("regions", sorted({r.region for r in scan.resources if r.region}))
    started = datetime.fromisoformat(scan.started_at.replace("Z", "+00:00"))
    finished = datetime.fromisoformat(scan.finished_at.replace("Z", "+00:00"))
    return {
        "title": "drscan compliance & DR readiness report",
        "organization": config.organization or scope.get("name") or "",
        "generated_at": generated_at or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "drscan_version": scan.drscan_version or __version__,
        "scan": {
            "id": scan.id, "started_at": scan.started_at, "finished_at": scan.finished_at,
            "duration_s": round((finished - started).total_seconds(), 2), "sources": list(scan.sources),
            "scope": scope, "as_of": scope.get("as_of", scan.started_at),
            "resource_count": len(scan.resources), "relation_count": len(scan.relations), "rule_count": len(rules.rules),
            "rules_digest": scan.rules_digest, "fail_on": fail_on, "exit_code": exit_code,
        },
        "totals": _counts(totals),
        "by_severity": [{"severity": s, **_counts(c)} for s, c in by_severity.items()],
        "by_category": [{"category": k, **_counts(c)} for k, c in by_category.items() if sum(c.values())],
        "by_provider": [{"provider": p, "resources": resources_per_provider[p], **_counts(by_provider[p])}
                        for p in sorted(resources_per_provider)],
        "frameworks": frameworks,
        "apps": [{"name": a.name, "tier": a.tier, "owner": a.owner or "", "rpo": a.rpo or "", "rto": a.rto or "",
                  "resources": resources_per_app.get(a.name, 0), **_counts(by_app.get(a.name, Counter()))} for a in config.apps],
        "findings": findings,
        "pass_summary": [{"rule_id": rid, "title": rules_by_id[rid].title if rid in rules_by_id else rid,
                          "severity": rules_by_id[rid].severity if rid in rules_by_id else "", "count": n}
                         for rid, n in sorted(passes.items())],
        "gaps": [{"provider": g.provider, "account": g.account, "region": g.region, "service": g.service,
                  "operation": g.operation, "code": g.code, "message": g.message, "resource_id": g.resource_id}
                 for g in scan.gaps],
        "rules": [{"id": r.id, "version": r.version, "title": r.title, "severity": r.severity, "category": r.category,
                   "kinds": list(r.kinds), "controls": list(r.controls)} for r in rules.rules],
    }
