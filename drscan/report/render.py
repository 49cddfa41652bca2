"""Report stage of drscan (collect → graph → evaluate → store → report): turns the report
context dict into a self-contained HTML report and a printable PDF."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from drscan.safe_text import display

from drscan.outputs import write_atomic

HTML_TEMPLATE = "report.html.j2"
PDF_TEMPLATE = "report_pdf.html.j2"


def _json_value(value: object) -> str:
    """Evidence values as JSON text (null, true, "str", [..]) so types stay visible."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _svg_data_uri(svg: str) -> Markup:
    """An SVG as a data: URI for <img> (how WeasyPrint lays out pictures most reliably). Markup:
    base64 needs no escaping, and the display limit must not cut it."""
    import base64

    return Markup("data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii"))


def _for_display(value: object) -> object:
    """Every `{{ expression }}` of both templates passes here before escaping: text that came
    from an export (names, ids, reasons, evidence) is cut to DISPLAY_LIMIT characters (the full
    value is in findings.json/.csv) and its control and bidi characters shown as escapes, so a
    10,000-character name or a U+202E override cannot stall the PDF, widen the page or reorder
    what the reader sees. Markup (macros, |safe of drscan's own SVG) passes unchanged."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return display(value, multiline=True)
    return value


def _timestamp(value: str | None) -> str:
    """'2026-11-25T18:40:00Z' -> '2026-11-25 18:40:00 UTC'; anything unparsable is returned as is."""
    if not value:
        return "—"
    try:
        ts = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    zone = "UTC" if ts.utcoffset() == timedelta(0) else ts.strftime("%z")
    return f"{ts:%Y-%m-%d %H:%M:%S} {zone}".strip()


@lru_cache(maxsize=8)
def _env(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_for_display,
    )
    env.filters["json_value"] = _json_value
    env.filters["timestamp"] = _timestamp
    env.filters["svg_data_uri"] = _svg_data_uri
    return env


def _render(template: str, context: dict, templates_dir: Path) -> str:
    return _env(Path(templates_dir).resolve()).get_template(template).render(context)


# A browser table of 100k rows is unusable (and the page weighs hundreds of MB): every failed,
# not-assessed and waived result is listed, passes only up to this many.
HTML_PASS_LIMIT = 5000


def _html_context(context: dict) -> dict:
    passes = [f for f in context["findings"] if f["status"] == "PASS"]
    if len(passes) <= HTML_PASS_LIMIT:
        return context
    kept = [f for f in context["findings"] if f["status"] != "PASS"] + passes[:HTML_PASS_LIMIT]
    return {**context, "findings": kept, "html_passes_omitted": len(passes) - HTML_PASS_LIMIT}


def render_html(context: dict, templates_dir: Path) -> str:
    return _render(HTML_TEMPLATE, _html_context(context), templates_dir)


def write_html(context: dict, templates_dir: Path, out_path: Path) -> Path:
    return write_atomic(Path(out_path), render_html(context, templates_dir))


def render_pdf(context: dict, templates_dir: Path) -> bytes:
    from weasyprint import HTML  # heavy import, only needed for PDF output

    return HTML(string=_render(PDF_TEMPLATE, context, templates_dir), base_url=str(templates_dir)).write_pdf()


def write_pdf(context: dict, templates_dir: Path, out_path: Path) -> Path:
    return write_atomic(Path(out_path), render_pdf(context, templates_dir))
