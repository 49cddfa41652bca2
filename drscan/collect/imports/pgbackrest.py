"""pgBackRest `pgbackrest info --output=json` -> one `backup.pgbackrest.stanza` resource per
stanza: status, cipher, repositories, WAL archive range, and every backup as a run.

Format (src/command/info/info.c): a list of stanzas `{name, cipher, status{code, message},
repo[], db[], archive[{id, database{id}, min, max}], backup[{label, type, timestamp{start, stop},
archive{start, stop}, info{size}, error?, database{id}}]}`. pgBackRest keeps no time for WAL, so
the last restorable time comes from the live `pg_stat_archiver` (drscan scan --postgres) or,
failing that, from the newest backup's stop time."""

from __future__ import annotations

from typing import Any

from drscan.collect.imports.backup_runs import BACKUP_PROVIDER, Run, from_epoch, summarize
from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.records import UNREADABLE, unreadable_gap
from drscan.errors import InputError
from drscan.model import Resource

KIND = "backup.pgbackrest.stanza"
STATUS_CODES = {0: "ok", 1: "missing stanza path", 2: "no valid backups", 3: "missing stanza data",
                4: "different across repos", 5: "database mismatch across repos", 6: "requested backup not found",
                99: "other"}


def looks_like_info(document: Any) -> bool:
    return (isinstance(document, list) and bool(document) and isinstance(document[0], dict)
            and "name" in document[0] and ("backup" in document[0] or "archive" in document[0])
            and isinstance(document[0].get("status"), dict))


def _run(backup: dict, where: str) -> Run:
    if not isinstance(backup, dict):
        raise InputError(f"{where}: a backup must be an object")
    times = backup.get("timestamp") or {}
    error = backup.get("error")  # only written by pgBackRest >= 2.36, and only when known
    info = backup.get("info") or {}
    return Run(id=str(backup.get("label") or "?"), kind=backup.get("type"),
               started_at=from_epoch(times.get("start"), f"{where}.timestamp.start"),
               finished_at=from_epoch(times.get("stop"), f"{where}.timestamp.stop"),
               # A backup listed by info completed (pgBackRest lists only finished backups); `error`
               # true means page checksum errors were found in it.
               ok=(error is not True) if times.get("stop") else None,
               status="error" if error is True else ("ok" if times.get("stop") else None),
               size_bytes=info.get("size") if isinstance(info.get("size"), int) else None,
               errors=(1 if error else 0) if isinstance(error, bool) else None)


def stanza_resource(stanza: dict, where: str) -> Resource:
    if not isinstance(stanza, dict) or not stanza.get("name"):
        raise InputError(f"{where}: a stanza must be an object with a name")
    name = str(stanza["name"])
    status = stanza.get("status") if isinstance(stanza.get("status"), dict) else {}
    backups = stanza.get("backup") if isinstance(stanza.get("backup"), list) else []
    runs = [_run(b, f"{where}.backup[{n}]") for n, b in enumerate(backups)]
    attrs: dict[str, Any] = {"tool": "pgbackrest", "stanza": name, **summarize(runs)}
    if "code" in status:
        attrs["status_code"] = status["code"]
        attrs["status_message"] = status.get("message") or STATUS_CODES.get(status["code"], "")
        attrs["status_ok"] = status["code"] == 0
    dbs = stanza.get("db") if isinstance(stanza.get("db"), list) else []
    current = dbs[-1] if dbs and isinstance(dbs[-1], dict) else None
    if current:
        if current.get("system-id") is not None:
            attrs["system_identifier"] = str(current["system-id"])
        if current.get("version") is not None:
            attrs["postgres_version"] = str(current["version"])
    archives = [a for a in stanza.get("archive") or [] if isinstance(a, dict)]
    mine = [a for a in archives if current and (a.get("database") or {}).get("id") == current.get("id")] or archives[-1:]
    if mine:
        attrs["archive_min_wal"] = mine[-1].get("min")
        attrs["archive_max_wal"] = mine[-1].get("max")
        attrs["pitr"] = mine[-1].get("max") is not None
    # Encryption: the stanza's cipher and each repository's (repo[].cipher, >= 2.33).
    ciphers = [r.get("cipher") for r in stanza.get("repo") or [] if isinstance(r, dict) and r.get("cipher")]
    if stanza.get("cipher"):
        ciphers.append(stanza["cipher"])
    if ciphers:
        attrs["cipher"] = sorted(set(ciphers))
        attrs["encrypted"] = all(c != "none" for c in ciphers)
    attrs["repository_count"] = len(stanza.get("repo") or []) or None
    if backups:
        newest = backups[-1] if isinstance(backups[-1], dict) else {}
        attrs["last_backup_archive_stop"] = (newest.get("archive") or {}).get("stop")
        if attrs.get("archive_max_wal") and attrs["last_backup_archive_stop"]:
            # WAL names sort by timeline, then position: archiving has reached the newest backup's end.
            attrs["archive_continuous_to_last_backup"] = str(attrs["archive_max_wal"]) >= str(attrs["last_backup_archive_stop"])
    return Resource(kind=KIND, id=f"pgbackrest:{name}" + (f"@{attrs['system_identifier']}" if "system_identifier" in attrs else ""),
                    name=name, provider=BACKUP_PROVIDER, account="", region="",
                    attrs={k: v for k, v in attrs.items() if v is not None}, source=where)


def import_pgbackrest_info(document: list, path: str) -> ImportBatch:
    """Stanza by stanza: one whose fields have the wrong types is a Gap naming it."""
    batch = ImportBatch()
    for number, stanza in enumerate(document):
        where = f"{path}#stanza {number + 1}"
        try:
            batch.resources.append(stanza_resource(stanza, where))
        except UNREADABLE as exc:
            batch.gaps.append(unreadable_gap(where, "stanza", exc, provider=BACKUP_PROVIDER, kind=KIND))
    return batch
