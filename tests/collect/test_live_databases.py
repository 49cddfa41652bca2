"""Live read-only checks against the real PostgreSQL and MariaDB servers the tests start: what
they read, that only SELECT/SHOW ran (server statement logs), gaps for refused connections
with the password redacted, and a scan joining a real pgBackRest stanza to its live server."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from drscan import api
from drscan.collect.databases import mysql, postgres
from drscan.collect.databases.dsn import redact_dsn
from drscan.collect.sources import Sources

ALLOWED_PG = re.compile(r"^(SELECT\b|BEGIN READ ONLY$|ROLLBACK$)", re.IGNORECASE)
ALLOWED_MYSQL = re.compile(r"^(SELECT\b|SHOW\b|START TRANSACTION READ ONLY$|ROLLBACK$|SET NAMES \w+$)", re.IGNORECASE)


def _pg_statements(log: str, since: int) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"app=drscan LOG:  statement: (.*)", log[since:])]


def test_postgres_check_reads_archiver_and_runs_only_selects(postgres_server, pgbackrest_stanza):
    before = len(postgres_server.log_text())
    batch = postgres.read_server(postgres_server.dsn())
    assert not batch.gaps
    (server,) = batch.resources
    attrs = server.attrs
    assert server.kind == "database.postgres.server" and attrs["in_recovery"] is False
    assert attrs["archive_mode"] == "on" and attrs["archiving_failing"] is False
    assert attrs["archiver"]["archived_count"] >= 1 and attrs["last_archived_time"]
    stanza = json.loads(pgbackrest_stanza)[0]
    assert attrs["system_identifier"] == str(stanza["db"][-1]["system-id"])
    statements = _pg_statements(postgres_server.log_text(), before)
    assert statements and statements[0] == "BEGIN READ ONLY" and statements[-1] == "ROLLBACK"
    assert all(ALLOWED_PG.match(s) for s in statements), statements


def test_postgres_refused_connection_is_a_gap_without_the_password():
    dsn = "postgresql://auditor:Sup3rSecretPw@127.0.0.1:1/postgres"
    batch = postgres.read_server(dsn)
    assert not batch.resources
    (gap,) = batch.gaps
    assert gap.code == "ConnectionFailed" and "Sup3rSecretPw" not in gap.message and "[REDACTED]" in gap.message


def test_postgres_role_without_pg_monitor_gets_what_it_may_read(postgres_server):
    postgres_server.psql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'plain') THEN CREATE ROLE plain LOGIN; END IF; END $$")
    batch = postgres.read_server(postgres_server.dsn(user="plain"))
    (server,) = batch.resources
    assert server.attrs["archive_mode"] == "on"
    for gap in batch.gaps:  # whatever the role may not read is a gap, never a silent pass
        assert gap.code in ("PermissionDenied",) and gap.kinds == ("database.postgres.server",)
    if any(g.operation == "system" for g in batch.gaps):
        assert "system_identifier" not in server.attrs


def test_mariadb_check_reads_replica_status_with_select_and_show_only(mariadb_server):
    before = len(mariadb_server.general_log_text())
    batch = mysql.read_server(mariadb_server.dsn(user="auditor"))
    assert not batch.gaps
    (server,) = batch.resources
    assert server.attrs["engine"] == "mariadb" and server.attrs["is_replica"] is False
    log = mariadb_server.general_log_text()[before:]
    connection = re.search(r"(\d+) Connect\s+auditor@127\.0\.0\.1", log).group(1)
    statements = [m.group(1).strip() for m in re.finditer(rf"^\s*(?:\S+\s+\S+\s+)?{connection} Query\t(.*)$", log, re.MULTILINE)]
    assert "START TRANSACTION READ ONLY" in statements and "SHOW REPLICA STATUS" in statements
    assert all(ALLOWED_MYSQL.match(s) for s in statements), statements


def test_mariadb_user_without_monitor_privilege_is_a_gap(mariadb_server):
    batch = mysql.read_server(mariadb_server.dsn(user="nobody"))
    (server,) = batch.resources
    assert "is_replica" not in server.attrs  # not readable: absent, never "not a replica"
    assert [g.code for g in batch.gaps] == ["PermissionDenied"]


def test_mysql_dsn_password_is_redacted():
    assert redact_dsn("mysql://root:hunter22@db:3306/shop") == "mysql://root:[REDACTED]@db:3306/shop"
    assert redact_dsn("host=db user=a password='x y z' dbname=p") == "host=db user=a password=[REDACTED] dbname=p"


def test_scan_links_the_pgbackrest_stanza_to_its_live_server(tmp_path, postgres_server, pgbackrest_stanza):
    exports = tmp_path / "backups"
    exports.mkdir()
    (exports / "main.pgbackrest.json").write_text(pgbackrest_stanza)
    config = tmp_path / "drscan.yaml"
    config.write_text("backups:\n  - {source: main, protects: orders-db, repository_host: backup-1}\n")
    secret_dsn = postgres_server.dsn().replace("postgres@", "postgres:NotStoredAnywhere@")
    db = tmp_path / "drscan.db"
    result = api.scan(sources=Sources(import_dir=exports, postgres=(secret_dsn,)), config_path=config, db_path=db,
                      formats=())
    findings = {(f.rule_id, f.resource_kind): f for f in result.scan.findings}
    stanza = next(r for r in result.scan.resources if r.kind == "backup.pgbackrest.stanza")
    server = next(r for r in result.scan.resources if r.kind == "database.postgres.server")
    assert server.id in stanza.attrs["protects"]  # joined by system identifier
    assert stanza.attrs["restorable_basis"].startswith("last archived WAL")
    assert findings[("backup-db-newest-restorable-within-rpo", "backup.pgbackrest.stanza")].status.value == "PASS"
    assert findings[("backup-db-wal-archiving-healthy", "database.postgres.server")].status.value == "PASS"
    assert findings[("backup-db-repository-encrypted", "backup.pgbackrest.stanza")].status.value == "FAIL"
    assert any(g.code == "UnresolvedBackupTarget" and "orders-db" in g.message for g in result.scan.gaps)
    stored = Path(db).read_bytes() + b"".join(Path(str(db) + s).read_bytes() for s in ("-wal",) if Path(str(db) + s).exists())
    assert b"NotStoredAnywhere" not in stored
    with sqlite3.connect(db) as conn:
        assert "NotStoredAnywhere" not in json.dumps(conn.execute("select scope, sources from scans").fetchall())
