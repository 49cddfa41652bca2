"""Send OutgoingRequests with urllib, retrying transient failures; the I/O end of notify.

Never raises and never drops a request silently: every request gets a DeliveryResult, and the
caller logs the failures and keeps the scan. Retried: connection errors and timeouts, HTTP 429
and 5xx. Not retried: other 4xx, redirects (never followed: they would re-send Authorization to
another URL, and urllib turns a redirected POST into a GET), certificate errors.

Every request has a total deadline (`timeout_s`: connect, send and the whole answer). A socket
timeout alone bounds each read, so a server trickling one byte a second would hold a scan for
ever; a timer shuts the connection down when the deadline passes, whatever it is doing."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Callable

from drscan.notify.config import NotifyConfig
from drscan.notify.payloads import OutgoingRequest
from drscan.safe_text import neutralize

log = logging.getLogger(__name__)

BACKOFF_FIRST_S = 0.5
BACKOFF_CAP_S = 8.0
RETRY_AFTER_CAP_S = 30.0
ERROR_BODY_CHARS = 200
READ_LIMIT_BYTES = 65536


@dataclass(frozen=True)
class DeliveryResult:
    target: str
    fingerprint: str
    ok: bool
    status: int | None  # last HTTP status seen; None when no response came back
    attempts: int  # requests actually made (0 when skipped)
    error: str | None  # None when ok
    action: str = ""


@dataclass(frozen=True)
class _Attempt:
    status: int | None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib hook
        return None  # urllib then raises HTTPError with the 3xx status


def backoff_delay(retry: int) -> float:
    """Wait before retry number `retry` (1-based): 0.5, 1, 2, 4, 8, 8, ... seconds."""
    return min(BACKOFF_FIRST_S * 2 ** (retry - 1), BACKOFF_CAP_S)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date), capped at
    RETRY_AFTER_CAP_S; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    return max(0.0, min(seconds, RETRY_AFTER_CAP_S))


def _snippet(data: bytes) -> str:
    """The start of an error answer, for the log and the notifications table: one line, inert."""
    text = " ".join(data.decode("utf-8", errors="replace").split())
    return neutralize(text[:ERROR_BODY_CHARS])


class _Deadline:
    """Ends one request at its deadline: a timer shuts down the connection's socket, which wakes
    whatever read, write or TLS handshake is blocked on it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.connections: list[http.client.HTTPConnection] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        for connection in list(self.connections):
            self.cut(connection)

    @staticmethod
    def cut(connection: http.client.HTTPConnection) -> None:
        sock = connection.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _WatchedHTTPConnection(http.client.HTTPConnection):
    deadline: _Deadline

    def connect(self) -> None:
        super().connect()
        if self.deadline.expired:  # the timer fired while the socket was being opened
            _Deadline.cut(self)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    deadline: _Deadline

    def connect(self) -> None:
        super().connect()
        if self.deadline.expired:
            _Deadline.cut(self)


def _watched(kind: type, deadline: _Deadline) -> Callable[..., http.client.HTTPConnection]:
    def connection(host: str, **kwargs: object) -> http.client.HTTPConnection:
        made = kind(host, **kwargs)
        made.deadline = deadline
        deadline.connections.append(made)
        return made

    return connection


class _DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):  # noqa: D102 - urllib hook
        return self.do_open(_watched(_WatchedHTTPConnection, self.deadline), req)


class _DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):  # noqa: D102 - urllib hook
        extra = {"check_hostname": self._check_hostname} if hasattr(self, "_check_hostname") else {}
        return self.do_open(_watched(_WatchedHTTPSConnection, self.deadline), req, context=self._context, **extra)


def _attempt(request: OutgoingRequest, timeout: float) -> _Attempt:
    """One request, ended at `timeout` seconds in total."""
    with _Deadline(timeout) as deadline:
        opener = urllib.request.build_opener(_NoRedirect(), _DeadlineHTTPHandler(deadline), _DeadlineHTTPSHandler(deadline))
        outcome = _send(opener, request, timeout)
    if deadline.expired and not outcome.ok:
        return _Attempt(None, f"timed out after {timeout:g}s (total deadline)", True)
    return outcome


