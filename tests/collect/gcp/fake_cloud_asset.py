"""A local Cloud Asset Inventory REST API (GET /v1/{parent}/assets) on 127.0.0.1 for tests and
the benchmark: serves fixture assets filtered by parent, assetTypes and contentType, in pages
with nextPageToken, checks the bearer token, injects faults (403, 429, 5xx) and records requests."""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "gcp_api"
CONTENT_TYPES = {"1": "RESOURCE", "2": "IAM_POLICY", "RESOURCE": "RESOURCE", "IAM_POLICY": "IAM_POLICY"}
DEFAULT_PAGE_SIZE = 100  # the API's default and
MAX_PAGE_SIZE = 1000  # maximum (https://cloud.google.com/asset-inventory/docs/reference/rest/v1/assets/list)


def load_fixtures(root: Path = FIXTURES) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """({content type: [Asset JSON]}, {project id: project number}) from tests/fixtures/gcp_api."""
    assets = {"RESOURCE": json.loads((root / "resource.json").read_text()),
              "IAM_POLICY": json.loads((root / "iam_policy.json").read_text())}
    return assets, json.loads((root / "projects.json").read_text())


@dataclass
class Fault:
    """Answer matching requests with an error instead of data, `times` times (None: always)."""

    status: int  # 403, 429, 500, 503, ...
    scope: str | None = None  # parent it applies to (None: any)
    asset_type: str | None = None  # applies when this type is among the requested assetTypes
    content_type: str | None = None  # RESOURCE or IAM_POLICY (None: any)
    reason: str | None = None  # ErrorInfo reason, e.g. SERVICE_DISABLED
    times: int | None = None
    on_page: int | None = None  # only requests for this page (1 = no pageToken)
    retry_after: str | None = None  # Retry-After header value
    used: int = 0

    def matches(self, parent: str, types: list[str], content_type: str, page: int) -> bool:
        return ((self.scope is None or self.scope == parent)
                and (self.asset_type is None or self.asset_type in types)
                and (self.content_type is None or self.content_type == content_type)
                and (self.on_page is None or self.on_page == page)
                and (self.times is None or self.used < self.times))


STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}
MESSAGES = {
    403: "The caller does not have permission",
    429: "Quota exceeded for quota metric 'List Assets Requests' and limit 'List Assets Requests per minute per project' "
         "of service 'cloudasset.googleapis.com' for consumer 'project_number:410000000101'.",
    500: "Internal error encountered.",
    503: "The service is currently unavailable.",
}


def error_body(status: int, message: str | None = None, reason: str | None = None) -> dict:
    body: dict[str, Any] = {"code": status, "message": message or MESSAGES.get(status, "error"),
                            "status": STATUS.get(status, "UNKNOWN")}
    if reason == "SERVICE_DISABLED":
        body["message"] = ("Cloud Asset API has not been used in project 410000000101 before or it is disabled. Enable it by "
                           "visiting https://console.developers.google.com/apis/api/cloudasset.googleapis.com/overview?project=410000000101 "
                           "then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.")
    if reason:
        body["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason, "domain": "googleapis.com",
                            "metadata": {"service": "cloudasset.googleapis.com", "consumer": "projects/410000000101"}}]
    return {"error": body}


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    params: dict[str, list[str]]
    authorization: str | None


@dataclass
class FakeCloudAsset:
    assets: dict[str, list[dict]]
    projects: dict[str, str] = field(default_factory=dict)
    token: str | None = None  # expected bearer token (None: any or none)
    faults: list[Fault] = field(default_factory=list)
    read_time: str = "2026-11-20T05:59:58.123456Z"
    certificate: tuple[str, str] | None = None  # (cert.pem, key.pem): serve HTTPS
    requests: list[Recorded] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "FakeCloudAsset":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the real endpoint

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                status, body, headers = fake.handle("GET", self.path, self.headers.get("Authorization"))
                self._send(status, body, headers)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                status, body, headers = fake.handle("POST", self.path, self.headers.get("Authorization"))
                self._send(status, body, headers)

            def _send(self, status: int, body: dict, headers: dict[str, str]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(raw)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(raw)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        if self.certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.certificate)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-cloud-asset", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        scheme = "https" if self.certificate else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    # --- the API ------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, authorization: str | None) -> tuple[int, dict, dict[str, str]]:
        split = urlsplit(raw_path)
        path, params = unquote(split.path), parse_qs(split.query)
        with self._lock:
            self.requests.append(Recorded(method, path, params, authorization))
        if self.token is not None and authorization != f"Bearer {self.token}":
            return 401, error_body(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                                        "login cookie or other valid authentication credential."), {}
        parts = path.strip("/").split("/")
        if method != "GET" or len(parts) != 4 or parts[0] != "v1" or parts[3] != "assets":
            return 404, error_body(404, f"Method not found: {method} {path}"), {}
        parent = f"{parts[1]}/{parts[2]}"
        content_type = CONTENT_TYPES.get((params.get("contentType") or [""])[0], "")
        types = params.get("assetTypes", [])
        try:
            page_size = int((params.get("pageSize") or [DEFAULT_PAGE_SIZE])[0]) or DEFAULT_PAGE_SIZE
        except ValueError:
            return 400, error_body(400, "Invalid value at 'page_size'"), {}
        if page_size > MAX_PAGE_SIZE or page_size < 0:
            return 400, error_body(400, f"page_size must be between 1 and {MAX_PAGE_SIZE}"), {}
        query_key = hashlib.sha256(json.dumps([parent, sorted(types), content_type]).encode()).hexdigest()[:12]
        token = (params.get("pageToken") or [""])[0]
        offset = 0
        if token:
            try:
                decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
                if decoded["q"] != query_key:
                    raise ValueError("page token of another query")
                offset = int(decoded["o"])
            except (ValueError, KeyError, TypeError):
                return 400, error_body(400, "Invalid page_token"), {}
        page = offset // page_size + 1
        with self._lock:
            for fault in self.faults:
                if fault.matches(parent, types, content_type, page):
                    fault.used += 1
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    return fault.status, error_body(fault.status, reason=fault.reason), headers
        matching = [a for a in self.assets.get(content_type, [])
                    if self._in_scope(a, parent) and (not types or a.get("assetType") in types)]
        body: dict[str, Any] = {"readTime": self.read_time, "assets": matching[offset: offset + page_size]}
        if offset + page_size < len(matching):
            next_token = {"o": offset + page_size, "q": query_key}
            body["nextPageToken"] = base64.urlsafe_b64encode(json.dumps(next_token).encode()).decode()
        return 200, body, {}

    def _in_scope(self, asset: dict, parent: str) -> bool:
        kind, _, value = parent.partition("/")
        if kind == "projects":
            parent = f"projects/{self.projects.get(value, value)}"
        return parent in asset.get("ancestors", [])

    # --- for assertions -----------------------------------------------------------------------
    def list_requests(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/assets")]
