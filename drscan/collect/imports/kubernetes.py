"""Kubernetes exports -> Resources: `kubectl get ... -o json` output (`kind: List`, typed lists
such as `DeploymentList`, or one object), and `kubectl config view --minify -o json` (the
cluster's API endpoint and context, used to link it to its EKS/GKE/AKS resource).

Which cluster a file describes: the `drscan.io/cluster` annotation on the list's metadata
when present (the document wins), else the folder: the directory right below a folder named
`k8s` or `kubernetes` (`k8s/prod-eks/velero/backups.json` -> prod-eks), else the file's own
folder. kubectl output carries no cluster name, so put each cluster's files in its folder."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.records import Converted, RawRecord, RecordError, convert_records, type_name
from drscan.normalize.kubernetes import cluster_key, cluster_resource, convert_object
from drscan.normalize.lookup import as_dict, as_list

CLUSTER_ANNOTATION = "drscan.io/cluster"
ROOT_FOLDERS = ("k8s", "kubernetes")


def looks_like_kubernetes(document: Any) -> bool:
    """A kubectl List (or typed list), a single API object, or a kubeconfig."""
    if not isinstance(document, dict) or not isinstance(document.get("kind"), str) or "apiVersion" not in document:
        return False
    kind = document["kind"]
    if kind == "Config":
        return isinstance(document.get("clusters"), list)
    if kind == "List" or kind.endswith("List"):
        return isinstance(document.get("items"), list)
    return isinstance(document.get("metadata"), dict)


def cluster_from_path(path: Path) -> str:
    parts = path.parent.parts
    for index, part in enumerate(parts[:-1]):
        if part.lower() in ROOT_FOLDERS:
            return cluster_key(parts[index + 1])
    return cluster_key(path.parent.name or "cluster")


def _item_kind(list_kind: str, list_api_version: str, item: dict) -> dict:
    """Items of a typed list (the API's own `DeploymentList`) carry no kind/apiVersion; kubectl's
    `kind: List` items always do."""
    if item.get("kind") and item.get("apiVersion"):
        return item
    if list_kind.endswith("List") and list_kind != "List":
        return {**item, "kind": list_kind[:-4], "apiVersion": list_api_version}
    return item


def convert_item(item: Any, here: str, cluster: str, list_kind: str = "List", list_api_version: str = "v1") -> Converted:
    """One object of a list; one that cannot be read is a RecordError (a gap naming file and item)."""
    if not isinstance(item, dict):
        raise RecordError(f"{here}: expected a Kubernetes object, got {type_name(item)}", provider="kubernetes")
    item = _item_kind(list_kind, list_api_version, item)
    if not all(isinstance(v, str) and v for v in (item.get("kind"), item.get("apiVersion"),
                                                  as_dict(item.get("metadata")).get("name"))):
        raise RecordError(f"{here}: object lacks kind, apiVersion or metadata.name (or they are not text)",
                          provider="kubernetes", account=cluster)
    try:
        return Converted(resources=[convert_object(item, cluster, here)])
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise RecordError(f"{here} ({item.get('kind')} {as_dict(item.get('metadata')).get('name')}): "
                          f"unreadable object: {type(exc).__name__}: {exc}", provider="kubernetes", account=cluster) from None


def import_objects(items: list, cluster: str, where: str, list_kind: str = "List", list_api_version: str = "v1") -> ImportBatch:
    batch = convert_records(RawRecord(f"{where}#item {number}", item,
                                      partial(convert_item, cluster=cluster, list_kind=list_kind,
                                              list_api_version=list_api_version))
                            for number, item in enumerate(items, start=1))
    if batch.resources:
        batch.resources.append(cluster_resource(cluster, {}, where))
    return batch


def kubeconfig_attrs(document: dict) -> dict[str, Any]:
    """The current context's cluster name and API server (never users or credentials)."""
    current = document.get("current-context")
    contexts = {str(c.get("name")): as_dict(c.get("context")) for c in as_list(document.get("contexts")) if isinstance(c, dict)}
    context = contexts.get(str(current)) or (next(iter(contexts.values())) if len(contexts) == 1 else {})
    clusters = {str(c.get("name")): as_dict(c.get("cluster")) for c in as_list(document.get("clusters")) if isinstance(c, dict)}
    name = context.get("cluster") or (next(iter(clusters)) if len(clusters) == 1 else None)
    server = clusters.get(str(name), {}).get("server") if name else None
    return {"context": current, "kubeconfig_cluster": name, "server": server}


def import_kubernetes_document(document: dict, path: Path) -> ImportBatch:
    metadata = as_dict(document.get("metadata"))
    annotated = as_dict(metadata.get("annotations")).get(CLUSTER_ANNOTATION)
    cluster = cluster_key(annotated if isinstance(annotated, str) and annotated else cluster_from_path(path))
    where = str(path)
    kind = document["kind"]
    if kind == "Config":
        batch = ImportBatch()
        batch.resources.append(cluster_resource(cluster, {k: v for k, v in kubeconfig_attrs(document).items() if v},
                                                f"{where}#kubeconfig"))
        return batch
    if kind == "List" or kind.endswith("List"):
        return import_objects(document["items"], cluster, where, kind, str(document.get("apiVersion")))
    return import_objects([document], cluster, where)
