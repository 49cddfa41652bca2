"""Bacula / Bareos `bconsole` `llist jobs` output (one `Key: value` line per field, a blank
line between jobs) -> one `backup.bacula.job` resource per job name, every backup job run a
run. Fields (cats/sql_list.c): JobId, Job, Name, Type, Level, ClientName, JobStatus, SchedTime,
StartTime, EndTime, RealEndTime, JobFiles, JobBytes, JobErrors, PoolName, FileSet, ...
JobStatus: T terminated normally; E, e, f errors; A canceled; W warnings (a usable backup);
R, C, F, S, m, M, s, j, c, d, t, p, a, i, l, q, L, B running or waiting. Times are the
director's local time; drscan reads them as UTC."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from drscan.collect.imports.backup_runs import BACKUP_PROVIDER, Run, parse_when, summarize
from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Resource
from drscan.redact import excerpt

KIND = "backup.bacula.job"
TEXT_SUFFIXES = (".txt", ".out", ".log", ".llist")
OK = {"T": True, "W": True, "E": False, "e": False, "f": False, "A": False, "I": False, "D": False}
_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*):\s?(.*)$")
_JOBID = re.compile(rb"^\s*JobId:\s*\d+\s*$", re.MULTILINE)
MAX_BYTES = 64 << 20


def looks_like_llist(head: bytes) -> bool:
    return _JOBID.search(head) is not None


def parse_llist(text: str, path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number of the record, fields) per job record."""
    records: list[tuple[int, dict[str, str]]] = []
    current: dict[str, str] = {}
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if current:
                records.append((start, current))
                current = {}
            continue
        match = _FIELD.match(line)
        if not match:
            if not records and not current:
                continue  # bconsole banner ("Connecting to Director ...", "Using Catalog ...")
            raise InputError(f"{path}:{number}: expected 'Field: value' in llist output, got {excerpt(line.strip(), 60)}")
        key, value = match.group(1), match.group(2).strip()
        if key == "JobId" and current:
            records.append((start, current))
            current = {}
        if not current:
            start = number
        current[key] = value
    if current:
        records.append((start, current))
    return [(n, r) for n, r in records if "JobId" in r]


def _when(value: str | None, where: str) -> str | None:
    if not value or value.startswith("0000-00-00"):
        return None
    return parse_when(value, where)


def import_llist(path: Path) -> ImportBatch:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: larger than {MAX_BYTES >> 20} MiB")
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    runs: dict[str, list[Run]] = defaultdict(list)
    clients: dict[str, set[str]] = defaultdict(set)
    first: dict[str, str] = {}
    for line, record in parse_llist(text, path):
        if record.get("Type", "B") != "B":
            continue  # restores, verifies, admin jobs
        where = f"{path}:{line}"
        status = record.get("JobStatus")
        errors = record.get("JobErrors")
        if errors is not None and not errors.replace(",", "").isdigit():
            raise InputError(f"{where}: JobErrors is not a number: {excerpt(errors, 20)}")
        name = record.get("Name") or record.get("Job") or "?"
        runs[name].append(Run(id=record["JobId"], kind=record.get("Level"), status=status, ok=OK.get(status or ""),
                              started_at=_when(record.get("StartTime"), f"{where}: StartTime"),
                              finished_at=_when(record.get("RealEndTime") or record.get("EndTime"), f"{where}: EndTime"),
                              size_bytes=int(record["JobBytes"].replace(",", "")) if record.get("JobBytes", "").replace(",", "").isdigit() else None,
                              errors=int(errors.replace(",", "")) if errors is not None else None))
        if record.get("ClientName"):
            clients[name].add(record["ClientName"])
        first.setdefault(name, where)
    batch = ImportBatch()
    for name, job_runs in sorted(runs.items()):
        attrs = {"tool": "bacula", "job": name, **summarize(job_runs)}
        if len(clients[name]) == 1:
            attrs["host"] = next(iter(clients[name]))
        batch.resources.append(Resource(kind=KIND, id=f"bacula:{name}", name=name, provider=BACKUP_PROVIDER, account="",
                                        region="", attrs=attrs, source=first[name]))
    return batch
