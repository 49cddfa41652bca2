"""findings.json and findings.csv: every finding with its evidence, one row each. Both are
streamed to the file a finding at a time (orjson for JSON), so a scan of a million findings
never holds the whole document as one string."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable

import orjson

from drscan.outputs import atomic_file
from drscan.safe_text import csv_cells

_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS

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
    with atomic_file(path) as handle:
        write_json_document(handle, document)
    return Path(path)


def json_bytes(value: Any, indent: bool = False) -> bytes:
    """orjson's encoding of a value, as json.dumps(value, ensure_ascii=False, default=str) reads
    it back: datetimes and other objects as str(value); integers beyond 64 bits (orjson refuses
    them) through the standard library."""
    try:
        return orjson.dumps(value, default=str, option=_ORJSON | (orjson.OPT_INDENT_2 if indent else 0))
    except TypeError:
        return json.dumps(value, ensure_ascii=False, default=str, indent=2 if indent else None).encode("utf-8")


def write_json_document(handle: BinaryIO, document: dict[str, Any], stream: str = "findings") -> None:
    """The document as JSON, its `stream` list written item by item (one item per line)."""
    handle.write(b"{")
    for number, (key, value) in enumerate(document.items()):
        handle.write((b",\n" if number else b"\n") + json_bytes(key) + b": ")
        if key == stream and isinstance(value, Iterable) and not isinstance(value, (str, bytes, dict)):
            handle.write(b"[")
            for index, item in enumerate(value):
                handle.write((b",\n" if index else b"\n") + json_bytes(item))
            handle.write(b"\n]")
        else:
            handle.write(json_bytes(value, indent=True))
    handle.write(b"\n}\n")


def _text(value: Any, encode: Callable[[Any], str]) -> str:
    """A finding's field as CSV text: evidence as path=JSON pairs, lists joined with "; "."""
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], dict):
            return "; ".join(f"{v['path']}={encode(v['value'])}" for v in value)
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def write_csv_rows(text: Any, findings: Iterable[dict[str, Any]]) -> None:
    """The CSV (header and one row per finding) to a text stream. Every cell goes through
    safe_text.csv_cells: a cell a spreadsheet would run as a formula (= + - @ tab CR LF, their
    full-width forms) is made literal, control and bidi characters are shown as escapes. Values
    are never cut."""
    writer = csv.writer(text)
    writer.writerow(CSV_COLUMNS)
    encode = json.JSONEncoder(default=str).encode  # json.dumps(value, default=str) without an encoder per value
    for finding in findings:
        writer.writerow(csv_cells([_text(finding.get(column), encode) for column in CSV_COLUMNS]))


def csv_text(findings: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    write_csv_rows(buffer, findings)
    return buffer.getvalue()


def write_csv(context: dict[str, Any], path: Path) -> Path:
    with atomic_file(path) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=False)
        write_csv_rows(text, context["findings"])
        text.flush()
        text.detach()  # the handle stays open for atomic_file to sync and rename
    return Path(path)
