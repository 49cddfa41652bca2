"""SQLite store (sqlite-utils). One scan is written in one transaction, so an interrupted
scan leaves earlier history intact; WAL mode lets readers run during a write.

Writers open with open_db (creates a new file, never alters one it does not recognise);
readers (history, diff, drift, dr, pack) use reading(), which never creates or changes
anything. Every SQLite failure becomes a StoreError naming the file and the cause."""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import quote

import orjson
import sqlite_utils

from drscan.errors import InputError, StoreError
from drscan.model import Evidence, Finding, Gap, Inventory, Relation, Resource, Scan, Status

SCHEMA_VERSION = 5  # 2: drills (restore drill records); 3: indexes for drscan serve (explore findings, app membership);
#                     4: dr_scores (DR readiness score per app and disruption, per scan); 5: notifications.state
#                     (pending | sent | failed)
BATCH = 2000
WRITE_CACHE_KIB = 65536  # SQLite page cache while a scan is written (the default, 2 MB, thrashes on 1M+ relation rows)
BUSY_TIMEOUT_S = 300  # DRSCAN_DB_TIMEOUT overrides it
# The tables each schema version has; a file of an older version is migrated by its next writer.
TABLES_SINCE = {1: ("meta", "scans", "resources", "relations", "findings", "gaps", "finding_history", "notifications"),
                2: ("drills",), 4: ("dr_scores",)}
TABLES = tuple(table for version in sorted(TABLES_SINCE) for table in TABLES_SINCE[version])


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str).decode()


def busy_timeout() -> float:
    """Seconds to wait for a database another process holds locked (DRSCAN_DB_TIMEOUT, default 300)."""
    text = os.environ.get("DRSCAN_DB_TIMEOUT", "").strip()
    if not text:
        return float(BUSY_TIMEOUT_S)
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86400:
        raise InputError(f"DRSCAN_DB_TIMEOUT must be a number of seconds from 0 to 86400, got {text[:20]!r}")
    return seconds


def describe(exc: BaseException, timeout: float | None = None) -> str:
    """What an SQLite error means for the user, with SQLite's own words in brackets."""
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        waited = f" (waited {timeout:g} s; DRSCAN_DB_TIMEOUT sets how long)" if timeout is not None else ""
        return f"the database is locked by another process{waited}"
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        return "not an SQLite database (file is not a database)"
    if "malformed" in lowered or "corrupt" in lowered:
        return f"the database file is damaged ({message}); restore it from a backup"
    if "no such table" in lowered or "no such column" in lowered:
        return f"the database is damaged or was not written by drscan ({message})"
    if "disk is full" in lowered:
        return "the disk is full (database or disk is full)"
    if "disk i/o error" in lowered:
        return "disk I/O error (a full disk, a file size limit or a failing disk)"
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database is read-only ({message})"
    if "unable to open" in lowered:
        return f"cannot open the database file ({message})"
    return message


def _check_schema(conn: sqlite3.Connection, path: Path) -> int | None:
    """The schema version, or None for an empty file. Reads only; a file drscan does not
    recognise (newer, damaged, someone else's) is a StoreError and is left as it is."""
    tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    if not tables:
        return None
    if "meta" not in tables:
        raise StoreError(f"{path}: not a drscan database (no meta table; it has {', '.join(sorted(tables)[:5])})")
    row = conn.execute("select value from meta where key = 'schema_version'").fetchone()
    try:
        version = int(row[0]) if row else None
    except (TypeError, ValueError):
        version = None
    if version is None:
        raise StoreError(f"{path}: the database is damaged: no valid schema version in its meta table")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: schema version {version} is newer than this drscan supports ({SCHEMA_VERSION}); upgrade drscan")
    expected = [table for since, names in TABLES_SINCE.items() if since <= version for table in names]
    missing = [table for table in expected if table not in tables]
    if missing:
        raise StoreError(f"{path}: the database is damaged: table {missing[0]!r} is missing")
    return version


