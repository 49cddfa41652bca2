"""Secrets Manager secrets in one region: rotation (enabled, interval, last rotation), the KMS key
and the regions the secret is replicated to (DescribeSecret per secret: ListSecrets omits
replicas). Secret values are never read."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws_data import secretsmanager_secret

KIND = "aws.secretsmanager.secret"

OPERATIONS = {
    "secretsmanager:ListSecrets": "secretsmanager:ListSecrets",
    "secretsmanager:DescribeSecret": "secretsmanager:DescribeSecret",
}

GONE = {"ResourceNotFoundException"}


def secret_record(item: dict, account: str, region: str, described: dict | None = None) -> Record:
    """`described`: DescribeSecret's answer (adds ReplicationStatus); None when not seen. The API
    leaves KmsKeyId out when the AWS managed key encrypts the secret."""
    merged = {**item, **(described or {})}
    if described is not None and "ReplicationStatus" not in described:
        merged["ReplicationStatus"] = []
    shape = secretsmanager_secret(merged, {}, account, region)
    if not merged.get("KmsKeyId"):
        shape.attrs["customer_managed_key"] = False
    if merged.get("RotationEnabled") is None:  # the API leaves it out of secrets never set to rotate
        shape.attrs["rotation_enabled"] = False
    if described is None:
        shape.attrs["replica_regions"] = None
    return Record(kind=KIND, id=item["ARN"], name=item.get("Name") or item["ARN"], shape=shape, region=region,
                  tags=tags_of(item.get("Tags")))


def secret_listing_record(item: dict, account: str, region: str) -> Record:
    return secret_record(item, account, region, item if "ReplicationStatus" in item else None)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("secretsmanager")
    for item in ctx.pages(client, "ListSecrets", "SecretList", kinds=(KIND,)) or []:
        described = ctx.call(client, "DescribeSecret", kinds=(KIND,), resource_id=item["ARN"], absent=GONE,
                             SecretId=item["ARN"])
        if described == {}:
            continue
        ctx.add(secret_record(item, ctx.account, ctx.region, described), "secretsmanager:ListSecrets")


DUMPS = (DumpShape(key="SecretList", item_field="ARN", to_record=secret_listing_record),)

SPEC = ServiceSpec(name="secretsmanager", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
