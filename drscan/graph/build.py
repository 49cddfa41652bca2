"""Build the dependency graph from an Inventory: resolve references, derive relations that
need the whole inventory (AWS Backup tag/wildcard selections, application membership), and
turn references that point at nothing into Gaps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from drscan.config import App
from drscan.graph.aws_links import aws_links
from drscan.graph.azure_links import derive_azure
from drscan.graph.gcp_links import gcp_links
from drscan.graph.kubernetes import link_kubernetes
from drscan.model import Gap, Inventory, Relation, Resource

APP_KIND = "drscan.app"


def app_node_id(name: str) -> str:
    return f"app:{name}"


@dataclass
class ResourceGraph:
    resources: dict[str, Resource]
    relations: list[Relation]
    gaps: list[Gap]
    apps_of: dict[str, tuple[str, ...]] = field(default_factory=dict)  # resource id -> app names
    app_nodes: tuple[str, ...] = ()
    # Set when resources outside the graph may be linked to those in it (a plan without the live
    # estate): the reason, which relation rules report instead of failing on too few neighbours.
    open_world: str | None = None
    _outgoing: dict[tuple[str, str], list[str]] = field(default_factory=dict, repr=False)
    _incoming: dict[tuple[str, str], list[str]] = field(default_factory=dict, repr=False)
    _nx: nx.MultiDiGraph | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Rules ask "neighbours of X over relation R" millions of times; two dict indexes answer
        # that in O(1) without walking networkx's adjacency views.
        outgoing: dict[tuple[str, str], list[str]] = defaultdict(list)
        incoming: dict[tuple[str, str], list[str]] = defaultdict(list)
        for relation in self.relations:
            outgoing[(relation.source, relation.type)].append(relation.target)
            incoming[(relation.target, relation.type)].append(relation.source)
        self._outgoing, self._incoming = dict(outgoing), dict(incoming)

    def related(self, resource_id: str, relation: str, direction: str = "out") -> list[Resource]:
        """Resources linked to resource_id by `relation`; direction 'out' follows source->target."""
        index = self._outgoing if direction == "out" else self._incoming
        return [self.resources[i] for i in index.get((resource_id, relation), ()) if i in self.resources]

    def related_ids(self, resource_id: str, relation: str, direction: str = "out") -> list[str]:
        """The ids `related` would return resources for, in the same order (ids not in the graph included)."""
        return (self._outgoing if direction == "out" else self._incoming).get((resource_id, relation), [])

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The networkx view (nodes: resource ids and app:<name>; edge keys: relation types), for
        graph algorithms such as failure propagation. Built on first use."""
        if self._nx is None:
            graph = nx.MultiDiGraph()
            graph.add_nodes_from(self.resources)
            graph.add_nodes_from(self.app_nodes)
            graph.add_edges_from((r.source, r.target, r.type) for r in self.relations)
            self._nx = graph
        return self._nx


EMPTY_APP = "AppHasNoMembers"


def empty_app_gap(app: App) -> Gap:
    """An app whose `members` selector matches nothing in the scan (a tag-key typo, a stale id):
    a configuration warning, and every DR verdict of the app NOT_ASSESSED for this reason."""
    selector = []
    if app.member_tags:
        selector.append("tags " + ", ".join(f"{k}={v}" for k, v in app.member_tags.items()))
    if app.member_ids:
        selector.append(f"{len(app.member_ids)} resource id(s)")
    if app.member_namespaces:
        selector.append("namespaces " + ", ".join(app.member_namespaces))
    what = " and ".join(selector) or "no selector"
    return Gap(provider="drscan", account="", region="", service="config", operation=f"apps[{app.name}].members",
               code=EMPTY_APP, message=f"app {app.name!r}: its members ({what}) match no resource in this scan; "
                                       "check drscan.yaml (tag key and value) and the inputs",
               resource_id=app_node_id(app.name), kinds=("drscan.dr.app",))


def build_graph(inventory: Inventory, apps: tuple[App, ...] = (), open_world: str | None = None) -> ResourceGraph:
    resources = {r.id: r for r in inventory.resources}
    relations: list[Relation] = list(inventory.relations)
    gaps: list[Gap] = []

    for ref in inventory.references:
        target = resources.get(ref.target)
        if target is not None and ref.source in resources:
            # the resource's own id string, not the reference's copy of it (one per relation at a million)
            relations.append(Relation(ref.source, target.id, ref.type))
        else:
            source = resources.get(ref.source)
            gaps.append(Gap(
                provider=source.provider if source else "", account=source.account if source else "",
                region=source.region if source else "", service="graph", operation=ref.type,
                code="UnresolvedReference", resource_id=ref.source,
                message=f"{ref.type} -> {ref.target} is not in the inventory",
            ))

    relations.extend(aws_links(resources))
    relations.extend(gcp_links(resources))
    resources.update(derive_azure(resources))  # Activity Log export, security contacts, audit logging
    kubernetes = link_kubernetes(resources, inventory.gaps, relations)  # objects get their cluster's region, zones, links
    resources.update(kubernetes.updated)
    relations.extend(kubernetes.relations)
    gaps.extend(kubernetes.gaps)

    apps_of: dict[str, list[str]] = defaultdict(list)
    by_tag: dict[tuple[str, str], list[str]] = defaultdict(list)
    if any(app.member_tags for app in apps):  # one pass over resources, not one per app
        for resource in resources.values():
            for item in resource.tags.items():
                by_tag[item].append(resource.id)
    for app in apps:
        node = app_node_id(app.name)
        members = {i for i in app.member_ids if i in resources} | {i.lower() for i in app.member_ids if i.lower() in resources}
        if app.member_tags:
            (first, *rest) = app.member_tags.items()
            members |= {i for i in by_tag.get(first, ()) if all(resources[i].tags.get(k) == v for k, v in rest)}
        members = kubernetes.expand(members, resources, app.member_namespaces)  # a member namespace brings its objects
        for member in sorted(members):
            relations.append(Relation(member, node, "member_of_app"))
            apps_of[member].append(app.name)
        if not members:
            gaps.append(empty_app_gap(app))

    return ResourceGraph(resources=resources, relations=list(dict.fromkeys(relations)), gaps=gaps,
                         apps_of={k: tuple(v) for k, v in apps_of.items()},
                         app_nodes=tuple(app_node_id(a.name) for a in apps), open_world=open_world)
