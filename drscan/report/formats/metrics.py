"""Prometheus text exposition of a scan, for node_exporter's textfile collector. Written to a
temporary file and renamed, so the collector never reads a half-written file."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from drscan.model import SEVERITIES
from drscan.outputs import write_atomic


def _escape(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: Any) -> str:
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}" if labels else ""


def metrics_text(context: dict[str, Any], finished_epoch: float, duration_s: float) -> str:
    lines: list[str] = []

    def family(name: str, kind: str, help_text: str, samples: list[tuple[dict, float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            lines.append(f"{name}{_labels(**labels)} {value:g}" if isinstance(value, float) else f"{name}{_labels(**labels)} {value}")

    by_status_severity = Counter((f["status"], f["severity"]) for f in context["findings"])
    family("drscan_findings", "gauge", "Findings of the latest scan by status and severity.",
           [({"status": status, "severity": severity}, by_status_severity.get((status, severity), 0))
            for status in ("PASS", "FAIL", "NOT_ASSESSED") for severity in SEVERITIES])
    framework_samples = []
    for framework in context["frameworks"]:
        for status, count in framework["summary"].items():
            if status in ("pass", "fail", "not_assessed", "manual", "not_covered"):
                framework_samples.append(({"framework": framework["id"], "status": status}, count))
    family("drscan_controls", "gauge", "Controls of each framework by status in the latest scan.", framework_samples)
    family("drscan_app_findings", "gauge", "Findings on each application's resources by status.",
           [({"app": app["name"], "status": status}, app[status]) for app in context["apps"]
            for status in ("PASS", "FAIL", "NOT_ASSESSED")])
    score_samples = []
    for app in context.get("dr") or []:
        readiness = (app.get("checks") or {}).get("readiness") or {}
        if readiness.get("score") is not None:
            score_samples.append(({"app": app["name"], "disruption": "overall"}, readiness["score"]))
        for disruption, part in (readiness.get("disruptions") or {}).items():
            if part.get("score") is not None:
                score_samples.append(({"app": app["name"], "disruption": disruption}, part["score"]))
    family("drscan_dr_readiness_score", "gauge", "DR readiness score (0-100) per app and disruption; disruption=\"overall\" "
           "is the app's score.", score_samples)
    family("drscan_resources", "gauge", "Resources in the latest scan by provider.",
           [({"provider": p["provider"]}, p["resources"]) for p in context["by_provider"]])
    family("drscan_gaps", "gauge", "Things the latest scan could not see (gaps).", [({}, len(context["gaps"]))])
    family("drscan_scan_duration_seconds", "gauge", "Wall time of the latest scan.", [({}, round(duration_s, 3))])
    family("drscan_last_success_timestamp_seconds", "gauge", "Unix time the latest successful scan finished.",
           [({}, round(finished_epoch, 3))])
    family("drscan_gate_failed", "gauge", "1 when the latest scan failed its --fail-on gate.",
           [({"fail_on": context["scan"]["fail_on"]}, int(context["scan"]["exit_code"] == 1))])
    return "\n".join(lines) + "\n"


def write_metrics(text: str, path: Path) -> Path:
    return write_atomic(path, text, mode=0o644)  # node_exporter often runs as another user
