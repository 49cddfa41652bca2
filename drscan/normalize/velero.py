"""Velero objects (velero.io/v1 Backup, Schedule, Restore, BackupStorageLocation,
VolumeSnapshotLocation) -> normalized attributes, read as Velero means them: every field is
`omitempty`, so an absent count is zero, an absent phase is New, absent included namespaces mean
all, an absent `snapshotVolumes` means snapshots are taken, and a zero TTL means the server's
default. Also the schedule parser (robfig/cron ParseStandard, as the Velero schedule controller
uses) and Go duration strings. Sources: vmware-tanzu/velero pkg/apis/velero/v1/*_types.go,
pkg/controller/schedule_controller.go, pkg/controller/backup_controller.go."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

from drscan.normalize.lookup import as_dict, as_list, dig
from drscan.normalize.shape import Shape

DEFAULT_BACKUP_TTL_SECONDS = 30 * 86400  # velero server --default-backup-ttl (pkg/cmd/server/config/config.go)
SUCCEEDED_PHASES = ("Completed",)
FAILED_PHASES = ("Failed", "PartiallyFailed", "FailedValidation")
_DURATION_PART = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")
_DURATION_UNIT = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
_DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_MONTHS = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_HORIZON_DAYS = 800  # sees yearly schedules at least twice


def go_duration_seconds(text: Any) -> float | None:
    """'720h0m0s' -> 2592000.0; '' or unreadable -> None."""
    if text is None:
        return None
    value = str(text).strip()
    if value in ("0", ""):
        return 0.0 if value == "0" else None
    sign = -1 if value.startswith("-") else 1
    value = value.lstrip("+-")
    parts = _DURATION_PART.findall(value)
    if not parts or "".join(n + u for n, u in parts) != value:
        return None
    return sign * sum(float(n) * _DURATION_UNIT[u] for n, u in parts)


def _cron_field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> tuple[set[int], bool] | None:
    """robfig/cron getRange for one field: (allowed values, star bit) or None when unreadable."""
    values: set[int] = set()
    star = False
    for part in text.upper().split(","):
        range_text, _, step_text = part.partition("/")
        bounds = range_text.split("-")
        if bounds[0] in ("*", "?"):
            start, end, part_star = low, high, True
        else:
            try:
                numbers = [names[b] if names and b in names else int(b) for b in bounds]
            except (ValueError, KeyError):
                return None
            if len(numbers) > 2:
                return None
            start, end, part_star = numbers[0], numbers[-1], False
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
            if len(bounds) == 1 and not part_star:
                end = high  # "N/step" means "N-max/step"
            if step > 1:
                part_star = False
        if not (low <= start <= end <= high):
            return None
        values.update(range(start, end + 1, step))
        star = star or part_star
    return values, star


@lru_cache(maxsize=512)
def schedule_interval_seconds(expression: str) -> int | None:
    """The longest gap between two runs of a Velero schedule (5-field cron, @descriptors,
    '@every <duration>', optional CRON_TZ=/TZ= prefix); None when it cannot be read."""
    text = str(expression or "").strip()
    if text.startswith(("CRON_TZ=", "TZ=")):
        text = text.split(None, 1)[1] if " " in text else ""
    if text.startswith("@every "):
        seconds = go_duration_seconds(text[7:])
        return int(seconds) if seconds and seconds > 0 else None
    text = _DESCRIPTORS.get(text, text)
    fields = text.split()
    if len(fields) != 5:
        return None
    parsed = [_cron_field(fields[0], 0, 59), _cron_field(fields[1], 0, 23), _cron_field(fields[2], 1, 31),
              _cron_field(fields[3], 1, 12, _MONTHS), _cron_field(fields[4], 0, 6, _DAYS)]
    if any(p is None for p in parsed):
        return None
    (minutes, _), (hours, _), (days, day_star), (months, _), (weekdays, weekday_star) = parsed  # type: ignore[misc]
    times = sorted(h * 60 + m for h in hours for m in minutes)
    start = dt.date(2026, 1, 1)
    runs: list[int] = []
    for offset in range(_HORIZON_DAYS):
        day = start + dt.timedelta(days=offset)
        if day.month not in months:
            continue
        dom, dow = day.day in days, (day.isoweekday() % 7) in weekdays
        if (dom and dow) if (day_star or weekday_star) else (dom or dow):
            runs.extend(offset * 1440 + t for t in times)
    if len(runs) < 2:
        return None
    return max(b - a for a, b in zip(runs, runs[1:])) * 60


def _strings(value: Any) -> list[str]:
    return [str(v) for v in as_list(value) if v is not None]


def _selector(value: Any) -> dict | None:
    from drscan.normalize.kubernetes import selector_of

    return selector_of(value)


def _seconds_between(start: Any, end: Any) -> float | None:
    try:
        begin = dt.datetime.fromisoformat(str(start).replace("Z", "+00:00"))
        finish = dt.datetime.fromisoformat(str(end).replace("Z", "+00:00"))
    except ValueError:
        return None
    seconds = (finish - begin).total_seconds()
    return seconds if seconds >= 0 else None


def backup_spec(spec: dict | None) -> dict[str, Any]:
    """A BackupSpec (a Backup's spec or a Schedule's template) as Velero applies it. None: the
    export lacks it altogether (Velero always writes both), so what it selects is unknown."""
    if spec is None:
        return {"included_namespaces": None, "excluded_namespaces": None, "label_selector": None, "or_label_selectors": [],
                "snapshot_volumes": None, "default_volumes_to_fs_backup": None, "snapshot_move_data": None,
                "ttl_seconds": None, "ttl_is_server_default": None, "storage_location": None, "volume_snapshot_locations": []}
    ttl = go_duration_seconds(spec.get("ttl"))
    included = _strings(spec.get("includedNamespaces")) or ["*"]  # empty means every namespace
    return {
        "included_namespaces": included, "excluded_namespaces": _strings(spec.get("excludedNamespaces")),
        "label_selector": _selector(spec.get("labelSelector")),
        "or_label_selectors": [s for s in (_selector(x) for x in as_list(spec.get("orLabelSelectors"))) if s is not None],
        "included_resources": _strings(spec.get("includedResources")) or ["*"],
        "excluded_resources": _strings(spec.get("excludedResources")),
        # nil or true: volumes are snapshotted (internal/volumehelper); only an explicit false skips them.
        "snapshot_volumes": spec.get("snapshotVolumes") is not False,
        # nil: the server's --default-volumes-to-fs-backup, which drscan cannot see.
        "default_volumes_to_fs_backup": spec.get("defaultVolumesToFsBackup", spec.get("defaultVolumesToRestic")),
        "snapshot_move_data": spec.get("snapshotMoveData") is True,
        # 0 (or absent): the server's --default-backup-ttl, 720h unless the operator changed it.
        "ttl_seconds": ttl if ttl else None, "ttl_is_server_default": not ttl,
        "storage_location": spec.get("storageLocation"),
        "volume_snapshot_locations": _strings(spec.get("volumeSnapshotLocations")),
        "include_cluster_resources": spec.get("includeClusterResources"),
    }


def _count(status: dict, key: str) -> int | None:
    """An omitempty integer: absent means 0 once the object has a status at all."""
    if not status:
        return None
    value = status.get(key, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def backup(obj: dict) -> Shape:
    spec, status = as_dict(obj.get("spec")), as_dict(obj.get("status"))
    labels = as_dict(dig(obj, "metadata.labels"))
    attrs = backup_spec(spec if "spec" in obj else None)
    if not attrs["storage_location"] and labels.get("velero.io/storage-location"):
        attrs["storage_location"] = str(labels["velero.io/storage-location"])
    started, completed = status.get("startTimestamp"), status.get("completionTimestamp")
    attrs.update({
        "phase": status.get("phase") or "New",
        "schedule": labels.get("velero.io/schedule-name"),
        "started_at": started, "completed_at": completed, "expires_at": status.get("expiration"),
        "duration_seconds": _seconds_between(started, completed) if started and completed else None,
        "errors": _count(status, "errors"), "warnings": _count(status, "warnings"),
        "volume_snapshots_attempted": _count(status, "volumeSnapshotsAttempted"),
        "volume_snapshots_completed": _count(status, "volumeSnapshotsCompleted"),
        "csi_volume_snapshots_attempted": _count(status, "csiVolumeSnapshotsAttempted"),
        "csi_volume_snapshots_completed": _count(status, "csiVolumeSnapshotsCompleted"),
        "item_operations_attempted": _count(status, "backupItemOperationsAttempted"),
        "item_operations_completed": _count(status, "backupItemOperationsCompleted"),
        "item_operations_failed": _count(status, "backupItemOperationsFailed"),
        "items_total": dig(status, "progress.totalItems"), "items_backed_up": dig(status, "progress.itemsBackedUp"),
        "failure_reason": status.get("failureReason"), "validation_errors": _strings(status.get("validationErrors")),
    })
    return Shape(attrs=attrs)


def schedule(obj: dict) -> Shape:
    spec, status = as_dict(obj.get("spec")), as_dict(obj.get("status"))
    expression = spec.get("schedule")
    attrs = backup_spec(as_dict(spec.get("template")) if "template" in spec else None)
    attrs.update({
        "schedule": expression, "interval_seconds": schedule_interval_seconds(str(expression)) if expression else None,
        "paused": (spec.get("paused") is True) if spec else None, "phase": status.get("phase") or "New",
        "last_backup_at": status.get("lastBackup"), "last_skipped_at": status.get("lastSkipped"),
        "validation_errors": _strings(status.get("validationErrors")),
    })
    return Shape(attrs=attrs)


def restore(obj: dict) -> Shape:
    spec, status = as_dict(obj.get("spec")), as_dict(obj.get("status"))
    started, completed = status.get("startTimestamp"), status.get("completionTimestamp")
    phase = status.get("phase") or "New"
    return Shape(attrs={
        "phase": phase, "status": phase,  # `status` is the name the DR engine reads on restore jobs of every kind
        "backup_name": spec.get("backupName"), "schedule_name": spec.get("scheduleName"),
        "included_namespaces": _strings(spec.get("includedNamespaces")) or ["*"],
        "excluded_namespaces": _strings(spec.get("excludedNamespaces")),
        "namespace_mapping": {str(k): str(v) for k, v in as_dict(spec.get("namespaceMapping")).items()},
        "restore_pvs": spec.get("restorePVs"),
        "started_at": started, "completed_at": completed,
        "duration_seconds": _seconds_between(started, completed) if started and completed else None,
        "errors": _count(status, "errors"), "warnings": _count(status, "warnings"),
        "failure_reason": status.get("failureReason"), "validation_errors": _strings(status.get("validationErrors")),
    })


# BackupStorageLocation.spec.config keys that say where data goes (never credentials).
_LOCATION_CONFIG = ("region", "s3Url", "publicUrl", "kmsKeyId", "serverSideEncryption", "resourceGroup", "storageAccount",
                    "subscriptionId", "useAAD", "s3ForcePathStyle", "project", "snapshotLocation", "apiTimeout", "incremental")


def storage_location(obj: dict) -> Shape:
    spec, status = as_dict(obj.get("spec")), as_dict(obj.get("status"))
    config = {k: str(v) for k, v in as_dict(spec.get("config")).items() if k in _LOCATION_CONFIG}
    return Shape(attrs={
        "provider": spec.get("provider"), "bucket": dig(spec, "objectStorage.bucket"), "prefix": dig(spec, "objectStorage.prefix"),
        "config": config, "region": config.get("region"), "default": spec.get("default") is True,
        "access_mode": spec.get("accessMode") or "ReadWrite",
        "phase": status.get("phase"),  # absent: not validated yet, so unknown (never assumed Available)
        "last_validated_at": status.get("lastValidationTime"), "last_synced_at": status.get("lastSyncedTime"),
        "message": status.get("message"),
    })


def snapshot_location(obj: dict) -> Shape:
    spec, status = as_dict(obj.get("spec")), as_dict(obj.get("status"))
    config = {k: str(v) for k, v in as_dict(spec.get("config")).items() if k in _LOCATION_CONFIG}
    return Shape(attrs={"provider": spec.get("provider"), "config": config, "region": config.get("region"),
                        "phase": status.get("phase")})
