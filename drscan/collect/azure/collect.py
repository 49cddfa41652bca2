"""Collect stage for live Azure: list the subscriptions, run every Resource Graph query per
subscription (then SQL child reads) on a bounded thread pool, and normalize the rows with the
same transforms the `az graph query` importer uses."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Callable, Iterable

from azure.core.exceptions import AzureError

from drscan.collect.azure import clients
from drscan.collect.azure.clients import resolve_credential
from drscan.collect.azure.child_tasks import ChildTask, plan_child_tasks, run_child_read
from drscan.collect.azure.queries import CHILD_READS, GRAPH_QUERIES, SUBSCRIPTION_KIND, all_kinds, child_read_named, query_named
from drscan.collect.azure.tasks import (
    GraphTask, PageLimit, SqlDatabaseTask, SqlServerTask, error_gap, run_graph_query, run_sql_database, run_sql_server, utc_now,
)
from drscan.collect.imports.azure_graph import convert_row
from drscan.collect.imports.batch import ImportBatch
from drscan.collect.merge import merge_resources
from drscan.model import Gap, Inventory, Resource
from drscan.normalize.azure import count_owner_assignments

__all__ = ["AzureOptions", "collect_azure", "resolve_credential"]

MAX_SUBSCRIPTION_PAGES = 100
ROLE_ASSIGNMENTS = "role_assignments"


@dataclass(frozen=True)
class AzureOptions:
    subscriptions: tuple[str, ...] | None  # None = every subscription the credential can see
    endpoint: str | None = None  # ARM base URL: sovereign cloud, proxy, or a test fake
    credential: Any = None  # an azure TokenCredential; None => resolve_credential(endpoint)
    page_size: int = 1000
    workers: int = 8
    retry_total: int = 3


def subscription_row(subscription: dict) -> dict:
    """A subscription as ARM returns it -> the row shape of Resource Graph's ResourceContainers."""
    return {
        "id": subscription.get("id") or f"/subscriptions/{subscription.get('subscriptionId')}",
        "type": "microsoft.resources/subscriptions",
        "name": subscription.get("displayName") or subscription.get("subscriptionId"),
        "subscriptionId": subscription.get("subscriptionId"),
        "tenantId": subscription.get("tenantId"),
        "location": "global",
        "tags": subscription.get("tags") or {},
        "properties": {"state": subscription.get("state"),
                       "subscriptionPolicies": subscription.get("subscriptionPolicies") or {}},
    }


def list_subscriptions(options: AzureOptions, credential: Any) -> tuple[list[dict], list[Gap]]:
    """Subscriptions to scan, as raw ARM dicts, and the gaps met while listing them."""
    gaps: list[Gap] = []
    found: list[dict] = []
    with clients.subscription_client(credential, options.endpoint, options.retry_total) as client:
        if options.subscriptions is None:
            try:
                for number, page in enumerate(client.subscriptions.list().by_page(), start=1):
                    if number > MAX_SUBSCRIPTION_PAGES:
                        raise PageLimit(f"stopped after {MAX_SUBSCRIPTION_PAGES} pages of subscriptions; the rest were not scanned")
                    found.extend(dict(item) for item in page)
            except AzureError as exc:
                gaps.append(error_gap(exc, subscription="", service="subscriptions", operation="list", kinds=all_kinds()))
            return found, gaps
        for subscription_id in dict.fromkeys(s.strip().lower() for s in options.subscriptions if s.strip()):
            try:
                found.append(dict(client.subscriptions.get(subscription_id)))
            except AzureError as exc:
                # Resource Graph may still answer for it; scan it and record what we could not read.
                gaps.append(error_gap(exc, subscription=subscription_id, service="subscriptions", operation="get",
                                      kinds=(SUBSCRIPTION_KIND,)))
                found.append({"subscriptionId": subscription_id, "_unverified": True})
    return found, gaps


def _run_all(tasks: Iterable, runner: Callable[[Any, Any], ImportBatch], credential: Any, workers: int,
             on_progress: Callable[[int], None] | None, executor: Any = None,
             endpoint: str | None = None) -> list[tuple[Any, ImportBatch]]:
    """Run tasks on a bounded pool (or a Dask executor, whose workers resolve their own
    credential); results come back in task order so merging is deterministic."""
    tasks = list(tasks)
    results: dict[int, ImportBatch] = {}
    if executor is not None:
        for outcome in executor.run(runner, tasks, state_factory=partial(resolve_credential, endpoint)):
            batch = outcome.result if outcome.failure is None else _failure_batch(outcome.task, outcome.failure)
            results[outcome.index] = batch
            if on_progress:
                on_progress(len(batch.resources))
        return [(task, results[n]) for n, task in enumerate(tasks)]
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="drscan-azure") as pool:
        futures = {pool.submit(runner, task, credential): n for n, task in enumerate(tasks)}
        for future in as_completed(futures):
            batch = future.result()
            results[futures[future]] = batch
            if on_progress:
                on_progress(len(batch.resources))
    return [(task, results[n]) for n, task in enumerate(tasks)]


