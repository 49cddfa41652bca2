"""Shared by the backup-tool importers (pgbackrest, walg, barman, xtrabackup, dumps, veeam,
bacula): one backup run as a plain record, and the summary attributes every backup source
resource carries (newest success, oldest kept, recent errors). Pure functions.

Absent stays absent: a summary attribute is only set when the runs carry what it needs (a run
whose success is unknown never counts as a success or as an error)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from drscan.errors import InputError
from drscan.redact import excerpt

RECENT_RUNS = 10  # "no backup with errors among the recent ones": the newest 10 runs
KEPT_RUNS = 30  # runs listed in the resource's attributes (evidence), newest first
BACKUP_PROVIDER = "backup"


@dataclass(frozen=True)
class Run:
    """One backup run as the tool reported it. `ok` None = the export does not say."""

    id: str
    started_at: str | None  # ISO 8601 UTC
    finished_at: str | None
    ok: bool | None
    status: str | None  # the tool's own status word or code, kept verbatim
    kind: str | None = None  # full / incr / diff / ...
    size_bytes: int | None = None
    errors: int | None = None  # error count when the tool reports one

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in (("id", self.id), ("type", self.kind), ("status", self.status), ("ok", self.ok),
                                  ("started_at", self.started_at), ("finished_at", self.finished_at),
                                  ("size_bytes", self.size_bytes), ("errors", self.errors)) if v is not None}


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_epoch(value: Any, where: str) -> str | None:
    """Unix seconds (int, float or digit string) -> ISO; None when absent."""
    if value is None or value == "":
        return None
    try:
        return iso(datetime.fromtimestamp(float(value), tz=timezone.utc))
    except (TypeError, ValueError, OverflowError, OSError):
        raise InputError(f"{where}: not a Unix timestamp: {excerpt(value)}") from None


_PS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")


def parse_when(value: Any, where: str, *, local_is_utc: bool = True) -> str | None:
    """ISO 8601 (with or without zone), 'YYYY-MM-DD hh:mm:ss', or PowerShell '/Date(ms)/' -> ISO UTC.
    A time without zone is taken as UTC (the tools write the server's local time; see README)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    match = _PS_DATE.match(text)
    if match:
        return iso(datetime.fromtimestamp(int(match.group(1)) / 1000, tz=timezone.utc))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: not a date/time: {excerpt(text)}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return iso(moment)


def summarize(runs: Iterable[Run]) -> dict[str, Any]:
    """Attributes shared by every backup source: newest/oldest successful run, last run status,
    recent errors, and the newest runs as evidence."""
    ordered = sorted(runs, key=lambda r: (r.finished_at or r.started_at or ""), reverse=True)
    attrs: dict[str, Any] = {"run_count": len(ordered), "runs": [r.as_dict() for r in ordered[:KEPT_RUNS]]}
    if not ordered:
        return attrs
    successes = [r for r in ordered if r.ok is True and (r.finished_at or r.started_at)]
    if successes:
        attrs["last_success_at"] = successes[0].finished_at or successes[0].started_at
        attrs["oldest_success_at"] = successes[-1].started_at or successes[-1].finished_at
        attrs["success_count"] = len(successes)
    elif all(r.ok is False for r in ordered):
        attrs["success_count"] = 0
    newest = ordered[0]
    if newest.status is not None:
        attrs["last_status"] = newest.status
    if newest.ok is not None:
        attrs["last_run_succeeded"] = newest.ok
    attrs["last_run_at"] = newest.finished_at or newest.started_at
    recent = ordered[:RECENT_RUNS]
    if all(r.ok is not None or r.errors is not None for r in recent):
        attrs["recent_error_count"] = sum(1 for r in recent if r.ok is False or (r.errors or 0) > 0)
    return {k: v for k, v in attrs.items() if v is not None}
