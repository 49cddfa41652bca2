"""Kubernetes API objects (as `kubectl get -o json` prints them, or as the API lists them) ->
normalized Resources. One table, KINDS, names every kind drscan reads: the importer, the live
collector and `drscan permissions k8s` all read it. Velero's kinds are in normalize/velero.py.

Ids include the cluster, so two clusters never collide:
`k8s://<cluster>/<namespace>/<kind>/<name>`, with `_cluster` for cluster-scoped objects and
`k8s://<cluster>` for the cluster itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from drscan.model import Resource
from drscan.normalize.lookup import as_dict, as_list, dig
from drscan.normalize.shape import Shape

PROVIDER = "k8s"
CLUSTER_KIND = "k8s.core.cluster"
CLUSTER_SCOPE = "_cluster"  # the namespace segment of cluster-scoped objects (never a valid namespace name)
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
# Node-affinity keys CSI drivers put on zonal volumes, besides the well-known zone labels.
VOLUME_ZONE_KEYS = ZONE_LABELS + ("topology.ebs.csi.aws.com/zone", "topology.gke.io/zone", "topology.disk.csi.azure.com/zone")
WORKLOAD_KINDS = ("k8s.apps.deployment", "k8s.apps.statefulset", "k8s.apps.daemonset")
_CLUSTER_NAME = re.compile(r"[^A-Za-z0-9._:@-]+")
_QUANTITY = re.compile(r"^\s*([0-9.]+(?:[eE][-+]?[0-9]+)?)\s*([KMGTPE]i?|[mk]?)\s*$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"": 1, "m": 1e-3, "k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


def cluster_key(name: str) -> str:
    """A cluster name safe inside ids: kubeconfig contexts may be ARNs ('.../cluster/prod')."""
    return _CLUSTER_NAME.sub("_", str(name).strip()) or "cluster"


def cluster_id(cluster: str) -> str:
    return f"k8s://{cluster}"


def object_id(cluster: str, namespace: str | None, segment: str, name: str) -> str:
    return f"k8s://{cluster}/{namespace or CLUSTER_SCOPE}/{segment}/{name}"


def namespace_id(cluster: str, namespace: str) -> str:
    return object_id(cluster, None, "namespace", namespace)


def cluster_of(resource_id: str) -> str:
    """'k8s://prod/ns/deployment/x' -> 'prod'."""
    return resource_id[6:].split("/", 1)[0] if resource_id.startswith("k8s://") else ""


def quantity_bytes(value: Any) -> float | None:
    """A Kubernetes quantity ('10Gi', '500M', '1e9') in bytes; None when it cannot be read."""
    match = _QUANTITY.match(str(value)) if value is not None else None
    if not match:
        return None
    number, suffix = float(match.group(1)), match.group(2)
    return number * (_BINARY[suffix] if suffix in _BINARY else _DECIMAL.get(suffix, 1))


def size_gb(value: Any) -> float | None:
    size = quantity_bytes(value)
    return None if size is None else round(size / 1e9, 3)


def label(labels: dict, keys: tuple[str, ...]) -> str | None:
    return next((str(labels[k]) for k in keys if labels.get(k)), None)


def labels_of(obj: dict) -> dict[str, str]:
    return {str(k): str(v) for k, v in as_dict(dig(obj, "metadata.labels")).items()}


def selector_of(selector: Any) -> dict | None:
    """A LabelSelector as {matchLabels, matchExpressions}; None when absent (not the same as {},
    which selects everything)."""
    if not isinstance(selector, dict):
        return None
    return {"match_labels": {str(k): str(v) for k, v in as_dict(selector.get("matchLabels")).items()},
            "match_expressions": [{"key": str(e.get("key")), "operator": str(e.get("operator")),
                                   "values": [str(v) for v in as_list(e.get("values"))]}
                                  for e in as_list(selector.get("matchExpressions")) if isinstance(e, dict)]}


def selector_matches(selector: dict | None, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics: every matchLabels pair and every expression must hold."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in selector.get("match_labels", {}).items()):
        return False
    for expression in selector.get("match_expressions", []):
        key, operator, values = expression["key"], expression["operator"], expression["values"]
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


# ---------------------------------------------------------------------------- transforms

def _namespace(obj: dict) -> Shape:
    return Shape(attrs={"phase": dig(obj, "status.phase")})


def _node(obj: dict) -> Shape:
    labels = labels_of(obj)
    provider_id = str(dig(obj, "spec.providerID") or "")
    scheme = provider_id.split("://", 1)[0] if "://" in provider_id else ""
    cloud = {"aws": "aws", "gce": "gcp", "azure": "azure"}.get(scheme)
    ready = next((c.get("status") == "True" for c in as_list(dig(obj, "status.conditions"))
                  if isinstance(c, dict) and c.get("type") == "Ready"), None)
    zone = label(labels, ZONE_LABELS)
    attrs = {"zone": zone, "region": label(labels, REGION_LABELS), "provider_id": provider_id or None, "cloud": cloud,
             "instance_type": labels.get("node.kubernetes.io/instance-type") or labels.get("beta.kubernetes.io/instance-type"),
             "instance_id": provider_id.rstrip("/").rsplit("/", 1)[-1] if provider_id else None,
             "ready": ready, "unschedulable": bool(dig(obj, "spec.unschedulable"))}
    return Shape(attrs=attrs, zones=(zone,) if zone else ())


def _claim_size(obj: dict) -> float | None:
    return size_gb(dig(obj, "status.capacity.storage") or dig(obj, "spec.resources.requests.storage"))


def _pvc(obj: dict) -> Shape:
    return Shape(attrs={"storage_class": dig(obj, "spec.storageClassName"), "volume_name": dig(obj, "spec.volumeName"),
                        "phase": dig(obj, "status.phase"), "access_modes": [str(m) for m in as_list(dig(obj, "spec.accessModes"))],
                        "size_gb": _claim_size(obj)})


def volume_zones(obj: dict) -> tuple[str, ...]:
    """Zones a PersistentVolume is pinned to by its required node affinity (zonal disks)."""
    zones: set[str] = set()
    for term in as_list(dig(obj, "spec.nodeAffinity.required.nodeSelectorTerms")):
        for expression in as_list(as_dict(term).get("matchExpressions")):
            if isinstance(expression, dict) and expression.get("key") in VOLUME_ZONE_KEYS and expression.get("operator") == "In":
                zones.update(str(v) for v in as_list(expression.get("values")))
    labels = labels_of(obj)
    if not zones and label(labels, ZONE_LABELS):
        zones.update(str(label(labels, ZONE_LABELS)).split("__"))  # in-tree volumes label zones, '__' separated
    return tuple(sorted(zones))


CSI_DISK_DRIVERS = {"ebs.csi.aws.com": "aws", "pd.csi.storage.gke.io": "gcp", "disk.csi.azure.com": "azure"}


def cloud_disk(spec: dict) -> tuple[str | None, str | None, str | None]:
    """(cloud, disk handle, driver) of a PersistentVolume: CSI volumeHandle of the EBS / GCE PD /
    Azure Disk drivers, or the in-tree awsElasticBlockStore / gcePersistentDisk / azureDisk source."""
    csi = as_dict(spec.get("csi"))
    if csi:
        driver = str(csi.get("driver") or "")
        return CSI_DISK_DRIVERS.get(driver), (str(csi["volumeHandle"]) if csi.get("volumeHandle") else None), driver
    ebs = as_dict(spec.get("awsElasticBlockStore"))
    if ebs.get("volumeID"):
        return "aws", str(ebs["volumeID"]).rstrip("/").rsplit("/", 1)[-1], "kubernetes.io/aws-ebs"  # aws://us-east-1a/vol-...
    pd = as_dict(spec.get("gcePersistentDisk"))
    if pd.get("pdName"):
        return "gcp", str(pd["pdName"]), "kubernetes.io/gce-pd"
    azure = as_dict(spec.get("azureDisk"))
    if azure.get("diskURI"):
        return "azure", str(azure["diskURI"]), "kubernetes.io/azure-disk"
    for source in ("nfs", "hostPath", "local", "iscsi", "cephfs", "rbd", "fc", "glusterfs"):
        if spec.get(source):
            return None, None, source
    return None, None, None


def _pv(obj: dict) -> Shape:
    spec = as_dict(obj.get("spec"))
    cloud, handle, driver = cloud_disk(spec)
    claim = as_dict(spec.get("claimRef"))
    zones = volume_zones(obj)
    return Shape(attrs={"storage_class": spec.get("storageClassName"), "reclaim_policy": spec.get("persistentVolumeReclaimPolicy"),
                        "phase": dig(obj, "status.phase"), "size_gb": size_gb(dig(obj, "spec.capacity.storage")),
                        "claim_namespace": claim.get("namespace"), "claim_name": claim.get("name"),
                        "driver": driver, "disk_cloud": cloud, "volume_handle": handle,
                        "zones": list(zones)}, zones=zones)


def _storage_class(obj: dict) -> Shape:
    annotations = as_dict(dig(obj, "metadata.annotations"))
    parameters = {str(k): str(v) for k, v in as_dict(obj.get("parameters")).items() if "secret" not in str(k).lower()}
    return Shape(attrs={"provisioner": obj.get("provisioner"), "reclaim_policy": obj.get("reclaimPolicy") or "Delete",
                        "volume_binding_mode": obj.get("volumeBindingMode") or "Immediate", "parameters": parameters,
                        "is_default": str(annotations.get("storageclass.kubernetes.io/is-default-class")).lower() == "true"})


def _zone_keys(term: dict) -> bool:
    return str(term.get("topologyKey") or "") in ZONE_LABELS


def pod_spec_facts(pod: dict) -> dict:
    """What a pod template says about placement and storage."""
    affinity = as_dict(pod.get("affinity"))
    anti = as_dict(affinity.get("podAntiAffinity"))
    anti_terms = [as_dict(t) for t in as_list(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))]
    anti_terms += [as_dict(as_dict(t).get("podAffinityTerm")) for t in as_list(anti.get("preferredDuringSchedulingIgnoredDuringExecution"))]
    spread = [as_dict(t) for t in as_list(pod.get("topologySpreadConstraints"))]
    required_zones: set[str] = set()
    for term in as_list(dig(affinity, "nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms")):
        for expression in as_list(as_dict(term).get("matchExpressions")):
            if isinstance(expression, dict) and expression.get("key") in ZONE_LABELS and expression.get("operator") == "In":
                required_zones.update(str(v) for v in as_list(expression.get("values")))
    claims = sorted({str(dig(v, "persistentVolumeClaim.claimName")) for v in as_list(pod.get("volumes"))
                     if isinstance(v, dict) and dig(v, "persistentVolumeClaim.claimName")})
    return {"node_selector": {str(k): str(v) for k, v in as_dict(pod.get("nodeSelector")).items()},
            "required_zones": sorted(required_zones),
            "zone_spread_constraint": any(_zone_keys(t) for t in spread),
            "zone_anti_affinity": any(_zone_keys(t) for t in anti_terms),
            "pvc_claims": claims}


def _workload(obj: dict, kind: str) -> Shape:
    spec = as_dict(obj.get("spec"))
    status = as_dict(obj.get("status"))
    template = as_dict(spec.get("template"))
    attrs: dict[str, Any] = {"selector": selector_of(spec.get("selector")),
                             "pod_labels": {str(k): str(v) for k, v in as_dict(dig(template, "metadata.labels")).items()}}
    attrs.update(pod_spec_facts(as_dict(template.get("spec"))))
    if kind == "k8s.apps.daemonset":
        attrs.update(replicas=status.get("desiredNumberScheduled"), ready_replicas=status.get("numberReady", 0 if status else None))
    else:
        # The API server defaults spec.replicas to 1; a missing status count means zero (omitempty).
        attrs.update(replicas=spec.get("replicas", 1), ready_replicas=status.get("readyReplicas", 0) if status else None)
    if kind == "k8s.apps.statefulset":
        attrs["volume_claim_templates"] = sorted(str(dig(t, "metadata.name")) for t in as_list(spec.get("volumeClaimTemplates"))
                                                 if dig(t, "metadata.name"))
        attrs["service_name"] = spec.get("serviceName")
    return Shape(attrs=attrs)


def _pdb(obj: dict) -> Shape:
    spec = as_dict(obj.get("spec"))
    status = as_dict(obj.get("status"))
    return Shape(attrs={"selector": selector_of(spec.get("selector")), "min_available": spec.get("minAvailable"),
                        "max_unavailable": spec.get("maxUnavailable"),
                        "disruptions_allowed": status.get("disruptionsAllowed", 0) if status else None,
                        "expected_pods": status.get("expectedPods", 0) if status else None})


def _ingress_points(obj: dict) -> list[str]:
    return sorted({str(i.get("hostname") or i.get("ip")) for i in as_list(dig(obj, "status.loadBalancer.ingress"))
                   if isinstance(i, dict) and (i.get("hostname") or i.get("ip"))})


def _service(obj: dict) -> Shape:
    spec = as_dict(obj.get("spec"))
    return Shape(attrs={"type": spec.get("type") or "ClusterIP",
                        "selector": {str(k): str(v) for k, v in as_dict(spec.get("selector")).items()},
                        "load_balancer_ingress": _ingress_points(obj), "dns_name": (_ingress_points(obj) or [None])[0]})


def _ingress(obj: dict) -> Shape:
    spec = as_dict(obj.get("spec"))
    services = {str(dig(spec, "defaultBackend.service.name"))} if dig(spec, "defaultBackend.service.name") else set()
    hosts = set()
    for rule in as_list(spec.get("rules")):
        rule = as_dict(rule)
        if rule.get("host"):
            hosts.add(str(rule["host"]))
        for path in as_list(dig(rule, "http.paths")):
            name = dig(path, "backend.service.name")
            if name:
                services.add(str(name))
    return Shape(attrs={"ingress_class": spec.get("ingressClassName"), "hosts": sorted(hosts), "services": sorted(services),
                        "load_balancer_ingress": _ingress_points(obj), "dns_name": (_ingress_points(obj) or [None])[0]})


Transform = Callable[[dict], Shape]


@dataclass(frozen=True)
class KindInfo:
    """One Kubernetes kind drscan reads: its API coordinates (for listing and for RBAC) and its
    transform. `segment` is the kind's part of resource ids."""

    kind: str  # drscan kind, e.g. k8s.apps.deployment
    api_kind: str  # Deployment
    group: str  # "" = core
    version: str
    plural: str
    namespaced: bool
    transform: Transform
    optional: bool = False  # an add-on's API (chaos tools): not served means not installed, nothing hidden

    @property
    def segment(self) -> str:
        return self.api_kind.lower()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


