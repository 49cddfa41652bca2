"""Build the one report context (a plain dict) that every output renders: the terminal
summary, JSON, CSV, HTML and PDF all read the same figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from drscan import __version__
from drscan.config import Config
from drscan.errors import InputError
from drscan.engine.loader import RuleSet
from drscan.model import CATEGORIES, SEVERITIES, SEVERITY_RANK, Scan, Status
from drscan.report.dr_section import dr_section
from drscan.report.coverage import WAIVED, control_statuses, rule_tallies

if TYPE_CHECKING:
    from drscan.assurance import Assurance, Attestation

STATUS_ORDER = {Status.FAIL.value: 0, Status.NOT_ASSESSED.value: 1, WAIVED: 2, Status.PASS.value: 3}
DEFAULT_EVIDENCE_TTL_DAYS = 7
APP_RELATION = "member_of_app"


def _counts(statuses: Counter) -> dict[str, int]:
    counts = {s.value: statuses.get(s.value, 0) for s in Status}
    if statuses.get(WAIVED):
        counts[WAIVED] = statuses[WAIVED]
    return counts


def _age_days(observed_at: str, now: datetime) -> float | None:
    if not observed_at:
        return None
    moment = datetime.fromisoformat(observed_at.replace("Z", "+00:00"))
    return round(max(0.0, (now - moment).total_seconds() / 86400), 2)


def apps_by_resource(scan: Scan) -> dict[str, list[str]]:
    apps: dict[str, list[str]] = defaultdict(list)
    for relation in scan.relations:
        if relation.type == APP_RELATION:
            apps[relation.source].append(relation.target.removeprefix("app:"))
    return apps


def build_context(scan: Scan, rules: RuleSet, config: Config, fail_on: str, exit_code: int,
                  generated_at: str | None = None, *, assurance: "Assurance | None" = None,
                  frameworks: tuple[str, ...] | None = None, now: datetime | None = None,
                  score_history: list[dict] | None = None, dr: bool = True) -> dict[str, Any]:
    """`assurance` (attestations and waivers) and `frameworks` (a subset, in order) are for
    evidence packs; without them the context is the plain scan report's. dr=False leaves out the
    DR chapter (`dr`, a DR assessment of every app: the costly part), for the outputs that do not
    show it (findings.json, findings.csv, the terminal summary); with_dr adds it later."""
    now = now or datetime.now(timezone.utc)
    resources = {r.id: r for r in scan.resources}
    rules_by_id = {r.id: r for r in rules.rules}
    apps_of = apps_by_resource(scan)
    waived: set[str] = set()
    waiver_hits: Counter = Counter()
    findings = []
    for f in scan.findings:
        rule = rules_by_id.get(f.rule_id)
        resource = resources.get(f.resource_id)
        name = resource.name if resource else f.resource_id
        observed = resource.observed_at if resource else ""
        status, waiver = f.status.value, None
        if assurance is not None and f.status is not Status.PASS:
            match = assurance.waiver_for(f.rule_id, f.resource_id, name)
            if match is not None:  # accepted, time-boxed: shown as WAIVED, never as PASS
                status, waiver = WAIVED, match.as_dict()
                waived.add(f"{f.rule_id}|{f.resource_id}")
                waiver_hits[match] += 1
        item = {
            "rule_id": f.rule_id, "rule_version": f.rule_version, "title": rule.title if rule else f.rule_id,
            "status": status, "severity": f.severity, "category": f.category,
            "resource_id": f.resource_id, "resource_name": name,
            "resource_kind": f.resource_kind, "provider": f.provider, "account": f.account, "region": f.region,
            "apps": apps_of.get(f.resource_id, []), "controls": list(f.controls),
            "evidence": [{"path": e.path, "value": e.value} for e in f.evidence], "reason": f.reason,
            "remediation": rule.remediation if rule else "", "source": resource.source if resource else "",
            "observed_at": observed, "evidence_age_days": _age_days(observed, now),
        }
        if waiver is not None:
            item["waiver"], item["original_status"] = waiver, f.status.value
        findings.append(item)
    findings.sort(key=lambda f: (STATUS_ORDER[f["status"]], SEVERITY_RANK.get(f["severity"], 9), f["rule_id"], f["resource_id"]))
    ages = {f"{f['rule_id']}|{f['resource_id']}": f["evidence_age_days"] for f in findings if f["evidence_age_days"] is not None}

    by_severity: dict[str, Counter] = {s: Counter() for s in SEVERITIES}
    by_category: dict[str, Counter] = {c: Counter() for c in CATEGORIES}
    by_provider: dict[str, Counter] = defaultdict(Counter)
    by_app: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    passes: Counter = Counter()
    for f in findings:
        totals[f["status"]] += 1
        by_severity[f["severity"]][f["status"]] += 1
        by_category[f["category"]][f["status"]] += 1
        by_provider[f["provider"]][f["status"]] += 1
        for app in f["apps"]:
            by_app[app][f["status"]] += 1
        if f["status"] == Status.PASS.value:
            passes[f["rule_id"]] += 1
    resources_per_provider = Counter(r.provider for r in scan.resources)
    resources_per_app = Counter(app for names in apps_of.values() for app in names)

    chosen = frameworks or tuple(rules.catalogues)
    unknown = [f for f in chosen if f not in rules.catalogues]
    if unknown:
        raise InputError(f"unknown framework {unknown[0]!r}; known: {', '.join(sorted(rules.catalogues))}")
    ttl = dict(config.evidence_ttl_days)
    framework_rows = []
    tallies = rule_tallies(scan.findings, waived=waived, ages=ages)  # once, not once per framework
    for framework_id in chosen:
        catalogue = rules.catalogues[framework_id]
        framework_ttl = ttl.get(framework_id, ttl.get("default", DEFAULT_EVIDENCE_TTL_DAYS))
        statuses = control_statuses(catalogue, rules, scan.findings, waived=waived, ages=ages,
                                    ttl_days=framework_ttl if assurance is not None else None, assurance=assurance,
                                    tallies=tallies)
        themes: dict[str, dict] = {}
        for cs in statuses:
            theme = themes.setdefault(cs.control.theme_id, {"id": cs.control.theme_id, "name": cs.control.theme_name, "controls": []})
            theme["controls"].append({
                "id": cs.control.id, "title": cs.control.title, "coverage": cs.coverage, "status": cs.status,
                "rules": list(cs.rules), "counts": cs.counts, "evidence_age_days_max": cs.evidence_age_days_max,
                "attestations": [_attestation(a, assurance) for a in cs.attestations]})
        coverage = Counter(cs.coverage for cs in statuses)
        status = Counter(cs.status for cs in statuses)
        summary = {"controls": len(statuses), "automated": coverage["automated"], "manual": coverage["manual"],
                   "not_covered": coverage["not_covered"], "pass": status["pass"], "fail": status["fail"],
                   "not_assessed": status["not_assessed"]}
        for extra in ("waived", "stale", "manual_attested", "manual_missing"):
            if status[extra]:
                summary[extra] = status[extra]
        framework_rows.append({"id": catalogue.framework, "title": catalogue.title, "version": catalogue.version,
                               "source": catalogue.source, "evidence_ttl_days": framework_ttl,
                               "summary": summary, "themes": list(themes.values())})

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
            "data_as_of": data_as_of(scope, scan.started_at),
            "resource_count": len(scan.resources), "relation_count": len(scan.relations), "rule_count": len(rules.rules),
            "rules_digest": scan.rules_digest, "fail_on": fail_on, "exit_code": exit_code,
        },
        "totals": _counts(totals),
        "by_severity": [{"severity": s, **_counts(c)} for s, c in by_severity.items()],
        "by_category": [{"category": k, **_counts(c)} for k, c in by_category.items() if sum(c.values())],
        "by_provider": [{"provider": p, "resources": resources_per_provider[p], **_counts(by_provider[p])}
                        for p in sorted(resources_per_provider)],
        "frameworks": framework_rows,
        "apps": [{"name": a.name, "tier": a.tier, "owner": a.owner or "", "rpo": a.rpo or "", "rto": a.rto or "",
                  "resources": resources_per_app.get(a.name, 0), **_counts(by_app.get(a.name, Counter()))} for a in config.apps],
        **({"dr": dr_section(scan, config, score_history)} if dr else {}),
        "findings": findings,
        "pass_summary": [{"rule_id": rid, "title": rules_by_id[rid].title if rid in rules_by_id else rid,
                          "severity": rules_by_id[rid].severity if rid in rules_by_id else "", "count": n}
                         for rid, n in sorted(passes.items())],
        "gaps": [{"provider": g.provider, "account": g.account, "region": g.region, "service": g.service,
                  "operation": g.operation, "code": g.code, "message": g.message, "resource_id": g.resource_id}
                 for g in scan.gaps],
        "rules": [{"id": r.id, "version": r.version, "title": r.title, "severity": r.severity, "category": r.category,
                   "kinds": list(r.kinds), "controls": list(r.controls)} for r in rules.rules],
        **(_assurance_keys(assurance, waiver_hits, framework_rows) if assurance is not None else {}),
    }


def with_dr(context: dict[str, Any], scan: Scan, config: Config, score_history: list[dict] | None = None) -> dict[str, Any]:
    """A context built with dr=False, completed with the DR chapter (the same dict build_context
    would have returned)."""
    if "dr" in context:
        return context
    keys = list(context)
    at = keys.index("findings")
    items = list(context.items())
    return dict(items[:at] + [("dr", dr_section(scan, config, score_history))] + items[at:])


def data_as_of(scope: dict[str, Any], started_at: str) -> dict[str, Any]:
    """When the scan's data was captured, as every report shows it ("data as of"): one moment, or
    the range when sources were captured at different times (a live scan and an old export),
    and what the ages were measured against."""
    span = scope.get("data_as_of") or {}
    oldest, newest = span.get("oldest"), span.get("newest")
    basis = span.get("basis") or scope.get("as_of_basis") or "scan time"
    as_of = scope.get("as_of") or started_at
    if basis == "--as-of":
        text = f"{as_of} (--as-of)"
    elif oldest and newest and oldest != newest:
        text = f"{oldest} to {newest} (each resource judged as of its capture time)"
    else:
        text = str(newest or as_of)
    return {"oldest": oldest, "newest": newest, "basis": basis, "as_of": as_of, "text": text}


def _attestation(attestation: "Attestation", assurance: "Assurance | None") -> dict[str, Any]:
    return {"control": attestation.control, "statement": attestation.statement, "owner": attestation.owner,
            "date": attestation.date.isoformat(), "expires": attestation.expires.isoformat(), "type": attestation.type,
            "valid": bool(assurance and attestation.valid_on(assurance.as_of)),
            "evidence": [{"name": e.name, "sha256": e.sha256, "size": e.size} for e in attestation.evidence]}


def _assurance_keys(assurance: "Assurance", waiver_hits: Counter, framework_rows: list[dict]) -> dict[str, Any]:
    return {
        "waivers": {"active": [dict(w.as_dict(), findings=waiver_hits.get(w, 0)) for w in assurance.active_waivers()],
                    "expired": [w.as_dict() for w in assurance.expired_waivers()]},
        "attestations": [_attestation(a, assurance) for a in assurance.attestations],
        "evidence_ttl_days": {f["id"]: f["evidence_ttl_days"] for f in framework_rows},
    }
