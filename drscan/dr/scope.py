"""What an application consists of, for DR: its members by role (data stores, compute tiers,
traffic, keys, network), its primary and recovery regions, and its entrypoints. Pure functions
of the ResourceGraph and the configuration."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from drscan.config import App, Config, SharedService
from drscan.dr.assumptions import Assumptions
from drscan.dr.model import Step
from drscan.graph.build import ResourceGraph, app_node_id
from drscan.model import Resource, data_time

DATA_KINDS = frozenset({
    "aws.rds.db_instance", "aws.rds.db_cluster", "aws.dynamodb.table", "aws.s3.bucket", "aws.efs.file_system",
    "aws.ec2.volume", "gcp.sql.instance", "gcp.compute.disk", "gcp.storage.bucket",
    "azure.sql.database", "azure.storage.account", "azure.compute.disk",
    "k8s.core.persistentvolumeclaim",
})
BLOCK_KINDS = frozenset({"aws.ec2.volume", "gcp.compute.disk", "azure.compute.disk"})
VM_KINDS = frozenset({"aws.ec2.instance", "gcp.compute.instance", "azure.compute.virtual_machine"})
COMPUTE_KINDS = VM_KINDS | frozenset({
    "aws.autoscaling.group", "aws.lambda.function", "aws.ecs.service", "aws.eks.cluster",
    "gcp.compute.instance_group_manager", "gcp.container.cluster", "gcp.run.service", "gcp.cloudfunctions.function",
    "azure.compute.vm_scale_set", "azure.web.sites", "azure.containerservice.managedclusters",
    "k8s.apps.deployment", "k8s.apps.statefulset", "k8s.apps.daemonset",
})
TRAFFIC_KINDS = frozenset({
    "aws.elbv2.load_balancer", "aws.elbv2.listener", "aws.route53.record", "aws.route53.health_check",
    "aws.route53.hosted_zone", "aws.cloudfront.distribution", "aws.globalaccelerator.accelerator",
    "azure.network.load_balancer", "azure.network.traffic_manager_profile", "azure.network.dns_zone",
    "azure.network.frontdoors", "azure.network.application_gateway", "gcp.dns.managed_zone", "gcp.dns.record_set",
    "gcp.compute.forwarding_rule", "gcp.compute.backend_service", "gcp.compute.url_map",
})
ENTRY_KINDS = frozenset({"aws.elbv2.load_balancer", "aws.route53.record", "azure.network.traffic_manager_profile",
                         "azure.network.load_balancer", "aws.cloudfront.distribution", "gcp.compute.forwarding_rule",
                         "azure.network.frontdoors", "gcp.dns.record_set"})
KEY_KINDS = frozenset({"aws.kms.key", "gcp.kms.crypto_key", "gcp.cloudkms.key_ring", "azure.keyvault.vault",
                       "azure.compute.diskencryptionsets"})
NETWORK_KINDS = frozenset({
    "aws.ec2.vpc", "aws.ec2.subnet", "aws.ec2.security_group", "gcp.compute.network", "gcp.compute.subnetwork",
    "azure.network.virtualnetworks", "azure.network.networksecuritygroups", "azure.network.networkinterfaces",
    "azure.network.publicipaddresses", "azure.managedidentity.userassignedidentities",
})
GLOBAL_REGIONS = frozenset({"", "global"})
_STEM = re.compile(r"(?:[-_](?:\d+|[0-9a-f]{4,}))+$")


def layer_of(kind: str) -> str:
    """Recovery layer of a resource kind: keys_network, data, compute, traffic (or other)."""
    if kind in KEY_KINDS or kind in NETWORK_KINDS:
        return "keys_network"
    if kind in DATA_KINDS:
        return "data"
    if kind in COMPUTE_KINDS:
        return "compute"
    if kind in TRAFFIC_KINDS:
        return "traffic"
    return "other"


class GraphIndex:
    """Look-ups over the whole graph built once per assessment (never per app): resources by
    kind, DNS names of records and load balancers, ids in lower case."""

    def __init__(self, graph: ResourceGraph):
        self.graph = graph
        by_kind: dict[str, list[Resource]] = defaultdict(list)
        dns: dict[str, list[str]] = defaultdict(list)
        lower: dict[str, str] = {}
        for resource in graph.resources.values():
            by_kind[resource.kind].append(resource)
            lower.setdefault(resource.id.lower(), resource.id)
            if resource.kind in ENTRY_KINDS:
                for name in (resource.attrs.get("name"), resource.attrs.get("dns_name"), resource.attrs.get("fqdn"),
                             resource.name):
                    if name:
                        dns[str(name).lower().rstrip(".")].append(resource.id)
        self.by_kind = dict(by_kind)
        self.dns = {k: sorted(set(v)) for k, v in dns.items()}
        self.lower = lower
        self._groups: dict[str, dict[Any, list[Resource]]] = {}

    def _grouped(self, name: str, kind: str, key: Callable[[Resource], Any]) -> dict[Any, list[Resource]]:
        """Resources of `kind` by key(resource), in inventory order (a None key is left out); built once."""
        if name not in self._groups:
            found: dict[Any, list[Resource]] = defaultdict(list)
            for resource in self.by_kind.get(kind, ()):
                value = key(resource)
                if value is not None:
                    found[value].append(resource)
            self._groups[name] = dict(found)
        return self._groups[name]

    def vaults_by_key(self) -> dict[str, list[Resource]]:
        """Backup vaults by the KMS key that encrypts them (a vault has no encrypted_by edge)."""
        return self._grouped("vaults_by_key", "aws.backup.vault",
                             lambda vault: str(vault.attrs["encryption_key_arn"]) if vault.attrs.get("encryption_key_arn") else None)

    def record_groups(self) -> dict[tuple, list[Resource]]:
        """Route 53 records by (account, zone id, name, type): the records that answer one name."""
        from drscan.dr.traffic import ROUTE53, record_key

        return self._grouped("record_groups", ROUTE53, record_key)

    def global_clusters(self) -> dict[tuple, list[Resource]]:
        """Aurora clusters by (global_cluster_id,)."""
        return self._grouped("global_clusters", "aws.rds.db_cluster", lambda cluster: (cluster.attrs.get("global_cluster_id"),))

    def resolve(self, ref: str) -> list[Resource]:
        """A configured entrypoint or member id -> resources (by id, lower-cased id, or DNS name)."""
        resources = self.graph.resources
        if ref in resources:
            return [resources[ref]]
        if ref.lower() in self.lower:
            return [resources[self.lower[ref.lower()]]]
        return [resources[i] for i in self.dns.get(ref.lower().rstrip("."), ()) if i in resources]

    def kind(self, kind: str) -> list[Resource]:
        return self.by_kind.get(kind, [])


@dataclass
class DrContext:
    """Everything the pure DR functions read, passed explicitly."""

    graph: ResourceGraph
    config: Config
    assumptions: Assumptions
    now: datetime
    # Ages of recovery points and restore jobs are measured as of when each was captured (its
    # observed_at) unless --as-of fixed one moment for everything.
    per_resource_time: bool = False
    index: GraphIndex = field(init=False)
    _scopes: dict[str, "AppScope"] = field(default_factory=dict, repr=False)
    # Results of pure functions of (this context, one resource), kept because a resource belongs to
    # several apps: ("mechanisms", store id), ("cascade", resource id), ("selection", selection id).
    memo: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.index = GraphIndex(self.graph)

    def as_of(self, resource: Resource) -> datetime:
        """The moment an age read from this resource is measured against."""
        return data_time(resource, self.now) if self.per_resource_time else self.now

    def scope(self, name: str) -> "AppScope":
        if name not in self._scopes:
            app = self.config.app(name)
            if app is not None:
                members = members_of_app(self.graph, app)
                self._scopes[name] = build_scope(self, app.name, members, app)
            else:
                service = self.config.shared_service(name)
                if service is None:
                    raise KeyError(name)
                self._scopes[name] = build_scope(self, service.name, members_by_selector(self.graph, service), None)
        return self._scopes[name]


@dataclass(frozen=True)
class Tier:
    """A group of interchangeable compute (an autoscaling group, instances sharing a name stem,
    a function, a regional instance group)."""

    key: str
    region: str
    provider: str
    account: str
    member_ids: tuple[str, ...]
    zones: tuple[str, ...]
    zone_redundant: bool
    units: float  # running capacity units
    label: str = ""  # human name: the group, the name stem or the resource name
    kind: str = ""  # kind of member_ids[0]


@dataclass(frozen=True)
class AppScope:
    name: str
    app: App | None
    members: tuple[Resource, ...]
    data_stores: tuple[Resource, ...]
    replicas: tuple[Resource, ...]  # members that are copies of another store (standby data)
    stateless_volumes: tuple[Resource, ...]
    compute: tuple[Resource, ...]
    tiers: tuple[Tier, ...]
    traffic: tuple[Resource, ...]
    entrypoints: tuple[Resource, ...]
    unresolved_entrypoints: tuple[str, ...]
    keys: tuple[Resource, ...]
    network: tuple[Resource, ...]
    primary_region: str
    primary_provider: str
    regions: tuple[str, ...]
    providers: tuple[str, ...]
    accounts: tuple[str, ...]
    evidence: tuple[Step, ...] = ()

    store_index: dict[str, Resource] = field(default_factory=dict, compare=False, repr=False)
    entrypoint_index: dict[str, Resource] = field(default_factory=dict, compare=False, repr=False)
    tier_of: dict[str, Tier] = field(default_factory=dict, compare=False, repr=False)  # member id -> its tier
    member_ids: frozenset[str] = field(default_factory=frozenset, compare=False, repr=False)

    def serving_tiers(self, region: str | None = None) -> list[Tier]:
        region = self.primary_region if region is None else region
        return [t for t in self.tiers if t.region == region or t.region in GLOBAL_REGIONS]


def members_of_app(graph: ResourceGraph, app: App) -> list[Resource]:
    node = app_node_id(app.name)
    members = graph.related(node, "member_of_app", "in")
    if members or not (app.member_tags or app.member_ids):
        return sorted(members, key=lambda r: r.id)
    return members_by_selector(graph, app)  # the graph was built without this app


def tag_index(resources: Iterable[Resource]) -> dict[tuple[str, str], list[str]]:
    """(tag key, value) -> resource ids, so selecting members costs the size of the answer."""
    index: dict[tuple[str, str], list[str]] = defaultdict(list)
    for resource in resources:
        for item in resource.tags.items():
            index[item].append(resource.id)
    return index


def select_member_ids(resources: dict[str, Resource], selector: App | SharedService,
                      index: dict[tuple[str, str], list[str]] | None = None, relations: Iterable = ()) -> list[str]:
    """Members by id, by tags (all given tags must match) and by Kubernetes namespace (a member
    namespace brings what is in it, from the in_namespace `relations`), as build_graph selects app members."""
    ids = {i for i in selector.member_ids if i in resources} | {i.lower() for i in selector.member_ids if i.lower() in resources}
    if selector.member_tags:
        wanted = list(selector.member_tags.items())
        if index is None:
            ids |= {r.id for r in resources.values() if all(r.tags.get(k) == v for k, v in wanted)}
        else:
            first, rest = wanted[0], wanted[1:]
            ids |= {i for i in index.get(first, ()) if all(resources[i].tags.get(k) == v for k, v in rest)}
    if selector.member_namespaces or any(i.startswith("k8s://") for i in ids):
        from drscan.graph.kubernetes import expand_members, namespace_contents

        ids = expand_members(ids, resources, namespace_contents(relations), selector.member_namespaces)
    return sorted(ids)


def members_by_selector(graph: ResourceGraph, selector: App | SharedService) -> list[Resource]:
    return [graph.resources[i] for i in select_member_ids(graph.resources, selector, relations=graph.relations)]


def _is_replica_by_attrs(graph: ResourceGraph, store: Resource) -> tuple[bool, Step | None]:
    attrs = store.attrs
    for key in ("is_read_replica", "is_replica", "is_secondary"):
        if attrs.get(key) is True:
            return True, Step(store.id, key, True, "a replica of another data store: standby data, not a store of its own")
    sources = graph.related(store.id, "replica_of")
    if sources:
        return True, Step(store.id, "relation:replica_of", sources[0].id, "replicates from another data store")
    if store.kind == "aws.rds.db_instance" and graph.related(store.id, "member_of"):
        cluster = graph.related(store.id, "member_of")[0]
        return True, Step(store.id, "relation:member_of", cluster.id, "an instance of a cluster: the cluster holds the data")
    return False, None


def _primary_region(app: App | None, stores: Iterable[Resource], compute: Iterable[Resource]) -> tuple[str, Step]:
    if app is not None and app.primary_region:
        return app.primary_region, Step(f"app:{app.name}", "primary_region", app.primary_region, "declared in drscan.yaml")
    counts = Counter(r.region for r in list(stores) + list(compute) if r.region not in GLOBAL_REGIONS)
    if not counts:
        return "", Step(f"app:{app.name if app else '?'}", "primary_region", None,
                        "no regional data store or compute: primary region unknown")
    region = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return region, Step(f"app:{app.name if app else '?'}", "primary_region", region,
                        f"detected: the region holding most data stores and compute ({counts[region]} of {sum(counts.values())})")


def _stem(resource: Resource) -> str:
    name = resource.tags.get("Name") or resource.name or resource.id
    return _STEM.sub("", str(name)) or str(name)


def _units(resource: Resource) -> float:
    attrs = resource.attrs
    if resource.kind == "aws.ec2.instance":
        return 1.0 if attrs.get("state") in (None, "running", "pending") else 0.0
    if resource.kind == "gcp.compute.instance":
        return 1.0 if attrs.get("status") in (None, "RUNNING", "PROVISIONING", "STAGING") else 0.0
    if resource.kind == "gcp.compute.instance_group_manager":
        return float(attrs.get("target_size") or 0)
    if resource.kind.startswith("k8s.apps."):  # Kubernetes workloads: their replicas
        return float(attrs.get("replicas") or 0)
    return 1.0


def _tiers(graph: ResourceGraph, compute: list[Resource]) -> list[Tier]:
    tiers: list[Tier] = []
    claimed: set[str] = set()
    for group in (r for r in compute if r.kind == "aws.autoscaling.group"):
        instances = [i for i in graph.related(group.id, "manages") if i.kind == "aws.ec2.instance"]
        claimed.update(i.id for i in instances)
        zones = tuple(sorted(set(group.attrs.get("availability_zones") or ()) | {z for i in instances for z in i.zones}))
        units = sum(_units(i) for i in instances) if instances else float(group.attrs.get("min_size") or 0)
        tiers.append(Tier(f"asg:{group.id}", group.region, group.provider, group.account,
                          (group.id,) + tuple(i.id for i in instances), zones, len(zones) >= 2, units,
                          label=f"autoscaling group {group.name}", kind=group.kind))
    stems: dict[tuple, list[Resource]] = defaultdict(list)
    for resource in compute:
        if resource.id in claimed or resource.kind == "aws.autoscaling.group":
            continue
        if resource.kind in VM_KINDS:
            stems[(resource.provider, resource.account, resource.region, resource.kind, _stem(resource))].append(resource)
            continue
        attrs = resource.attrs
        redundant = {
            "gcp.compute.instance_group_manager": bool(attrs.get("regional")) or (attrs.get("zone_count") or 0) >= 2,
            "gcp.container.cluster": bool(attrs.get("regional")),
            "azure.compute.vm_scale_set": (attrs.get("zone_count") or 0) >= 2,
            "k8s.apps.deployment": (attrs.get("replicas") or 0) >= 2 and attrs.get("zone_spread") is True,
            "k8s.apps.statefulset": (attrs.get("replicas") or 0) >= 2 and attrs.get("zone_spread") is True,
            "k8s.apps.daemonset": len(resource.zones) >= 2,
        }.get(resource.kind, not resource.zones)  # functions and regional services span zones
        tiers.append(Tier(resource.id, resource.region, resource.provider, resource.account, (resource.id,),
                          tuple(resource.zones), redundant, _units(resource), label=resource.name, kind=resource.kind))
    for (provider, account, region, kind, stem), members in sorted(stems.items()):
        zones = tuple(sorted({z for m in members for z in m.zones}))
        tiers.append(Tier(f"{region}/{stem}", region, provider, account, tuple(m.id for m in members), zones,
                          len(zones) >= 2, sum(_units(m) for m in members),
                          label=f"{stem} ({len(members)} {kind.rsplit('.', 1)[-1].replace('_', ' ')}{'s' if len(members) > 1 else ''}, {region})",
                          kind=kind))
    return sorted(tiers, key=lambda t: t.key)


def _global_table_replicas(stores: list[Resource], primary_region: str) -> dict[str, Step]:
    """DynamoDB global tables, S3 replica buckets and EFS replicas that are members next to their
    source: the copy outside the primary region is standby data."""
    replicas: dict[str, Step] = {}
    tables: dict[str, list[Resource]] = defaultdict(list)
    for store in stores:
        if store.kind == "aws.dynamodb.table":
            tables[store.id.rsplit("/", 1)[-1]].append(store)
    for name, copies in tables.items():
        if len(copies) < 2:
            continue
        home = next((c for c in copies if c.region == primary_region), sorted(copies, key=lambda c: c.region)[0])
        for copy in copies:
            if copy is not home and copy.region in (home.attrs.get("replica_regions") or ()):
                replicas[copy.id] = Step(copy.id, "replica_regions", home.attrs.get("replica_regions"),
                                         f"replica of global table {name} in {home.region}")
    return replicas


def build_scope(ctx: DrContext, name: str, members: list[Resource], app: App | None) -> AppScope:
    graph = ctx.graph
    evidence: list[Step] = []
    stores, replicas, compute, traffic, keys, network = [], [], [], [], {}, {}
    for member in members:
        kind = member.kind
        if kind in DATA_KINDS:
            if kind == "azure.sql.database" and member.attrs.get("is_system_database"):
                continue
            is_replica, step = _is_replica_by_attrs(graph, member)
            if is_replica:
                replicas.append(member)
                if step:
                    evidence.append(step)
            else:
                stores.append(member)
        elif kind in COMPUTE_KINDS:
            compute.append(member)
        elif kind in TRAFFIC_KINDS:
            traffic.append(member)
        elif kind in KEY_KINDS:
            keys[member.id] = member
        elif kind in NETWORK_KINDS:
            network[member.id] = member
    primary, step = _primary_region(app, stores, compute)
    evidence.append(step)
    moved = _global_table_replicas(stores, primary)
    clusters = [s for s in stores if s.kind == "aws.rds.db_cluster" and s.attrs.get("global_cluster_id")]
    primary_globals = {c.attrs.get("global_cluster_id") for c in clusters if c.region == primary}
    for cluster in clusters:
        if cluster.region != primary and cluster.attrs.get("global_cluster_id") in primary_globals:
            moved[cluster.id] = Step(cluster.id, "global_cluster_id", cluster.attrs.get("global_cluster_id"),
                                     "secondary cluster of an Aurora global database: standby data")
    store_ids = {s.id for s in stores}
    by_kind_region: dict[tuple[str, str], list[Resource]] = defaultdict(list)  # in `stores` order
    for store in stores:
        by_kind_region[(store.kind, store.region)].append(store)
    claimers: dict[tuple[str, str], set[str]] = defaultdict(set)  # stores that named a (kind, region) a destination
    for store in stores:
        targets = [t for t in graph.related(store.id, "replicates_to") if t.kind == store.kind]
        for target in targets:
            if target.region != primary and target.id in store_ids:
                moved.setdefault(target.id, Step(target.id, "relation:replicates_to", store.id,
                                                 f"replica of {store.name} (replication target)"))
        for region in store.attrs.get("replication_regions") or ():
            named = claimers[(store.kind, region)]
            if region == primary or store.id in named or len(named) >= 2:
                continue  # two stores naming it have marked every store there (each all but itself)
            named.add(store.id)
            for other in by_kind_region.get((store.kind, region), ()):
                if other.id != store.id:
                    moved.setdefault(other.id, Step(other.id, "region", region,
                                                    f"replication destination of {store.name}"))
    if moved:
        replicas.extend(s for s in stores if s.id in moved)
        stores = [s for s in stores if s.id not in moved]
        evidence.extend(moved.values())
    stateless = []
    kept = []
    for store in stores:
        reason = _stateless_reason(graph, store, primary) if store.kind in BLOCK_KINDS else None
        if reason:
            stateless.append(store)
            evidence.append(Step(store.id, "relation:attached_to", reason[0], reason[1]))
        else:
            kept.append(store)
    for resource in kept + replicas + compute:
        for key in graph.related(resource.id, "encrypted_by"):
            keys.setdefault(key.id, key)
    entrypoints, unresolved = _entrypoints(ctx, app, traffic)
    regions = sorted({r.region for r in members if r.region not in GLOBAL_REGIONS})
    providers = Counter(r.provider for r in kept + compute) or Counter(r.provider for r in members)
    primary_provider = sorted(providers.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if providers else ""
    tiers = _tiers(graph, compute)
    return AppScope(
        name=name, app=app, members=tuple(members), data_stores=tuple(sorted(kept, key=lambda r: r.id)),
        replicas=tuple(sorted(replicas, key=lambda r: r.id)), stateless_volumes=tuple(stateless),
        compute=tuple(compute), tiers=tuple(tiers), traffic=tuple(traffic),
        entrypoints=tuple(entrypoints), unresolved_entrypoints=tuple(unresolved),
        keys=tuple(sorted(keys.values(), key=lambda r: r.id)), network=tuple(sorted(network.values(), key=lambda r: r.id)),
        primary_region=primary, primary_provider=primary_provider, regions=tuple(regions),
        providers=tuple(sorted({r.provider for r in members})), accounts=tuple(sorted({r.account for r in members if r.account})),
        evidence=tuple(evidence), store_index={r.id: r for r in kept}, entrypoint_index={r.id: r for r in entrypoints},
        member_ids=frozenset(r.id for r in members),
        tier_of={m: t for t in tiers for m in t.member_ids},
    )


def _stateless_reason(graph: ResourceGraph, volume: Resource, primary: str) -> tuple[str, str] | None:
    instances = graph.related(volume.id, "attached_to")
    if instances and primary and all(i.region != primary and i.region not in GLOBAL_REGIONS for i in instances):
        return instances[0].id, f"disk of {instances[0].name} in {instances[0].region}, outside the primary region " \
                                f"{primary}: standby compute state, not the app's data"
    for instance in instances:
        groups = [g for g in graph.related(instance.id, "manages", "in") if g.kind == "aws.autoscaling.group"]
        if groups:
            return instance.id, f"attached to {instance.name}, an instance of autoscaling group {groups[0].name}: " \
                                "replaced from its image, holds no data of its own"
        if instance.tags.get("aws:autoscaling:groupName"):
            return instance.id, f"attached to {instance.name}, launched by autoscaling group " \
                                f"{instance.tags['aws:autoscaling:groupName']}: holds no data of its own"
    return None


def _entrypoints(ctx: DrContext, app: App | None, traffic: list[Resource]) -> tuple[list[Resource], list[str]]:
    if app is not None and app.entrypoints:
        found: dict[str, Resource] = {}
        unresolved = []
        for ref in app.entrypoints:
            matches = ctx.index.resolve(ref)
            if not matches:
                unresolved.append(ref)
            for match in matches:
                found[match.id] = match
        return sorted(found.values(), key=lambda r: r.id), unresolved
    return sorted((r for r in traffic if r.kind in ENTRY_KINDS), key=lambda r: r.id), []
