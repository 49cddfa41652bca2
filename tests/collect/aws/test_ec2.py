"""EC2/EBS collector against moto: instances, volumes, owned snapshots and AMIs, security
groups, EBS encryption by default; rules judged on what was collected; honest gaps.

moto 5.2.5 lacks GetEbsDefaultKmsKeyId (NotImplementedError) and ignores DescribeSnapshots'
RestorableByUserIds filter, so botocore's Stubber answers those two calls with responses shaped
as in the EC2 API reference; everything else is moto."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import boto3
from botocore import xform_name
from botocore.stub import Stubber

from drscan.collect.aws import ec2
from drscan.collect.aws.base import Collected, SessionFactory, TaskContext
from drscan.collect.merge import merge_resources
from drscan.engine.evaluate import evaluate
from drscan.engine.loader import load_rules
from drscan.graph.build import build_graph
from drscan.model import Inventory
from drscan.paths import rules_dir

from tests.collect.aws.conftest import ACCOUNT, global_task, task

NOW = datetime(2026, 11, 25, tzinfo=timezone.utc)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aws_api"
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
CONTEXT_KEYWORDS = ("kinds", "resource_id", "absent", "max_pages")
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----"


class Error:
    """A stubbed error answer."""

    def __init__(self, code: str, message: str = "denied", status: int = 400) -> None:
        self.code, self.message, self.status = code, message, status


Answer = Callable[[dict], Any]  # call params -> response dict, Error, or None (let moto answer)


def stubbed_context(task_, answers: dict[str, Answer]) -> TaskContext:
    """A TaskContext whose calls of the named operations are answered by botocore's Stubber
    (validated against the service model); every other call goes to moto."""
    ctx = TaskContext(task_, SessionFactory().session(task_.account))

    def wrap(real):
        def run(client, operation, *args, **kwargs):
            answer = answers.get(operation)
            params = {k: v for k, v in kwargs.items() if k not in CONTEXT_KEYWORDS}
            reply = answer(params) if answer else None
            if reply is None:
                return real(client, operation, *args, **kwargs)
            with Stubber(client) as stubber:
                if isinstance(reply, Error):
                    stubber.add_client_error(xform_name(operation), reply.code, reply.message, reply.status)
                else:
                    stubber.add_response(xform_name(operation), reply, params)
                return real(client, operation, *args, **kwargs)
        return run

    ctx.call, ctx.pages = wrap(ctx.call), wrap(ctx.pages)
    # An active Stubber answers every call on its client, whichever thread makes it: per-resource
    # reads run one at a time here so a moto-bound call never meets another read's Stubber.
    ctx.each = lambda read, items, readers=1: [read(item) for item in items]
    return ctx


def collect_stubbed(module, service: str, answers: dict[str, Answer] | None = None, scope: str = "regional",
                    region: str = "us-east-1") -> Collected:
    """One service module's collect() in a stubbed_context: its account-wide task (scope "global")
    or its task for `region`."""
    ctx = stubbed_context(global_task(service) if scope == "global" else task(service, region), answers or {})
    module.collect(ctx)
    return ctx.out


def load_fixture(service: str, name: str) -> Any:
    """An API response recorded as JSON (tests/fixtures/aws_api/<service>/<name>.json), with
    ISO timestamps turned into datetimes as botocore's parser would."""
    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, str) and ISO_TIME.match(value):
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        return value

    return convert(json.loads((FIXTURES / service / f"{name}.json").read_text()))


@lru_cache(maxsize=1)
def _rules():
    return load_rules(rules_dir())


def verdicts(out: Collected) -> dict[tuple[str, str], Any]:
    """The repo's rules run on what was collected: (rule id, resource id) -> Finding."""
    inventory = Inventory(resources=tuple(merge_resources(out.resources)), references=tuple(out.references),
                          gaps=tuple(out.gaps))
    findings = evaluate(build_graph(inventory), _rules(), NOW, inventory.gaps)
    return {(f.rule_id, f.resource_id): f for f in findings}


def status(found: dict, rule_id: str, resource_id: str) -> str:
    return found[(rule_id, resource_id)].status.value


