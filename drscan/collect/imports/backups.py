"""Detect backup-tool evidence among the import files and hand it to its importer.

JSON exports go through `import_backup_document` (called first by files.import_document, since
a Veeam `{"data": [...]}` page would otherwise look like an Azure Resource Graph result). Files
that are not JSON exports are found by `find_backup_files`: dump files by name (`*.sql`,
`*.sql.gz`, `*.dump`), XtraBackup metadata by name (`xtrabackup_info`, `xtrabackup_checkpoints`)
and Bacula `llist jobs` output by content (`*.txt`, `*.out`, `*.log`, `*.llist` with a
`JobId: N` line)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drscan.collect.imports import barman, bacula, dumps, pgbackrest, veeam, walg, xtrabackup
from drscan.collect.imports.backup_runs import BACKUP_PROVIDER
from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.records import UNREADABLE, unreadable_gap

JSON_DETECTORS = (
    (pgbackrest.looks_like_info, pgbackrest.import_pgbackrest_info),
    (walg.looks_like_backup_list, walg.import_backup_list),
    (walg.looks_like_wal_verify, walg.import_wal_verify),
    (barman.looks_like_show_backup, barman.import_show_backup),
    (barman.looks_like_list_backups, barman.import_list_backups),
    (veeam.looks_like_rest_sessions, veeam.import_rest_sessions),
    (veeam.looks_like_powershell_sessions, veeam.import_powershell_sessions),
    (dumps.looks_like_s3_listing, dumps.import_s3_listing),
)


def import_backup_document(document: Any, path: Path) -> ImportBatch | None:
    """A parsed JSON export of a backup tool -> its resources; None when it is not one. An export
    whose fields have types its importer cannot read is a Gap naming the file, and none of its
    resources is kept (never a crash): runs add up to one job's verdict, so a job missing the run
    that could not be read could pass on the others."""
    for detect, load in JSON_DETECTORS:
        if detect(document):
            try:
                return load(document, str(path))
            except UNREADABLE as exc:
                return ImportBatch(gaps=[unreadable_gap(str(path), f"{load.__module__.rsplit('.', 1)[-1]} export", exc,
                                                        provider=BACKUP_PROVIDER)])
    return None


def _is_llist(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return bacula.looks_like_llist(handle.read(4096))
    except OSError:
        return False


def find_backup_files(root: Path) -> dict[str, list[Path]]:
    """Non-JSON backup evidence under root: {"dumps": [...], "xtrabackup": [...], "bacula": [...]}."""
    candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    found: dict[str, list[Path]] = {"dumps": [], "xtrabackup": [], "bacula": []}
    for path in candidates:
        name = path.name.lower()
        if dumps.is_dump_name(name):
            found["dumps"].append(path)
        elif name in xtrabackup.NAMES:
            found["xtrabackup"].append(path)
        elif name.endswith(bacula.TEXT_SUFFIXES) and _is_llist(path):
            found["bacula"].append(path)
    return found


def import_backup_files(found: dict[str, list[Path]]) -> ImportBatch:
    batch = ImportBatch()
    if found["dumps"]:
        batch.extend(dumps.import_dump_files(found["dumps"]))
    if found["xtrabackup"]:
        batch.extend(xtrabackup.import_xtrabackup_dirs(found["xtrabackup"]))
    for path in found["bacula"]:
        batch.extend(bacula.import_llist(path))
    return batch
