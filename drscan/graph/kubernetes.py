"""Graph stage for Kubernetes (pure): relations that need the whole inventory, and facts derived
from them. Per cluster: objects -in_namespace-> namespace; workload -mounts-> PVC -bound_to-> PV
-backed_by-> the cloud disk (EBS volume, GCE PD, Azure Disk) so a zone or region failure reaches the
pods; PDB -limits_disruption_of-> workload; service -routes_to-> workload, ingress -routes_to->
service; Velero schedule/backup -selects-> namespaces (included/excluded globs, label selectors),
backup -created_by-> schedule, backup -stored_in-> BackupStorageLocation -writes_to-> bucket,
restore -restore_from-> backup and -restore_of-> the PVCs it brought back; cluster -runs_on-> its
EKS/GKE/AKS resource. Every object of a cluster gets the cluster's region and cloud (from its
nodes' topology labels and provider ids), workloads the zones of the nodes they may run on."""

from __future__ import annotations

import fnmatch
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Iterable

from drscan.model import Gap, Relation, Resource
from drscan.normalize.kubernetes import (CLUSTER_KIND, PROVIDER, WORKLOAD_KINDS, cluster_id, namespace_id, object_id,
                                         selector_matches)

PVC, PV, NAMESPACE, NODE = "k8s.core.persistentvolumeclaim", "k8s.core.persistentvolume", "k8s.core.namespace", "k8s.core.node"
SCHEDULE, BACKUP, RESTORE, BSL = "k8s.velero.schedule", "k8s.velero.backup", "k8s.velero.restore", "k8s.velero.backupstoragelocation"
CLOUD_CLUSTER_KINDS = ("aws.eks.cluster", "gcp.container.cluster", "azure.containerservice.managedclusters")
_BRACES = re.compile(r"\{([^{}]*)\}")
_GKE_CONTEXT = re.compile(r"^gke_([^_]+)_([^_]+)_(.+)$")


@dataclass
class KubernetesLinks:
    updated: dict[str, Resource] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    contents: dict[str, list[str]] = field(default_factory=dict)  # namespace id -> ids of the objects in it

    def expand(self, members: set[str], resources: dict[str, Resource], namespaces: Iterable[str] = ()) -> set[str]:
        return expand_members(members, resources, self.contents, namespaces)


def namespace_contents(relations: Iterable[Relation]) -> dict[str, list[str]]:
    """namespace id -> ids of the objects in it, from stored `in_namespace` relations."""
    contents: dict[str, list[str]] = defaultdict(list)
    for relation in relations:
        if relation.type == "in_namespace":
            contents[relation.target].append(relation.source)
    return dict(contents)


def expand_members(members: set[str], resources: dict[str, Resource], contents: dict[str, list[str]],
                   namespaces: Iterable[str] = ()) -> set[str]:
    """App members plus every object in a member namespace; `namespaces` selects namespaces by
    name ('payments', any cluster) or cluster/name ('prod-eks/payments')."""
    wanted = set(namespaces)
    if wanted:
        for resource in resources.values():
            if resource.kind == NAMESPACE and (resource.attrs.get("name") in wanted
                                               or f"{resource.account}/{resource.attrs.get('name')}" in wanted):
                members.add(resource.id)
    for member in [m for m in members if m in contents]:
        members.update(i for i in contents[member] if i in resources)
    return members


def glob_match(pattern: str, name: str) -> bool:
    """gobwas/glob as Velero uses it for namespaces: *, ?, [..] and {a,b} alternatives."""
    match = _BRACES.search(pattern)
    if match:
        return any(glob_match(pattern[:match.start()] + choice + pattern[match.end():], name) for choice in match.group(1).split(","))
    return fnmatch.fnmatchcase(name, pattern)


def namespace_included(attrs: dict, name: str) -> bool:
    """Velero's IncludesExcludes.ShouldInclude for namespaces."""
    if any(glob_match(p, name) for p in attrs.get("excluded_namespaces") or ()):
        return False
    included = attrs.get("included_namespaces") or ["*"]
    return "*" in included or any(glob_match(p, name) for p in included)


