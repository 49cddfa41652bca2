"""DynamoDB collector against moto: encryption, PITR, deletion protection, global-table replicas,
tags; rules on the result; honest gaps.

moto 5.2.5 accepts UpdateTable ReplicaUpdates but never reports Replicas, so for the global
table botocore's Stubber answers DescribeTable with a response shaped as the DynamoDB API
reference documents it (Replicas, GlobalTableVersion); everything else is moto."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3
from botocore.stub import Stubber

from drscan.collect.aws import dynamodb

from tests.collect.aws.conftest import ACCOUNT, task
from tests.collect.aws.test_ec2 import Error, status, stubbed_context, verdicts

EAST = "us-east-1"


def arn(name: str) -> str:
    return f"arn:aws:dynamodb:{EAST}:{ACCOUNT}:table/{name}"


def _seed() -> None:
    client = boto3.client("dynamodb", region_name=EAST)
    key = boto3.client("kms", region_name=EAST).create_key()["KeyMetadata"]["Arn"]
    schema = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    client.create_table(TableName="payments-ledger", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key},
                        DeletionProtectionEnabled=True, Tags=[{"Key": "app", "Value": "payments"}], **schema)
    client.update_continuous_backups(TableName="payments-ledger",
                                     PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    client.create_table(TableName="promo-codes", Tags=[{"Key": "app", "Value": "marketing"}], **schema)


def _global_table(params: dict) -> dict | None:
    """DescribeTable of payments-ledger as a 2019.11.21 global table (API reference shape),
    with the key moto assigned."""
    if params["TableName"] != "payments-ledger":
        return None
    seen = boto3.client("dynamodb", region_name=EAST).describe_table(TableName="payments-ledger")["Table"]
    created = datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
    return {"Table": {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "TableName": "payments-ledger",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "TableStatus": "ACTIVE",
        "CreationDateTime": created,
        "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},  # (the model rejects the 0 decreases AWS sends)
        "TableSizeBytes": 9870112004,
        "ItemCount": 18450221,
        "TableArn": arn("payments-ledger"),
        "TableId": "b27f101c-30a7-4f6f-bc11-ce1df72b32d8",
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": created},
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "LatestStreamLabel": "2026-10-01T09:00:00.000",
        "LatestStreamArn": arn("payments-ledger") + "/stream/2026-10-01T09:00:00.000",
        "GlobalTableVersion": "2019.11.21",
        # (listed with its own region too, which drscan leaves out of replica_regions)
        "Replicas": [{"RegionName": "eu-west-1", "ReplicaStatus": "ACTIVE"}, {"RegionName": EAST, "ReplicaStatus": "ACTIVE"}],
        "SSEDescription": seen["SSEDescription"],
        "TableClassSummary": {"TableClass": "STANDARD"},
        "DeletionProtectionEnabled": True,
    }}


def _collect(**extra):
    answers = {"DescribeTable": _global_table}
    answers.update(extra)
    ctx = stubbed_context(task("dynamodb", EAST), answers)
    dynamodb.collect(ctx)
    return ctx.out


def test_tables_with_backups_encryption_replicas_and_tags(aws):
    _seed()
    out = _collect()
    by_id = {r.id: r for r in out.resources}
    ledger, promo = by_id[arn("payments-ledger")], by_id[arn("promo-codes")]
    assert ledger.kind == "aws.dynamodb.table" and ledger.tags == {"app": "payments"}
    assert ledger.attrs["sse_type"] == "KMS" and ledger.attrs["kms_key_arn"].startswith(f"arn:aws:kms:{EAST}:")
    assert ledger.attrs["pitr_enabled"] is True and ledger.attrs["pitr_recovery_days"] == 35
    assert ledger.attrs["deletion_protection"] is True and ledger.attrs["global_table_version"] == "2019.11.21"
    assert ledger.attrs["replica_regions"] == ["eu-west-1"]
    assert promo.attrs["sse_type"] == "AWS_OWNED" and promo.attrs["pitr_enabled"] is False
    assert promo.attrs["deletion_protection"] is False and promo.attrs["replica_regions"] == []
    assert (ledger.id, "encrypted_by", ledger.attrs["kms_key_arn"]) in {(r.source, r.type, r.target) for r in out.references}
    assert not out.gaps
    # tags in one bulk read (Resource Groups Tagging API), not one call per table
    assert out.calls["resourcegroupstaggingapi:GetResources"] == 1 and out.calls["dynamodb:ListTagsOfResource"] == 0
    assert set(out.calls) <= set(dynamodb.OPERATIONS)


def test_tagging_api_denied_falls_back_to_each_tables_tags_without_a_gap(aws):
    _seed()
    ctx = stubbed_context(task("dynamodb", EAST), {"DescribeTable": _global_table})
    with Stubber(ctx.client("resourcegroupstaggingapi")) as stub:
        stub.add_client_error("get_resources", "AccessDeniedException", "not authorized: tag:GetResources", 400)
        dynamodb.collect(ctx)
    assert {r.name: r.tags for r in ctx.out.resources} == {"payments-ledger": {"app": "payments"},
                                                            "promo-codes": {"app": "marketing"}}
    assert ctx.out.calls["dynamodb:ListTagsOfResource"] == 2 and not ctx.out.gaps


def test_rules_judge_the_collected_tables(aws):
    _seed()
    found = verdicts(_collect())
    for rule in ("aws-dynamodb-table-pitr", "aws-dynamodb-table-cmk", "aws-dynamodb-table-deletion-protection",
                 "aws-dynamodb-table-multi-region"):
        assert status(found, rule, arn("payments-ledger")) == "PASS", rule
        assert status(found, rule, arn("promo-codes")) == "FAIL", rule


def test_denied_backup_status_is_a_gap_and_pitr_not_assessed(aws):
    _seed()
    out = _collect(DescribeContinuousBackups=lambda p: Error("AccessDeniedException", "not authorized", 400))
    assert {r.attrs["pitr_enabled"] for r in out.resources} == {None}
    assert {(g.operation, g.code, g.resource_id) for g in out.gaps} == {
        ("DescribeContinuousBackups", "AccessDeniedException", arn("payments-ledger")),
        ("DescribeContinuousBackups", "AccessDeniedException", arn("promo-codes"))}
    finding = verdicts(out)[("aws-dynamodb-table-pitr", arn("promo-codes"))]
    assert finding.status.value == "NOT_ASSESSED" and "AccessDeniedException" in finding.reason


def test_table_deleted_after_listing_is_skipped_without_a_gap(aws):
    _seed()
    out = _collect(DescribeTable=lambda p: Error("ResourceNotFoundException", "gone", 400)
                   if p["TableName"] == "promo-codes" else _global_table(p))
    assert [r.name for r in out.resources] == ["payments-ledger"] and not out.gaps


def test_describe_table_output_uses_the_same_transform():
    (shape,) = dynamodb.DUMPS
    record = shape.to_record({"TableName": "t", "TableArn": arn("t"), "DeletionProtectionEnabled": False}, ACCOUNT, EAST)
    assert record.id == arn("t") and record.shape.attrs["pitr_enabled"] is None  # not in describe-table
    assert record.shape.attrs["deletion_protection"] is False
