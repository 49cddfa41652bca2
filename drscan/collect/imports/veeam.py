"""Veeam Backup & Replication sessions -> one `backup.veeam.job` resource per job, every
session a run. Two exports: the REST API `GET /api/v1/sessions` ({"data": [session],
"pagination": {...}}; session: id, name, sessionType, creationTime, endTime?, state,
result{result: None|Success|Warning|Failed, message, isCanceled}, resourceReference?) and
PowerShell `Get-VBRBackupSession | ConvertTo-Json` (CreationTime, EndTime, Result, State,
JobName or Name, JobId; dates as ISO or '/Date(ms)/').

Windows PowerShell 5.1 writes enums as numbers; their numbering is not documented, so a
numeric Result is kept verbatim and counts as unknown (export `Result` with `.ToString()`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drscan.collect.imports.backup_runs import BACKUP_PROVIDER, Run, parse_when, summarize
from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Resource

KIND = "backup.veeam.job"
BACKUP_SESSION_TYPES = {"Job", "BackupJob", "Backup"}  # REST sessionType of backup job runs
RESULTS = {"success": True, "warning": True, "failed": False}  # Warning: restore points were created


def looks_like_rest_sessions(document: Any) -> bool:
    data = document.get("data") if isinstance(document, dict) else None
    return (isinstance(data, list) and bool(data) and isinstance(data[0], dict)
            and "sessionType" in data[0] and "creationTime" in data[0])


def looks_like_powershell_sessions(document: Any) -> bool:
    items = document if isinstance(document, list) else [document] if isinstance(document, dict) else []
    return bool(items) and isinstance(items[0], dict) and "CreationTime" in items[0] and "Result" in items[0] and (
        "JobName" in items[0] or "JobId" in items[0])


def _result(value: Any) -> tuple[bool | None, str | None]:
    if isinstance(value, str):
        return RESULTS.get(value.lower()), value
    if value is None:
        return None, None
    return None, str(value)  # numeric enum from Windows PowerShell: meaning not documented


def _rest_run(item: dict, where: str) -> tuple[str, Run]:
    result = item.get("result") if isinstance(item.get("result"), dict) else {}
    ok, status = _result(result.get("result"))
    if str(item.get("state") or "") != "Stopped" and item.get("state") is not None:
        ok, status = None, f"{item.get('state')}"  # still running: neither success nor failure yet
    if result.get("isCanceled"):
        ok, status = False, "Canceled"
    name = str(item.get("name") or (item.get("resourceReference") or "") or "?")
    return name, Run(id=str(item.get("id") or "?"), kind=item.get("sessionType"), status=status, ok=ok,
                     started_at=parse_when(item.get("creationTime"), f"{where}.creationTime"),
                     finished_at=parse_when(item.get("endTime"), f"{where}.endTime"))


def _ps_run(item: dict, where: str) -> tuple[str, Run]:
    ok, status = _result(item.get("Result"))
    state = item.get("State")
    if isinstance(state, str) and state not in ("Stopped", ""):
        ok, status = None, state
    name = str(item.get("JobName") or item.get("Name") or item.get("JobId") or "?")
    return name, Run(id=str(item.get("Id") or item.get("ID") or item.get("CreationTime")), kind=None, status=status, ok=ok,
                     started_at=parse_when(item.get("CreationTime"), f"{where}.CreationTime"),
                     finished_at=parse_when(item.get("EndTime"), f"{where}.EndTime"))


def _jobs(runs: dict[str, list[Run]], first: dict[str, str], api: str) -> ImportBatch:
    batch = ImportBatch()
    for name, job_runs in sorted(runs.items()):
        attrs = {"tool": "veeam", "job": name, "export": api, **summarize(job_runs)}
        batch.resources.append(Resource(kind=KIND, id=f"veeam:{name}", name=name, provider=BACKUP_PROVIDER, account="",
                                        region="", attrs=attrs, source=first[name]))
    return batch


def import_rest_sessions(document: dict, path: str) -> ImportBatch:
    runs: dict[str, list[Run]] = defaultdict(list)
    first: dict[str, str] = {}
    for number, item in enumerate(document["data"], start=1):
        where = f"{path}#data {number}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: a session must be an object")
        if item.get("sessionType") not in BACKUP_SESSION_TYPES:
            continue  # restores, maintenance, infrastructure: not backup runs
        name, run = _rest_run(item, where)
        runs[name].append(run)
        first.setdefault(name, where)
    return _jobs(runs, first, "rest:/api/v1/sessions")


def import_powershell_sessions(document: Any, path: str) -> ImportBatch:
    items = document if isinstance(document, list) else [document]
    runs: dict[str, list[Run]] = defaultdict(list)
    first: dict[str, str] = {}
    for number, item in enumerate(items, start=1):
        where = f"{path}#session {number}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: a session must be an object")
        name, run = _ps_run(item, where)
        runs[name].append(run)
        first.setdefault(name, where)
    return _jobs(runs, first, "powershell:Get-VBRBackupSession")
