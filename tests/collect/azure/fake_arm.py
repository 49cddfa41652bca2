"""A local HTTPS fake of Azure Resource Manager and Resource Graph for tests and the benchmark.

It serves recorded-shape JSON from a fixture directory (tests/fixtures/azure_api/) as a
scenario.json describes: subscription pages (nextLink), Resource Graph pages ($skipToken)
chosen by subscription and by a string the KQL must contain, ARM GETs by path, and injected
failures (403, 429 with Retry-After for N requests or forever). It checks the bearer token
and records every request. Only binds 127.0.0.1."""

from __future__ import annotations

import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.tls import make_certificate  # noqa: F401  (the Azure tests import it from here)

RECORDED_HOST = "https://management.azure.com"  # fixture nextLinks name the real host; rewritten on the way out
EMPTY_GRAPH = {"totalRecords": 0, "count": 0, "data": [], "facets": [], "resultTruncated": "false"}


@dataclass
class Seen:
    method: str
    path: str
    query: dict
    authorization: str
    body: dict | None


@dataclass
class Scenario:
    root: Path
    spec: dict
    hits: dict[int, int] = field(default_factory=dict)  # graph route index -> requests so far

    def load(self, name: str):
        return json.loads((self.root / name).read_text())


def _page_token(page: dict) -> str | None:
    """A page's continuation token: Resource Graph's $skipToken or the $skiptoken of an ARM nextLink."""
    if page.get("$skipToken"):
        return page["$skipToken"]
    link = page.get("nextLink")
    if link:
        values = parse_qs(urlsplit(link).query).get("$skiptoken")
        return values[0] if values else None
    return None


class FakeArm:
    """Start with .start(); .url is the ARM endpoint; .stop() ends it. Use as a context manager."""

    def __init__(self, fixtures: Path, cert: Path, key: Path, token: str = "test-token", scenario: str = "scenario.json"):
        self.scenario = Scenario(fixtures, json.loads((fixtures / scenario).read_text()))
        self.token = token
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert, key)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeArm":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                fake._handle(self, None)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                fake._handle(self, json.loads(raw or b"{}"))

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = self._context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "FakeArm":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- request handling -------------------------------------------------------------------
    def _send(self, handler: BaseHTTPRequestHandler, status: int, body, headers: dict | None = None) -> None:
        text = json.dumps(body).replace(RECORDED_HOST, self.url)
        data = text.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("x-ms-request-id", "00000000-0000-0000-0000-000000000000")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler: BaseHTTPRequestHandler, body: dict | None) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        auth = handler.headers.get("Authorization", "")
        with self._lock:
            self.requests.append(Seen(handler.command, parts.path, query, auth, body))
        if auth != f"Bearer {self.token}":
            self._send(handler, 401, {"error": {"code": "InvalidAuthenticationToken",
                                                "message": "The access token is invalid."}})
            return
        path = parts.path.rstrip("/").lower()
        if handler.command == "POST" and path == "/providers/microsoft.resourcegraph/resources":
            self._graph(handler, body or {})
        elif handler.command == "GET" and path == "/subscriptions":
            self._paged(handler, self.scenario.spec.get("subscriptions", {}).get("pages", []), query.get("$skiptoken"))
        elif handler.command == "GET":
            self._arm_get(handler, path, query)
        else:
            self._send(handler, 405, {"error": {"code": "MethodNotAllowed", "message": "read-only fake"}})

    def _paged(self, handler, pages: list[str], token: str | None) -> None:
        loaded = [self.scenario.load(p) for p in pages]
        if not loaded:
            self._send(handler, 200, {"value": []})
            return
        index = 0
        if token:
            tokens = [_page_token(p) for p in loaded]
            if token not in tokens:
                self._send(handler, 400, {"error": {"code": "InvalidSkipToken", "message": "unknown skip token"}})
                return
            index = tokens.index(token) + 1
        self._send(handler, 200, loaded[index])

    def _graph(self, handler, body: dict) -> None:
        subscriptions = [s.lower() for s in body.get("subscriptions") or []]
        kql = str(body.get("query") or "").lower()
        token = (body.get("options") or {}).get("$skipToken")
        for number, route in enumerate(self.scenario.spec.get("graph", [])):
            if route["subscription"].lower() in subscriptions and route["match"].lower() in kql:
                if self._failure(handler, route, number):
                    return
                self._paged(handler, route.get("pages", []), token)
                return
        self._send(handler, 200, EMPTY_GRAPH)

    def _failure(self, handler, route: dict, number: int) -> bool:
        with self._lock:
            self.scenario.hits[number] = count = self.scenario.hits.get(number, 0) + 1
        error = route.get("error")
        if error:
            self._send(handler, error["status"], self.scenario.load(error["body"]), error.get("headers"))
            return True
        throttle = route.get("throttle")
        if throttle and (throttle["times"] == "forever" or count <= int(throttle["times"])):
            self._send(handler, 429, self.scenario.load(throttle["body"]), {"Retry-After": str(throttle["retry_after"])})
            return True
        return False

    def _arm_get(self, handler, path: str, query: dict) -> None:
        routes = {k.lower(): v for k, v in self.scenario.spec.get("arm", {}).items()}
        target = routes.get(path)
        if target is None:
            self._send(handler, 404, {"error": {"code": "ResourceNotFound",
                                                "message": f"The Resource '{path}' was not found."}})
        elif isinstance(target, dict) and "error" in target:
            self._send(handler, target["error"]["status"], self.scenario.load(target["error"]["body"]))
        elif isinstance(target, list):
            self._paged(handler, target, query.get("$skiptoken"))
        else:
            self._send(handler, 200, self.scenario.load(target))