def _selectors(attrs: dict) -> list[dict]:
    return [s for s in [attrs.get("label_selector"), *(attrs.get("or_label_selectors") or [])] if s]


def _disk_index(resources: Iterable[Resource]) -> dict[str, str]:
    """Cloud disk handle (as a PV names it) -> inventory id."""
    index: dict[str, str] = {}
    for r in resources:
        if r.kind == "aws.ec2.volume":
            index[r.id.rsplit("/", 1)[-1]] = r.id  # arn:...:volume/vol-0abc -> vol-0abc
        elif r.kind == "gcp.compute.disk":
            index[r.id.split("compute.googleapis.com/", 1)[-1]] = r.id  # projects/p/zones/z/disks/d
        elif r.kind == "azure.compute.disk":
            index[r.id.lower()] = r.id
    return index


def _bucket_id(location: Resource, resources: dict[str, Resource], accounts_by_name: dict[str, list[str]]) -> str | None:
    bucket = location.attrs.get("bucket")
    provider = str(location.attrs.get("provider") or "").rsplit("/", 1)[-1]
    config = location.attrs.get("config") or {}
    if not bucket:
        return None
    if provider == "aws":
        return f"arn:aws:s3:::{bucket}"
    if provider == "gcp":
        return f"//storage.googleapis.com/{bucket}"
    if provider == "azure":
        account = str(config.get("storageAccount") or "").lower()
        if config.get("subscriptionId") and config.get("resourceGroup") and account:
            return (f"/subscriptions/{config['subscriptionId']}/resourcegroups/{config['resourceGroup']}/providers/"
                    f"microsoft.storage/storageaccounts/{account}").lower()
        found = accounts_by_name.get(account, [])
        return found[0] if len(found) == 1 else None
    return None


def location_cloud(location: Resource) -> str | None:
    provider = str(location.attrs.get("provider") or "").rsplit("/", 1)[-1]
    return provider if provider in ("aws", "gcp", "azure") else None


def _cloud_cluster(cluster: Resource, candidates: list[Resource]) -> tuple[Resource | None, str]:
    """The EKS/GKE/AKS resource of this cluster: by the kubeconfig's cluster name (EKS ARN, AKS name),
    its GKE context (gke_<project>_<location>_<name>), its API server host, else a unique name match."""
    attrs = cluster.attrs
    names = {str(v) for v in (attrs.get("kubeconfig_cluster"), attrs.get("context")) if v}
    by_id = {c.id.lower(): c for c in candidates}
    for name in names:
        if name.lower() in by_id:
            return by_id[name.lower()], f"kubeconfig cluster {name}"
        gke = _GKE_CONTEXT.match(name)
        if gke:
            key = f"//container.googleapis.com/projects/{gke.group(1)}/locations/{gke.group(2)}/clusters/{gke.group(3)}"
            if key in by_id:
                return by_id[key], f"GKE context {name}"
    server = str(attrs.get("server") or "").lower()
    if server:
        for candidate in candidates:
            endpoint = str(candidate.attrs.get("endpoint") or candidate.attrs.get("fqdn") or "").lower()
            if endpoint and endpoint in server:
                return candidate, f"API server {server}"
    wanted = {str(attrs.get("name") or "").lower()} | {n.rsplit("/", 1)[-1].lower() for n in names}
    matches = [c for c in candidates if c.id.rstrip("/").rsplit("/", 1)[-1].lower() in wanted]
    if len(matches) == 1:
        return matches[0], "same cluster name"
    return None, ""


def blind_spots(gaps: Iterable[Gap]) -> set[tuple[str, str]]:
    """(cluster, kind) pairs whose listing failed: counts over them are unknown, never zero."""
    return {(g.account, kind) for g in gaps if g.provider == PROVIDER and g.resource_id is None for kind in g.kinds}


COPY_RELATIONS = {"protects": "in", "scheduled_by": "out", "recovery_point_of": "in", "snapshot_of": "in"}


