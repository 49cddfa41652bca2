"""The GCP collection unit: one (scope, asset group) task, a plain function of its inputs. It pages
through ListAssets (REST), retries throttling with backoff, and turns each Asset into the same
Resources the offline importer gives (drscan/collect/imports/gcp_asset.py); failures become Gaps."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable

import requests
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions
from google.cloud import asset_v1
from google.protobuf import struct_pb2
from google.protobuf.json_format import MessageToDict

from drscan.collect.gcp.plan import CONTENT_TYPE_PERMISSIONS
from drscan.collect.imports.gcp_asset import convert_asset
from drscan.errors import InputError
from drscan.model import Gap, Reference, Resource

RENEW = "renew them (gcloud auth application-default login) or set a fresh DRSCAN_GCP_TOKEN"
MAX_PAGES = 10_000  # per task: 10 million assets at the maximum page size of 1,000
OPERATION = "ListAssets"
SERVICE = "cloudasset"

# Worth another try: throttling, server-side trouble, the network. 4xx other than 429 are answers.
RETRYABLE = (
    api_exceptions.TooManyRequests, api_exceptions.ResourceExhausted,
    api_exceptions.ServiceUnavailable, api_exceptions.InternalServerError, api_exceptions.BadGateway,
    api_exceptions.GatewayTimeout, api_exceptions.DeadlineExceeded,
    requests.ConnectionError, requests.Timeout,
)
_HTTP_CODES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
               429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 501: "UNIMPLEMENTED", 502: "UNAVAILABLE",
               503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


@dataclass(frozen=True)
class GcpTask:
    scope: str  # organizations/N, folders/N or projects/ID
    group: str  # drscan.collect.gcp.plan.AssetGroup.name
    content_type: str  # RESOURCE or IAM_POLICY
    asset_types: tuple[str, ...]
    kinds: tuple[str, ...]  # what a Gap on this task leaves NOT_ASSESSED
    endpoint: str | None = None
    page_size: int = 500
    max_attempts: int = 5
    backoff_initial: float = 1.0  # seconds before the first retry; doubles up to backoff_max
    backoff_max: float = 32.0
    timeout: float = 60.0  # per HTTP request
    max_pages: int = MAX_PAGES


@dataclass(frozen=True)
class TaskResult:
    task: GcpTask
    resources: tuple[Resource, ...] = ()
    references: tuple[Reference, ...] = ()
    gaps: tuple[Gap, ...] = ()
    pages: int = 0
    assets: int = 0
    requests: int = 0  # HTTP requests sent, retries included


class CredentialsRejected(InputError):
    """The API refused the credentials themselves (401, or a token that cannot be refreshed):
    every other call would fail the same way, so the scan stops with this message."""


def make_client(credentials: Any, endpoint: str | None) -> asset_v1.AssetServiceClient:
    """One client per task/thread (its requests session is not shared). REST transport: plain
    HTTPS through `requests`, which honours REQUESTS_CA_BUNDLE and HTTPS_PROXY."""
    options = {"api_endpoint": endpoint} if endpoint else None
    return asset_v1.AssetServiceClient(credentials=credentials, transport="rest", client_options=options)


def _iso(moment: datetime | None) -> str:
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(value: struct_pb2.Value) -> Any:
    """A protobuf Value -> plain JSON. Struct numbers are all doubles (14 -> 14.0); integral ones
    become the integers the service's JSON had, so live data equals an export's."""
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return {key: _value(item) for key, item in value.struct_value.fields.items()}
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    if kind == "number_value":
        number = value.number_value
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if kind == "bool_value":
        return value.bool_value
    return None


def asset_dict(asset: asset_v1.Asset) -> dict:
    """An Asset message -> the camelCase JSON the REST API and `gcloud asset list` print (the
    fields the importer reads). Walks resource.data directly: twice as fast as MessageToDict,
    which matters at tens of thousands of assets."""
    pb = asset._pb
    out: dict[str, Any] = {"name": pb.name, "assetType": pb.asset_type, "ancestors": list(pb.ancestors)}
    if pb.HasField("update_time"):
        out["updateTime"] = pb.update_time.ToJsonString()
    if pb.HasField("resource"):
        resource = pb.resource
        shown = {"version": resource.version, "discoveryDocumentUri": resource.discovery_document_uri,
                 "discoveryName": resource.discovery_name, "resourceUrl": resource.resource_url,
                 "parent": resource.parent, "location": resource.location}
        out["resource"] = {key: value for key, value in shown.items() if value}
        out["resource"]["data"] = {key: _value(item) for key, item in resource.data.fields.items()}
    if pb.HasField("iam_policy"):
        out["iamPolicy"] = MessageToDict(pb.iam_policy)
    return out


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_code(exc: BaseException) -> tuple[str, str]:
    """(code, one-line message) of an API or transport error: the ErrorInfo reason when it names
    the cause (SERVICE_DISABLED), else the google.rpc status (PERMISSION_DENIED, ...)."""
    if isinstance(exc, api_exceptions.GoogleAPICallError):
        status, message = "", ""
        response = exc.response
        if response is not None:
            try:
                body = response.json().get("error", {})
                status, message = str(body.get("status") or ""), str(body.get("message") or "")
            except (ValueError, AttributeError):
                pass
        code = exc.reason if exc.reason == "SERVICE_DISABLED" else (status or _HTTP_CODES.get(exc.code or 0, f"HTTP_{exc.code}"))
        return code, _one_line(message or exc.message or str(exc))
    if isinstance(exc, requests.Timeout):
        return "DEADLINE_EXCEEDED", _one_line(f"request timed out: {_root_cause(exc)}")
    if isinstance(exc, requests.ConnectionError):
        return "CONNECTION_ERROR", _one_line(f"cannot connect: {_root_cause(exc)}")
    return type(exc).__name__, _one_line(str(exc))


def _root_cause(exc: BaseException) -> BaseException:
    """requests wraps urllib3 wraps ssl/socket errors; the innermost one says what happened
    ('[SSL: CERTIFICATE_VERIFY_FAILED] ...', 'Connection refused')."""
    seen = exc
    for _ in range(10):
        inner = getattr(seen, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in seen.args if isinstance(a, BaseException)), None)
        if inner is None or inner is seen:
            break
        seen = inner
    return seen


def _hint(code: str, task: GcpTask) -> str:
    if code == "SERVICE_DISABLED":
        return " (enable cloudasset.googleapis.com in the project that bills the calls)"
    if code == "PERMISSION_DENIED":
        return f" (needs {CONTENT_TYPE_PERMISSIONS.get(task.content_type, 'cloudasset.assets.list*')} on {task.scope}; see drscan permissions gcp)"
    return ""


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("Retry-After") if response is not None and response.headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare for Google APIs; use our own backoff


def _delay(task: GcpTask, attempt: int, exc: BaseException) -> float:
    """Exponential backoff with jitter; a server's Retry-After is a floor (capped by backoff_max)."""
    base = min(task.backoff_max, task.backoff_initial * 2 ** (attempt - 1))
    delay = base * random.uniform(0.5, 1.0)
    hinted = _retry_after(exc)
    return min(task.backoff_max, max(delay, hinted)) if hinted is not None else delay


