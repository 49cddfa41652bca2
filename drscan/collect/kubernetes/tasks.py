"""The Kubernetes collection unit: one (cluster, kind) task, a frozen dataclass of plain inputs
(no client: it is built inside the run, so tasks can be pickled and run anywhere), and
run_list_task(), which pages through one list call (`limit` / `continue`) with the official
`kubernetes` client and normalizes the items with the importer's own code. API errors become
Gaps: 403 names the kind (its rules report NOT_ASSESSED), 404 says the API (e.g. Velero's CRDs)
is not served, 410 (the continue token expired) restarts the listing once, then becomes a gap."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.kubernetes import import_objects
from drscan.errors import InputError
from drscan.model import Gap
from drscan.normalize.kubernetes import PROVIDER, KindInfo, kinds

RESTARTS_ON_EXPIRY = 1


@dataclass(frozen=True, slots=True)
class ListTask:
    context: str  # kubeconfig context to call
    cluster: str  # cluster key used in resource ids (drscan.normalize.kubernetes.cluster_key(context))
    kind: str  # drscan kind, a key of drscan.normalize.kubernetes.kinds()
    kubeconfig: str | None = None  # None: $KUBECONFIG or ~/.kube/config
    page_size: int = 500
    max_pages: int = 2000
    timeout_seconds: float = 60.0


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def kind_of(name: str) -> KindInfo:
    return next(k for k in kinds() if k.kind == name)


def list_path(info: KindInfo) -> str:
    """The collection's URL path: every list is cluster-wide (all namespaces)."""
    return f"/api/{info.version}/{info.plural}" if not info.group else f"/apis/{info.group}/{info.version}/{info.plural}"


def unfinished_gap(task: ListTask, code: str, message: str) -> Gap:
    """A task that never returned (e.g. its Dask workers kept dying): its kind was not seen."""
    return _gap(task, kind_of(task.kind), code, f"task did not finish: {message}", (task.kind,))


def _gap(task: ListTask, info: KindInfo, code: str, message: str, kinds_affected: tuple[str, ...]) -> Gap:
    return Gap(provider=PROVIDER, account=task.cluster, region="", service=info.group or "core",
               operation=f"list {info.plural}", code=code, message=message[:300], kinds=kinds_affected)


def _status_message(body: Any) -> str:
    try:
        status = json.loads(body)
    except (TypeError, ValueError):
        return str(body or "")[:300]
    return str(status.get("message") or status.get("reason") or "")[:300] if isinstance(status, dict) else ""


class _Expired(Exception):
    """The server answered 410 Gone to a continue token."""


def _pages(task: ListTask, info: KindInfo, client: Any):
    """Yield (list kind, apiVersion, items) per page; raises _Expired on 410 mid-listing."""
    from kubernetes import client as k8s
    from kubernetes.client.exceptions import ApiException

    timeout = (10.0, task.timeout_seconds)
    token: str | None = None
    for _ in range(task.max_pages):
        params: dict[str, Any] = {"limit": task.page_size, "_preload_content": False, "_request_timeout": timeout}
        if token:
            params["_continue"] = token
        try:
            if info.group:
                response = k8s.CustomObjectsApi(client).list_cluster_custom_object(info.group, info.version, info.plural, **params)
            else:
                core = k8s.CoreV1Api(client)
                method = {"namespaces": core.list_namespace, "nodes": core.list_node,
                          "persistentvolumes": core.list_persistent_volume,
                          "persistentvolumeclaims": core.list_persistent_volume_claim_for_all_namespaces,
                          "services": core.list_service_for_all_namespaces}[info.plural]
                response = method(**params)
        except ApiException as exc:
            if exc.status == 410 and token:
                raise _Expired(_status_message(exc.body)) from None
            raise
        body = json.loads(response.data)
        yield str(body.get("kind") or "List"), str(body.get("apiVersion") or info.api_version), body.get("items") or []
        token = (body.get("metadata") or {}).get("continue") or None
        if not token:
            return
    raise OverflowError(f"stopped after {task.max_pages} pages of {info.plural}; the rest was not read")


def run_list_task(task: ListTask) -> ImportBatch:
    """List one kind in one cluster. Never raises for API or transport errors: they become gaps."""
    from kubernetes import config as k8s_config
    from kubernetes.client.exceptions import ApiException
    from kubernetes.config.config_exception import ConfigException
    from urllib3.exceptions import HTTPError

    info = kind_of(task.kind)
    batch = ImportBatch()
    where = f"api:k8s/{task.cluster}{list_path(info)}"
    observed = utc_now()
    try:
        client = k8s_config.new_client_from_config(config_file=task.kubeconfig, context=task.context, persist_config=False)
    except (ConfigException, OSError, ValueError) as exc:
        batch.gaps.append(_gap(task, info, "KubeconfigError", f"context {task.context}: {exc}", (info.kind,)))
        return batch
    try:
        for attempt in range(RESTARTS_ON_EXPIRY + 1):
            pages = ImportBatch()
            try:
                for list_kind, api_version, items in _pages(task, info, client):
                    pages.extend(import_objects(items, task.cluster, where, list_kind, api_version))
            except _Expired as exc:
                if attempt < RESTARTS_ON_EXPIRY:
                    continue  # a consistent list needs a fresh start, not the inconsistent token 410 offers
                batch.gaps.append(_gap(task, info, "Expired", f"continue token expired twice (410 Gone): {exc}", (info.kind,)))
                return batch
            batch.extend(pages)
            break
    except ApiException as exc:
        message = _status_message(exc.body) or str(exc.reason)
        if exc.status == 404 and info.optional:
            pass  # an add-on (a chaos tool) that is not installed: nothing to see, nothing hidden
        elif exc.status == 404:
            # The API is not served (Velero not installed): a fact about the cluster, not a hole in what we saw.
            batch.gaps.append(_gap(task, info, "NotFound", f"{info.api_version} {info.plural} is not served: {message}", ()))
        else:
            code = {401: "Unauthorized", 403: "Forbidden", 429: "TooManyRequests"}.get(exc.status, f"HTTP{exc.status}")
            batch.gaps.append(_gap(task, info, code, f"HTTP {exc.status}: {message}", (info.kind,)))
    except (HTTPError, OSError, ValueError, OverflowError, InputError) as exc:
        batch.gaps.append(_gap(task, info, type(exc).__name__, " ".join(str(exc).split()), (info.kind,)))
    finally:
        client.close()
    batch.resources = [replace(r, observed_at=observed) for r in batch.resources]
    return batch
