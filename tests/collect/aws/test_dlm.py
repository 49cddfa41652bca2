"""DLM collector. moto 5.2.5 does not implement Data Lifecycle Manager at all (see
/work/shared/notes section 4), so botocore's Stubber serves the responses from JSON fixtures shaped
as in the DLM API reference (tests/fixtures/aws_api/dlm), timestamps parsed as botocore would."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from botocore.stub import Stubber

from drscan.collect.aws import dlm
from drscan.graph.aws_links import dlm_targets
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Inventory, Resource
from tests.collect.aws.conftest import ACCOUNT, as_botocore_parses, task
from tests.conftest import FIXED_NOW

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aws_api" / "dlm"
POLICY_IDS = ("policy-0a1b2c3d4e5f60718", "policy-0b2c3d4e5f6071829", "policy-0c3d4e5f607182930")




def api_response(client, operation: str, name: str) -> dict:
    data = json.loads((FIXTURES / name).read_text())
    return as_botocore_parses(client.meta.service_model.operation_model(operation).output_shape, data)


def _collect(deny: str | None = None) -> TaskContext:
    spec_task = task("dlm")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    client = ctx.client("dlm")
    with Stubber(client) as stub:
        stub.add_response("get_lifecycle_policies", api_response(client, "GetLifecyclePolicies", "get_lifecycle_policies.json"), {})
        for policy_id in POLICY_IDS:
            if policy_id == deny:
                stub.add_client_error("get_lifecycle_policy", "AccessDeniedException", "not authorized", 403,
                                      expected_params={"PolicyId": policy_id})
                continue
            stub.add_response("get_lifecycle_policy", api_response(client, "GetLifecyclePolicy", f"get_lifecycle_policy-{policy_id}.json"),
                              {"PolicyId": policy_id})
        dlm.collect(ctx)
        stub.assert_no_pending_responses()
    return ctx


def test_policies_with_schedules_retention_and_copies(aws, ruleset):
    ctx = _collect()
    policies = {r.id.rsplit("/", 1)[-1]: r for r in ctx.out.resources}
    assert set(policies) == set(POLICY_IDS)
    daily, batch, default = (policies[p] for p in POLICY_IDS)
    assert daily.id == f"arn:aws:dlm:us-east-1:{ACCOUNT}:policy/policy-0a1b2c3d4e5f60718" and daily.kind == "aws.dlm.lifecycle_policy"
    assert daily.attrs["state"] == "ENABLED" and daily.attrs["resource_types"] == ["VOLUME"] and daily.tags == {"app": "payments"}
    assert daily.attrs["target_tags"] == {"backup": "dlm-daily"} and daily.attrs["created_at"] == "2025-03-02T09:15:00Z"
    assert daily.attrs["schedules"] == [{"name": "daily-0300", "interval_hours": 24.0, "cron": None, "retain_count": 14,
                                         "retain_days": 14.0, "cross_region_copy_regions": ["us-west-2"],
                                         "cross_region_copy_encrypted": True}]
    assert daily.attrs["min_retention_days"] == 14.0 and daily.attrs["cross_region_copy_regions"] == ["us-west-2"]
    (schedule,) = batch.attrs["schedules"]
    assert (schedule["cron"], schedule["interval_hours"], schedule["retain_days"]) == ("cron(0 */6 * * ? *)", 6.0, 1.0)
    assert batch.attrs["state"] == "DISABLED" and batch.attrs["resource_types"] == ["INSTANCE"]
    assert default.attrs["default_policy"] is True and default.attrs["resource_types"] == ["VOLUME"]
    assert default.attrs["min_retention_days"] == 7 and default.attrs["exclude_volume_types"] == ["sc1"]
    assert default.attrs["exclude_tags"] == {"scratch": "true"}
    assert not ctx.out.gaps
    # (Stubber answers before the call recorder runs; assert_no_pending_responses proved the calls made.)

    graph = build_graph(Inventory(resources=tuple(ctx.out.resources)))
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in evaluate(graph, ruleset, FIXED_NOW)}
    assert [verdicts[("aws-dlm-policy-enabled", p.id)] for p in (daily, batch, default)] == ["PASS", "FAIL", "PASS"]
    assert [verdicts[("aws-dlm-policy-retention", p.id)] for p in (daily, batch, default)] == ["PASS", "FAIL", "PASS"]


def _volume(name: str, tags: dict, region: str = "us-east-1", volume_type: str = "gp3", attached: tuple = ()) -> Resource:
    return Resource(kind="aws.ec2.volume", id=f"arn:aws:ec2:{region}:{ACCOUNT}:volume/{name}", name=name, provider="aws",
                    account=ACCOUNT, region=region, tags=tags,
                    attrs={"volume_type": volume_type, "attached_instance_ids": list(attached)})


def test_dlm_targets_follow_tags_types_exclusions_and_state(aws):
    ctx = _collect()
    policies = {r.id.rsplit("/", 1)[-1]: r for r in ctx.out.resources}
    daily, batch, default = (policies[p] for p in POLICY_IDS)
    tagged = _volume("vol-tagged", {"backup": "dlm-daily"})
    other_region = _volume("vol-west", {"backup": "dlm-daily"}, region="us-west-2")
    untagged = _volume("vol-plain", {})
    cold = _volume("vol-cold", {}, volume_type="sc1")
    scratch = _volume("vol-scratch", {"scratch": "true"})
    instance = Resource(kind="aws.ec2.instance", id=f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/i-0batch", name="i-0batch",
                        provider="aws", account=ACCOUNT, region="us-east-1", tags={"app": "batch"})
    batch_volume = _volume("vol-batch", {}, attached=("i-0batch",))
    candidates = [tagged, other_region, untagged, cold, scratch, instance, batch_volume]
    assert dlm_targets(daily, candidates) == [tagged.id]
    assert dlm_targets(batch, candidates) == []  # disabled: covers nothing
    enabled_batch = replace(batch, attrs={**batch.attrs, "state": "ENABLED"})
    assert dlm_targets(enabled_batch, candidates) == [instance.id, batch_volume.id]
    assert dlm_targets(default, candidates) == [tagged.id, untagged.id, batch_volume.id]


def test_denied_policy_details_are_a_gap_and_unknown(aws, ruleset):
    ctx = _collect(deny="policy-0b2c3d4e5f6071829")
    (denied,) = [r for r in ctx.out.resources if r.id.endswith("policy-0b2c3d4e5f6071829")]
    assert denied.attrs["state"] == "DISABLED" and denied.attrs["min_retention_days"] is None
    assert denied.attrs["target_tags"] is None and dlm_targets(denied, []) == []
    (gap,) = ctx.out.gaps
    assert (gap.code, gap.operation, gap.kinds) == ("AccessDeniedException", "GetLifecyclePolicy", ("aws.dlm.lifecycle_policy",))
    graph = build_graph(Inventory(resources=(denied,)))
    (finding,) = [f for f in evaluate(graph, ruleset, FIXED_NOW, ctx.out.gaps) if f.rule_id == "aws-dlm-policy-retention"]
    assert finding.status.value == "NOT_ASSESSED" and "AccessDeniedException" in finding.reason


@pytest.mark.parametrize("expression,hours", [
    ("cron(0 3 * * ? *)", 24.0), ("cron(30 1 ? * MON *)", 168.0), ("cron(0 2 1 * ? *)", 720.0),
    ("cron(0 0/4 * * ? *)", 4.0), ("cron(0 3,15 * * ? *)", None), ("rate(1 day)", None),
])
def test_cron_interval_reads_simple_schedules_and_guesses_nothing_else(expression, hours):
    assert dlm.cron_interval_hours(expression) == hours
