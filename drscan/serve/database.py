"""Read-only access to the scan database for `drscan serve`: one short-lived connection per
request (`mode=ro`, `query_only`), so every reload sees the newest committed scan and a
scheduled `drscan scan --db` writing to the same WAL-mode file is never blocked."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from drscan.errors import InputError, StoreError
from drscan.store.db import SCHEMA_VERSION

# A reader only waits when the database is not in WAL mode (an old file) and a scan holds the lock.
READ_TIMEOUT_S = 5


class MissingDatabase(InputError):
    """The database file is not there (an input error at start, HTTP 503 while serving)."""


@dataclass(frozen=True)
class Database:
    path: Path

    @property
    def uri(self) -> str:
        return f"{self.path.resolve().as_uri()}?mode=ro"

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A read-only connection whose schema version has been checked; closed on exit."""
        if not self.path.is_file():
            raise MissingDatabase(f"{self.path}: no such database (run drscan scan --db {self.path} first)")
        try:
            connection = sqlite3.connect(self.uri, uri=True, timeout=READ_TIMEOUT_S, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open database read-only: {exc}") from None
        try:
            connection.execute("pragma query_only = on")
            check_schema(connection, self.path)
            yield connection
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot read database: {exc}") from None
        finally:
            connection.close()


def check_schema(connection: sqlite3.Connection, path: Path) -> int:
    """The store's schema version; an error for a file that is not a drscan database or was
    written by a newer drscan."""
    try:
        tables = {row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a drscan database: {exc}") from None
    if "meta" not in tables or "scans" not in tables:
        raise StoreError(f"{path}: not a drscan database (no scans table); run drscan scan --db {path} first")
    row = connection.execute("select value from meta where key = 'schema_version'").fetchone()
    version = int(row[0]) if row else 0
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: schema version {version} is newer than this drscan supports ({SCHEMA_VERSION}); "
                         "upgrade drscan")
    return version