# -- the estate ---------------------------------------------------------------------------------

def _seed() -> dict[str, str]:
    east = boto3.client("ec2", region_name="us-east-1")
    image = east.register_image(Name="base", RootDeviceName="/dev/sda1",
                                BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}])["ImageId"]
    instance = east.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro", UserData=PEM,
        MetadataOptions={"HttpTokens": "optional"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"},
                                                                 {"Key": "app", "Value": "payments"}]}],
    )["Instances"][0]["InstanceId"]
    root = east.describe_instances()["Reservations"][0]["Instances"][0]["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    kms = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["Arn"]
    data = east.create_volume(Size=100, AvailabilityZone="us-east-1a", Encrypted=True, KmsKeyId=kms, VolumeType="gp3",
                              TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "app", "Value": "payments"}]}])
    east.attach_volume(VolumeId=data["VolumeId"], InstanceId=instance, Device="/dev/sdf")
    encrypted_snap = east.create_snapshot(VolumeId=data["VolumeId"], Description="nightly")["SnapshotId"]
    plain_snap = east.create_snapshot(VolumeId=root)["SnapshotId"]
    east.modify_snapshot_attribute(SnapshotId=plain_snap, Attribute="createVolumePermission", OperationType="add",
                                   GroupNames=["all"])
    ami = east.create_image(InstanceId=instance, Name="web-ami")["ImageId"]
    east.modify_image_attribute(ImageId=ami, LaunchPermission={"Add": [{"Group": "all"}]})
    group = east.create_security_group(GroupName="ssh-open", Description="legacy")["GroupId"]
    east.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    boto3.client("ec2", region_name="eu-west-1").enable_ebs_encryption_by_default()
    return dict(image=image, instance=instance, root=root, data=data["VolumeId"], kms=kms, encrypted_snap=encrypted_snap,
                plain_snap=plain_snap, ami=ami, group=group)


def _answers(public: list[str] | None = None, **extra: Answer) -> dict[str, Answer]:
    answers: dict[str, Answer] = {
        "GetEbsDefaultKmsKeyId": lambda params: {"KmsKeyId": "alias/aws/ebs"},
        # Only the public-snapshot query is stubbed; the plain listing goes to moto.
        "DescribeSnapshots": lambda params: ({"Snapshots": [{"SnapshotId": s} for s in public or []]}
                                             if "RestorableByUserIds" in params else None),
    }
    answers.update(extra)
    return answers


def _collect(region: str = "us-east-1", **answers: Answer) -> Collected:
    ctx = stubbed_context(task("ec2", region), answers)
    ec2.collect(ctx)
    return ctx.out


def _arn(kind: str, ident: str, region: str = "us-east-1") -> str:
    account = "" if kind in ("snapshot", "image") else ACCOUNT
    return f"arn:aws:ec2:{region}:{account}:{kind}/{ident}"


# -- tests --------------------------------------------------------------------------------------

