"""Adapters from each source of DR-test evidence to DrTest (pure): the drills file, AWS Fault
Injection Service experiments, AWS Backup restore jobs (restore testing plans included) and
`drscan drill restore` records and Chaos Mesh / LitmusChaos experiments of the scanned inventory. `gather_tests` runs them all through one explicit registry."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

from drscan.config import Config
from drscan.dr.drills import Drill
from drscan.drtests.chaos import chaos_mesh_test, litmus_test
from drscan.drtests.model import DrTest, normalize_disruption, utc
from drscan.graph.build import ResourceGraph
from drscan.model import Resource
from drscan.normalize.kubernetes import CHAOS_MESH_KINDS, object_id

FIS_EXPERIMENT = "aws.fis.experiment"
RESTORE_JOB = "aws.backup.restore_job"
RESTORE_DRILL = "drscan.drill.restore"  # drscan drill restore records (drscan/drill/records.py)
APP_TAGS = ("drscan:app", "app", "application")
DISRUPTION_TAG = "drscan:disruption"

# FIS actions by the disruption they rehearse (AWS FIS actions reference; the AZ and cross-region
# scenarios of the FIS scenario library are built from these).
FIS_REGION_ACTIONS = frozenset({
    "aws:network:route-table-disrupt-cross-region-connectivity",
    "aws:network:transit-gateway-disrupt-cross-region-connectivity",
    "aws:s3:bucket-pause-replication", "aws:dynamodb:global-table-pause-replication",
    "aws:memorydb:multi-region-cluster-pause-replication",
})
FIS_ZONE_ACTIONS = frozenset({
    "aws:ec2:stop-instances", "aws:ec2:terminate-instances", "aws:ec2:reboot-instances",
    "aws:ec2:send-spot-instance-interruptions", "aws:ec2:asg-insufficient-instance-capacity-error",
    "aws:rds:failover-db-cluster", "aws:rds:reboot-db-instances", "aws:network:disrupt-connectivity",
    "aws:ebs:pause-volume-io", "aws:ecs:stop-task", "aws:ecs:drain-container-instances",
    "aws:eks:terminate-nodegroup-instances", "aws:eks:pod-delete",
    "aws:elasticache:interrupt-cluster-az-power", "aws:elasticache:replicationgroup-interrupt-az-power",
    "aws:arc:start-zonal-autoshift", "aws:lambda:invocation-error",
})


def drill_tests(drills: Iterable[Drill]) -> list[DrTest]:
    tests = []
    for drill in drills:
        outcome = "fail" if drill.outcome in ("fail", "partial") else "pass"
        detail = f"outcome {drill.outcome}" + (f"; participants: {', '.join(drill.participants)}" if drill.participants else "")
        tests.append(DrTest(app=drill.app, disruption=drill.disruption, kind=drill.kind or ("tabletop" if drill.type == "tabletop" else "failover"),
                            date=utc(drill.date), outcome=outcome, source=drill.source or "drills file",
                            measured_rto_seconds=drill.measured_rto_seconds, measured_rpo_seconds=drill.measured_rpo_seconds,
                            title=f"{drill.kind or drill.type} {drill.scenario or drill.disruption or ''}".strip(), detail=detail))
    return tests


def _apps_for(graph: ResourceGraph, names: set[str], tags: dict, resource_ids: Iterable[str],
              resource_tags: dict) -> list[str]:
    for key in APP_TAGS:
        value = tags.get(key)
        if value in names:
            return [value]
    found: list[str] = []
    for rid in resource_ids:
        for app in graph.apps_of.get(rid, ()) or graph.apps_of.get(str(rid).lower(), ()):
            if app not in found:
                found.append(app)
    for key in APP_TAGS:
        value = resource_tags.get(key)
        if value in names and value not in found:
            found.append(value)
    return found


def fis_disruption(actions: Iterable[str]) -> str | None:
    chosen = set(actions)
    if chosen & FIS_REGION_ACTIONS:
        return "region"
    if chosen & FIS_ZONE_ACTIONS:
        return "zone"
    return None


def fis_tests(experiment: Resource, graph: ResourceGraph, names: set[str]) -> list[DrTest]:
    """A finished FIS experiment: completed = pass; failed, or stopped by a stop condition (an alarm
    said the app was hurt) = fail; cancelled or stopped by hand = inconclusive."""
    attrs = experiment.attrs
    status = str(attrs.get("status") or "").lower()
    reason = str(attrs.get("reason") or "")
    if status == "completed":
        outcome = "pass"
    elif status == "failed" or (status == "stopped" and "stop condition" in reason.lower()):
        outcome = "fail"
    elif status in ("stopped", "cancelled"):
        outcome = "inconclusive"
    else:
        return []  # pending, initiating, running, stopping: not a result yet
    date = utc(attrs.get("ended_at") or attrs.get("started_at") or attrs.get("created_at"))
    if date is None:
        return []
    tags = dict(experiment.tags)
    disruption = normalize_disruption(tags.get(DISRUPTION_TAG)) or fis_disruption(attrs.get("action_ids") or ())
    apps = _apps_for(graph, names, tags, attrs.get("target_arns") or (), attrs.get("target_resource_tags") or {})
    return [DrTest(app=app, disruption=disruption, kind="chaos", date=date, outcome=outcome, source=experiment.id,
                   title=f"FIS experiment {experiment.name} ({', '.join(sorted(attrs.get('action_ids') or ()))})",
                   detail=f"state {status}" + (f": {reason}" if reason else "")) for app in apps]


def _seconds(start: str | None, end: str | None) -> float | None:
    first, last = utc(start), utc(end)
    return (last - first).total_seconds() if first and last and last >= first else None


def restore_job_tests(job: Resource, graph: ResourceGraph, names: set[str]) -> list[DrTest]:
    """A finished AWS Backup restore job of an app's data store (from a restore testing plan or by
    hand): COMPLETED = pass unless its validation FAILED or TIMED_OUT; FAILED / ABORTED = fail.
    Measured restore time = completion - creation when validation succeeded (or, for restores
    outside a testing plan, which have no validation, when it completed); the data's age at
    restore = creation - recovery point creation."""
    attrs = job.attrs
    status = str(attrs.get("status") or "").upper()
    validation = str(attrs.get("validation_status") or "").upper() or None
    plan = attrs.get("restore_testing_plan_arn")
    if status == "COMPLETED":
        outcome = "fail" if validation in ("FAILED", "TIMED_OUT") else "inconclusive" if validation == "VALIDATING" else "pass"
    elif status in ("FAILED", "ABORTED"):
        outcome = "fail"
    else:
        return []
    date = utc(attrs.get("completed_at") or attrs.get("created_at"))
    if date is None:
        return []
    measured = None
    if status == "COMPLETED" and (validation == "SUCCESSFUL" or (plan is None and validation is None)):
        measured = attrs.get("duration_seconds")
        if not isinstance(measured, (int, float)):
            measured = _seconds(attrs.get("created_at"), attrs.get("completed_at"))
    data_age = _seconds(attrs.get("recovery_point_created_at"), attrs.get("created_at"))
    stores = [r.id for r in graph.related(job.id, "restore_of")]
    apps = _apps_for(graph, names, {}, stores, {})
    detail = f"status {status}" + (f", validation {validation}" if validation else "") + (
        f": {attrs.get('status_message') or attrs.get('validation_status_message')}"
        if attrs.get("status_message") or attrs.get("validation_status_message") else "")
    return [DrTest(app=app, disruption="data_corruption", kind="restore", date=date, outcome=outcome, source=job.id,
                   measured_rto_seconds=measured, measured_rpo_seconds=data_age,
                   title=("AWS Backup restore test" if plan else "AWS Backup restore") + f" of {', '.join(s.rsplit(':', 1)[-1] for s in stores)}",
                   detail=detail + (f"; restore testing plan {plan.rsplit(':', 1)[-1]}" if plan else "")) for app in apps]


def restore_drill_tests(drill: Resource, graph: ResourceGraph, names: set[str]) -> list[DrTest]:
    """A `drscan drill restore` record (drscan.drill): passed = pass, with its measured restore time
    and the age of the restored backup; failed (verification) = fail; error (the drill itself could
    not finish) = inconclusive. Tied to its `app`, or to the apps of the databases it restored."""
    attrs = drill.attrs
    outcome = {"passed": "pass", "failed": "fail"}.get(str(attrs.get("status") or ""), "inconclusive")
    date = utc(attrs.get("finished_at") or attrs.get("started_at"))
    if date is None:
        return []
    app = attrs.get("app")
    apps = [app] if app in names else _apps_for(graph, names, {}, [r.id for r in graph.related(drill.id, "restore_of")], {})
    seconds = attrs.get("restore_duration_seconds") if outcome == "pass" else None
    age = attrs.get("backup_age_seconds")
    return [DrTest(app=name, disruption="data_corruption", kind="restore", date=date, outcome=outcome, source=drill.id,
                   measured_rto_seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
                   measured_rpo_seconds=float(age) if isinstance(age, (int, float)) else None,
                   title=f"restore drill of {attrs.get('backup') or 'a backup'} ({attrs.get('engine') or '?'})",
                   detail=f"status {attrs.get('status')}" + (f": {attrs.get('error')}" if attrs.get("error") else ""))
            for name in apps]


def chaos_mesh_tests(experiment: Resource, graph: ResourceGraph, names: set[str]) -> list[DrTest]:
    """A Chaos Mesh experiment or Workflow read from a cluster (kept object in attrs['object'])."""
    test = chaos_mesh_test(experiment.attrs.get("object") or {}, source=experiment.id)
    return [test] if test is not None and test.app in names else []


def litmus_tests(result: Resource, graph: ResourceGraph, names: set[str]) -> list[DrTest]:
    """A LitmusChaos ChaosResult, joined to its ChaosEngine (same cluster and namespace, spec.engine)."""
    obj = result.attrs.get("object") or {}
    engine_name = (obj.get("spec") or {}).get("engine")
    engine = graph.resources.get(object_id(result.account, result.attrs.get("namespace"), "chaosengine", str(engine_name))) \
        if engine_name else None
    test = litmus_test(obj, (engine.attrs.get("object") or {}) if engine is not None else None, source=result.id)
    return [test] if test is not None and test.app in names else []


GraphAdapter = Callable[[Resource, ResourceGraph, set[str]], list[DrTest]]
# Resource kind -> adapter (Chaos Mesh and LitmusChaos objects come from the Kubernetes importer
# and the live collector: drscan.normalize.kubernetes keeps them for drscan.drtests.chaos).
GRAPH_ADAPTERS: dict[str, GraphAdapter] = {
    FIS_EXPERIMENT: fis_tests,
    RESTORE_JOB: restore_job_tests,
    RESTORE_DRILL: restore_drill_tests,
    **{f"k8s.chaos_mesh.{kind.lower()}": chaos_mesh_tests for kind in CHAOS_MESH_KINDS},
    "k8s.litmus.chaosresult": litmus_tests,
}


def gather_tests(graph: ResourceGraph, config: Config, by_kind: Callable[[str], list[Resource]]) -> list[DrTest]:
    """Every DR test of the configured apps, newest first."""
    names = {a.name for a in config.apps}
    tests = [t for t in drill_tests(config.dr.drills) if t.app in names]
    for kind, adapter in GRAPH_ADAPTERS.items():
        for resource in by_kind(kind):
            tests.extend(adapter(resource, graph, names))
    return sorted(tests, key=lambda t: (t.date, t.source), reverse=True)


def tests_of(tests: Iterable[DrTest], app: str, since: datetime | None = None) -> list[DrTest]:
    return [t for t in tests if t.app == app and (since is None or t.date >= since)]
