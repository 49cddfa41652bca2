"""ARM reads of what Resource Graph does not index (drscan.collect.azure.queries.CHILD_READS): a
subscription's Activity Log diagnostic settings and security contacts, a vault's keys and
diagnostic settings, a cluster's diagnostic settings, an app's web configuration. One task per
(parent, read), a plain function of its inputs; failures become Gaps, never exceptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import AzureError

from drscan.collect.azure import clients
from drscan.collect.azure.queries import KEYVAULT_KEYS, SITE_CONFIG, ChildRead, child_read_named
from drscan.collect.azure.tasks import _arm_get, _arm_list, _convert_rows, _stamp, error_gap, utc_now
from drscan.collect.imports.batch import ImportBatch
from drscan.model import Resource
from drscan.normalize.azure_web import site_config_attrs

MAX_KEYS_PER_VAULT = 2000  # each key without a rotation policy in the listing costs one GET


@dataclass(frozen=True, slots=True)
class ChildTask:
    subscription: str
    parent_id: str  # lower-cased ARM id; "/subscriptions/<id>" for subscription-level reads
    parent_kind: str
    read: str  # ChildRead.name
    endpoint: str | None
    retry_total: int = 3


def plan_child_tasks(parents: list[Resource], reads: dict[str, tuple[ChildRead, ...]], endpoint: str | None,
                     retry_total: int) -> list[ChildTask]:
    return [ChildTask(p.account, p.id, p.kind, read.name, endpoint, retry_total)
            for p in parents for read in reads.get(p.kind, ())]


def _partial(task: ChildTask, attrs: dict, observed: str) -> Resource:
    """A resource carrying only what this read learnt about its parent; merge_resources folds it in."""
    return Resource(kind=task.parent_kind, id=task.parent_id, name=task.parent_id.rsplit("/", 1)[-1], provider="azure",
                    account=task.subscription.lower(), region="", attrs=attrs,
                    source=f"api:{task.read}@{task.subscription}", observed_at=observed)


def _with_rotation_policies(client: Any, endpoint: str | None, keys: list[dict]) -> list[dict]:
    """The keys listing may leave `rotationPolicy` out; GET each such key (bounded)."""
    out = []
    for number, key in enumerate(keys):
        props = key.get("properties") if isinstance(key.get("properties"), dict) else {}
        if "rotationPolicy" in props or number >= MAX_KEYS_PER_VAULT or not key.get("id"):
            out.append(key)
            continue
        out.append(_arm_get(client, endpoint, str(key["id"]), KEYVAULT_KEYS.api_version))
    return out


def run_child_read(task: ChildTask, credential: Any) -> ImportBatch:
    read = child_read_named(task.read)
    batch = ImportBatch()
    observed = utc_now()
    where = f"api:{read.name}@{task.subscription}"
    path = f"{task.parent_id}/{read.path}"
    try:
        with clients.arm_client(credential, task.endpoint, task.retry_total) as client:
            if read is SITE_CONFIG:
                body = _arm_get(client, task.endpoint, path, read.api_version)
                attrs = site_config_attrs(body.get("properties") if isinstance(body.get("properties"), dict) else {})
                if attrs:
                    batch.resources.append(_partial(task, attrs, observed))
                return batch
            items = _arm_list(client, task.endpoint, path, read.api_version)
            if read is KEYVAULT_KEYS:
                items = _with_rotation_policies(client, task.endpoint, items)
    except (AzureError, ValueError) as exc:  # ValueError: a body that is not JSON
        # Keys are resources of their own: a failed listing hides them all (an unseen-scope gap);
        # the other reads fill attributes of their parent, which then stay unknown.
        batch.gaps.append(error_gap(exc, subscription=task.subscription, service=read.name.split("_")[0],
                                    operation=read.name, kinds=read.kinds,
                                    resource_id=None if read is KEYVAULT_KEYS else task.parent_id))
        return batch
    rows = [dict(item, subscriptionId=task.subscription) for item in items]
    _convert_rows(rows, where, task.subscription, batch, read.kinds)
    if read.listed_attr:
        batch.resources.append(_partial(task, {read.listed_attr: True}, observed))
    return _stamp(batch, observed)
