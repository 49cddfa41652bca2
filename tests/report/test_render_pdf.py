"""The printable PDF report: rendered with weasyprint from the fixture context, text checked
with pypdf, first pages rasterised with pdftoppm."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from drscan.report.render import write_pdf

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
FIXTURE = REPO / "tests" / "fixtures" / "report_context.json"
PACK_FIXTURE = REPO / "tests" / "fixtures" / "report_context_pack.json"
STATUS_TEXT = {"pass": "PASS", "fail": "FAIL", "not_assessed": "NOT ASSESSED",
               "manual": "MANUAL", "not_covered": "NOT COVERED",
               "waived": "WAIVED", "stale": "STALE", "manual_attested": "ATTESTED", "manual_missing": "NOT ATTESTED"}


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true; install it in the CI image)")
    pytest.skip(reason)


def squash(text: str) -> str:
    """Drop all whitespace: long ids and sentences are wrapped across lines in the PDF."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pdf(context, tmp_path_factory) -> Path:
    out = write_pdf(context, TEMPLATES, tmp_path_factory.mktemp("pdf") / "report.pdf")
    assert out.read_bytes().startswith(b"%PDF-")
    return out


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def full_pages(context, tmp_path_factory) -> list[str]:
    from pypdf import PdfReader

    out = write_pdf(context, TEMPLATES, tmp_path_factory.mktemp("pdf-full") / "report.pdf", detail="full")
    return [page.extract_text() or "" for page in PdfReader(out).pages]


@pytest.fixture(scope="module")
def pack_context() -> dict:
    return json.loads(PACK_FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pack_pdf(pack_context, tmp_path_factory) -> Path:
    out = write_pdf(pack_context, TEMPLATES, tmp_path_factory.mktemp("pdf-pack") / "pack.pdf")
    assert out.read_bytes().startswith(b"%PDF-")
    return out


@pytest.fixture(scope="module")
def pack_pages(pack_pdf) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(pack_pdf).pages]


def test_cover_page(pages, context):
    cover = pages[0]
    scan = context["scan"]
    assert context["organization"] in cover
    assert context["title"] in " ".join(cover.split())
    assert scan["scope"]["name"] in cover
    for value in scan["scope"]["providers"] + scan["scope"]["regions"]:
        assert value in cover
    for account in scan["scope"]["accounts"]:
        assert squash(account) in squash(cover)
    assert f"#{scan['id']}" in cover
    assert context["drscan_version"] in cover
    assert ("FAIL" if scan["exit_code"] else "PASS") in cover
    assert "Page 1 of" not in cover  # the cover carries no running header/footer


def test_running_footer_and_header(pages, context):
    n = len(pages)
    assert n >= 5
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {n}" in text, f"page {number} lacks its footer"
        assert context["organization"] in text
        assert f"scan #{context['scan']['id']}" in text


# Control statuses the summary PDF names by id under their theme ("MANUAL 7 controls: A.5.1, A.5.2, ...")
# instead of one row each (a manual control with an attestation keeps its row).
LISTED = ("manual", "manual_missing", "not_covered")


def assert_every_control_listed(pages: list[str], context: dict, summary: bool) -> set[str]:
    """Every control of every framework is in the PDF with its status: as a row ("A.8.13 FAIL"), or
    in summary named in its theme's list for its status. Returns the statuses seen."""
    text = "\n".join(pages)
    flat = squash(text)
    seen = set()
    for fw in context["frameworks"]:
        assert fw["title"] in " ".join(text.split())
        for theme in fw["themes"]:
            listed: dict[str, list[str]] = {}
            for control in theme["controls"]:
                seen.add(control["status"])
                empty = control["status"] == "not_assessed" and not any(control["counts"].values())
                if summary and (control["status"] in LISTED or empty) and not control.get("attestations"):
                    listed.setdefault(control["status"], []).append(control["id"])
                    continue
                pattern = re.escape(control["id"]) + r"\s+" + re.escape(STATUS_TEXT[control["status"]]) + r"\b"
                assert re.search(pattern, text), f"{fw['id']}:{control['id']} {control['status']} not found"
            for status, ids in listed.items():
                scope = "withnoresourceinscope" if status == "not_assessed" else ""
                line = f"{STATUS_TEXT[status]}{len(ids)}control{'' if len(ids) == 1 else 's'}{scope}:{','.join(ids)}"
                assert squash(line) in flat, f"{fw['id']} theme {theme['id']}: {line}"
    return seen