def _open(path: Path, uri: str | None, prepare) -> sqlite_utils.Database:
    """Connect (to `uri`, else the path), run `prepare(db)`; any SQLite error, or a StoreError
    from `prepare`, closes the connection and is raised as a StoreError naming the file."""
    timeout = busy_timeout()
    conn = None
    try:
        # Another process holding the lock makes this one wait (up to the timeout), not fail.
        conn = sqlite3.connect(uri, uri=True, timeout=timeout) if uri else sqlite3.connect(str(path), timeout=timeout)
        db = sqlite_utils.Database(conn)
        prepare(db)
        return db
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        raise StoreError(f"{path}: cannot open database: {describe(exc, timeout)}") from None
    except StoreError:
        conn.close()
        raise


def open_db(path: Path) -> sqlite_utils.Database:
    """The database to write a scan into: created (with its directory) when new."""
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot create the directory {path.parent}: {exc.strerror or exc}") from None

    def prepare(db: sqlite_utils.Database) -> None:
        version = _check_schema(db.conn, path)  # before anything writes: a newer or damaged file stays untouched
        if version is None or version < SCHEMA_VERSION:
            _create(db)  # every table "if not exists": also migrates an older file
        db.enable_wal()

    return _open(path, None, prepare)


# drscan serve filters, sorts and counts one scan's findings from this covering index (its default
# order, status then severity rank, is an index walk), and finds app members from the second.
SEVERITY_RANK_SQL = "case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 when 'info' then 4 else 9 end"
SERVE_INDEXES = (
    f"create index if not exists idx_findings_explore on findings (scan_id, status, ({SEVERITY_RANK_SQL}), rule_id,"
    " resource_id, severity, provider, account, region, category)",
    "create index if not exists idx_relations_membership on relations (scan_id, type, source, target)",
)


def open_existing(path: Path, allow_empty: bool = False) -> sqlite_utils.Database:
    """An existing drscan database, for reading only: nothing is created, migrated or written
    (a file of an older schema may lack newer tables: check with db[name].exists()).
    `allow_empty` accepts a file without tables (what a scan would turn into a new database)."""
    if path.is_dir():
        raise StoreError(f"{path}: is a directory, not a database file")
    if not path.is_file():
        raise InputError(f"{path}: no such database (run drscan scan --db {path} first)")

    def prepare(db: sqlite_utils.Database) -> None:
        db.conn.execute("pragma query_only = on")  # refuses every write on this connection
        if _check_schema(db.conn, path) is None and not allow_empty:
            raise StoreError(f"{path}: not a drscan database (the file has no tables)")

    # mode=rw never creates the file (mode=ro would leave -wal/-shm files behind in WAL mode).
    return _open(path, f"file:{quote(str(path.absolute()))}?mode=rw", prepare)


@contextmanager
def reading(path: Path, allow_empty: bool = False) -> Iterator[sqlite_utils.Database]:
    """`with reading(path) as db:` an existing database, read only; an SQLite error or a stored
    value that is not JSON (a damaged file) becomes a StoreError naming the file and cause."""
    db = open_existing(path, allow_empty)
    try:
        yield db
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot read database: {describe(exc, busy_timeout())}") from None
    except orjson.JSONDecodeError:
        raise StoreError(f"{path}: cannot read database: a stored value is not valid JSON (the file is damaged)") from None
    finally:
        db.conn.close()


def _create(db: sqlite_utils.Database) -> None:
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
        from drscan.store.scores import create_scores_table  # schema 4; an older file gains it here

        create_scores_table(db)
        if "state" not in db["notifications"].columns_dict:  # a database older than version 5
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
        conn.execute(f"pragma cache_size = -{WRITE_CACHE_KIB}")  # index pages of a large scan stay in memory
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
            from drscan.store.scores import score_rows

            _insert(conn, "dr_scores", 8, score_rows(scan_id, scan.resources))
            conn.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (a full disk does); the original error says more.
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise
    except sqlite3.Error as exc:
        raise StoreError(f"{_filename(conn)}: cannot write scan: {describe(exc, busy_timeout())}") from None
    return scan_id


def _filename(conn: sqlite3.Connection) -> str:
    try:
        return conn.execute("pragma database_list").fetchone()[2] or "database"
    except (sqlite3.Error, TypeError, IndexError):
        return "database"


