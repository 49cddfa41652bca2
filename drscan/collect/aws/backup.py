"""AWS Backup, per region: vaults, plans, selections, protected resources, the newest recovery
point per resource and vault, and the last 90 days of restore and copy jobs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws import (arn_account, arn_region, backup_plan, backup_recovery_point, backup_selection,
                                  backup_vault, backup_vault_arn)
from drscan.normalize.lookup import as_int, dig, iso_time
from drscan.normalize.shape import Shape

VAULT = "aws.backup.vault"
PLAN = "aws.backup.plan"
SELECTION = "aws.backup.selection"
PROTECTED = "aws.backup.protected_resource"
RECOVERY_POINT = "aws.backup.recovery_point"
RESTORE_JOB = "aws.backup.restore_job"
COPY_JOB = "aws.backup.copy_job"
RESTORE_TESTING_PLAN = "aws.backup.restore_testing_plan"
KINDS = (VAULT, PLAN, SELECTION, PROTECTED, RECOVERY_POINT, RESTORE_JOB, COPY_JOB, RESTORE_TESTING_PLAN)

OPERATIONS = {
    "backup:ListBackupVaults": "backup:ListBackupVaults",
    "backup:DescribeBackupVault": "backup:DescribeBackupVault",
    "backup:ListBackupPlans": "backup:ListBackupPlans",
    "backup:GetBackupPlan": "backup:GetBackupPlan",
    "backup:ListBackupSelections": "backup:ListBackupSelections",
    "backup:GetBackupSelection": "backup:GetBackupSelection",
    "backup:ListProtectedResources": "backup:ListProtectedResources",
    "backup:ListRecoveryPointsByBackupVault": "backup:ListRecoveryPointsByBackupVault",
    "backup:ListRestoreJobs": "backup:ListRestoreJobs",
    "backup:ListCopyJobs": "backup:ListCopyJobs",
    "backup:ListRestoreTestingPlans": "backup:ListRestoreTestingPlans",
}

JOB_WINDOW_DAYS = 90  # restore and copy jobs this recent are read
PAGE_SIZE = 1000  # the APIs' largest MaxResults
# A vault can hold 100k recovery points: read at most this many per vault (50 calls), keep the newest
# per resource, and record a Gap when the bound was reached.
MAX_RECOVERY_POINTS_PER_VAULT = 50_000
MAX_JOBS = 20_000

USABLE = {"COMPLETED", "AVAILABLE"}  # recovery point states a restore can start from
FINISHED_RESTORE = {"COMPLETED", "FAILED", "ABORTED"}


# -- transforms (pure) ---------------------------------------------------------------------------

def vault_record(item: dict, account: str, region: str) -> Record:
    """ListBackupVaults entry, or DescribeBackupVault response (the same fields)."""
    name = item["BackupVaultName"]
    arn = item.get("BackupVaultArn") or backup_vault_arn(name, account, region)
    shape = backup_vault(item, {}, account, region)
    shape.attrs.update(vault_type=item.get("VaultType") or "BACKUP_VAULT",
                       recovery_point_count=as_int(item.get("NumberOfRecoveryPoints")))
    shape.ref("encrypted_by", item.get("EncryptionKeyArn"))
    return Record(kind=VAULT, id=arn, name=name, shape=shape, region=arn_region(arn) or region,
                  account=arn_account(arn) or account)


def plan_arn(plan_id: str, account: str, region: str) -> str:
    return f"arn:aws:backup:{region}:{account}:backup-plan:{plan_id}"


def plan_record(item: dict, account: str, region: str) -> Record:
    """GetBackupPlan response; a ListBackupPlans entry alone leaves the rule-derived attributes unknown."""
    arn = item.get("BackupPlanArn") or plan_arn(item["BackupPlanId"], account, region)
    name = dig(item, "BackupPlan.BackupPlanName") or item.get("BackupPlanName") or item["BackupPlanId"]
    if isinstance(item.get("BackupPlan"), dict):
        shape = backup_plan(item, {}, account, region)
    else:  # a listing: the plan's rules were not seen
        shape = Shape(attrs=dict(plan_name=name), name=name)
    shape.attrs.update(version_id=item.get("VersionId"), last_execution_at=iso_time(item.get("LastExecutionDate")))
    return Record(kind=PLAN, id=arn, name=name, shape=shape, region=region, account=account)


def selection_record(item: dict, account: str, region: str) -> Record:
    """GetBackupSelection response; a ListBackupSelections entry alone leaves what it selects unknown."""
    plan_id, selection_id = item["BackupPlanId"], item["SelectionId"]
    if isinstance(item.get("BackupSelection"), dict):
        shape = backup_selection(item, {}, account, region)
    else:
        shape = backup_selection({"BackupPlanId": plan_id}, {}, account, region)
    name = shape.name or item.get("SelectionName") or selection_id
    return Record(kind=SELECTION, id=f"{plan_arn(plan_id, account, region)}/selection/{selection_id}", name=name,
                  shape=shape, region=region, account=account)


def protected_resource_record(item: dict, account: str, region: str) -> Record:
    """ListProtectedResources entry: evidence that AWS Backup HAS backed the resource up (a selection
    is only the intent). `last_backup_time` is what an RPO estimate reads; `protects` links it to the
    resource. AWS gives it no ARN: its id is arn:aws:backup:REGION:ACCOUNT:protected-resource:RESOURCE_ARN."""
    resource_arn = item["ResourceArn"]
    shape = Shape(attrs=dict(
        resource_arn=resource_arn, resource_type=item.get("ResourceType"),
        last_backup_time=iso_time(item.get("LastBackupTime")),
        last_backup_vault_arn=item.get("LastBackupVaultArn"),
        last_recovery_point_arn=item.get("LastRecoveryPointArn"),
    ), name=item.get("ResourceName") or resource_arn)
    shape.ref("protects", resource_arn)
    return Record(kind=PROTECTED, id=f"arn:aws:backup:{region}:{account}:protected-resource:{resource_arn}",
                  name=shape.name or resource_arn, shape=shape, region=region, account=account)


def recovery_point_record(item: dict, account: str, region: str, summary: PointSummary | None = None,
                          copies: list[dict] | None = None, restore: dict | None = None) -> Record:
    """One recovery point. Live collection passes the summary of the resource's points in the vault
    (count, newest usable completion), its completed copies and the newest restore of the resource."""
    shape = backup_recovery_point(item, {}, account, region)
    shape.attrs.update(
        vault_arn=item.get("BackupVaultArn"),
        delete_at=iso_time(dig(item, "CalculatedLifecycle.DeleteAt")),
        encryption_key_arn=item.get("EncryptionKeyArn"),
        created_by_plan_arn=dig(item, "CreatedBy.BackupPlanArn"),
        last_restore_time=iso_time(item.get("LastRestoreTime")),
    )
    if summary is not None:
        shape.attrs.update(is_latest=True, recovery_point_count=summary.count,
                           last_completed_at=summary.last_completed_at)
    if copies is not None:
        done = [c for c in copies if c.get("State") == "COMPLETED"]
        destinations = sorted({c["DestinationBackupVaultArn"] for c in done if c.get("DestinationBackupVaultArn")})
        shape.attrs.update(
            copy_destination_vault_arns=destinations,
            copied_to_other_region=any(arn_region(d) not in ("", region) for d in destinations),
            copied_to_other_account=any(arn_account(d) not in ("", account) for d in destinations),
        )
    if restore is not None:
        shape.attrs.update(last_restore_status=restore.get("Status"),
                           last_restore_at=iso_time(restore.get("CompletionDate") or restore.get("CreationDate")))
    name = item.get("RecoveryPointArn", "").rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return Record(kind=RECOVERY_POINT, id=recovery_point_id(item["RecoveryPointArn"]), name=name, shape=shape, region=region,
                  account=account)


def _seconds_between(start: Any, end: Any) -> int | None:
    first, last = iso_time(start), iso_time(end)  # 'YYYY-MM-DDTHH:MM:SSZ' (UTC) or None
    if not first or not last:
        return None
    return int((datetime.fromisoformat(last[:-1]) - datetime.fromisoformat(first[:-1])).total_seconds())


def restore_job_record(item: dict, account: str, region: str, source_arn: str | None = None,
                       latest: bool | None = None) -> Record:
    """ListRestoreJobs entry. `source_arn` is the backed-up resource, known when the recovery point
    was listed in this scan; `latest` says whether this is that resource's newest restore job."""
    job_id = item["RestoreJobId"]
    owner = item.get("AccountId") or account
    source_arn = source_arn or item.get("SourceResourceArn")
    shape = Shape(attrs=dict(
        status=item.get("Status"), status_message=item.get("StatusMessage"),
        resource_type=item.get("ResourceType"), recovery_point_arn=item.get("RecoveryPointArn"),
        created_resource_arn=item.get("CreatedResourceArn"), source_resource_arn=source_arn,
        created_at=iso_time(item.get("CreationDate")), completed_at=iso_time(item.get("CompletionDate")),
        duration_seconds=_seconds_between(item.get("CreationDate"), item.get("CompletionDate")),
        validation_status=item.get("ValidationStatus"), is_latest_for_resource=latest,
        validation_status_message=item.get("ValidationStatusMessage"),
        recovery_point_created_at=iso_time(item.get("RecoveryPointCreationDate")),
        restore_testing_plan_arn=dig(item, "CreatedBy.RestoreTestingPlanArn"),
        deletion_status=item.get("DeletionStatus"),
    ), name=job_id)
    shape.ref("restore_of", source_arn)
    shape.ref("created_by", dig(item, "CreatedBy.RestoreTestingPlanArn"))
    return Record(kind=RESTORE_JOB, id=f"arn:aws:backup:{region}:{owner}:restore-job:{job_id}", name=job_id,
                  shape=shape, region=region, account=owner)


