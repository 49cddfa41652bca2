"""Percona XtraBackup `xtrabackup_info` and `xtrabackup_checkpoints` (key = value lines) ->
one `backup.xtrabackup.backup_set` resource per directory holding backup directories, each
backup a run.

xtrabackup_info (backup_mysql.cc get_xtrabackup_info): uuid, name, tool_name, tool_command,
tool_version, ibbackup_version, server_version, start_time, end_time, lock_time, binlog_pos,
innodb_from_lsn, innodb_to_lsn, partial, incremental, format, compressed, encrypted. XtraBackup
writes it when a backup completes, so its presence is a finished backup. Times are the server's
local time without a zone; drscan reads them as UTC. xtrabackup_checkpoints: backup_type
(full-backuped | incremental | full-prepared ...), from_lsn, to_lsn, last_lsn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drscan.collect.imports.backup_runs import BACKUP_PROVIDER, Run, parse_when, summarize
from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Resource

KIND = "backup.xtrabackup.backup_set"
NAMES = ("xtrabackup_info", "xtrabackup_checkpoints")
MAX_BYTES = 1 << 20


def parse_key_values(path: Path) -> dict[str, str]:
    """`key = value` lines; a line without '=' is an error naming file and line."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: larger than {MAX_BYTES} bytes; not an XtraBackup metadata file")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{path}:{number}: expected 'key = value', got {line.strip()[:60]!r}")
        values[key.strip()] = value.strip()
    return values


def _backup(directory: Path, files: dict[str, Path]) -> tuple[Run, dict[str, Any]]:
    info = parse_key_values(files["xtrabackup_info"]) if "xtrabackup_info" in files else {}
    checkpoints = parse_key_values(files["xtrabackup_checkpoints"]) if "xtrabackup_checkpoints" in files else {}
    where = str(files.get("xtrabackup_info") or files["xtrabackup_checkpoints"])
    if not info and not checkpoints.get("backup_type"):
        raise InputError(f"{where}: no backup_type or xtrabackup_info keys: not XtraBackup metadata")
    kind = "incremental" if info.get("incremental") == "Y" or "incremental" in checkpoints.get("backup_type", "") else "full"
    finished = parse_when(info.get("end_time"), f"{where}: end_time")
    run = Run(id=info.get("uuid") or directory.name, kind=kind, started_at=parse_when(info.get("start_time"), f"{where}: start_time"),
              finished_at=finished, ok=True if finished else None, status="completed" if finished else checkpoints.get("backup_type"))
    facts = {"encrypted": {"Y": True, "N": False}.get(info.get("encrypted", "")),
             "tool_version": info.get("tool_version"), "server_version": info.get("server_version"),
             "binlog_pos": info.get("binlog_pos"), "partial": {"Y": True, "N": False}.get(info.get("partial", ""))}
    return run, facts


def import_xtrabackup_dirs(paths: list[Path]) -> ImportBatch:
    """Metadata files found under an import root, grouped: file -> backup directory -> backup set
    (the directory holding the backup directories)."""
    backups: dict[Path, dict[str, Path]] = {}
    for path in paths:
        backups.setdefault(path.parent, {})[path.name] = path
    sets: dict[Path, list[tuple[Run, dict]]] = {}
    first: dict[Path, Path] = {}
    for directory, files in sorted(backups.items()):
        sets.setdefault(directory.parent, []).append(_backup(directory, files))
        first.setdefault(directory.parent, sorted(files.values())[0])
    batch = ImportBatch()
    for parent, found in sorted(sets.items()):
        runs = [run for run, _ in found]
        newest = max(found, key=lambda item: item[0].finished_at or "")[1]
        attrs = {"tool": "xtrabackup", "directory": str(parent), **summarize(runs),
                 **{k: v for k, v in newest.items() if v is not None}}
        batch.resources.append(Resource(kind=KIND, id=f"xtrabackup:{parent}", name=parent.name or str(parent),
                                        provider=BACKUP_PROVIDER, account="", region="", attrs=attrs,
                                        source=str(first[parent])))
    return batch
