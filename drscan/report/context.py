"""Build the one report context (a plain dict) that every output renders: the terminal
summary, JSON, CSV, HTML and PDF all read the same figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timezone
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, Iterator

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


class FindingRows(Sequence):
    """The report rows of a scan's findings, in report order, built when read: iterating, indexing
    or slicing gives dicts, as a list of them would, without holding a dict per finding (a million
    findings with their evidence would be gigabytes). It reads like the list; to change rows,
    copy them (list(rows))."""

    def __init__(self, order: list[int], row: Callable[[int], dict[str, Any]]) -> None:
        self._order, self._row = order, row

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in self._order[index]]
        return self._row(self._order[index])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return map(self._row, self._order)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    def __add__(self, other: Sequence) -> list[dict[str, Any]]:
        return list(self) + list(other)

    def __radd__(self, other: Sequence) -> list[dict[str, Any]]:
        return list(other) + list(self)


def apps_by_resource(scan: Scan) -> dict[str, list[str]]:
    apps: dict[str, list[str]] = defaultdict(list)
    for relation in scan.relations:
        if relation.type == APP_RELATION:
            apps[relation.source].append(relation.target.removeprefix("app:"))
    return apps


def build_context(scan: Scan, rules: RuleSet, config: Config, fail_on: str, exit_code: int,
                  generated_at: str | None = None, *, assurance: "Assurance | None" = None,
                  frameworks: tuple[str, ...] | None = None, now: datetime | None = None,
                  score_history: list[dict] | None = None, dr: bool = True, lazy: bool = False) -> dict[str, Any]:
    """`assurance` (attestations and waivers) and `frameworks` (a subset, in order) are for
    evidence packs; without them the context is the plain scan report's. dr=False leaves out the
    DR chapter (`dr`, a DR assessment of every app: the costly part), for the outputs that do not
    show it (findings.json, findings.csv, the terminal summary); with_dr adds it later.
    lazy=True: `findings` is a FindingRows, each row built as it is read (a scan's outputs stream
    them), instead of a list holding a dict per finding."""
    now = now or datetime.now(timezone.utc)
    resources = {r.id: r for r in scan.resources}
    rules_by_id = {r.id: r for r in rules.rules}
    apps_of = apps_by_resource(scan)
    waived: set[str] = set()
    waiver_hits: Counter = Counter()
    waivers: dict[int, Any] = {}  # index in scan.findings -> the waiver it matched (packs only)
    if assurance is not None:
        for index, f in enumerate(scan.findings):
            if f.status is not Status.PASS:
                resource = resources.get(f.resource_id)
                match = assurance.waiver_for(f.rule_id, f.resource_id, resource.name if resource else f.resource_id)
                if match is not None:  # accepted, time-boxed: shown as WAIVED, never as PASS
                    waivers[index] = match
                    waived.add(f"{f.rule_id}|{f.resource_id}")
                    waiver_hits[match] += 1

    def status_of(index: int, f) -> str:
        return WAIVED if index in waivers else f.status.value

    # Counted from the Finding objects, not from their report rows: the rows (a dict per finding,
    # with its evidence) are built only as an output reads them (FindingRows).
    by_severity: dict[str, Counter] = {s: Counter() for s in SEVERITIES}
    by_category: dict[str, Counter] = {c: Counter() for c in CATEGORIES}
    by_provider: dict[str, Counter] = defaultdict(Counter)
    by_app: dict[str, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    passes: Counter = Counter()
    oldest: dict[str, float] = {}  # rule id -> the oldest evidence among its findings, in days
    age_of: dict[str, float | None] = {}  # observed_at -> age in days (few distinct capture times)
    for index, f in enumerate(scan.findings):
        status = status_of(index, f)
        totals[status] += 1
        by_severity[f.severity][status] += 1
        by_category[f.category][status] += 1
        by_provider[f.provider][status] += 1
        for app in apps_of.get(f.resource_id, ()):
            by_app[app][status] += 1
        if status == Status.PASS.value:
            passes[f.rule_id] += 1
        resource = resources.get(f.resource_id)
        if resource is not None and resource.observed_at:
            if resource.observed_at not in age_of:
                age_of[resource.observed_at] = _age_days(resource.observed_at, now)
            age = age_of[resource.observed_at]
            if age is not None and age >= oldest.get(f.rule_id, 0.0):
                oldest[f.rule_id] = age

    def row(index: int) -> dict[str, Any]:
        f = scan.findings[index]
        rule = rules_by_id.get(f.rule_id)
        resource = resources.get(f.resource_id)
        observed = resource.observed_at if resource else ""
        item = {
            "rule_id": f.rule_id, "rule_version": f.rule_version, "title": rule.title if rule else f.rule_id,
            "status": status_of(index, f), "severity": f.severity, "category": f.category,
            "resource_id": f.resource_id, "resource_name": resource.name if resource else f.resource_id,
            "resource_kind": f.resource_kind, "provider": f.provider, "account": f.account, "region": f.region,
            "apps": apps_of.get(f.resource_id, []), "controls": list(f.controls),
            "evidence": [{"path": e.path, "value": e.value} for e in f.evidence], "reason": f.reason,
            "remediation": rule.remediation if rule else "", "source": resource.source if resource else "",
            "observed_at": observed, "evidence_age_days": age_of.get(observed) if observed else None,
        }
        if index in waivers:
            item["waiver"], item["original_status"] = waivers[index].as_dict(), f.status.value
        return item

    def order(index: int) -> tuple:
        f = scan.findings[index]
        return (STATUS_ORDER[status_of(index, f)], SEVERITY_RANK.get(f.severity, 9), f.rule_id, f.resource_id)

    ordered = sorted(range(len(scan.findings)), key=order)
    findings = FindingRows(ordered, row) if lazy else [row(index) for index in ordered]
    resources_per_provider = Counter(r.provider for r in scan.resources)
    resources_per_app = Counter(app for names in apps_of.values() for app in names)

    chosen = frameworks or tuple(rules.catalogues)
    unknown = [f for f in chosen if f not in rules.catalogues]
    if unknown:
        raise InputError(f"unknown framework {unknown[0]!r}; known: {', '.join(sorted(rules.catalogues))}")
    ttl = dict(config.evidence_ttl_days)
    framework_rows = []
    tallies = rule_tallies(scan.findings, waived=waived, oldest=oldest)  # once, not once per framework
    for framework_id in chosen:
        catalogue = rules.catalogues[framework_id]
        framework_ttl = ttl.get(framework_id, ttl.get("default", DEFAULT_EVIDENCE_TTL_DAYS))
        statuses = control_statuses(catalogue, rules, ttl_days=framework_ttl if assurance is not None else None,
                                    assurance=assurance, tallies=tallies)
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
