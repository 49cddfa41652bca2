"""Delete or null one field of one raw export record, re-import that record, rebuild the graph
and re-evaluate the rules on the resources it gave: the machinery of the "a FAIL never becomes
a PASS on missing data" property (tests/collect/test_absent_never_passes.py)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import orjson

from drscan.collect.imports.files import SUFFIXES, file_records
from drscan.collect.imports.records import Converted, RawRecord, RecordError
from drscan.collect.merge import merge_resources
from drscan.engine.evaluate import evaluate_resource
from drscan.engine.loader import RuleSet
from drscan.graph.build import build_graph
from drscan.model import Inventory, Resource, Status

NOW = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)  # the sample estate's --as-of
DELETE, NULL = "delete", "null"

Path_ = tuple[Any, ...]


def leaf_paths(value: Any, prefix: Path_ = ()) -> Iterator[tuple[Path_, bool]]:
    """Every field of a JSON record: (path, parent is an object). Object keys can be deleted or
    nulled; list items can only be nulled (deleting one is a different configuration, not a
    missing field)."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield prefix + (key,), True
            yield from leaf_paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield prefix + (index,), False
            yield from leaf_paths(child, prefix + (index,))


def mutate(value: Any, path: Path_, how: str) -> Any:
    copied = copy.deepcopy(value)
    parent = copied
    for step in path[:-1]:
        parent = parent[step]
    if how == DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = "" if isinstance(parent, dict) and _is_csv_row(copied) else None
    return copied


def _is_csv_row(value: Any) -> bool:
    return isinstance(value, dict) and "user_creation_time" in value


@dataclass
class Corpus:
    """Every record of the given export files, converted once."""

    records: list[RawRecord] = field(default_factory=list)
    outputs: list[Converted] = field(default_factory=list)

    @classmethod
    def load(cls, roots: list[Path]) -> "Corpus":
        corpus = cls()
        for root in roots:
            files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.name.endswith(SUFFIXES))
            for path in files:
                records, _ = file_records(path)
                for record in records:
                    value = record.value
                    if isinstance(value, str) and value.lstrip().startswith("{"):
                        value = orjson.loads(value)  # select-resource-config results are JSON strings
                        record = RawRecord(record.where, value, record.convert)
                    corpus.records.append(record)
                    corpus.outputs.append(convert(record, record.value))
        return corpus


def convert(record: RawRecord, value: Any) -> Converted:
    try:
        return record.convert(value, record.where)
    except RecordError:
        return Converted()  # skipped, with a gap


# Kinds whose attributes or tags the graph stage reads to draw relations (AWS Backup selections and
# DLM policies match resources by tags; Route 53 aliases match load balancers by DNS name).
LINKING_KINDS = {"aws.backup.selection", "aws.dlm.lifecycle_policy", "aws.route53.record", "aws.elbv2.load_balancer"}
LINKING_ATTRS = {"volume_type", "attached_instance_ids", "dns_name"}


class Estate:
    """The corpus merged and graphed once; a mutant of one record is judged against it, rebuilding
    the graph only when the mutation can change relations (references, tags, linking attributes)."""

    def __init__(self, corpus: Corpus, rules: RuleSet) -> None:
        self.corpus, self.rules = corpus, rules
        self.raw_by_id: dict[str, list[tuple[int, int]]] = {}
        for number, converted in enumerate(corpus.outputs):
            for position, resource in enumerate(converted.resources):
                self.raw_by_id.setdefault(resource.id, []).append((number, position))
        self.graph = self._graph(-1, Converted())

    def _graph(self, index: int, output: Converted):
        raw: list[Resource] = []
        references = []
        for number, converted in enumerate(self.corpus.outputs):
            chosen = output if number == index else converted
            raw.extend(chosen.resources)
            references.extend(chosen.references)
        return build_graph(Inventory(resources=tuple(merge_resources(raw)), references=tuple(references)))

    def _merged(self, index: int, resource: Resource) -> Resource:
        """The resource as merged with what other records say about the same id."""
        parts = [resource if number == index else self.corpus.outputs[number].resources[position]
                 for number, position in self.raw_by_id.get(resource.id, [])]
        if resource not in parts:
            parts.append(resource)
        merged = merge_resources(parts)[0]
        baseline = self.graph.resources.get(resource.id)
        return merged if baseline is None else replace(merged, account=baseline.account)

    def _relinks(self, index: int, output: Converted) -> bool:
        before = self.corpus.outputs[index]
        if output.references != before.references or len(output.resources) != len(before.resources):
            return True
        for old, new in zip(before.resources, output.resources):
            if old.id != new.id or old.tags != new.tags or new.kind in LINKING_KINDS:
                return True
            if any(old.attrs.get(key) != new.attrs.get(key) for key in LINKING_ATTRS):
                return True
        return False

    def verdicts(self, index: int, output: Converted) -> list[dict[str, Status | None]]:
        """The rules' verdicts (None: the rule does not apply) on each resource record `index`
        gives when it gives `output`, every other record unchanged."""
        if self._relinks(index, output):
            graph = self._graph(index, output)
            subjects = [graph.resources[r.id] for r in output.resources]
        else:
            graph = self.graph
            subjects = [self._merged(index, r) for r in output.resources]
        results = []
        for subject in subjects:
            found: dict[str, Status | None] = {}
            for rule in self.rules.by_kind.get(subject.kind, ()):
                if rule.category == "drift":
                    continue  # compares with a previous scan; not a function of one record
                finding = evaluate_resource(subject, rule, graph, NOW)
                found[rule.id] = finding.status if finding else None
            results.append(found)
        return results
