"""PostgreSQL drills: a pg_dump file (custom or plain) restored into a scratch database on an
existing server, or a pgBackRest stanza restored into a scratch data directory and started with
pg_ctl on a free port (unix socket only, archive_mode off so nothing reaches the repository)."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from drscan.collect.databases.dsn import redact_dsn
from drscan.drill.backups import inspect_backup_file, statements
from drscan.drill.model import SCRATCH_PREFIX, BackupInfo, DrillRequest
from drscan.drill.process import Children, DrillStepError, find_program, version_of
from drscan.drill.safety import check_target_name
from drscan.errors import InputError

CONNECT_TIMEOUT_S = 10
START_TIMEOUT_S = 600
VERIFY_TIMEOUT_MS = 300_000


def _psycopg():
    import psycopg  # drills and live checks only

    return psycopg


def _conninfo(dsn: str) -> dict[str, Any]:
    psycopg = _psycopg()
    try:
        return psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise InputError(f"--target {redact_dsn(dsn)}: {str(exc).splitlines()[0]}") from None


def _dsn(parts: dict[str, Any]) -> str:
    return _psycopg().conninfo.make_conninfo(**{k: v for k, v in parts.items() if v is not None})


def read_only_query(conninfo: str, sql: str) -> Any:
    """First column of the first row, in a read-only transaction with a statement timeout."""
    psycopg = _psycopg()
    options = f"-c statement_timeout={VERIFY_TIMEOUT_MS} -c default_transaction_read_only=on"
    with psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_S, options=options, application_name="drscan-drill") as conn:
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
        conn.rollback()
    return None if row is None else row[0]


class PostgresDumpDrill:
    """pg_dump file -> CREATE DATABASE <scratch> -> pg_restore / psql -> verify -> DROP DATABASE."""

    def __init__(self, request: DrillRequest, children: Children):
        self.request, self.children = request, children
        if not request.target:
            raise InputError("--target is required: the scratch database, e.g. postgresql://localhost/drscan_drill_orders")
        self.parts = _conninfo(request.target)
        self.name = str(self.parts.get("dbname") or "")
        check_target_name(self.name, request.allow_target_name)
        self.password = self.parts.pop("password", None)
        self.admin = _dsn({**self.parts, "dbname": "postgres", "password": self.password})
        self.created = False
        self.path = Path(request.source)

    @property
    def target_description(self) -> str:
        return redact_dsn(self.request.target or "")

    def _env(self) -> dict[str, str]:
        return {**os.environ, **({"PGPASSWORD": str(self.password)} if self.password else {})}

    def fetch(self) -> BackupInfo:
        return inspect_backup_file(self.path, "postgres")

    def _exists(self) -> bool:
        psycopg = _psycopg()
        with psycopg.connect(self.admin, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name]).fetchone() is not None

    def prepare(self) -> None:
        psycopg = _psycopg()
        try:
            exists = self._exists()
        except psycopg.OperationalError as exc:
            raise InputError(f"--target {self.target_description}: cannot connect to the server: "
                             f"{str(exc).strip().splitlines()[0] if str(exc).strip() else exc}") from None
        if exists and not self.request.replace:
            raise InputError(f"--target database {self.name!r} already exists; a drill never restores over a database "
                             "(use --replace to drop and recreate a scratch database)")
        with psycopg.connect(self.admin, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            ident = psycopg.sql.Identifier(self.name)
            if exists:
                conn.execute(psycopg.sql.SQL("DROP DATABASE {} WITH (FORCE)").format(ident))
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(ident))
        self.created = True

    def restore(self, backup: BackupInfo) -> None:
        target = _dsn(self.parts)  # no password on the command line: PGPASSWORD in the environment
        if backup.method == "pg_dump custom":
            argv = [find_program("pg_restore", self.request.pg_bin), "--no-owner", "--no-privileges", "--exit-on-error",
                    "--single-transaction", "-d", target, str(self.path)]
            self.children.run(argv, env=self._env(), timeout=self.request.timeout_seconds, what="pg_restore")
        else:
            argv = [find_program("psql", self.request.pg_bin), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                    "-d", target, "-f", "-"]
            self.children.run(argv, env=self._env(), stdin=statements(self.path), timeout=self.request.timeout_seconds,
                              what="psql")

    def start(self) -> None:
        """Nothing to start on an existing server: the phase is the first connection to the restored database."""
        read_only_query(_dsn({**self.parts, "password": self.password}), "SELECT 1")

    def query(self, sql: str) -> Any:
        return read_only_query(_dsn({**self.parts, "password": self.password}), sql)

    def cleanup(self) -> None:
        if not self.created:
            return
        psycopg = _psycopg()
        with psycopg.connect(self.admin, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(psycopg.sql.Identifier(self.name)))
        self.created = False

    def versions(self) -> dict[str, str]:
        found = {"pg_restore": version_of([find_program("pg_restore", self.request.pg_bin), "--version"]),
                 "psql": version_of([find_program("psql", self.request.pg_bin), "--version"])}
        try:
            found["server"] = str(read_only_query(self.admin, "SELECT version()"))
        except Exception as exc:  # noqa: BLE001 (a version string is evidence, not a reason to fail the drill)
            found["server"] = f"unknown ({type(exc).__name__})"
        return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgBackRestDrill:
    """pgbackrest restore of one backup of a stanza into <scratch>/data (archive-mode=off,
    recovery to the backup's consistent point), pg_ctl start on a unix socket in the scratch
    directory only, verify, pg_ctl stop, remove the directory."""

    def __init__(self, request: DrillRequest, children: Children):
        self.request, self.children = request, children
        spec = request.source.split(":", 1)[1]
        self.stanza, _, self.label = spec.partition("@")
        if not self.stanza:
            raise InputError("--from pgbackrest:<stanza>[@<backup label>]")
        if os.geteuid() == 0 and not request.os_user:
            raise InputError("PostgreSQL refuses to run as root: give --os-user (e.g. postgres), the owner of the restored files")
        if request.target:
            self.root = Path(request.target)
            check_target_name(self.root.name, request.allow_target_name, "target directory")
        else:
            self.root = Path(tempfile.gettempdir()) / f"{SCRATCH_PREFIX}{self.stanza}_{datetime.now(timezone.utc):%Y%m%dT%H%M%S}"
        self.data = self.root / "data"
        self.port = _free_port()
        self.created = self.started = False
        self.bin: Path | None = request.pg_bin
        self.user = "postgres"

    @property
    def target_description(self) -> str:
        return str(self.root)

    def _pgbackrest(self, *args: str, timeout: float = 600) -> str:
        config = [f"--config={self.request.pgbackrest_config}"] if self.request.pgbackrest_config else []
        return self.children.run(["pgbackrest", *config, f"--stanza={self.stanza}", *args], timeout=timeout,
                                 what="pgbackrest " + args[-1], as_os_user=True)

    def fetch(self) -> BackupInfo:
        info = json.loads(self._pgbackrest("--output=json", "info"))
        stanza = next((s for s in info if s.get("name") == self.stanza), None)
        backups = (stanza or {}).get("backup") or []
        if not backups:
            raise InputError(f"--from pgbackrest:{self.stanza}: the stanza has no backup ({(stanza or {}).get('status', {}).get('message', 'not found')})")
        chosen = next((b for b in backups if b.get("label") == self.label), None) if self.label else backups[-1]
        if chosen is None:
            raise InputError(f"--from pgbackrest:{self.stanza}@{self.label}: no such backup label")
        self.label = chosen["label"]
        version = str((stanza.get("db") or [{}])[-1].get("version") or "")
        if self.bin is None and version and Path(f"/usr/lib/postgresql/{version}/bin/pg_ctl").exists():
            self.bin = Path(f"/usr/lib/postgresql/{version}/bin")
        stop = (chosen.get("timestamp") or {}).get("stop")
        taken = datetime.fromtimestamp(stop, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if stop else None
        size = (chosen.get("info") or {}).get("size")
        return BackupInfo(description=f"pgbackrest:{self.stanza}@{self.label}", method="pgbackrest", taken_at=taken,
                          size_bytes=size if isinstance(size, int) else None)

    def prepare(self) -> None:
        if self.root.exists():
            if not self.request.replace:
                raise InputError(f"--target directory {self.root} already exists; use --replace to remove it first")
            shutil.rmtree(self.root)
        self.root.mkdir(mode=0o700, parents=True)
        self.created = True
        self.data.mkdir(mode=0o700)
        if os.geteuid() == 0 and self.request.os_user:
            entry = pwd.getpwnam(self.request.os_user)
            for path in (self.root, self.data):
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def restore(self, backup: BackupInfo) -> None:
        # archive-mode=off: the restored cluster must never push WAL into the source's repository.
        self._pgbackrest(f"--pg1-path={self.data}", f"--set={self.label}", "--type=immediate", "--archive-mode=off",
                         "--log-level-console=warn", "restore", timeout=self.request.timeout_seconds)

    def start(self) -> None:
        pg_ctl = find_program("pg_ctl", self.bin)
        hba = self.root / "drill_hba.conf"
        hba.write_text("local all all trust\n")  # unix socket in the 0700 scratch directory only
        if os.geteuid() == 0 and self.request.os_user:
            entry = pwd.getpwnam(self.request.os_user)
            os.chown(hba, entry.pw_uid, entry.pw_gid)
        options = (f"-c port={self.port} -c listen_addresses='' -c unix_socket_directories='{self.root}' "
                   f"-c archive_mode=off -c hba_file='{hba}' "
                   f"-c hot_standby=on")
        self.started = True
        log = self.root / "postgres.log"
        try:
            self.children.run([pg_ctl, "-D", str(self.data), "-l", str(log), "-o", options, "-w",
                               "-t", str(START_TIMEOUT_S), "start"], timeout=START_TIMEOUT_S + 30, what="pg_ctl start",
                              as_os_user=True)
        except DrillStepError as exc:
            lines = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
            tail = [line for line in lines if "FATAL" in line or "PANIC" in line][-2:] or lines[-3:]
            raise DrillStepError(f"{exc}; server log: {' | '.join(tail)}") from None
        self.user = self._superuser()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:  # hot standby accepts connections once consistent; recovery may still pause
            try:
                self.query("SELECT 1")
                return
            except Exception:  # noqa: BLE001 (not ready yet; bounded by the deadline)
                time.sleep(0.2)
        raise DrillStepError(f"restored cluster did not accept connections within {START_TIMEOUT_S} s")

    def _superuser(self) -> str:
        """The bootstrap superuser, owner of the restored files' cluster (pg_authid oid 10)."""
        for user in (self.request.os_user, "postgres"):
            if not user:
                continue
            try:
                read_only_query(self._conninfo(user), "SELECT 1")
                return user
            except Exception:  # noqa: BLE001
                continue
        return "postgres"

    def _conninfo(self, user: str) -> str:
        return _dsn({"host": str(self.root), "port": self.port, "dbname": "postgres", "user": user})

    def query(self, sql: str) -> Any:
        return read_only_query(self._conninfo(self.user), sql)

    def cleanup(self) -> None:
        if self.started:
            try:
                self.children.run([find_program("pg_ctl", self.bin), "-D", str(self.data), "-m", "immediate", "-w", "-t", "60",
                                   "stop"], timeout=90, what="pg_ctl stop", as_os_user=True)
            except DrillStepError:
                pass  # not running (it failed to start); the directory goes either way
            self.started = False
        if self.created:
            shutil.rmtree(self.root, ignore_errors=True)
            self.created = False

    def versions(self) -> dict[str, str]:
        found = {"pgbackrest": version_of(["pgbackrest", "version"]),
                 "pg_ctl": version_of([find_program("pg_ctl", self.bin), "--version"])}
        try:
            found["server"] = str(self.query("SELECT version()")) if self.started else "not started"
        except Exception as exc:  # noqa: BLE001
            found["server"] = f"unknown ({type(exc).__name__})"
        return found