def fetch_page(client: asset_v1.AssetServiceClient, request: asset_v1.ListAssetsRequest, task: GcpTask,
               sleep: Callable[[float], None] = time.sleep,
               on_request: Callable[[], None] | None = None) -> asset_v1.ListAssetsResponse:
    """One page. The SDK's own retry is off (retry=None) so that attempts are counted and
    bounded here, per page, and a throttled page resumes from its own token instead of
    restarting the listing. `on_request` is called for every HTTP request sent."""
    for attempt in range(1, max(1, task.max_attempts) + 1):
        if on_request:
            on_request()
        try:
            pager = client.list_assets(request=request, retry=None, timeout=task.timeout)
            return next(iter(pager.pages))  # the first page is the response just received
        except api_exceptions.Unauthorized as exc:
            raise CredentialsRejected(f"GCP rejected the credentials (401 on {task.scope}): {error_code(exc)[1]}; "
                                      f"{RENEW}") from None
        except (auth_exceptions.RefreshError, auth_exceptions.TransportError) as exc:
            # A 401 makes the session refresh the token; a static token (DRSCAN_GCP_TOKEN) cannot be.
            raise CredentialsRejected(f"GCP credentials were rejected (401 on {task.scope}) or could not be refreshed: "
                                      f"{_one_line(str(exc), 160)}; {RENEW}") from None
        except RETRYABLE as exc:
            if attempt >= task.max_attempts:
                raise
            sleep(_delay(task, attempt, exc))
    raise AssertionError("unreachable: the loop returns or raises")


