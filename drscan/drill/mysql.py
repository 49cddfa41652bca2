"""MySQL / MariaDB drills: a mysqldump file (plain or gzipped) restored into a scratch database
by the `mariadb` / `mysql` client, its statements streamed (a dump that switches database is
refused), verified read-only, then dropped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from drscan.collect.databases.dsn import parse_mysql_dsn, redact_dsn
from drscan.drill.backups import inspect_backup_file, statements
from drscan.drill.model import BackupInfo, DrillRequest
from drscan.drill.process import Children, version_of
from drscan.drill.safety import check_target_name
from drscan.errors import InputError

TIMEOUT_S = 30


def _client() -> str:
    found = shutil.which("mariadb") or shutil.which("mysql")
    if not found:
        raise InputError("neither the mariadb nor the mysql client is installed")
    return found


class MysqlDumpDrill:
    def __init__(self, request: DrillRequest, children: Children):
        self.request, self.children = request, children
        if not request.target:
            raise InputError("--target is required: the scratch database, e.g. mysql://root@localhost/drscan_drill_shop")
        self.target = parse_mysql_dsn(request.target)
        self.name = self.target.database or ""
        check_target_name(self.name, request.allow_target_name)
        self.path = Path(request.source)
        self.created = False

    @property
    def target_description(self) -> str:
        return redact_dsn(self.request.target or "")

    def _connect(self, database: str | None = None, read_only: bool = False):
        import pymysql

        try:
            return pymysql.connect(host=self.target.host, port=self.target.port, user=self.target.user,
                                   password=self.target.password or "", database=database,
                                   unix_socket=self.target.unix_socket, connect_timeout=TIMEOUT_S,
                                   read_timeout=None if not read_only else 300, autocommit=not read_only)
        except pymysql.Error as exc:
            raise InputError(f"--target {self.target_description}: cannot connect: {exc}") from None

    def fetch(self) -> BackupInfo:
        return inspect_backup_file(self.path, "mysql")

    def prepare(self) -> None:
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", [self.name])
                exists = cursor.fetchone() is not None
                if exists and not self.request.replace:
                    raise InputError(f"--target database {self.name!r} already exists; a drill never restores over a "
                                     "database (use --replace to drop and recreate a scratch database)")
                quoted = "`" + self.name.replace("`", "``") + "`"
                if exists:
                    cursor.execute(f"DROP DATABASE {quoted}")
                cursor.execute(f"CREATE DATABASE {quoted}")
                self.created = True
        finally:
            conn.close()

    def _client_argv(self) -> list[str]:
        argv = [_client(), "--no-defaults", f"--user={self.target.user}", f"--database={self.name}", "--batch"]
        if self.target.unix_socket:
            argv.append(f"--socket={self.target.unix_socket}")
        else:
            argv += [f"--host={self.target.host}", f"--port={self.target.port}", "--protocol=TCP"]
        return argv

    def restore(self, backup: BackupInfo) -> None:
        env = {**os.environ, **({"MYSQL_PWD": self.target.password} if self.target.password else {})}
        self.children.run(self._client_argv(), env=env, stdin=statements(self.path), timeout=self.request.timeout_seconds,
                          what=Path(_client()).name)

    def start(self) -> None:
        self.query("SELECT 1")

    def query(self, sql: str) -> Any:
        conn = self._connect(self.name, read_only=True)
        try:
            with conn.cursor() as cursor:
                cursor.execute("START TRANSACTION READ ONLY")
                cursor.execute(sql)
                row = cursor.fetchone()
            conn.rollback()
        finally:
            conn.close()
        return None if row is None else row[0]

    def cleanup(self) -> None:
        if not self.created:
            return
        conn = self._connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute("DROP DATABASE IF EXISTS `" + self.name.replace("`", "``") + "`")
        finally:
            conn.close()
        self.created = False

    def versions(self) -> dict[str, str]:
        found = {"client": version_of([_client(), "--version"])}
        try:
            found["server"] = str(self.query("SELECT VERSION()")) if self.created else "unknown"
        except Exception as exc:  # noqa: BLE001
            found["server"] = f"unknown ({type(exc).__name__})"
        return found
