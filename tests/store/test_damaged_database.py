"""A damaged, foreign, newer or locked database: every command that reads or writes it exits 3
with one line naming the cause (never a traceback or "cannot rollback - no transaction is
active"), and the file is never changed further."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from drscan.errors import StoreError
from drscan.store.db import SCHEMA_VERSION, TABLES, open_db, open_existing
from tests.conftest import REPO, SAMPLES, invoke_drscan


def _drop_table(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("drop table findings")


def _corrupt_pages(db: Path) -> None:
    """Overwrite the root page of every data table (not meta or the schema) with garbage."""
    with closing(sqlite3.connect(db)) as conn, conn:
        page_size = conn.execute("pragma page_size").fetchone()[0]
        roots = [row[0] for row in conn.execute("select rootpage from sqlite_master where type = 'table' and name != 'meta'")]
    with db.open("r+b") as handle:
        for root in roots:
            handle.seek((root - 1) * page_size)
            handle.write(b"\xa5" * page_size)


def _truncate(db: Path) -> None:
    with db.open("r+b") as handle:
        handle.truncate(db.stat().st_size // 3)


def _not_sqlite(db: Path) -> None:
    db.write_bytes(b"drscan? no: a spreadsheet export, not a database\n" * 200)


def _newer_schema(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("update meta set value = '99' where key = 'schema_version'")


def _no_schema_version(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("delete from meta")


def _foreign(db: Path) -> None:
    db.unlink()
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("create table customers (id integer primary key, name text)")


DAMAGE = {
    "dropped table": (_drop_table, "table 'findings' is missing"),
    "corrupt pages": (_corrupt_pages, "the database file is damaged (database disk image is malformed)"),
    "truncated": (_truncate, "the database file is damaged (database disk image is malformed)"),
    "not sqlite": (_not_sqlite, "not an SQLite database"),
    "newer schema": (_newer_schema, f"schema version 99 is newer than this drscan supports ({SCHEMA_VERSION})"),
    "no schema version": (_no_schema_version, "no valid schema version"),
    "another program's database": (_foreign, "not a drscan database"),
}


def _commands(db: Path, work: Path, sample_pack: Path) -> dict[str, tuple[str, ...]]:
    config = str(SAMPLES / "drscan.yaml")
    return {
        "history": ("history", "--db", str(db)),
        "diff": ("diff", "--db", str(db)),
        "dr": ("dr", "--config", config, "--db", str(db)),
        "dr simulate": ("dr", "simulate", "--fail", "region:us-east-1", "--config", config, "--db", str(db)),
        "pack": ("pack", "--db", str(db), "--sign", str(sample_pack / "signing.key"), "-o", str(work / "evidence.zip")),
        "drift": ("drift", "--terraform-state", str(REPO / "tests/fixtures/terraform/aws/state.json"), "--db", str(db)),
        "scan --db": ("scan", "--import", str(SAMPLES / "aws"), "-q", "--db", str(db)),
    }


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("damage", DAMAGE)
def test_every_command_on_a_damaged_database_exits_3_naming_the_cause(tmp_path, sample_pack, damage):
    db = tmp_path / "drscan.db"
    db.write_bytes((sample_pack / "drscan.db").read_bytes())
    harm, cause = DAMAGE[damage]
    harm(db)
    damaged = _digest(db)
    for name, argv in _commands(db, tmp_path, sample_pack).items():
        code, _, err = invoke_drscan(*argv)
        assert code == 3, (name, err)
        assert err.splitlines() == [err.strip()] and err.startswith(f"drscan: error: {db}: "), (name, err)
        assert cause in err and "rollback" not in err, (name, err)
        assert _digest(db) == damaged, f"{name} changed the damaged file"
    assert not (tmp_path / "evidence.zip").exists()


def test_an_empty_file_is_not_a_database_for_readers_but_a_new_one_for_scan(tmp_path):
    db = tmp_path / "drscan.db"
    db.touch()
    code, _, err = invoke_drscan("history", "--db", str(db))
    assert code == 3 and "not a drscan database (the file has no tables)" in err and db.stat().st_size == 0
    code, _, err = invoke_drscan("scan", "--import", str(SAMPLES / "aws"), "-q", "--db", str(db))
    assert code == 1, err
    assert {row[0] for row in sqlite3.connect(db).execute("select name from sqlite_master where type = 'table'")} >= set(TABLES)


def test_readers_create_and_change_nothing(tmp_path, sample_pack):
    db = tmp_path / "drscan.db"
    db.write_bytes((sample_pack / "drscan.db").read_bytes())
    before = _digest(db)
    for argv in (("history", "--db", str(db)), ("dr", "--config", str(SAMPLES / "drscan.yaml"), "--db", str(db))):
        assert invoke_drscan(*argv)[0] in (0, 1)
    assert _digest(db) == before
    missing = tmp_path / "missing.db"
    code, _, err = invoke_drscan("history", "--db", str(missing))
    assert code == 2 and "no such database" in err and not missing.exists()


def test_a_database_locked_beyond_the_timeout_exits_3_for_writers_and_readers(tmp_path, sample_pack, monkeypatch):
    monkeypatch.setenv("DRSCAN_DB_TIMEOUT", "0.5")
    db = tmp_path / "drscan.db"
    db.write_bytes((sample_pack / "drscan.db").read_bytes())
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("begin immediate")  # another scan writing
        code, _, err = invoke_drscan("scan", "--import", str(SAMPLES / "aws"), "-q", "--db", str(db))
        assert code == 3 and err.splitlines() == [
            f"drscan: error: {db}: cannot write scan: the database is locked by another process "
            f"(waited 0.5 s; DRSCAN_DB_TIMEOUT sets how long)"], err
        holder.execute("rollback")
        holder.execute("pragma locking_mode = exclusive")  # a program that keeps the file to itself
        holder.execute("begin exclusive")
        holder.execute("insert into meta values ('held', 'yes')")
        code, _, err = invoke_drscan("history", "--db", str(db))
        assert code == 3 and "the database is locked by another process (waited 0.5 s" in err, err
    finally:
        holder.close()
    assert invoke_drscan("history", "--db", str(db))[0] == 0


def test_a_schema_1_database_is_read_as_it_is_and_migrated_by_the_next_scan(tmp_path, sample_pack):
    db = tmp_path / "drscan.db"
    db.write_bytes((sample_pack / "drscan.db").read_bytes())
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("drop table drills")
        conn.execute("update meta set value = '1' where key = 'schema_version'")
    before = _digest(db)
    for argv in (("history", "--db", str(db)), ("drill", "list", "--db", str(db)),
                 ("dr", "--config", str(SAMPLES / "drscan.yaml"), "--db", str(db))):
        code, _, err = invoke_drscan(*argv)
        assert code in (0, 1), (argv, err)
    assert _digest(db) == before
    code, _, err = invoke_drscan("scan", "--import", str(SAMPLES / "aws"), "-q", "--db", str(db))
    assert code == 1, err
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("select value from meta where key = 'schema_version'").fetchone() == (str(SCHEMA_VERSION),)
        assert conn.execute("select count(*) from drills").fetchone() == (0,)


def test_the_busy_timeout_setting_is_checked(monkeypatch, tmp_path):
    monkeypatch.setenv("DRSCAN_DB_TIMEOUT", "soon")
    code, _, err = invoke_drscan("scan", "--import", str(SAMPLES / "aws"), "-q", "--db", str(tmp_path / "x.db"))
    assert code == 2 and "DRSCAN_DB_TIMEOUT must be a number of seconds" in err


def test_open_functions_raise_store_errors_not_sqlite_errors(tmp_path):
    db = tmp_path / "x.db"
    _not_sqlite(db)
    for opener in (open_db, open_existing):
        with pytest.raises(StoreError, match="not an SQLite database"):
            opener(db)
