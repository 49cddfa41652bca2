"""Partitioned evaluation (the evaluate stage on a cluster): the graph is split by account, each
partition carrying every resource its rules can reach through `related` (cross-account replicas,
backup copies, shared keys, app nodes), and partitions are evaluated on an executor's workers
(drscan.collect.executor) with the findings streamed back. The answer equals evaluate()'s."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Callable

from drscan.engine.evaluate import _no_previous, evaluate_resources, gaps_by_kind_of, unseen_scope_findings
from drscan.engine.loader import RuleSet
from drscan.graph.build import ResourceGraph
from drscan.model import Finding, Gap, Relation, Resource

PARTITION_SIZE = 20_000  # subjects per partition: large accounts are split into several


@dataclass(frozen=True)
class Partition:
    """One unit of evaluation: the subjects to judge and what they can reach."""

    account: str
    subjects: tuple[str, ...]  # ids of the resources evaluated here
    resources: tuple[Resource, ...]  # subjects and every resource within reach
    relations: tuple[Relation, ...]  # relations among those resources
    gaps: tuple[Gap, ...]  # gaps that can explain a subject's missing data
    previous: tuple[Resource, ...]  # the previous scan's view of the subjects (drift rules)
    now: datetime
    per_resource_time: bool = False  # ages as of each subject's capture time (drscan.engine.evaluate)


def _reach(adjacent: dict[str, set[str]], start: list[str], hops: int) -> set[str]:
    seen = set(start)
    frontier = set(start)
    for _ in range(hops):
        frontier = {n for node in frontier for n in adjacent.get(node, ()) if n not in seen}
        if not frontier:
            break
        seen |= frontier
    return seen


def plan_partitions(graph: ResourceGraph, rules: RuleSet, now: datetime, gaps: list[Gap],
                    previous: dict[str, Resource] | None = None, size: int = PARTITION_SIZE,
                    per_resource_time: bool = False) -> list[Partition]:
    hops = max((rule.related_depth for rule in rules.rules), default=0)
    adjacent: dict[str, set[str]] = defaultdict(set)
    incident: dict[str, list[int]] = defaultdict(list)  # source -> positions in graph.relations
    for position, relation in enumerate(graph.relations):
        adjacent[relation.source].add(relation.target)
        adjacent[relation.target].add(relation.source)
        incident[relation.source].append(position)
    rank = {resource_id: n for n, resource_id in enumerate(graph.resources)}
    by_account: dict[str, list[str]] = defaultdict(list)
    for resource in graph.resources.values():
        if resource.kind in rules.by_kind:
            by_account[resource.account].append(resource.id)
    gaps_of: dict[str, list[Gap]] = defaultdict(list)
    for gap in gaps:
        if gap.kinds:
            gaps_of[gap.account].append(gap)
    partitions = []
    for account in sorted(by_account):
        ids = by_account[account]
        for start in range(0, len(ids), size):
            subjects = ids[start:start + size]
            within = _reach(adjacent, subjects, hops)
            # Resources and relations keep the whole graph's order, so rules that list related
            # resources give the same evidence, in the same order, as a local evaluation.
            positions = sorted(p for node in within for p in incident.get(node, ()) if graph.relations[p].target in within)
            relations = tuple(graph.relations[p] for p in positions)
            partitions.append(Partition(
                account=account, subjects=tuple(subjects),
                resources=tuple(graph.resources[i] for i in sorted((i for i in within if i in rank), key=rank.__getitem__)),
                relations=relations, gaps=tuple(gaps_of[account] + gaps_of[""]),
                previous=tuple(previous[i] for i in subjects if previous and i in previous), now=now,
                per_resource_time=per_resource_time))
    return partitions


def evaluate_partition(partition: Partition, rules: RuleSet) -> list[Finding]:
    """A plain function of its inputs: what a worker runs for one partition."""
    graph = ResourceGraph(resources={r.id: r for r in partition.resources}, relations=list(partition.relations), gaps=[])
    previous = {r.id: r for r in partition.previous}
    return evaluate_resources(graph, rules, partition.now, (graph.resources[i] for i in partition.subjects),
                              gaps_by_kind_of(partition.gaps), previous.get if previous else _no_previous,
                              per_resource_time=partition.per_resource_time)


def _rules_state(rules: RuleSet) -> RuleSet:
    return rules


def evaluate_partitioned(graph: ResourceGraph, rules: RuleSet, now: datetime, gaps: list[Gap], executor: Any,
                         previous: dict[str, Resource] | None = None,
                         on_progress: Callable[[int], None] | None = None, size: int = PARTITION_SIZE,
                         per_resource_time: bool = False) -> list[Finding]:
    """evaluate() on an executor: partitions in, findings streamed back, put in evaluate()'s order."""
    partitions = plan_partitions(graph, rules, now, gaps, previous, size, per_resource_time)
    results: dict[int, list[Finding]] = {}
    for outcome in executor.run(evaluate_partition, partitions, state_factory=partial(_rules_state, rules),
                                state_key=f"rules-{rules.digest}"):
        if outcome.failure is not None:  # evaluation is pure: a failure is a bug, not a gap
            raise RuntimeError(f"evaluating the partition of account {outcome.task.account!r} failed: "
                               f"{outcome.failure.describe()}")
        results[outcome.index] = outcome.result
        if on_progress:
            on_progress(len(outcome.task.subjects))
    position = {resource_id: n for n, resource_id in enumerate(graph.resources)}
    findings = sorted((f for index in sorted(results) for f in results[index]), key=lambda f: position[f.resource_id])
    findings.extend(unseen_scope_findings(graph, rules, gaps_by_kind_of(gaps)))
    return findings
