"""The command line as users run it: subprocesses, real files, real exit codes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import REPO, SAMPLES, SAMPLES_AS_OF, require_binary


def drscan(*args: str, cwd: Path = REPO, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "drscan.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={"PATH": "/usr/bin:/bin", "COLUMNS": "160", "HOME": str(cwd)})


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The README's demo command, on the bundled samples."""
    work = tmp_path_factory.mktemp("demo")
    result = drscan("scan", "--import", str(SAMPLES), "--config", str(SAMPLES / "drscan.yaml"), "--db",
                    str(work / "drscan.db"), "--out", str(work / "reports"), "--as-of", SAMPLES_AS_OF)
    return work, result


@pytest.fixture(scope="module")
def demo_pdf_pages(demo) -> list[str]:
    """The text of each page of the demo's report.pdf (pypdf), extracted once for the tests that read it."""
    work, _ = demo
    return [page.extract_text() for page in PdfReader(str(work / "reports" / "report.pdf")).pages]


def test_demo_scan_writes_four_reports_stores_the_scan_and_exits_1(demo):
    work, result = demo
    assert result.returncode == 1, result.stderr
    for name in ("findings.json", "findings.csv", "report.html", "report.pdf"):
        assert (work / "reports" / name).stat().st_size > 1000, name
    assert "By category" in result.stdout and "By framework" in result.stdout and "Worst findings" in result.stdout
    assert "Gate (--fail-on high): FAIL" in result.stdout
    rows = sqlite3.connect(work / "drscan.db").execute("select resource_count, fail_count from scans").fetchall()
    assert len(rows) == 1 and rows[0][0] > 250 and rows[0][1] > 0


def test_findings_json_and_csv_have_the_documented_fields(demo):
    work, _ = demo
    document = json.loads((work / "reports" / "findings.json").read_text())
    required = {"rule_id", "resource_id", "resource_kind", "provider", "region", "status", "severity", "category",
                "controls", "evidence", "reason"}
    assert document["findings"] and all(required <= set(f) for f in document["findings"])
    assert sum(document["totals"].values()) == len(document["findings"])
    header = (work / "reports" / "findings.csv").read_text().splitlines()[0].split(",")
    assert required <= set(header)


def test_pdf_text_holds_cover_controls_findings_and_gaps(demo, demo_pdf_pages):
    work, _ = demo
    text = "\n".join(demo_pdf_pages)
    flat = " ".join(text.split())
    assert "Acme Corp" in flat and "acme-production" in flat
    for control in ("A.5.1", "A.8.13", "A.8.24", "CC6.1", "A1.2"):
        assert control in flat
    document = json.loads((work / "reports" / "findings.json").read_text())
    failing = next(f for f in document["findings"] if f["status"] == "FAIL" and f["severity"] == "critical")
    assert failing["rule_id"] in flat.replace("- ", "-")
    assert "Page 1 of" in flat or "1 of" in flat


def test_pdf_detail_summary_is_short_and_full_lists_every_failed_resource(demo, demo_pdf_pages):
    """The demo's PDF (summary) shows each rule's first failing resources and points to the CSV
    for the rest; --pdf-detail full lists every failed resource, on more pages."""
    from drscan.report.pdf_view import SUMMARY_FAILS_PER_RULE

    work, _ = demo
    full = drscan("scan", "--import", str(SAMPLES), "--config", str(SAMPLES / "drscan.yaml"), "--out", str(work / "full"),
                  "--format", "pdf", "--pdf-detail", "full", "--as-of", SAMPLES_AS_OF, "-q")
    assert full.returncode == 1, full.stderr
    summary_pages = demo_pdf_pages
    full_pages = [page.extract_text() for page in PdfReader(str(work / "full" / "report.pdf")).pages]
    assert len(summary_pages) < len(full_pages)
    summary, everything = ("".join("".join(pages).split()) for pages in (summary_pages, full_pages))
    fails = [f for f in json.loads((work / "reports" / "findings.json").read_text())["findings"] if f["status"] == "FAIL"]
    by_rule: dict[str, list[dict]] = {}
    for f in fails:
        by_rule.setdefault(f["rule_id"], []).append(f)
    crowded = max(by_rule.values(), key=len)
    assert len(crowded) > SUMMARY_FAILS_PER_RULE
    rule_id = crowded[0]["rule_id"]
    assert "".join(crowded[0]["resource_name"].split()) in summary and "".join(crowded[0]["reason"].split()) in summary
    more = len(crowded) - SUMMARY_FAILS_PER_RULE
    assert f"and{more}morefailedresources—seefindings.csv/findings.json(rule_id{rule_id})" in summary
    for f in fails:  # full: every failed resource, by its id
        assert "".join(f["resource_id"].split()) in everything, f["resource_id"]
    assert "morefailedresources" not in everything


def test_reports_hold_a_dr_chapter_per_app_with_estimates_picture_and_runbook(demo, demo_pdf_pages):
    work, _ = demo
    pages = [" ".join(text.split()) for text in demo_pdf_pages]
    chapter = [i for i, text in enumerate(pages) if "Disaster-recovery readiness" in text and "Per application" in text]
    assert len(chapter) == 1
    dr_text = " ".join(pages[chapter[0]:])
    apps = ("payments", "checkout", "analytics", "identity", "catalog", "intranet", "orders", "reporting", "search")
    for app in apps:
        assert f" {app} " in dr_text
    assert "Region loss" in dr_text and "Runbook: region loss" in dr_text and "Single points of failure" in dr_text
    # the dependency graph's text is laid over its shapes as HTML labels: it is real text in the PDF
    assert "1. Keys & network" in dr_text and "recovery region" in dr_text
    assert "pilot light" in dr_text and "active active" in dr_text
    # The dependency pictures are drawn as vector graphics: their column titles are text on the page.
    assert dr_text.count("1. Keys & network") == len(apps) and dr_text.count("4. Traffic") == len(apps)
    html = (work / "reports" / "report.html").read_text()
    assert 'id="dr-identity"' in html and html.count('aria-label="DR dependency graph of') == len(apps)
    assert "Runbook: region loss" in html
    # The readiness score per app, with its trend chart (server-side SVG: no script, no CDN).
    assert dr_text.count("DR readiness score:") == len(apps) and "DR readiness score: 22/100" in dr_text
    assert html.count('class="score-trend"') == len(apps) and "DR readiness score: 22/100" in html