def _kinds() -> tuple[KindInfo, ...]:
    from drscan.normalize import velero  # Velero's transforms live beside its schedule and duration parsers

    def workload(kind: str) -> Transform:
        return lambda obj: _workload(obj, kind)

    return (
        KindInfo("k8s.core.namespace", "Namespace", "", "v1", "namespaces", False, _namespace),
        KindInfo("k8s.core.node", "Node", "", "v1", "nodes", False, _node),
        KindInfo("k8s.core.persistentvolumeclaim", "PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", True, _pvc),
        KindInfo("k8s.core.persistentvolume", "PersistentVolume", "", "v1", "persistentvolumes", False, _pv),
        KindInfo("k8s.core.service", "Service", "", "v1", "services", True, _service),
        KindInfo("k8s.apps.deployment", "Deployment", "apps", "v1", "deployments", True, workload("k8s.apps.deployment")),
        KindInfo("k8s.apps.statefulset", "StatefulSet", "apps", "v1", "statefulsets", True, workload("k8s.apps.statefulset")),
        KindInfo("k8s.apps.daemonset", "DaemonSet", "apps", "v1", "daemonsets", True, workload("k8s.apps.daemonset")),
        KindInfo("k8s.storage.storageclass", "StorageClass", "storage.k8s.io", "v1", "storageclasses", False, _storage_class),
        KindInfo("k8s.policy.poddisruptionbudget", "PodDisruptionBudget", "policy", "v1", "poddisruptionbudgets", True, _pdb),
        KindInfo("k8s.networking.ingress", "Ingress", "networking.k8s.io", "v1", "ingresses", True, _ingress),
        KindInfo("k8s.velero.backup", "Backup", "velero.io", "v1", "backups", True, velero.backup),
        KindInfo("k8s.velero.schedule", "Schedule", "velero.io", "v1", "schedules", True, velero.schedule),
        KindInfo("k8s.velero.restore", "Restore", "velero.io", "v1", "restores", True, velero.restore),
        KindInfo("k8s.velero.backupstoragelocation", "BackupStorageLocation", "velero.io", "v1", "backupstoragelocations",
                 True, velero.storage_location),
        KindInfo("k8s.velero.volumesnapshotlocation", "VolumeSnapshotLocation", "velero.io", "v1", "volumesnapshotlocations",
                 True, velero.snapshot_location),
        *_chaos_kinds(),
    )


