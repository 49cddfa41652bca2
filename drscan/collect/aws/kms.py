"""KMS keys in one region: state, manager, spec, multi-Region replicas, automatic rotation and
aliases. AWS managed keys are kept (key_manager AWS) so the resources they encrypt resolve
their `encrypted_by` edge; KMS rotates them every year and rotation cannot be turned off."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws import kms_key
from drscan.normalize.aws_policies import allows_public, external_accounts, parse_policy
from drscan.normalize.lookup import as_bool

KIND = "aws.kms.key"

OPERATIONS = {
    "kms:ListKeys": "kms:ListKeys",
    "kms:DescribeKey": "kms:DescribeKey",
    "kms:GetKeyRotationStatus": "kms:GetKeyRotationStatus",
    "kms:ListAliases": "kms:ListAliases",
    "kms:GetKeyPolicy": "kms:GetKeyPolicy",
}

GONE = {"NotFoundException"}  # deleted between ListKeys and DescribeKey
# Key states in which GetKeyRotationStatus answers (the rotation rule judges Enabled keys only).
ROTATION_STATES = {"Enabled", "Disabled"}


def key_arn(key_id: str, account: str, region: str) -> str:
    return key_id if key_id.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key_id}"


def rotation_supported(metadata: dict) -> bool:
    """Automatic rotation exists only for symmetric keys with KMS-generated material in the
    standard key store (not asymmetric, HMAC, imported or custom-key-store keys)."""
    return (metadata.get("KeySpec", metadata.get("CustomerMasterKeySpec")) == "SYMMETRIC_DEFAULT"
            and metadata.get("Origin", "AWS_KMS") == "AWS_KMS" and not metadata.get("CustomKeyStoreId"))


def key_record(metadata: dict, account: str, region: str, rotation: dict | None = None,
               aliases: list[str] | None = None, policy: dict | None = None) -> Record:
    """`rotation`: GetKeyRotationStatus' answer, None when not asked or not seen. AWS managed
    keys always rotate yearly, so they need no call."""
    enabled = rotation.get("KeyRotationEnabled") if rotation is not None else None
    if metadata.get("KeyManager") == "AWS":
        enabled = True
    shape = kms_key(metadata, {"KeyRotationStatus": enabled} if enabled is not None else {}, account, region)
    shape.attrs.update(
        enabled=as_bool(metadata.get("Enabled")),
        rotation_supported=(None if not metadata.get("KeyManager")
                            else metadata["KeyManager"] == "AWS" or rotation_supported(metadata)),
        rotation_period_days=rotation.get("RotationPeriodInDays") if rotation else None,
        pending_deletion_days=metadata.get("PendingDeletionWindowInDays"),
        aliases=None if aliases is None else sorted(aliases),
    )
    if policy is not None:  # GetKeyPolicy's answer: who may use the key besides this account
        text = policy.get("Policy")
        document = parse_policy(text) if text else {"Statement": []}  # unreadable: None, so unknown
        shape.attrs.update(policy_public=allows_public(document),
                           policy_external_accounts=external_accounts(document, account))
    key_id = metadata["KeyId"]
    name = min(aliases) if aliases else key_id
    return Record(kind=KIND, id=metadata.get("Arn") or key_arn(key_id, account, region), name=name, shape=shape,
                  region=region)


def listed_key_record(item: dict, account: str, region: str) -> Record:
    """`aws kms list-keys` alone: the key exists; its metadata was not seen."""
    return key_record({"KeyId": item["KeyId"], "Arn": item.get("KeyArn")}, account, region)


def _aliases(ctx: TaskContext, client: Any) -> dict[str, list[str]] | None:
    listed = ctx.pages(client, "ListAliases", "Aliases", kinds=(KIND,))
    if listed is None:
        return None
    by_key: dict[str, list[str]] = defaultdict(list)
    for alias in listed:
        if alias.get("TargetKeyId"):
            by_key[alias["TargetKeyId"]].append(alias["AliasName"])
    return by_key


def collect(ctx: TaskContext) -> None:
    client = ctx.client("kms")
    keys = ctx.pages(client, "ListKeys", "Keys", kinds=(KIND,))
    if not keys:
        return
    aliases = _aliases(ctx, client)
    for record in ctx.each(lambda item: read_key(ctx, client, item, aliases), keys):
        if record is not None:
            ctx.add(record, "kms:DescribeKey")


def read_key(ctx: TaskContext, client: Any, item: dict, aliases: dict | None) -> Record | None:
    """One key's description, rotation status and key policy (None: the key is gone)."""
    arn = item.get("KeyArn") or key_arn(item["KeyId"], ctx.account, ctx.region)
    described = ctx.call(client, "DescribeKey", kinds=(KIND,), resource_id=arn, absent=GONE, KeyId=item["KeyId"])
    if described == {}:
        return None
    metadata = (described or {}).get("KeyMetadata") or {"KeyId": item["KeyId"], "Arn": arn}
    rotation = None
    if (metadata.get("KeyManager") == "CUSTOMER" and metadata.get("KeyState") in ROTATION_STATES
            and rotation_supported(metadata)):
        rotation = ctx.call(client, "GetKeyRotationStatus", kinds=(KIND,), resource_id=arn, KeyId=item["KeyId"])
    key_aliases = None if aliases is None else aliases.get(item["KeyId"], [])
    policy = None
    if metadata.get("KeyManager") == "CUSTOMER" and metadata.get("KeyState") != "PendingDeletion":
        policy = ctx.call(client, "GetKeyPolicy", kinds=(KIND,), resource_id=arn, KeyId=item["KeyId"], PolicyName="default")
    return key_record(metadata, ctx.account, ctx.region, rotation, key_aliases, policy)


DUMPS = (DumpShape(key="Keys", item_field="KeyId", to_record=listed_key_record),)

SPEC = ServiceSpec(name="kms", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS, reads_each=True)