def copy_job_record(item: dict, account: str, region: str, job_count: int | None = None,
                    failed_count: int | None = None) -> Record:
    """ListCopyJobs entry (live collection keeps the newest per resource and destination vault,
    with how many jobs and failures the window held)."""
    job_id = item["CopyJobId"]
    owner = item.get("AccountId") or account
    destination = item.get("DestinationBackupVaultArn")
    shape = Shape(attrs=dict(
        status=item.get("State"), status_message=item.get("StatusMessage"),
        destination_vault_arn=destination, destination_region=arn_region(destination) or None,
        destination_account=arn_account(destination) or None,
        cross_region=bool(arn_region(destination)) and arn_region(destination) != region,
        cross_account=bool(arn_account(destination)) and arn_account(destination) != owner,
        source_recovery_point_arn=item.get("SourceRecoveryPointArn"),
        destination_recovery_point_arn=item.get("DestinationRecoveryPointArn"),
        resource_arn=item.get("ResourceArn"), resource_type=item.get("ResourceType"),
        created_at=iso_time(item.get("CreationDate")), completed_at=iso_time(item.get("CompletionDate")),
        job_count=job_count, failed_count=failed_count,
    ), name=job_id)
    shape.ref("copy_of", item.get("ResourceArn"))
    return Record(kind=COPY_JOB, id=f"arn:aws:backup:{region}:{owner}:copy-job:{job_id}", name=job_id,
                  shape=shape, region=region, account=owner)


