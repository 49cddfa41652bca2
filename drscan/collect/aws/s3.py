"""S3 buckets: encryption, versioning, public access block, replication, object lock,
lifecycle and logging. One task per region: ListBuckets(BucketRegion=...) then each bucket's
configuration, read through that region's endpoint."""

from __future__ import annotations

from typing import Any

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws import s3_bucket
from drscan.normalize.aws_policies import s3_policy_and_lock
from drscan.normalize.lookup import field

KIND = "aws.s3.bucket"

OPERATIONS = {
    "s3:ListBuckets": "s3:ListAllMyBuckets",
    "s3:GetBucketEncryption": "s3:GetEncryptionConfiguration",
    "s3:GetBucketVersioning": "s3:GetBucketVersioning",
    "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketReplication": "s3:GetReplicationConfiguration",
    "s3:GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "s3:GetBucketLogging": "s3:GetBucketLogging",
    "s3:GetBucketTagging": "s3:GetBucketTagging",
    "s3:GetBucketPolicy": "s3:GetBucketPolicy",
    # every bucket's tags in a few calls; GetBucketTagging per bucket when it cannot be read
    "resourcegroupstaggingapi:GetResources": "tag:GetResources",
}

# Error codes S3 uses for "this bucket has no such configuration": a real value, not a gap.
NOT_CONFIGURED = {
    "GetBucketEncryption": {"ServerSideEncryptionConfigurationNotFoundError"},
    "GetPublicAccessBlock": {"NoSuchPublicAccessBlockConfiguration"},
    "GetBucketReplication": {"ReplicationConfigurationNotFoundError"},
    "GetObjectLockConfiguration": {"ObjectLockConfigurationNotFoundError"},
    "GetBucketLifecycleConfiguration": {"NoSuchLifecycleConfiguration"},
    "GetBucketTagging": {"NoSuchTagSet", "NoSuchTagSetError"},
    "GetBucketPolicy": {"NoSuchBucketPolicy"},
}


# Which attributes each call provides (the first one stays as None when the call failed).
ATTRIBUTES_FROM = {
    "GetBucketEncryption": ("encryption_algorithm", "encryption_kms_key_id"),
    "GetBucketVersioning": ("versioning", "mfa_delete"),
    "GetPublicAccessBlock": ("public_access_blocked", "public_access_block"),
    "GetBucketReplication": ("replication_enabled", "replication_destinations"),
    "GetBucketLogging": ("logging_enabled", "logging_target"),
    "GetObjectLockConfiguration": ("object_lock_enabled",),
    "GetBucketLifecycleConfiguration": ("lifecycle_to_glacier", "lifecycle_rule_count"),
    "GetBucketPolicy": ("policy_denies_insecure_transport", "policy_public", "policy_external_accounts"),
}


def supplementary(responses: dict[str, Any]) -> dict:
    """The API responses in AWS Config's supplementaryConfiguration names, so the one
    transform in drscan.normalize.aws reads both. A response that failed stays absent."""
    supp: dict[str, Any] = {}
    encryption = responses.get("GetBucketEncryption")
    if encryption is not None:
        supp["ServerSideEncryptionConfiguration"] = encryption.get("ServerSideEncryptionConfiguration") or {"rules": []}
    versioning = responses.get("GetBucketVersioning")
    if versioning is not None:
        supp["BucketVersioningConfiguration"] = {"status": versioning.get("Status") or "Off",
                                                 "isMfaDeleteEnabled": versioning.get("MFADelete") == "Enabled"}
    pab = responses.get("GetPublicAccessBlock")
    if pab is not None:
        supp["PublicAccessBlockConfiguration"] = pab.get("PublicAccessBlockConfiguration") or {}
    replication = responses.get("GetBucketReplication")
    if replication is not None:
        supp["BucketReplicationConfiguration"] = replication.get("ReplicationConfiguration") or {"rules": []}
    logging = responses.get("GetBucketLogging")
    if logging is not None:
        supp["BucketLoggingConfiguration"] = {"destinationBucketName": field(logging.get("LoggingEnabled") or {}, "TargetBucket")}
    lifecycle = responses.get("GetBucketLifecycleConfiguration")
    if lifecycle is not None:
        supp["BucketLifecycleConfiguration"] = {"rules": lifecycle.get("Rules") or []}
    lock = responses.get("GetObjectLockConfiguration")
    if lock is not None:
        supp["ObjectLockConfiguration"] = lock.get("ObjectLockConfiguration") or {"objectLockEnabled": False}
    policy = responses.get("GetBucketPolicy")
    if policy is not None:
        supp["BucketPolicy"] = {"policyText": policy.get("Policy")}
    return supp


