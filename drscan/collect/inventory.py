"""Collect stage entry point for offline imports: a directory of exports -> one Inventory.

Each file is an independent unit of work (`import_file(path)`, a plain function of its
input). They run in sequence: spreading them over worker processes was measured slower on
2 cores (pickling 100k resources back costs more than parsing them in parallel saves)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from drscan.collect.imports.backups import find_backup_files, import_backup_files
from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.files import find_export_files, import_file
from drscan.collect.merge import merge_resources
from drscan.model import Inventory

Progress = Callable[[Path], None]


def import_inventory(root: Path, on_file: Progress | None = None) -> Inventory:
    files = find_export_files(root)
    backup_files = find_backup_files(root)  # dumps, XtraBackup metadata, Bacula llist text: grouped into sets
    claimed = {p for group in backup_files.values() for p in group}
    files = [p for p in files if p not in claimed]
    total = ImportBatch()
    for path in files:
        batch = import_file(path)
        # An export is evidence as of when it was written: the file's modification time.
        observed = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        batch.resources = [replace(r, observed_at=observed) for r in batch.resources]
        total.extend(batch)
        if on_file:
            on_file(path)
    backups = import_backup_files(backup_files)
    total.extend(replace_observed(backups, observed_now()))
    files = files + [p for group in backup_files.values() for p in group]
    return Inventory(
        resources=tuple(merge_resources(total.resources)),
        references=tuple(total.references),
        gaps=tuple(total.gaps),
        sources=tuple(str(p) for p in files),
    )


def observed_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def replace_observed(batch: ImportBatch, observed: str) -> ImportBatch:
    """Backup sets span several files; their evidence time is when drscan read them."""
    batch.resources = [replace(r, observed_at=observed) for r in batch.resources]
    return batch
