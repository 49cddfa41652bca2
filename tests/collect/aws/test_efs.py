"""EFS collector against moto: encryption, One Zone, backup policy, replication; rules on the
result; honest gaps.

moto 5.2.5 does not implement DescribeReplicationConfigurations, so botocore's Stubber answers
it from tests/fixtures/aws_api/efs/describe_replication_configurations.json (shaped as the EFS
API reference documents it; its source file system id is swapped for the one moto created)."""

from __future__ import annotations

import boto3

from drscan.collect.aws import efs

from tests.collect.aws.conftest import ACCOUNT, task
from tests.collect.aws.test_ec2 import Error, load_fixture, status, stubbed_context, verdicts

EAST = "us-east-1"
FIXTURE_SOURCE = "fs-0a2d64c145ca1182b"


def _seed() -> dict[str, str]:
    client = boto3.client("efs", region_name=EAST)
    key = boto3.client("kms", region_name=EAST).create_key()["KeyMetadata"]["Arn"]
    shared = client.create_file_system(CreationToken="shared", Encrypted=True, KmsKeyId=key, Backup=True,
                                       Tags=[{"Key": "Name", "Value": "payments-shared"}, {"Key": "app", "Value": "payments"}])
    scratch = client.create_file_system(CreationToken="scratch", Encrypted=False, Tags=[{"Key": "Name", "Value": "scratch"}])
    # One Zone file systems get automatic backups by default (moto mirrors that).
    cache = client.create_file_system(CreationToken="cache", Encrypted=True, AvailabilityZoneName="us-east-1a")
    return {"shared": shared["FileSystemId"], "scratch": scratch["FileSystemId"], "cache": cache["FileSystemId"], "key": key}


def _replications(source_id: str) -> dict:
    answer = load_fixture("efs", "describe_replication_configurations")
    for replication in answer["Replications"]:
        for name in ("SourceFileSystemId", "SourceFileSystemArn", "OriginalSourceFileSystemArn"):
            replication[name] = replication[name].replace(FIXTURE_SOURCE, source_id)
    return answer


def _collect(seeded: dict[str, str], **extra):
    answers = {"DescribeReplicationConfigurations": lambda p: _replications(seeded["shared"])}
    answers.update(extra)
    ctx = stubbed_context(task("efs", EAST), answers)
    efs.collect(ctx)
    return ctx.out


def arn(fs_id: str, region: str = EAST) -> str:
    return f"arn:aws:elasticfilesystem:{region}:{ACCOUNT}:file-system/{fs_id}"


def test_file_systems_with_backup_policy_and_replication(aws):
    seeded = _seed()
    out = _collect(seeded)
    by_id = {r.id: r for r in out.resources}
    shared, scratch = by_id[arn(seeded["shared"])], by_id[arn(seeded["scratch"])]
    assert shared.name == "payments-shared" and shared.tags["app"] == "payments"
    assert shared.attrs["encrypted"] is True and shared.attrs["kms_key_id"] == seeded["key"]
    assert shared.attrs["backup_policy_status"] == "ENABLED" and shared.attrs["one_zone"] is False
    assert shared.attrs["replication_regions"] == ["us-west-2"]
    assert scratch.attrs["encrypted"] is False and scratch.attrs["backup_policy_status"] == "DISABLED"
    assert scratch.attrs["replication_regions"] == [] and scratch.attrs["replication_source_arn"] is None
    cache = by_id[arn(seeded["cache"])]
    assert cache.attrs["one_zone"] is True and cache.zones == ("us-east-1a",) and cache.name == seeded["cache"]
    refs = {(r.source, r.type, r.target) for r in out.references}
    assert (shared.id, "replicates_to", arn("fs-0f5c1a9e7d3b2c4a1", "us-west-2")) in refs
    assert (shared.id, "encrypted_by", seeded["key"]) in refs
    assert not out.gaps  # "no backup policy" (PolicyNotFound) is an answer, not a gap
    assert set(out.calls) <= set(efs.OPERATIONS)


def test_rules_judge_the_collected_file_systems(aws):
    seeded = _seed()
    found = verdicts(_collect(seeded))
    assert status(found, "aws-efs-encrypted", arn(seeded["shared"])) == "PASS"
    assert status(found, "aws-efs-encrypted", arn(seeded["scratch"])) == "FAIL"
    assert status(found, "aws-efs-backup-policy", arn(seeded["shared"])) == "PASS"
    assert status(found, "aws-efs-backup-policy", arn(seeded["scratch"])) == "FAIL"


def test_no_replication_anywhere_is_an_answer(aws):
    seeded = _seed()
    out = _collect(seeded, DescribeReplicationConfigurations=lambda p: Error("ReplicationNotFound", "none", 404))
    assert {tuple(r.attrs["replication_regions"]) for r in out.resources} == {()} and not out.gaps


def test_denied_calls_are_gaps_and_not_assessed(aws):
    seeded = _seed()
    out = _collect(seeded,
                   DescribeReplicationConfigurations=lambda p: Error("AccessDeniedException", "no", 403),
                   DescribeBackupPolicy=lambda p: Error("AccessDeniedException", "no", 403)
                   if p["FileSystemId"] == seeded["scratch"] else None)
    by_id = {r.id: r for r in out.resources}
    assert by_id[arn(seeded["scratch"])].attrs["backup_policy_status"] is None
    assert by_id[arn(seeded["shared"])].attrs["backup_policy_status"] == "ENABLED"
    assert {r.attrs["replication_regions"] for r in out.resources} == {None}
    assert {(g.operation, g.resource_id) for g in out.gaps} == {
        ("DescribeReplicationConfigurations", None), ("DescribeBackupPolicy", arn(seeded["scratch"]))}
    finding = verdicts(out)[("aws-efs-backup-policy", arn(seeded["scratch"]))]
    assert finding.status.value == "NOT_ASSESSED" and "AccessDeniedException" in finding.reason


def test_destination_file_system_knows_its_source():
    """The same fixture, read from the destination's side (the transform the CLI import uses)."""
    replications = load_fixture("efs", "describe_replication_configurations")["Replications"]
    item = {"FileSystemId": "fs-0f5c1a9e7d3b2c4a1", "Encrypted": True,
            "FileSystemProtection": {"ReplicationOverwriteProtection": "REPLICATING"}}
    record = efs.file_system_record(item, ACCOUNT, "us-west-2", {"BackupPolicy": {"Status": "ENABLED"}}, replications)
    assert record.shape.attrs["replication_source_arn"] == arn(FIXTURE_SOURCE)
    assert record.shape.attrs["replication_overwrite_protection"] == "REPLICATING"
    assert record.shape.attrs["replication_regions"] == []
    listed = efs.DUMPS[0].to_record(item, ACCOUNT, "us-west-2")
    assert listed.shape.attrs["backup_policy_status"] is None and listed.shape.attrs["replication_regions"] is None