def test_html_findings_table_in_headless_chromium(demo):
    chromium = require_binary("chromium")
    from playwright.sync_api import sync_playwright

    work, _ = demo
    document = json.loads((work / "reports" / "findings.json").read_text())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        try:
            page = browser.new_page()
            page.goto((work / "reports" / "report.html").as_uri())
            rows = page.locator("#findings tbody tr[data-status]")
            assert rows.count() == len(document["findings"])
            page.select_option("#status-filter", "FAIL")
            visible = page.locator("#findings tbody tr[data-status]:visible")
            assert visible.count() == document["totals"]["FAIL"]
        finally:
            browser.close()


def test_version_and_help_on_every_command():
    from drscan import __version__
    assert drscan("--version").stdout.strip() == f"drscan {__version__}"
    for command in ([], ["scan"], ["rules"], ["rules", "list"], ["controls"]):
        result = drscan(*command, "--help")
        assert result.returncode == 0 and "Usage" in result.stdout, command


def test_rules_list_shows_ids_severity_kinds_and_controls():
    result = drscan("rules", "list", "--json")
    rules = json.loads(result.stdout)
    assert len(rules) >= 30
    rule = next(r for r in rules if r["id"] == "aws-s3-bucket-encrypted-cmk")
    assert rule["severity"] == "high" and rule["kinds"] == ["aws.s3.bucket"] and "iso27001-2022:A.8.24" in rule["controls"]
    table = drscan("rules", "list", "--kind", "gcp.sql.instance").stdout
    assert "gcp-sql-pitr" in table and "aws-s3" not in table


def test_controls_lists_every_iso_control_with_coverage():
    controls = json.loads(drscan("controls", "--framework", "iso27001-2022", "--json").stdout)
    assert len(controls) == 93
    by_id = {c["id"]: c for c in controls}
    assert by_id["A.8.13"]["coverage"] == "automated" and "aws-dynamodb-table-pitr" in by_id["A.8.13"]["rules"]
    assert by_id["A.7.1"]["coverage"] == "manual"
    assert {c["coverage"] for c in controls} == {"automated", "manual", "not_covered"}
    unknown = drscan("controls", "--framework", "nist")
    assert unknown.returncode == 2 and "unknown framework 'nist'" in unknown.stderr


def test_fail_on_controls_the_exit_code(tmp_path):
    assert drscan("scan", "--import", str(SAMPLES), "--fail-on", "none", "-q").returncode == 0
    assert drscan("scan", "--import", str(SAMPLES), "--fail-on", "critical", "-q").returncode == 1


def test_malformed_export_is_a_one_line_error_and_exit_2_and_stores_nothing(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "config.json").write_text('{"configurationItems": [\n  {"resourceType": "AWS::S3::Bucket",}\n]}')
    result = drscan("scan", "--import", str(tmp_path / "in"), "--db", str(tmp_path / "d.db"), "-q")
    assert result.returncode == 2
    assert "config.json:2:" in result.stderr and "invalid JSON" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "d.db").exists() or sqlite3.connect(tmp_path / "d.db").execute(
        "select count(*) from scans").fetchone()[0] == 0


def test_invalid_config_names_file_and_line(tmp_path):
    config = tmp_path / "drscan.yaml"
    config.write_text("organization: X\napps:\n  - name: pay\n    rpo: fifteen minutes\n    members: {tags: {app: pay}}\n")
    result = drscan("scan", "--import", str(SAMPLES), "--config", str(config), "-q")
    assert result.returncode == 2 and f"{config}:4: rpo: not a duration" in result.stderr
    config.write_text("organization: X\nappz: []\n")
    result = drscan("scan", "--import", str(SAMPLES), "--config", str(config), "-q")
    assert result.returncode == 2 and f"{config}:2:" in result.stderr and "unknown key 'appz'" in result.stderr


def test_second_scan_appends_to_history(tmp_path):
    db = str(tmp_path / "d.db")
    for _ in range(2):
        drscan("scan", "--import", str(SAMPLES), "--db", db, "-q", "--fail-on", "none")
    assert [r[0] for r in sqlite3.connect(db).execute("select id from scans order by id")] == [1, 2]


def test_scan_writes_sarif_junit_and_ocsf_for_ci(tmp_path):
    import jsonschema
    from junitparser import JUnitXml

    result = drscan("scan", "--import", str(SAMPLES), "-q", "--as-of", SAMPLES_AS_OF, "--sarif", str(tmp_path / "d.sarif"),
                    "--junit", str(tmp_path / "junit.xml"), "--ocsf", str(tmp_path / "ocsf.json"),
                    "--out", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 1, result.stderr
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())
    sarif = json.loads((tmp_path / "d.sarif").read_text())
    schema = json.loads((REPO / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    assert len(sarif["runs"][0]["results"]) == findings["totals"]["FAIL"] + findings["totals"]["NOT_ASSESSED"]
    suites = JUnitXml.fromfile(str(tmp_path / "junit.xml"))
    assert sum(s.failures for s in suites) == findings["totals"]["FAIL"]
    assert len(json.loads((tmp_path / "ocsf.json").read_text())) == len(findings["findings"])