def test_instances_volumes_snapshots_images_and_groups(aws):
    seeded = _seed()
    out = _collect(**_answers(public=[]))
    by_id = {r.id: r for r in out.resources}
    instance = by_id[_arn("instance", seeded["instance"])]
    assert instance.kind == "aws.ec2.instance" and instance.name == "web-1" and instance.zones == ("us-east-1a",)
    assert instance.attrs["imds_tokens"] == "optional" and instance.attrs["state"] == "running"
    assert set(instance.attrs["volume_ids"]) == {seeded["root"], seeded["data"]}
    assert instance.tags["app"] == "payments"

    data = by_id[_arn("volume", seeded["data"])]
    assert data.attrs["encrypted"] is True and data.attrs["kms_key_id"] == seeded["kms"]
    assert data.attrs["size_gb"] == 100 and data.attrs["volume_type"] == "gp3"
    assert by_id[_arn("volume", seeded["root"])].attrs["encrypted"] is False

    snapshot = by_id[_arn("snapshot", seeded["encrypted_snap"])]
    assert snapshot.kind == "aws.ec2.snapshot"
    assert snapshot.attrs["volume_id"] == seeded["data"] and snapshot.attrs["source_volume_exists"] is True
    assert snapshot.attrs["encrypted"] is True and snapshot.attrs["size_gb"] == 100 and snapshot.attrs["public"] is False
    assert snapshot.attrs["created_at"].endswith("Z") and snapshot.attrs["state"] == "completed"

    image = by_id[_arn("image", seeded["ami"])]
    assert image.kind == "aws.ec2.image" and image.name == "web-ami" and image.attrs["public"] is True
    assert image.attrs["state"] == "available" and len(image.attrs["snapshot_ids"]) == 1

    group = by_id[_arn("security-group", seeded["group"])]
    assert group.attrs["admin_ports_open_to_world"] == [22] and group.name == "ssh-open"

    settings = by_id[f"arn:aws:ec2:us-east-1:{ACCOUNT}:account-settings"]
    assert settings.attrs == {"ebs_encryption_by_default": False, "ebs_default_kms_key_id": "alias/aws/ebs"}

    refs = {(r.source, r.type, r.target) for r in out.references}
    assert (data.id, "attached_to", instance.id) in refs
    assert (data.id, "encrypted_by", seeded["kms"]) in refs
    assert (snapshot.id, "snapshot_of", data.id) in refs  # (moto's snapshots carry no KmsKeyId; see the dump test)
    assert (image.id, "backed_by", _arn("snapshot", image.attrs["snapshot_ids"][0])) in refs
    assert not out.gaps
    # Calls the Stubber answers never reach the call counter (its hook runs first); moto served one listing.
    assert out.calls["ec2:DescribeSnapshots"] == 1 and out.calls["ec2:DescribeInstances"] == 1
    assert set(out.calls) <= set(ec2.OPERATIONS)


def test_snapshot_of_a_deleted_volume_points_at_nothing(aws):
    """The AMI registered from a device mapping owns a snapshot whose volume never existed."""
    seeded = _seed()
    out = _collect(**_answers())
    base = next(r for r in out.resources if r.id == _arn("image", seeded["image"]))
    backing = next(r for r in out.resources if r.id == _arn("snapshot", base.attrs["snapshot_ids"][0]))
    assert backing.attrs["source_volume_exists"] is False
    assert not [r for r in out.references if r.source == backing.id and r.type == "snapshot_of"]


