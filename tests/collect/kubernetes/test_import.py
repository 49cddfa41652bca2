"""Importing `kubectl get -o json` output: detection, cluster identity (folder or the
drscan.io/cluster annotation), ids that never collide, Velero's omitted fields read as Velero means
them, links into the cloud inventory, and apps selecting namespaces."""

from __future__ import annotations

import json
from pathlib import Path


from drscan.collect.imports.files import import_file
from drscan.collect.inventory import import_inventory
from drscan.config import App
from drscan.graph.build import build_graph
from drscan.model import Inventory, Resource
from tests.collect.kubernetes import estate
from tests.collect.kubernetes.estate import k


def _write(path: Path, document) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


def test_cluster_comes_from_the_folder_below_k8s_and_ids_never_collide(tmp_path):
    items = [k.namespace("payments", estate.CREATED)]
    _write(tmp_path / "k8s" / "prod-eks" / "core" / "namespaces.json", k.kube_list(items))
    _write(tmp_path / "k8s" / "prod-gke" / "namespaces.json", k.kube_list(items))
    inventory = import_inventory(tmp_path / "k8s")
    ids = sorted(r.id for r in inventory.resources if r.kind == "k8s.core.namespace")
    assert ids == ["k8s://prod-eks/_cluster/namespace/payments", "k8s://prod-gke/_cluster/namespace/payments"]
    assert {r.id for r in inventory.resources if r.kind == "k8s.core.cluster"} == {"k8s://prod-eks", "k8s://prod-gke"}


def test_annotation_on_the_list_names_the_cluster(tmp_path):
    document = k.kube_list([k.namespace("orders", estate.CREATED)])
    document["metadata"]["annotations"] = {"drscan.io/cluster": "arn:aws:eks:us-east-1:1:cluster/prod"}
    batch = import_file(_write(tmp_path / "exports" / "ns.json", document))
    assert batch.resources[0].id == "k8s://arn:aws:eks:us-east-1:1:cluster_prod/_cluster/namespace/orders"


