"""Assemble the auditor's evidence pack from a stored scan: reports, raw evidence, one file
per control, attestation evidence, and a signed manifest (archive.build_pack)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import orjson

from drscan import __version__
from drscan.model import Scan
from drscan.pack.archive import build_pack
from drscan.pack.keys import fingerprint, load_private_key
from drscan.report.pdf_job import PdfJob
from drscan.report.formats.tabular import csv_text


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS, default=str) + b"\n"


def control_files(context: dict[str, Any]) -> dict[str, Callable[[], bytes]]:
    """controls/<framework>/<control-id>.json: the verdict, its rules, and each finding with
    evidence; each file made when it is written."""
    by_rule: dict[str, list[dict]] = {}
    for finding in context["findings"]:
        by_rule.setdefault(finding["rule_id"], []).append(finding)
    return {f"controls/{framework['id']}/{control['id']}.json": _control_file(framework, theme, control, by_rule)
            for framework in context["frameworks"] for theme in framework["themes"] for control in theme["controls"]}


def _control_file(framework: dict, theme: dict, control: dict, by_rule: dict[str, list[dict]]) -> Callable[[], bytes]:
    def make() -> bytes:
        ref = f"{framework['id']}:{control['id']}"
        return _json({
            "framework": framework["id"], "framework_version": framework["version"], "theme": theme["name"],
            **{k: control[k] for k in ("id", "title", "coverage", "status", "rules", "counts",
                                       "evidence_age_days_max", "attestations")},
            "evidence_ttl_days": framework.get("evidence_ttl_days"),
            "findings": [f for rule in control["rules"] for f in by_rule.get(rule, []) if ref in f["controls"]],
        })

    return make


def pack_files(scan: Scan, context: dict[str, Any], attestation_files: dict[str, Path],
               inputs: dict[str, bytes | Path], extra_files: dict[str, bytes] | None) -> dict[str, Any]:
    """Every file of the pack but the two reports, by name. The JSON and CSV ones are callables
    that build_pack calls at their turn: the names (which the reports print the count of) are
    known at once, and each content exists only while it is written."""
    files: dict[str, Any] = {
        "findings.json": lambda: _json({"drscan_version": context["drscan_version"], "scan": context["scan"],
                                        "totals": context["totals"], "findings": context["findings"]}),
        "findings.csv": lambda: csv_text(context["findings"]).encode(),
        "inventory.json": lambda: _json([{"id": r.id, "kind": r.kind, "name": r.name, "provider": r.provider,
                                          "account": r.account, "region": r.region, "zones": list(r.zones),
                                          "attrs": r.attrs, "tags": r.tags, "source": r.source,
                                          "observed_at": r.observed_at} for r in scan.resources]),
        "relations.json": lambda: _json([{"source": r.source, "target": r.target, "type": r.type} for r in scan.relations]),
        "gaps.json": lambda: _json(context["gaps"]),
        # The DR readiness score of each app, per disruption, with the tests behind it (README "DR readiness score").
        "dr/readiness.json": lambda: _json([{"app": a["name"], "tier": a.get("tier"), **(a.get("readiness") or {})}
                                            for a in context.get("dr") or []]),
        **control_files(context),
    }
    files.update(extra_files or {})  # e.g. drills.json: the restore drill records of the database
    for name, path in attestation_files.items():
        files[f"attestations/{name}"] = path
    for name, path in inputs.items():
        files[f"inputs/{name}"] = path
    return files


def build_evidence_pack(out_path: Path, *, scan: Scan, context: dict[str, Any], signing_key: Path,
                        attestation_files: dict[str, Path], inputs: dict[str, bytes | Path], period: dict[str, str],
                        rule_versions: dict[str, int], render: dict[str, Any],
                        extra_files: dict[str, bytes] | None = None, progress=None) -> dict[str, Any]:
    """`render` holds callables html(context)->str and pdf(context, progress)->bytes. Returns the
    manifest. `progress` (api.Progress): a stage that advances per file written into the pack.
    The PDF is laid out in a second process (report/pdf_job.py) while this one renders the HTML
    and writes the other files."""
    key = load_private_key(signing_key)
    context["pack"] = {"signature_fingerprint": fingerprint(key), "frameworks": [f["id"] for f in context["frameworks"]]}
    context["audit_period"] = period
    files = pack_files(scan, context, attestation_files, inputs, extra_files)
    context["pack"]["manifest_files"] = len(files) + 2  # + report.html and report.pdf
    pdf = PdfJob.start(lambda shown: render["pdf"](context, shown))
    try:
        files["report.html"] = render["html"](context).encode()

        def finished_pdf() -> bytes:  # called by build_pack at its turn (last): the other files are written meanwhile
            data = pdf.result(progress)
            if progress is not None:
                progress.stage("Writing evidence pack files", total=3)  # report.pdf, manifest.json, manifest.sig
            return data

        files["report.pdf"] = finished_pdf
        metadata = {
            "generator": f"drscan {__version__}", "drscan_version": __version__,
            "generated_at": context["generated_at"],
            "scan": {"id": scan.id, "started_at": scan.started_at, "finished_at": scan.finished_at,
                     "as_of": context["scan"]["as_of"]},
            "audit_period": period, "scope": context["scan"]["scope"], "organization": context["organization"],
            "frameworks": {f["id"]: f["version"] for f in context["frameworks"]},
            "rule_versions": rule_versions, "rules_digest": scan.rules_digest,
            "evidence_ttl_days": {f["id"]: f.get("evidence_ttl_days") for f in context["frameworks"]},
        }
        if progress is None:
            return build_pack(out_path, files, metadata, key)
        progress.stage("Writing evidence pack files", total=len(files) + 2)  # + manifest.json and manifest.sig
        manifest = build_pack(out_path, files, metadata, key, on_file=lambda: progress.advance(1))
        progress.advance(2)
        return manifest
    finally:
        pdf.cancel()  # only does something when the pack failed while the PDF was rendering


def default_period(scan_times: list[str], scan: Scan) -> dict[str, str]:
    """The audit period a pack covers: from the first stored scan to this one (dates)."""
    start = min(scan_times) if scan_times else scan.started_at
    return {"start": start[:10], "end": scan.finished_at[:10]}


def parse_period(start: str | None, end: str | None, fallback: dict[str, str]) -> dict[str, str]:
    period = dict(fallback)
    for key, value in (("start", start), ("end", end)):
        if value:
            datetime.fromisoformat(value)  # ValueError -> caller reports
            period[key] = value[:10]
    return period
