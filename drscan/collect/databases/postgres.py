"""`--postgres DSN`: read WAL archiving, replication and recovery state from a live
PostgreSQL server -> one `database.postgres.server` resource. Read-only: the session starts
with default_transaction_read_only=on and a statement_timeout, psycopg opens the transaction
with BEGIN READ ONLY, only SELECTs run, and it ends with ROLLBACK. A connection or permission
failure becomes a Gap naming the (redacted) DSN. Needs: pg_monitor (or superuser) for
pg_stat_archiver, pg_stat_replication details and pg_control_system()."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from drscan.collect.databases.dsn import redact_dsn, scrub
from drscan.collect.imports.batch import ImportBatch
from drscan.model import Gap, Resource

KIND = "database.postgres.server"
STATEMENT_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 10

QUERIES = {
    "server": "SELECT version() AS version, current_setting('server_version_num') AS version_num, "
              "pg_is_in_recovery() AS in_recovery, inet_server_addr()::text AS address, "
              "current_setting('port') AS port, current_setting('archive_mode') AS archive_mode, "
              "current_setting('archive_command') AS archive_command, current_setting('wal_level') AS wal_level, "
              "now() AS now",
    "system": "SELECT system_identifier::text AS system_identifier FROM pg_control_system()",
    "archiver": "SELECT archived_count, last_archived_wal, last_archived_time, failed_count, last_failed_wal, "
                "last_failed_time, stats_reset FROM pg_stat_archiver",
    "replication": "SELECT application_name, client_addr::text AS client_addr, state, sync_state, "
                   "EXTRACT(EPOCH FROM replay_lag)::float8 AS replay_lag_seconds FROM pg_stat_replication",
    "replay": "SELECT pg_last_xact_replay_timestamp() AS last_replay, "
              "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 AS replay_delay_seconds",
}


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None if value is None else str(value)


def _gap(dsn: str, operation: str, code: str, message: str) -> Gap:
    return Gap(provider="database", account="", region="", service="postgres", operation=operation, code=code,
               message=f"{redact_dsn(dsn)}: {scrub(message, dsn)}"[:500], kinds=(KIND,))


def read_server(dsn: str) -> ImportBatch:
    """One live server -> its resource (or a gap)."""
    import psycopg  # loaded only for live database checks

    batch = ImportBatch()
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c default_transaction_read_only=on"
    try:
        conn = psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_S, options=options, autocommit=False,
                               application_name="drscan")
    except psycopg.Error as exc:
        batch.gaps.append(_gap(dsn, "connect", "ConnectionFailed", str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__))
        return batch
    rows: dict[str, list[dict]] = {}
    try:
        conn.read_only = True  # psycopg sends BEGIN READ ONLY
        with conn.cursor(row_factory=psycopg.rows.dict_row) as cursor:
            for name, sql in QUERIES.items():
                try:
                    cursor.execute(sql)
                    rows[name] = cursor.fetchall()
                except psycopg.errors.InsufficientPrivilege as exc:
                    batch.gaps.append(_gap(dsn, name, "PermissionDenied", str(exc).strip().splitlines()[0]))
                    conn.rollback()
                except psycopg.Error as exc:
                    batch.gaps.append(_gap(dsn, name, type(exc).__name__, str(exc).strip().splitlines()[0] if str(exc).strip() else ""))
                    conn.rollback()
        conn.rollback()
    finally:
        conn.close()
    if "server" not in rows:
        return batch
    batch.resources.append(server_resource(dsn, rows))
    return batch


def server_resource(dsn: str, rows: dict[str, list[dict]]) -> Resource:
    """Pure: query rows -> normalized attributes (absent when the query was refused)."""
    server = rows["server"][0]
    attrs: dict[str, Any] = {"engine": "postgres", "version": server.get("version"), "in_recovery": server.get("in_recovery"),
                             "archive_mode": server.get("archive_mode"), "wal_level": server.get("wal_level"),
                             "archive_command_set": bool(server.get("archive_command")) and server.get("archive_command") != "(disabled)",
                             "checked_at": _iso(server.get("now"))}
    if rows.get("system"):
        attrs["system_identifier"] = rows["system"][0].get("system_identifier")
    if rows.get("archiver"):
        a = rows["archiver"][0]
        archiver = {"archived_count": a.get("archived_count"), "last_archived_wal": a.get("last_archived_wal"),
                    "last_archived_time": _iso(a.get("last_archived_time")), "failed_count": a.get("failed_count"),
                    "last_failed_wal": a.get("last_failed_wal"), "last_failed_time": _iso(a.get("last_failed_time")),
                    "stats_reset": _iso(a.get("stats_reset"))}
        attrs["archiver"] = archiver
        if server.get("archive_mode") in ("on", "always"):
            last_ok, last_failed = a.get("last_archived_time"), a.get("last_failed_time")
            # Failing now: the latest attempt failed (a failure after the last success).
            attrs["archiving_failing"] = bool(last_failed and (last_ok is None or last_failed > last_ok))
            attrs["last_archived_time"] = archiver["last_archived_time"]
        else:
            attrs["archiving_failing"] = None
    if "replication" in rows:
        attrs["replicas"] = [{k: r.get(k) for k in ("application_name", "client_addr", "state", "sync_state", "replay_lag_seconds")}
                             for r in rows["replication"]]
        attrs["replica_count"] = len(rows["replication"])
    if rows.get("replay") and server.get("in_recovery"):
        attrs["last_replay_time"] = _iso(rows["replay"][0].get("last_replay"))
        attrs["replay_delay_seconds"] = rows["replay"][0].get("replay_delay_seconds")
    shown = redact_dsn(dsn)
    return Resource(kind=KIND, id=f"postgres:{shown}", name=_name(dsn), provider="database", account="", region="",
                    attrs={k: v for k, v in attrs.items() if v is not None}, source=f"live:{shown}")


def _name(dsn: str) -> str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(dsn)
        if parts.scheme.startswith("postgres"):
            return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    except ValueError:
        pass
    return redact_dsn(dsn)


def read_servers(dsns: tuple[str, ...]) -> ImportBatch:
    batch = ImportBatch()
    for dsn in dsns:
        batch.extend(read_server(dsn))
    return batch