def link_kubernetes(resources: dict[str, Resource], gaps: Iterable[Gap] = (), relations: Iterable[Relation] = ()) -> KubernetesLinks:
    """Run after references and cloud links are resolved: a PV's cloud disk may be protected by an
    AWS Backup selection, a DLM policy or a GCP snapshot schedule (`relations` so far)."""
    links = KubernetesLinks()
    by_cluster: dict[str, dict[str, list[Resource]]] = defaultdict(lambda: defaultdict(list))
    for resource in resources.values():
        if resource.kind.startswith("k8s."):
            by_cluster[resource.account][resource.kind].append(resource)
    if not by_cluster:
        return links
    disks = _disk_index(r for r in resources.values() if r.kind in ("aws.ec2.volume", "gcp.compute.disk", "azure.compute.disk"))
    accounts_by_name: dict[str, list[str]] = defaultdict(list)
    cloud_clusters: list[Resource] = []
    for r in resources.values():
        if r.kind == "azure.storage.account":
            accounts_by_name[r.name.lower()].append(r.id)
        elif r.kind in CLOUD_CLUSTER_KINDS:
            cloud_clusters.append(r)
    blind = blind_spots(gaps)
    disk_ids = set(disks.values())
    protected = {(r.target if COPY_RELATIONS[r.type] == "in" else r.source) for r in relations if r.type in COPY_RELATIONS}
    for cluster, by_kind in sorted(by_cluster.items()):
        _link_cluster(cluster, by_kind, resources, links, disks, accounts_by_name, cloud_clusters,
                      {kind for c, kind in blind if c in (cluster, "")}, protected & disk_ids)
    return links