# Chaos experiments are DR-test evidence (drscan.drtests.chaos reads them from the kept object).
CHAOS_MESH_KINDS = ("PodChaos", "NetworkChaos", "StressChaos", "IOChaos", "TimeChaos", "KernelChaos", "DNSChaos",
                    "HTTPChaos", "JVMChaos", "AWSChaos", "GCPChaos", "AzureChaos", "BlockChaos", "PhysicalMachineChaos",
                    "Workflow")
LITMUS_KINDS = ("ChaosResult", "ChaosEngine")
CHAOS_KEEP = {"metadata": ("name", "namespace", "labels", "annotations", "creationTimestamp"),
              "spec": ("selector", "action", "mode", "templates", "entry", "experiment", "engine", "appinfo"),
              "status": ("conditions", "experiment", "experimentStatus", "probeStatuses", "experiments", "startTime",
                         "endTime", "engineStatus")}


def _chaos(obj: dict) -> Shape:
    """Keep the parts of a chaos experiment the DR-test adapters judge (its outcome, app and date)."""
    kept: dict[str, Any] = {"kind": obj.get("kind"), "apiVersion": obj.get("apiVersion")}
    for part, keys in CHAOS_KEEP.items():
        source = as_dict(obj.get(part))
        kept[part] = {k: source[k] for k in keys if k in source}
    return Shape(attrs={"object": kept})