def restore_testing_plan_record(item: dict, account: str, region: str) -> Record:
    """ListRestoreTestingPlans entry: the schedule of automatic restore tests and when it last ran."""
    arn = item["RestoreTestingPlanArn"]
    shape = Shape(attrs=dict(
        schedule=item.get("ScheduleExpression"), schedule_timezone=item.get("ScheduleExpressionTimezone"),
        start_window_hours=as_int(item.get("StartWindowHours")), created_at=iso_time(item.get("CreationTime")),
        last_execution_at=iso_time(item.get("LastExecutionTime")), updated_at=iso_time(item.get("LastUpdateTime")),
    ), name=item.get("RestoreTestingPlanName"))
    return Record(kind=RESTORE_TESTING_PLAN, id=arn, name=item.get("RestoreTestingPlanName") or arn, shape=shape,
                  region=arn_region(arn) or region, account=arn_account(arn) or account)


@dataclass(frozen=True)
class PointSummary:
    point: dict  # the kept recovery point
    count: int  # points of the same resource in the vault
    last_completed_at: str | None  # newest completion of a usable point


def latest_recovery_points(points: Iterable[dict]) -> list[PointSummary]:
    """Per resource: the newest usable recovery point (or the newest of any state when none is usable,
    so a resource whose backups all fail still shows), with the count of its points."""
    by_resource: dict[str, list[dict]] = defaultdict(list)
    for point in points:
        by_resource[str(point.get("ResourceArn") or point.get("RecoveryPointArn"))].append(point)
    summaries = []
    for resource in sorted(by_resource):
        group = by_resource[resource]
        usable = [p for p in group if p.get("Status") in USABLE]
        newest = max(usable or group, key=lambda p: iso_time(p.get("CreationDate")) or "")
        completions = [iso_time(p.get("CompletionDate") or p.get("CreationDate")) for p in usable]
        summaries.append(PointSummary(newest, len(group), max((c for c in completions if c), default=None)))
    return summaries


