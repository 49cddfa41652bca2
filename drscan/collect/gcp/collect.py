"""Plan and run a live GCP scan: scopes x asset groups (drscan.collect.gcp.plan) as independent
tasks on a bounded thread pool, merged into one Inventory like an import of the same assets."""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from typing import Any, Callable

from drscan.collect.gcp.plan import ASSET_GROUPS, AssetGroup, parse_scopes, validate_endpoint
from drscan.collect.gcp.task import MAX_PAGES, OPERATION, SERVICE, GcpTask, TaskResult, collect_task
from drscan.collect.merge import merge_resources
from drscan.errors import InputError
from drscan.model import Gap, Inventory, Resource

TOKEN_ENV = "DRSCAN_GCP_TOKEN"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"  # the only OAuth scope Cloud Asset accepts
MAX_PAGE_SIZE = 1000  # the API's maximum


@dataclass(frozen=True)
class GcpOptions:
    scopes: tuple[str, ...]  # "organizations/123", "folders/55", "projects/my-project" (comma lists are split)
    endpoint: str | None = None  # --gcp-endpoint: Private Service Connect, proxy or a local fake; None: the default
    credentials: Any = None  # a google.auth credentials object; None: resolve_credentials()
    page_size: int = 500
    workers: int = 8  # tasks in flight across the scan
    max_attempts: int = 5  # per page, on 429/5xx/connection errors
    backoff_initial: float = 1.0
    backoff_max: float = 32.0
    timeout: float = 60.0
    max_pages: int = MAX_PAGES

    def __post_init__(self) -> None:
        object.__setattr__(self, "scopes", parse_scopes(self.scopes))
        object.__setattr__(self, "endpoint", validate_endpoint(self.endpoint))
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InputError(f"GCP page size must be 1..{MAX_PAGE_SIZE}, got {self.page_size}")
        if self.workers < 1 or self.max_attempts < 1 or self.max_pages < 1:
            raise InputError("GCP workers, max_attempts and max_pages must be at least 1")


def resolve_credentials() -> Any:
    """DRSCAN_GCP_TOKEN (a bearer token, used as is and never refreshed: air-gapped runners,
    `gcloud auth print-access-token`), else Application Default Credentials."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        from google.oauth2.credentials import Credentials

        return Credentials(token=token)
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _project = google.auth.default(scopes=[CLOUD_PLATFORM])
    except DefaultCredentialsError as exc:
        first = " ".join(str(exc).split())[:200]
        raise InputError(f"no GCP credentials: run `gcloud auth application-default login`, set "
                         f"GOOGLE_APPLICATION_CREDENTIALS, or set {TOKEN_ENV} ({first})") from None
    return credentials


def plan_tasks(options: GcpOptions, groups: tuple[AssetGroup, ...] = ASSET_GROUPS) -> list[GcpTask]:
    """Scope-major, groups in plan order: results are merged in this order whatever finishes first."""
    return [GcpTask(scope=scope, group=group.name, content_type=group.content_type, asset_types=group.asset_types,
                    kinds=group.kinds, endpoint=options.endpoint, page_size=options.page_size,
                    max_attempts=options.max_attempts, backoff_initial=options.backoff_initial,
                    backoff_max=options.backoff_max, timeout=options.timeout, max_pages=options.max_pages)
            for scope in options.scopes for group in groups]


def run_tasks(tasks: list[GcpTask], credentials: Any, workers: int,
              on_progress: Callable[[int], None] | None = None) -> list[TaskResult]:
    """Run on a bounded pool; results in task order. A task that finds the credentials rejected
    stops the scan (every other call would fail alike): queued tasks are cancelled."""
    lock = threading.Lock()

    def progress(count: int) -> None:
        if on_progress:
            with lock:
                on_progress(count)

    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(tasks) or 1)), thread_name_prefix="drscan-gcp")
    try:
        futures = [pool.submit(collect_task, task, credentials, progress) for task in tasks]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                pool.shutdown(wait=True, cancel_futures=True)
                raise future.exception()
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_PROJECT_SCOPE = re.compile(r"^projects/(.+)$")


def _gap_accounts(gaps: list[Gap], resources: list[Resource]) -> list[Gap]:
    """A gap on projects/X is about account X, spelt as its resources spell it (the project id,
    also when the scope named the project by number), so the engine can tell which of the
    project's resources it concerns. Organization and folder scopes stay as they are."""
    ids = {r.attrs.get("project_number"): r.attrs.get("project_id") for r in resources
           if r.kind == "gcp.resourcemanager.project" and r.attrs.get("project_id")}
    out = []
    for gap in gaps:
        match = _PROJECT_SCOPE.match(gap.account)
        if match:
            gap = replace(gap, account=ids.get(match.group(1)) or match.group(1))
        out.append(gap)
    return out


def run_on_executor(tasks: list[GcpTask], executor: Any, on_progress: Callable[[int], None] | None = None) -> list[TaskResult]:
    """Run on a cluster: each worker resolves its own credentials (resolve_credentials, once per
    worker process); a task that did not finish becomes a Gap covering its kinds."""
    results: list[TaskResult | None] = [None] * len(tasks)
    for outcome in executor.run(collect_task, tasks, state_factory=resolve_credentials):
        task = outcome.task
        results[outcome.index] = outcome.result if outcome.failure is None else TaskResult(task, gaps=(Gap(
            provider="gcp", account=task.scope, region="", service=SERVICE, operation=OPERATION,
            code=outcome.failure.error, message=f"{task.group} task did not finish: {outcome.failure.describe()}",
            kinds=task.kinds),))
        if on_progress:
            on_progress(results[outcome.index].assets)
    return [r for r in results if r is not None]


def collect_gcp(options: GcpOptions, on_progress: Callable[[int], None] | None = None, executor: Any = None) -> Inventory:
    """Collect every (scope, asset group) task. `on_progress(n)` is told each page's asset count.
    With a (Dask) executor, tasks run on its workers with the workers' own credentials."""
    tasks = plan_tasks(options)
    if executor is not None:
        results = run_on_executor(tasks, executor, on_progress)
    else:
        credentials = options.credentials if options.credentials is not None else resolve_credentials()
        results = run_tasks(tasks, credentials, options.workers, on_progress)
    resources = merge_resources(r for result in results for r in result.resources)
    gaps = _gap_accounts([g for result in results for g in result.gaps], resources)
    return Inventory(
        resources=tuple(resources),
        references=tuple(ref for result in results for ref in result.references),
        gaps=tuple(gaps),
        sources=tuple(f"gcp:{scope}" for scope in options.scopes),
    )
