"""The database side of `drscan serve`: clear errors for a missing, foreign or newer database and
a busy port; the file is opened read-only; pages keep answering while a scan writes to the same
WAL-mode file (a held write transaction, and a real concurrent `drscan scan`), and the new scan
appears on reload; a database written before the dashboard's indexes (schema 2) still works."""

from __future__ import annotations

import hashlib
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from drscan.errors import InputError, StoreError
from drscan.serve.database import Database
from tests.conftest import REPO, SAMPLES
from tests.serve.conftest import AS_OF, CONFIG, base_env, drscan, fetch, start_server


def _copy(history, tmp_path, name="copy.db"):
    target = tmp_path / name
    source = sqlite3.connect(history.db)
    try:
        destination = sqlite3.connect(target)
        source.backup(destination)
        destination.close()
    finally:
        source.close()
    return target


def test_missing_database_is_a_one_line_input_error(tmp_path):
    result = drscan("serve", "--db", str(tmp_path / "nowhere.db"), timeout=60)
    assert result.returncode == 2 and "nowhere.db: no such database" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "nowhere.db").exists()  # nothing created


def test_newer_or_foreign_database_is_a_store_error(history, tmp_path):
    newer = _copy(history, tmp_path, "newer.db")
    with sqlite3.connect(newer) as connection:
        connection.execute("update meta set value = '99' where key = 'schema_version'")
    result = drscan("serve", "--db", str(newer), timeout=60)
    assert result.returncode == 3 and "schema version 99 is newer than this drscan supports" in result.stderr
    text = tmp_path / "notes.db"
    text.write_text("not a database at all\n" * 100)
    result = drscan("serve", "--db", str(text), timeout=60)
    assert result.returncode == 3 and "notes.db" in result.stderr and "Traceback" not in result.stderr
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    result = drscan("serve", "--db", str(other), timeout=60)
    assert result.returncode == 3 and "not a drscan database" in result.stderr


def test_busy_port_is_a_one_line_error(history):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = drscan("serve", "--db", str(history.db), "--port", str(port), timeout=60)
    assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr


def test_connections_are_read_only(history):
    database = Database(history.db)
    with database.connect() as connection:
        assert connection.execute("select count(*) from scans").fetchone()[0] == 3
        with pytest.raises(sqlite3.OperationalError):
            connection.execute("delete from scans")
    with pytest.raises(InputError):
        with Database(history.db.with_name("absent.db")).connect():
            pass


def test_serving_never_changes_the_database_file(history, server):
    before = hashlib.sha256(history.db.read_bytes()).hexdigest()
    for path in ("/", "/findings?status=FAIL&page=2", "/controls", "/diff?old=1&new=3", "/dr", "/gaps", "/dr/simulate?fail=zone:us-east-1a"):
        assert fetch(server.base + path).status == 200, path
    assert hashlib.sha256(history.db.read_bytes()).hexdigest() == before


def test_pages_answer_during_a_write_and_show_the_new_scan_after_commit(history, tmp_path):
    db = _copy(history, tmp_path)
    server = start_server("--db", str(db), "-q", log=tmp_path / "serve.log")
    try:
        writer = sqlite3.connect(db, timeout=5)
        writer.execute("begin immediate")  # what save_scan holds while it writes a scan
        writer.execute("insert into scans (started_at, finished_at, scope, sources, drscan_version, rules_digest,"
                       " resource_count, relation_count, pass_count, fail_count, not_assessed_count, gap_count)"
                       " values ('2026-11-27T06:00:00Z', '2026-11-27T06:00:01Z', '{\"name\": \"acme-production\"}', '[]',"
                       " 'test', 'x', 0, 0, 0, 0, 0, 0)")
        started = time.monotonic()
        for path in ("/index.json", "/findings.json", "/gaps.json"):
            reply = fetch(server.base + path)
            assert reply.status == 200, path
        assert time.monotonic() - started < 10  # readers did not wait for the writer
        assert [s["id"] for s in fetch(server.base + "/index.json").json()["scans"]] == [1, 2, 3]  # uncommitted: unseen
        writer.commit()
        writer.close()
        assert [s["id"] for s in fetch(server.base + "/index.json").json()["scans"]] == [1, 2, 3, 4]
    finally:
        server.stop()


def test_a_concurrent_drscan_scan_is_not_blocked_and_appears_on_reload(history, tmp_path):
    db = _copy(history, tmp_path)
    server = start_server("--db", str(db), "-q", log=tmp_path / "serve.log")
    try:
        scan = subprocess.Popen([sys.executable, "-m", "drscan.cli", "scan", "--import", str(SAMPLES), "--config", str(CONFIG),
                                 "--db", str(db), "--as-of", AS_OF[2], "-q"], cwd=REPO, env=base_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        statuses = []
        deadline = time.monotonic() + 300
        while scan.poll() is None and time.monotonic() < deadline:
            for path in ("/index.json", "/findings.json?status=FAIL", "/diff.json"):
                statuses.append(fetch(server.base + path).status)
        _, stderr = scan.communicate(timeout=60)
        assert scan.returncode == 1, stderr  # stored, and the sample fails its gate: no database error (3)
        assert statuses and set(statuses) == {200}
        overview = fetch(server.base + "/index.json").json()
        assert [s["id"] for s in overview["scans"]] == [1, 2, 3, 4]
        assert overview["regressions"]["new_scan"] == 4
        assert fetch(server.base + "/findings.json").json()["scan"]["id"] == 4
    finally:
        server.stop()


def test_older_database_without_the_dashboard_indexes_still_serves(history, tmp_path):
    old = _copy(history, tmp_path, "schema2.db")
    connection = sqlite3.connect(old)
    with connection:
        connection.execute("drop index idx_findings_explore")
        connection.execute("drop index idx_relations_membership")
        connection.execute("update meta set value = '2' where key = 'schema_version'")
    connection.close()
    server = start_server("--db", str(old), "-q", log=tmp_path / "serve.log")
    try:
        new_totals = fetch(server.base + "/findings.json?status=FAIL").json()["pagination"]
        assert new_totals["total"] > 0
        assert fetch(server.base + "/index.json").status == 200
    finally:
        server.stop()
    connection = sqlite3.connect(old)
    try:  # serving did not migrate it
        assert connection.execute("select value from meta where key = 'schema_version'").fetchone()[0] == "2"
        assert connection.execute("select count(*) from sqlite_master where name = 'idx_findings_explore'").fetchone()[0] == 0
    finally:
        connection.close()


def test_store_error_while_running_is_a_503_page_not_a_trace(history, tmp_path):
    db = _copy(history, tmp_path, "vanishing.db")
    server = start_server("--db", str(db), "-q", log=tmp_path / "serve.log")
    try:
        with sqlite3.connect(db) as connection:
            connection.execute("update meta set value = '99' where key = 'schema_version'")
        reply = fetch(server.base + "/findings")
        assert reply.status == 503 and b"newer than this drscan supports" in reply.body and b"Traceback" not in reply.body
        db.unlink()
        reply = fetch(server.base + "/index.json")
        assert reply.status == 503 and "no such database" in reply.json()["error"]
    finally:
        server.stop()
    assert StoreError.exit_code == 3
