"""Builders for Kubernetes and Velero objects exactly as `kubectl get ... -o json` prints them
(kind/apiVersion on every item, metadata with uid/resourceVersion/creationTimestamp, the fields
the API server defaults, Velero's omitempty status), and for the `kind: List` envelope.

Shared by samples/acme/generate.py, bench/synth_k8s.py and the Kubernetes tests (the live
collector's fake API server pages through these). Stdlib only; no randomness: callers pass
names and times. Shapes follow the Kubernetes API reference (apps/v1, core/v1, policy/v1,
storage.k8s.io/v1, networking.k8s.io/v1) and vmware-tanzu/velero pkg/apis/velero/v1."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from typing import Any

UTC = timezone.utc


def ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def uid(seed: str) -> str:
    h = hashlib.blake2b(seed.encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def rv(seed: str) -> str:
    return str(int(hashlib.blake2b(seed.encode(), digest_size=4).hexdigest(), 16) % 90000000 + 1000000)


def meta(name: str, created: datetime, namespace: str | None = None, labels: dict | None = None,
         annotations: dict | None = None) -> dict:
    m: dict[str, Any] = {"name": name}
    if namespace is not None:
        m["namespace"] = namespace
    m.update({"uid": uid(f"{namespace}/{name}"), "resourceVersion": rv(f"{namespace}/{name}"),
              "creationTimestamp": ts(created)})
    if labels:
        m["labels"] = dict(labels)
    if annotations:
        m["annotations"] = dict(annotations)
    return m


def kube_list(items: list[dict]) -> dict:
    """kubectl's envelope for `get` with -o json (several kinds or one)."""
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


# --------------------------------------------------------------------------- core/v1

def namespace(name: str, created: datetime, labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": meta(name, created, labels={"kubernetes.io/metadata.name": name, **(labels or {})}),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def node(name: str, created: datetime, *, cloud: str, region: str, zone: str, instance_type: str,
         instance_id: str, project: str = "", pool: str = "default") -> dict:
    provider_id = {"aws": f"aws:///{zone}/{instance_id}", "gcp": f"gce://{project}/{zone}/{instance_id}",
                   "azure": f"azure:///subscriptions/{project}/resourceGroups/mc_rg/providers/Microsoft.Compute/"
                            f"virtualMachineScaleSets/aks-{pool}/virtualMachines/{instance_id}"}[cloud]
    labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": instance_type,
              "beta.kubernetes.io/os": "linux", "failure-domain.beta.kubernetes.io/region": region,
              "failure-domain.beta.kubernetes.io/zone": zone, "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name,
              "kubernetes.io/os": "linux", "node.kubernetes.io/instance-type": instance_type,
              "topology.kubernetes.io/region": region, "topology.kubernetes.io/zone": zone}
    labels.update({"aws": {"eks.amazonaws.com/nodegroup": pool, "eks.amazonaws.com/capacityType": "ON_DEMAND"},
                   "gcp": {"cloud.google.com/gke-nodepool": pool, "cloud.google.com/machine-family": instance_type.split("-")[0]},
                   "azure": {"kubernetes.azure.com/agentpool": pool}}[cloud])
    return {"apiVersion": "v1", "kind": "Node", "metadata": meta(name, created, labels=labels,
                                                              annotations={"node.alpha.kubernetes.io/ttl": "0"}),
            "spec": {"providerID": provider_id},
            "status": {"addresses": [{"address": "10.0.0.1", "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
                       "allocatable": {"cpu": "3920m", "memory": "15147416Ki", "pods": "58"},
                       "capacity": {"cpu": "4", "memory": "16264984Ki", "pods": "58"},
                       "conditions": [{"lastHeartbeatTime": ts(created + timedelta(days=1)), "lastTransitionTime": ts(created),
                                       "message": "kubelet is posting ready status", "reason": "KubeletReady",
                                       "status": "True", "type": "Ready"}],
                       "nodeInfo": {"kubeletVersion": "v1.30.4", "osImage": "Amazon Linux 2023", "architecture": "amd64"}}}


def pvc(name: str, ns: str, created: datetime, *, storage_class: str, size: str, volume: str | None,
        labels: dict | None = None) -> dict:
    obj = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
           "metadata": meta(name, created, ns, labels, {"pv.kubernetes.io/bind-completed": "yes",
                                                        "volume.kubernetes.io/storage-provisioner": "csi"}),
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
                    "storageClassName": storage_class, "volumeMode": "Filesystem"},
           "status": {"phase": "Bound" if volume else "Pending"}}
    if volume:
        obj["spec"]["volumeName"] = volume
        obj["status"].update({"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}})
    return obj


def pv(name: str, created: datetime, *, claim_ns: str, claim: str, size: str, storage_class: str, driver: str,
       handle: str, zone: str | None, reclaim: str = "Delete") -> dict:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size},
                            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": claim,
                                         "namespace": claim_ns, "uid": uid(f"{claim_ns}/{claim}")},
                            "csi": {"driver": driver, "fsType": "ext4", "volumeHandle": handle,
                                    "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": "1700000000000-8081-" + driver}},
                            "persistentVolumeReclaimPolicy": reclaim, "storageClassName": storage_class,
                            "volumeMode": "Filesystem"}
    if zone:
        key = {"ebs.csi.aws.com": "topology.ebs.csi.aws.com/zone", "pd.csi.storage.gke.io": "topology.gke.io/zone"}.get(
            driver, "topology.kubernetes.io/zone")
        spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": key, "operator": "In", "values": [zone]}]}]}}
    return {"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": meta(name, created, annotations={"pv.kubernetes.io/provisioned-by": driver},
                             labels=None) | {"finalizers": ["kubernetes.io/pv-protection", "external-attacher/" + driver.replace(".", "-")]},
            "spec": spec, "status": {"phase": "Bound", "lastPhaseTransitionTime": ts(created)}}


