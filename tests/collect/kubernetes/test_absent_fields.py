"""Absent stays absent: deleting source fields the Kubernetes rules read may turn a FAIL into
NOT_ASSESSED, never into PASS."""

from __future__ import annotations

import json

import pytest

from drscan import api
from drscan.config import SharedService
from drscan.dr.scope import members_by_selector
from drscan.graph.build import build_graph
from drscan.collect.inventory import import_inventory
from drscan.model import Status
from tests.collect.kubernetes import estate

CONFIG = """apps:
  - {name: payments, tier: 1, rpo: 1h, rto: 4h, members: {namespaces: [payments]}}
  - {name: orders, tier: 1, rpo: 4h, rto: 8h, members: {tags: {app: orders}}}
"""


def _verdicts(root, config):
    result = api.scan(root / "k8s", config_path=config, as_of=estate.NOW)
    return {(f.rule_id, f.resource_id): f.status for f in result.scan.findings if f.rule_id.startswith("k8s-")}


def _strip(root, transform):
    for path in (root / "k8s").rglob("*.json"):
        document = json.loads(path.read_text())
        document["items"] = [transform(item) for item in document["items"]]
        path.write_text(json.dumps(document))


@pytest.mark.parametrize("what", ["status", "spec", "labels"])
def test_deleting_fields_never_turns_a_verdict_into_pass(tmp_path, what):
    config = tmp_path / "drscan.yaml"
    config.write_text(CONFIG)
    full = tmp_path / "full"
    estate.write_exports(full)
    before = _verdicts(full, config)
    assert Status.FAIL in before.values() and Status.PASS in before.values()
    stripped = tmp_path / "stripped"
    estate.write_exports(stripped)

    def drop(item: dict) -> dict:
        if what == "labels":
            item["metadata"].pop("labels", None)
        elif item["kind"] not in ("Namespace",):
            item.pop(what, None)
        return item

    _strip(stripped, drop)
    after = _verdicts(stripped, config)
    gained = {key: (before.get(key), status) for key, status in after.items()
              if status is Status.PASS and before.get(key) not in (Status.PASS, None)}
    assert not gained, gained


def test_shared_services_select_namespaces_too(tmp_path):
    root = estate.write_exports(tmp_path)
    graph = build_graph(import_inventory(root))
    members = {r.id for r in members_by_selector(graph, SharedService(name="pay-platform", member_namespaces=("prod-eks/payments",)))}
    assert "k8s://prod-eks/payments/statefulset/ledger" in members
    assert "k8s://prod-eks/_cluster/namespace/payments" in members
    assert not any("/orders/" in m for m in members)
