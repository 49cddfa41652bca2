"""Collect stage entry point for offline imports: a directory of exports -> one Inventory.

Each file is an independent unit of work (`import_file(path)`, a plain function of its
input). They run in sequence: spreading them over worker processes was measured slower on
2 cores (pickling 100k resources back costs more than parsing them in parallel saves)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from drscan.collect.imports.backups import find_backup_files, import_backup_files
from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.files import find_export_files, import_file
from drscan.collect.merge import merge_resources
from drscan.model import Inventory, Resource
from drscan.normalize.lookup import shared

Progress = Callable[[Path], None]


# A date (and time) in a file name: credential-report-2026-06-01.csv, export-20260601T0600Z.ndjson
_NAME_TIME = re.compile(r"(?<!\d)(20\d\d)(?:-([01]\d)-([0-3]\d)(?:[T_]([0-2]\d)[:-]?([0-5]\d)(?:[:-]?([0-5]\d))?)?"
                        r"|([01]\d)([0-3]\d)T([0-2]\d)([0-5]\d)([0-5]\d)?)(?!\d)")


def file_time(path: Path) -> tuple[str, str]:
    """When a file's data was captured, for records that carry no time of their own, and how that
    is known: a date in the file's name (an IAM credential report carries its generation time only
    in the API response, not in the CSV, so a name like credential-report-2026-06-01.csv is the
    best it has), else the file's modification time (when it was written, at or after capture)."""
    modified = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    match = _NAME_TIME.search(path.name)
    if match:
        groups = match.groups()
        dashed = groups[1:6] if groups[1] else groups[6:11]
        year, (month, day, hour, minute, second) = int(groups[0]), (int(g) if g else 0 for g in dashed)
        timed = bool(groups[4] or groups[9])
        try:  # a date alone: the end of that day (ages are never understated), but not after the file was written
            named = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc) if timed else \
                min(datetime(year, month, day, 23, 59, 59, tzinfo=timezone.utc), modified)
        except ValueError:
            named = None
        if named is not None:
            return named.strftime("%Y-%m-%dT%H:%M:%SZ"), "date in the file name"
    return modified.strftime("%Y-%m-%dT%H:%M:%SZ"), "file modification time"


def import_inventory(root: Path, on_file: Progress | None = None) -> Inventory:
    files = find_export_files(root)
    backup_files = find_backup_files(root)  # dumps, XtraBackup metadata, Bacula llist text: grouped into sets
    claimed = {p for group in backup_files.values() for p in group}
    files = [p for p in files if p not in claimed]
    total = ImportBatch()
    for path in files:
        batch = import_file(path)
        # An export is evidence as of when it was captured: each record's own capture time (AWS
        # Config), else the file's (a Cloud Asset readTime), else the file's name or mtime.
        observed = shared(batch.captured_at or file_time(path)[0])
        batch.resources = [compact(r, observed) for r in batch.resources]
        total.extend(batch)
        if on_file:
            on_file(path)
    backups = import_backup_files(backup_files)
    # Backup sets span several files: their evidence is as of the newest of them (name or mtime).
    set_files = [p for group in backup_files.values() for p in group]
    total.extend(replace_observed(backups, max((file_time(p)[0] for p in set_files), default=observed_now())))
    files = files + [p for group in backup_files.values() for p in group]
    return Inventory(
        resources=tuple(merge_resources(total.resources)),
        references=tuple(total.references),
        gaps=tuple(total.gaps),
        sources=tuple(str(p) for p in files),
    )


def compact(resource: Resource, observed: str) -> Resource:
    """The resource dated `observed` unless it carries its own capture time, its account, region
    and zones shared with every other resource that names them (lookup.shared)."""
    account, region = shared(resource.account), shared(resource.region)
    zones = tuple(shared(zone) for zone in resource.zones)
    if resource.observed_at and account is resource.account and region is resource.region and zones == resource.zones \
            and all(a is b for a, b in zip(zones, resource.zones)):
        return resource
    return replace(resource, observed_at=resource.observed_at or observed, account=account, region=region, zones=zones)


def observed_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def replace_observed(batch: ImportBatch, observed: str) -> ImportBatch:
    """Stamp every resource of a batch with one evidence time."""
    batch.resources = [replace(r, observed_at=observed) for r in batch.resources]
    return batch
