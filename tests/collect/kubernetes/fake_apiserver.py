"""A fake Kubernetes API server on 127.0.0.1 over HTTPS: serves the list calls the collector
makes, for several clusters under path prefixes (https://127.0.0.1:PORT/<cluster>), paging
with `limit`/`continue` as the real API server does (built-in lists drop each item's kind and
apiVersion, CRD lists keep them), answering 403 Status objects for forbidden resources and
410 Expired for continue tokens it is told to expire. It records every request."""

from __future__ import annotations

import http.server
import json
import ssl
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from drscan.normalize.kubernetes import kinds


@dataclass
class Scenario:
    objects: dict[str, list[dict]]  # cluster -> objects (kubectl shape)
    forbidden: set[tuple[str, str]] = field(default_factory=set)  # (cluster, plural)
    expire_once: set[tuple[str, str]] = field(default_factory=set)  # first continue token of these is 410
    expire_always: set[tuple[str, str]] = field(default_factory=set)
    missing: set[tuple[str, str]] = field(default_factory=set)  # (cluster, group) not served: 404
    token: str = "test-token"


def _status(code: int, reason: str, message: str, details: dict | None = None, continue_token: str | None = None) -> dict:
    meta = {"continue": continue_token} if continue_token else {}
    return {"kind": "Status", "apiVersion": "v1", "metadata": meta, "status": "Failure", "message": message,
            "reason": reason, "details": details or {}, "code": code}


class FakeApiServer:
    def __init__(self, cert: Path, key: Path) -> None:
        self.cert, self.key = cert, key
        self.scenario = Scenario(objects={})
        self.requests: list[tuple[str, str, dict, str | None]] = []  # method, path, query, Authorization
        self._expired: set[tuple[str, str]] = set()
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_port}"

    def reset(self, scenario: Scenario) -> None:
        self.scenario, self.requests, self._expired = scenario, [], set()

    def start(self) -> None:
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _send(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(("GET", parts.path, query, self.headers.get("Authorization")))
                self._send(*fake.answer(parts.path, query, self.headers.get("Authorization")))

            def _refuse(self) -> None:
                path = urlsplit(self.path).path
                fake.requests.append((self.command, path, {}, self.headers.get("Authorization")))
                self._send(405, _status(405, "MethodNotAllowed", f"{self.command} is not allowed by this fake"))

            do_POST = do_PUT = do_PATCH = do_DELETE = _refuse  # noqa: N815

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, path: str, query: dict, auth: str | None) -> tuple[int, dict]:
        scenario = self.scenario
        if auth != f"Bearer {scenario.token}":
            return 401, _status(401, "Unauthorized", "Unauthorized")
        cluster, _, rest = path.lstrip("/").partition("/")
        segments = rest.split("/")
        if segments[0] == "api" and len(segments) == 3:
            group, version, plural = "", segments[1], segments[2]
        elif segments[0] == "apis" and len(segments) == 4:
            group, version, plural = segments[1], segments[2], segments[3]
        else:
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        info = next((k for k in kinds() if k.group == group and k.version == version and k.plural == plural), None)
        if cluster not in scenario.objects or info is None or (cluster, group) in scenario.missing:
            return 404, _status(404, "NotFound", "the server could not find the requested resource")
        if (cluster, plural) in scenario.forbidden:
            group_text = f' in API group "{group}"' if group else ' in API group ""'
            return 403, _status(403, "Forbidden", f'{plural}{"." + group if group else ""} is forbidden: User '
                                f'"system:serviceaccount:drscan:drscan" cannot list resource "{plural}"{group_text} at the cluster scope',
                                {"group": group, "kind": plural})
        token = query.get("continue")
        key = (cluster, plural)
        if token and (key in scenario.expire_always or (key in scenario.expire_once and key not in self._expired)):
            self._expired.add(key)
            return 410, _status(410, "Expired", "The provided continue parameter is too old to display a consistent list "
                                "result. You can start a new list without the continue parameter, or use the continue token "
                                "in this response to retrieve the remainder of the results.", {}, continue_token="inconsistent")
        items = [o for o in scenario.objects[cluster] if o["kind"] == info.api_kind and o["apiVersion"] == info.api_version]
        offset = int(token.split(":", 1)[1]) if token else 0
        limit = int(query.get("limit") or len(items) or 1)
        page = items[offset:offset + limit]
        if not group or group in ("apps", "policy", "storage.k8s.io", "networking.k8s.io"):
            page = [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in page]  # typed lists omit them
        metadata = {"resourceVersion": "41234567"}
        if offset + limit < len(items):
            metadata["continue"] = f"{plural}:{offset + limit}"
            metadata["remainingItemCount"] = len(items) - offset - limit
        return 200, {"kind": f"{info.api_kind}List", "apiVersion": info.api_version, "metadata": metadata, "items": page}
