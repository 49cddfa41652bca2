"""Findings explorer (filter, sort, paginate in SQL) and one finding's page: evidence,
remediation, source record, and its history across scans (first seen, failing since, time in
violation, every status change)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drscan.errors import InputError
from drscan.model import SEVERITIES
from drscan.serve import queries
from drscan.serve.pages import NotFound, Page, View, pagination

FILTERS = ("status", "severity", "category", "framework", "control", "provider", "account", "region", "app", "rule", "q")


def rule_info(view: View, rule_id: str) -> dict[str, Any]:
    rule = view.settings.rules.get(rule_id)
    if rule is None:
        return {"id": rule_id, "title": rule_id, "known": False}
    return {"id": rule.id, "title": rule.title, "description": rule.description, "remediation": rule.remediation,
            "references": list(rule.references), "version": rule.version, "known": True}


def page(view: View) -> Page:
    scan = view.scan()
    query = queries.FindingQuery(
        scan_id=scan["id"], status=view.choice("status", queries.STATUSES), severity=view.choice("severity", SEVERITIES),
        category=view.text("category"), framework=view.text("framework"), control=view.text("control"),
        provider=view.text("provider"), account=view.text("account"), region=view.text("region"), app=view.text("app"),
        rule=view.text("rule"), q=view.text("q", limit=200),
        sort=view.choice("sort", tuple(queries.SORTS), "status") or "status",
        order=view.choice("order", ("asc", "desc"), "asc") or "asc",
        page=view.integer("page", 1) or 1, size=view.integer("size", 50, 1, queries.MAX_PAGE_SIZE) or 50)
    # A stored scan never changes, so the count of a filter is kept for the next page of it.
    counted = replace(query, sort="", order="", page=1, size=0)
    total = view.settings.count_memo.get(("count", scan["started_at"], counted),
                                   lambda: queries.count_findings(view.connection, query))
    total, found = queries.find_findings(view.connection, query, total)
    titles = {r.id: r.title for r in view.settings.rules.rules}
    for row in found:
        row["title"] = titles.get(row["rule_id"], row["rule_id"])
    summary = view.summary(scan)
    facets = dict(summary.facets)
    facets["status"], facets["severity"] = queries.STATUSES, SEVERITIES
    filters = {name: getattr(query, name) for name in FILTERS}
    data = {"scan": scan, "filters": filters, "sort": query.sort, "order": query.order,
            "pagination": pagination(total, query.page, query.size), "findings": found,
            "facets": {k: list(v) for k, v in facets.items()}}
    return Page("serve/findings.html.j2", "Findings", data,
                {"active": {k: v for k, v in filters.items() if v}, "sorts": tuple(queries.SORTS)})


def detail(view: View) -> Page:
    scan = view.scan()
    fingerprint = view.text("fingerprint", limit=4000)
    if not fingerprint:
        raise InputError("parameter 'fingerprint' is required (rule_id|resource_id)")
    finding = queries.get_finding(view.connection, scan["id"], fingerprint)
    if finding is None:
        raise NotFound(f"no finding {fingerprint!r} in scan {scan['id']}")
    history = queries.finding_history(view.connection, fingerprint)
    data = {"scan": scan, "finding": finding, "rule": rule_info(view, finding["rule_id"]), "history": history}
    return Page("serve/finding.html.j2", f"Finding {finding['rule_id']}", data)