def _link_cluster(cluster: str, by_kind: dict[str, list[Resource]], resources: dict[str, Resource], links: KubernetesLinks,
                  disks: dict[str, str], accounts_by_name: dict[str, list[str]], cloud_clusters: list[Resource],
                  blind: set[str], protected_disks: set[str]) -> None:
    relations = links.relations
    nodes = by_kind.get(NODE, [])
    regions = Counter(n.attrs.get("region") for n in nodes if n.attrs.get("region"))
    clouds = Counter(n.attrs.get("cloud") for n in nodes if n.attrs.get("cloud"))
    region = regions.most_common(1)[0][0] if regions else ""
    cloud = clouds.most_common(1)[0][0] if clouds else None
    node_zones = sorted({z for n in nodes for z in n.zones})
    updated: dict[str, Resource] = {}

    def attrs_of(resource: Resource) -> dict:
        return dict(updated[resource.id].attrs) if resource.id in updated else dict(resource.attrs)

    def put(resource: Resource, **changes) -> None:
        base = updated.get(resource.id, resource)
        updated[resource.id] = replace(base, **changes)

    # namespaces and what is in them
    namespaces = {n.attrs.get("name"): n for n in by_kind.get(NAMESPACE, [])}
    in_namespace: dict[str, list[Resource]] = defaultdict(list)
    for kind, items in by_kind.items():
        for item in items:
            ns = item.attrs.get("namespace")
            if ns and kind != NAMESPACE:
                in_namespace[ns].append(item)
                if ns in namespaces:
                    relations.append(Relation(item.id, namespaces[ns].id, "in_namespace"))
    for ns, items in in_namespace.items():
        links.contents[namespace_id(cluster, ns)] = [i.id for i in items]

    # storage: PVC -> PV -> cloud disk
    for volume in by_kind.get(PV, []):
        handle = volume.attrs.get("volume_handle")
        disk = disks.get(str(handle).lower() if volume.attrs.get("disk_cloud") == "azure" else str(handle)) if handle else None
        if disk and disk in resources:
            relations.append(Relation(volume.id, disk, "backed_by"))
            zones = volume.zones or resources[disk].zones
            put(volume, attrs={**attrs_of(volume), "disk_id": disk}, zones=tuple(zones))
    claims: dict[tuple[str, str], Resource] = {}
    for claim in by_kind.get(PVC, []):
        claims[(claim.attrs.get("namespace"), claim.attrs.get("name"))] = claim
        volume_name = claim.attrs.get("volume_name")
        volume_id = object_id(cluster, None, "persistentvolume", str(volume_name)) if volume_name else None
        attrs = attrs_of(claim)
        if volume_id and volume_id in resources:
            relations.append(Relation(claim.id, volume_id, "bound_to"))
            volume = updated.get(volume_id, resources[volume_id])
            attrs.update(zones=list(volume.zones), single_zone=len(volume.zones) == 1 if volume.zones else None,
                         disk_id=volume.attrs.get("disk_id"), reclaim_policy=volume.attrs.get("reclaim_policy"),
                         driver=volume.attrs.get("driver"))
            put(claim, attrs=attrs, zones=tuple(volume.zones))
        elif volume_name:
            links.gaps.append(Gap(provider=PROVIDER, account=cluster, region="", service="graph", operation="bound_to",
                                  code="UnresolvedReference", resource_id=claim.id,
                                  message=f"bound_to -> PersistentVolume {volume_name} is not in the inventory"))

    # workloads: PVCs they mount, nodes they may run on, zones
    workloads = [w for kind in WORKLOAD_KINDS for w in by_kind.get(kind, [])]
    for workload in workloads:
        attrs = attrs_of(workload)
        ns = attrs.get("namespace")
        mounted = [claims[(ns, c)] for c in attrs.get("pvc_claims") or () if (ns, c) in claims]
        templates = attrs.get("volume_claim_templates") or ()
        if templates:
            pattern = re.compile(rf"^(?:{'|'.join(re.escape(t) for t in templates)})-{re.escape(str(attrs.get('name')))}-\d+$")
            mounted += [c for (cns, name), c in claims.items() if cns == ns and pattern.match(name)]
        for claim in mounted:
            relations.append(Relation(workload.id, claim.id, "mounts"))
        selector, wanted = attrs.get("node_selector") or {}, set(attrs.get("required_zones") or ())
        eligible = [n for n in nodes if all(n.tags.get(k) == v for k, v in selector.items())
                    and (not wanted or set(n.zones) & wanted) and not n.attrs.get("unschedulable")]
        zones = sorted({z for n in eligible for z in n.zones})
        attrs["node_zones"] = zones if nodes else None
        attrs["mounted_pvcs"] = len(mounted)
        if attrs.get("zone_spread_constraint") or attrs.get("zone_anti_affinity"):
            attrs["zone_spread"], attrs["zone_spread_basis"] = True, "topology spread constraint or pod anti-affinity on the zone"
        elif nodes:
            attrs["zone_spread"] = len(zones) >= 2
            attrs["zone_spread_basis"] = f"nodes it may run on are in {len(zones)} zone(s): {', '.join(zones) or 'none'}"
        else:
            attrs["zone_spread"], attrs["zone_spread_basis"] = None, "no nodes of this cluster in the inventory"
        put(workload, attrs=attrs, zones=tuple(zones))

    # disruption budgets and traffic
    by_ns_workloads: dict[str, list[Resource]] = defaultdict(list)
    for workload in workloads:
        by_ns_workloads[workload.attrs.get("namespace")].append(workload)
    budgets: Counter = Counter()
    for budget in by_kind.get("k8s.policy.poddisruptionbudget", []):
        for workload in by_ns_workloads.get(budget.attrs.get("namespace"), ()):
            if selector_matches(budget.attrs.get("selector"), workload.attrs.get("pod_labels") or {}):
                relations.append(Relation(budget.id, workload.id, "limits_disruption_of"))
                budgets[workload.id] += 1
    for workload in workloads:
        count = None if "k8s.policy.poddisruptionbudget" in blind else budgets[workload.id]
        put(workload, attrs={**attrs_of(workload), "pdb_count": count})
    services = {}
    for svc in by_kind.get("k8s.core.service", []):
        services[(svc.attrs.get("namespace"), svc.attrs.get("name"))] = svc
        wanted = svc.attrs.get("selector") or {}
        for workload in by_ns_workloads.get(svc.attrs.get("namespace"), ()) if wanted else ():
            labels = workload.attrs.get("pod_labels") or {}
            if all(labels.get(k) == v for k, v in wanted.items()):
                relations.append(Relation(svc.id, workload.id, "routes_to"))
    for ing in by_kind.get("k8s.networking.ingress", []):
        for name in ing.attrs.get("services") or ():
            if (ing.attrs.get("namespace"), name) in services:
                relations.append(Relation(ing.id, services[(ing.attrs.get("namespace"), name)].id, "routes_to"))

    covering = _link_velero(cluster, by_kind, namespaces, in_namespace, claims, resources, links, updated, accounts_by_name,
                            blind)

    for location in by_kind.get(BSL, []):
        put(location, attrs={**attrs_of(location), **offsite(attrs_of(location), region, resources)})

    # namespace facts: persistent volumes, and the enabled Velero schedules that back them up
    velero_blind = SCHEDULE in blind
    for name, ns in namespaces.items():
        count = None if PVC in blind else sum(1 for i in in_namespace.get(name, ()) if i.kind == PVC)
        schedules = sorted(s.attrs.get("name") for s in covering.get(name, ()))
        put(ns, attrs={**attrs_of(ns), "pvc_count": count, "has_persistent_volumes": None if count is None else count > 0,
                       "velero_schedules": schedules if schedules or not velero_blind else None,
                       "velero_schedule_count": len(schedules) if schedules or not velero_blind else None})
    # tier-1 data on one zone: is there a copy elsewhere (a Velero schedule capturing volumes, or a cloud backup of the disk)?
    for claim in by_kind.get(PVC, []):
        attrs = attrs_of(claim)
        capturing = [s for s in covering.get(attrs.get("namespace"), ()) if s.attrs.get("captures_volumes")]
        disk = attrs.get("disk_id")
        cloud_copy = bool(disk) and disk in protected_disks
        if capturing or cloud_copy:
            copy = True
        elif velero_blind or any(s.attrs.get("captures_volumes") is None for s in covering.get(attrs.get("namespace"), ())):
            copy = None
        else:
            copy = False
        attrs.update(velero_schedules=[s.attrs.get("name") for s in capturing], backup_copy_elsewhere=copy)
        put(claim, attrs=attrs)

    # the cluster itself
    cluster_resource = resources.get(cluster_id(cluster))
    if cluster_resource is not None:
        attrs = {**attrs_of(cluster_resource), "node_count": len(nodes), "node_regions": sorted(regions),
                 "node_zones": node_zones, "cloud": cloud, "region": region or None}
        found, basis = _cloud_cluster(cluster_resource, [c for c in cloud_clusters if not cloud or c.provider == cloud])
        if found is not None:
            relations.append(Relation(cluster_resource.id, found.id, "runs_on"))
            attrs.update(cloud_cluster_id=found.id, cloud_cluster_match=basis)
        put(cluster_resource, attrs=attrs, zones=tuple(node_zones))

    # every object of the cluster lives in the cluster's region, on its cloud
    provider = cloud or PROVIDER
    for items in by_kind.values():
        for item in items:
            if item.region != region or item.provider != provider or item.id in updated:
                put(item, region=region, provider=provider)
    links.updated.update(updated)


