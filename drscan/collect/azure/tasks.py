"""Units of Azure collection: each task is a frozen dataclass of inputs and a plain function
that runs it and returns an ImportBatch. Failures become Gaps naming the subscription, the
query and the kinds it would have produced; the task never raises for an API error."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable
from urllib.parse import urlencode, urlsplit

from azure.core.exceptions import AzureError, HttpResponseError
from azure.core.rest import HttpRequest

from drscan.collect.azure import clients
from drscan.collect.azure.queries import SQL_DATABASE_READS, SQL_SERVER_READS, ChildRead, query_named
from drscan.collect.imports.azure_graph import convert_row
from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Gap, Resource
from drscan.normalize.azure import sql_database_details

MAX_GRAPH_PAGES = 5000  # x 1000 rows: 5 million resources of one query in one subscription
MAX_LIST_PAGES = 200


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def one_line(text: Any, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def error_gap(exc: Exception, *, subscription: str, service: str, operation: str, kinds: tuple[str, ...],
              resource_id: str | None = None) -> Gap:
    """AuthorizationFailed, throttling that outlasted the retries, 5xx, TLS or connection errors -> a Gap."""
    if isinstance(exc, HttpResponseError) and exc.status_code is not None:
        error = getattr(exc, "error", None)
        code = getattr(error, "code", None) or str(exc.status_code)
        message = f"HTTP {exc.status_code}: {one_line(getattr(error, 'message', None) or exc.message or exc)}"
    elif isinstance(exc, AzureError):
        text = str(exc)
        code = "TLSError" if "CERTIFICATE_VERIFY_FAILED" in text or "SSLError" in text else type(exc).__name__
        message = one_line(text)
    else:
        code, message = type(exc).__name__, one_line(exc)
    return Gap(provider="azure", account=subscription.lower(), region="", service=service, operation=operation,
               code=code, message=message, resource_id=resource_id, kinds=kinds)


def _stamp(batch: ImportBatch, observed_at: str) -> ImportBatch:
    batch.resources = [replace(r, observed_at=observed_at) for r in batch.resources]
    return batch


def _convert_rows(rows: list, where: str, subscription: str, batch: ImportBatch, kinds: tuple[str, ...]) -> None:
    for row in rows:
        try:
            converted = convert_row(row, where)
        except InputError as exc:  # one odd row must not hide the rest
            row_id = row.get("id") if isinstance(row, dict) else None
            batch.gaps.append(Gap(provider="azure", account=subscription.lower(), region="", service="resourcegraph",
                                  operation=where, code="UnreadableRow", message=one_line(exc),
                                  resource_id=str(row_id).lower() if row_id else None, kinds=kinds))
            continue
        batch.resources.extend(converted.resources)
        batch.references.extend(converted.references)
        batch.gaps.extend(converted.gaps)


@dataclass(frozen=True, slots=True)
class GraphTask:
    """One Resource Graph query for one subscription, paged on $skipToken."""

    subscription: str
    query: str  # GraphQuery.name
    endpoint: str | None
    page_size: int = 1000
    retry_total: int = 3


def run_graph_query(task: GraphTask, credential: Any) -> ImportBatch:
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    query = query_named(task.query)
    batch = ImportBatch()
    where = f"api:resourcegraph/{query.name}@{task.subscription}"
    observed = utc_now()

    def gap(exc: Exception) -> ImportBatch:
        batch.gaps.append(error_gap(exc, subscription=task.subscription, service="resourcegraph",
                                    operation=query.name, kinds=query.kinds))
        return batch

    try:
        with clients.graph_client(credential, task.endpoint, task.retry_total) as client:
            skip_token = None
            for _ in range(MAX_GRAPH_PAGES):
                response = client.resources(QueryRequest(
                    subscriptions=[task.subscription], query=query.kql,
                    options=QueryRequestOptions(skip_token=skip_token, top=task.page_size, result_format="objectArray")))
                rows = response.data if isinstance(response.data, list) else []
                _convert_rows(rows, where, task.subscription, batch, query.kinds)
                skip_token = response.skip_token
                if not skip_token:
                    if str(response.result_truncated).lower() == "true":
                        batch.gaps.append(Gap(provider="azure", account=task.subscription.lower(), region="",
                                              service="resourcegraph", operation=query.name, code="ResultTruncated",
                                              message=f"Resource Graph truncated the result after {len(batch.resources)} rows",
                                              kinds=query.kinds))
                    break
            else:
                batch.gaps.append(Gap(provider="azure", account=task.subscription.lower(), region="", service="resourcegraph",
                                      operation=query.name, code="PageLimit",
                                      message=f"stopped after {MAX_GRAPH_PAGES} pages; the rest was not read",
                                      kinds=query.kinds))
    except AzureError as exc:
        # Rows of pages already read are kept; the gap marks the kinds as incomplete.
        return _stamp(gap(exc), observed)
    return _stamp(batch, observed)


@dataclass(frozen=True, slots=True)
class SqlDatabaseTask:
    """ARM GETs of one SQL database's TDE state, backup retention and geo-replication links."""

    subscription: str
    database_id: str  # lower-cased ARM id
    endpoint: str | None
    retry_total: int = 3


