"""WAL-G `wal-g backup-list --json --detail` -> one `backup.walg.backup_set` resource per
(host, data directory, storage) with every backup as a run; `wal-g wal-verify integrity
timeline --json` -> a `backup.walg.wal_verify` resource (WAL gaps in the archive).

backup-list items (internal/printlist, ExtendedMetadataDto): backup_name, time (storage
modification time), wal_file_name, storage_name (>= v3.0), and with --detail start_time,
finish_time, hostname, data_dir, pg_version, start_lsn, finish_lsn, is_permanent,
system_identifier, uncompressed_size, compressed_size. WAL-G lists only finished backups."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drscan.collect.imports.backup_runs import BACKUP_PROVIDER, Run, parse_when, summarize
from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Resource

SET_KIND = "backup.walg.backup_set"
VERIFY_KIND = "backup.walg.wal_verify"


def looks_like_backup_list(document: Any) -> bool:
    return (isinstance(document, list) and bool(document) and isinstance(document[0], dict)
            and "backup_name" in document[0] and ("time" in document[0] or "start_time" in document[0]))


def looks_like_wal_verify(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("integrity"), dict) and "status" in document["integrity"]


def _run(item: dict, where: str) -> Run:
    if not isinstance(item, dict) or not item.get("backup_name"):
        raise InputError(f"{where}: a backup must be an object with backup_name")
    finished = parse_when(item.get("finish_time"), f"{where}.finish_time") or parse_when(item.get("time"), f"{where}.time")
    size = item.get("compressed_size")
    return Run(id=str(item["backup_name"]), kind="permanent" if item.get("is_permanent") else None,
               started_at=parse_when(item.get("start_time"), f"{where}.start_time"), finished_at=finished,
               ok=True if finished else None, status="listed" if finished else None,
               size_bytes=size if isinstance(size, int) else None)


def import_backup_list(document: list, path: str) -> ImportBatch:
    groups: dict[tuple[str, str, str], list[tuple[int, dict]]] = defaultdict(list)
    for number, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{path}#backup {number}: a backup must be an object")
        groups[(str(item.get("hostname") or ""), str(item.get("data_dir") or ""), str(item.get("storage_name") or ""))].append((number, item))
    batch = ImportBatch()
    for (host, data_dir, storage), items in sorted(groups.items()):
        runs = [_run(item, f"{path}#backup {number}") for number, item in items]
        newest = max((item for _, item in items), key=lambda i: str(i.get("finish_time") or i.get("time") or ""))
        attrs: dict[str, Any] = {"tool": "wal-g", **summarize(runs), "host": host or None, "data_dir": data_dir or None,
                                 "storage_name": storage or None, "pitr": True if newest.get("wal_file_name") else None,
                                 "last_backup_wal": newest.get("wal_file_name")}
        if newest.get("system_identifier") is not None:
            attrs["system_identifier"] = str(newest["system_identifier"])
        if newest.get("pg_version") is not None:
            attrs["postgres_version"] = str(newest["pg_version"])
        label = host or path.rsplit("/", 1)[-1]
        rid = f"walg:{host or path}:{data_dir}" + (f":{storage}" if storage else "")
        batch.resources.append(Resource(kind=SET_KIND, id=rid, name=f"{label}{':' + data_dir if data_dir else ''}",
                                        provider=BACKUP_PROVIDER, account="", region="",
                                        attrs={k: v for k, v in attrs.items() if v is not None},
                                        source=f"{path}#backup {items[0][0]}"))
    return batch


def import_wal_verify(document: dict, path: str) -> ImportBatch:
    integrity = document["integrity"]
    timeline = document.get("timeline") if isinstance(document.get("timeline"), dict) else {}
    details = integrity.get("details") if isinstance(integrity.get("details"), list) else []
    missing = [d for d in details if isinstance(d, dict) and str(d.get("status", "")).upper() not in ("FOUND", "")]
    attrs = {"tool": "wal-g", "integrity_status": integrity.get("status"), "timeline_status": timeline.get("status"),
             "wal_integrity_ok": str(integrity.get("status")).upper() == "OK",
             "wal_missing_ranges": [{k: d.get(k) for k in ("timeline_id", "start_segment", "end_segment", "segments_count", "status")}
                                    for d in missing[:20]]}
    if timeline.get("status") is not None:
        attrs["wal_timeline_ok"] = str(timeline["status"]).upper() == "OK"
        attrs["wal_archiving_healthy"] = attrs["wal_integrity_ok"] and attrs["wal_timeline_ok"]
    else:
        attrs["wal_archiving_healthy"] = attrs["wal_integrity_ok"]
    batch = ImportBatch()
    batch.resources.append(Resource(kind=VERIFY_KIND, id=f"walg-verify:{path}", name=path.rsplit("/", 1)[-1],
                                    provider=BACKUP_PROVIDER, account="", region="", attrs=attrs, source=f"{path}#integrity"))
    return batch