def test_velero_omitted_fields_are_read_as_velero_means_them():
    backup = k.velero_backup("b1", estate.NOW, schedule=None, namespaces=None)  # no errors/warnings/snapshot keys
    backup["spec"].pop("ttl")
    from drscan.normalize.kubernetes import convert_object

    attrs = convert_object(backup, "c", "x").attrs
    assert attrs["errors"] == 0 and attrs["warnings"] == 0 and attrs["volume_snapshots_attempted"] == 0
    assert attrs["included_namespaces"] == ["*"] and attrs["snapshot_volumes"] is True
    assert attrs["ttl_seconds"] is None and attrs["ttl_is_server_default"] is True
    assert attrs["default_volumes_to_fs_backup"] is None  # the server's default, unknown to drscan
    new = {"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "b2", "namespace": "velero"}, "spec": {}}
    attrs = convert_object(new, "c", "x").attrs
    assert attrs["phase"] == "New" and attrs["errors"] is None  # no status yet: counts unknown, not zero
    location = convert_object(k.velero_bsl("default", estate.CREATED, provider="aws", bucket="b", phase=None), "c", "x").attrs
    assert location["phase"] is None  # never validated: not assumed Available


def test_typed_api_lists_without_item_kinds_are_read(tmp_path):
    deployment = k.deployment("api", "shop", estate.CREATED, replicas=2)
    item = {key: value for key, value in deployment.items() if key not in ("kind", "apiVersion")}
    path = _write(tmp_path / "k8s" / "c1" / "deployments.json",
                  {"kind": "DeploymentList", "apiVersion": "apps/v1", "metadata": {"resourceVersion": "1"}, "items": [item]})
    resource = next(r for r in import_file(path).resources if r.kind == "k8s.apps.deployment")
    assert resource.id == "k8s://c1/shop/deployment/api" and resource.attrs["replicas"] == 2


def test_an_object_without_a_name_is_a_gap_naming_file_and_item_and_the_rest_is_read(tmp_path):
    document = k.kube_list([k.namespace("ok", estate.CREATED), {"apiVersion": "v1", "kind": "Namespace", "metadata": {}}])
    path = _write(tmp_path / "k8s" / "c1" / "bad.json", document)
    batch = import_file(path)
    assert "k8s://c1/_cluster/namespace/ok" in {r.id for r in batch.resources}
    (gap,) = batch.gaps
    assert gap.code == "UnreadableRecord"
    assert gap.message == f"{path}#item 2: object lacks kind, apiVersion or metadata.name (or they are not text); record skipped"


def _with_cloud(tmp_path) -> tuple[Inventory, dict[str, Resource]]:
    root = estate.write_exports(tmp_path)
    _write(root / "prod-eks" / "kubeconfig.json", {
        "kind": "Config", "apiVersion": "v1", "current-context": "prod-eks", "preferences": {},
        "clusters": [{"name": "arn:aws:eks:us-east-1:111111111111:cluster/prod-eks",
                      "cluster": {"server": "https://ABCD1234.gr7.us-east-1.eks.amazonaws.com", "certificate-authority-data": "DATA+OMITTED"}}],
        "contexts": [{"name": "prod-eks", "context": {"cluster": "arn:aws:eks:us-east-1:111111111111:cluster/prod-eks", "user": "u"}}],
        "users": [{"name": "u", "user": {"token": "REDACTED"}}]})
    imported = import_inventory(root)
    cloud = [Resource(kind="aws.s3.bucket", id="arn:aws:s3:::acme-velero-prod-eks", name="acme-velero-prod-eks", provider="aws",
                      account="111111111111", region="us-west-2", attrs={"versioning": "Enabled", "object_lock_enabled": False}),
             Resource(kind="aws.ec2.volume", id=f"arn:aws:ec2:us-east-1:111111111111:volume/{estate.volume_id('data-ledger-0')}",
                      name="ledger-0", provider="aws", account="111111111111", region="us-east-1", zones=("us-east-1a",)),
             Resource(kind="aws.eks.cluster", id="arn:aws:eks:us-east-1:111111111111:cluster/prod-eks", name="prod-eks",
                      provider="aws", account="111111111111", region="us-east-1", attrs={"source_type": "AWS::EKS::Cluster"})]
    inventory = Inventory(resources=imported.resources + tuple(cloud), gaps=imported.gaps)
    return inventory, {r.id: r for r in cloud}


def test_graph_reaches_the_cloud_disk_bucket_and_cluster(tmp_path):
    inventory, cloud = _with_cloud(tmp_path)
    graph = build_graph(inventory)
    claim = "k8s://prod-eks/payments/persistentvolumeclaim/data-ledger-0"
    volume = graph.related(claim, "bound_to")[0]
    assert graph.related(volume.id, "backed_by")[0].kind == "aws.ec2.volume"
    assert [w.id for w in graph.related(claim, "mounts", "in")] == ["k8s://prod-eks/payments/statefulset/ledger"]
    location = "k8s://prod-eks/velero/backupstoragelocation/default"
    assert [b.id for b in graph.related(location, "writes_to")] == ["arn:aws:s3:::acme-velero-prod-eks"]
    assert graph.resources[location].attrs["offsite"] is True
    assert [c.id for c in graph.related("k8s://prod-eks", "runs_on")] == ["arn:aws:eks:us-east-1:111111111111:cluster/prod-eks"]
    assert graph.resources["k8s://prod-eks"].attrs["cloud_cluster_match"].startswith("kubeconfig cluster")
    assert {n.attrs["name"] for n in graph.related("k8s://prod-eks/velero/schedule/payments-hourly", "selects")} == {"payments"}
    assert graph.resources[claim].region == "us-east-1" and graph.resources[claim].zones == ("us-east-1a",)
    assert graph.resources[claim].provider == "aws"  # the cluster runs on AWS: a provider loss takes it down
    assert "token" not in json.dumps(dict(graph.resources["k8s://prod-eks"].attrs))


def test_apps_select_namespaces_by_name_or_label_with_everything_in_them(tmp_path):
    inventory, _ = _with_cloud(tmp_path)
    apps = (App(name="payments", member_namespaces=("payments",)), App(name="orders", member_tags={"app": "orders"}),
            App(name="gke-only", member_namespaces=("prod-gke/payments",)))
    graph = build_graph(inventory, apps)
    members = {a: sorted(i for i, names in graph.apps_of.items() if a in names) for a in ("payments", "orders", "gke-only")}
    assert "k8s://prod-eks/payments/statefulset/ledger" in members["payments"]
    assert "k8s://prod-eks/payments/persistentvolumeclaim/data-ledger-1" in members["payments"]
    assert "k8s://prod-eks/orders/deployment/orders-api" in members["orders"]  # the namespace is labelled app=orders
    assert not members["gke-only"]


def test_stored_scans_select_the_same_kubernetes_members(tmp_path):
    """`drscan dr` rebuilds membership from a stored scan: namespaces must expand there too."""
    from drscan.dr.scope import select_member_ids

    inventory, _ = _with_cloud(tmp_path)
    apps = (App(name="payments", member_namespaces=("payments",)), App(name="orders", member_tags={"app": "orders"}))
    graph = build_graph(inventory, apps)
    stored = [r for r in graph.relations if r.type != "member_of_app"]
    for app in apps:
        built = sorted(i for i, names in graph.apps_of.items() if app.name in names)
        assert select_member_ids(graph.resources, app, relations=stored) == built
