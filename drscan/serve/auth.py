"""Access control for `drscan serve`: where the token comes from, whether a bind address needs
one, and how a request proves it has it (`Authorization: Bearer`, or a session cookie set after
posting the token to /login). Comparisons are constant-time; the token never appears in a URL,
a cookie or a log line."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from drscan.errors import InputError

TOKEN_ENV = "DRSCAN_SERVE_TOKEN"
MIN_TOKEN_LENGTH = 16
COOKIE = "drscan_session"
SESSION_SECONDS = 12 * 3600


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def load_token(token_file: Path | None, environ: dict[str, str] | None = None) -> str | None:
    """The token from --auth-token-file (first line), else from DRSCAN_SERVE_TOKEN; None if neither."""
    environ = os.environ if environ is None else environ
    if token_file is not None:
        try:
            lines = token_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{token_file}: cannot read the token file: {getattr(exc, 'strerror', None) or exc}") from None
        token = lines[0].strip() if lines else ""
        where = str(token_file)
    elif environ.get(TOKEN_ENV):
        token, where = environ[TOKEN_ENV].strip(), TOKEN_ENV
    else:
        return None
    if len(token) < MIN_TOKEN_LENGTH:
        raise InputError(f"{where}: the token must be at least {MIN_TOKEN_LENGTH} characters "
                         "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
    return token


def check_bind(host: str, token: str | None) -> None:
    if token is None and not is_loopback(host):
        raise InputError(f"--host {host} is reachable from other machines: give --auth-token-file FILE or set "
                         f"{TOKEN_ENV} (or bind 127.0.0.1)")


@dataclass(frozen=True)
class Guard:
    """Checks a request's credentials. `session_key` is random per server process, so a restart
    signs every browser out; a cookie holds an expiry and its HMAC, never the token."""

    token: str | None
    session_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    @property
    def enabled(self) -> bool:
        return self.token is not None

    def token_matches(self, offered: str) -> bool:
        if self.token is None:
            return False
        return hmac.compare_digest(offered.encode("utf-8", "surrogateescape"), self.token.encode("utf-8"))

    def bearer_ok(self, authorization: str | None) -> bool:
        scheme, _, value = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(value.strip())

    def new_session(self, now: float | None = None) -> str:
        expires = str(int((now or time.time()) + SESSION_SECONDS))
        return f"{expires}.{self._sign(expires)}"

    def session_ok(self, cookie: str | None, now: float | None = None) -> bool:
        expires, _, signature = (cookie or "").partition(".")
        if not expires.isdigit() or not signature:
            return False
        return hmac.compare_digest(signature, self._sign(expires)) and int(expires) > (now or time.time())

    def _sign(self, text: str) -> str:
        return hmac.new(self.session_key, text.encode(), hashlib.sha256).hexdigest()

    def allowed(self, authorization: str | None, cookie: str | None) -> bool:
        return not self.enabled or self.bearer_ok(authorization) or self.session_ok(cookie)


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path on this server only (no scheme, host or //)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or any(ord(c) < 32 for c in path):
        return "/"
    return path