def service(name: str, ns: str, created: datetime, selector: dict, *, lb_hostname: str | None = None) -> dict:
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, created, ns, {"app": selector.get("app", name)}),
           "spec": {"clusterIP": "172.20.10.10", "clusterIPs": ["172.20.10.10"], "internalTrafficPolicy": "Cluster",
                    "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                    "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
                    "selector": dict(selector), "sessionAffinity": "None", "type": "LoadBalancer" if lb_hostname else "ClusterIP"},
           "status": {"loadBalancer": {}}}
    if lb_hostname:
        obj["status"]["loadBalancer"] = {"ingress": [{"hostname": lb_hostname}]}
    return obj


# --------------------------------------------------------------------------- apps/v1, policy/v1, storage, networking

def _pod_template(labels: dict, claims: list[str], *, zone_spread: bool = False, anti_affinity: bool = False,
                  node_selector: dict | None = None) -> dict:
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "registry.example/app:1.4.2",
                                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                            "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}},
                                            "terminationMessagePath": "/dev/termination-log",
                                            "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
                            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
                            "securityContext": {}, "terminationGracePeriodSeconds": 30}
    if claims:
        spec["volumes"] = [{"name": c, "persistentVolumeClaim": {"claimName": c}} for c in claims]
    if zone_spread:
        spec["topologySpreadConstraints"] = [{"labelSelector": {"matchLabels": dict(labels)}, "maxSkew": 1,
                                              "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule"}]
    if anti_affinity:
        spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"labelSelector": {"matchLabels": dict(labels)},
                                                "topologyKey": "topology.kubernetes.io/zone"}}]}}
    if node_selector:
        spec["nodeSelector"] = dict(node_selector)
    return {"metadata": {"labels": dict(labels)}, "spec": spec}


def deployment(name: str, ns: str, created: datetime, *, replicas: int, labels: dict | None = None,
               claims: tuple[str, ...] = (), zone_spread: bool = False, anti_affinity: bool = False,
               ready: int | None = None) -> dict:
    pod_labels = {"app": name, **(labels or {})}
    ready = replicas if ready is None else ready
    status: dict[str, Any] = {"observedGeneration": 3, "replicas": replicas, "updatedReplicas": replicas,
                              "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                                              "lastUpdateTime": ts(created), "lastTransitionTime": ts(created)}]}
    if ready:  # omitempty: zero ready replicas are simply absent
        status.update(readyReplicas=ready, availableReplicas=ready)
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": meta(name, created, ns, pod_labels, {"deployment.kubernetes.io/revision": "3"}) | {"generation": 3},
            "spec": {"progressDeadlineSeconds": 600, "replicas": replicas, "revisionHistoryLimit": 10,
                     "selector": {"matchLabels": {"app": name}},
                     "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                     "template": _pod_template(pod_labels, list(claims), zone_spread=zone_spread, anti_affinity=anti_affinity)},
            "status": status}


def statefulset(name: str, ns: str, created: datetime, *, replicas: int, labels: dict | None = None,
                claim_template: str = "data", storage_class: str = "gp3", size: str = "100Gi",
                zone_spread: bool = False) -> dict:
    pod_labels = {"app": name, **(labels or {})}
    template_claim = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "metadata": {"name": claim_template},
                      "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
                               "storageClassName": storage_class, "volumeMode": "Filesystem"}, "status": {"phase": "Pending"}}
    status: dict[str, Any] = {"availableReplicas": replicas, "collisionCount": 0, "currentReplicas": replicas,
                              "observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas}
    if replicas:
        status["readyReplicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta(name, created, ns, pod_labels) | {"generation": 1},
            "spec": {"persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
                     "podManagementPolicy": "OrderedReady", "replicas": replicas, "revisionHistoryLimit": 10,
                     "selector": {"matchLabels": {"app": name}}, "serviceName": name,
                     "template": _pod_template(pod_labels, [], zone_spread=zone_spread),
                     "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
                     "volumeClaimTemplates": [template_claim]},
            "status": status}


def daemonset(name: str, ns: str, created: datetime, *, nodes: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(name, created, ns, {"app": name}) | {"generation": 1},
            "spec": {"revisionHistoryLimit": 10, "selector": {"matchLabels": {"app": name}},
                     "template": _pod_template({"app": name}, []),
                     "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"}},
            "status": {"currentNumberScheduled": nodes, "desiredNumberScheduled": nodes, "numberAvailable": nodes,
                       "numberMisscheduled": 0, "numberReady": nodes, "observedGeneration": 1, "updatedNumberScheduled": nodes}}


