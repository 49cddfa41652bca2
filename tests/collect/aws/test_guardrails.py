"""Guardrail and detection collectors against moto (Organizations, GuardDuty, Security Hub, AWS
Config, VPC flow logs) and the facts added to existing modules (bucket and key policies, role
trust, Route 53 query logging, EC2 root volumes, Lambda runtime support); rules on the result.

moto 5.2 lacks securityhub GetEnabledStandards: botocore's Stubber answers it from
tests/fixtures/aws_api/securityhub/get_enabled_standards.json (API-reference shape)."""

from __future__ import annotations

import json

import boto3

from drscan.collect.aws import config, ec2, guardduty, iam, kms, lambda_, organizations, route53, s3, securityhub, vpc
from tests.collect.aws.conftest import ACCOUNT
from tests.collect.aws.test_ec2 import collect_stubbed, Error, load_fixture, status, verdicts

EAST = "us-east-1"
OTHER = "222222222222"



def test_organization_from_the_management_account(aws):
    client = boto3.client("organizations", region_name=EAST)
    client.create_organization(FeatureSet="ALL")
    root = client.list_roots()["Roots"][0]["Id"]
    client.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    client.create_policy(Name="deny-leave", Type="SERVICE_CONTROL_POLICY", Description="guardrail",
                         Content=json.dumps({"Version": "2012-10-17", "Statement": [
                             {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}))
    member = client.create_account(AccountName="security", Email="sec@example.com")["CreateAccountStatus"]["AccountId"]
    client.register_delegated_administrator(AccountId=member, ServicePrincipal="guardduty.amazonaws.com")
    out = collect_stubbed(organizations, "organizations", scope="global")
    org, = out.resources
    assert org.kind == "aws.organizations.organization" and org.attrs["all_features"] is True
    assert org.attrs["scp_enabled"] is True and org.attrs["custom_scp_count"] == 1
    assert org.attrs["security_services_delegated"] == ["guardduty.amazonaws.com"]
    found = verdicts(out)
    assert status(found, "aws-organizations-scps-enabled", org.id) == "PASS"
    assert status(found, "aws-organizations-security-delegated", org.id) == "PASS"


def test_account_outside_an_organization_yields_nothing_and_no_gap(aws):
    out = collect_stubbed(organizations, "organizations", scope="global")
    assert out.resources == [] and out.gaps == []


def test_guardduty_detector_and_a_region_without_one(aws):
    out = collect_stubbed(guardduty, "guardduty")
    off, = out.resources
    assert off.attrs["enabled"] is False and status(verdicts(out), "aws-guardduty-enabled", off.id) == "FAIL"
    detector = boto3.client("guardduty", region_name=EAST).create_detector(Enable=True)["DetectorId"]
    out = collect_stubbed(guardduty, "guardduty")
    on, = out.resources
    assert on.id.endswith(f"detector/{detector}") and on.attrs["enabled"] is True
    assert status(verdicts(out), "aws-guardduty-enabled", on.id) == "PASS"


def test_guardduty_denied_is_a_gap_not_a_disabled_region(aws):
    out = collect_stubbed(guardduty, "guardduty", {"ListDetectors": lambda p: Error("AccessDeniedException", "no", 403)})
    assert out.resources == [] and [g.code for g in out.gaps] == ["AccessDeniedException"]


def test_security_hub_enabled_with_standards_and_not_subscribed(aws):
    out = collect_stubbed(securityhub, "securityhub")
    hub, = out.resources
    assert hub.attrs["enabled"] is False and not out.gaps  # "not subscribed" is an answer
    assert status(verdicts(out), "aws-securityhub-enabled", hub.id) == "FAIL"
    boto3.client("securityhub", region_name=EAST).enable_security_hub(EnableDefaultStandards=False)
    out = collect_stubbed(securityhub, "securityhub", {
        "GetEnabledStandards": lambda p: load_fixture("securityhub", "get_enabled_standards")})
    hub, = out.resources
    assert hub.attrs["enabled"] is True
    assert hub.attrs["standards"] == ["standards/aws-foundational-security-best-practices/v/1.0.0"]
    found = verdicts(out)
    assert status(found, "aws-securityhub-enabled", hub.id) == "PASS"
    assert status(found, "aws-securityhub-standards-enabled", hub.id) == "PASS"


def test_config_recorder_and_a_region_without_one(aws):
    out = collect_stubbed(config, "config")
    none, = out.resources
    assert none.attrs["recording"] is False and dict(out.calls) == {"config:DescribeConfigurationRecorders": 1}
    client = boto3.client("config", region_name=EAST)
    client.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    client.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-bucket"})
    client.start_configuration_recorder(ConfigurationRecorderName="default")
    out = collect_stubbed(config, "config")
    recorder, = out.resources
    assert recorder.attrs["recording"] is True and recorder.attrs["all_supported"] is True
    assert status(verdicts(out), "aws-config-recorder-recording", recorder.id) == "PASS"


def test_vpc_flow_logs(aws):
    client = boto3.client("ec2", region_name=EAST)
    logged = client.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    boto3.client("s3", region_name=EAST).create_bucket(Bucket="flow-logs")
    client.create_flow_logs(ResourceIds=[logged], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                            LogDestination="arn:aws:s3:::flow-logs")
    out = collect_stubbed(vpc, "vpc")
    by_id = {r.attrs["vpc_id"]: r for r in out.resources}
    assert by_id[logged].attrs["flow_logs_enabled"] is True
    default = next(r for r in out.resources if r.attrs["is_default"])
    assert default.attrs["flow_logs_enabled"] is False
    found = verdicts(out)
    assert status(found, "aws-vpc-flow-logs", by_id[logged].id) == "PASS"
    assert status(found, "aws-vpc-flow-logs", default.id) == "FAIL"
    denied = collect_stubbed(vpc, "vpc", {"DescribeFlowLogs": lambda p: Error("UnauthorizedOperation", "no", 403)})
    assert {r.attrs["flow_logs_enabled"] for r in denied.resources} == {None}


def test_bucket_policy_and_object_lock_retention(aws):
    client = boto3.client("s3", region_name=EAST)
    client.create_bucket(Bucket="trail-logs", ObjectLockEnabledForBucket=True)
    client.put_object_lock_configuration(Bucket="trail-logs", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}}})
    client.put_bucket_policy(Bucket="trail-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*"],
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
    client.create_bucket(Bucket="website")
    client.put_bucket_policy(Bucket="website", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::website/*"}]}))
    client.create_bucket(Bucket="plain")
    out = collect_stubbed(s3, "s3")
    by_name = {r.name: r for r in out.resources}
    logs, site, plain = by_name["trail-logs"], by_name["website"], by_name["plain"]
    assert logs.attrs["policy_denies_insecure_transport"] is True and logs.attrs["policy_public"] is False
    assert logs.attrs["object_lock_mode"] == "COMPLIANCE" and logs.attrs["object_lock_retention_days"] == 365
    assert site.attrs["policy_public"] is True and site.attrs["policy_denies_insecure_transport"] is False
    assert plain.attrs["policy_public"] is False and plain.attrs["policy_denies_insecure_transport"] is False
    found = verdicts(out)
    assert status(found, "aws-s3-bucket-deny-insecure-transport", logs.id) == "PASS"
    assert status(found, "aws-s3-bucket-policy-not-public", site.id) == "FAIL"
    denied = collect_stubbed(s3, "s3", {"GetBucketPolicy": lambda p: Error("AccessDenied", "no", 403)})
    bucket = next(r for r in denied.resources if r.name == "plain")
    assert "policy_denies_insecure_transport" not in bucket.attrs and "policy_public" not in bucket.attrs


def test_kms_key_policy_cross_account_and_public(aws):
    client = boto3.client("kms", region_name=EAST)
    shared = client.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "kms:Decrypt", "Resource": "*"}]}))
    private = client.create_key()
    out = collect_stubbed(kms, "kms")
    by_id = {r.id: r for r in out.resources}
    shared_key, private_key = by_id[shared["KeyMetadata"]["Arn"]], by_id[private["KeyMetadata"]["Arn"]]
    assert shared_key.attrs["policy_external_accounts"] == [OTHER] and shared_key.attrs["policy_public"] is False
    assert private_key.attrs["policy_external_accounts"] == []
    found = verdicts(out)
    assert status(found, "aws-kms-key-no-cross-account-use", shared_key.id) == "FAIL"
    assert status(found, "aws-kms-key-policy-not-public", private_key.id) == "PASS"


def test_iam_role_trust_and_support_role(aws):
    client = boto3.client("iam", region_name=EAST)
    trust = lambda principal, condition=None: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **({"Condition": condition} if condition else {})}]})
    client.create_role(RoleName="vendor", AssumeRolePolicyDocument=trust({"AWS": f"arn:aws:iam::{OTHER}:root"}))
    client.create_role(RoleName="vendor-safe", AssumeRolePolicyDocument=trust(
        {"AWS": f"arn:aws:iam::{OTHER}:root"}, {"StringEquals": {"sts:ExternalId": "acme-7f3a"}}))
    client.create_role(RoleName="open", AssumeRolePolicyDocument=trust({"AWS": "*"}))
    client.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=trust({"Service": "lambda.amazonaws.com"}))
    out = collect_stubbed(iam, "iam", scope="global")
    roles = {r.name: r for r in out.resources if r.kind == "aws.iam.role"}
    assert roles["vendor"].attrs["trusted_accounts"] == [OTHER] and roles["vendor"].attrs["cross_account_without_external_id"] is True
    assert roles["vendor-safe"].attrs["cross_account_without_external_id"] is False
    assert roles["open"].attrs["trusts_any_principal"] is True
    assert roles["lambda-exec"].attrs["trusted_services"] == ["lambda.amazonaws.com"]
    root = next(r for r in out.resources if r.kind == "aws.iam.root_account")
    assert root.attrs["support_role_exists"] is False
    found = verdicts(out)
    assert status(found, "aws-iam-role-trust-not-public", roles["open"].id) == "FAIL"
    assert status(found, "aws-iam-role-cross-account-external-id", roles["vendor"].id) == "FAIL"
    assert status(found, "aws-iam-role-cross-account-external-id", roles["vendor-safe"].id) == "PASS"
    assert status(found, "aws-iam-support-role", root.id) == "FAIL"


def test_route53_query_logging(aws):
    client = boto3.client("route53", region_name=EAST)
    logged = client.create_hosted_zone(Name="example.com", CallerReference="a")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    client.create_hosted_zone(Name="example.org", CallerReference="b")
    group = boto3.client("logs", region_name=EAST)
    group.create_log_group(logGroupName="/aws/route53/example.com")
    arn = group.describe_log_groups()["logGroups"][0]["arn"]
    client.create_query_logging_config(HostedZoneId=logged, CloudWatchLogsLogGroupArn=arn)
    out = collect_stubbed(route53, "route53", scope="global")
    zones = {r.attrs["zone_name"]: r for r in out.resources if r.kind == "aws.route53.hosted_zone"}
    assert zones["example.com."].attrs["query_logging_enabled"] is True
    assert zones["example.org."].attrs["query_logging_enabled"] is False
    assert status(verdicts(out), "aws-route53-zone-query-logging", zones["example.org."].id) == "FAIL"


def test_ec2_instance_root_volume_encryption(aws):
    client = boto3.client("ec2", region_name=EAST)
    image = client.register_image(Name="base", RootDeviceName="/dev/sda1",
                                  BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8}}])["ImageId"]
    instance = client.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    out = collect_stubbed(ec2, "ec2")
    node = next(r for r in out.resources if r.kind == "aws.ec2.instance")
    root = node.attrs["root_volume_id"]
    assert node.id.endswith(instance) and node.attrs["root_device_type"] == "ebs" and root
    assert node.attrs["root_volume_encrypted"] is False
    volume = next(r for r in out.resources if r.kind == "aws.ec2.volume" and r.attrs["volume_id"] == root)
    assert volume.attrs["attached_devices"] == ["/dev/sda1"]
    found = verdicts(out)
    assert status(found, "aws-ec2-instance-root-volume-encrypted", node.id) == "FAIL"
    default_group = next(r for r in out.resources if r.kind == "aws.ec2.security_group" and r.attrs["group_name"] == "default")
    assert status(found, "aws-ec2-default-security-group-closed", default_group.id) == "FAIL"
    denied = collect_stubbed(ec2, "ec2", {"DescribeVolumes": lambda p: Error("UnauthorizedOperation", "no", 403)})
    node = next(r for r in denied.resources if r.kind == "aws.ec2.instance")
    assert node.attrs["root_volume_encrypted"] is None
    assert verdicts(denied)[("aws-ec2-instance-root-volume-encrypted", node.id)].status.value == "NOT_ASSESSED"


def test_lambda_runtime_support_from_the_data_file(aws):
    role = boto3.client("iam", region_name=EAST).create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client = boto3.client("lambda", region_name=EAST)
    for name, runtime in (("old", "python3.8"), ("new", "python3.13")):
        client.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler="x.handler",
                               Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18})
    out = collect_stubbed(lambda_, "lambda")
    by_name = {r.name: r for r in out.resources}
    assert by_name["old"].attrs["runtime_deprecation_date"] == "2024-10-14T00:00:00Z"
    found = verdicts(out)
    assert status(found, "aws-lambda-runtime-supported", by_name["old"].id) == "FAIL"
    assert status(found, "aws-lambda-runtime-supported", by_name["new"].id) == "PASS"
