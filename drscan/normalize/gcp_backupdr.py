"""Backup and DR Service in Cloud Asset Inventory (backupdr.googleapis.com/BackupVault, BackupPlan,
BackupPlanAssociation) -> normalized attributes and links: plan -stores_in-> vault, association
-uses_policy-> plan and -protects-> the workload it backs up.
https://cloud.google.com/backup-disaster-recovery/docs/reference/rest/v1/projects.locations.backupVaults
"""

from __future__ import annotations

from drscan.normalize.gcp import compute_name, duration_seconds, kms_key_name
from drscan.normalize.lookup import as_int, as_list, dig, field, iso_time
from drscan.normalize.shape import Shape

# Hours between backups of a standardSchedule recurrence (HOURLY uses its hourlyFrequency).
RECURRENCE_HOURS = {"DAILY": 24, "WEEKLY": 168, "MONTHLY": 744, "YEARLY": 8784}
# Cloud Asset names of the workloads a plan can protect, by resourceType.
WORKLOAD_SERVICES = {"compute.googleapis.com": "compute.googleapis.com", "sqladmin.googleapis.com": "cloudsql.googleapis.com",
                     "alloydb.googleapis.com": "alloydb.googleapis.com", "file.googleapis.com": "file.googleapis.com"}


def backupdr_name(name) -> str | None:
    return f"//backupdr.googleapis.com/{name}" if name else None


def backup_vault(data: dict, iam: dict, location: str) -> Shape:
    retention = duration_seconds(field(data, "backupMinimumEnforcedRetentionDuration"))
    key = dig(data, "encryptionConfig.kmsKeyName")
    shape = Shape(attrs=dict(
        state=field(data, "state"),
        min_enforced_retention_days=retention // 86400 if retention is not None else None,
        access_restriction=field(data, "accessRestriction"),
        # effectiveTime: when the vault's enforced retention becomes locked (cannot be reduced).
        lock_effective_time=iso_time(field(data, "effectiveTime")),
        backup_count=as_int(field(data, "backupCount")),
        deletable=field(data, "deletable"),
        cmek_key=key,
    ))
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def _interval_hours(schedule: dict) -> int | None:
    recurrence = str(field(schedule, "recurrenceType") or "")
    if recurrence == "HOURLY":
        return as_int(field(schedule, "hourlyFrequency"))
    return RECURRENCE_HOURS.get(recurrence)


def backup_plan(data: dict, iam: dict, location: str) -> Shape:
    rules = [r for r in as_list(field(data, "backupRules")) if isinstance(r, dict)]
    retention = [as_int(field(r, "backupRetentionDays")) for r in rules]
    intervals = [_interval_hours(field(r, "standardSchedule") or {}) for r in rules]
    shape = Shape(attrs=dict(
        state=field(data, "state"),
        resource_type=field(data, "resourceType"),
        rule_count=len(rules) if "backupRules" in data else None,
        # The longest-kept rule bounds how far back a restore can go; the most frequent one the RPO.
        max_retention_days=max((r for r in retention if r is not None), default=None) if None not in retention else None,
        min_interval_hours=min((i for i in intervals if i is not None), default=None) if None not in intervals else None,
        log_retention_days=as_int(field(data, "logRetentionDays")),
    ))
    shape.ref("stores_in", backupdr_name(field(data, "backupVault")))
    return shape


def workload_name(resource_type, resource) -> str | None:
    """('compute.googleapis.com/Instance', 'projects/p/zones/z/instances/i') -> its Cloud Asset name."""
    if not resource:
        return None
    text = str(resource)
    if text.startswith("https://"):
        return compute_name(text) if "/compute/" in text else None
    if text.startswith("//"):
        return text
    service = WORKLOAD_SERVICES.get(str(resource_type or "").split("/", 1)[0])
    return f"//{service}/{text}" if service else None


def backup_plan_association(data: dict, iam: dict, location: str) -> Shape:
    """rulesConfigInfo carries each rule's last backup: its state and last successful backup time."""
    listed = as_list(field(data, "rulesConfigInfo"))
    infos = [i for i in listed if isinstance(i, dict)]
    states = [str(field(i, "lastBackupState") or "") for i in infos]
    if len(infos) < len(listed):
        states.append("")  # an entry that is not an object was not read: not all SUCCEEDED
    successes = [t for t in (iso_time(field(i, "lastSuccessfulBackupConsistencyTime")) for i in infos) if t]
    if not infos:
        last_state = None
    elif "FAILED" in states or "PERMISSION_DENIED" in states:
        last_state = "FAILED" if "FAILED" in states else "PERMISSION_DENIED"
    elif all(s == "SUCCEEDED" for s in states):
        last_state = "SUCCEEDED"
    else:
        last_state = next((s for s in states if s != "SUCCEEDED"), None) or None
    shape = Shape(attrs=dict(
        state=field(data, "state"),
        resource_type=field(data, "resourceType"),
        last_backup_state=last_state,
        last_successful_backup=max(successes) if successes else None,
    ))
    shape.ref("protects", workload_name(field(data, "resourceType"), field(data, "resource")))
    shape.ref("uses_policy", backupdr_name(field(data, "backupPlan")))
    return shape
