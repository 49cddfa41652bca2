"""The PDF's view of the report context (report stage): failed and not-assessed results grouped
by rule, each rule's resources capped in the `summary` detail (every one in `full`), and each
control's failing rules, so the template lays out a short report while findings.csv/.json and
the evidence pack's per-control files keep every result."""

from __future__ import annotations

from typing import Any

from drscan.errors import InputError
from drscan.model import SEVERITY_RANK

PDF_DETAILS = ("summary", "full")
DEFAULT_PDF_DETAIL = "summary"
# Resources listed per rule in the summary PDF; the rest are counted and pointed to findings.csv.
SUMMARY_FAILS_PER_RULE = 5
SUMMARY_NOT_ASSESSED_PER_RULE = 3


def check_pdf_detail(detail: str) -> str:
    if detail not in PDF_DETAILS:
        raise InputError(f"--pdf-detail must be one of {', '.join(PDF_DETAILS)}; got {detail!r}")
    return detail


def _group(findings: list[dict], status: str, cap: int | None) -> list[dict[str, Any]]:
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
        if cap is None or len(group["findings"]) < cap:
            group["findings"].append(f)
    for group in groups.values():
        group["more"] = group["count"] - len(group["findings"])
    return sorted(groups.values(), key=lambda g: (SEVERITY_RANK.get(g["severity"], 9), -g["count"], g["rule_id"]))


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
    `control_rules`, `rule_severity`, `rule_controls`."""
    check_pdf_detail(detail)
    full = detail == "full"
    findings = context["findings"]
    return {
        **context,
        "pdf_detail": detail,
        "summary_fails_per_rule": SUMMARY_FAILS_PER_RULE,
        "fail_groups": _group(findings, "FAIL", None if full else SUMMARY_FAILS_PER_RULE),
        "na_groups": _group(findings, "NOT_ASSESSED", None if full else SUMMARY_NOT_ASSESSED_PER_RULE),
        "control_rules": _control_rules(findings),
        "rule_severity": {r["id"]: r["severity"] for r in context.get("rules", [])},
        "rule_controls": {r["id"]: controls_by_framework(r["controls"]) for r in context.get("rules", [])},
    }
