"""Connection strings given on the command line: parse them, and redact their password
everywhere drscan shows or stores one (resource ids, sources, gaps, errors)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from drscan.errors import InputError

REDACTED = "[REDACTED]"
DEFAULT_SOCKETS = ("/run/mysqld/mysqld.sock", "/var/run/mysqld/mysqld.sock", "/tmp/mysql.sock")
_KEYWORD_PASSWORD = re.compile(r"(?i)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)")


def redact_dsn(dsn: str) -> str:
    """The DSN without its password (URL form `user:secret@host` or keyword form `password=...`)."""
    text = _KEYWORD_PASSWORD.sub(lambda m: m.group(1) + REDACTED, dsn)
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if parts.scheme and parts.password is not None:
        netloc = parts.netloc
        userinfo, _, hostinfo = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        text = text.replace(netloc, f"{user}:{REDACTED}@{hostinfo}", 1)
    return text


def scrub(text: str, dsn: str) -> str:
    """An error message from a driver, with any copy of the DSN's password removed."""
    text = text.replace(dsn, redact_dsn(dsn))
    try:
        password = urlsplit(dsn).password
    except ValueError:
        password = None
    keyword = _KEYWORD_PASSWORD.search(dsn)
    for secret in filter(None, (password, unquote(password) if password else None,
                                keyword.group(2).strip("'") if keyword else None)):
        if len(secret) >= 3:
            text = text.replace(secret, REDACTED)
    return text


@dataclass(frozen=True)
class MysqlTarget:
    host: str
    port: int
    user: str
    password: str | None
    database: str | None
    unix_socket: str | None

    def describe(self) -> str:
        return f"mysql://{self.user}@{self.host}:{self.port}/{self.database or ''}"


def parse_mysql_dsn(dsn: str) -> MysqlTarget:
    """mysql://user[:password]@host[:port][/database][?unix_socket=/path]"""
    try:
        parts = urlsplit(dsn)
        port = parts.port or 3306
    except ValueError as exc:
        raise InputError(f"--mysql {redact_dsn(dsn)}: {exc}") from None
    if parts.scheme not in ("mysql", "mariadb"):
        raise InputError(f"--mysql {redact_dsn(dsn)}: use mysql://user[:password]@host[:port][/database]")
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    host = parts.hostname or "localhost"
    socket_path = query.get("unix_socket")
    if socket_path is None and host == "localhost" and parts.port is None:
        # As the mysql client does: "localhost" means the server's unix socket (Debian's default path).
        socket_path = next((p for p in DEFAULT_SOCKETS if Path(p).exists()), None)
    return MysqlTarget(host=host, port=port, user=unquote(parts.username or "root"),
                       password=unquote(parts.password) if parts.password is not None else None,
                       database=unquote(parts.path.lstrip("/")) or None, unix_socket=socket_path)
