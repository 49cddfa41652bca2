"""The DR engine's view of Kubernetes: a PersistentVolumeClaim is a data store whose copies are
the Velero schedules that back up its namespace (at the location its volume data really goes to)
and whatever protects the cloud disk behind it; Velero Restores are measured restore times; and
the runbook commands (velero restore, kubectl) in the order storage location -> namespaces ->
workloads. Pure functions of the DrContext."""

from __future__ import annotations

from dataclasses import replace

from drscan.dr.copies import Point, human, parse_time, regional_copy, restore_figures, scheduled_copy
from drscan.dr.model import Location, Mechanism, Step
from drscan.dr.scope import AppScope, DrContext
from drscan.graph.kubernetes import BACKUP, SCHEDULE, location_cloud
from drscan.model import Resource
from drscan.normalize.kubernetes import namespace_id

PVC_KIND = "k8s.core.persistentvolumeclaim"


def _disk_of(ctx: DrContext, claim: Resource) -> Resource | None:
    for volume in ctx.graph.related(claim.id, "bound_to"):
        for disk in ctx.graph.related(volume.id, "backed_by"):
            return disk
    return None


def _data_location(ctx: DrContext, claim: Resource, schedule: Resource) -> tuple[Location, str]:
    """Where a schedule's copy of the volume data lives. Snapshots (native or CSI) stay with the
    cloud's snapshot service in the volume's region (or the snapshot location's region); only
    file-system backup and snapshot data movement write the data to the storage location's bucket."""
    locations = ctx.graph.related(schedule.id, "stores_in")
    bsl = locations[0] if locations else None
    moved = schedule.attrs.get("default_volumes_to_fs_backup") is True or schedule.attrs.get("snapshot_move_data") is True
    if moved and bsl is not None:
        bucket = ctx.graph.resources.get(bsl.attrs.get("bucket_id") or "")
        region = str(bsl.attrs.get("location_region") or "")
        multi = bool(bucket is not None and (bucket.attrs.get("location_type") in ("multi-region", "dual-region")))
        where = Location(location_cloud(bsl) or claim.provider, bucket.account if bucket is not None else "", region, (), True, multi)
        return where, f"volume data copied to bucket {bsl.attrs.get('bucket')} ({region or 'region unknown'})"
    return regional_copy(claim.provider, "", claim.region), f"volume snapshots kept by the cloud in {claim.region or 'the cluster region'}"


def velero_mechanisms(ctx: DrContext, claim: Resource) -> list[Mechanism]:
    namespace = claim.attrs.get("namespace")
    ns_id = namespace_id(claim.account, str(namespace))
    schedules = [s for s in ctx.graph.related(ns_id, "selects", "in") if s.kind == SCHEDULE
                 and s.attrs.get("phase") == "Enabled" and not s.attrs.get("paused") and s.attrs.get("captures_volumes") is not False]
    rto, rto_steps, _ = restore_figures(ctx, claim)
    found = []
    for schedule in sorted(schedules, key=lambda s: s.id):
        location, where = _data_location(ctx, claim, schedule)
        done = [b for b in ctx.graph.related(schedule.id, "created_by", "in") if b.kind == BACKUP and b.attrs.get("phase") == "Completed"]
        points = [Point(b, location, parse_time(b.attrs["completed_at"]), False) for b in done if parse_time(b.attrs.get("completed_at"))]
        interval = schedule.attrs.get("interval_seconds")
        steps = [Step(schedule.id, "relation:selects", ns_id, f"Velero schedule {schedule.attrs.get('name')} backs up namespace {namespace}"),
                 Step(schedule.id, "schedule", schedule.attrs.get("schedule"),
                      f"runs every {human(interval)}" if interval else "cron expression cannot be read"),
                 Step(schedule.id, "captures_volumes", schedule.attrs.get("captures_volumes"), where)]
        mechanism = scheduled_copy(ctx, claim, kind="backup", label=f"Velero schedule {schedule.attrs.get('name')}", location=location,
                                   interval=interval, lag=0.0, immutable=False, points=points, evidence=steps,
                                   action="velero_restore", target_id=None, depends_on=tuple(l.id for l in ctx.graph.related(schedule.id, "stores_in")),
                                   rto=rto, rto_steps=rto_steps)
        if points:  # the age of the last Completed backup is measured, read from that Backup object
            mechanism = replace(mechanism, rpo_measured_by=mechanism.target_id or "")
        found.append(mechanism)
    return found


