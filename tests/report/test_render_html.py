"""The interactive HTML report: rendered from the fixture context, then exercised in headless
Chromium (filters, counter, sorting) and checked for escaping and self-containment."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from drscan.report.render import render_html, write_html

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
FIXTURE = REPO / "tests" / "fixtures" / "report_context.json"
PACK_FIXTURE = REPO / "tests" / "fixtures" / "report_context_pack.json"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SEVERITIES = ["critical", "high", "medium", "low", "info"]


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true; install it in the CI image)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report(context, tmp_path_factory) -> Path:
    return write_html(context, TEMPLATES, tmp_path_factory.mktemp("html") / "report.html")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _skip_or_fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _skip_or_fail("playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def pack_context() -> dict:
    return json.loads(PACK_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pack_report(pack_context, tmp_path_factory) -> Path:
    return write_html(pack_context, TEMPLATES, tmp_path_factory.mktemp("html-pack") / "report.html")


@pytest.fixture
def page(browser, report):
    yield from _open(browser, report)


@pytest.fixture
def pack_page(browser, pack_report):
    yield from _open(browser, pack_report)


def _open(browser, report: Path):
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda req: requests.append(req.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    yield page
    assert errors == [], f"JavaScript errors: {errors}"
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests
    page.close()


def visible_rows(page):
    return page.locator("#findings tbody tr.finding:visible")


def shown_count(page) -> str:
    return page.locator("#shown-count").inner_text().strip()


# ---------------------------------------------------------------- static checks, no browser


def test_render_is_self_contained_and_escaped(context):
    html = render_html(context, TEMPLATES)
    assert html.lstrip().lower().startswith("<!doctype html>")
    # no external resources: nothing loaded via src/href from http(s) or protocol-relative URLs
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html, re.I)
    assert "<link" not in html.lower()
    # fixture strings with markup are escaped, non-ASCII survives
    assert "<script>window.__drscan_xss" not in html
    assert "&lt;script&gt;window.__drscan_xss = true&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "Zoë Ångström &lt;zoe.angstrom@acme.example&gt;" in html
    assert "rg-données-zürich" in html
    assert "compliance &amp; DR readiness" in html
    # exactly one <script> element (ours) and one row per finding
    assert len(re.findall(r"<script\b", html)) == 1
    assert len(re.findall(r'<tr class="finding"', html)) == len(context["findings"])


def test_render_html_tolerates_minimal_context(context):
    minimal = dict(context, apps=[], gaps=[], frameworks=[], findings=[], pass_summary=[])
    minimal["scan"] = {k: v for k, v in context["scan"].items() if k not in ("as_of", "rules_digest")}
    html = render_html(minimal, TEMPLATES)
    assert "0 of 0 findings" in html
    assert "No gaps" in html


# ---------------------------------------------------------------- in the browser


def test_findings_table_has_one_row_per_finding(page, context):
    rows = page.locator("#findings > tbody > tr")
    findings = context["findings"]
    assert rows.count() == len(findings)
    assert shown_count(page) == f"{len(findings)} of {len(findings)} findings"
    headers = [h.strip().upper() for h in page.locator("#findings thead th").all_inner_texts()]
    assert [re.sub(r"[^A-Z ]", "", h).strip() for h in headers] == [
        "STATUS", "SEVERITY", "RULE", "RESOURCE", "KIND", "PROVIDER", "REGION", "CONTROLS", "REASON"]
    attrs = rows.evaluate_all(
        "rs => rs.map(r => [r.dataset.status, r.dataset.severity, r.dataset.provider, r.textContent])")
    for (status, severity, provider, text), f in zip(attrs, findings):
        assert (status, severity, provider) == (f["status"], f["severity"], f["provider"])
        for expected in (f["rule_id"], f["resource_name"], f["resource_kind"], f["reason"], *f["controls"]):
            assert expected in text, (expected, f["rule_id"], f["resource_id"])
        for ev in f["evidence"]:
            assert ev["path"] in text


def test_details_show_evidence_and_remediation(page, context):
    first = context["findings"][0]
    row = page.locator("#findings > tbody > tr").first
    detail = row.locator("details .detail")
    assert not detail.is_visible()
    row.locator("details summary").click()
    assert detail.is_visible()
    text = detail.inner_text()
    assert first["remediation"] in text
    assert first["evidence"][0]["path"] in text
    assert json.dumps(first["evidence"][0]["value"]) in text


def test_text_filter_reduces_rows_and_counter(page, context):
    total = len(context["findings"])
    query = "aws-iam-user-console-mfa"
    expected = sum(1 for f in context["findings"] if f["rule_id"] == query)
    assert 0 < expected < total
    page.fill("#filter", query)
    assert visible_rows(page).count() == expected
    assert shown_count(page) == f"{expected} of {total} findings"
    # case-insensitive, any cell text (here: a control id shown in the Controls column)
    page.fill("#filter", "SOC2:C1.2")
    assert visible_rows(page).count() == sum("soc2:C1.2" in f["controls"] for f in context["findings"])
    page.fill("#filter", "no-such-thing-anywhere")
    assert visible_rows(page).count() == 0
    assert shown_count(page) == f"0 of {total} findings"
    assert page.locator("#no-match").is_visible()
    page.fill("#filter", "")
    assert visible_rows(page).count() == total


def test_select_filters(page, context):
    findings = context["findings"]
    total = len(findings)
    page.select_option("#status-filter", "FAIL")
    fails = [f for f in findings if f["status"] == "FAIL"]
    assert visible_rows(page).count() == len(fails)
    assert set(visible_rows(page).evaluate_all("rs => rs.map(r => r.dataset.status)")) == {"FAIL"}
    assert shown_count(page) == f"{len(fails)} of {total} findings"

    page.select_option("#severity-filter", "critical")
    expected = sum(1 for f in fails if f["severity"] == "critical")
    assert visible_rows(page).count() == expected

    page.select_option("#status-filter", "")
    page.select_option("#severity-filter", "")
    page.select_option("#provider-filter", "gcp")
    assert visible_rows(page).count() == sum(1 for f in findings if f["provider"] == "gcp")

    page.click("#filter-reset")
    assert visible_rows(page).count() == total


def test_click_severity_header_sorts_by_rank(page, context):
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    def severities() -> list[str]:
        return page.locator("#findings > tbody > tr").evaluate_all("rs => rs.map(r => r.dataset.severity)")

    header = page.locator('#findings thead th[data-sort="severity"]')
    header.click()
    asc = severities()
    assert asc[0] == "critical"
    assert [rank[s] for s in asc] == sorted(rank[s] for s in asc)
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    desc = severities()
    assert desc[0] == "info"
    assert [rank[s] for s in desc] == sorted((rank[s] for s in desc), reverse=True)
    assert sorted(desc) == sorted(s["severity"] for s in context["findings"])


def test_sort_then_filter_keeps_working(page, context):
    page.locator('#findings thead th[data-sort="text"]', has_text="Resource").click()
    names = [n.lower() for n in page.locator("#findings > tbody > tr > td.res-cell strong").all_inner_texts()]
    assert names == sorted(names)
    page.select_option("#status-filter", "NOT_ASSESSED")
    expected = sum(1 for f in context["findings"] if f["status"] == "NOT_ASSESSED")
    assert visible_rows(page).count() == expected


def test_markup_in_data_is_text_not_executed(page):
    assert page.evaluate("typeof window.__drscan_xss") == "undefined"
    row = page.locator("#findings > tbody > tr", has_text="i-0f1e2d3c4b5a69788")
    assert row.count() == 1
    assert "<script>window.__drscan_xss = true</script>" in row.locator("td.res-cell strong").inner_text()
    assert page.locator("#findings script, #findings img").count() == 0
    owner = page.locator("text=Zoë Ångström <zoe.angstrom@acme.example>")
    assert owner.count() >= 1


def test_control_matrix_and_gaps(page, context):
    for fw in context["frameworks"]:
        n = sum(len(t["controls"]) for t in fw["themes"])
        assert page.locator(f'tr.control[data-control^="{fw["id"]}:"]').count() == n
    page.check("#automated-only")
    automated = sum(1 for fw in context["frameworks"] for t in fw["themes"] for c in t["controls"]
                    if c["coverage"] == "automated")
    page.evaluate("document.querySelectorAll('details.theme').forEach(d => d.open = true)")
    assert page.locator("tr.control:visible").count() == automated
    gap_rows = page.locator("#gaps tbody tr")
    assert gap_rows.count() == len(context["gaps"])
    assert context["gaps"][0]["code"] in gap_rows.first.inner_text()


# ---------------------------------------------------------------- evidence pack: waivers, attestations, new statuses

LABELS = {"pass": "PASS", "fail": "FAIL", "not_assessed": "NOT ASSESSED", "manual": "MANUAL", "not_covered": "NOT COVERED",
          "waived": "WAIVED", "stale": "STALE", "manual_attested": "ATTESTED", "manual_missing": "NOT ATTESTED"}
NEW_MARKUP = ['value="WAIVED"', 'id="assurance"', 'class="chip chip-waived"', "chip-manual_attested", "chip-stale",
              'class="att-note', 'class="age', "waiver-box", "cards-7", "has-waived", "Audit period", "drscan verify"]


def _body(html: str) -> str:
    return re.sub(r"<style>.*?</style>", "", html, flags=re.S)


def test_context_without_pack_keys_renders_as_before(context):
    """The base fixture has none of the optional evidence-pack keys: no trace of them in the output."""
    assert not {"waivers", "attestations", "pack", "audit_period", "evidence_ttl_days"} & context.keys()
    body = _body(render_html(context, TEMPLATES))
    for marker in NEW_MARKUP:
        assert marker not in body, marker
    options = re.search(r'<select id="status-filter".*?</select>', body, re.S).group(0)
    assert re.findall(r'<option value="([A-Z_]*)"', options) == ["", "FAIL", "NOT_ASSESSED", "PASS"]
    assert set(re.findall(r'data-status-rank="([^"]+)"', body)) == {"0", "1", "2"}


def test_pack_context_renders_waived_rows_and_sections(pack_context):
    html = render_html(pack_context, TEMPLATES)
    waived = [f for f in pack_context["findings"] if f["status"] == "WAIVED"]
    assert waived
    assert len(re.findall(r'<tr class="finding" data-status="WAIVED"', html)) == len(waived)
    assert len(re.findall(r'<tr class="finding"', html)) == len(pack_context["findings"])
    assert 'id="assurance"' in html
    assert pack_context["pack"]["signature_fingerprint"] in html
    assert "&lt;pack&gt;.zip --public-key &lt;key&gt;.pub" in html
    assert len(re.findall(r"<script\b", html)) == 1


def test_waived_status_filter_shows_exactly_the_waived_rows(pack_page, pack_context):
    findings = pack_context["findings"]
    waived = [f for f in findings if f["status"] == "WAIVED"]
    options = pack_page.locator("#status-filter option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["", "FAIL", "NOT_ASSESSED", "WAIVED", "PASS"]
    pack_page.select_option("#status-filter", "WAIVED")
    rows = visible_rows(pack_page)
    assert rows.count() == len(waived)
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.status)")) == {"WAIVED"}
    shown = rows.locator("td.res-cell strong").all_inner_texts()
    assert sorted(shown) == sorted(f["resource_name"] for f in waived)
    assert shown_count(pack_page) == f"{len(waived)} of {len(findings)} findings"
    # waived rows are not among FAIL or NOT_ASSESSED rows
    pack_page.select_option("#status-filter", "FAIL")
    assert visible_rows(pack_page).count() == sum(f["status"] == "FAIL" for f in findings)
    pack_page.select_option("#status-filter", "NOT_ASSESSED")
    assert visible_rows(pack_page).count() == sum(f["status"] == "NOT_ASSESSED" for f in findings)


def test_waived_row_details_show_the_waiver(pack_page, pack_context):
    f = next(f for f in pack_context["findings"] if f["status"] == "WAIVED")
    row = pack_page.locator('#findings > tbody > tr[data-status="WAIVED"]', has_text=f["resource_name"])
    assert row.count() == 1
    assert row.locator(".chip").first.inner_text().strip() == "WAIVED"
    row.locator("details summary").click()
    text = row.locator("details .detail").inner_text()
    w = f["waiver"]
    for expected in (w["ticket"], w["expires"], w["owner"], w["reason"], *w["resources"]):
        assert expected in text, expected
    assert "FAIL" in text or "NOT ASSESSED" in text  # original status
    assert "Evidence collected" in text and "days old" in text


def test_status_sort_puts_waived_between_not_assessed_and_pass(pack_page):
    pack_page.locator('#findings thead th[data-sort="status"]').click()
    statuses = pack_page.locator("#findings > tbody > tr").evaluate_all("rs => rs.map(r => r.dataset.status)")
    order = {"FAIL": 0, "NOT_ASSESSED": 1, "WAIVED": 2, "PASS": 3}
    assert [order[s] for s in statuses] == sorted(order[s] for s in statuses)


def test_waivers_and_attestations_section(pack_page, pack_context):
    active, expired = pack_context["waivers"]["active"], pack_context["waivers"]["expired"]
    rows = pack_page.locator("#waivers tbody tr.waiver")
    assert rows.count() == len(active)
    for row, w in zip(rows.all(), active):
        text = row.inner_text()
        assert w["ticket"] in text and w["rule"] in text and w["expires"] in text
        assert text.strip().endswith(str(w["findings"]))
    expired_rows = pack_page.locator("#waivers-expired tbody tr.waiver-expired")
    assert expired_rows.count() == len(expired)
    assert "not applied" in expired_rows.first.inner_text()
    att = pack_page.locator("#attestations tbody tr.attestation")
    assert att.count() == len(pack_context["attestations"])
    for a in pack_context["attestations"]:
        row = pack_page.locator(f'#attestations tr.attestation[data-control="{a["control"]}"]')
        assert row.count() == 1
        assert row.get_attribute("data-valid") == ("true" if a["valid"] else "false")
        text = row.inner_text()
        assert a["statement"] in text
        assert ("VALID" if a["valid"] else "EXPIRED") in text
        for e in a["evidence"]:
            assert e["name"] in text and e["sha256"][:16] + "…" in text
            assert row.locator(f'.sha[title="{e["sha256"]}"]').count() == 1


def test_control_chips_show_the_new_statuses(pack_page, pack_context):
    chips = dict(pack_page.locator("tr.control").evaluate_all(
        "rs => rs.map(r => [r.dataset.control, r.cells[3].querySelector('.chip').textContent.trim()])"))
    seen = set()
    for fw in pack_context["frameworks"]:
        for theme in fw["themes"]:
            for c in theme["controls"]:
                assert chips[f'{fw["id"]}:{c["id"]}'] == LABELS[c["status"]], (fw["id"], c["id"])
                seen.add(c["status"])
    assert {"waived", "stale", "manual_attested", "manual_missing"} <= seen
    stale = pack_page.locator('tr.control[data-control="iso27001-2022:A.8.8"]')
    assert "days old" in stale.locator(".age").inner_text()


def test_large_scans_list_every_failure_but_cap_passes(tmp_path):
    import copy

    from drscan.report import render

    base = json.loads(FIXTURE.read_text(encoding="utf-8"))
    context = copy.deepcopy(base)
    passing = next(f for f in base["findings"] if f["status"] == "PASS")
    extra = render.HTML_PASS_LIMIT + 7
    context["findings"] = base["findings"] + [dict(passing, resource_id=f"r-{i}") for i in range(extra)]
    html = render.render_html(context, TEMPLATES)
    failing = sum(1 for f in base["findings"] if f["status"] != "PASS")
    passes_in_context = sum(1 for f in context["findings"] if f["status"] == "PASS")
    import re
    rows = re.findall(r'<tr[^>]*\bdata-status="([A-Z_]+)"', html)
    assert rows.count("PASS") == render.HTML_PASS_LIMIT
    assert len(rows) - rows.count("PASS") == failing
    assert f"{passes_in_context - render.HTML_PASS_LIMIT} further passed results are not listed" in html
