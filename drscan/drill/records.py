"""Drill records in the SQLite history (table `drills`, store.db schema 2), and as
`drscan.drill.restore` resources that a scan adds to its inventory: the DR engine reads their
measured restore time and backup age, reports and evidence packs carry them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import sqlite_utils

from drscan.drill.model import DrillRecord
from drscan.errors import StoreError
from drscan.model import Resource

KIND = "drscan.drill.restore"


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str).decode()


def save_drill(db: sqlite_utils.Database, record: DrillRecord) -> int:
    row = record.as_dict()
    row.pop("id")
    for key in ("phases", "verification", "tool_versions"):
        row[key] = _dumps(row[key])
    row["kept"] = int(row["kept"])
    try:
        with db.conn:
            cursor = db.conn.execute(f"insert into drills ({', '.join(row)}) values ({', '.join('?' for _ in row)})",
                                     list(row.values()))
    except sqlite3.Error as exc:
        from drscan.store.db import busy_timeout, describe

        raise StoreError(f"cannot store the drill record: {describe(exc, busy_timeout())}") from None
    return int(cursor.lastrowid)


def list_drills(db: sqlite_utils.Database, app: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    sql = "select * from drills" + (" where app = ?" if app else "") + " order by id desc" + (f" limit {int(limit)}" if limit else "")
    rows = []
    for row in db.query(sql, [app] if app else []):
        for key in ("phases", "verification", "tool_versions"):
            row[key] = orjson.loads(row[key] or "null")
        row["kept"] = bool(row["kept"])
        rows.append(row)
    return rows


def drill_resources(rows: list[dict[str, Any]]) -> list[Resource]:
    """Stored drills as resources of the scan (evidence: they enter the graph, reports and packs)."""
    resources = []
    for row in rows:
        attrs = {k: row[k] for k in ("app", "engine", "method", "backup", "backup_sha256", "backup_taken_at",
                                     "backup_age_seconds", "started_at", "finished_at", "status", "phases",
                                     "restore_duration_seconds", "verification", "tool_versions", "host", "target", "error")
                 if row.get(k) is not None}
        attrs["passed"] = row["status"] == "passed"
        resources.append(Resource(kind=KIND, id=f"drill:{row['id']}", name=f"drill {row['id']} ({row.get('app') or 'no app'})",
                                  provider="drscan", account="", region="", attrs=attrs, source=f"drills#{row['id']}",
                                  observed_at=row["finished_at"]))
    return resources


def stored_drill_resources(db_path: Path | None) -> list[Resource]:
    if db_path is None or not db_path.exists():
        return []
    from drscan.store.db import reading

    with reading(db_path, allow_empty=True) as db:  # schema 1 files and new empty ones have no drills table
        return drill_resources(list_drills(db)) if db["drills"].exists() else []