def test_every_control_listed_with_status(pages, context):
    assert_every_control_listed(pages, context, summary=True)


def test_full_gives_every_control_its_row(full_pages, context):
    assert_every_control_listed(full_pages, context, summary=False)


def test_summary_matrix_says_where_the_rest_is(pages, context, full_pages):
    """Manual and not-covered controls lose their rows (titles) in summary: the matrix says where
    they are; full keeps every title."""
    flat = squash("".join(pages))
    assert squash("their titles, and every rule mapped to every control, are in report.html's control matrix") in flat
    assert squash("and in this PDF with --pdf-detail full") in flat
    manual = [c for fw in context["frameworks"] for t in fw["themes"] for c in t["controls"] if c["status"] == "manual"]
    assert manual
    full = squash("".join(full_pages))
    assert all(squash(c["title"]) in full for c in manual)
    assert sum(squash(c["title"]) in flat for c in manual) < len(manual)


def test_failed_finding_in_full(full_pages, context):
    text = squash("".join(full_pages))
    fails = [f for f in context["findings"] if f["status"] == "FAIL"]
    assert fails
    for f in fails:
        assert squash(f["resource_id"]) in text, f["resource_id"]
        assert squash(f["remediation"]) in text, f["rule_id"]
        assert squash(f["reason"]) in text, f["reason"]
        for ev in f["evidence"]:
            assert squash(ev["path"]) in text
    # escaped markup from the data is printed literally
    assert squash("<script>window.__drscan_xss = true</script>") in text
    assert "rg-donnéeszürich" in "".join(full_pages) or "rg-données-zürich" in "".join(full_pages)


def test_summary_lists_each_failure_with_its_rule_and_reason(pages, context):
    """Summary: each failing rule with its fix and reason; its resources listed unless the rule is
    low or info severity, whose count then points to findings.csv/.json and --pdf-detail full."""
    from drscan.report.pdf_view import SUMMARY_UNLISTED_SEVERITIES

    text = squash("".join(pages))
    unlisted: dict[str, int] = {}
    for f in context["findings"]:
        if f["status"] == "FAIL":
            assert squash(f["remediation"]) in text, f["rule_id"]
            assert squash(f["reason"]) in text, f["reason"]
            if f["severity"] in SUMMARY_UNLISTED_SEVERITIES:
                unlisted[f["rule_id"]] = unlisted.get(f["rule_id"], 0) + 1
            else:
                assert squash(f["resource_name"]) in text, f["resource_name"]
    assert unlisted  # the fixture has low and info failures
    for rule_id, n in unlisted.items():
        severity = next(f["severity"] for f in context["findings"] if f["rule_id"] == rule_id)
        pointer = (f"{n} failed resource{'' if n == 1 else 's'}, not listed for a {severity}-severity rule in this summary"
                   f" — see findings.csv / findings.json (rule_id {rule_id}), or render with --pdf-detail full.")
        assert squash(pointer) in text, rule_id
    # the hostile resource name belongs to a low-severity failure: printed (escaped) in full only
    assert squash("<script>window.__drscan_xss = true</script>") not in text


def test_not_assessed_and_pass_summary(pages, context):
    text = squash("".join(pages))
    for f in context["findings"]:
        if f["status"] == "NOT_ASSESSED":
            assert squash(f["reason"]) in text
    for p in context["pass_summary"]:
        assert squash(p["rule_id"]) in text
    assert "findings.csv" in text


def test_gaps_section(pages, context):
    text = squash("".join(pages))
    assert squash("What could not be assessed") in text
    for gap in context["gaps"]:
        assert squash(gap["message"]) in text
        assert gap["code"] in text


def test_rule_catalogue_appendix_in_full_and_pointed_to_in_summary(pages, full_pages, context):
    full = squash("".join(full_pages))
    assert squash("Appendix A — Rule catalogue") in full
    for rule in context["rules"]:
        assert squash(rule["id"]) in full and squash(rule["title"]) in full
    summary = squash("".join(pages))
    assert squash("Appendix A — Rule catalogue") in summary
    assert squash(f"{context['scan']['rule_count']} rules were evaluated") in summary
    for where in ("it is in report.html (section “Rule catalogue”)", "drscan rules list", "with --pdf-detail full"):
        assert squash(where) in summary, where
    passing_only = [r for r in context["rules"] if r["id"] in {p["rule_id"] for p in context["pass_summary"]}
                    and r["id"] not in {f["rule_id"] for f in context["findings"] if f["status"] != "PASS"}]
    assert passing_only and not any(squash(r["title"]) in summary for r in passing_only)