def _link_velero(cluster: str, by_kind: dict[str, list[Resource]], namespaces: dict[str, Resource],
                 in_namespace: dict[str, list[Resource]], claims: dict[tuple[str, str], Resource],
                 resources: dict[str, Resource], links: KubernetesLinks, updated: dict[str, Resource],
                 accounts_by_name: dict[str, list[str]], blind: set[str]) -> dict[str, list[Resource]]:
    """Velero links; returns namespace name -> the enabled schedules that select it."""
    relations = links.relations
    locations = {(b.attrs.get("namespace"), b.attrs.get("name")): b for b in by_kind.get(BSL, [])}
    for location in locations.values():
        bucket = _bucket_id(location, resources, accounts_by_name)
        attrs = dict(updated.get(location.id, location).attrs)
        attrs["cloud"] = location_cloud(location)
        if bucket and bucket in resources:
            relations.append(Relation(location.id, bucket, "writes_to"))
            target = resources[bucket]
            attrs.update(bucket_id=bucket, bucket_region=target.region)
        attrs["location_region"] = attrs.get("region") or attrs.get("bucket_region")
        updated[location.id] = replace(updated.get(location.id, location), attrs=attrs)
    default = next((b for b in locations.values() if b.attrs.get("default")), None)

    def location_of(item: Resource) -> Resource | None:
        name = item.attrs.get("storage_location")
        return locations.get((item.attrs.get("namespace"), name)) if name else default

    def selected(item: Resource) -> list[str] | None:
        if item.attrs.get("included_namespaces") is None:
            return None  # the export lacks the spec: what it selects is unknown
        selectors = _selectors(item.attrs)
        names = []
        for name in sorted(namespaces):
            if not namespace_included(item.attrs, name):
                continue
            if selectors and not any(selector_matches(s, o.tags) for o in in_namespace.get(name, ()) for s in selectors):
                continue
            names.append(name)
        return names

    schedules = {(s.attrs.get("namespace"), s.attrs.get("name")): s for s in by_kind.get(SCHEDULE, [])}
    covering: dict[str, list[Resource]] = defaultdict(list)
    for item in by_kind.get(SCHEDULE, []) + by_kind.get(BACKUP, []):
        chosen = selected(item)
        if chosen is None:
            if item.kind == SCHEDULE:
                blind.add(SCHEDULE)  # a schedule whose selection is unknown may cover any namespace
            chosen = []
        for name in chosen:
            relations.append(Relation(item.id, namespaces[name].id, "selects"))
        attrs = dict(updated.get(item.id, item).attrs)
        attrs["selected_namespaces"] = chosen
        pvcs = None if PVC in blind or item.attrs.get("included_namespaces") is None else \
            sum(1 for name in chosen for o in in_namespace.get(name, ()) if o.kind == PVC)
        attrs["selected_pvcs"] = pvcs
        attrs["captures_volumes"] = captures_volumes(attrs)
        if item.kind == BACKUP:
            captured, reason = volume_capture(attrs)
            attempts = sum(attrs.get(k) or 0 for k in ("volume_snapshots_attempted", "csi_volume_snapshots_attempted"))
            applies = True if attempts or (pvcs or 0) > 0 else None if pvcs is None else False
            attrs.update(volume_data_captured=captured, volume_capture_reason=reason, volume_capture_applies=applies)
        location = location_of(item)
        if location is not None:
            relations.append(Relation(item.id, location.id, "stored_in" if item.kind == BACKUP else "stores_in"))
            attrs["location_id"] = location.id
        if item.kind == BACKUP and attrs.get("schedule") and (attrs.get("namespace"), attrs["schedule"]) in schedules:
            relations.append(Relation(item.id, schedules[(attrs.get("namespace"), attrs["schedule"])].id, "created_by"))
        updated[item.id] = replace(updated.get(item.id, item), attrs=attrs)
        if item.kind == SCHEDULE and attrs.get("phase") == "Enabled" and not attrs.get("paused"):
            for name in chosen:
                covering[name].append(updated[item.id])
    backups = {(b.attrs.get("namespace"), b.attrs.get("name")): b for b in by_kind.get(BACKUP, [])}
    for restore in by_kind.get(RESTORE, []):
        attrs = dict(restore.attrs)
        source = backups.get((attrs.get("namespace"), attrs.get("backup_name")))
        if source is not None:
            relations.append(Relation(restore.id, source.id, "restore_from"))
            attrs["schedule"] = attrs.get("schedule_name") or source.attrs.get("schedule")
            covered = [n for n in (updated.get(source.id, source).attrs.get("selected_namespaces") or ())
                       if namespace_included(attrs, n)]
        else:
            covered = [n for n in sorted(namespaces) if namespace_included(attrs, n)] if attrs.get("included_namespaces") != ["*"] else []
            attrs["schedule"] = attrs.get("schedule_name") or _schedule_from_name(attrs.get("backup_name"), schedules)
        attrs["restored_namespaces"] = covered
        for name in covered:
            relations.append(Relation(restore.id, namespaces[name].id, "restores"))
            for claim in (o for o in in_namespace.get(name, ()) if o.kind == PVC):
                relations.append(Relation(restore.id, claim.id, "restore_of"))
        updated[restore.id] = replace(updated.get(restore.id, restore), attrs=attrs)
    return covering


