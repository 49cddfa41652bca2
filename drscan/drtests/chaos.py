"""Chaos Mesh and LitmusChaos results -> DR tests (pure functions over the custom resources'
JSON, as `kubectl get <kind> -o json` prints them). Ready for the Kubernetes importer: it calls
`chaos_mesh_test(item)` / `litmus_test(result, engine)` for each object of these kinds.

Which app and disruption: the annotations `drscan.io/app` and `drscan.io/disruption` win; else
the app comes from an `app` / `app.kubernetes.io/part-of` / `app.kubernetes.io/name` label (the
experiment's own, or its selector's / the ChaosEngine's `appinfo.applabel`), and the disruption
from what the experiment does (killing pods, nodes or instances is the loss of part of the
capacity, i.e. what a zone loss does; see ZONE_FAULTS). Anything else is not attributed.

Outcome: LitmusChaos judges the application with its probes (`status.experimentStatus.verdict`
Pass/Fail). A Chaos Mesh experiment only injects and recovers a fault and does not judge the
application, so it is inconclusive unless a Workflow with a StatusCheck node ran it
(Accomplished -> pass, Aborted -> fail) or the annotation `drscan.io/outcome: pass|fail` says."""

from __future__ import annotations

from typing import Any

from drscan.drtests.model import DrTest, normalize_disruption, utc

APP_ANNOTATION, DISRUPTION_ANNOTATION, OUTCOME_ANNOTATION = "drscan.io/app", "drscan.io/disruption", "drscan.io/outcome"
APP_LABEL_KEYS = ("app", "app.kubernetes.io/part-of", "app.kubernetes.io/name")
CHAOS_MESH_EXPERIMENTS = frozenset({"PodChaos", "NetworkChaos", "StressChaos", "IOChaos", "TimeChaos", "KernelChaos",
                                    "DNSChaos", "HTTPChaos", "JVMChaos", "AWSChaos", "GCPChaos", "AzureChaos",
                                    "BlockChaos", "PhysicalMachineChaos"})
# Faults that take away part of the app's capacity, as losing a zone does.
ZONE_FAULTS = {
    ("PodChaos", "pod-kill"), ("PodChaos", "pod-failure"), ("PodChaos", "container-kill"),
    ("AWSChaos", "ec2-stop"), ("AWSChaos", "ec2-restart"), ("AWSChaos", "detach-volume"),
    ("GCPChaos", "node-stop"), ("GCPChaos", "node-reset"), ("GCPChaos", "disk-loss"),
    ("AzureChaos", "vm-stop"), ("AzureChaos", "vm-restart"), ("AzureChaos", "disk-detach"),
    ("NetworkChaos", "partition"),
}
LITMUS_ZONE_EXPERIMENTS = frozenset({"pod-delete", "container-kill", "node-drain", "node-restart", "kubelet-service-kill",
                                     "ec2-terminate-by-id", "ec2-terminate-by-tag", "ec2-stop-by-id", "ec2-stop-by-tag",
                                     "ebs-loss-by-id", "ebs-loss-by-tag", "gcp-vm-instance-stop", "gcp-vm-disk-loss",
                                     "azure-instance-stop", "azure-disk-loss", "aws-az-chaos", "pod-network-partition"})
LITMUS_VERDICTS = {"pass": "pass", "fail": "fail"}  # Stopped, Awaited, Error: inconclusive


def _meta(item: dict) -> dict:
    return item.get("metadata") or {}


TOOL_NAMES = frozenset({"litmus", "chaos-mesh", "chaosmesh"})  # Litmus labels its own objects part-of: litmus


def _label_app(labels: Any) -> str | None:
    if isinstance(labels, dict):
        for key in APP_LABEL_KEYS:
            if labels.get(key) and str(labels[key]).lower() not in TOOL_NAMES:
                return str(labels[key])
    return None


def _applabel(text: Any) -> str | None:
    """ChaosEngine `appinfo.applabel`, e.g. 'app=payments' or 'app.kubernetes.io/name in (payments)'."""
    for part in str(text or "").split(","):
        key, sep, value = part.partition("=")
        if sep and key.strip() in APP_LABEL_KEYS:
            return value.strip().strip("'\"")
    return None


def _app(item: dict, *more: str | None) -> str | None:
    meta = _meta(item)
    annotated = (meta.get("annotations") or {}).get(APP_ANNOTATION)
    return annotated or _label_app(meta.get("labels")) or next((m for m in more if m), None)


def _disruption(item: dict, inferred: str | None) -> str | None:
    annotated = (_meta(item).get("annotations") or {}).get(DISRUPTION_ANNOTATION)
    return normalize_disruption(annotated) if annotated else inferred


def _conditions(status: dict) -> dict[str, str]:
    return {str(c.get("type")): str(c.get("status")) for c in status.get("conditions") or [] if isinstance(c, dict)}


def _events(status: dict) -> list[dict]:
    records = (status.get("experiment") or {}).get("containerRecords") or []
    return [e for r in records if isinstance(r, dict) for e in r.get("events") or [] if isinstance(e, dict)]