def _chaos_kinds() -> tuple[KindInfo, ...]:
    mesh = tuple(KindInfo(f"k8s.chaos_mesh.{k.lower()}", k, "chaos-mesh.org", "v1alpha1",
                          "workflows" if k == "Workflow" else k.lower(), True, _chaos, optional=True)
                 for k in CHAOS_MESH_KINDS)
    litmus = tuple(KindInfo(f"k8s.litmus.{k.lower()}", k, "litmuschaos.io", "v1alpha1", k.lower() + "s", True, _chaos,
                            optional=True) for k in LITMUS_KINDS)
    return mesh + litmus


_TABLE: dict[str, tuple[KindInfo, ...]] = {}


def kinds() -> tuple[KindInfo, ...]:
    """Every kind drscan reads (built on first use: no work at import time)."""
    if "all" not in _TABLE:
        _TABLE["all"] = _kinds()
    return _TABLE["all"]


def kind_info(api_version: str, api_kind: str) -> KindInfo | None:
    group = str(api_version).rsplit("/", 1)[0] if "/" in str(api_version) else ""
    return next((k for k in kinds() if k.api_kind == api_kind and k.group == group), None)


def generic_kind(api_version: str, api_kind: str) -> tuple[str, str]:
    """(drscan kind, id segment) of a kind drscan keeps but does not read: 'cert-manager.io/v1'
    Certificate -> ('k8s.cert_manager_io.certificate', 'certificate.cert-manager.io')."""
    group = str(api_version).rsplit("/", 1)[0] if "/" in str(api_version) else "core"
    service = re.sub(r"[^a-z0-9_]", "_", group.lower()) or "core"
    kind = re.sub(r"[^a-z0-9_]", "_", str(api_kind).lower()) or "object"
    return f"k8s.{service}.{kind}", f"{str(api_kind).lower()}.{group}"