def pdb(name: str, ns: str, created: datetime, selector: dict, *, min_available: int | str = 1, expected: int = 2) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(name, created, ns) | {"generation": 1},
            "spec": {"minAvailable": min_available, "selector": {"matchLabels": dict(selector)}},
            "status": {"conditions": [{"type": "DisruptionAllowed", "status": "True", "reason": "SufficientPods",
                                       "lastTransitionTime": ts(created), "message": "", "observedGeneration": 1}],
                       "currentHealthy": expected, "desiredHealthy": 1, "disruptionsAllowed": max(0, expected - 1),
                       "expectedPods": expected, "observedGeneration": 1}}


def storage_class(name: str, created: datetime, provisioner: str, *, default: bool = False, parameters: dict | None = None,
                  reclaim: str = "Delete") -> dict:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else None
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta(name, created, annotations=annotations),
            "allowVolumeExpansion": True, "parameters": dict(parameters or {}), "provisioner": provisioner,
            "reclaimPolicy": reclaim, "volumeBindingMode": "WaitForFirstConsumer"}


def ingress(name: str, ns: str, created: datetime, host: str, service_name: str, lb_hostname: str | None = None) -> dict:
    status = {"loadBalancer": {"ingress": [{"hostname": lb_hostname}]}} if lb_hostname else {"loadBalancer": {}}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(name, created, ns) | {"generation": 1},
            "spec": {"ingressClassName": "alb", "rules": [{"host": host, "http": {"paths": [
                {"backend": {"service": {"name": service_name, "port": {"number": 80}}}, "path": "/", "pathType": "Prefix"}]}}]},
            "status": status}


# --------------------------------------------------------------------------- velero.io/v1

def _template(namespaces: list[str] | None, *, excluded: list[str] | None = None, ttl: str = "720h0m0s",
              location: str = "default", snapshot_volumes: bool | None = None, fs_backup: bool | None = None,
              label_selector: dict | None = None) -> dict:
    spec: dict[str, Any] = {"csiSnapshotTimeout": "10m0s", "hooks": {}, "itemOperationTimeout": "4h0m0s",
                            "metadata": {}, "storageLocation": location, "ttl": ttl}
    if namespaces:
        spec["includedNamespaces"] = list(namespaces)
    if excluded:
        spec["excludedNamespaces"] = list(excluded)
    if snapshot_volumes is not None:
        spec["snapshotVolumes"] = snapshot_volumes
    if fs_backup is not None:
        spec["defaultVolumesToFsBackup"] = fs_backup
    if label_selector:
        spec["labelSelector"] = {"matchLabels": dict(label_selector)}
    return spec


def velero_schedule(name: str, created: datetime, cron: str, namespaces: list[str] | None, *, last_backup: datetime | None,
                    paused: bool = False, **template: Any) -> dict:
    spec: dict[str, Any] = {"schedule": cron, "template": _template(namespaces, **template), "useOwnerReferencesInBackup": False}
    if paused:
        spec["paused"] = True
    status: dict[str, Any] = {"phase": "Enabled"}
    if last_backup is not None:
        status["lastBackup"] = ts(last_backup)
    return {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": meta(name, created, "velero") | {"generation": 1},
            "spec": spec, "status": status}


