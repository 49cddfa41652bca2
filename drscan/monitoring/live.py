"""Live, read-only collection from a Prometheus and an Alertmanager server (collect stage): HTTP
GET only, a total deadline on every request, a size bound on every answer, bearer token or basic
auth from the environment, TLS verified against the system store or a CA bundle. Every failure
becomes a Gap; the answers go through the same transforms as imported files.

Environment: DRSCAN_PROMETHEUS_TOKEN, or DRSCAN_PROMETHEUS_USERNAME + DRSCAN_PROMETHEUS_PASSWORD;
DRSCAN_ALERTMANAGER_TOKEN, or DRSCAN_ALERTMANAGER_USERNAME + DRSCAN_ALERTMANAGER_PASSWORD."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from drscan.errors import InputError
from drscan.yamlfile import parse_yaml_text
from drscan.model import Gap, Inventory, Resource
from drscan.monitoring.catalogue import LAG_SECONDS_METRICS
from drscan.monitoring.imports import MAX_YAML_VALUES, alertmanager_resource
from drscan.monitoring.prometheus import (alert_resources, replica_lag_resources, rule_resources, server_resource,
                                          target_resources)

MAX_BYTES = 64 * 1024 * 1024
CHUNK = 65536
LAG_WINDOW = "7d"


@dataclass(frozen=True)
class MonitoringOptions:
    prometheus: str | None = None
    alertmanager: str | None = None
    ca_bundle: Path | None = None
    timeout_seconds: float = 30.0  # total, per request
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)


class FetchError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _auth_header(environ: Mapping[str, str], prefix: str) -> str | None:
    token = environ.get(f"DRSCAN_{prefix}_TOKEN")
    if token:
        return f"Bearer {token}"
    user, password = environ.get(f"DRSCAN_{prefix}_USERNAME"), environ.get(f"DRSCAN_{prefix}_PASSWORD")
    if user:
        return "Basic " + base64.b64encode(f"{user}:{password or ''}".encode()).decode()
    return None


def check_url(url: str, flag: str) -> str:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise InputError(f"{flag}: not an http(s) URL: {url[:200]!r}")
    if parsed.username or parsed.password:
        raise InputError(f"{flag}: put credentials in the environment (see README), not in the URL")
    return url.rstrip("/")


class Client:
    """GET-only JSON client for one server."""

    def __init__(self, base: str, auth: str | None, context: ssl.SSLContext | None, timeout: float):
        self.base, self.auth, self.context, self.timeout = base, auth, context, timeout
        self.server = urllib.parse.urlparse(base).netloc

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        url = self.base + path + ("?" + urllib.parse.urlencode(params) if params else "")
        request = urllib.request.Request(url, method="GET", headers={"Accept": "application/json", "User-Agent": "drscan"})
        if self.auth:
            request.add_header("Authorization", self.auth)
        deadline = time.monotonic() + self.timeout
        try:
            with urllib.request.urlopen(request, timeout=self.timeout, context=self.context) as response:
                body = bytearray()
                while True:
                    if time.monotonic() > deadline:
                        raise FetchError("Timeout", f"GET {path}: no complete answer within {self.timeout:g} s")
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    body.extend(chunk)
                    if len(body) > MAX_BYTES:
                        raise FetchError("TooLarge", f"GET {path}: answer larger than {MAX_BYTES // 2**20} MiB")
        except urllib.error.HTTPError as exc:
            raise FetchError(str(exc.code), f"GET {path}: HTTP {exc.code} {exc.reason}") from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ssl.SSLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            code = "TLSError" if isinstance(reason, ssl.SSLError) or isinstance(exc, ssl.SSLError) else \
                "Timeout" if isinstance(reason, (socket.timeout, TimeoutError)) else "ConnectionError"
            raise FetchError(code, f"GET {path}: {reason}") from None
        try:
            return json.loads(body)
        except ValueError:
            raise FetchError("InvalidJSON", f"GET {path}: the answer is not JSON") from None


def _ssl_context(options: MonitoringOptions) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if options.ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=str(options.ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise InputError(f"{options.ca_bundle}: cannot read CA bundle: {exc}") from None
    return context


def _data(answer: Any, path: str) -> Any:
    if not isinstance(answer, dict) or answer.get("status") != "success":
        raise FetchError("APIError", f"GET {path}: {(answer or {}).get('error', 'status is not success') if isinstance(answer, dict) else 'not an API answer'}")
    return answer.get("data")


def collect_prometheus(client: Client) -> tuple[list[Resource], list[Gap]]:
    resources: list[Resource] = []
    gaps: list[Gap] = []
    source = f"api:prometheus@{client.server}"

    def read(path: str, params: dict | None = None, kinds: tuple[str, ...] = ()) -> Any:
        try:
            return _data(client.get(path, params), path)
        except FetchError as exc:
            gaps.append(Gap(provider="monitoring", account=client.server, region="", service="prometheus",
                            operation=f"GET {path}", code=exc.code, message=exc.message, kinds=kinds))
            return None

    rules = read("/api/v1/rules", {"type": "alert"}, ("monitoring.prometheus.alert_rule",))
    if isinstance(rules, dict):
        resources.extend(rule_resources(rules.get("groups") or [], "", client.server, source + " /api/v1/rules"))
    config = read("/api/v1/status/config", kinds=("monitoring.prometheus.server",))
    if isinstance(config, dict) and isinstance(config.get("yaml"), str):
        try:
            parsed = parse_yaml_text(config["yaml"], f"{client.server} /api/v1/status/config", MAX_YAML_VALUES)
        except InputError:
            parsed = None
        if isinstance(parsed, dict):
            resources.append(server_resource(parsed, client.server, source + " /api/v1/status/config"))
    targets = read("/api/v1/targets", {"state": "active"}, ("monitoring.prometheus.target",))
    if isinstance(targets, dict):
        resources.extend(target_resources(targets, client.server, source + " /api/v1/targets"))
    alerts = read("/api/v1/alerts", kinds=("monitoring.prometheus.alert",))
    if isinstance(alerts, dict):
        resources.extend(alert_resources(alerts, client.server, source + " /api/v1/alerts"))
    for metric in LAG_SECONDS_METRICS:
        answer = read("/api/v1/query", {"query": f"max_over_time({metric}[{LAG_WINDOW}])"}, ("monitoring.prometheus.replica_lag",))
        if isinstance(answer, dict) and answer.get("resultType") == "vector":
            resources.extend(replica_lag_resources(metric, answer.get("result") or [], client.server, LAG_WINDOW,
                                                   source + " /api/v1/query"))
    return resources, gaps


def collect_alertmanager(client: Client) -> tuple[list[Resource], list[Gap]]:
    try:
        status = client.get("/api/v2/status")
        original = ((status or {}).get("config") or {}).get("original") if isinstance(status, dict) else None
        if not isinstance(original, str):
            raise FetchError("APIError", "GET /api/v2/status: no config.original in the answer")
        document = parse_yaml_text(original, f"{client.server} /api/v2/status config.original", MAX_YAML_VALUES)
        resource = alertmanager_resource(document, client.server, f"alertmanager:{client.server}",
                                         f"api:alertmanager@{client.server} /api/v2/status")
    except FetchError as exc:
        return [], [Gap(provider="monitoring", account=client.server, region="", service="alertmanager",
                        operation="GET /api/v2/status", code=exc.code, message=exc.message,
                        kinds=("monitoring.alertmanager.config",))]
    except InputError as exc:
        return [], [Gap(provider="monitoring", account=client.server, region="", service="alertmanager",
                        operation="GET /api/v2/status", code="InvalidConfig", message=str(exc).splitlines()[0][:300],
                        kinds=("monitoring.alertmanager.config",))]
    return [resource], []


def collect_monitoring(options: MonitoringOptions) -> Inventory:
    context = _ssl_context(options)
    resources: list[Resource] = []
    gaps: list[Gap] = []
    observed = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if options.prometheus:
        client = Client(check_url(options.prometheus, "--prometheus"), _auth_header(options.environ, "PROMETHEUS"), context,
                        options.timeout_seconds)
        found, missing = collect_prometheus(client)
        resources.extend(found)
        gaps.extend(missing)
    if options.alertmanager:
        client = Client(check_url(options.alertmanager, "--alertmanager"), _auth_header(options.environ, "ALERTMANAGER"),
                        context, options.timeout_seconds)
        found, missing = collect_alertmanager(client)
        resources.extend(found)
        gaps.extend(missing)
    from dataclasses import replace

    return Inventory(resources=tuple(replace(r, observed_at=observed) for r in resources), gaps=tuple(gaps),
                     sources=tuple(u for u in (options.prometheus, options.alertmanager) if u))
