"""Text from an export cannot be turned against the report's reader: a 10,000-character name is
cut for display (the full value stays in JSON/CSV) and wraps, so the HTML page stays as wide as
the window and the PDF renders in seconds; bidi overrides and control characters show as visible
escapes in HTML, PDF and CSV; a CSV cell never starts a spreadsheet formula."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from drscan.report.formats.tabular import csv_text, write_json
from drscan.report.render import write_html, write_pdf
from drscan.safe_text import DISPLAY_LIMIT
from tests.conftest import require_binary

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
FIXTURE = REPO / "tests" / "fixtures" / "report_context.json"
CHROMIUM = Path("/usr/bin/chromium")

LONG = "x" * 10_000  # one unbreakable run
BIDI = "invoice\u202etxt.exe"  # shows as "invoiceexe.txt" if the override is honoured
CONTROL = "name\x1b[31m\x07\x00end"
PAYLOAD = "<img src=x onerror=\"window.__drscan_pwned=1\">"


@pytest.fixture(scope="module")
def hostile() -> dict:
    context = json.loads(FIXTURE.read_text(encoding="utf-8"))
    first, second, third = context["findings"][:3]
    first.update(resource_name=LONG, resource_id="arn:aws:s3:::" + LONG, reason=f"{BIDI} {CONTROL} {PAYLOAD}",
                 source="exports/" + LONG + ".json")
    first["evidence"] = [{"path": "logging_target", "value": LONG}, {"path": "tags.note", "value": BIDI}]
    second.update(resource_name=BIDI, reason=LONG)
    third.update(resource_name=CONTROL + PAYLOAD)
    context["gaps"][0].update(code=LONG, message=BIDI + LONG, resource_id=LONG)
    context["apps"][0].update(owner=LONG)
    context["organization"] = BIDI
    return context


def test_long_values_stay_whole_in_json_and_csv(hostile, tmp_path):
    document = json.loads(write_json(hostile, tmp_path / "findings.json").read_text())
    assert document["findings"][0]["resource_name"] == LONG
    rows = list(csv.DictReader(io.StringIO(csv_text(hostile["findings"]))))
    assert any(row["resource_name"] == LONG for row in rows)


@pytest.fixture(scope="module")
def html(hostile, tmp_path_factory) -> Path:
    return write_html(hostile, TEMPLATES, tmp_path_factory.mktemp("hostile-html") / "report.html")


def test_html_cuts_long_values_and_shows_bidi_and_control_characters_as_escapes(html):
    text = html.read_text(encoding="utf-8")
    assert LONG not in text and "x" * DISPLAY_LIMIT in text and "(+9488 characters)" in text
    assert "\u202e" not in text and "\x1b" not in text and "\x07" not in text and "\x00" not in text
    assert "invoice\\u202etxt.exe" in text and "name\\x1b[31m\\x07\\x00end" in text
    assert "<img src=x" not in text


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is not installed (required when CI=true)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


def test_html_page_stays_as_wide_as_the_window_and_payloads_stay_inert(browser, html):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # evidence too
        width = page.evaluate("document.documentElement.scrollWidth")
        widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.table-wrap')).map(e => e.getBoundingClientRect().right))""")
        assert width <= 1440 and widest <= 1440, (width, widest)
        assert page.evaluate("window.__drscan_pwned") is None
        visible = page.inner_text("body")
        assert "invoice\\u202etxt.exe" in visible and "\u202e" not in visible
    finally:
        page.close()


def test_pdf_renders_fast_with_cut_values_and_visible_escapes(hostile, tmp_path):
    from pypdf import PdfReader

    started = time.process_time()
    pdf = write_pdf(hostile, TEMPLATES, tmp_path / "report.pdf")
    cpu = time.process_time() - started
    assert cpu < 90, f"PDF took {cpu:.0f} s of CPU"  # minutes before values were cut for display
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    squashed = ["".join(page.split()) for page in pages]
    assert all("x" * (DISPLAY_LIMIT + 1) not in page for page in squashed)
    assert any("characters)" in page and "x" * 100 in page for page in squashed)
    assert not any("\u202e" in page or "\x1b" in page for page in pages)
    assert any("invoice\\u202etxt.exe" in page for page in squashed)
    # the page with the long name rasterises
    number = next(i for i, page in enumerate(squashed) if "x" * 100 in page) + 1
    out = tmp_path / "page"
    subprocess.run([require_binary("pdftoppm"), "-r", "40", "-f", str(number), "-l", str(number), "-png", str(pdf), str(out)],
                   check=True, timeout=120)
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 1000


FORMULAS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1+1", "\uff1dcmd()", "\uff0b1", "\uff0d1",
            "\uff20SUM(A1)", "  =1+1"]


@pytest.mark.parametrize("value", FORMULAS, ids=[repr(v) for v in FORMULAS])
def test_csv_cell_never_starts_a_formula(value):
    finding = {"rule_id": "r", "resource_name": value, "reason": value, "evidence": [{"path": "p", "value": value}]}
    row = list(csv.DictReader(io.StringIO(csv_text([finding]))))[0]
    assert row["resource_name"].startswith("'") and row["reason"].startswith("'")


def test_csv_shows_bidi_and_control_characters_as_escapes():
    finding = {"resource_name": BIDI, "reason": CONTROL, "source": copy.copy(LONG)}
    row = list(csv.DictReader(io.StringIO(csv_text([finding]))))[0]
    assert row["resource_name"] == "invoice\\u202etxt.exe" and row["reason"] == "name\\x1b[31m\\x07\\x00end"
    assert row["source"] == LONG  # never cut