def pvc_mechanisms(ctx: DrContext, claim: Resource) -> list[Mechanism]:
    """Velero copies of the claim's namespace, plus every mechanism of the cloud disk behind it."""
    found = velero_mechanisms(ctx, claim)
    disk = _disk_of(ctx, claim)
    if disk is not None:
        from drscan.dr.mechanisms import mechanisms_for  # the disk's own handlers (regional PD, snapshots, backups)

        found.extend(replace(m, store_id=claim.id, label=f"{m.label} (disk {disk.name})") for m in mechanisms_for(ctx, disk))
    return found


# ---------------------------------------------------------------------------- runbook

def velero_restore_command(store: Resource, target: Resource | None, region: str) -> str:
    namespace = store.attrs.get("namespace") or "<namespace>"
    backup = target.attrs.get("name") if target is not None else "<latest Completed backup>"
    return (f"velero --kubecontext <cluster in {region}> restore create {namespace}-restore --from-backup {backup} "
            f"--include-namespaces {namespace} --wait  # then: velero restore describe {namespace}-restore --details")


def workload_command(resource: Resource, mode: str, capacity: float, region: str) -> str:
    kind = resource.kind.rsplit(".", 1)[-1]
    name, namespace = resource.attrs.get("name") or resource.name, resource.attrs.get("namespace") or "default"
    context = f"--context {resource.account}" if mode in ("verify", "replace") else f"--context <cluster in {region}>"
    if mode == "verify":
        return f"kubectl {context} -n {namespace} rollout status {kind}/{name}  # confirm it serves"
    if mode == "replace":
        return f"kubectl {context} -n {namespace} rollout restart {kind}/{name}  # reschedules pods onto nodes in the surviving zones"
    replicas = resource.attrs.get("replicas") or max(1, int(round(capacity)))
    return (f"kubectl {context} -n {namespace} scale {kind}/{name} --replicas {replicas} && "
            f"kubectl {context} -n {namespace} rollout status {kind}/{name}  # after the namespace restore")


def velero_steps(ctx: DrContext, scope: AppScope, disruption: str, region: str) -> list[tuple]:
    """A Kubernetes recovery from Velero, in order: the backup storage locations the app's backups
    are in must be reachable from the cluster that restores them (keys_network layer); the namespace
    restores are the data steps; then the restored workloads must roll out (compute layer)."""
    if disruption == "zone_loss":
        return []
    seen: dict[str, Resource] = {}
    for store in scope.data_stores:
        if store.kind != PVC_KIND:
            continue
        for schedule in ctx.graph.related(namespace_id(store.account, str(store.attrs.get("namespace"))), "selects", "in"):
            for bsl in ctx.graph.related(schedule.id, "stores_in"):
                seen[bsl.id] = bsl
    steps = []
    for bsl in sorted(seen.values(), key=lambda r: r.id):
        a = bsl.attrs
        config = ",".join(f"{k}={v}" for k, v in sorted((a.get("config") or {}).items()))
        steps.append(("keys_network", bsl.id, f"Make Velero storage location {a.get('name')} available to the recovery cluster",
                      f"velero --kubecontext <cluster in {region}> backup-location create {a.get('name')} --provider {a.get('provider')} "
                      f"--bucket {a.get('bucket')}" + (f" --config {config}" if config else "") +
                      " --access-mode ReadOnly  # then wait for `velero backup-location get` to show Available and the backups to sync",
                      None, "", f"phase in the source cluster: {a.get('phase') or 'unknown'}"))
    if not seen:
        return steps
    same_cluster = disruption == "data_corruption"
    for workload in sorted((c for c in scope.compute if c.kind.startswith("k8s.apps.")), key=lambda r: r.id):
        kind, name = workload.kind.rsplit(".", 1)[-1], workload.attrs.get("name")
        context = workload.account if same_cluster else f"<cluster in {region}>"
        steps.append(("compute", workload.id, f"Confirm {kind} {workload.name} is back after the namespace restore",
                      f"kubectl --context {context} -n {workload.attrs.get('namespace')} rollout status {kind}/{name} --timeout 15m",
                      None, "", "restored with its namespace by the Velero restore above"))
    return steps
