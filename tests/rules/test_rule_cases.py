"""Every rule is run on its passing and failing examples (tests/rules/cases_*.yaml): real
rule files, real engine, a small real graph."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drscan.engine.evaluate import evaluate_resource
from drscan.graph.build import build_graph
from drscan.model import Inventory, Reference, Resource, Status
from tests.conftest import FIXED_NOW

CASES_DIR = Path(__file__).parent
EXPECT = {"pass": Status.PASS, "fail": Status.FAIL, "not_assessed": Status.NOT_ASSESSED, "skip": None}


def load_cases() -> dict[str, dict]:
    cases: dict[str, dict] = {}
    for path in sorted(CASES_DIR.glob("cases_*.yaml")):
        for rule_id, entry in yaml.safe_load(path.read_text()).items():
            assert rule_id not in cases, f"{rule_id} has cases in two files"
            cases[rule_id] = entry
    return cases


CASES = load_cases()


def _params():
    for rule_id, entry in CASES.items():
        for expectation, examples in entry.items():
            for index, example in enumerate(examples):
                yield pytest.param(rule_id, expectation, example, id=f"{rule_id}-{expectation}-{index}")


def build_subject(rule, example: dict):
    subject = Resource(kind=example.get("kind", rule.kinds[0]), id="subject", name="subject",
                       provider=rule.kinds[0].split(".")[0], account="111111111111",
                       region=example.get("region", "us-east-1"), attrs=example.get("attrs", {}),
                       tags=example.get("tags", {}))
    others, references = [], []
    for n, neighbour in enumerate(example.get("related", [])):
        other = Resource(kind=neighbour["kind"], id=f"neighbour-{n}", name=f"neighbour-{n}", provider=subject.provider,
                         account=subject.account, region=neighbour.get("region", subject.region),
                         attrs=neighbour.get("attrs", {}))
        others.append(other)
        if neighbour["direction"] == "in":
            references.append(Reference(other.id, subject.id, neighbour["relation"]))
        else:
            references.append(Reference(subject.id, other.id, neighbour["relation"]))
    graph = build_graph(Inventory(resources=(subject, *others), references=tuple(references)))
    return subject, graph


def evaluate_example(rule, example: dict):
    """The rule's finding on the example's subject (None: the rule does not apply)."""
    subject, graph = build_subject(rule, example)
    previous = None
    if "previous" in example:
        previous = Resource(kind=subject.kind, id=subject.id, name=subject.name, provider=subject.provider,
                            account=subject.account, region=subject.region, attrs=example["previous"])
    return evaluate_resource(subject, rule, graph, FIXED_NOW, previous=lambda rid: previous if rid == subject.id else None)


@pytest.mark.parametrize("rule_id,expectation,example", list(_params()))
def test_rule_example(ruleset, rule_id, expectation, example):
    rule = ruleset.get(rule_id)
    assert rule is not None, f"cases name unknown rule {rule_id}"
    finding = evaluate_example(rule, example)
    if EXPECT[expectation] is None:
        assert finding is None, f"{rule_id} should not apply, got {finding}"
        return
    assert finding is not None, f"{rule_id} produced no finding"
    assert finding.status is EXPECT[expectation], finding.reason
    assert finding.reason
    assert finding.evidence, "a finding must carry the evidence it read"
    assert finding.controls == rule.controls


def test_every_rule_has_a_passing_and_a_failing_example(ruleset):
    missing = [r.id for r in ruleset.rules if not (CASES.get(r.id, {}).get("pass") and CASES.get(r.id, {}).get("fail"))]
    assert not missing, f"rules without pass+fail examples: {missing}"


def test_at_least_thirty_rules_across_three_clouds(ruleset):
    providers = {r.kinds[0].split(".")[0] for r in ruleset.rules}
    assert len(ruleset.rules) >= 30
    assert {"aws", "gcp", "azure"} <= providers


def test_missing_attribute_is_not_assessed_never_pass(ruleset):
    """Three-valued logic: with no data at all, no rule may PASS."""
    for rule in ruleset.rules:
        subject = Resource(kind=rule.kinds[0], id="bare", name="bare", provider="x", account="a", region="r",
                           tags={"app": "payments"})
        graph = build_graph(Inventory(resources=(subject,)))
        finding = evaluate_resource(subject, rule, graph, FIXED_NOW)
        if finding is not None:
            assert finding.status is not Status.PASS, f"{rule.id} passed on an empty resource"
