"""findings.json and findings.csv: every finding with its evidence, one row each."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from drscan.outputs import write_atomic
from drscan.safe_text import csv_cell

CSV_COLUMNS = ("rule_id", "rule_version", "title", "status", "severity", "category", "resource_id", "resource_name",
               "resource_kind", "provider", "account", "region", "apps", "controls", "reason", "evidence",
               "remediation", "source")


def write_json(context: dict[str, Any], path: Path) -> Path:
    document = {
        "drscan_version": context["drscan_version"],
        "generated_at": context["generated_at"],
        "scan": context["scan"],
        "totals": context["totals"],
        "findings": context["findings"],
        "gaps": context["gaps"],
    }
    if context.get("notices"):
        document["notices"] = context["notices"]
    if context.get("timings"):  # drscan scan --timings
        document["timings"] = context["timings"]
    return write_atomic(path, json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


def _cell(value: Any) -> str:
    """Every cell goes through safe_text.csv_cell: a cell a spreadsheet would run as a formula
    (= + - @ tab CR LF, their full-width forms) is made literal, control and bidi characters
    are shown as escapes. Values are never cut."""
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict):
            return csv_cell("; ".join(f"{v['path']}={json.dumps(v['value'], default=str)}" for v in value))
        return csv_cell("; ".join(str(v) for v in value))
    return csv_cell("" if value is None else str(value))


def csv_text(findings: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for finding in findings:
        writer.writerow([_cell(finding.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()


def write_csv(context: dict[str, Any], path: Path) -> Path:
    return write_atomic(path, csv_text(context["findings"]))
