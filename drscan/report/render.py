"""Report stage of drscan (collect → graph → evaluate → store → report): turns the report
context dict into a self-contained HTML report and a printable PDF."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from drscan.report.pdf_view import DEFAULT_PDF_DETAIL, pdf_view
from drscan.safe_text import display

from drscan.outputs import write_atomic

HTML_TEMPLATE = "report.html.j2"
PDF_TEMPLATE = "report_pdf.html.j2"
_INDENT = re.compile(r"\n[ \t]+")


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


class _PageCounter(logging.Handler):
    """WeasyPrint logs each page it lays out on its `weasyprint.progress` logger ("Step 5 -
    Creating layout - Page 12"): each one advances the progress display."""

    def __init__(self, on_page) -> None:
        super().__init__(logging.INFO)
        self.on_page = on_page

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("Step 5 - Creating layout - Page") and "up-to-date" not in record.msg:
            self.on_page()


def pdf_html(context: dict, templates_dir: Path, detail: str = DEFAULT_PDF_DETAIL) -> str:
    """The HTML that WeasyPrint lays out as report.pdf. The template's indentation is only
    whitespace the PDF collapses anyway (it has no preformatted text): dropping it makes the HTML
    a quarter shorter for WeasyPrint's parser."""
    return _INDENT.sub("\n", _render(PDF_TEMPLATE, pdf_view(context, detail), templates_dir))


def render_pdf(context: dict, templates_dir: Path, detail: str = DEFAULT_PDF_DETAIL, progress=None) -> bytes:
    """`detail`: "summary" (each rule's first resources; the rest are in findings.csv/.json) or
    "full" (every failed and not-assessed resource with all its evidence). `progress`
    (api.Progress): a stage that advances per page laid out, then one per page drawn."""
    from weasyprint import HTML  # heavy import, only needed for PDF output

    html = pdf_html(context, templates_dir, detail)
    if progress is None:
        return HTML(string=html, base_url=str(templates_dir)).write_pdf()
    progress.stage("Laying out report.pdf pages")
    logger = logging.getLogger("weasyprint.progress")
    counter = _PageCounter(lambda: progress.advance(1))
    level, propagate = logger.level, logger.propagate
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the page messages feed the display only, never the application's log
    try:
        document = HTML(string=html, base_url=str(templates_dir)).render()
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)
        logger.propagate = propagate
    progress.stage("Drawing report.pdf pages", total=len(document.pages))
    for page in document.pages:  # write_pdf paints each page once, in order
        page.paint = _counted(page.paint, progress)
    return document.write_pdf()


def _counted(paint, progress):
    def paint_and_count(*args, **kwargs):
        result = paint(*args, **kwargs)
        progress.advance(1)
        return result

    return paint_and_count


def write_pdf(context: dict, templates_dir: Path, out_path: Path, detail: str = DEFAULT_PDF_DETAIL, progress=None) -> Path:
    return write_atomic(Path(out_path), render_pdf(context, templates_dir, detail, progress))