def offsite(attrs: dict, cluster_region: str, resources: dict[str, Resource]) -> dict:
    """Is the backup storage location outside the cluster's region, or its bucket replicated out of it?"""
    bucket = resources.get(attrs.get("bucket_id") or "")
    where = attrs.get("location_region")
    replicated = None
    if bucket is not None:
        b = bucket.attrs
        replicated = bool(b.get("replication_enabled") or b.get("geo_redundant")
                          or b.get("location_type") in ("multi-region", "dual-region"))
    if not cluster_region:
        return {"offsite": None, "offsite_reason": "the cluster's region is not known (no nodes in the inventory)"}
    if where and where != cluster_region:
        return {"offsite": True, "offsite_reason": f"bucket in {where}, cluster in {cluster_region}"}
    if replicated:
        return {"offsite": True, "offsite_reason": f"bucket {bucket.name} replicates out of {where or bucket.region}"}
    if where:
        return {"offsite": False, "offsite_reason": f"bucket and cluster both in {cluster_region}"
                + ("" if bucket is not None else " (bucket not in the inventory; its replication is not known)")}
    return {"offsite": None, "offsite_reason": "the location's region is not in its config and its bucket is not in the inventory"}


def captures_volumes(attrs: dict) -> bool | None:
    """Does this backup spec take the volumes' data (snapshots, CSI snapshots or file-system backup)?
    An explicit snapshotVolumes: false leaves it to file-system backup, whose default is the server's."""
    if attrs.get("snapshot_volumes") is True or attrs.get("default_volumes_to_fs_backup") is True:
        return True
    if attrs.get("snapshot_volumes") is None:
        return None  # the spec is missing from the export
    if attrs.get("default_volumes_to_fs_backup") is False:
        return False
    return None