def _seconds_between(earlier: str, later: str) -> float:
    start = datetime.fromisoformat(earlier.replace("Z", "+00:00"))
    end = datetime.fromisoformat(later.replace("Z", "+00:00"))
    return max(0.0, (end - start).total_seconds())


_SEEN = object()


def update_history(conn: sqlite3.Connection, scan_id: int, at: str, findings: Iterable[Finding]) -> None:
    """Fold one scan into finding_history. A finding counts as in violation from a scan where it
    FAILed until the next scan that sees it (a finding that disappears counts as resolved).
    The rows are written in batches as the findings are read, not gathered first."""
    previous = {row[0]: row for row in conn.execute(
        "select fingerprint, first_seen_scan, first_seen_at, last_status, last_seen_at, failing_since,"
        " violation_seconds, failing_scans from finding_history")}

    def rows() -> Iterator[tuple]:
        for f in findings:
            key = fingerprint(f.rule_id, f.resource_id)
            failing = f.status is Status.FAIL
            old = previous.get(key)
            if old is not None:
                if old[0] is _SEEN:
                    old = old[1]
                else:  # marked, not copied to a set of seen keys: entries left unmarked were not seen
                    previous[key] = (_SEEN, old)
            if old is None:
                yield (key, f.rule_id, f.resource_id, scan_id, at, scan_id, at, f.status.value,
                       at if failing else None, 0.0, int(failing))
                continue
            _, first_scan, first_at, last_status, last_at, since, seconds, failing_scans = old
            if last_status == Status.FAIL.value:
                seconds += _seconds_between(last_at, at)
            since = (since if last_status == Status.FAIL.value else at) if failing else None
            yield (key, f.rule_id, f.resource_id, first_scan, first_at, scan_id, at, f.status.value, since,
                   seconds, failing_scans + int(failing))
        for key, old in previous.items():
            if old[0] is not _SEEN and old[3] == Status.FAIL.value:  # failing before, gone now: resolved
                rule_id, _, resource_id = key.partition("|")
                yield (key, rule_id, resource_id, old[1], old[2], scan_id, at, "GONE", None,
                       old[6] + _seconds_between(old[4], at), old[7])

    for batch in _batched(rows()):
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


def load_inventory(db: sqlite_utils.Database, scan_id: int) -> Inventory:
    """One scan's resources, relations and gaps (no findings): the live estate a plan is read against."""
    resources = tuple(load_resources(db, scan_id).values())
    relations = tuple(Relation(r["source"], r["target"], r["type"])
                      for r in db.query("select source, target, type from relations where scan_id = ?", [scan_id]))
    gaps = tuple(Gap(provider=g["provider"], account=g["account"], region=g["region"], service=g["service"],
                     operation=g["operation"], code=g["code"], message=g["message"], resource_id=g["resource_id"],
                     kinds=tuple(orjson.loads(g["kinds"] or "[]")))
                 for g in db.query("select * from gaps where scan_id = ?", [scan_id]))
    return Inventory(resources=resources, relations=relations, gaps=gaps)


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
        raise StoreError(f"cannot record alert deliveries: {describe(exc)}") from None


def record_delivery(db: sqlite_utils.Database, rowid: int, result: Any) -> None:
    """What one delivery did, in its own committed transaction."""
    try:
        with db.conn:
            db.conn.execute("update notifications set ok = ?, status = ?, attempts = ?, error = ?, state = ? where rowid = ?",
                            (int(result.ok), result.status, result.attempts, result.error or "",
                             SENT if result.ok else FAILED, rowid))
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"cannot record alert deliveries: {describe(exc)}") from None


def undelivered(db: sqlite_utils.Database, scan_id: int) -> dict[str, set[str]]:
    """Fingerprints whose alert from scan `scan_id` did not get through (failed, or still pending
    because the process died while sending), by action."""
    out: dict[str, set[str]] = {"trigger": set(), "resolve": set()}
    for action, key in db.execute("select action, fingerprint from notifications where scan_id = ? and state != ?",
                                  [scan_id, SENT]):
        out.setdefault(action, set()).add(key)
    return out
