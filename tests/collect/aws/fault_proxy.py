"""An HTTP proxy on 127.0.0.1 in front of moto_server that behaves like a real AWS endpoint under
load: it adds API latency, answers throttling errors for chosen accounts (in each protocol's own
error shape, so botocore retries them as it would against AWS), and measures how many requests of
each account are in flight at once. It learns which account an access key belongs to by watching
AssumeRole requests and their answers pass through. Used by the Dask tests and bench/bench_dask.py."""

from __future__ import annotations

import http.client
import re
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/([^/]+)/")
_ROLE_ACCOUNT = re.compile(r"arn:aws:iam::(\d{12}):role/")
_ACCESS_KEY = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class FaultProxy:
    def __init__(self, upstream: str, latency: float = 0.0, replay: bool = False) -> None:
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname, parts.port
        self.latency = latency
        self.throttled: set[str] = set()  # accounts whose every request is throttled
        self.accounts: dict[str, str] = {}  # access key id -> account id
        self.lock = threading.Lock()
        self.in_flight: Counter = Counter()
        self.max_in_flight: Counter = Counter()
        self.requests: Counter = Counter()
        self.throttles: Counter = Counter()
        self.paths: Counter = Counter()  # "METHOD /path?query" -> requests (REST operations: S3, Lambda, ...)
        self.throttle_once: set[str] = set()  # markers: the first request containing one is throttled
        self.server: ThreadingHTTPServer | None = None
        # replay=True: answer a request seen before from the answer recorded then, so a benchmark
        # measures the client at a fixed API latency, not moto_server's CPU on a busy machine.
        self.replay = replay
        self.recorded: dict[tuple[str, str, str, bytes], tuple[int, list, bytes]] = {}

    def register_key(self, access_key_id: str, account: str) -> None:
        with self.lock:
            self.accounts[access_key_id] = account

    def reset_counts(self) -> None:
        with self.lock:
            self.max_in_flight.clear()
            self.requests.clear()
            self.throttles.clear()
            self.paths.clear()

    def account_of(self, headers) -> tuple[str, str]:
        match = _CREDENTIAL.search(headers.get("Authorization", ""))
        if not match:
            return "unknown", ""
        with self.lock:
            return self.accounts.get(match.group(1), "unknown"), match.group(3)

    @contextmanager
    def running(self) -> Iterator[str]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                account, service = proxy.account_of(self.headers)
                request = f"{self.command} {self.path}"
                with proxy.lock:
                    proxy.in_flight[account] += 1
                    proxy.requests[account] += 1
                    proxy.paths[request] += 1
                    proxy.max_in_flight[account] = max(proxy.max_in_flight[account], proxy.in_flight[account])
                    once = next((m for m in proxy.throttle_once if m in request or m.encode() in body), None)
                    proxy.throttle_once.discard(once)
                try:
                    if proxy.latency:
                        time.sleep(proxy.latency)
                    if account in proxy.throttled or once is not None:
                        with proxy.lock:
                            proxy.throttles[account] += 1
                        self._reply(*_throttle(service, self.headers))
                        return
                    key = (account, self.command, self.path, body)
                    cached = proxy.recorded.get(key) if proxy.replay else None
                    status, headers, answer = cached or self._forward(body)
                    if proxy.replay and cached is None and status < 500:
                        proxy.recorded[key] = (status, headers, answer)
                    if b"AssumeRole" in body and status == 200:
                        role = _ROLE_ACCOUNT.search(parse_qs(body.decode()).get("RoleArn", [""])[0])
                        key = _ACCESS_KEY.search(answer)
                        if role and key:
                            proxy.register_key(key.group(1).decode(), role.group(1))
                    self._reply(status, headers, answer)
                finally:
                    with proxy.lock:
                        proxy.in_flight[account] -= 1

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                connection = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                    return response.status, [(k, v) for k, v in response.getheaders()
                                             if k.lower() not in _HOP_BY_HOP | {"content-length"}], response.read()
                finally:
                    connection.close()

            def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.server = server
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(10)


def _throttle(service: str, headers) -> tuple[int, list[tuple[str, str]], bytes]:
    """The throttling answer each protocol gives, which botocore recognizes and retries."""
    if headers.get("X-Amz-Target"):  # JSON protocols (KMS, DynamoDB, ...)
        return 400, [("Content-Type", "application/x-amz-json-1.1")], \
            b'{"__type":"ThrottlingException","message":"Rate exceeded"}'
    if service == "s3":
        return 503, [("Content-Type", "application/xml")], \
            b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
    if service == "ec2":
        return 503, [("Content-Type", "text/xml")], (b"<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                                                      b"<Message>Request limit exceeded.</Message></Error></Errors>"
                                                      b"<RequestID>x</RequestID></Response>")
    return 400, [("Content-Type", "text/xml")], (b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                                                 b"<Message>Rate exceeded</Message></Error></ErrorResponse>")


def in_flight_limit_kept(proxy: FaultProxy, limit: int) -> dict[str, int]:
    """Accounts whose requests exceeded `limit` in flight at once (empty: the budget held)."""
    with proxy.lock:
        return {a: n for a, n in proxy.max_in_flight.items() if n > limit and a != "unknown"}
