"""`--mysql DSN`: read replica status from a live MySQL or MariaDB server -> one
`database.mysql.server` resource. Read-only: it opens START TRANSACTION READ ONLY,
runs SELECT and SHOW only (with client read/write timeouts) (SHOW REPLICA STATUS, falling back to SHOW SLAVE STATUS),
and ROLLBACKs. Needs REPLICATION CLIENT (MySQL) or REPLICA MONITOR / BINLOG MONITOR (MariaDB
>= 10.5). A connection or permission failure becomes a Gap naming the (redacted) DSN."""

from __future__ import annotations

from typing import Any

from drscan.collect.databases.dsn import parse_mysql_dsn, redact_dsn, scrub
from drscan.collect.imports.batch import ImportBatch
from drscan.model import Gap, Resource

KIND = "database.mysql.server"
TIMEOUT_S = 10


def _gap(dsn: str, operation: str, code: str, message: str) -> Gap:
    return Gap(provider="database", account="", region="", service="mysql", operation=operation, code=code,
               message=f"{redact_dsn(dsn)}: {scrub(message, dsn)}"[:500], kinds=(KIND,))


def read_server(dsn: str) -> ImportBatch:
    import pymysql  # loaded only for live database checks

    batch = ImportBatch()
    target = parse_mysql_dsn(dsn)
    try:
        conn = pymysql.connect(host=target.host, port=target.port, user=target.user, password=target.password or "",
                               database=target.database, unix_socket=target.unix_socket, connect_timeout=TIMEOUT_S,
                               read_timeout=TIMEOUT_S, write_timeout=TIMEOUT_S, autocommit=None,
                               cursorclass=pymysql.cursors.DictCursor)
    except pymysql.Error as exc:
        batch.gaps.append(_gap(dsn, "connect", "ConnectionFailed", str(exc)))
        return batch
    rows: dict[str, Any] = {}
    try:
        with conn.cursor() as cursor:
            cursor.execute("START TRANSACTION READ ONLY")
            cursor.execute("SELECT VERSION() AS version, @@read_only AS read_only, @@log_bin AS log_bin, "
                           "@@server_id AS server_id, UTC_TIMESTAMP() AS now")
            rows["server"] = cursor.fetchone()
            for statement in ("SHOW REPLICA STATUS", "SHOW SLAVE STATUS"):
                try:
                    cursor.execute(statement)
                    rows["replica"] = cursor.fetchall()
                    rows["replica_statement"] = statement
                    break
                except pymysql.err.ProgrammingError:
                    continue  # older server: no SHOW REPLICA STATUS; try the old name
                except pymysql.err.OperationalError as exc:
                    batch.gaps.append(_gap(dsn, statement, "PermissionDenied" if exc.args and exc.args[0] in (1227, 1045, 1142)
                                           else "QueryFailed", str(exc)))
                    break
            conn.rollback()
    except pymysql.Error as exc:
        batch.gaps.append(_gap(dsn, "query", "QueryFailed", str(exc)))
    finally:
        conn.close()
    if rows.get("server"):
        batch.resources.append(server_resource(dsn, rows))
    return batch


def server_resource(dsn: str, rows: dict[str, Any]) -> Resource:
    server = rows["server"]
    attrs: dict[str, Any] = {"engine": "mariadb" if "mariadb" in str(server.get("version", "")).lower() else "mysql",
                             "version": server.get("version"), "read_only": bool(server.get("read_only")),
                             "binlog_enabled": bool(server.get("log_bin")), "server_id": server.get("server_id")}
    if "replica" in rows:
        replicas = rows["replica"] or []
        attrs["is_replica"] = bool(replicas)
        attrs["replica_statement"] = rows.get("replica_statement")
        channels = []
        for row in replicas:
            get = lambda *names: next((row[n] for n in names if n in row), None)  # noqa: E731 (REPLICA/SLAVE column names)
            channels.append({"source_host": get("Source_Host", "Master_Host"),
                             "io_running": get("Replica_IO_Running", "Slave_IO_Running"),
                             "sql_running": get("Replica_SQL_Running", "Slave_SQL_Running"),
                             "seconds_behind_source": get("Seconds_Behind_Source", "Seconds_Behind_Master"),
                             "last_error": get("Last_Error") or None,
                             "connection_name": get("Connection_name", "Channel_Name")})
        attrs["replication_channels"] = channels
        if channels:
            lags = [c["seconds_behind_source"] for c in channels]
            attrs["replication_running"] = all(c["io_running"] == "Yes" and c["sql_running"] == "Yes" for c in channels)
            attrs["replica_lag_seconds"] = None if any(v is None for v in lags) else max(lags)
    target = parse_mysql_dsn(dsn)
    shown = redact_dsn(dsn)
    return Resource(kind=KIND, id=f"mysql:{shown}", name=f"{target.host}:{target.port}", provider="database", account="",
                    region="", attrs={k: v for k, v in attrs.items() if v is not None}, source=f"live:{shown}")


def read_servers(dsns: tuple[str, ...]) -> ImportBatch:
    batch = ImportBatch()
    for dsn in dsns:
        batch.extend(read_server(dsn))
    return batch