def convert_object(obj: dict, cluster: str, where: str) -> Resource:
    """One Kubernetes object -> Resource (raises KeyError/TypeError/ValueError on unreadable input)."""
    api_version, api_kind = str(obj["apiVersion"]), str(obj["kind"])
    metadata = as_dict(obj.get("metadata"))
    name = str(metadata["name"])
    namespace = metadata.get("namespace")
    info = kind_info(api_version, api_kind)
    if info is not None:
        kind, segment, shape = info.kind, info.segment, info.transform(obj)
        namespace = namespace if info.namespaced else None
    else:
        (kind, segment), shape = generic_kind(api_version, api_kind), None
    attrs: dict[str, Any] = {"name": name, "namespace": namespace, "api_version": api_version,
                             "created_at": metadata.get("creationTimestamp"), "uid": metadata.get("uid")}
    if shape is not None:
        attrs.update(shape.attrs)
    else:
        attrs["source_type"] = f"{api_version}/{api_kind}"
    return Resource(kind=kind, id=object_id(cluster, namespace, segment, name),
                    name=f"{namespace}/{name}" if namespace else name, provider=PROVIDER, account=cluster, region="",
                    zones=shape.zones if shape is not None else (), attrs=attrs, tags=labels_of(obj), source=where)


def cluster_resource(cluster: str, attrs: dict[str, Any], source: str) -> Resource:
    return Resource(kind=CLUSTER_KIND, id=cluster_id(cluster), name=cluster, provider=PROVIDER, account=cluster, region="",
                    attrs={"name": cluster, **attrs}, source=source)
