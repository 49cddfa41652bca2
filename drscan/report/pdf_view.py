"""The PDF's view of the report context (report stage): failed and not-assessed results grouped
by rule, each rule's resources capped in the `summary` detail (every one in `full`), each
control's failing rules, and the control matrix's rows (in `summary`, manual and not-covered
controls, and automated ones with no result at all, are listed by id under their theme instead of
one row each), so the template lays out
a short report while findings.csv/.json, report.html and the evidence pack's per-control files
keep every result."""

from __future__ import annotations

from typing import Any

from drscan.errors import InputError
from drscan.model import SEVERITY_RANK
from drscan.report.svg_labels import split_svg

PDF_DETAILS = ("summary", "full")
DEFAULT_PDF_DETAIL = "summary"
# Resources listed per rule in the summary PDF; the rest are counted and pointed to findings.csv.
SUMMARY_FAILS_PER_RULE = 5
SUMMARY_NOT_ASSESSED_PER_RULE = 3
# Failing rules of these severities are described (fix, controls, reason) without their resources
# in the summary PDF: the count points to findings.csv/.json.
SUMMARY_UNLISTED_SEVERITIES = ("low", "info")
# Control statuses the summary PDF lists by id under their theme rather than one row each: what
# drscan did not test (no rule maps to the control, or it is organisational). A manual control
# with an attestation keeps its row (the row carries the attestation).
LISTED_STATUSES = ("manual", "manual_missing", "not_covered")
# An automated control NOT ASSESSED without a single result (no resource of the kinds its rules
# check is in scope) is listed the same way, under this key: its row would only repeat the title.
NOTHING_IN_SCOPE = "not_assessed"
FAILED_SECTION = "3.1"


def check_pdf_detail(detail: str) -> str:
    if detail not in PDF_DETAILS:
        raise InputError(f"--pdf-detail must be one of {', '.join(PDF_DETAILS)}; got {detail!r}")
    return detail


def _group(findings: list[dict], status: str, cap: int | None, section: str | None = None,
           unlisted: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Results of one status grouped by rule, worst first. Each group: the rule's fields once,
    `count`, the listed `findings` (the first `cap`; none for a severity in `unlisted`), `more`
    (not listed), `reason` (the reason every result of the rule shares, else None: the template
    prints it once) and, with `section`, its number ("3.1.12", what the control matrix points to)."""
    groups: dict[str, dict[str, Any]] = {}
    for f in findings:
        if f["status"] != status:
            continue
        group = groups.get(f["rule_id"])
        if group is None:
            group = groups[f["rule_id"]] = {
                "rule_id": f["rule_id"], "rule_version": f["rule_version"], "title": f["title"],
                "severity": f["severity"], "category": f["category"], "remediation": f["remediation"],
                "controls": f["controls"], "count": 0, "findings": []}
        group["count"] += 1
        group.setdefault("reasons", set()).add(f["reason"])
        if (cap is None or len(group["findings"]) < cap) and f["severity"] not in unlisted:
            group["findings"].append(f)
    ordered = sorted(groups.values(), key=lambda g: (SEVERITY_RANK.get(g["severity"], 9), -g["count"], g["rule_id"]))
    for number, group in enumerate(ordered, start=1):
        group["more"] = group["count"] - len(group["findings"])
        reasons = group.pop("reasons")
        group["reason"] = reasons.pop() if len(reasons) == 1 else None
        if section:
            group["number"] = f"{section}.{number}"
    return ordered


def _control_rules(findings: list[dict]) -> dict[str, dict[str, dict[str, int]]]:
    """framework:control -> rule id -> {"FAIL": n, "WAIVED": n} (failed and waived results only)."""
    by_control: dict[str, dict[str, dict[str, int]]] = {}
    for f in findings:
        if f["status"] not in ("FAIL", "WAIVED"):
            continue
        for ref in f["controls"]:
            counts = by_control.setdefault(ref, {}).setdefault(f["rule_id"], {"FAIL": 0, "WAIVED": 0})
            counts[f["status"]] += 1
    return by_control


def _matrix(frameworks: list[dict], full: bool) -> dict[str, list[dict[str, Any]]]:
    """framework id -> its themes as the control matrix prints them: `rows` (controls with a row
    each) and `listed` ([(status, [control ids])], the controls named by id only; empty in full)."""
    matrix = {}
    for fw in frameworks:
        themes = []
        for theme in fw["themes"]:
            rows, listed = [], {}
            for control in theme["controls"]:
                if full or control.get("attestations") or not _listed(control):
                    rows.append(control)
                else:
                    listed.setdefault(control["status"], []).append(control["id"])
            themes.append({"id": theme["id"], "name": theme["name"], "count": len(theme["controls"]), "rows": rows,
                           "listed": [(status, listed[status]) for status in (NOTHING_IN_SCOPE, *LISTED_STATUSES)
                                      if status in listed]})
        matrix[fw["id"]] = themes
    return matrix


def _listed(control: dict) -> bool:
    if control["status"] == NOTHING_IN_SCOPE:
        return not any((control.get("counts") or {}).values())
    return control["status"] in LISTED_STATUSES


def controls_by_framework(refs: list[str]) -> str:
    """["iso27001-2022:A.8.13", "iso27001-2022:A.8.14", "soc2:A1.2"] -> "iso27001-2022 A.8.13, A.8.14 · soc2 A1.2"
    (the rule catalogue appendix: each framework named once per rule)."""
    by_framework: dict[str, list[str]] = {}
    for ref in refs:
        framework, _, control = ref.partition(":")
        by_framework.setdefault(framework, []).append(control)
    return " · ".join(f"{framework} {', '.join(controls)}" for framework, controls in by_framework.items())


def pdf_view(context: dict[str, Any], detail: str = DEFAULT_PDF_DETAIL) -> dict[str, Any]:
    """The context plus what the PDF template reads: `pdf_detail`, `fail_groups`, `na_groups`,
    `fail_numbers`, `control_rules`, `matrix`, `rule_severity`, `rule_controls`, and each DR app's
    dependency graph split into shapes and labels (`graph`, svg_labels.split_svg)."""
    check_pdf_detail(detail)
    full = detail == "full"
    findings = context["findings"]
    fail_groups = _group(findings, "FAIL", None if full else SUMMARY_FAILS_PER_RULE, FAILED_SECTION,
                         () if full else SUMMARY_UNLISTED_SEVERITIES)
    return {
        **context,
        "pdf_detail": detail,
        "summary_fails_per_rule": SUMMARY_FAILS_PER_RULE,
        "fail_groups": fail_groups,
        "fail_numbers": {g["rule_id"]: g["number"] for g in fail_groups},
        "na_groups": _group(findings, "NOT_ASSESSED", None if full else SUMMARY_NOT_ASSESSED_PER_RULE),
        "control_rules": _control_rules(findings),
        "matrix": _matrix(context["frameworks"], full),
        **({"dr": [dict(app, graph=split_svg(app["svg"])) for app in context["dr"]]} if context.get("dr") else {}),
        "rule_severity": {r["id"]: r["severity"] for r in context.get("rules", [])},
        "rule_controls": {r["id"]: controls_by_framework(r["controls"]) for r in context.get("rules", [])},
    }