def test_rules_judge_the_collected_estate(aws):
    seeded = _seed()
    east = _collect(**_answers(public=[seeded["plain_snap"]]))
    west = _collect("eu-west-1", **_answers())
    east.extend(west)
    found = verdicts(east)
    assert status(found, "aws-ec2-volume-encrypted", _arn("volume", seeded["root"])) == "FAIL"
    assert status(found, "aws-ec2-volume-encrypted", _arn("volume", seeded["data"])) == "PASS"
    assert status(found, "aws-ec2-instance-imdsv2", _arn("instance", seeded["instance"])) == "FAIL"
    assert status(found, "aws-ec2-security-group-admin-ports", _arn("security-group", seeded["group"])) == "FAIL"
    assert status(found, "aws-ec2-ebs-encryption-by-default", f"arn:aws:ec2:us-east-1:{ACCOUNT}:account-settings") == "FAIL"
    assert status(found, "aws-ec2-ebs-encryption-by-default", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:account-settings") == "PASS"
    assert status(found, "aws-ec2-snapshot-not-public", _arn("snapshot", seeded["plain_snap"])) == "FAIL"
    assert status(found, "aws-ec2-snapshot-not-public", _arn("snapshot", seeded["encrypted_snap"])) == "PASS"
    assert status(found, "aws-ec2-snapshot-encrypted", _arn("snapshot", seeded["plain_snap"])) == "FAIL"
    assert status(found, "aws-ec2-snapshot-encrypted", _arn("snapshot", seeded["encrypted_snap"])) == "PASS"
    assert status(found, "aws-ec2-image-not-public", _arn("image", seeded["ami"])) == "FAIL"
    assert status(found, "aws-ec2-image-not-public", _arn("image", seeded["image"])) == "PASS"


def test_user_data_secret_is_never_collected(aws):
    _seed()
    out = _collect(**_answers())
    dumped = json.dumps([(r.attrs, r.tags) for r in out.resources], default=str)
    assert "PRIVATE KEY" not in dumped and "MIIEowIBAAKCAQEA" not in dumped
    assert "ec2:DescribeInstanceAttribute" not in out.calls


def test_denied_settings_and_public_query_are_gaps_not_pass(aws):
    seeded = _seed()
    out = _collect(**_answers(
        GetEbsEncryptionByDefault=lambda params: Error("UnauthorizedOperation", "not authorized", 403),
        DescribeSnapshots=lambda params: Error("UnauthorizedOperation", "no", 403) if "RestorableByUserIds" in params else None,
    ))
    settings_id = f"arn:aws:ec2:us-east-1:{ACCOUNT}:account-settings"
    settings = next(r for r in out.resources if r.id == settings_id)
    assert settings.attrs["ebs_encryption_by_default"] is None
    assert settings.attrs["ebs_default_kms_key_id"] == "alias/aws/ebs"
    assert {(g.operation, g.code, g.kinds) for g in out.gaps} == {
        ("GetEbsEncryptionByDefault", "UnauthorizedOperation", ("aws.ec2.account_settings",)),
        ("DescribeSnapshots", "UnauthorizedOperation", ("aws.ec2.snapshot",))}
    snapshots = [r for r in out.resources if r.kind == "aws.ec2.snapshot"]
    assert snapshots and all(s.attrs["public"] is None for s in snapshots)
    found = verdicts(out)
    finding = found[("aws-ec2-ebs-encryption-by-default", settings_id)]
    assert finding.status.value == "NOT_ASSESSED" and "UnauthorizedOperation" in finding.reason
    assert status(found, "aws-ec2-snapshot-not-public", _arn("snapshot", seeded["plain_snap"])) == "NOT_ASSESSED"


def test_denied_listing_is_a_gap_for_the_whole_kind(aws):
    _seed()
    out = _collect(**_answers(DescribeVolumes=lambda params: Error("UnauthorizedOperation", "no", 403)))
    assert not [r for r in out.resources if r.kind == "aws.ec2.volume"]
    (gap,) = out.gaps
    assert (gap.operation, gap.kinds, gap.resource_id) == ("DescribeVolumes", ("aws.ec2.volume",), None)
    unseen = [f for f in verdicts(out).values() if f.resource_id.startswith("unseen:") and f.resource_kind == "aws.ec2.volume"]
    assert unseen and all(f.status.value == "NOT_ASSESSED" for f in unseen)


def test_cli_dumps_use_the_same_transforms():
    """`aws ec2 describe-instances` / describe-snapshots output, as the importer reads it."""
    shapes = {d.key: d for d in ec2.DUMPS}
    reservation = {"ReservationId": "r-1", "Instances": [
        {"InstanceId": "i-0abc", "State": {"Name": "running"}, "Placement": {"AvailabilityZone": "eu-west-1b"},
         "MetadataOptions": {"HttpTokens": "required"}, "BlockDeviceMappings": [{"Ebs": {"VolumeId": "vol-1"}}]},
        {"InstanceId": "i-0dead", "State": {"Name": "terminated"}}]}
    (record,) = shapes["Reservations"].to_record(reservation, ACCOUNT, "eu-west-1")
    assert record.id == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-0abc" and record.shape.attrs["imds_tokens"] == "required"
    key = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    snapshot = shapes["Snapshots"].to_record({"SnapshotId": "snap-1", "VolumeId": "vol-1", "Encrypted": True, "KmsKeyId": key,
                                              "StartTime": "2026-11-01T00:00:00.000Z", "VolumeSize": 8},
                                             ACCOUNT, "eu-west-1")
    assert snapshot.shape.attrs["public"] is None and snapshot.shape.attrs["created_at"] == "2026-11-01T00:00:00Z"
    assert ("snapshot_of", f"arn:aws:ec2:eu-west-1:{ACCOUNT}:volume/vol-1") in snapshot.shape.refs
    assert ("encrypted_by", key) in snapshot.shape.refs and snapshot.id == "arn:aws:ec2:eu-west-1::snapshot/snap-1"
