"""Point-in-time copies of a data store that live outside it: AWS Backup plans and recovery
points, DLM policies and EBS snapshots, RDS snapshots, GCP snapshot schedules and snapshots,
Azure Backup protected items and disk snapshots; and restore times (measured or assumed)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from drscan.dr.model import Figure, Location, Mechanism, Step
from drscan.dr.schedules import hours_to_seconds, schedule_interval_seconds
from drscan.dr.scope import DrContext
from drscan.model import Resource
from drscan.normalize.aws import arn_account, arn_region

OK_POINT_STATES = {None, "", "COMPLETED", "AVAILABLE", "COMPLETE", "READY", "SUCCEEDED", "COMPLETED_WITH_ISSUES"}
_GCP_MULTI_REGION = re.compile(r"^[a-z]+\d*$")  # GCS / snapshot multi- and dual-regions: "us", "eu", "asia", "nam4"
_VAULT = re.compile(r"^(.*/providers/microsoft\.recoveryservices/vaults/[^/]+)", re.IGNORECASE)

RESTORE_JOB_KINDS = ("aws.backup.restore_job", "k8s.velero.restore")  # -restore_of-> what they restored
RESTORE_SERVICE = {
    "k8s.core.persistentvolumeclaim": "velero",
    "aws.rds.db_instance": "rds", "aws.rds.db_cluster": "rds", "aws.dynamodb.table": "dynamodb",
    "aws.ec2.volume": "block_volume", "gcp.compute.disk": "block_volume", "azure.compute.disk": "block_volume",
    "aws.efs.file_system": "file_system", "aws.s3.bucket": "object_storage", "gcp.storage.bucket": "object_storage",
    "azure.storage.account": "object_storage", "gcp.sql.instance": "cloudsql", "azure.sql.database": "azure_sql",
}


def parse_time(value) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def age_seconds(value, now: datetime) -> float | None:
    moment = parse_time(value)
    return None if moment is None else max(0.0, (now - moment).total_seconds())


def location_of(resource: Resource, *, zone_redundant: bool = False, zones: tuple[str, ...] | None = None) -> Location:
    return Location(resource.provider, resource.account, resource.region,
                    tuple(resource.zones) if zones is None else zones, zone_redundant=zone_redundant)


@lru_cache(maxsize=4096)  # a pure function of a few strings, asked for every backup rule of every store
def regional_copy(provider: str, account: str, region: str) -> Location:
    """A copy kept by a regional service (S3-backed snapshots, vaults): survives one zone."""
    multi = provider == "gcp" and bool(_GCP_MULTI_REGION.match(region or "")) and region != "global"
    return Location(provider, account, region, (), zone_redundant=True, multi_region=multi)


@lru_cache(maxsize=4096)  # pure; every schedule of every store is described with the same few intervals
def human(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    if seconds < 120:
        return f"{seconds:g} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


# ---------------------------------------------------------------------------- restore time

def store_size_gb(ctx: DrContext, store: Resource) -> tuple[float | None, Step | None]:
    attrs = store.attrs
    for key in ("allocated_storage_gb", "size_gb", "disk_size_gb"):
        if isinstance(attrs.get(key), (int, float)) and attrs[key] > 0:
            return float(attrs[key]), Step(store.id, key, attrs[key], "data size used for the restore estimate")
    for key in ("size_bytes", "max_size_bytes"):
        if isinstance(attrs.get(key), (int, float)) and attrs[key] > 0:
            note = " (the configured maximum: an upper bound)" if key == "max_size_bytes" else ""
            return attrs[key] / 1e9, Step(store.id, key, attrs[key], f"data size used for the restore estimate{note}")
    points = [p for p in ctx.graph.related(store.id, "recovery_point_of", "in") if p.attrs.get("size_bytes")]
    if points:
        latest = max(points, key=lambda p: str(p.attrs.get("created_at") or ""))
        return latest.attrs["size_bytes"] / 1e9, Step(latest.id, "size_bytes", latest.attrs["size_bytes"],
                                                      "size of the latest recovery point used for the restore estimate")
    return None, None


def measured_restore(ctx: DrContext, store: Resource) -> tuple[Figure, Step] | None:
    """The latest completed AWS Backup restore job of this resource (restore_job -restore_of-> store)."""
    best = None
    for job in ctx.graph.related(store.id, "restore_of", "in"):
        if job.kind not in RESTORE_JOB_KINDS or str(job.attrs.get("status") or "").upper() != "COMPLETED":
            continue
        seconds = job.attrs.get("duration_seconds")
        if not isinstance(seconds, (int, float)):
            start, end = parse_time(job.attrs.get("created_at")), parse_time(job.attrs.get("completed_at"))
            seconds = (end - start).total_seconds() if start and end and end >= start else None
        if seconds is None:
            continue
        when = str(job.attrs.get("completed_at") or job.attrs.get("created_at") or "")
        if best is None or when > best[0]:
            best = (when, float(seconds), job)
    if best is None:
        return None
    when, seconds, job = best
    return (Figure(f"restore of {store.name} (measured by restore job)", seconds, "measured", job.id),
            Step(job.id, "duration_seconds", round(seconds), f"restore job completed {when or 'at an unknown time'}: "
                                                              f"measured restore time {human(seconds)}"))


def restore_figures(ctx: DrContext, store: Resource) -> tuple[tuple[Figure, ...] | None, tuple[Step, ...], str]:
    """How long restoring this store from a copy takes: measured when a completed restore job
    exists, else overhead + size / throughput from the assumptions."""
    from drscan.dr.database_backups import measured_drill_restore  # drills import this module

    measured = measured_drill_restore(ctx, store) or measured_restore(ctx, store)
    if measured:
        return (measured[0],), (measured[1],), ""
    service = RESTORE_SERVICE.get(store.kind)
    if service is None:
        return None, (), f"no restore model for {store.kind}"
    size, step = store_size_gb(ctx, store)
    if size is None:
        return None, (), f"data size of {store.name} is not in the inventory, so the restore time cannot be estimated"
    overhead_key, rate_key = f"restore_overhead_seconds.{service}", f"restore_gb_per_hour.{service}"
    rate = ctx.assumptions.get(rate_key)
    transfer = size / rate * 3600 if rate > 0 else 0.0
    figures = (Figure(f"restore set-up ({service})", ctx.assumptions.get(overhead_key), "assumed", overhead_key),
               Figure(f"restore {size:.0f} GB at {rate:g} GB/h", transfer, "assumed", rate_key))
    return figures, (step,) if step else (), ""


def assumed(ctx: DrContext, key: str, label: str) -> Figure:
    return Figure(label, ctx.assumptions.get(key), "assumed", key)


# ---------------------------------------------------------------------------- recovery points

@dataclass(frozen=True)
class Point:
    resource: Resource
    location: Location
    created_at: datetime
    immutable: bool


def _location_key(location: Location) -> tuple[str, str, str]:
    return location.provider, location.account, location.region


def recovery_points(ctx: DrContext, store: Resource) -> dict[tuple[str, str, str], list[Point]]:
    """Completed recovery points and snapshots of a store, grouped by where they are kept."""
    graph = ctx.graph
    points: dict[tuple[str, str, str], list[Point]] = defaultdict(list)
    candidates = [(p, "recovery_point_of") for p in graph.related(store.id, "recovery_point_of", "in")]
    candidates += [(p, "snapshot_of") for p in graph.related(store.id, "snapshot_of", "in")]
    for point, _relation in candidates:
        state = point.attrs.get("status", point.attrs.get("state"))
        created = parse_time(point.attrs.get("created_at"))
        if str(state or "").upper() not in OK_POINT_STATES or created is None:
            continue
        immutable = False
        if point.kind == "aws.backup.recovery_point":
            vaults = graph.related(point.id, "stored_in")
            immutable = bool(vaults and vaults[0].attrs.get("locked") is True)
        if point.kind == "gcp.compute.snapshot":
            where = (point.attrs.get("storage_locations") or [""])[0]
            location = regional_copy(point.provider, point.account, str(where) or store.region)
        else:
            location = regional_copy(point.provider, point.account, point.region)
        points[_location_key(location)].append(Point(point, location, created, immutable))
    return points


def _latest(points: list[Point]) -> Point | None:
    return max(points, key=lambda p: p.created_at) if points else None


def scheduled_copy(ctx: DrContext, store: Resource, *, kind: str, label: str, location: Location,
                   interval: float | None, lag: float, immutable: bool, points: list[Point], evidence: list[Step],
                   action: str, target_id: str | None = None, depends_on: tuple[str, ...] = (),
                   rto: tuple[Figure, ...] | None = None, rto_steps: tuple[Step, ...] = ()) -> Mechanism:
    """A copy made on a schedule (`interval`, completed `lag` later), whose RPO is the schedule's
    worst case, or the age of the latest point when the schedule stopped producing them."""
    latest = _latest(points)
    age = (ctx.as_of(latest.resource) - latest.created_at).total_seconds() if latest else None
    worst = interval + lag if interval is not None else None
    steps = list(evidence)
    stopped = False
    if latest is not None:
        steps.append(Step(latest.resource.id, "created_at", latest.resource.attrs.get("created_at"),
                          f"latest recovery point at {location.describe()} is {human(age)} old"))
        immutable = immutable or latest.immutable
    if worst is not None and age is not None:
        rpo = max(worst, age)
        grace = ctx.assumptions.get("schedule_grace_seconds")
        if age > worst + grace:
            stopped = True
            steps.append(Step(latest.resource.id, "created_at", latest.resource.attrs.get("created_at"),
                              f"the schedule runs every {human(interval)} but the latest point is {human(age)} old: "
                              "backups have stopped; RPO is the age of the latest point"))
        reason = f"every {human(interval)}" + (f" + {human(lag)} copy" if lag else "") + f"; latest point {human(age)} old"
    elif worst is not None:
        rpo, reason = worst, f"every {human(interval)}" + (f" + {human(lag)} copy" if lag else "") + \
            "; no recovery point in the inventory to check that it runs"
    elif age is not None:
        rpo, reason = age, f"schedule not visible; RPO is the age of the latest point ({human(age)}) and grows until the next one"
    else:
        rpo, reason = None, "the schedule of this copy cannot be read and no recovery point is in the inventory"
    return Mechanism(kind=kind, label=label, store_id=store.id, location=location, rpo_seconds=rpo, rto=rto,
                     point_in_time=True, immutable=immutable, action=action,
                     target_id=latest.resource.id if latest is not None else target_id, depends_on=depends_on,
                     interval_seconds=interval, latest_point_age_seconds=age, stopped=stopped,
                     evidence=tuple(steps) + tuple(rto_steps), rpo_reason=reason)


def backup_copies(ctx: DrContext, store: Resource) -> list[Mechanism]:
    """AWS Backup plans (via selections), DLM policies, GCP snapshot schedules and Azure Backup
    protected items covering the store, each at every location it writes to; plus recovery points
    and snapshots at locations no visible schedule writes to."""
    rto, rto_steps, _ = restore_figures(ctx, store)
    points = recovery_points(ctx, store)
    mechanisms: list[Mechanism] = []
    used: set[tuple[str, str, str]] = set()

    def add(location: Location, points_override: list[Point] | None = None, **kw) -> None:
        key = _location_key(location)
        used.add(key)
        found = points_override if points_override is not None else points.get(key, [])
        mechanisms.append(scheduled_copy(ctx, store, location=location, points=found, rto=rto, rto_steps=rto_steps, **kw))

    for source in _aws_backup_rules(ctx, store):
        add(**source)
    for source in _dlm_schedules(ctx, store):
        add(**source)
    for source in _gcp_schedules(ctx, store):
        add(**source)
    for source in _azure_backups(ctx, store):
        add(**source)
    for key, found in sorted(points.items()):
        if key in used:
            continue
        latest = _latest(found)
        mechanisms.append(scheduled_copy(
            ctx, store, kind="snapshot", label=f"{latest.resource.kind.rsplit('.', 1)[-1].replace('_', ' ')}s at "
            f"{latest.location.describe()}", location=latest.location, interval=None, lag=0.0,
            immutable=latest.immutable, points=found, rto=rto, rto_steps=rto_steps,
            evidence=[Step(latest.resource.id, "relation:" + ("recovery_point_of" if "recovery_point" in latest.resource.kind
                                                                else "snapshot_of"), store.id,
                           f"{len(found)} completed point(s) at {latest.location.describe()} with no schedule in the inventory")],
            action="restore_snapshot"))
    return mechanisms


def _vault_locked(ctx: DrContext, vault_id: str) -> tuple[bool, Step | None]:
    vault = ctx.graph.resources.get(vault_id)
    if vault is None:
        return False, None
    locked = vault.attrs.get("locked") is True
    return locked, Step(vault.id, "locked", vault.attrs.get("locked"),
                        "Vault Lock: recovery points cannot be deleted early" if locked else "vault is not locked")


def _aws_backup_rules(ctx: DrContext, store: Resource) -> list[dict]:
    sources = []
    for selection in ctx.graph.related(store.id, "protects", "in"):
        if selection.kind != "aws.backup.selection":
            continue
        for source, inference in _selection_sources(ctx, selection):
            selected = Step(selection.id, "relation:protects", store.id, inference)
            sources.append({**source, "evidence": [selected, *source["evidence"]]})
    return sources


def _selection_sources(ctx: DrContext, selection: Resource) -> list[tuple[dict, str]]:
    """The copies an AWS Backup selection makes of whatever it selects, each with its evidence
    after the "selected by" step, which names the store: worked out once per selection (it
    selects hundreds of stores), not once per store."""
    known = ctx.memo.get(("selection", selection.id))
    if known is not None:
        return known
    graph = ctx.graph
    sources: list[tuple[dict, str]] = []
    plans = graph.related(selection.id, "selection_of")
    if not plans:
        sources.append((dict(kind="backup", label=f"AWS Backup selection {selection.name} (plan not in inventory)",
                             location=regional_copy("aws", selection.account, selection.region), interval=None,
                             lag=0.0, immutable=False, action="aws_backup_restore", evidence=[]),
                        "selected for backup, but its plan is not in the inventory"))
        ctx.memo[("selection", selection.id)] = sources
        return sources
    plan = plans[0]
    selected = f"selected by backup plan {plan.name}"
    for rule in plan.attrs.get("rules") or []:
        rule_name = rule.get("name") or "rule"
        if rule.get("continuous"):
            sources.append((dict(kind="pitr", label=f"AWS Backup continuous backup ({plan.name}/{rule_name})",
                                 location=regional_copy("aws", plan.account, plan.region),
                                 interval=ctx.assumptions.get("pitr_rpo_seconds.aws_backup_continuous"), lag=0.0,
                                 immutable=False, action="aws_backup_restore",
                                 evidence=[Step(plan.id, f"rules[{rule_name}].continuous", True,
                                                "continuous backup: restore to any point in time")]), selected))
        interval = schedule_interval_seconds(rule.get("schedule"))
        vault_id = f"arn:aws:backup:{plan.region}:{plan.account}:backup-vault:{rule.get('target_vault')}"
        locked, vault_step = _vault_locked(ctx, vault_id)
        schedule = Step(plan.id, f"rules[{rule_name}].schedule", rule.get("schedule"),
                        f"runs every {human(interval)}" if interval else "schedule expression cannot be read")
        sources.append((dict(kind="backup", label=f"AWS Backup {plan.name}/{rule_name} -> {rule.get('target_vault')}",
                             location=regional_copy("aws", plan.account, plan.region), interval=interval, lag=0.0,
                             immutable=locked, action="aws_backup_restore", depends_on=(vault_id,),
                             evidence=[schedule] + ([vault_step] if vault_step else [])), selected))
        for destination in rule.get("copy_destinations") or []:
            region, account = arn_region(destination), arn_account(destination)
            locked, vault_step = _vault_locked(ctx, destination)
            copy_steps = [schedule, Step(plan.id, f"rules[{rule_name}].copy_destinations", destination,
                                         f"each backup is copied to {account or '?'} / {region or '?'}")]
            if vault_step:
                copy_steps.append(vault_step)
            sources.append((dict(kind="backup", label=f"AWS Backup copy {plan.name}/{rule_name} -> {destination.rsplit(':', 1)[-1]}",
                                 location=regional_copy("aws", account, region), interval=interval,
                                 lag=ctx.assumptions.get("replication_lag_seconds.backup_copy"), immutable=locked,
                                 action="aws_backup_restore", depends_on=(destination,), evidence=copy_steps), selected))
    ctx.memo[("selection", selection.id)] = sources
    return sources


def _dlm_schedules(ctx: DrContext, store: Resource) -> list[dict]:
    sources = []
    for policy in ctx.graph.related(store.id, "protects", "in"):
        if policy.kind != "aws.dlm.lifecycle_policy":
            continue
        state = policy.attrs.get("state")
        if state is not None and str(state).upper() != "ENABLED":
            continue
        for n, schedule in enumerate(policy.attrs.get("schedules") or []):
            interval = hours_to_seconds(schedule.get("interval_hours")) or schedule_interval_seconds(schedule.get("cron"))
            step = Step(policy.id, f"schedules[{n}]", {k: schedule.get(k) for k in ("interval_hours", "cron")},
                        f"DLM snapshot every {human(interval)}" if interval else "DLM schedule cannot be read")
            sources.append(dict(kind="snapshot", label=f"DLM policy {policy.name} schedule {n + 1}",
                                location=regional_copy("aws", policy.account, policy.region), interval=interval, lag=0.0,
                                immutable=False, action="restore_snapshot", evidence=[step]))
            for region in schedule.get("cross_region_copy_regions") or []:
                sources.append(dict(kind="snapshot", label=f"DLM policy {policy.name} copy to {region}",
                                    location=regional_copy("aws", policy.account, str(region)), interval=interval,
                                    lag=ctx.assumptions.get("replication_lag_seconds.backup_copy"), immutable=False,
                                    action="restore_snapshot",
                                    evidence=[step, Step(policy.id, f"schedules[{n}].cross_region_copy_regions", region,
                                                         f"snapshots are copied to {region}")]))
    return sources


def _gcp_schedules(ctx: DrContext, store: Resource) -> list[dict]:
    sources = []
    for policy in ctx.graph.related(store.id, "scheduled_by"):
        if not policy.attrs.get("snapshot_schedule"):
            continue
        interval = hours_to_seconds(policy.attrs.get("interval_hours"))
        locations = [str(s) for s in policy.attrs.get("storage_locations") or []] or [""]
        for where in locations:
            # No storage location: Compute Engine stores snapshots in the nearest multi-region.
            location = regional_copy("gcp", policy.account, where) if where else \
                Location("gcp", policy.account, f"multi-region near {store.region}", (), True, True)
            sources.append(dict(kind="snapshot", label=f"snapshot schedule {policy.name}", location=location,
                                interval=interval, lag=0.0, immutable=False, action="restore_snapshot",
                                evidence=[Step(policy.id, "interval_hours", policy.attrs.get("interval_hours"),
                                               f"snapshot every {human(interval)}" if interval else "interval unknown"),
                                          Step(policy.id, "storage_locations", policy.attrs.get("storage_locations"),
                                               f"snapshots kept in {location.describe()}")]))
    return sources


def _azure_backups(ctx: DrContext, store: Resource) -> list[dict]:
    graph = ctx.graph
    protected = [store] + [vm for vm in graph.related(store.id, "attached_to") if vm.kind == "azure.compute.virtual_machine"]
    sources = []
    for subject in protected:
        for item in graph.related(subject.id, "protects", "in"):
            if item.kind != "azure.recoveryservices.protected_item":
                continue
            policies = graph.related(item.id, "uses_policy")
            interval = hours_to_seconds(policies[0].attrs.get("interval_hours")) if policies else None
            state = str(item.attrs.get("protection_state") or "")
            if "stop" in state.lower():
                interval = None
            match = _VAULT.match(item.id)
            vault = graph.resources.get(match.group(1).lower()) if match else None
            region = vault.region if vault else item.region
            immutable = bool(vault and str(vault.attrs.get("immutability_state") or "").lower() == "locked")
            steps = [Step(item.id, "relation:protects", subject.id,
                          f"Azure Backup protects {subject.name}" + (" (the VM this disk belongs to)" if subject is not store else "")),
                     Step(item.id, "protection_state", item.attrs.get("protection_state"), "protection state")]
            if policies:
                steps.append(Step(policies[0].id, "interval_hours", policies[0].attrs.get("interval_hours"),
                                  f"backup every {human(interval)}"))
            if vault:
                steps.append(Step(vault.id, "immutability_state", vault.attrs.get("immutability_state"),
                                  "immutable vault (locked)" if immutable else "vault immutability not locked"))
            last = item.attrs.get("last_recovery_point") or item.attrs.get("last_backup_time")
            point = parse_time(last)
            fake_points = [Point(item, regional_copy("azure", item.account, region), point, immutable)] if point else []
            label = f"Azure Backup of {str(item.name).split(';')[-1]}" + (f" ({vault.name})" if vault else "")
            sources.append(dict(kind="backup", label=label, location=regional_copy("azure", item.account, region),
                                interval=interval, lag=0.0, immutable=immutable, action="azure_backup_restore",
                                target_id=item.id, depends_on=(vault.id,) if vault else (), evidence=steps,
                                **({"points_override": fake_points} if fake_points else {})))
            if vault and vault.attrs.get("geo_redundant"):
                paired = Location("azure", item.account, f"paired region of {region}", (), True, False)
                sources.append(dict(kind="backup", label=f"{label}, geo-redundant copy", location=paired,
                                    interval=interval, lag=ctx.assumptions.get("replication_lag_seconds.azure_backup_geo"),
                                    immutable=immutable, action="azure_backup_restore_secondary", target_id=item.id,
                                    depends_on=(vault.id,),
                                    evidence=steps + [Step(vault.id, "geo_redundant", True,
                                                           "geo-redundant vault: backups are also kept in the paired region"
                                                           + (" (cross-region restore enabled)" if vault.attrs.get("cross_region_restore")
                                                              else " (cross-region restore NOT enabled: restore there needs Microsoft-declared failover)"))],
                                    **({"points_override": fake_points} if fake_points else {})))
    return sources
