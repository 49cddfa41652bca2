"""Collect stage entry point: offline exports and live providers (AWS, GCP, Azure) -> one
Inventory. Each source is independent; their resources are merged by id."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from drscan.collect.executor import ExecutorOptions, make_executor
from drscan.collect.inventory import import_inventory
from drscan.collect.merge import merge_resources
from drscan.errors import InputError
from drscan.model import Inventory


@dataclass(frozen=True)
class Sources:
    """What to collect from. Provider options are the providers' own dataclasses
    (drscan.collect.aws.collect.AwsOptions, ...gcp.collect.GcpOptions, ...azure.collect.AzureOptions)."""

    import_dir: Path | None = None
    aws: Any = None
    gcp: Any = None
    azure: Any = None
    more_imports: tuple[Path, ...] = ()  # further --import directories
    postgres: tuple[str, ...] = ()  # live read-only checks (--postgres DSN), drscan.collect.databases
    mysql: tuple[str, ...] = ()
    kubernetes: Any = None  # drscan.collect.kubernetes.collect.KubernetesOptions
    monitoring: Any = None  # drscan.monitoring.live.MonitoringOptions (--prometheus, --alertmanager)
    executor: ExecutorOptions = field(default_factory=ExecutorOptions)

    def describe(self) -> dict:
        scope: dict[str, Any] = {}
        if self.import_dir is not None:
            scope["imports"] = str(self.import_dir) if not self.more_imports else \
                [str(p) for p in (self.import_dir,) + self.more_imports]
        if self.aws is not None:
            scope["aws"] = {"regions": list(self.aws.regions) or ("all" if self.aws.all_regions else "default"),
                            "org": self.aws.org, "profile": self.aws.profile}
        if self.gcp is not None:
            scope["gcp"] = {"scopes": list(self.gcp.scopes)}
        if self.azure is not None:
            scope["azure"] = {"subscriptions": list(self.azure.subscriptions) if self.azure.subscriptions else "all"}
        if self.postgres or self.mysql:
            from drscan.collect.databases.dsn import redact_dsn

            scope["databases"] = [redact_dsn(d) for d in self.postgres + self.mysql]
        if self.kubernetes is not None:
            scope["kubernetes"] = {"contexts": list(self.kubernetes.contexts) or "all"}
        if self.monitoring is not None:
            scope["monitoring"] = {k: v for k, v in (("prometheus", self.monitoring.prometheus),
                                                     ("alertmanager", self.monitoring.alertmanager)) if v}
        if self.executor.kind != "local":
            scope["executor"] = self.executor.kind
        return scope


@dataclass
class Collection:
    inventory: Inventory
    api_calls: dict[str, int] = field(default_factory=dict)
    api_timings: Any = None  # live AWS: drscan.collect.aws.timings.ApiTimings (where the time went)


def collect(sources: Sources, on_item: Callable[[], None] | None = None,
            on_plan: Callable[[int], None] | None = None, executor: Any = None,
            on_note: Callable[[str], None] | None = None) -> Collection:
    """`executor`: a Dask executor shared with later stages (made and closed here when not given)."""
    if sources.import_dir is None and sources.aws is None and sources.gcp is None and sources.azure is None \
            and not sources.postgres and not sources.mysql and sources.kubernetes is None and sources.monitoring is None:
        raise InputError("nothing to scan: give --import DIR, or --aws, --gcp, --azure, --postgres, --mysql, --k8s, "
                         "--prometheus or --alertmanager")
    step = (lambda *_: on_item()) if on_item else None
    parts: list[Inventory] = []
    calls: dict[str, int] = {}
    timings: list = []
    if sources.import_dir is not None:
        parts.append(import_inventory(sources.import_dir, on_file=step))
        parts.extend(import_inventory(more, on_file=step) for more in sources.more_imports)
    live = sources.aws is not None or sources.gcp is not None or sources.azure is not None or sources.kubernetes is not None
    # Local runs keep each provider's own thread pool (--workers); Dask is shared by all providers.
    owned = make_executor(sources.executor) if executor is None and live and sources.executor.kind != "local" else None
    executor = executor or owned
    try:
        if sources.aws is not None:
            from drscan.collect.aws.collect import collect_aws  # boto3 loads only for live AWS scans

            inventory, aws_calls = collect_aws(sources.aws, on_task=step, on_plan=on_plan, executor=executor,
                                               on_note=on_note, on_timings=timings.append)
            parts.append(inventory)
            calls.update(aws_calls)
        if sources.gcp is not None:
            from drscan.collect.gcp.collect import collect_gcp

            parts.append(collect_gcp(sources.gcp, on_progress=step, executor=executor))
        if sources.azure is not None:
            from drscan.collect.azure.collect import collect_azure

            parts.append(collect_azure(sources.azure, on_progress=step, executor=executor))
        if sources.kubernetes is not None:
            from drscan.collect.kubernetes.collect import collect_kubernetes

            parts.append(collect_kubernetes(sources.kubernetes, on_progress=step, executor=executor))
    finally:
        if owned is not None:
            owned.close()
    if sources.postgres or sources.mysql:
        from drscan.collect.databases.collect import collect_databases

        parts.append(collect_databases(sources.postgres, sources.mysql))
    if sources.monitoring is not None:
        from drscan.monitoring.live import collect_monitoring

        parts.append(collect_monitoring(sources.monitoring))
    if len(parts) == 1:
        return Collection(parts[0], calls, timings[0] if timings else None)
    return Collection(Inventory(
        resources=tuple(merge_resources(r for part in parts for r in part.resources)),
        relations=tuple(r for part in parts for r in part.relations),
        references=tuple(r for part in parts for r in part.references),
        gaps=tuple(g for part in parts for g in part.gaps),
        sources=tuple(s for part in parts for s in part.sources),
    ), calls, timings[0] if timings else None)