@dataclass(frozen=True, slots=True)
class SqlServerTask:
    """ARM GET of one SQL server's failover groups."""

    subscription: str
    server_id: str
    endpoint: str | None
    retry_total: int = 3


class ArmReadError(HttpResponseError):
    """A non-2xx answer to a plain ARM GET, with the ARM error code parsed from the body."""


class PageLimit(AzureError):
    """A listing went on past its page bound, or its nextLink left the ARM endpoint."""


def _arm_get(client, endpoint: str | None, path: str, api_version: str) -> dict:
    url = path if path.startswith("https://") else f"{clients.arm_endpoint(endpoint)}{path}?{urlencode({'api-version': api_version})}"
    response = client.send_request(HttpRequest("GET", url))
    if response.status_code >= 400:
        raise ArmReadError(response=response)
    body = response.json()
    return body if isinstance(body, dict) else {}


def _same_host(url: str, endpoint: str | None) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(clients.arm_endpoint(endpoint)).netloc.lower()


def _arm_list(client, endpoint: str | None, path: str, api_version: str) -> list:
    """GET a collection and follow nextLink (bounded, and only on the same ARM host)."""
    items: list = []
    url: str | None = path
    for _ in range(MAX_LIST_PAGES):
        body = _arm_get(client, endpoint, url, api_version)
        items.extend(v for v in body.get("value") or [] if isinstance(v, dict))
        url = body.get("nextLink")
        if not url:
            return items
        if not _same_host(url, endpoint):  # never send the bearer token to another host
            raise PageLimit(f"{path}: nextLink points outside {clients.arm_endpoint(endpoint)}; later pages not read")
    raise PageLimit(f"{path}: stopped after {MAX_LIST_PAGES} pages; later pages not read")


def _read(read: ChildRead, parent: str, subscription: str, batch: ImportBatch, fetch: Callable[[], Any]) -> Any:
    try:
        return fetch()
    except (AzureError, ValueError) as exc:  # ValueError: a body that is not JSON
        batch.gaps.append(error_gap(exc, subscription=subscription, service="sql", operation=read.name,
                                    kinds=read.kinds, resource_id=parent))
        return None


def run_sql_database(task: SqlDatabaseTask, credential: Any) -> ImportBatch:
    """A partial azure.sql.database Resource (same id) carrying only the child-resource facts;
    merge_resources folds it into the Resource Graph row."""
    batch = ImportBatch()
    observed = utc_now()
    tde_read, retention_read, links_read = SQL_DATABASE_READS
    base = task.database_id
    with clients.arm_client(credential, task.endpoint, task.retry_total) as client:
        tde = _read(tde_read, base, task.subscription, batch,
                    lambda: _arm_get(client, task.endpoint, f"{base}/{tde_read.path}", tde_read.api_version))
        retention = _read(retention_read, base, task.subscription, batch,
                          lambda: _arm_get(client, task.endpoint, f"{base}/{retention_read.path}", retention_read.api_version))
        links = _read(links_read, base, task.subscription, batch,
                      lambda: _arm_list(client, task.endpoint, f"{base}/{links_read.path}", links_read.api_version))
    attrs = sql_database_details(tde, retention, links)
    if attrs:
        batch.resources.append(Resource(kind="azure.sql.database", id=base, name=base.rsplit("/", 1)[-1], provider="azure",
                                        account=task.subscription.lower(), region="", attrs=attrs,
                                        source=f"api:sql/databases@{task.subscription}", observed_at=observed))
    return batch


def run_sql_server(task: SqlServerTask, credential: Any) -> ImportBatch:
    batch = ImportBatch()
    (read,) = SQL_SERVER_READS
    where = f"api:sql/{read.name}@{task.subscription}"
    with clients.arm_client(credential, task.endpoint, task.retry_total) as client:
        groups = _read(read, task.server_id, task.subscription, batch,
                       lambda: _arm_list(client, task.endpoint, f"{task.server_id}/{read.path}", read.api_version))
    if groups:
        rows = [dict(g, subscriptionId=task.subscription) for g in groups]
        _convert_rows(rows, where, task.subscription, batch, read.kinds)
    return _stamp(batch, utc_now())
