"""Assemble the auditor's evidence pack from a stored scan: reports, raw evidence, one file
per control, attestation evidence, and a signed manifest (archive.build_pack)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from drscan import __version__
from drscan.model import Scan
from drscan.pack.archive import build_pack
from drscan.pack.keys import fingerprint, load_private_key
from drscan.report.pdf_job import PdfJob
from drscan.report.formats.tabular import csv_text


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS, default=str) + b"\n"


def control_file_names(context: dict[str, Any]) -> list[str]:
    return [f"controls/{framework['id']}/{control['id']}.json"
            for framework in context["frameworks"] for theme in framework["themes"] for control in theme["controls"]]


def control_files(context: dict[str, Any]) -> dict[str, bytes]:
    """controls/<framework>/<control-id>.json: the verdict, its rules, and each finding with evidence."""
    by_rule: dict[str, list[dict]] = {}
    for finding in context["findings"]:
        by_rule.setdefault(finding["rule_id"], []).append(finding)
    files = {}
    for framework in context["frameworks"]:
        for theme in framework["themes"]:
            for control in theme["controls"]:
                findings = [f for rule in control["rules"] for f in by_rule.get(rule, [])
                            if f"{framework['id']}:{control['id']}" in f["controls"]]
                files[f"controls/{framework['id']}/{control['id']}.json"] = _json({
                    "framework": framework["id"], "framework_version": framework["version"], "theme": theme["name"],
                    **{k: control[k] for k in ("id", "title", "coverage", "status", "rules", "counts",
                                               "evidence_age_days_max", "attestations")},
                    "evidence_ttl_days": framework.get("evidence_ttl_days"),
                    "findings": findings,
                })
    return files


def build_evidence_pack(out_path: Path, *, scan: Scan, context: dict[str, Any], signing_key: Path,
                        attestation_files: dict[str, Path], inputs: dict[str, bytes | Path], period: dict[str, str],
                        rule_versions: dict[str, int], render: dict[str, Any],
                        extra_files: dict[str, bytes] | None = None, progress=None) -> dict[str, Any]:
    """`render` holds callables html(context)->str and pdf(context, progress)->bytes. Returns the
    manifest. `progress` (api.Progress): a stage that advances per file written into the pack.
    The PDF is laid out in a second process (report/pdf_job.py) while this one assembles the
    other files and the HTML."""
    key = load_private_key(signing_key)
    context["pack"] = {"signature_fingerprint": fingerprint(key), "frameworks": [f["id"] for f in context["frameworks"]]}
    context["audit_period"] = period
    names = {*FIXED_FILES, *control_file_names(context), *(extra_files or {}),
             *(f"attestations/{name}" for name in attestation_files), *(f"inputs/{name}" for name in inputs)}
    context["pack"]["manifest_files"] = len(names) + 2  # + report.html and report.pdf
    pdf = PdfJob.start(lambda shown: render["pdf"](context, shown))
    try:
        return _assemble(out_path, scan, context, key, attestation_files, inputs, period, rule_versions, render,
                         extra_files, progress, pdf)
    finally:
        pdf.cancel()  # only does something when the pack failed while the PDF was rendering


# The files every pack holds besides controls/, attestations/, inputs/ and the reports.
FIXED_FILES = ("findings.json", "findings.csv", "inventory.json", "relations.json", "gaps.json", "dr/readiness.json")


def _assemble(out_path: Path, scan: Scan, context: dict[str, Any], key: Any, attestation_files: dict[str, Path],
              inputs: dict[str, bytes | Path], period: dict[str, str], rule_versions: dict[str, int],
              render: dict[str, Any], extra_files: dict[str, bytes] | None, progress: Any, pdf: PdfJob) -> dict[str, Any]:
    files: dict[str, Any] = {
        "findings.json": _json({"drscan_version": context["drscan_version"], "scan": context["scan"],
                                "totals": context["totals"], "findings": context["findings"]}),
        "findings.csv": csv_text(context["findings"]).encode(),
        "inventory.json": _json([{"id": r.id, "kind": r.kind, "name": r.name, "provider": r.provider, "account": r.account,
                                  "region": r.region, "zones": list(r.zones), "attrs": r.attrs, "tags": r.tags,
                                  "source": r.source, "observed_at": r.observed_at} for r in scan.resources]),
        "relations.json": _json([{"source": r.source, "target": r.target, "type": r.type} for r in scan.relations]),
        "gaps.json": _json(context["gaps"]),
        # The DR readiness score of each app, per disruption, with the tests behind it (README "DR readiness score").
        "dr/readiness.json": _json([{"app": a["name"], "tier": a.get("tier"), **(a.get("readiness") or {})}
                                    for a in context.get("dr") or []]),
        **control_files(context),
    }
    files.update(extra_files or {})  # e.g. drills.json: the restore drill records of the database
    for name, path in attestation_files.items():
        files[f"attestations/{name}"] = path
    for name, path in inputs.items():
        files[f"inputs/{name}"] = path
    if len(files) + 2 != context["pack"]["manifest_files"]:  # FIXED_FILES out of step with the files above
        raise RuntimeError(f"evidence pack: {len(files) + 2} files, {context['pack']['manifest_files']} announced")
    files["report.html"] = render["html"](context).encode()

    def finished_pdf() -> bytes:  # called by build_pack at its turn: the other files are written meanwhile
        data = pdf.result(progress)
        if progress is not None:
            progress.stage("Writing evidence pack files", total=3)  # report.pdf, manifest.json, manifest.sig
        return data

    files["report.pdf"] = finished_pdf
    metadata = {
        "generator": f"drscan {__version__}", "drscan_version": __version__,
        "generated_at": context["generated_at"],
        "scan": {"id": scan.id, "started_at": scan.started_at, "finished_at": scan.finished_at, "as_of": context["scan"]["as_of"]},
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
