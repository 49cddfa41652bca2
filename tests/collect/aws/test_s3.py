"""S3 collector against moto: what a bucket's sub-configurations become, and honest gaps."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from drscan.collect.aws import s3
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.collect.aws.collect import run_task

from tests.collect.aws.conftest import task


def _seed() -> None:
    east = boto3.client("s3", region_name="us-east-1")
    west = boto3.client("s3", region_name="eu-west-1")
    east.create_bucket(Bucket="acme-plain")
    west.create_bucket(Bucket="acme-secure", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"},
                       ObjectLockEnabledForBucket=True)
    west.put_bucket_encryption(Bucket="acme-secure", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/data"}}]})
    west.put_bucket_versioning(Bucket="acme-secure", VersioningConfiguration={"Status": "Enabled"})
    west.put_public_access_block(Bucket="acme-secure", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    west.put_bucket_tagging(Bucket="acme-secure", Tagging={"TagSet": [{"Key": "app", "Value": "payments"}]})
    west.put_bucket_lifecycle_configuration(Bucket="acme-secure", LifecycleConfiguration={"Rules": [
        {"ID": "archive", "Status": "Enabled", "Filter": {"Prefix": ""},
         "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]})
    boto3.client("s3", region_name="ap-south-1").create_bucket(
        Bucket="acme-elsewhere", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})


def test_buckets_in_scanned_regions_with_their_configuration(aws):
    _seed()
    out = run_task(task("s3", "us-east-1"))
    out.extend(run_task(task("s3", "eu-west-1")))
    buckets = {r.name: r for r in out.resources}
    assert set(buckets) == {"acme-plain", "acme-secure"}  # ap-south-1 is not a scanned region
    secure, plain = buckets["acme-secure"], buckets["acme-plain"]
    assert secure.id == "arn:aws:s3:::acme-secure" and secure.region == "eu-west-1" and secure.account == "123456789012"
    assert secure.attrs["encryption_algorithm"] == "aws:kms"
    assert secure.attrs["versioning"] == "Enabled" and secure.attrs["public_access_blocked"] is True
    assert secure.attrs["object_lock_enabled"] is True and secure.attrs["lifecycle_to_glacier"] is True
    assert secure.tags == {"app": "payments"}
    assert plain.region == "us-east-1" and plain.attrs["versioning"] == "Off"
    assert plain.attrs["public_access_blocked"] is False and plain.attrs["replication_enabled"] is False
    assert ("arn:aws:s3:::acme-secure", "arn:aws:kms:eu-west-1:123456789012:alias/data", "encrypted_by") in {
        (r.source, r.target, r.type) for r in out.references}
    assert not out.gaps
    assert out.calls["s3:ListBuckets"] == 2  # once per region


def test_access_denied_on_one_configuration_is_a_gap_and_unknown_not_pass(aws):
    """moto cannot deny a single call, so botocore's Stubber answers GetBucketEncryption with AccessDenied."""
    _seed()
    one = task("s3", "us-east-1", regions=("us-east-1",))
    ctx = TaskContext(one, SessionFactory().session(one.account))
    east = ctx.client("s3", "us-east-1")
    real_call = ctx.call

    def call(client, operation, **kwargs):
        if operation == "GetBucketEncryption":
            with Stubber(client) as stub:
                stub.add_client_error("get_bucket_encryption", "AccessDenied", "Access Denied", 403)
                return real_call(client, operation, **kwargs)
        return real_call(client, operation, **kwargs)

    ctx.call = call
    s3.collect(ctx)
    assert east is ctx.client("s3", "us-east-1")
    (bucket,) = ctx.out.resources
    assert "encryption_algorithm" not in bucket.attrs  # not seen: absent, so the rule is NOT_ASSESSED
    (gap,) = ctx.out.gaps
    assert (gap.code, gap.operation, gap.resource_id, gap.kinds) == (
        "AccessDenied", "GetBucketEncryption", "arn:aws:s3:::acme-plain", ("aws.s3.bucket",))


def test_many_buckets_of_one_region_are_read_concurrently_in_listing_order_with_exact_call_counts(aws):
    east = boto3.client("s3", region_name="us-east-1")
    names = [f"acme-many-{n:02d}" for n in range(12)]
    for name in names:
        east.create_bucket(Bucket=name)
    east.put_bucket_versioning(Bucket="acme-many-07", VersioningConfiguration={"Status": "Enabled"})
    out = run_task(task("s3", "us-east-1"))
    assert [r.name for r in out.resources] == names  # ListBuckets returns names sorted
    assert {r.name for r in out.resources if r.attrs["versioning"] == "Enabled"} == {"acme-many-07"}
    for operation in s3.BUCKET_OPERATIONS:  # tags come from one bulk read instead
        assert out.calls[f"s3:{operation}"] == (0 if operation == "GetBucketTagging" else len(names)), operation
    assert out.calls["resourcegroupstaggingapi:GetResources"] == 1
    assert not out.gaps


def _tagged_buckets() -> None:
    east = boto3.client("s3", region_name="us-east-1")
    for name, tags in (("acme-tagged", {"app": "payments", "tier": "1"}), ("acme-untagged", None)):
        east.create_bucket(Bucket=name)
        if tags:
            east.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})
    west = boto3.client("s3", region_name="eu-west-1")  # another region's tagged bucket is not this task's
    west.create_bucket(Bucket="acme-west", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    west.put_bucket_tagging(Bucket="acme-west", Tagging={"TagSet": [{"Key": "app", "Value": "ledger"}]})


def test_tags_come_from_the_tagging_api_in_bulk_and_untagged_buckets_have_none(aws):
    _tagged_buckets()
    out = run_task(task("s3", "us-east-1"))
    assert {r.name: r.tags for r in out.resources} == {"acme-tagged": {"app": "payments", "tier": "1"},
                                                        "acme-untagged": {}}
    assert out.calls["resourcegroupstaggingapi:GetResources"] == 1 and out.calls["s3:GetBucketTagging"] == 0
    assert not out.gaps


def test_tagging_api_denied_falls_back_to_each_buckets_tags_without_a_gap(aws):
    """moto cannot deny one API, so botocore's Stubber answers GetResources with AccessDenied."""
    _tagged_buckets()
    one = task("s3", "us-east-1", regions=("us-east-1",))
    ctx = TaskContext(one, SessionFactory().session(one.account))
    with Stubber(ctx.client("resourcegroupstaggingapi")) as stub:
        stub.add_client_error("get_resources", "AccessDeniedException", "not authorized: tag:GetResources", 400)
        s3.collect(ctx)
    assert {r.name: r.tags for r in ctx.out.resources} == {"acme-tagged": {"app": "payments", "tier": "1"},
                                                            "acme-untagged": {}}
    assert ctx.out.calls["s3:GetBucketTagging"] == 2 and not ctx.out.gaps