def _failure_batch(task: Any, failure: Any) -> ImportBatch:
    """A task that did not finish on the cluster: a Gap for its subscription and kinds."""
    if isinstance(task, GraphTask):
        service, operation, kinds, resource_id = "resourcegraph", task.query, query_named(task.query).kinds, None
    elif isinstance(task, SqlServerTask):
        service, operation, kinds, resource_id = "sql", "servers", ("azure.sql.server",), task.server_id
    elif isinstance(task, ChildTask):
        read = child_read_named(task.read)
        service, operation, kinds, resource_id = "arm", read.name, read.kinds, task.parent_id
    else:
        service, operation, kinds, resource_id = "sql", "databases", ("azure.sql.database",), task.database_id
    return ImportBatch(gaps=[Gap(provider="azure", account=task.subscription, region="", service=service,
                                 operation=operation, code=failure.error, resource_id=resource_id,
                                 message=f"task did not finish: {failure.describe()}", kinds=kinds)])


def _sql_tasks(resources: list[Resource], options: AzureOptions) -> tuple[list[SqlServerTask], list[SqlDatabaseTask]]:
    servers = [SqlServerTask(r.account, r.id, options.endpoint, options.retry_total)
               for r in resources if r.kind == "azure.sql.server"]
    databases = [SqlDatabaseTask(r.account, r.id, options.endpoint, options.retry_total)
                 for r in resources if r.kind == "azure.sql.database" and not r.attrs.get("is_system_database")]
    return servers, databases


def _with_owner_counts(resources: list[Resource], role_gaps: set[str]) -> list[Resource]:
    counts = count_owner_assignments(r for r in resources if r.kind == "azure.authorization.role_assignment")
    return [replace(r, attrs={**r.attrs, "owner_assignment_count": counts.get(r.account, 0)})
            if r.kind == SUBSCRIPTION_KIND and r.account not in role_gaps else r
            for r in resources]


def collect_azure(options: AzureOptions, on_progress: Callable[[int], None] | None = None, executor: Any = None) -> Inventory:
    credential = options.credential if options.credential is not None else resolve_credential(options.endpoint)
    endpoint = clients.arm_endpoint(options.endpoint)
    listed, gaps = list_subscriptions(options, credential)
    total = ImportBatch(gaps=list(gaps))
    observed = utc_now()
    subscription_ids: list[str] = []
    for subscription in listed:
        subscription_id = str(subscription.get("subscriptionId") or "").lower()
        if not subscription_id or subscription_id in subscription_ids:
            continue
        subscription_ids.append(subscription_id)
        if not subscription.get("_unverified"):
            converted = convert_row(subscription_row(subscription), f"api:subscriptions@{subscription_id}")
            total.resources.extend(replace(resource, observed_at=observed) for resource in converted.resources)
            total.gaps.extend(converted.gaps)

    graph_tasks = [GraphTask(s, q.name, options.endpoint, options.page_size, options.retry_total)
                   for s in subscription_ids for q in GRAPH_QUERIES]
    graph_results = _run_all(graph_tasks, run_graph_query, credential, options.workers, on_progress, executor, options.endpoint)
    for _, batch in graph_results:
        total.extend(batch)

    servers, databases = _sql_tasks(total.resources, options)
    for runner, tasks in ((run_sql_server, servers), (run_sql_database, databases)):
        for _, batch in _run_all(tasks, runner, credential, options.workers, on_progress, executor, options.endpoint):
            total.extend(batch)  # partial SQL database resources come after the rows they complete
    # Diagnostic settings, security contacts, Key Vault keys, app configuration: after the rows they complete.
    children = plan_child_tasks([r for r in total.resources if r.kind in CHILD_READS], CHILD_READS,
                                options.endpoint, options.retry_total)
    for _, batch in _run_all(children, run_child_read, credential, options.workers, on_progress, executor, options.endpoint):
        total.extend(batch)

    role_gaps = {g.account for g in total.gaps if g.service == "resourcegraph" and g.operation == ROLE_ASSIGNMENTS}
    resources = _with_owner_counts(merge_resources(total.resources), role_gaps)
    return Inventory(
        resources=tuple(resources),
        references=tuple(total.references),
        gaps=tuple(total.gaps),
        sources=tuple(f"azure:{endpoint}/subscriptions/{s}" for s in subscription_ids),
    )
