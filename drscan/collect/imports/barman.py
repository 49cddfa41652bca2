"""Barman `barman -f json list-backups SERVER` and `barman -f json show-backup SERVER ID` ->
one `backup.barman.server` resource per server with every backup as a run.

list-backups: {"<server>": [{backup_id, backup_name?, status, end_time_timestamp (string of
Unix seconds, only for WAITING_FOR_WALS / DONE), size_bytes, retention_status, ...}]}.
show-backup: {"<server>": {backup_id, status, system_id?, base_backup_information{encryption,
begin_time_timestamp, end_time_timestamp, ...}, catalog_information{retention_policy},
wal_information{last_available}}}. Status: EMPTY|STARTED|WAITING_FOR_WALS|DONE|SYNCING|FAILED."""

from __future__ import annotations

import re
from typing import Any

from drscan.collect.imports.backup_runs import BACKUP_PROVIDER, Run, from_epoch, summarize
from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Resource

KIND = "backup.barman.server"
DONE = {"DONE", "WAITING_FOR_WALS"}
IN_PROGRESS = {"STARTED", "SYNCING", "EMPTY"}
_WINDOW = re.compile(r"RECOVERY WINDOW OF (\d+) (DAY|WEEK|MONTH)S?", re.IGNORECASE)
_DAYS = {"DAY": 1, "WEEK": 7, "MONTH": 31}


def _server_values(document: Any) -> list:
    return list(document.values()) if isinstance(document, dict) and document else []


def looks_like_list_backups(document: Any) -> bool:
    values = _server_values(document)
    return bool(values) and all(isinstance(v, list) for v in values) and any(
        v and isinstance(v[0], dict) and "backup_id" in v[0] for v in values)


def looks_like_show_backup(document: Any) -> bool:
    values = _server_values(document)
    return bool(values) and all(isinstance(v, dict) and "backup_id" in v for v in values)


def _run(item: dict, where: str) -> Run:
    if not isinstance(item, dict) or not item.get("backup_id"):
        raise InputError(f"{where}: a backup must be an object with backup_id")
    status = str(item.get("status") or "")
    base = item.get("base_backup_information") if isinstance(item.get("base_backup_information"), dict) else {}
    end = item.get("end_time_timestamp", base.get("end_time_timestamp"))
    size = item.get("size_bytes", base.get("backup_size_bytes"))
    return Run(id=str(item["backup_id"]), kind=item.get("backup_type"), status=status or None,
               started_at=from_epoch(base.get("begin_time_timestamp"), f"{where}.begin_time_timestamp"),
               finished_at=from_epoch(end, f"{where}.end_time_timestamp"),
               ok=True if status in DONE else False if status == "FAILED" else None if status in IN_PROGRESS or not status else None,
               size_bytes=size if isinstance(size, int) else None)


def _resource(server: str, runs: list[Run], extra: dict, path: str) -> Resource:
    attrs = {"tool": "barman", "server": server, **summarize(runs), **extra}
    return Resource(kind=KIND, id=f"barman:{server}", name=server, provider=BACKUP_PROVIDER, account="", region="",
                    attrs={k: v for k, v in attrs.items() if v is not None}, source=f"{path}#{server}")


def import_list_backups(document: dict, path: str) -> ImportBatch:
    batch = ImportBatch()
    for server, items in document.items():
        runs = [_run(item, f"{path}#{server}[{n}]") for n, item in enumerate(items)]
        batch.resources.append(_resource(str(server), runs, {}, path))
    return batch


def import_show_backup(document: dict, path: str) -> ImportBatch:
    batch = ImportBatch()
    for server, item in document.items():
        where = f"{path}#{server}"
        run = _run(item, where)
        base = item.get("base_backup_information") if isinstance(item.get("base_backup_information"), dict) else {}
        catalog = item.get("catalog_information") if isinstance(item.get("catalog_information"), dict) else {}
        wal = item.get("wal_information") if isinstance(item.get("wal_information"), dict) else {}
        extra: dict[str, Any] = {"system_identifier": str(item["system_id"]) if item.get("system_id") else None,
                                 "retention_policy": catalog.get("retention_policy"),
                                 "last_available_wal": wal.get("last_available"),
                                 "pitr": True if wal.get("last_available") else None}
        if "encryption" in base:  # barman >= 3.x; "none" / null when backups are not encrypted
            extra["encryption"] = base.get("encryption")
            extra["encrypted"] = base.get("encryption") not in (None, "", "none", "None")
        policy = _WINDOW.search(str(catalog.get("retention_policy") or ""))
        if policy:
            extra["retention_days_configured"] = int(policy.group(1)) * _DAYS[policy.group(2).upper()]
        batch.resources.append(_resource(str(server), [run], extra, path))
    return batch