def recovery_point_id(arn: str) -> str:
    """A recovery point of an EBS volume or RDS database IS a snapshot, with the snapshot's ARN,
    which the EC2/RDS collectors also report (as aws.ec2.snapshot / aws.rds.db_snapshot). The
    recovery point keeps its own id so both resources, and the rules on each, survive the merge."""
    return arn if arn.startswith("arn:aws:backup:") else f"{arn}#recovery-point"


# -- collection ------------------------------------------------------------------------------------

def _bounded_pages(ctx: TaskContext, client: Any, operation: str, key: str, kind: str, cap: int,
                   resource_id: str | None = None, **params: Any) -> list | None:
    """At most `cap` items; reaching the cap is recorded as a Gap (what was read is still used)."""
    items = ctx.pages(client, operation, key, kinds=(kind,), resource_id=resource_id,
                      PaginationConfig={"MaxItems": cap, "PageSize": PAGE_SIZE}, **params)
    if items is not None and len(items) >= cap:
        ctx.gap("backup", operation, "Truncated",
                f"{operation} returned more than {cap} items; only the first {cap} were read",
                kinds=(kind,), resource_id=resource_id)
    return items


def _collect_vaults(ctx: TaskContext, client: Any) -> list[dict]:
    vaults = ctx.pages(client, "ListBackupVaults", "BackupVaultList", kinds=(VAULT, RECOVERY_POINT)) or []
    seen = []
    for listed in vaults:
        arn = listed.get("BackupVaultArn") or backup_vault_arn(listed["BackupVaultName"], ctx.account, ctx.region)
        detail = ctx.call(client, "DescribeBackupVault", kinds=(VAULT,), resource_id=arn,
                          BackupVaultName=listed["BackupVaultName"]) or {}
        merged = {**listed, **{k: v for k, v in detail.items() if v is not None and k != "ResponseMetadata"}}
        ctx.add(vault_record(merged, ctx.account, ctx.region), "backup:DescribeBackupVault")
        seen.append(merged)
    return seen


def _collect_plans(ctx: TaskContext, client: Any) -> None:
    plans = ctx.pages(client, "ListBackupPlans", "BackupPlansList", kinds=(PLAN, SELECTION)) or []
    for listed in plans:
        plan_id = listed["BackupPlanId"]
        arn = listed.get("BackupPlanArn") or plan_arn(plan_id, ctx.account, ctx.region)
        detail = ctx.call(client, "GetBackupPlan", kinds=(PLAN,), resource_id=arn, BackupPlanId=plan_id)
        item = {**listed, **{k: v for k, v in (detail or {}).items() if k != "ResponseMetadata"}}
        ctx.add(plan_record(item, ctx.account, ctx.region), "backup:GetBackupPlan")
        selections = ctx.pages(client, "ListBackupSelections", "BackupSelectionsList", kinds=(SELECTION,),
                               resource_id=arn, BackupPlanId=plan_id) or []
        for entry in selections:
            selection = ctx.call(client, "GetBackupSelection", kinds=(SELECTION,), resource_id=arn,
                                 BackupPlanId=plan_id, SelectionId=entry["SelectionId"])
            found = {**entry, **{k: v for k, v in (selection or {}).items() if k != "ResponseMetadata"}}
            ctx.add(selection_record(found, ctx.account, ctx.region), "backup:GetBackupSelection")


def _newest(items: Iterable[dict]) -> dict:
    return max(items, key=lambda i: iso_time(i.get("CreationDate")) or "")


