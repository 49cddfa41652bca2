"""The SQLite store: one transaction per scan, history survives a failed write, WAL, schema version."""

from __future__ import annotations

import sqlite3

import pytest

from drscan.errors import StoreError
from drscan.model import Evidence, Finding, Gap, Relation, Resource, Scan, Status
from drscan.store import db as store


def make_scan(n: int, tag: str = "a") -> Scan:
    resources = tuple(Resource(kind="aws.ec2.volume", id=f"vol-{tag}-{i}", name=f"v{i}", provider="aws", account="1",
                               region="us-east-1", zones=("us-east-1a",), attrs={"encrypted": i % 2 == 0}, tags={"app": "p"})
                      for i in range(n))
    findings = tuple(Finding(rule_id="aws-ec2-volume-encrypted", rule_version=1, resource_id=r.id, resource_kind=r.kind,
                             provider="aws", account="1", region="us-east-1",
                             status=Status.PASS if r.attrs["encrypted"] else Status.FAIL, severity="high",
                             category="encryption", controls=("iso27001-2022:A.8.24",),
                             evidence=(Evidence("encrypted", r.attrs["encrypted"]),), reason="x") for r in resources)
    return Scan(id=None, started_at="2026-11-20T06:00:00Z", finished_at="2026-11-20T06:00:05Z", scope={"name": "t"},
                sources=("x.json",), resources=resources, relations=(Relation(resources[0].id, resources[-1].id, "attached_to"),),
                findings=findings, gaps=(Gap("aws", "1", "us-east-1", "s3", "GetBucketReplication", "AccessDenied", "denied"),),
                drscan_version="test", rules_digest="d")


def test_round_trip_of_a_scan(tmp_path):
    db = store.open_db(tmp_path / "d.db")
    scan_id = store.save_scan(db, make_scan(10))
    loaded = store.load_scan(db, scan_id)
    original = make_scan(10)
    assert loaded.resources == original.resources
    assert loaded.findings == original.findings
    assert loaded.relations == original.relations and loaded.gaps == original.gaps
    row = store.list_scans(db)[0]
    assert (row["resource_count"], row["pass_count"], row["fail_count"], row["gap_count"]) == (10, 5, 5, 1)


def test_wal_mode_and_schema_version(tmp_path):
    db = store.open_db(tmp_path / "d.db")
    assert db.journal_mode == "wal"
    assert next(db.query("select value from meta where key='schema_version'"))["value"] == str(store.SCHEMA_VERSION)


def test_failed_scan_write_leaves_earlier_history_intact(tmp_path, monkeypatch):
    db = store.open_db(tmp_path / "d.db")
    first = store.save_scan(db, make_scan(50, "first"))
    calls = {"n": 0}
    real_insert = store._insert

    def failing_insert(conn, table, width, rows):
        calls["n"] += 1
        if table == "findings":  # after scans, resources and relations rows were written
            raise sqlite3.OperationalError("disk I/O error (simulated interruption)")
        real_insert(conn, table, width, rows)

    monkeypatch.setattr(store, "_insert", failing_insert)
    with pytest.raises(StoreError, match="disk I/O error"):
        store.save_scan(db, make_scan(5000, "second"))
    assert calls["n"] == 3
    assert [s["id"] for s in store.list_scans(db)] == [first]
    assert db["resources"].count == 50 and db["findings"].count == 50 and db["relations"].count == 1


def test_killed_process_mid_write_leaves_history_intact(tmp_path):
    """A separate process is killed in the middle of its transaction; the database stays consistent."""
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "d.db"
    store.save_scan(store.open_db(path), make_scan(20, "kept"))
    script = textwrap.dedent(f"""
        import os, signal
        from drscan.store import db as store
        from tests.store.test_db import make_scan
        real = store._insert
        def insert_then_die(conn, table, width, rows):
            real(conn, table, width, rows)
            if table == "relations":
                os.kill(os.getpid(), signal.SIGKILL)
        store._insert = insert_then_die
        store.save_scan(store.open_db(__import__("pathlib").Path({str(path)!r})), make_scan(3000, "killed"))
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=str(__import__("pathlib").Path(__file__).parents[2]), timeout=60)
    assert proc.returncode == -9
    db = store.open_db(path)
    assert len(store.list_scans(db)) == 1
    assert db["resources"].count == 20
    assert next(db.query("pragma integrity_check"))["integrity_check"] == "ok"


def test_newer_schema_is_refused(tmp_path):
    db = store.open_db(tmp_path / "d.db")
    db["meta"].upsert({"key": "schema_version", "value": "99"}, pk="key")
    db.conn.commit()
    with pytest.raises(StoreError, match="newer than this drscan supports"):
        store.open_db(tmp_path / "d.db")


def test_concurrent_scans_on_one_database_are_serialized(tmp_path):
    """Two processes store scans into the same database at once: both land, one after the
    other, and the history counts both."""
    import subprocess
    import sys
    import textwrap

    path = tmp_path / "d.db"
    store.open_db(path).conn.close()
    script = textwrap.dedent(f"""
        from pathlib import Path
        from drscan.store import db as store
        from tests.store.test_db import make_scan
        store.save_scan(store.open_db(Path({str(path)!r})), make_scan(4000, "same"))
    """)
    root = str(__import__("pathlib").Path(__file__).parents[2])
    procs = [subprocess.Popen([sys.executable, "-c", script], cwd=root) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    db = store.open_db(path)
    assert [s["resource_count"] for s in store.list_scans(db)] == [4000, 4000]
    failing = next(db.query("select failing_scans from finding_history where resource_id = 'vol-same-1'"))
    assert failing["failing_scans"] == 2  # each scan saw the other's history: no lost update