def bucket_record(name: str, region: str, account: str, responses: dict[str, Any]) -> Record:
    supp = supplementary(responses)
    shape = s3_bucket({}, supp, account, region)
    shape.attrs.update(s3_policy_and_lock(supp, account))
    for operation, (main, *derived) in ATTRIBUTES_FROM.items():
        if responses.get(operation) is None:  # not seen: absent, so rules on it say NOT_ASSESSED
            for attr in (main, *derived):  # absent, not None: "exists" must not read as "has no value"
                shape.attrs.pop(attr, None)
    tagging = responses.get("GetBucketTagging") or {}
    return Record(kind=KIND, id=f"arn:aws:s3:::{name}", name=name, shape=shape, region=region,
                  tags=tags_of(tagging.get("TagSet")))


BUCKET_OPERATIONS = ("GetBucketEncryption", "GetBucketVersioning", "GetPublicAccessBlock", "GetBucketReplication",
                     "GetObjectLockConfiguration", "GetBucketLifecycleConfiguration", "GetBucketLogging",
                     "GetBucketTagging", "GetBucketPolicy")
TAGGING_TYPE = "s3:bucket"  # the Resource Groups Tagging API's name for buckets
# Buckets read at once: eight configuration calls each, light ones, so more in flight than the
# default keeps a region with many buckets from being the scan's longest chain of calls.
READERS = 8


def read_bucket(ctx: TaskContext, client: Any, name: str, tags: dict[str, list] | None) -> dict[str, Any]:
    """Every configuration call for one bucket; GetBucketTagging only when the region's tags
    could not be had in bulk (`tags` None), else the bucket's entry there (absent: never tagged)."""
    arn = f"arn:aws:s3:::{name}"
    operations = BUCKET_OPERATIONS if tags is None else tuple(op for op in BUCKET_OPERATIONS if op != "GetBucketTagging")
    responses = {operation: ctx.call(client, operation, kinds=(KIND,), resource_id=arn,
                                     absent=NOT_CONFIGURED.get(operation, ()), Bucket=name)
                 for operation in operations}
    if tags is not None:
        responses["GetBucketTagging"] = {"TagSet": tags.get(arn, [])}
    return responses


def collect(ctx: TaskContext) -> None:
    """The buckets of this task's region (ListBuckets filtered by BucketRegion), so buckets are
    read concurrently region by region rather than one account-wide task."""
    client = ctx.client("s3")
    buckets = ctx.pages(client, "ListBuckets", "Buckets", kinds=(KIND,), BucketRegion=ctx.region)
    names = [b["Name"] for b in buckets or [] if (b.get("BucketRegion") or ctx.region) == ctx.region]
    tags = ctx.tags_by_arn(TAGGING_TYPE) if names else None
    for name, responses in zip(names, ctx.each(lambda name: read_bucket(ctx, client, name, tags), names, readers=READERS)):
        ctx.add(bucket_record(name, ctx.region, ctx.account, responses), "s3:GetBucket*")


def bucket_listing_record(item: dict, account: str, region: str) -> Record:
    """`aws s3api list-buckets` alone: the bucket exists; its configuration was not seen."""
    return bucket_record(item["Name"], item.get("BucketRegion") or region, account, {})


DUMPS = (DumpShape(key="Buckets", item_field="Name", to_record=bucket_listing_record),)

SPEC = ServiceSpec(name="s3", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS, reads_each=True)