def volume_capture(attrs: dict) -> tuple[bool | None, str]:
    """Did a finished backup capture the data of the volumes it should have: every snapshot it
    attempted (native and CSI) completed and no async item operation failed; with persistent
    volumes in its namespaces, at least one attempt (or file-system backup, counted in PodVolumeBackups)."""
    if attrs.get("phase") not in ("Completed", "PartiallyFailed"):
        return None, f"backup is {attrs.get('phase')}, not finished"
    counts = [attrs.get(k) for k in ("volume_snapshots_attempted", "volume_snapshots_completed",
                                      "csi_volume_snapshots_attempted", "csi_volume_snapshots_completed")]
    if None in counts:
        return None, "backup status carries no snapshot counts"
    attempted, completed = counts[0] + counts[2], counts[1] + counts[3]
    failed = attrs.get("item_operations_failed") or 0
    if attempted:
        ok = completed == attempted and not failed
        return ok, f"{completed} of {attempted} volume snapshots completed" + (f", {failed} item operations failed" if failed else "")
    pvcs = attrs.get("selected_pvcs")
    if pvcs is None:
        return None, "persistent volume claims of its namespaces were not listed"
    if pvcs == 0:
        return None, "its namespaces hold no persistent volume claims"
    if attrs.get("default_volumes_to_fs_backup") is not False and attrs.get("snapshot_volumes") is False:
        return None, "volumes go to file-system backup (PodVolumeBackup objects), which drscan does not read"
    return False, f"no volume snapshot was attempted although its namespaces hold {pvcs} persistent volume claim(s)"


def _schedule_from_name(backup: str | None, schedules: dict[tuple[str, str], Resource]) -> str | None:
    """Scheduled backups are named <schedule>-<YYYYMMDDhhmmss>; expired ones are gone from the list."""
    match = re.match(r"^(.+)-\d{14}$", str(backup or ""))
    if match and any(name == match.group(1) for _, name in schedules):
        return match.group(1)
    return None
