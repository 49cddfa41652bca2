"""SQLite store (sqlite-utils). One scan is written in one transaction, so an interrupted
scan leaves earlier history intact; WAL mode lets readers run during a write."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson
import sqlite_utils

from drscan.errors import StoreError
from drscan.model import Evidence, Finding, Gap, Relation, Resource, Scan, Status

SCHEMA_VERSION = 4  # 2: drills (restore drill records); 3: indexes for drscan serve (explore findings, app membership);
#                     4: notifications.state (pending | sent | failed)
BATCH = 2000
BUSY_TIMEOUT_S = 300


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str).decode()


def open_db(path: Path) -> sqlite_utils.Database:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # A concurrent scan holding the write lock makes this one wait (up to BUSY_TIMEOUT_S), not fail.
        db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S))
        db.enable_wal()
        _migrate(db, path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from None
    return db


# drscan serve filters, sorts and counts one scan's findings from this covering index (its default
# order, status then severity rank, is an index walk), and finds app members from the second.
SEVERITY_RANK_SQL = "case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 when 'info' then 4 else 9 end"
SERVE_INDEXES = (
    f"create index if not exists idx_findings_explore on findings (scan_id, status, ({SEVERITY_RANK_SQL}), rule_id,"
    " resource_id, severity, provider, account, region, category)",
    "create index if not exists idx_relations_membership on relations (scan_id, type, source, target)",
)


def _migrate(db: sqlite_utils.Database, path: Path) -> None:
    meta = db["meta"]
    if meta.exists():
        row = next(db.query("select value from meta where key = 'schema_version'"), None)
        version = int(row["value"]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"{path}: schema version {version} is newer than this drscan supports ({SCHEMA_VERSION}); upgrade drscan")
        if version == SCHEMA_VERSION:
            return
    with db.atomic():
        db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
        db["scans"].create({
            "id": int, "started_at": str, "finished_at": str, "scope": str, "sources": str,
            "drscan_version": str, "rules_digest": str, "resource_count": int, "relation_count": int,
            "pass_count": int, "fail_count": int, "not_assessed_count": int, "gap_count": int,
        }, pk="id", if_not_exists=True)
        db["resources"].create({
            "scan_id": int, "id": str, "kind": str, "name": str, "provider": str, "account": str,
            "region": str, "zones": str, "attrs": str, "tags": str, "source": str, "observed_at": str,
        }, pk=("scan_id", "id"), foreign_keys=[("scan_id", "scans", "id")], if_not_exists=True)
        db["relations"].create({"scan_id": int, "source": str, "target": str, "type": str},
                               foreign_keys=[("scan_id", "scans", "id")], if_not_exists=True)
        db["findings"].create({
            "scan_id": int, "fingerprint": str, "rule_id": str, "rule_version": int, "resource_id": str,
            "resource_kind": str, "provider": str, "account": str, "region": str, "status": str,
            "severity": str, "category": str, "controls": str, "evidence": str, "reason": str,
        }, foreign_keys=[("scan_id", "scans", "id")], if_not_exists=True)
        db["gaps"].create({
            "scan_id": int, "provider": str, "account": str, "region": str, "service": str,
            "operation": str, "code": str, "message": str, "resource_id": str, "kinds": str,
        }, foreign_keys=[("scan_id", "scans", "id")], if_not_exists=True)
        # One row per finding fingerprint across all scans: when it was first and last seen, since
        # when it has been failing, and how long it has been in violation in total.
        db["finding_history"].create({
            "fingerprint": str, "rule_id": str, "resource_id": str, "first_seen_scan": int, "first_seen_at": str,
            "last_seen_scan": int, "last_seen_at": str, "last_status": str, "failing_since": str,
            "violation_seconds": float, "failing_scans": int,
        }, pk="fingerprint", if_not_exists=True)
        db["notifications"].create({
            "scan_id": int, "target": str, "fingerprint": str, "action": str, "ok": int, "status": int,
            "attempts": int, "error": str, "state": str,
        }, foreign_keys=[("scan_id", "scans", "id")], if_not_exists=True)
        # Restore drills (drscan drill restore), kept apart from scans: one row per drill run.
        db["drills"].create({
            "id": int, "app": str, "engine": str, "method": str, "backup": str, "backup_sha256": str,
            "backup_taken_at": str, "backup_age_seconds": float, "started_at": str, "finished_at": str, "status": str,
            "phases": str, "restore_duration_seconds": float, "verification": str, "tool_versions": str, "host": str,
            "target": str, "kept": int, "error": str,
        }, pk="id", if_not_exists=True)
        if "state" not in db["notifications"].columns_dict:  # a database older than version 4
            db.execute("alter table notifications add column state text")
            db.execute("update notifications set state = case when ok = 1 then 'sent' else 'failed' end")
        db["findings"].create_index(["scan_id", "status"], if_not_exists=True)
        db["findings"].create_index(["scan_id", "fingerprint"], if_not_exists=True)
        db["relations"].create_index(["scan_id"], if_not_exists=True)
        db["gaps"].create_index(["scan_id"], if_not_exists=True)
        for statement in SERVE_INDEXES:
            db.execute(statement)
        db["meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")


def fingerprint(rule_id: str, resource_id: str) -> str:
    """Stable identity of a finding across scans."""
    return f"{rule_id}|{resource_id}"


def _batched(rows: Iterable[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def save_scan(db: sqlite_utils.Database, scan: Scan) -> int:
    """Write the whole scan in one transaction and return its id."""
    counts = {status: 0 for status in Status}
    for finding in scan.findings:
        counts[finding.status] += 1
    conn = db.conn
    try:
        # BEGIN IMMEDIATE takes the write lock before reading history, so two concurrent scans
        # on one database are serialized instead of interleaving their history updates.
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        try:
            cursor = conn.execute(
                "insert into scans (started_at, finished_at, scope, sources, drscan_version, rules_digest, resource_count,"
                " relation_count, pass_count, fail_count, not_assessed_count, gap_count) values (?,?,?,?,?,?,?,?,?,?,?,?)",
                (scan.started_at, scan.finished_at, _dumps(scan.scope), _dumps(list(scan.sources)), scan.drscan_version,
                 scan.rules_digest, len(scan.resources), len(scan.relations), counts[Status.PASS], counts[Status.FAIL],
                 counts[Status.NOT_ASSESSED], len(scan.gaps)))
            scan_id = int(cursor.lastrowid)
            _insert(conn, "resources", 12, ((scan_id, r.id, r.kind, r.name, r.provider, r.account, r.region, _dumps(list(r.zones)),
                                            _dumps(r.attrs), _dumps(r.tags), r.source, r.observed_at) for r in scan.resources))
            _insert(conn, "relations", 4, ((scan_id, r.source, r.target, r.type) for r in scan.relations))
            _insert(conn, "findings", 15, ((scan_id, fingerprint(f.rule_id, f.resource_id), f.rule_id, f.rule_version,
                                           f.resource_id, f.resource_kind, f.provider, f.account, f.region, f.status.value,
                                           f.severity, f.category, _dumps(list(f.controls)),
                                           _dumps([[e.path, e.value] for e in f.evidence]), f.reason) for f in scan.findings))
            _insert(conn, "gaps", 10, ((scan_id, g.provider, g.account, g.region, g.service, g.operation, g.code, g.message,
                                       g.resource_id, _dumps(list(g.kinds))) for g in scan.gaps))
            update_history(conn, scan_id, scan.started_at, scan.findings)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot write scan: {exc}") from None
    return scan_id


def _seconds_between(earlier: str, later: str) -> float:
    start = datetime.fromisoformat(earlier.replace("Z", "+00:00"))
    end = datetime.fromisoformat(later.replace("Z", "+00:00"))
    return max(0.0, (end - start).total_seconds())


def update_history(conn: sqlite3.Connection, scan_id: int, at: str, findings: Iterable[Finding]) -> None:
    """Fold one scan into finding_history. A finding counts as in violation from a scan where it
    FAILed until the next scan that sees it (a finding that disappears counts as resolved)."""
    previous = {row[0]: row for row in conn.execute(
        "select fingerprint, first_seen_scan, first_seen_at, last_status, last_seen_at, failing_since,"
        " violation_seconds, failing_scans from finding_history")}
    rows = []
    seen = set()
    for f in findings:
        key = fingerprint(f.rule_id, f.resource_id)
        seen.add(key)
        failing = f.status is Status.FAIL
        old = previous.get(key)
        if old is None:
            rows.append((key, f.rule_id, f.resource_id, scan_id, at, scan_id, at, f.status.value,
                         at if failing else None, 0.0, int(failing)))
            continue
        _, first_scan, first_at, last_status, last_at, since, seconds, failing_scans = old
        if last_status == Status.FAIL.value:
            seconds += _seconds_between(last_at, at)
        since = (since if last_status == Status.FAIL.value else at) if failing else None
        rows.append((key, f.rule_id, f.resource_id, first_scan, first_at, scan_id, at, f.status.value, since,
                     seconds, failing_scans + int(failing)))
    for key, old in previous.items():
        if key not in seen and old[3] == Status.FAIL.value:  # failing before, gone now: resolved
            rule_id, _, resource_id = key.partition("|")
            rows.append((key, rule_id, resource_id, old[1], old[2], scan_id, at, "GONE", None,
                         old[6] + _seconds_between(old[4], at), old[7]))
    for batch in _batched(rows):
        conn.executemany("insert or replace into finding_history values (?,?,?,?,?,?,?,?,?,?,?)", batch)


def _insert(conn: sqlite3.Connection, table: str, width: int, rows: Iterable[tuple]) -> None:
    sql = f"insert into {table} values ({','.join('?' * width)})"
    for batch in _batched(rows):
        conn.executemany(sql, batch)


def latest_scan_id(db: sqlite_utils.Database) -> int | None:
    row = next(db.query("select max(id) as id from scans"), None)
    return row["id"] if row and row["id"] is not None else None


def load_scan(db: sqlite_utils.Database, scan_id: int) -> Scan:
    row = next(db.query("select * from scans where id = ?", [scan_id]), None)
    if row is None:
        raise StoreError(f"scan {scan_id} not found")
    resources = tuple(load_resources(db, scan_id).values())
    relations = tuple(Relation(r["source"], r["target"], r["type"])
                      for r in db.query("select source, target, type from relations where scan_id = ?", [scan_id]))
    findings = tuple(Finding(rule_id=f["rule_id"], rule_version=f["rule_version"], resource_id=f["resource_id"],
                             resource_kind=f["resource_kind"], provider=f["provider"], account=f["account"], region=f["region"],
                             status=Status(f["status"]), severity=f["severity"], category=f["category"],
                             controls=tuple(orjson.loads(f["controls"])),
                             evidence=tuple(Evidence(p, v) for p, v in orjson.loads(f["evidence"])), reason=f["reason"])
                     for f in db.query("select * from findings where scan_id = ? order by rowid", [scan_id]))
    gaps = tuple(Gap(provider=g["provider"], account=g["account"], region=g["region"], service=g["service"],
                     operation=g["operation"], code=g["code"], message=g["message"], resource_id=g["resource_id"],
                     kinds=tuple(orjson.loads(g["kinds"] or "[]")))
                 for g in db.query("select * from gaps where scan_id = ?", [scan_id]))
    return Scan(id=row["id"], started_at=row["started_at"], finished_at=row["finished_at"], scope=orjson.loads(row["scope"]),
                sources=tuple(orjson.loads(row["sources"])), resources=resources, relations=relations, findings=findings,
                gaps=gaps, drscan_version=row["drscan_version"], rules_digest=row["rules_digest"])


def list_scans(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("select * from scans order by id"))




def load_resources(db: sqlite_utils.Database, scan_id: int, kinds: Iterable[str] | None = None) -> dict[str, Resource]:
    """Resources of one scan (optionally only some kinds), by id."""
    sql, params = "select * from resources where scan_id = ?", [scan_id]
    kinds = list(kinds or ())
    if kinds:
        sql += f" and kind in ({','.join('?' * len(kinds))})"
        params += kinds
    return {r["id"]: Resource(kind=r["kind"], id=r["id"], name=r["name"], provider=r["provider"], account=r["account"],
                              region=r["region"], zones=tuple(orjson.loads(r["zones"])), attrs=orjson.loads(r["attrs"]),
                              tags=orjson.loads(r["tags"]), source=r["source"], observed_at=r["observed_at"] or "")
            for r in db.query(sql, params)}


PENDING, SENT, FAILED = "pending", "sent", "failed"


def record_pending(db: sqlite_utils.Database, scan_id: int, requests: Iterable[Any]) -> list[int]:
    """One `pending` notifications row per request, committed before anything is sent, so a
    process killed mid-delivery leaves rows the next scan retries. Returns their rowids, in order."""
    sql = ("insert into notifications (scan_id, target, fingerprint, action, ok, status, attempts, error, state)"
           " values (?,?,?,?,?,?,?,?,?)")
    try:
        with db.conn:
            return [int(db.conn.execute(sql, (scan_id, r.target, r.fingerprint, r.action, 0, None, 0, "", PENDING)).lastrowid)
                    for r in requests]
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot record alert deliveries: {exc}") from None


def record_delivery(db: sqlite_utils.Database, rowid: int, result: Any) -> None:
    """What one delivery did, in its own committed transaction."""
    try:
        with db.conn:
            db.conn.execute("update notifications set ok = ?, status = ?, attempts = ?, error = ?, state = ? where rowid = ?",
                            (int(result.ok), result.status, result.attempts, result.error or "",
                             SENT if result.ok else FAILED, rowid))
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot record alert deliveries: {exc}") from None


def undelivered(db: sqlite_utils.Database, scan_id: int) -> dict[str, set[str]]:
    """Fingerprints whose alert from scan `scan_id` did not get through (failed, or still pending
    because the process died while sending), by action."""
    out: dict[str, set[str]] = {"trigger": set(), "resolve": set()}
    for action, key in db.execute("select action, fingerprint from notifications where scan_id = ? and state != ?",
                                  [scan_id, SENT]):
        out.setdefault(action, set()).add(key)
    return out
