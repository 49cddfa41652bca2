"""CloudTrail collector against moto: each trail reported once by its home region (a
multi-region trail is not repeated in every region), status and event selectors, the trail rules,
and a denied GetTrailStatus that makes the logging verdict NOT_ASSESSED."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from drscan.collect.aws import cloudtrail
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.collect.aws.collect import run_task
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Inventory
from tests.collect.aws.conftest import ACCOUNT, task
from tests.conftest import FIXED_NOW

ORG_TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/acme-org-trail"
LEGACY = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/legacy-single-region"
EU = f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/eu-audit"


def _seed() -> str:
    east = boto3.client("cloudtrail", region_name="us-east-1")
    west = boto3.client("cloudtrail", region_name="eu-west-1")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="acme-trail-logs")
    key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
    east.create_trail(Name="acme-org-trail", S3BucketName="acme-trail-logs", IsMultiRegionTrail=True,
                      EnableLogFileValidation=True, KmsKeyId=key)
    east.start_logging(Name="acme-org-trail")
    east.put_event_selectors(TrailName="acme-org-trail", EventSelectors=[{
        "ReadWriteType": "All", "IncludeManagementEvents": True,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::acme-payments/"]}]}])
    east.create_trail(Name="legacy-single-region", S3BucketName="acme-trail-logs")
    east.put_event_selectors(TrailName="legacy-single-region", EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    west.create_trail(Name="eu-audit", S3BucketName="acme-trail-logs", EnableLogFileValidation=True)
    west.start_logging(Name="eu-audit")
    west.put_event_selectors(TrailName="eu-audit", AdvancedEventSelectors=[
        {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}])
    return key


def test_each_trail_once_in_its_home_region_with_status_and_selectors(aws, ruleset):
    key = _seed()
    east = run_task(task("cloudtrail", "us-east-1"), spec=cloudtrail.SPEC)
    west = run_task(task("cloudtrail", "eu-west-1"), spec=cloudtrail.SPEC)
    assert {r.id for r in east.resources} == {ORG_TRAIL, LEGACY}
    assert {r.id for r in west.resources} == {EU}  # the multi-region trail is not listed again here
    trails = {r.id: r for r in east.resources + west.resources}
    org, legacy, eu = trails[ORG_TRAIL], trails[LEGACY], trails[EU]
    assert org.kind == "aws.cloudtrail.trail" and org.name == "acme-org-trail" and org.region == "us-east-1"
    assert org.attrs["multi_region"] is True and org.attrs["log_file_validation"] is True
    assert org.attrs["kms_key_id"] == key and org.attrs["is_logging"] is True
    assert (org.attrs["management_events"], org.attrs["data_events"]) == ("All", True)
    assert legacy.attrs["multi_region"] is False and legacy.attrs["is_logging"] is False
    assert legacy.attrs["kms_key_id"] is None and legacy.attrs["management_events"] == "WriteOnly"
    assert eu.region == "eu-west-1" and (eu.attrs["management_events"], eu.attrs["data_events"]) == ("All", False)
    assert (ORG_TRAIL, "logs_to", "arn:aws:s3:::acme-trail-logs") in {(r.source, r.type, r.target) for r in east.references}
    assert not east.gaps and not west.gaps
    assert dict(east.calls) == {"cloudtrail:DescribeTrails": 1, "cloudtrail:GetTrailStatus": 2, "cloudtrail:GetEventSelectors": 2}

    graph = build_graph(Inventory(resources=tuple(trails.values())))
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in evaluate(graph, ruleset, FIXED_NOW)}
    assert verdicts[("aws-cloudtrail-multi-region-logging", ORG_TRAIL)] == "PASS"
    assert verdicts[("aws-cloudtrail-multi-region-logging", LEGACY)] == "FAIL"
    assert verdicts[("aws-cloudtrail-log-validation", LEGACY)] == "FAIL"
    assert verdicts[("aws-cloudtrail-kms-encrypted", ORG_TRAIL)] == "PASS"
    assert verdicts[("aws-cloudtrail-kms-encrypted", EU)] == "FAIL"


def test_denied_trail_status_leaves_logging_unknown(aws, ruleset):
    """moto cannot deny one call: botocore's Stubber answers DescribeTrails, then AccessDenied on GetTrailStatus."""
    spec_task = task("cloudtrail", "us-east-1")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    trail = {"Name": "acme-org-trail", "S3BucketName": "acme-trail-logs", "IsMultiRegionTrail": True,
             "HomeRegion": "us-east-1", "TrailARN": ORG_TRAIL, "LogFileValidationEnabled": True}
    with Stubber(ctx.client("cloudtrail")) as stub:
        stub.add_response("describe_trails", {"trailList": [trail]}, {"includeShadowTrails": False})
        stub.add_client_error("get_trail_status", "AccessDeniedException", "not authorized", 400)
        stub.add_response("get_event_selectors", {"TrailARN": ORG_TRAIL, "EventSelectors": [
            {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}]})
        cloudtrail.collect(ctx)
    (found,) = ctx.out.resources
    assert found.attrs["is_logging"] is None and found.attrs["management_events"] == "All"
    (gap,) = ctx.out.gaps
    assert (gap.operation, gap.resource_id, gap.kinds) == ("GetTrailStatus", ORG_TRAIL, ("aws.cloudtrail.trail",))
    graph = build_graph(Inventory(resources=tuple(ctx.out.resources)))
    (finding,) = [f for f in evaluate(graph, ruleset, FIXED_NOW, ctx.out.gaps) if f.rule_id == "aws-cloudtrail-multi-region-logging"]
    assert finding.status.value == "NOT_ASSESSED" and "AccessDeniedException" in finding.reason