def collect_task(task: GcpTask, credentials: Any, on_page: Callable[[int], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> TaskResult:
    """Every page of one ListAssets series -> Resources, References, and a Gap if it stopped early.
    `credentials` is shared read-only between tasks; `on_page(n)` is told each page's asset count."""
    resources: list[Resource] = []
    references: list[Reference] = []
    gaps: list[Gap] = []
    pages = assets = 0
    sent = [0]

    def count_request() -> None:
        sent[0] += 1

    where = f"api:{OPERATION}@{task.scope}#{task.content_type}"
    token = ""
    seen_tokens: set[str] = set()
    with make_client(credentials, task.endpoint) as client:
        for _ in range(task.max_pages):
            request = asset_v1.ListAssetsRequest(parent=task.scope, content_type=task.content_type,
                                                 asset_types=list(task.asset_types), page_size=task.page_size,
                                                 page_token=token)
            try:
                page = fetch_page(client, request, task, sleep, count_request)
            except (api_exceptions.GoogleAPICallError, requests.RequestException) as exc:
                code, message = error_code(exc)
                after = f" after {pages} page(s)" if pages else ""
                gaps.append(_gap(task, code, f"{message}{_hint(code, task)}{after}"))
                break
            pages += 1
            observed = _iso(page.read_time)
            for asset in page.assets:
                try:
                    converted = convert_asset(asset_dict(asset), where)
                except InputError as exc:
                    gaps.append(_gap(task, "UNREADABLE_ASSET", _one_line(str(exc)), resource_id=asset.name or None))
                    continue
                resources.extend(replace(resource, observed_at=observed) for resource in converted.resources)
                references.extend(converted.references)
                gaps.extend(converted.gaps)
            assets += len(page.assets)
            if on_page:
                on_page(len(page.assets))
            token = page.next_page_token
            if not token:
                break
            if token in seen_tokens:  # a server that repeats itself would otherwise loop to max_pages
                gaps.append(_gap(task, "PAGINATION_LOOP", f"page token {token[:40]!r} came back twice; listing stopped"))
                break
            seen_tokens.add(token)
        else:
            gaps.append(_gap(task, "PAGE_LIMIT", f"stopped after {task.max_pages} pages; later assets were not read"))
    return TaskResult(task, tuple(resources), tuple(references), tuple(gaps), pages, assets, sent[0])


def _gap(task: GcpTask, code: str, message: str, resource_id: str | None = None) -> Gap:
    types = ", ".join(t.split("/", 1)[-1] for t in task.asset_types)
    return Gap(provider="gcp", account=task.scope, region="", service=SERVICE, operation=OPERATION, code=code,
               message=_one_line(f"{task.scope} {task.content_type} [{types}]: {message}", 400),
               resource_id=resource_id, kinds=() if resource_id else task.kinds)
