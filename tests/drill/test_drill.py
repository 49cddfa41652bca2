"""Real restore drills end to end against the session's PostgreSQL and MariaDB servers: a real
dump restored into a scratch database, verified, timed, stored and removed; pgBackRest stanza
restore into a scratch data directory started with pg_ctl; the safety rules."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from drscan.cli import app
from drscan.errors import DrscanError
from tests.dbservers import postgres_bin

runner = CliRunner()


def drscan(*args: str):
    """The CLI in-process; a DrscanError is mapped to its exit code and message as cli.main() does."""
    result = runner.invoke(app, list(args))
    if isinstance(result.exception, DrscanError):
        return SimpleNamespace(exit_code=result.exception.exit_code, output=str(result.exception))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture(scope="module")
def orders_dump(postgres_server, tmp_path_factory):
    """A real custom-format pg_dump of a small orders database (made once per module)."""
    postgres_server.psql("DROP DATABASE IF EXISTS orders_src")
    postgres_server.psql("CREATE DATABASE orders_src")
    postgres_server.psql("CREATE TABLE orders (id int primary key, total numeric); "
                         "INSERT INTO orders SELECT g, g * 2 FROM generate_series(1, 5000) g", database="orders_src")
    path = tmp_path_factory.mktemp("dumps") / "orders-2026-12-01.dump"
    subprocess.run([str(postgres_bin() / "pg_dump"), "-Fc", "-f", str(path), postgres_server.dsn("orders_src")],
                   env=postgres_server.env, check=True, timeout=120)
    plain = path.with_name("orders-plain.sql")
    subprocess.run([str(postgres_bin() / "pg_dump"), "-Fp", "-f", str(plain), postgres_server.dsn("orders_src")],
                   env=postgres_server.env, check=True, timeout=120)
    return path


def databases(postgres_server) -> set[str]:
    return set(postgres_server.psql("SELECT datname FROM pg_database").split())


def test_postgres_dump_drill_restores_verifies_times_stores_and_drops(postgres_server, orders_dump, tmp_path):
    db = tmp_path / "drscan.db"
    target = postgres_server.dsn("drscan_drill_orders")
    result = drscan("drill", "restore", "postgres", "--from", str(orders_dump), "--target", target,
                    "--verify", "select count(*) from orders", "--expect", ">= 5000",
                    "--verify", "select max(total) from orders", "--expect", "= 10000",
                    "--app", "orders", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["status"] == "passed" and record["method"] == "pg_dump custom" and record["app"] == "orders"
    assert set(record["phases"]) == {"fetch", "restore", "start", "verify"} and record["phases"]["restore"] > 0
    assert record["restore_duration_seconds"] == pytest.approx(sum(record["phases"].values()), abs=0.01)
    assert [c["actual"] for c in record["verification"]] == ["5000", "10000"]
    assert record["backup_age_seconds"] is not None and record["backup_age_seconds"] < 3600
    assert record["backup_sha256"] and "server" in record["tool_versions"] and record["host"]
    assert "drscan_drill_orders" not in databases(postgres_server)  # scratch target removed
    assert "orders_src" in databases(postgres_server)
    listed = drscan("drill", "list", "--db", str(db), "--json")
    (row,) = json.loads(listed.output)
    assert row["id"] == record["id"] and row["status"] == "passed" and row["phases"]["restore"] > 0


def test_a_failed_expectation_fails_the_drill_and_still_removes_the_target(postgres_server, orders_dump, tmp_path):
    result = drscan("drill", "restore", "postgres", "--from", str(orders_dump.with_name("orders-plain.sql")),
                    "--target", postgres_server.dsn("drscan_drill_plain"), "--verify", "select count(*) from orders",
                    "--expect", ">= 1000000", "--verify", "select nonsense from nowhere", "--db", str(tmp_path / "d.db"), "--json")
    assert result.exit_code == 1
    record = json.loads(result.output)
    assert record["status"] == "failed" and record["method"] == "pg_dump plain"
    assert record["verification"][0]["ok"] is False and record["verification"][1]["error"].startswith("UndefinedTable")
    assert "drscan_drill_plain" not in databases(postgres_server)


def test_safety_refusals_write_nothing(postgres_server, orders_dump, tmp_path):
    db = tmp_path / "d.db"
    named = drscan("drill", "restore", "postgres", "--from", str(orders_dump), "--target", postgres_server.dsn("orders_src"),
                   "--db", str(db))
    assert named.exit_code == 2 and "does not start with 'drscan_drill_'" in named.output
    postgres_server.psql("CREATE DATABASE drscan_drill_busy")
    try:
        busy = drscan("drill", "restore", "postgres", "--from", str(orders_dump), "--target",
                      postgres_server.dsn("drscan_drill_busy"), "--db", str(db))
        assert busy.exit_code == 2 and "already exists" in busy.output
        assert "drscan_drill_busy" in databases(postgres_server)
        replaced = drscan("drill", "restore", "postgres", "--from", str(orders_dump), "--target",
                          postgres_server.dsn("drscan_drill_busy"), "--replace", "--keep", "--db", str(db), "--json")
        assert replaced.exit_code == 0 and json.loads(replaced.output)["kept"] is True
        assert postgres_server.psql("SELECT count(*) FROM orders", database="drscan_drill_busy") == "5000"
    finally:
        postgres_server.psql("DROP DATABASE IF EXISTS drscan_drill_busy")
    allowed = drscan("drill", "restore", "postgres", "--from", str(orders_dump), "--target", postgres_server.dsn("scratch_x"),
                     "--allow-target-name", "--db", str(db), "--json")
    assert allowed.exit_code == 0 and "scratch_x" not in databases(postgres_server)


def test_sigterm_during_restore_removes_the_scratch_target(postgres_server, tmp_path):
    big = tmp_path / "slow.sql"
    with big.open("w") as handle:  # a plain dump whose restore takes a while (pg_sleep inside)
        handle.write("-- PostgreSQL database dump\nCREATE TABLE t (id int);\nSELECT pg_sleep(30);\n"
                     "-- PostgreSQL database dump complete\n")
    db = tmp_path / "d.db"
    process = subprocess.Popen([sys.executable, "-m", "drscan.cli", "drill", "restore", "postgres", "--from", str(big),
                                "--target", postgres_server.dsn("drscan_drill_sigterm"), "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while "drscan_drill_sigterm" not in databases(postgres_server) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "drscan_drill_sigterm" not in databases(postgres_server)
    listed = json.loads(drscan("drill", "list", "--db", str(db), "--json").output)
    assert listed[0]["status"] == "interrupted"


def test_mysql_dump_drill_end_to_end(mariadb_server, tmp_path):
    mariadb_server.sql("CREATE DATABASE IF NOT EXISTS shop_src; CREATE TABLE IF NOT EXISTS shop_src.items (id int primary key, "
                       "name varchar(20)); INSERT IGNORE INTO shop_src.items VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    dump = tmp_path / "shop.sql.gz"
    plain = subprocess.run(["mariadb-dump", f"--socket={mariadb_server.socket_path}", "-u", "root", "shop_src"],
                           capture_output=True, check=True, timeout=60).stdout
    import gzip

    dump.write_bytes(gzip.compress(plain))
    db = tmp_path / "drscan.db"
    result = drscan("drill", "restore", "mysql", "--from", str(dump), "--target", mariadb_server.dsn("drscan_drill_shop"),
                    "--verify", "select count(*) from items", "--expect", "= 3", "--app", "shop", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["status"] == "passed" and record["method"] == "mysqldump" and record["verification"][0]["actual"] == "3"
    assert "drscan_drill_shop" not in mariadb_server.sql("SHOW DATABASES").split()
    switching = tmp_path / "all.sql"
    switching.write_bytes(b"-- MySQL dump 10.13\nCREATE DATABASE shop_src;\nUSE `shop_src`;\nDROP TABLE items;\n-- Dump completed\n")
    refused = drscan("drill", "restore", "mysql", "--from", str(switching), "--target", mariadb_server.dsn("drscan_drill_x"),
                     "--db", str(db), "--json")
    assert refused.exit_code == 1 and "switches or creates a database" in json.loads(refused.output)["error"]
    assert mariadb_server.sql("SELECT count(*) FROM shop_src.items") == "3"  # the source was never written
    assert "drscan_drill_x" not in mariadb_server.sql("SHOW DATABASES").split()


def test_pgbackrest_stanza_drill_restores_into_a_scratch_directory(postgres_server, pgbackrest_stanza, tmp_path):
    db = tmp_path / "drscan.db"  # no --target: a new drscan_drill_main_<time> directory in $TMPDIR
    args = ["drill", "restore", "postgres", "--from", "pgbackrest:main",
            "--pgbackrest-config", str(postgres_server.pgbackrest_conf), "--verify", "select count(*) from orders",
            "--expect", ">= 1000", "--app", "orders", "--db", str(db), "--json"]
    if os.geteuid() == 0:
        args += ["--os-user", "nobody"]
    before = sorted(p.name for p in (postgres_server.root / "repo").rglob("*"))
    result = drscan(*args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["method"] == "pgbackrest" and record["backup"].startswith("pgbackrest:main@")
    assert record["phases"]["start"] > 0 and record["tool_versions"]["pgbackrest"].startswith("pgBackRest")
    assert Path(record["target"]).name.startswith("drscan_drill_main_") and not Path(record["target"]).exists()
    after = sorted(p.name for p in (postgres_server.root / "repo").rglob("*"))
    assert before == after  # nothing was written to the source's repository
