"""`drscan serve` end to end: a real server over three real scans of the samples, every page in
headless Chromium (content, filters, pagination, charts, no CSP violation, nothing fetched from
elsewhere) and its JSON twin, with the numbers checked against the CLI on the same database."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import parse_qs, quote, urlparse

import pytest

from tests.serve.conftest import (ADDED_BUCKET, CONFIG, PAYLOAD_KEY, PAYLOAD_LONG, PAYLOAD_NAME, PAYLOAD_TAG,
                                  REGRESSED_BUCKET, RESOLVED_BUCKET, XSS_VM_ID, drscan, fetch)

PAGES = ["/", "/findings", "/controls", "/diff", "/dr", "/dr/app?name=payments", "/dr/simulate?fail=region:us-east-1", "/gaps"]


def json_of(server, path: str) -> dict:
    reply = fetch(server.base + path, headers={"Accept": "application/json"})
    assert reply.status == 200, reply.body[:300]
    assert reply.headers["content-type"].startswith("application/json")
    return reply.json()


def open_page(tab, server, path: str):
    response = tab.page.goto(server.base + path)
    assert response.status == 200, path
    return response


def assert_clean(tab, server) -> None:
    """No console error (a CSP violation is one), no uncaught exception, nothing requested elsewhere."""
    assert tab.errors == []
    assert all(url.startswith(server.base + "/") for url in tab.requests), tab.requests


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_with_strict_csp_and_no_violation(tab, server, path):
    response = open_page(tab, server, path)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY" and headers["cache-control"] == "no-store"
    assert tab.page.locator("h1").inner_text()
    # the report's stylesheet applied (served by drscan itself)
    assert tab.page.evaluate("getComputedStyle(document.querySelector('.masthead')).backgroundColor") == "rgb(19, 35, 58)"
    assert_clean(tab, server)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_json_twin_by_suffix_and_by_accept(server, path):
    base, _, query = path.partition("?")
    twin = ("/index.json" if base == "/" else base + ".json") + (f"?{query}" if query else "")
    by_suffix = fetch(server.base + twin)
    assert by_suffix.status == 200 and by_suffix.headers["content-type"].startswith("application/json")
    document = by_suffix.json()
    assert document["page"] and document["drscan_version"]
    assert json_of(server, path) == document
    assert "content-security-policy" in by_suffix.headers


def test_overview_shows_latest_scan_trend_charts_and_regressions(tab, server):
    data = json_of(server, "/")
    assert [s["id"] for s in data["scans"]] == [1, 2, 3]
    assert [s["id"] for s in data["latest_per_scope"]] == [3] and data["stale"] == []
    open_page(tab, server, "/")
    page = tab.page
    totals = page.locator("#chart-totals svg.chart")
    assert totals.get_attribute("data-points") == "3" and totals.get_attribute("data-series") == "3"
    assert totals.locator("circle.pt").count() == 9  # three statuses x three scans
    assert totals.locator("polyline").count() == 3
    for chart in ("framework", "severity", "category", "app"):
        svg = page.locator(f"#chart-{chart} svg.chart")
        series = int(svg.get_attribute("data-series"))
        assert series >= 1 and svg.locator("circle.pt").count() == 3 * series, chart
    fail_points = totals.locator("circle.pt[data-series='fail'] title").evaluate_all("ts => ts.map(t => t.textContent)")
    assert [t.rsplit(": ", 1)[1] for t in fail_points] == [str(s["fail"]) for s in data["scans"]]
    regressions = data["regressions"]
    assert regressions["old_scan"] == 2 and regressions["new_scan"] == 3
    assert page.locator("#reg-regressed").inner_text() == str(regressions["regressed"])
    assert page.locator("#latest-scans tbody tr").count() == 1
    # when the data was captured, as every report says it (the history's scans fix it with --as-of)
    assert data["latest_per_scope"][0]["data_as_of"] == "2026-11-20T06:00:00.000Z (--as-of)"
    assert page.locator("#latest-scans tbody tr td.data-as-of").inner_text() == "2026-11-20T06:00:00.000Z (--as-of)"
    assert_clean(tab, server)


def test_findings_filters_sort_and_pagination_in_the_browser(tab, server):
    everything = json_of(server, "/findings?size=500")
    total = everything["pagination"]["total"]
    failing = json_of(server, "/findings?status=FAIL")["pagination"]["total"]
    assert 0 < failing < total
    open_page(tab, server, "/findings")
    page = tab.page
    assert page.locator("#findings-table tbody tr[data-status]").count() == 50
    assert f"{total} results" in page.locator("#pager-info").first.inner_text()
    with page.expect_navigation():
        page.select_option("#f-status", "FAIL")  # submits on change (serve.js)
    assert parse_qs(urlparse(page.url).query)["status"] == ["FAIL"]
    statuses = page.locator("#findings-table tbody tr[data-status]").evaluate_all("rows => rows.map(r => r.dataset.status)")
    assert statuses and set(statuses) == {"FAIL"}
    assert f"{failing} results" in page.locator("#pager-info").first.inner_text()
    links = "#findings-table tbody tr td.res-cell a"
    first_page = page.locator(links).evaluate_all("links => links.map(a => a.href)")
    with page.expect_navigation():
        page.locator("#next-page").first.click()
    assert "page=2" in page.url
    second_page = page.locator(links).evaluate_all("links => links.map(a => a.href)")
    assert len(second_page) == min(50, failing - 50) and set(second_page).isdisjoint(first_page)
    # severity filter narrows further and every row has that severity
    with page.expect_navigation():
        page.select_option("#f-severity", "critical")
    severities = page.locator("#findings-table tbody tr[data-severity]").evaluate_all("rows => rows.map(r => r.dataset.severity)")
    expected = json_of(server, "/findings?status=FAIL&severity=critical")["pagination"]["total"]
    assert len(severities) == expected and set(severities) == {"critical"}
    # text search
    page.fill("#f-q", "acme-analytics")
    with page.expect_navigation():
        page.click("#apply")
    assert "q=acme-analytics" in page.url
    assert_clean(tab, server)


def test_findings_json_filters_match_the_database(server, history):
    connection = sqlite3.connect(history.db)
    try:
        expected = dict(connection.execute("select status, count(*) from findings where scan_id = 3 group by status"))
        gcp_fail = connection.execute("select count(*) from findings where scan_id = 3 and status = 'FAIL' and provider = 'gcp'").fetchone()[0]
        iso = connection.execute("select count(*) from findings where scan_id = 3 and controls like '%\"iso27001-2022:A.8.13\"%'").fetchone()[0]
        payments = connection.execute("select count(*) from findings where scan_id = 3 and resource_id in (select source from relations"
                                      " where scan_id = 3 and type = 'member_of_app' and target = 'app:payments')").fetchone()[0]
        first_scan = connection.execute("select count(*) from findings where scan_id = 1").fetchone()[0]
    finally:
        connection.close()
    for status, count in expected.items():
        assert json_of(server, f"/findings.json?status={status}")["pagination"]["total"] == count
    assert json_of(server, "/findings.json?status=FAIL&provider=gcp")["pagination"]["total"] == gcp_fail
    assert json_of(server, "/findings.json?control=iso27001-2022:A.8.13")["pagination"]["total"] == iso
    assert json_of(server, "/findings.json?app=payments")["pagination"]["total"] == payments > 0
    assert json_of(server, "/findings.json?scan=1")["pagination"]["total"] == first_scan
    # pages tile the result without overlap, in the chosen order
    pages = [json_of(server, f"/findings.json?sort=resource&size=100&page={n}")["findings"] for n in (1, 2, 3)]
    keys = [(f["resource_id"], f["rule_id"]) for rows in pages for f in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys) == 300
    ordered = json_of(server, "/findings.json?size=500")["findings"]
    ranks = {"FAIL": 0, "NOT_ASSESSED": 1, "PASS": 2}
    assert [ranks[f["status"]] for f in ordered] == sorted(ranks[f["status"]] for f in ordered)
    bad = fetch(server.base + "/findings.json?page=zero")
    assert bad.status == 400 and "whole number" in bad.json()["error"]


def test_finding_page_shows_evidence_remediation_source_and_history(tab, server):
    failing = json_of(server, f"/findings.json?status=FAIL&q={quote(RESOLVED_BUCKET)}&scan=1")["findings"]
    assert failing, "the curated bucket fails a rule in scan 1 (uniform access off)"
    fingerprint = failing[0]["fingerprint"]
    data = json_of(server, f"/finding.json?scan=1&fingerprint={quote(fingerprint)}")
    changes = data["history"]["changes"]
    assert [c["after"] for c in changes][:2] == ["FAIL", "PASS"]
    assert data["history"]["summary"]["failing_scans"] == 1
    assert data["finding"]["evidence"] and data["rule"]["remediation"]
    open_page(tab, server, f"/finding?scan=1&fingerprint={quote(fingerprint)}")
    page = tab.page
    assert page.locator("#resource-id").inner_text() == RESOLVED_BUCKET
    assert page.locator("#status-changes tbody tr").count() == len(changes)
    assert page.locator("#evidence li").count() == len(data["finding"]["evidence"])
    assert page.locator("#remediation").inner_text().strip() == data["rule"]["remediation"].strip()
    assert "cloud-asset-export.ndjson" in page.locator("#source").inner_text()
    assert_clean(tab, server)


def test_diff_page_numbers_match_drscan_diff(tab, server, history):
    for old, new in ((1, 2), (2, 3), (1, 3)):
        cli = json.loads(drscan("diff", str(old), str(new), "--db", str(history.db), "--json").stdout)
        data = json_of(server, f"/diff.json?old={old}&new={new}")
        assert data["counts"] == cli["counts"], (old, new)
        assert data["findings"] == cli["findings"]
    data = json_of(server, "/diff.json?old=1&new=2")
    assert ADDED_BUCKET in {r["id"] for r in data["resources"]["added"]}
    assert any(c["resource_id"] == ADDED_BUCKET for c in data["findings"]["new"])
    assert any(c["resource_id"] == REGRESSED_BUCKET and c["before"] == "PASS" for c in data["findings"]["regressed"])
    assert any(c["resource_id"] == RESOLVED_BUCKET and c["after"] == "PASS" for c in data["findings"]["resolved"])
    changed = {c["id"]: c for c in data["resources"]["changed"]}
    assert any(ch["path"] == "versioning_enabled" or "version" in ch["path"] for ch in changed[REGRESSED_BUCKET]["changes"])
    open_page(tab, server, "/diff?old=1&new=2")
    page = tab.page
    for key, value in data["counts"].items():
        assert page.locator(f"#count-{key}").inner_text() == str(value), key
    assert page.locator(f"#section-regressed tr[data-fingerprint*='{REGRESSED_BUCKET}']").count() >= 1
    # the default is the latest against the one before
    with page.expect_navigation():
        page.goto(server.base + "/diff")
    assert page.locator("#count-new").inner_text() == str(json_of(server, "/diff.json")["counts"]["new"])
    assert_clean(tab, server)


def test_dr_pages_match_drscan_dr(tab, server, history):
    cli = json.loads(drscan("dr", "--db", str(history.db), "--config", str(CONFIG), "--format", "json").stdout)
    data = json_of(server, "/dr.json")
    assert data["scan"]["id"] == 3
    by_name = {a["name"]: a for a in data["apps"]}
    apps = {a["name"] for a in cli["apps"]}
    assert set(by_name) == apps and {"payments", "checkout", "analytics", "identity", "catalog", "intranet"} <= apps
    for app in cli["apps"]:
        shown = by_name[app["name"]]
        assert shown["detected_strategy"] == app["strategy"]["detected"]
        for disruption, estimate in app["disruptions"].items():
            assert shown["disruptions"][disruption]["verdict"] == estimate["verdict"], (app["name"], disruption)
            assert shown["disruptions"][disruption]["rto_seconds"] == pytest.approx(estimate["rto_seconds"], abs=0.1) \
                if estimate["rto_seconds"] is not None else shown["disruptions"][disruption]["rto_seconds"] is None
    # the sample's documented outcomes (samples/acme/EXPECTED.md)
    assert by_name["identity"]["disruptions"]["region_loss"]["verdict"] == "PASS"
    assert by_name["catalog"]["disruptions"]["region_loss"]["verdict"] == "FAIL"
    assert by_name["intranet"]["strategy_matches_declared"] is False
    open_page(tab, server, "/dr")
    page = tab.page
    assert page.locator("#dr-apps tbody tr").count() == len(apps)
    assert page.locator("#app-identity td[data-disruption='region_loss']").get_attribute("data-verdict") == "PASS"
    assert page.locator("#app-catalog td[data-disruption='region_loss']").get_attribute("data-verdict") == "FAIL"
    chart = page.locator("#chart-within-targets svg.chart")
    assert chart.get_attribute("data-points") == "3" and chart.locator("circle.pt").count() == 3 * len(apps)
    with page.expect_navigation():
        page.click("#app-payments a")
    assert page.locator("#diagram svg").count() == 1
    assert page.locator("#runbook-steps tbody tr").count() > 3
    assert page.locator("#chart-rto svg circle.pt").count() >= 3
    with sqlite3.connect(history.db) as connection:
        stored = dict(connection.execute("select app, score from dr_scores where scan_id = 3 and disruption = 'overall'"))
    assert {name: by_name[name]["readiness_score"] for name in apps} == stored
    assert page.locator("#readiness-score").inner_text() == str(stored["payments"])
    assert_clean(tab, server)


def test_dr_simulate_form_matches_drscan_dr_simulate(tab, server, history):
    cli = json.loads(drscan("dr", "simulate", "--fail", "region:us-east-1", "--db", str(history.db), "--config", str(CONFIG),
                            "--format", "json").stdout)
    open_page(tab, server, "/dr/simulate")
    page = tab.page
    page.fill("#fail-0", "region:us-east-1")
    with page.expect_navigation():
        page.click("#simulate")
    rows = page.locator("#simulate-results tbody tr")
    outcomes = dict(zip(rows.evaluate_all("rs => rs.map(r => r.dataset.app)"), rows.evaluate_all("rs => rs.map(r => r.dataset.outcome)")))
    assert outcomes == {o["name"]: o["outcome"] for o in cli["apps"] + cli["shared_services"]}
    assert str(cli["failed_resource_count"]) in page.locator("#simulate-summary").inner_text()
    data = json_of(server, "/dr/simulate.json?fail=region:us-east-1")
    assert data["result"]["failed_resource_count"] == cli["failed_resource_count"]
    bad = fetch(server.base + "/dr/simulate.json?fail=volcano:etna")
    assert bad.status == 400 and "--fail" in bad.json()["error"]
    assert_clean(tab, server)


def test_controls_page_status_over_time_period_filter_and_pack_link(tab, server):
    data = json_of(server, "/controls.json?framework=iso27001-2022")
    assert len(data["controls"]) == 93 and [s["id"] for s in data["scans"]] == [1, 2, 3]
    by_id = {c["id"]: c for c in data["controls"]}
    assert by_id["A.8.13"]["coverage"] == "automated" and by_id["A.8.13"]["latest"] == "fail"
    assert by_id["A.7.1"]["statuses"] == ["manual"] * 3
    assert [p["file"] for p in data["packs"]] == ["evidence-scan-3.zip"] and data["packs"][0]["scan_id"] == 3
    open_page(tab, server, "/controls?framework=iso27001-2022")
    page = tab.page
    assert page.locator("#controls-table tbody tr").count() == 93
    assert page.locator("#control-A\\.8\\.13 .tick").count() == 3
    day = data["scans"][0]["started_at"][:10]
    page.fill("#f-from", "2000-01-01")
    page.fill("#f-to", "2000-12-31")
    with page.expect_navigation():
        page.click("#apply")
    assert page.locator("#scan-count").inner_text() == "0"
    assert json_of(server, f"/controls.json?from={day}&to={day}")["scans"] == data["scans"]
    with page.expect_download() as download:
        page.goto(server.base + "/controls?framework=iso27001-2022")
        page.click("#packs a")
    assert download.value.suggested_filename == "evidence-scan-3.zip"
    assert fetch(server.base + "/packs/..%2Fdrscan.db").status == 404
    assert_clean(tab, server)


def test_gaps_page_lists_what_could_not_be_seen(tab, server, history):
    import sqlite3

    connection = sqlite3.connect(history.db)
    gaps = connection.execute("select count(*) from gaps where scan_id = 3").fetchone()[0]
    not_assessed = connection.execute("select count(*) from findings where scan_id = 3 and status = 'NOT_ASSESSED'").fetchone()[0]
    connection.close()
    data = json_of(server, "/gaps.json")
    assert data["pagination"]["total"] == gaps
    assert sum(r["count"] for r in data["not_assessed"]) == not_assessed
    open_page(tab, server, "/gaps")
    assert tab.page.locator("#gaps-table tbody tr").count() == max(1, min(gaps, 100))
    assert tab.page.locator("#chart-gaps circle.pt").count() == 6
    assert_clean(tab, server)


def test_script_payload_in_tags_and_names_stays_text(tab, server):
    hits = json_of(server, f"/findings.json?q={quote(XSS_VM_ID)}&scan=3")["findings"]
    assert hits and hits[0]["resource_name"] == PAYLOAD_NAME
    fingerprint = hits[0]["fingerprint"]
    for path in (f"/findings?q={quote(XSS_VM_ID)}", f"/finding?scan=3&fingerprint={quote(fingerprint)}",
                 "/dr/app?name=checkout", "/diff?old=2&new=3"):
        open_page(tab, server, path)
        assert tab.page.evaluate("typeof window.__xss") == "undefined", path
        assert tab.page.locator("main script, main img[src='x']").count() == 0, path
    open_page(tab, server, f"/finding?scan=3&fingerprint={quote(fingerprint)}")
    assert PAYLOAD_TAG in tab.page.locator("#tags").inner_text()
    assert PAYLOAD_KEY in tab.page.locator("#tags").inner_text()
    assert PAYLOAD_NAME in tab.page.locator("#resource-name").inner_text()
    raw = fetch(server.base + f"/finding?scan=3&fingerprint={quote(fingerprint)}").body.decode()
    assert "<script>window.__xss" not in raw and "&lt;script&gt;window.__xss" in raw
    # a bidi override is shown as an escape, a 3,000-character value is cut and does not widen the page
    tags = tab.page.locator("#tags").inner_text()
    assert "invoice\\u202efdp.exe" in tags and "\u202e" not in raw and PAYLOAD_LONG not in raw
    assert "L" * 512 + "… (+2488 characters)" in tags
    assert tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_clean(tab, server)


def test_only_get_and_head_are_served(server):
    for path in ("/", "/findings", "/dr/simulate"):
        assert fetch(server.base + path, method="POST", data=b"x=1").status == 405
        assert fetch(server.base + path, method="DELETE").status == 405
        assert fetch(server.base + path, method="HEAD").status == 200
    missing = fetch(server.base + "/nowhere")
    assert missing.status == 404 and b"Traceback" not in missing.body
    unknown_scan = fetch(server.base + "/findings.json?scan=99")
    assert unknown_scan.status == 404 and unknown_scan.json()["error"] == "scan 99 not found"


def test_host_header_must_be_loopback_without_a_token(server):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 cannot read the dashboard."""
    assert fetch(server.base + "/index.json", headers={"Host": "evil.example"}).status == 421
    assert fetch(server.base + "/index.json", headers={"Host": "localhost"}).status == 200
