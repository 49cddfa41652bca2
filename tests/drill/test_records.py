"""Drill records in the store (schema 2 migration keeps older databases), expectations, and the
target-name safety rule: pure and fast."""

from __future__ import annotations

import sqlite3

import pytest

from drscan.drill.model import parse_expectation
from drscan.drill.safety import check_target_name
from drscan.errors import InputError, StoreError
from drscan.store.db import SCHEMA_VERSION, open_db


def test_a_schema_1_database_gains_the_drills_table_and_keeps_its_scans(tmp_path):
    path = tmp_path / "old.db"
    db = open_db(path)
    db.conn.execute("insert into scans (started_at, finished_at) values ('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z')")
    db.conn.execute("drop table drills")
    db.conn.execute("update meta set value = '1' where key = 'schema_version'")
    db.conn.commit()
    db.conn.close()
    reopened = open_db(path)
    try:
        assert "drills" in reopened.table_names()
        assert next(reopened.query("select value from meta where key = 'schema_version'"))["value"] == str(SCHEMA_VERSION)
        assert reopened.execute("select count(*) from scans").fetchone()[0] == 1
    finally:
        reopened.conn.close()


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    open_db(path).conn.close()
    with sqlite3.connect(path) as conn:
        conn.execute("update meta set value = '99' where key = 'schema_version'")
    with pytest.raises(StoreError, match="newer"):
        open_db(path)


@pytest.mark.parametrize("text,actual,ok", [
    (">= 1000000", 1000000, True), (">= 1000000", "999999", False), ("= 42", 42, True), ("42", "42.0", True),
    ("!= 0", 0, False), ("< 5", 4.5, True), ("= active", "active", True), ("> 1", "abc", False), ("== 3", 3, True),
])
def test_expectations_compare_numbers_as_numbers_and_text_as_text(text, actual, ok):
    assert parse_expectation(text).check(actual) is ok


def test_an_empty_expectation_is_an_input_error():
    with pytest.raises(InputError, match="--expect"):
        parse_expectation(">=")


@pytest.mark.parametrize("name,allowed,error", [
    ("drscan_drill_orders", False, None), ("orders", False, "does not start with 'drscan_drill_'"),
    ("orders", True, None), ("", False, "names no"), ("drscan_drill_x; drop", False, "not a plain identifier"),
])
def test_target_names(name, allowed, error):
    if error is None:
        check_target_name(name, allowed)
    else:
        with pytest.raises(InputError, match=error):
            check_target_name(name, allowed)
