"""Drill requests, verification checks and the drill record that is stored (typed, frozen)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from drscan.errors import InputError

SCRATCH_PREFIX = "drscan_drill_"
PHASES = ("fetch", "restore", "start", "verify")
PASSED, FAILED, ERROR, INTERRUPTED = "passed", "failed", "error", "interrupted"
_EXPECT = re.compile(r"^\s*(>=|<=|==|!=|=|>|<)?\s*(.*?)\s*$", re.DOTALL)


@dataclass(frozen=True)
class Expectation:
    op: str
    value: str

    def check(self, actual: Any) -> bool:
        """Numbers compare as numbers; anything else only with = and !=, as text."""
        left, right = _number(actual), _number(self.value)
        if left is None or right is None:
            text = "" if actual is None else str(actual)
            return text == self.value if self.op == "=" else text != self.value if self.op == "!=" else False
        return {"=": left == right, "!=": left != right, ">": left > right, ">=": left >= right,
                "<": left < right, "<=": left <= right}[self.op]

    def __str__(self) -> str:
        return f"{self.op} {self.value}"


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def parse_expectation(text: str) -> Expectation:
    """'>= 1000000', '= 42', '42' (= implied), '!= 0', '< 5', "= active"."""
    match = _EXPECT.match(text)
    if not match or match.group(2) == "":
        raise InputError(f"--expect {text!r}: use an operator and a value, e.g. '>= 1000000' or '= 42'")
    op = match.group(1) or "="
    return Expectation("=" if op == "==" else op, match.group(2))


@dataclass(frozen=True)
class Check:
    query: str
    expect: Expectation | None


@dataclass(frozen=True)
class CheckResult:
    query: str
    expect: str | None
    actual: Any
    ok: bool
    error: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.query, "expect": self.expect, "actual": None if self.actual is None else str(self.actual),
                "ok": self.ok, "error": self.error, "seconds": round(self.seconds, 3)}


@dataclass(frozen=True)
class DrillRequest:
    engine: str  # postgres | mysql
    source: str  # a dump file path, or pgbackrest:<stanza>[@<label>]
    target: str | None  # DSN of the scratch database, or (pgBackRest) the scratch data directory
    checks: tuple[Check, ...] = ()
    app: str | None = None
    allow_target_name: bool = False
    replace: bool = False
    keep: bool = False
    os_user: str | None = None  # run PostgreSQL's own programs as this user (they refuse root)
    pgbackrest_config: Path | None = None
    pg_bin: Path | None = None
    timeout_seconds: float = 6 * 3600


@dataclass(frozen=True)
class BackupInfo:
    """What the drill restored: the file or stanza/label, its digest and when it was taken."""

    description: str
    method: str  # pg_dump custom | pg_dump plain | mysqldump | pgbackrest
    taken_at: str | None
    sha256: str | None = None
    size_bytes: int | None = None


@dataclass(frozen=True)
class DrillRecord:
    app: str | None
    engine: str
    method: str
    backup: str
    backup_sha256: str | None
    backup_taken_at: str | None
    backup_age_seconds: float | None  # the RPO this backup achieves, at the time of the drill
    started_at: str
    finished_at: str
    status: str
    phases: dict[str, float]
    restore_duration_seconds: float | None  # the RTO measured: fetch + restore + start + verify
    verification: tuple[CheckResult, ...]
    tool_versions: dict[str, str]
    host: str
    target: str
    kept: bool
    error: str | None = None
    id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "app": self.app, "engine": self.engine, "method": self.method, "backup": self.backup,
                "backup_sha256": self.backup_sha256, "backup_taken_at": self.backup_taken_at,
                "backup_age_seconds": None if self.backup_age_seconds is None else round(self.backup_age_seconds, 1),
                "started_at": self.started_at, "finished_at": self.finished_at, "status": self.status,
                "phases": {k: round(v, 3) for k, v in self.phases.items()},
                "restore_duration_seconds": None if self.restore_duration_seconds is None else round(self.restore_duration_seconds, 3),
                "verification": [c.as_dict() for c in self.verification], "tool_versions": self.tool_versions,
                "host": self.host, "target": self.target, "kept": self.kept, "error": self.error}