def velero_backup(name: str, started: datetime, *, schedule: str | None, namespaces: list[str] | None, phase: str = "Completed",
                  duration: timedelta = timedelta(minutes=6), errors: int = 0, warnings: int = 0, snapshots: tuple[int, int] = (0, 0),
                  csi_snapshots: tuple[int, int] = (0, 0), location: str = "default", ttl: str = "720h0m0s",
                  items: int = 412, **template: Any) -> dict:
    labels = {"velero.io/storage-location": location}
    if schedule:
        labels["velero.io/schedule-name"] = schedule
    annotations = {"velero.io/resource-timeout": "10m0s", "velero.io/source-cluster-k8s-gitversion": "v1.30.4-eks-a737599",
                   "velero.io/source-cluster-k8s-major-version": "1", "velero.io/source-cluster-k8s-minor-version": "30+"}
    status: dict[str, Any] = {"expiration": ts(started + timedelta(days=30)), "formatVersion": "1.1.0",
                              "phase": phase, "startTimestamp": ts(started), "version": 1}
    if phase not in ("New", "InProgress", "FailedValidation"):
        status["completionTimestamp"] = ts(started + duration)
        status["progress"] = {"itemsBackedUp": items if phase == "Completed" else items - 3, "totalItems": items}
    for key, value in (("errors", errors), ("warnings", warnings), ("volumeSnapshotsAttempted", snapshots[0]),
                       ("volumeSnapshotsCompleted", snapshots[1]), ("csiVolumeSnapshotsAttempted", csi_snapshots[0]),
                       ("csiVolumeSnapshotsCompleted", csi_snapshots[1])):
        if value:  # omitempty
            status[key] = value
    if phase == "Failed":
        status["failureReason"] = "get a backup with status \"InProgress\" during the server starting, mark it as \"Failed\""
    return {"apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": meta(name, started - timedelta(seconds=1), "velero", labels, annotations) | {"generation": 7},
            "spec": _template(namespaces, location=location, ttl=ttl, **template), "status": status}


def velero_restore(name: str, started: datetime, backup: str, *, duration: timedelta, phase: str = "Completed",
                   namespaces: list[str] | None = None, schedule: str | None = None, warnings: int = 0) -> dict:
    spec: dict[str, Any] = {"backupName": backup, "excludedResources": ["nodes", "events", "events.events.k8s.io",
                                                                        "backups.velero.io", "restores.velero.io",
                                                                        "resticrepositories.velero.io", "csinodes.storage.k8s.io",
                                                                        "volumeattachments.storage.k8s.io",
                                                                        "backuprepositories.velero.io"],
                            "hooks": {}, "includedNamespaces": namespaces or ["*"], "itemOperationTimeout": "4h0m0s"}
    if schedule:
        spec["scheduleName"] = schedule
    status: dict[str, Any] = {"phase": phase, "startTimestamp": ts(started), "progress": {"itemsRestored": 120, "totalItems": 120}}
    if phase not in ("New", "InProgress"):
        status["completionTimestamp"] = ts(started + duration)
    if warnings:
        status["warnings"] = warnings
    return {"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": meta(name, started, "velero") | {"generation": 5},
            "spec": spec, "status": status}


def velero_bsl(name: str, created: datetime, *, provider: str, bucket: str, config: dict | None = None,
               phase: str | None = "Available", default: bool = True, prefix: str | None = None) -> dict:
    spec: dict[str, Any] = {"config": dict(config or {}), "credential": {"key": "cloud", "name": "velero-credentials"},
                            "default": default, "objectStorage": {"bucket": bucket}, "provider": provider}
    if prefix:
        spec["objectStorage"]["prefix"] = prefix
    status: dict[str, Any] = {}
    if phase:
        status = {"lastSyncedTime": ts(created + timedelta(days=1)), "lastValidationTime": ts(created + timedelta(days=1)),
                  "phase": phase}
    return {"apiVersion": "velero.io/v1", "kind": "BackupStorageLocation",
            "metadata": meta(name, created, "velero", {"component": "velero"}) | {"generation": 2}, "spec": spec, "status": status}


def velero_vsl(name: str, created: datetime, *, provider: str, region: str | None = None) -> dict:
    return {"apiVersion": "velero.io/v1", "kind": "VolumeSnapshotLocation",
            "metadata": meta(name, created, "velero", {"component": "velero"}) | {"generation": 1},
            "spec": {"config": {"region": region} if region else {}, "provider": provider}, "status": {"phase": "Available"}}


def backup_name(schedule: str, started: datetime) -> str:
    """Velero names scheduled backups <schedule>-<20060102150405> (Schedule.TimestampedName)."""
    return f"{schedule}-{started.astimezone(UTC).strftime('%Y%m%d%H%M%S')}"