def test_pages_rasterise(pdf, tmp_path):
    pdftoppm = shutil.which("pdftoppm") or ("/usr/bin/pdftoppm" if Path("/usr/bin/pdftoppm").exists() else None)
    if not pdftoppm:
        _skip_or_fail("pdftoppm is not installed (apt-get install poppler-utils)")
    subprocess.run([pdftoppm, "-r", "50", "-png", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert [p.name for p in pngs] == ["page-01.png", "page-02.png"] or [p.name for p in pngs] == ["page-1.png", "page-2.png"]
    for png in pngs:
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG")
        assert len(data) > 10_000, f"{png.name} looks blank ({len(data)} bytes)"


def test_summary_caps_each_rules_resources_and_full_lists_every_one(context, tmp_path):
    from pypdf import PdfReader

    from drscan.report.pdf_view import SUMMARY_FAILS_PER_RULE

    template = next(f for f in context["findings"] if f["status"] == "FAIL")
    many = [dict(template, resource_id=f"{template['resource_id']}-copy-{i:02d}", resource_name=f"copy-{i:02d}-of-{template['resource_name']}")
            for i in range(SUMMARY_FAILS_PER_RULE + 7)]
    crowded = dict(context, findings=many + context["findings"], totals=dict(context["totals"], FAIL=context["totals"]["FAIL"] + len(many)))

    def text_of(detail: str) -> tuple[str, int]:
        reader = PdfReader(write_pdf(crowded, TEMPLATES, tmp_path / f"{detail}.pdf", detail=detail))
        return squash(" ".join(page.extract_text() or "" for page in reader.pages)), len(reader.pages)

    summary, _ = text_of("summary")
    shown = [f for f in many if squash(f["resource_name"]) in summary]
    assert len(shown) == SUMMARY_FAILS_PER_RULE
    more = len(many) + 1 - SUMMARY_FAILS_PER_RULE  # the fixture's own failure of that rule is counted too
    assert squash(f"and {more} more failed resources — see findings.csv / findings.json (rule_id {template['rule_id']})") in summary
    full, _ = text_of("full")
    assert all(squash(f["resource_id"]) in full for f in many)
    assert "morefailedresources" not in full


def test_unknown_pdf_detail_is_an_input_error(context, tmp_path):
    from drscan.errors import InputError

    with pytest.raises(InputError, match="--pdf-detail must be one of summary, full"):
        write_pdf(context, TEMPLATES, tmp_path / "x.pdf", detail="everything")


# ---------------------------------------------------------------- evidence pack (signed pack, waivers, attestations)


def test_context_without_pack_keys_has_no_pack_sections(pages, context):
    assert not {"waivers", "attestations", "pack", "audit_period", "evidence_ttl_days"} & context.keys()
    text = "\n".join(pages)
    for absent in ("Evidence pack", "Waivers and attestations", "Methodology", "WAIVED", "ATTESTED", "STALE",
                   "time-to-live", "drscan verify", "Waived findings", "collected"):
        assert absent not in text, absent
    toc = " ".join(pages[1].split())
    assert "3.2 Not assessed findings" in toc and "3.3 Passed checks (summary)" in toc
    assert "Appendix B — Scan inputs" in toc


def test_pack_cover(pack_pages, pack_context):
    cover = pack_pages[0]
    pack, period = pack_context["pack"], pack_context["audit_period"]
    assert "Evidence pack" in cover
    assert squash(pack["signature_fingerprint"]) in squash(cover)
    assert squash("drscan verify <pack>.zip --public-key <key>.pub") in squash(cover)
    assert f"{period['start']} → {period['end']}" in cover
    assert f"{pack['manifest_files']} files in the manifest" in " ".join(cover.split())
    for fw in pack["frameworks"]:
        assert fw in cover
    assert f"{pack_context['totals']['WAIVED']}WAIVED" in squash(cover)  # the waived total sits with the others
    # the pack block keeps the cover (and the contents) on one page each
    assert pack_pages[1].lstrip().startswith("Contents")
    assert pack_pages[2].lstrip().startswith("1 Executive summary")


def test_pack_contents_lists_new_sections(pack_pages):
    toc = " ".join(pack_pages[1].split())
    for entry in ("3.2 Waived findings", "3.3 Not assessed findings", "3.4 Passed checks (summary)",
                  "5 Waivers and attestations", "5.1 Active waivers", "5.2 Expired waivers", "5.3 Attestations",
                  "Appendix C — Methodology"):
        assert entry in toc, entry


def test_pack_running_footer(pack_pages, pack_context):
    n = len(pack_pages)
    for number, text in enumerate(pack_pages[1:], start=2):
        assert f"Page {number} of {n}" in text, f"page {number} lacks its footer"


def test_pack_every_control_listed_with_new_status(pack_pages, pack_context):
    text = "\n".join(pack_pages)
    seen = assert_every_control_listed(pack_pages, pack_context, summary=True)
    assert {"waived", "stale", "manual_attested", "manual_missing", "fail", "pass", "not_assessed"} <= seen
    assert squash("A.8.8 STALE evidence 47.6 d · TTL 30 d") in squash(text)  # the stale control's evidence age


def test_pack_waivers_and_attestations(pack_pages, pack_context):
    chapter = next(i for i, t in enumerate(pack_pages) if "5 Waivers and attestations" in t and "Manual assurance" in t)
    text = squash("".join(pack_pages))
    section = squash("".join(pack_pages[chapter:]))
    for w in pack_context["waivers"]["active"]:
        for value in (w["ticket"], w["rule"], w["owner"], w["reason"], w["expires"], *w["resources"]):
            assert squash(value) in section, value
    for w in pack_context["waivers"]["expired"]:
        assert squash(w["ticket"]) in section and squash(w["reason"]) in section
    assert squash("no longer applied") in section
    for a in pack_context["attestations"]:
        assert squash(a["statement"]) in section, a["control"]
        assert squash(a["owner"]) in section
        for e in a["evidence"]:
            assert squash(e["name"]) in section
            assert e["sha256"][:16] + "…" in section, e["name"]
            assert e["sha256"][:17] not in text  # only the 16-digit prefix is printed
    assert "VALID" in section and "EXPIRED" in section


def test_pack_waived_findings_subsection(pack_pages, pack_context):
    waived = [f for f in pack_context["findings"] if f["status"] == "WAIVED"]
    start = next(i for i, t in enumerate(pack_pages) if "3.2 Waived findings" in t and "Failed or not-assessed" in t)
    section = squash("".join(pack_pages[start:start + 2]).split("3.3 Not assessed findings")[0])
    assert section.count("WAIVED") >= len(waived)
    for f in waived:
        assert squash(f["resource_id"]) in section
        assert squash(f["waiver"]["ticket"]) in section and f["waiver"]["expires"] in section
        assert squash("was " + STATUS_TEXT[f["original_status"].lower()]) in section
    fails = [f for f in pack_context["findings"] if f["status"] == "FAIL"]
    text = squash("".join(pack_pages))
    for f in fails:
        assert squash(f"collected {f['observed_at'][:10]}") in text
    assert squash(f"{len(fails)} failed, {pack_context['totals']['NOT_ASSESSED']} not assessed, {len(waived)} waived") in text


def test_pack_methodology_appendix(pack_pages, pack_context):
    start = next(i for i, t in enumerate(pack_pages) if "Appendix C — Methodology" in t and "drscan evaluates" in t)
    text = " ".join(" ".join(pack_pages[start:]).split())
    for label in STATUS_TEXT.values():
        assert label in text
    assert "time-to-live" in text and "ISO/IEC 27001:2022 Annex A 30 days" in text
    assert "drscan verify <pack>.zip --public-key <key>.pub" in text
    assert squash(pack_context["pack"]["signature_fingerprint"]) in squash(text)


def test_pack_pages_rasterise(pack_pdf, tmp_path):
    pdftoppm = shutil.which("pdftoppm") or ("/usr/bin/pdftoppm" if Path("/usr/bin/pdftoppm").exists() else None)
    if not pdftoppm:
        _skip_or_fail("pdftoppm is not installed (apt-get install poppler-utils)")
    subprocess.run([pdftoppm, "-r", "50", "-png", "-f", "1", "-l", "1", str(pack_pdf), str(tmp_path / "cover")],
                   check=True, timeout=120)
    (png,) = tmp_path.glob("cover-*.png")
    assert len(png.read_bytes()) > 10_000


# ---------------------------------------------------------------- findings by control, status by theme


def test_summary_matrix_names_each_failing_rule_with_its_count_and_group(pages, context):
    """Summary has no separate findings-by-control chapter: a failing control's row names each
    failing rule with its failed resources and its group in 3.1, and that group is the rule's."""
    from drscan.report.pdf_view import pdf_view

    text = squash("".join(pages))
    assert squash("Findings by control") not in text
    numbers = pdf_view(context)["fail_numbers"]
    fw = context["frameworks"][0]
    control = next(c for t in fw["themes"] for c in t["controls"] if c["status"] == "fail")
    ref = f"{fw['id']}:{control['id']}"
    failing = [f for f in context["findings"] if f["status"] == "FAIL" and ref in f["controls"]]
    assert failing, ref
    for rule_id in {f["rule_id"] for f in failing}:
        count = sum(1 for f in failing if f["rule_id"] == rule_id)
        assert squash(f"{rule_id} {count} · {numbers[rule_id]}") in text, rule_id
        group = next(g for g in pdf_view(context)["fail_groups"] if g["rule_id"] == rule_id)
        assert squash(f"{numbers[rule_id]} {group['severity']} {rule_id}") in text.lower(), rule_id


def test_findings_by_control_chapter(full_pages, context):
    pages = full_pages
    start = next(i for i, t in enumerate(pages) if "Findings by control" in t and "Each failed control" in t)
    end = next(i for i, t in enumerate(pages) if i > start and "3 Findings" in t and "3.1 Failed findings" in t)
    section = squash("".join(pages[start:end]))
    fw = context["frameworks"][0]
    control = next(c for t in fw["themes"] for c in t["controls"] if c["status"] == "fail")
    ref = f"{fw['id']}:{control['id']}"
    failing = [f for f in context["findings"] if f["status"] == "FAIL" and ref in f["controls"]]
    assert failing, ref
    assert squash(f"{control['id']} FAIL {control['title']}") in section
    for rule_id in {f["rule_id"] for f in failing}:
        count = sum(1 for f in failing if f["rule_id"] == rule_id)
        assert re.search(re.escape(squash(rule_id)) + str(count) + r"p\.\d+", section), rule_id  # rule, failures, page
    assert "Findings by control" in " ".join(pages[1].split())  # listed in the contents


def test_control_status_by_theme_chart(pages, context):
    start = next(i for i, t in enumerate(pages) if t.lstrip().startswith("1 Executive summary"))
    end = next(i for i, t in enumerate(pages) if "2 Control matrix" in t and "Every control of each" in t)
    summary = squash("".join(pages[start:end]))
    assert squash("Control status by theme") in summary
    for theme in context["frameworks"][0]["themes"]:
        assert squash(f"{theme['id']} {theme['name']}") in summary, theme["name"]


def test_summary_names_automated_controls_with_nothing_in_scope_by_id(context):
    """An automated control NOT ASSESSED without a single result (no resource of its rules' kinds
    was found) is named by id under its theme in summary, with why; it keeps its row in full and
    so does a NOT ASSESSED control that has results."""
    import copy
    import html as html_lib

    from drscan.report.pdf_view import pdf_view
    from drscan.report.render import pdf_html

    changed = copy.deepcopy(context)
    controls = [c for fw in changed["frameworks"] for t in fw["themes"] for c in t["controls"]
                if c["status"] in ("fail", "pass", "not_assessed")]
    empty, with_results = controls[0], controls[1]
    empty.update(status="not_assessed", counts={key: 0 for key in empty["counts"]})
    with_results.update(status="not_assessed", counts={**{key: 0 for key in with_results["counts"]}, "NOT_ASSESSED": 2})
    fw_id = next(fw["id"] for fw in changed["frameworks"] for t in fw["themes"] if empty in t["controls"])

    def placement(detail: str, control: dict) -> str:
        for theme in pdf_view(changed, detail)["matrix"][fw_id]:
            if any(row is control or row["id"] == control["id"] and row["title"] == control["title"] for row in theme["rows"]):
                return "row"
            if any(control["id"] in ids for status, ids in theme["listed"] if status == "not_assessed"):
                return "listed"
        return "missing"

    assert placement("summary", empty) == "listed" and placement("full", empty) == "row"
    assert placement("summary", with_results) == "row"
    text = squash(html_lib.unescape(re.sub(r"<[^>]+>", " ", pdf_html(changed, TEMPLATES))))
    assert squash("control with no resource in scope:") in text or squash("controls with no resource in scope:") in text
