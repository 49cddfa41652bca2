"""The dashboard's pages: each module turns a request's parameters and the store into a Page
(a template name and one JSON-ready dict; HTML-only extras such as SVG charts kept apart), so
every page has a JSON twin with the same data."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from drscan.engine.loader import RuleSet
from drscan.errors import DrscanError, InputError
from drscan.serve import queries
from drscan.serve.cache import Memo
from drscan.serve.database import Database


class NotFound(DrscanError):
    """A scan, finding, app or page that does not exist (HTTP 404)."""


@dataclass
class Settings:
    """What the server was started with, plus its caches (one instance per app)."""

    db: Database
    rules: RuleSet
    config_path: Path | None = None
    packs_dir: Path | None = None
    stale_hours: float = 36.0
    trend_scans: int = 30
    memo: Memo = field(default_factory=lambda: Memo(128))
    count_memo: Memo = field(default_factory=lambda: Memo(2048))  # findings counts per (scan, filters)
    dr_memo: Memo = field(default_factory=lambda: Memo(2))  # dependency graphs of whole scans: few, large


@dataclass(frozen=True)
class Page:
    template: str
    title: str
    data: dict[str, Any]
    html: dict[str, Any] = field(default_factory=dict)  # extras only the HTML view needs (charts)
    status_code: int = 200


@dataclass(frozen=True)
class View:
    """One request: its read-only connection, its query parameters and the server settings."""

    connection: sqlite3.Connection
    params: Mapping[str, str]
    settings: Settings
    multi: Mapping[str, list[str]] = field(default_factory=dict)

    def text(self, name: str, default: str = "", limit: int = 300) -> str:
        value = str(self.params.get(name, default) or default).strip()
        if len(value) > limit:
            raise InputError(f"parameter {name!r} is longer than {limit} characters")
        return value

    def integer(self, name: str, default: int | None = None, low: int = 1, high: int = 10**9) -> int | None:
        raw = self.params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(str(raw))
        except ValueError:
            raise InputError(f"parameter {name!r} must be a whole number, got {str(raw)[:40]!r}") from None
        if not low <= value <= high:
            raise InputError(f"parameter {name!r} must be between {low} and {high}")
        return value

    def choice(self, name: str, allowed: tuple[str, ...], default: str = "") -> str:
        value = self.text(name, default)
        if value and value not in allowed:
            raise InputError(f"parameter {name!r} must be one of {', '.join(allowed)}")
        return value

    def scan(self, name: str = "scan") -> dict[str, Any]:
        """The scan named by `?scan=` (default: the latest)."""
        scan_id = self.integer(name)
        if scan_id is None:
            scan_id = queries.latest_scan_id(self.connection)
            if scan_id is None:
                raise NotFound(f"{self.settings.db.path}: no scans yet (run drscan scan --db {self.settings.db.path})")
        scan = queries.get_scan(self.connection, scan_id)
        if scan is None:
            raise NotFound(f"scan {scan_id} not found")
        return scan

    def summary(self, scan: dict[str, Any]) -> queries.ScanSummary:
        return self.settings.memo.get(("summary", scan["id"], scan["started_at"]),
                                      lambda: queries.scan_summary(self.connection, scan["id"]))


def pagination(total: int, page: int, size: int) -> dict[str, int]:
    pages = max(1, -(-total // size))
    return {"total": total, "page": page, "size": size, "pages": pages}