def _send(opener: urllib.request.OpenerDirector, request: OutgoingRequest, timeout: float) -> _Attempt:
    data = json.dumps(request.body, ensure_ascii=False).encode("utf-8")
    http_request = urllib.request.Request(request.url, data=data, headers=dict(request.headers),
                                          method=request.method)
    try:
        with opener.open(http_request, timeout=timeout) as response:
            response.read(READ_LIMIT_BYTES)
            return _Attempt(status=response.status)
    except urllib.error.HTTPError as exc:
        with exc:
            body = exc.read(READ_LIMIT_BYTES) if exc.fp is not None else b""
            status = exc.code
            if 300 <= status < 400:
                return _Attempt(status, f"HTTP {status}: redirect not followed")
            retryable = status == 429 or 500 <= status <= 599
            detail = _snippet(body)
            error = f"HTTP {status} {exc.reason}" + (f": {detail}" if detail else "")
            return _Attempt(status, error, retryable, parse_retry_after(exc.headers.get("Retry-After")))
    except urllib.error.URLError as exc:
        # A certificate that does not verify will not verify on the next try either.
        retryable = not isinstance(exc.reason, ssl.SSLCertVerificationError)
        return _Attempt(None, f"connection failed: {exc.reason}", retryable)
    except TimeoutError:
        return _Attempt(None, f"timed out after {timeout:g}s", True)
    except (OSError, http.client.HTTPException) as exc:  # reset, remote disconnected, bad status line
        return _Attempt(None, f"connection failed: {exc.__class__.__name__}: {exc}", True)


def _deliver_one(request: OutgoingRequest, config: NotifyConfig,
                 sleep: Callable[[float], object]) -> tuple[DeliveryResult, bool]:
    """The result, and whether it failed for a reason that will likely affect the target's next request too."""
    attempts = 0
    while True:
        attempts += 1
        outcome = _attempt(request, config.timeout_s)
        if outcome.ok or not outcome.retryable or attempts > config.retries:
            break
        delay = outcome.retry_after if outcome.retry_after is not None else backoff_delay(attempts)
        log.warning("notify: %s %s for %s failed (%s); retry %d of %d in %.1fs", request.target, request.action,
                    request.fingerprint, outcome.error, attempts, config.retries, delay)
        sleep(delay)
    if not outcome.ok:
        log.warning("notify: %s %s for %s failed after %d attempt(s): %s", request.target, request.action,
                    request.fingerprint, attempts, outcome.error)
    result = DeliveryResult(request.target, request.fingerprint, outcome.ok, outcome.status, attempts,
                            outcome.error, request.action)
    return result, (not outcome.ok and outcome.retryable)


def deliver(requests: list[OutgoingRequest], config: NotifyConfig,
            sleep: Callable[[float], object] = time.sleep,
            on_result: Callable[[int, DeliveryResult], object] | None = None) -> list[DeliveryResult]:
    """One DeliveryResult per request, in order, each also passed to `on_result(index, result)`
    as soon as it is known (to record it). Never raises (except what `on_result` raises).

    Once a target has used up its retries on a transient failure (unreachable, timing out, 429
    or 5xx), its remaining requests in this call are not attempted and come back ok=False,
    attempts=0: a dead endpoint costs one request's retries, not one per event."""
    down: dict[str, str] = {}
    results: list[DeliveryResult] = []
    for request in requests:
        if request.target in down:
            result = DeliveryResult(request.target, request.fingerprint, False, None, 0,
                                    f"not sent: target {request.target!r} failed earlier in this run "
                                    f"({down[request.target]})", request.action)
        else:
            try:
                result, target_down = _deliver_one(request, config, sleep)
            except Exception as exc:  # the contract is "never raises": an unforeseen error is a failed delivery
                log.exception("notify: unexpected error delivering to %s", request.target)
                result, target_down = DeliveryResult(request.target, request.fingerprint, False, None, 0,
                                                     f"unexpected error: {exc.__class__.__name__}: {exc}",
                                                     request.action), False
            if target_down:
                down[request.target] = result.error or "failed"
        results.append(result)
        if on_result is not None:
            on_result(len(results) - 1, result)
    return results