def collect(ctx: TaskContext) -> None:
    client = ctx.client("backup")
    since = ctx.now - timedelta(days=JOB_WINDOW_DAYS)
    vaults = _collect_vaults(ctx, client)
    _collect_plans(ctx, client)

    for item in ctx.pages(client, "ListProtectedResources", "Results", kinds=(PROTECTED,)) or []:
        ctx.add(protected_resource_record(item, ctx.account, ctx.region), "backup:ListProtectedResources")

    copies = _bounded_pages(ctx, client, "ListCopyJobs", "CopyJobs", COPY_JOB, MAX_JOBS, ByCreatedAfter=since)
    copies_of_point: dict[str, list[dict]] = defaultdict(list)
    for job in copies or []:
        copies_of_point[str(job.get("SourceRecoveryPointArn"))].append(job)

    resource_of_point: dict[str, str] = {}  # every listed recovery point -> the resource it backs up
    kept: list[PointSummary] = []
    for vault in vaults:
        arn = vault.get("BackupVaultArn") or backup_vault_arn(vault["BackupVaultName"], ctx.account, ctx.region)
        points = _bounded_pages(ctx, client, "ListRecoveryPointsByBackupVault", "RecoveryPoints", RECOVERY_POINT,
                                MAX_RECOVERY_POINTS_PER_VAULT, resource_id=arn, BackupVaultName=vault["BackupVaultName"])
        for point in points or []:
            if point.get("ResourceArn"):
                resource_of_point[point["RecoveryPointArn"]] = point["ResourceArn"]
        kept.extend(latest_recovery_points(points or []))

    for item in ctx.pages(client, "ListRestoreTestingPlans", "RestoreTestingPlans", kinds=(RESTORE_TESTING_PLAN,)) or []:
        ctx.add(restore_testing_plan_record(item, ctx.account, ctx.region), "backup:ListRestoreTestingPlans")

    restores = _bounded_pages(ctx, client, "ListRestoreJobs", "RestoreJobs", RESTORE_JOB, MAX_JOBS, ByCreatedAfter=since)
    restores_of: dict[str, list[dict]] = defaultdict(list)  # source resource (or recovery point) -> jobs
    known_sources = set(resource_of_point.values())
    for job in restores or []:
        point = str(job.get("RecoveryPointArn"))
        source = job.get("SourceResourceArn") or resource_of_point.get(point)
        if source:
            known_sources.add(source)
        restores_of[source or point].append(job)
    for source, jobs in restores_of.items():
        newest = _newest(jobs)
        known = source if source in known_sources else None
        for job in jobs:
            ctx.add(restore_job_record(job, ctx.account, ctx.region, known, job is newest), "backup:ListRestoreJobs")

    for summary in kept:
        point = summary.point
        resource = point.get("ResourceArn")
        finished = [j for j in restores_of.get(resource or "", []) if j.get("Status") in FINISHED_RESTORE]
        # No finished restore in the window is a fact ("NONE"); an unread job list is unknown (None).
        restore = _newest(finished) if finished else ({"Status": "NONE"} if restores is not None else None)
        ctx.add(recovery_point_record(point, ctx.account, ctx.region, summary,
                                      copies_of_point.get(point["RecoveryPointArn"], []) if copies is not None else None,
                                      restore),
                "backup:ListRecoveryPointsByBackupVault")

    by_route: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for job in copies or []:
        by_route[(str(job.get("ResourceArn")), str(job.get("DestinationBackupVaultArn")))].append(job)
    for route in sorted(by_route):
        jobs = by_route[route]
        failed = sum(1 for j in jobs if j.get("State") in ("FAILED", "PARTIAL"))
        ctx.add(copy_job_record(_newest(jobs), ctx.account, ctx.region, len(jobs), failed), "backup:ListCopyJobs")


DUMPS = (
    DumpShape(key="BackupVaultList", item_field="BackupVaultName", to_record=vault_record),
    DumpShape(key="BackupPlansList", item_field="BackupPlanId", to_record=plan_record),
    DumpShape(key="BackupSelectionsList", item_field="SelectionId", to_record=selection_record),
    DumpShape(key="Results", item_field="LastBackupTime", to_record=protected_resource_record),
    DumpShape(key="RecoveryPoints", item_field="RecoveryPointArn", to_record=recovery_point_record),
    DumpShape(key="RestoreJobs", item_field="RestoreJobId", to_record=restore_job_record),
    DumpShape(key="CopyJobs", item_field="CopyJobId", to_record=copy_job_record),
    DumpShape(key="RestoreTestingPlans", item_field="RestoreTestingPlanArn", to_record=restore_testing_plan_record),
)

SPEC = ServiceSpec(name="backup", collect=collect, operations=OPERATIONS, kinds=KINDS, dumps=DUMPS)
