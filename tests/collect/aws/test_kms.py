"""KMS collector against moto: customer keys with rotation, aliases, multi-Region keys, keys
pending deletion, and how AWS managed keys are kept; rules on the result; honest gaps.

moto 5.2.5 never lists AWS managed keys in ListKeys (and describes alias/aws/* keys as
CUSTOMER), so botocore's Stubber adds one AWS managed key to moto's ListKeys answer and
describes it as the KMS API reference documents; everything else is moto."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3

from drscan.collect.aws import dynamodb, kms
from drscan.collect.aws.collect import run_task

from tests.collect.aws.conftest import ACCOUNT, task
from tests.collect.aws.test_ec2 import Error, status, stubbed_context, verdicts

EAST = "us-east-1"


def _seed() -> dict[str, str]:
    client = boto3.client("kms", region_name=EAST)
    keys = {}
    for name in ("payments", "legacy", "retired", "spare"):
        keys[name] = client.create_key(Description=name)["KeyMetadata"]["Arn"]
        client.create_alias(AliasName=f"alias/{name}", TargetKeyId=keys[name])

    def ident(name: str) -> str:  # moto wants key ids, not ARNs, here
        return keys[name].rsplit("/", 1)[1]

    client.enable_key_rotation(KeyId=ident("payments"))
    keys["signing"] = client.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    primary = client.create_key(MultiRegion=True)["KeyMetadata"]
    client.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    keys["global"] = primary["Arn"]
    # A table still encrypted under the key that is being deleted.
    boto3.client("dynamodb", region_name=EAST).create_table(
        TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": keys["retired"]})
    client.schedule_key_deletion(KeyId=ident("retired"), PendingWindowInDays=7)
    client.disable_key(KeyId=ident("spare"))
    ebs_target = next(a["TargetKeyId"] for a in client.list_aliases()["Aliases"] if a["AliasName"] == "alias/aws/ebs")
    keys["aws_ebs"] = f"arn:aws:kms:{EAST}:{ACCOUNT}:key/{ebs_target}"
    return keys


def _aws_managed(keys: dict[str, str]) -> dict:
    key_id = keys["aws_ebs"].rsplit("/", 1)[1]

    def list_keys(params: dict) -> dict:
        listed = boto3.client("kms", region_name=EAST).list_keys()["Keys"]
        return {"Keys": listed + [{"KeyId": key_id, "KeyArn": keys["aws_ebs"]}], "Truncated": False}

    def describe_key(params: dict) -> dict | None:
        if params["KeyId"] != key_id:
            return None
        return {"KeyMetadata": {
            "AWSAccountId": ACCOUNT, "KeyId": key_id, "Arn": keys["aws_ebs"],
            "CreationDate": datetime(2021, 1, 4, 8, 0, tzinfo=timezone.utc), "Enabled": True,
            "Description": "Default key that protects my EBS volumes when no other key is defined",
            "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS", "KeyManager": "AWS",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT", "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False}}

    return {"ListKeys": list_keys, "DescribeKey": describe_key}


def _collect(keys: dict[str, str], **extra):
    answers = _aws_managed(keys)
    answers.update(extra)
    ctx = stubbed_context(task("kms", EAST), answers)
    kms.collect(ctx)
    return ctx.out


def test_keys_rotation_aliases_and_states(aws):
    keys = _seed()
    out = _collect(keys)
    by_id = {r.id: r for r in out.resources}
    payments = by_id[keys["payments"]]
    assert payments.kind == "aws.kms.key" and payments.name == "alias/payments"
    assert payments.attrs["key_manager"] == "CUSTOMER" and payments.attrs["key_state"] == "Enabled"
    assert payments.attrs["rotation_enabled"] is True and payments.attrs["aliases"] == ["alias/payments"]
    assert by_id[keys["legacy"]].attrs["rotation_enabled"] is False
    signing = by_id[keys["signing"]]
    assert signing.attrs["rotation_supported"] is False and signing.attrs["rotation_enabled"] is None
    retired = by_id[keys["retired"]]
    assert retired.attrs["key_state"] == "PendingDeletion" and retired.attrs["deletion_date"].endswith("Z")
    assert by_id[keys["spare"]].attrs["key_state"] == "Disabled"
    replicated = by_id[keys["global"]]
    assert replicated.attrs["multi_region"] is True and replicated.attrs["multi_region_key_type"] == "PRIMARY"
    assert replicated.attrs["replica_regions"] == ["eu-west-1"]
    managed = by_id[keys["aws_ebs"]]
    assert managed.attrs["key_manager"] == "AWS" and managed.attrs["rotation_enabled"] is True
    assert managed.attrs["aliases"] == ["alias/aws/ebs"] and managed.name == "alias/aws/ebs"
    # Rotation is asked only of customer-managed symmetric keys that are Enabled or Disabled.
    assert out.calls["kms:GetKeyRotationStatus"] == 4  # payments, legacy, spare, global
    assert not out.gaps and set(out.calls) <= set(kms.OPERATIONS)


def test_rules_judge_the_collected_keys(aws):
    keys = _seed()
    out = _collect(keys)
    out.extend(run_task(task("dynamodb", EAST), spec=dynamodb.SPEC))
    found = verdicts(out)
    assert status(found, "aws-kms-key-rotation", keys["payments"]) == "PASS"
    assert status(found, "aws-kms-key-rotation", keys["legacy"]) == "FAIL"
    assert ("aws-kms-key-rotation", keys["aws_ebs"]) not in found  # AWS managed: not the customer's to rotate
    assert status(found, "aws-kms-key-in-use-usable", keys["retired"]) == "FAIL"
    assert status(found, "aws-kms-key-in-use-usable", keys["spare"]) == "PASS"
    assert ("aws-kms-key-in-use-usable", keys["payments"]) not in found  # enabled keys are fine


def test_denied_calls_are_gaps_and_not_assessed(aws):
    keys = _seed()
    out = _collect(keys, ListAliases=lambda p: Error("AccessDeniedException", "no", 400),
                   GetKeyRotationStatus=lambda p: Error("AccessDeniedException", "no", 400)
                   if keys["legacy"].endswith(p["KeyId"]) else None)
    by_id = {r.id: r for r in out.resources}
    assert by_id[keys["legacy"]].attrs["rotation_enabled"] is None
    assert {r.attrs["aliases"] for r in out.resources} == {None}
    assert {(g.operation, g.resource_id) for g in out.gaps} == {("ListAliases", None),
                                                              ("GetKeyRotationStatus", keys["legacy"])}
    finding = verdicts(out)[("aws-kms-key-rotation", keys["legacy"])]
    assert finding.status.value == "NOT_ASSESSED" and "AccessDeniedException" in finding.reason


def test_list_keys_dump_is_a_key_without_metadata():
    (shape,) = kms.DUMPS
    record = shape.to_record({"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
                              "KeyArn": f"arn:aws:kms:{EAST}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
                             ACCOUNT, EAST)
    assert record.id.endswith("1234abcd-12ab-34cd-56ef-1234567890ab")
    assert record.shape.attrs["key_state"] is None and record.shape.attrs["rotation_supported"] is None
