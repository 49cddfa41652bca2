"""A PASS only on data that was seen: for every rule that FAILs somewhere in the sample estate
and the collector/importer fixtures, deleting (and separately nulling) any one field of the raw
export record a failing resource came from never turns that FAIL into a PASS. It may become
NOT_ASSESSED, or a Gap when the record can no longer be read at all.

Every rule that fails somewhere is covered: for each, the first records that fail it (at most
RECORDS_PER_RULE, in corpus order) have every field of their JSON deleted and nulled, one at a
time; the mutants that change what the importer produces are re-imported, re-graphed and judged."""

from __future__ import annotations

from pathlib import Path

import pytest

from drscan.engine.loader import load_rules
from drscan.model import Status
from drscan.paths import rules_dir
from tests.collect.record_mutations import DELETE, NULL, Corpus, Estate, convert, leaf_paths, mutate

ROOT = Path(__file__).resolve().parents[2]
CORPUS = [ROOT / "samples/acme/aws", ROOT / "samples/acme/gcp", ROOT / "samples/acme/azure",
          ROOT / "tests/fixtures/aws_cli", ROOT / "tests/fixtures/aws_api", ROOT / "tests/fixtures/azure_api/graph",
          ROOT / "tests/fixtures/gcp_api"]
RECORDS_PER_RULE = 2

# Fields whose absence is a different resource, not a missing fact: without them the rule does
# not apply (no finding), which is not a PASS. Tags and labels are the other such selectors.
DISCRIMINATORS = {
    ("aws.route53.record", "Failover"): "the routing field names the policy; without one a record is simple-routed",
    ("gcp.compute.resource_policy", "snapshotSchedulePolicy"): "placement and instance-schedule policies have none",
}

# A null that the export format itself uses to say "none": AWS Config records a bucket without a
# bucket policy as {"policyText": null}, so nulling it is a bucket with no policy (not public).
NULL_MEANS_NONE = {
    ("aws.s3.bucket", "policyText"): "AWS Config's record of a bucket without a policy",
}


@pytest.fixture(scope="module")
def estate() -> Estate:
    return Estate(Corpus.load(CORPUS), load_rules(rules_dir()))


def _baseline_failures(estate: Estate) -> dict[int, list[tuple[int, str]]]:
    """record index -> (resource position, rule id) of every FAIL it gives."""
    failures = {}
    for index, output in enumerate(estate.corpus.outputs):
        if output.resources:
            verdicts = estate.verdicts(index, output)
            found = [(position, rule) for position, by_rule in enumerate(verdicts)
                     for rule, status in by_rule.items() if status is Status.FAIL]
            if found:
                failures[index] = found
    return failures


def _chosen(failures: dict[int, list[tuple[int, str]]]) -> dict[int, list[tuple[int, str]]]:
    """At most RECORDS_PER_RULE records per failing rule, deterministically (corpus order)."""
    taken: dict[str, int] = {}
    chosen: dict[int, list[tuple[int, str]]] = {}
    for index, found in failures.items():
        if any(taken.get(rule, 0) < RECORDS_PER_RULE for _, rule in found):
            chosen[index] = found
            for _, rule in found:
                taken[rule] = taken.get(rule, 0) + 1
    return chosen


def _discriminator(kind: str, path: tuple) -> bool:
    return any(step == name for (k, name) in DISCRIMINATORS if k == kind for step in path)


def test_deleting_or_nulling_one_field_never_turns_a_fail_into_a_pass(estate):
    failures = _baseline_failures(estate)
    chosen = _chosen(failures)
    failing_rules = {rule for found in failures.values() for _, rule in found}
    assert len(failing_rules) >= 90, "the corpus should fail almost every rule somewhere"
    assert failing_rules == {rule for found in chosen.values() for _, rule in found}  # every rule covered

    problems, mutants = [], 0
    for index, found in chosen.items():
        record, before = estate.corpus.records[index], estate.corpus.outputs[index]
        seen: set[str] = set()
        for path, in_object in leaf_paths(record.value):
            for how in (DELETE, NULL) if in_object else (NULL,):
                after = convert(record, mutate(record.value, path, how))
                key = repr((after.resources, after.references))
                if key in seen or (after.resources, after.references) == (before.resources, before.references):
                    continue
                seen.add(key)
                mutants += 1
                verdicts = estate.verdicts(index, after) if after.resources else []
                for position, rule in found:
                    if len(after.resources) != len(before.resources):
                        ids = {r.id: n for n, r in enumerate(after.resources)}
                        position = ids.get(before.resources[position].id)
                        if position is None:
                            continue  # the record could not be read: a Gap, not a verdict
                    status = verdicts[position].get(rule, "absent")
                    resource = after.resources[position]
                    vanished = status is None and not (
                        resource.tags != before.resources[min(position, len(before.resources) - 1)].tags
                        or _discriminator(resource.kind, path))
                    format_says_none = how == NULL and (resource.kind, path[-1]) in NULL_MEANS_NONE
                    if (status is Status.PASS and not format_says_none) or vanished:
                        problems.append(f"{rule}: {how} {'.'.join(map(str, path))} in {record.where} -> "
                                        f"{'PASS' if status is Status.PASS else 'rule no longer applies'}")
    assert mutants > 1000, mutants
    assert not problems, "\n".join(problems[:40])
