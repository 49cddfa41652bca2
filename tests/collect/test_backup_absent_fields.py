"""Absent stays absent, for the backup importers: delete any one field of a real-shaped export
and re-import it; a rule that FAILed may become NOT_ASSESSED, never PASS (and nothing that was
NOT_ASSESSED becomes PASS)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from drscan.collect.imports.files import import_file
from drscan.config import load_config
from drscan.engine.evaluate import evaluate
from drscan.errors import InputError
from drscan.graph.backups import judge_backups, link_backups
from drscan.graph.build import build_graph
from drscan.model import Inventory, Status
from tests.conftest import FIXED_NOW

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "backups"
EXPORTS = ("pg-main.pgbackrest.json", "orders.walg.json", "orders.wal-verify.json", "reporting.barman.json",
           "reporting.show-backup.json", "vbr-sessions.json", "s3-orders-dumps.json")


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield prefix + (key,)
            yield from _paths(inner, prefix + (key,))
    elif isinstance(value, list) and value:
        yield from _paths(value[-1], prefix + (len(value) - 1,))  # the newest entry: what the rules read


def _without(document, path):
    copied = copy.deepcopy(document)
    node = copied
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return copied


def verdicts(ruleset, tmp_path: Path, document) -> dict[tuple[str, str], Status]:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document))
    config_path = tmp_path / "drscan.yaml"
    config_path.write_text("backup_defaults: {max_age: 30d, min_retention_days: 1}\n")
    config = load_config(config_path)
    batch = import_file(path)
    inventory = link_backups(Inventory(resources=tuple(batch.resources)), config)
    graph = build_graph(inventory)
    for resource in judge_backups(graph.resources, graph.related, graph.apps_of, config, FIXED_NOW):
        graph.resources[resource.id] = resource
    return {(f.rule_id, f.resource_id): f.status for f in evaluate(graph, ruleset, FIXED_NOW)}


@pytest.mark.parametrize("name", EXPORTS)
def test_deleting_any_field_never_turns_a_verdict_into_pass(ruleset, tmp_path, name):
    document = json.loads((FIXTURES / name).read_text())
    before = verdicts(ruleset, tmp_path, document)
    assert before, f"{name}: no backup rule ran"
    for path in list(_paths(document))[:150]:
        try:
            after = verdicts(ruleset, tmp_path, _without(document, path))
        except InputError:
            continue  # a required field gone: the export is refused with a one-line error, which is fine
        for key, status in after.items():
            if status is Status.PASS and key in before:
                assert before[key] is Status.PASS, f"{name} without {'.'.join(map(str, path))}: {key} {before[key]} -> PASS"