def chaos_mesh_test(item: dict, source: str = "") -> DrTest | None:
    """A Chaos Mesh experiment (PodChaos, NetworkChaos, ...) or Workflow -> a DR test; None when
    it names no app or has not run yet."""
    kind = str(item.get("kind") or "")
    meta, spec, status = _meta(item), item.get("spec") or {}, item.get("status") or {}
    annotated = str((meta.get("annotations") or {}).get(OUTCOME_ANNOTATION) or "").lower()
    where = source or f"{kind}/{meta.get('namespace', '')}/{meta.get('name', '')}"
    if kind == "Workflow":
        conditions = _conditions(status)
        templates = spec.get("templates") or []
        checked = any(isinstance(t, dict) and t.get("templateType") == "StatusCheck" for t in templates)
        app = _app(item)
        date = utc(status.get("endTime") or status.get("startTime") or meta.get("creationTimestamp"))
        if app is None or date is None:
            return None
        if annotated in ("pass", "fail"):
            outcome, why = annotated, f"annotation {OUTCOME_ANNOTATION}"
        elif conditions.get("Aborted") == "True":
            outcome, why = "fail", "the workflow was aborted (a status check failed)"
        elif conditions.get("Accomplished") == "True" and checked:
            outcome, why = "pass", "accomplished with its status checks passing"
        else:
            outcome, why = "inconclusive", ("not accomplished yet" if conditions.get("Accomplished") != "True"
                                            else "accomplished, but it has no StatusCheck node to judge the app")
        faults = {(t.get("templateType"), (t.get(_spec_key(t.get("templateType"))) or {}).get("action"))
                  for t in templates if isinstance(t, dict)}
        inferred = "zone" if faults & ZONE_FAULTS else None
        return DrTest(app=app, disruption=_disruption(item, inferred), kind="chaos", date=date, outcome=outcome,
                      source=where, title=f"Chaos Mesh workflow {meta.get('name', '')}", detail=why)
    if kind not in CHAOS_MESH_EXPERIMENTS:
        return None
    selector_labels = (spec.get("selector") or {}).get("labelSelectors")
    app = _app(item, _label_app(selector_labels))
    events = _events(status)
    stamps = [utc(e.get("timestamp")) for e in events]
    date = max((s for s in stamps if s), default=None) or utc(meta.get("creationTimestamp"))
    if app is None or date is None or not events:
        return None
    failed = [e for e in events if e.get("type") == "Failed"]
    if annotated in ("pass", "fail"):
        outcome, why = annotated, f"annotation {OUTCOME_ANNOTATION}"
    else:
        outcome = "inconclusive"
        why = (f"the fault could not be {failed[0].get('operation', 'applied').lower()}ed: {failed[0].get('message', '')}"
               if failed else "Chaos Mesh injected and recovered the fault but does not judge the app "
                              f"(run it in a Workflow with a StatusCheck, or annotate {OUTCOME_ANNOTATION})")
    inferred = "zone" if (kind, spec.get("action")) in ZONE_FAULTS else None
    return DrTest(app=app, disruption=_disruption(item, inferred), kind="chaos", date=date, outcome=outcome, source=where,
                  title=f"Chaos Mesh {kind} {spec.get('action', '')} {meta.get('name', '')}".strip(), detail=why)


def _spec_key(template_type: Any) -> str:
    """Workflow template `PodChaos` keeps its spec under `podChaos`."""
    text = str(template_type or "")
    return text[:1].lower() + text[1:]


def litmus_test(result: dict, engine: dict | None = None, source: str = "") -> DrTest | None:
    """A LitmusChaos ChaosResult (and optionally its ChaosEngine) -> a DR test; None when it names no
    app or has no date."""
    if result.get("kind") != "ChaosResult":
        return None
    meta, spec, status = _meta(result), result.get("spec") or {}, result.get("status") or {}
    engine = engine or {}
    engine_app = _applabel(((engine.get("spec") or {}).get("appinfo") or {}).get("applabel"))
    app = _app(result, _app(engine) if engine else None, engine_app)
    experiment = str(spec.get("experiment") or "")
    updated = [utc(e.get("lastUpdateTime")) for e in (engine.get("status") or {}).get("experiments") or []
               if isinstance(e, dict) and (not experiment or e.get("name") == experiment)]
    date = max((u for u in updated if u), default=None) or utc(meta.get("creationTimestamp"))
    if app is None or date is None:
        return None
    experiment_status = status.get("experimentStatus") or {}
    verdict = str(experiment_status.get("verdict") or "")
    outcome = LITMUS_VERDICTS.get(verdict.lower(), "inconclusive")
    probes = [f"{p.get('name')}: {(p.get('status') or {}).get('verdict')}" for p in status.get("probeStatuses") or []
              if isinstance(p, dict)]
    detail = f"verdict {verdict or 'absent'}, phase {experiment_status.get('phase') or 'absent'}"
    if experiment_status.get("probeSuccessPercentage") is not None:
        detail += f", probes {experiment_status['probeSuccessPercentage']}% passed"
    if probes:
        detail += f" ({'; '.join(probes[:5])})"
    inferred = "zone" if experiment in LITMUS_ZONE_EXPERIMENTS else None
    return DrTest(app=app, disruption=_disruption(result, inferred), kind="chaos", date=date, outcome=outcome,
                  source=source or f"ChaosResult/{meta.get('namespace', '')}/{meta.get('name', '')}",
                  title=f"LitmusChaos {experiment or meta.get('name', '')}", detail=detail)
