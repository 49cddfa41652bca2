"""A PASS only on data that was seen, for every rule: each rule's failing examples
(tests/rules/cases_*.yaml, normalized attributes) have any one attribute the rule may read
deleted, or set to null, one at a time (at any depth, on the subject, on its related resources
and in the previous scan's attributes of a drift rule), and the verdict is never PASS.

tests/collect/test_absent_never_passes.py checks the same from the raw export's side (a deleted
source field leaves the derived attribute absent, for every rule that fails in the sample
corpus); this test covers every rule, including those no sample resource fails."""

from __future__ import annotations

from typing import Iterator

from drscan.model import Status
from tests.collect.record_mutations import DELETE, NULL, leaf_paths, mutate
from tests.rules.test_rule_cases import CASES, evaluate_example


def mutations(example: dict) -> Iterator[tuple[str, tuple]]:
    """(how, path in the example) for every attribute of the subject, its neighbours and the
    previous scan's attributes; list items are only nulled (one item fewer is another
    configuration, not a missing field)."""
    places = [("attrs",)] + [("related", n, "attrs") for n in range(len(example.get("related", [])))]
    if "previous" in example:
        places.append(("previous",))
    for place in places:
        holder = example
        for step in place:
            holder = holder.get(step, {}) if isinstance(holder, dict) else holder[step]
        for path, in_object in leaf_paths(holder):
            for how in (DELETE, NULL) if in_object else (NULL,):
                yield how, place + path


def test_deleting_or_nulling_any_attribute_of_a_failing_example_never_gives_pass(ruleset):
    problems, mutants = [], 0
    covered = set()
    for rule_id, entry in CASES.items():
        rule = ruleset.get(rule_id)
        for number, example in enumerate(entry.get("fail", [])):
            assert evaluate_example(rule, example).status is Status.FAIL, rule_id
            covered.add(rule_id)
            for how, where in mutations(example):
                mutants += 1
                finding = evaluate_example(rule, mutate(example, where, how))
                if finding is not None and finding.status is Status.PASS:
                    problems.append(f"{rule_id} fail[{number}]: {how} {'.'.join(map(str, where))} -> PASS")
    assert covered == {rule.id for rule in ruleset.rules}  # every rule, through its failing examples
    assert mutants > 700, mutants
    assert not problems, "\n".join(problems)
