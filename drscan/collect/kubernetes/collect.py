"""Collect stage for live Kubernetes: resolve the kubeconfig contexts (named, or all), run one
ListTask per (cluster, kind) on a bounded thread pool, and merge what they found. Read-only:
only list calls (HTTP GET), the verbs `drscan permissions k8s` grants."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from drscan.collect.imports.batch import ImportBatch
from drscan.collect.kubernetes.tasks import ListTask, run_list_task, unfinished_gap, utc_now
from drscan.collect.merge import merge_resources
from drscan.errors import InputError
from drscan.model import Inventory
from drscan.normalize.kubernetes import cluster_key, cluster_resource, kinds
from drscan.yamlfile import load_yaml


@dataclass(frozen=True)
class KubernetesOptions:
    contexts: tuple[str, ...] = ()  # kubeconfig contexts; empty = every context of the kubeconfig
    kubeconfig: str | None = None
    workers: int = 8
    page_size: int = 500


def resolve_contexts(options: KubernetesOptions) -> list[tuple[str, dict]]:
    """(context name, {cluster, server}) for each context to scan; an unknown name is an input error."""
    from kubernetes.config import kube_config
    from kubernetes.config.config_exception import ConfigException

    path = options.kubeconfig or kube_config.KUBE_CONFIG_DEFAULT_LOCATION
    for part in str(path).split(os.pathsep):  # $KUBECONFIG may list several files
        if part and Path(part).expanduser().is_file():
            load_yaml(Path(part).expanduser())  # bounded first (aliases, depth, size): the client's safe_load is not
    try:
        loader = kube_config.KubeConfigMerger(path)
        config = loader.config
        raw = {key: [getattr(n, "value", n) for n in config.value.get(key) or []] for key in ("contexts", "clusters")}
        contexts = {str(c["name"]): dict(c.get("context") or {}) for c in raw["contexts"]}
        clusters = {str(c["name"]): dict(c.get("cluster") or {}) for c in raw["clusters"]}
    except (ConfigException, OSError, ValueError, KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        raise InputError(f"kubeconfig {path}: cannot read: {exc}") from None
    if not contexts:
        raise InputError(f"kubeconfig {path}: no contexts")
    chosen = [c for c in options.contexts if c.lower() != "all"] or sorted(contexts)
    unknown = [c for c in chosen if c not in contexts]
    if unknown:
        raise InputError(f"kubeconfig {path}: unknown context {unknown[0]!r} (known: {', '.join(sorted(contexts))})")
    return [(c, {"kubeconfig_cluster": contexts[c].get("cluster"),
                 "server": clusters.get(str(contexts[c].get("cluster")), {}).get("server")}) for c in chosen]


def _run_on_worker(task: ListTask, _state: None) -> ImportBatch:
    """The executor's task function: the worker reads the kubeconfig path the task names."""
    return run_list_task(task)


def _no_state() -> None:
    return None


def _run_on_executor(tasks: list[ListTask], executor: Any) -> Iterator[ImportBatch]:
    """Results in task order (merging stays deterministic); a task that never finished (its worker
    kept dying) is a gap naming its cluster and kind, whose rules report NOT ASSESSED."""
    batches: list[ImportBatch | None] = [None] * len(tasks)
    for outcome in executor.run(_run_on_worker, tasks, state_factory=_no_state, state_key="drscan.k8s"):
        if outcome.failure is None:
            batches[outcome.index] = outcome.result
        else:
            batches[outcome.index] = ImportBatch(gaps=[unfinished_gap(outcome.task, outcome.failure.error,
                                                                      outcome.failure.describe())])
    return (b for b in batches if b is not None)


def collect_kubernetes(options: KubernetesOptions, on_progress: Callable[[int], None] | None = None,
                       executor: Any = None) -> Inventory:
    """With a (Dask) executor the list tasks run on its workers, each with the kubeconfig (or
    in-cluster service account) the worker has; no credentials travel with the tasks."""
    contexts = resolve_contexts(options)
    tasks = [ListTask(context=name, cluster=cluster_key(name), kind=k.kind, kubeconfig=options.kubeconfig,
                      page_size=options.page_size) for name, _ in contexts for k in kinds()]
    total = ImportBatch()
    observed = utc_now()
    for name, facts in contexts:
        resource = cluster_resource(cluster_key(name), {"context": name, **{k: v for k, v in facts.items() if v}},
                                    f"kubeconfig:{name}")
        total.resources.append(replace(resource, observed_at=observed))
    if executor is not None:
        for batch in _run_on_executor(tasks, executor):
            total.extend(batch)
            if on_progress:
                on_progress(len(batch.resources))
    else:
        with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="drscan-k8s") as pool:
            for batch in pool.map(run_list_task, tasks):  # results in task order: merging is deterministic
                total.extend(batch)
                if on_progress:
                    on_progress(len(batch.resources))
    return Inventory(resources=tuple(merge_resources(total.resources)), references=tuple(total.references),
                     gaps=tuple(total.gaps), sources=tuple(f"k8s:{name}" for name, _ in contexts))
