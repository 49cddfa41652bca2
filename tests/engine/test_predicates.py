"""The operator table and three-valued combinators."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from drscan.engine.predicates import OPERATORS, EvalContext, compile_condition
from drscan.errors import RuleError
from drscan.model import Resource

NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)


def run(condition, attrs=None, tags=None):
    compiled = compile_condition(condition, "test.yaml", lambda at: 1, ())
    resource = Resource(kind="aws.s3.bucket", id="r", name="r", provider="aws", account="1", region="us-east-1",
                        attrs=attrs or {}, tags=tags or {})
    ctx = EvalContext(related=lambda *_: [], now=NOW)
    return compiled(resource, ctx), ctx.evidence


@pytest.mark.parametrize("op,actual,expected,result", [
    ("eq", 1, 1, True), ("ne", 1, 2, True), ("in", "a", ["a", "b"], True), ("not_in", "c", ["a"], True),
    ("gt", 3, 2, True), ("gte", 2, 2, True), ("lt", 1, 2, True), ("lte", 3, 2, False),
    ("contains", ["x", "y"], "x", True), ("not_contains", ["x"], "x", False),
    ("len_gte", [1, 2], 2, True), ("len_lte", [1, 2], 1, False), ("matches", "TLS1_2", r"^TLS1_[23]$", True),
    ("age_days_lte", "2026-11-01T00:00:00Z", 30, True), ("age_days_lte", "2025-11-01T00:00:00Z", 30, False),
])
def test_operator_table(op, actual, expected, result):
    (verdict, _), _ = run({"attr": "x", "op": op, "value": expected}, {"x": actual})
    assert verdict is result


def test_every_operator_is_tested():
    tested = {"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "not_contains", "len_gte",
              "len_lte", "matches", "age_days_lte", "exists", "not_exists"}
    assert tested == set(OPERATORS)


def test_missing_attribute_is_unknown_and_recorded_as_evidence():
    (verdict, reason), evidence = run({"attr": "x", "op": "eq", "value": 1})
    assert verdict is None and "not collected" in reason
    assert evidence[0].path == "x" and evidence[0].value is None


def test_presence_operators_answer_on_none():
    assert run({"attr": "x", "op": "exists"}, {"x": None})[0][0] is False
    assert run({"attr": "x", "op": "not_exists"}, {"x": None})[0][0] is True


def test_kleene_all_any_not():
    false, unknown, true = {"attr": "f", "op": "eq", "value": 1}, {"attr": "u", "op": "eq", "value": 1}, {"attr": "t", "op": "eq", "value": 1}
    attrs = {"f": 0, "t": 1}
    assert run({"all": [true, unknown]}, attrs)[0][0] is None
    assert run({"all": [unknown, false]}, attrs)[0][0] is False
    assert run({"any": [unknown, true]}, attrs)[0][0] is True
    assert run({"any": [false, unknown]}, attrs)[0][0] is None
    assert run({"not": unknown}, attrs)[0][0] is None
    assert run({"not": false}, attrs)[0][0] is True


def test_absent_tag_is_a_fact_not_a_gap():
    assert run({"attr": "tags.app", "op": "exists"})[0][0] is False
    assert run({"attr": "tags.app", "op": "eq", "value": "x"})[0][0] is False
    assert run({"attr": "tags.app", "op": "eq", "value": "x"}, tags={"app": "x"})[0][0] is True


def test_incomparable_values_are_unknown_not_errors():
    (verdict, reason), _ = run({"attr": "x", "op": "gte", "value": 7}, {"x": "seven"})
    assert verdict is None and "cannot be compared" in reason


def test_malformed_conditions_are_rejected():
    with pytest.raises(RuleError, match="unknown condition key"):
        compile_condition({"every": []}, "t.yaml", lambda at: 3, ())
    with pytest.raises(RuleError, match="needs a value"):
        compile_condition({"attr": "x", "op": "eq"}, "t.yaml", lambda at: 3, ())
    with pytest.raises(RuleError, match="t.yaml:3"):
        compile_condition({"attr": "x", "op": "nope", "value": 1}, "t.yaml", lambda at: 3, ())


def test_failed_listing_makes_its_kinds_rules_not_assessed_for_that_scope():
    from datetime import datetime, timezone
    from pathlib import Path

    from drscan.engine.evaluate import evaluate
    from drscan.engine.loader import load_rules
    from drscan.graph.build import build_graph
    from drscan.model import Gap, Inventory, Resource, Status

    rules = load_rules(Path(__file__).parents[2] / "rules")
    bucket = Resource(kind="aws.s3.bucket", id="arn:aws:s3:::seen", name="seen", provider="aws", account="111111111111",
                      region="us-east-1", attrs={"encryption_algorithm": "AES256"})
    denied = Gap("aws", "222222222222", "global", "s3", "ListBuckets", "AccessDenied", "Access Denied", kinds=("aws.s3.bucket",))
    seen_elsewhere = Gap("aws", "111111111111", "global", "s3", "ListBuckets", "Throttling", "Rate exceeded", kinds=("aws.s3.bucket",))
    detail = Gap("aws", "111111111111", "us-east-1", "s3", "GetBucketEncryption", "AccessDenied", "x",
                 resource_id="arn:aws:s3:::seen", kinds=("aws.s3.bucket",))
    graph = build_graph(Inventory(resources=(bucket,)))
    findings = evaluate(graph, rules, datetime(2026, 11, 25, tzinfo=timezone.utc), [denied, seen_elsewhere, detail])
    unseen = [f for f in findings if f.resource_id.startswith("unseen:")]
    s3_rules = {r.id for r in rules.by_kind["aws.s3.bucket"] if r.category != "drift"}
    assert {f.rule_id for f in unseen} == s3_rules
    assert {f.resource_id for f in unseen} == {"unseen:aws/222222222222/global/aws.s3.bucket"}
    assert all(f.status is Status.NOT_ASSESSED and "AccessDenied on s3:ListBuckets" in f.reason for f in unseen)
    assert not [f for f in findings if f.status is Status.PASS and f.resource_id.startswith("unseen:")]
