"""The estate the end-to-end AWS tests and the benchmark seed into moto_server: two regions
with known violations, and two IAM users: an admin that seeds, and an auditor that holds
exactly `drscan permissions aws` (plus one explicit Deny the tests use to prove gaps)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3

from drscan.collect.aws.permissions import policy_document
from drscan.collect.aws.s3 import OPERATIONS as S3_OPERATIONS

ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SETUP_CALLS = 6  # create_user, put_user_policy, create_access_key, for each of the two users


@dataclass(frozen=True)
class Keys:
    access_key_id: str
    secret_access_key: str

    def env(self) -> dict[str, str]:
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}


# moto's IAM enforcement names some S3 actions differently from AWS's Service Authorization
# Reference: it checks s3:ListBucket for GetBucketEncryption / GetBucketReplication /
# GetObjectLockConfiguration / GetPublicAccessBlock (moto/s3/responses.py ACTION_MAP has no entry
# for those sub-resources). The shipped policy keeps AWS's real names; the test user also gets
# moto's, and only these.
# moto 5.2.6 and later check every S3 call under its API operation name instead
# (s3:ListBuckets, s3:GetBucketEncryption, ...), so the test user also gets those names.
# Likewise CloudWatch is checked as monitoring:* (its endpoint prefix) instead of cloudwatch:*, and
# the Resource Groups Tagging API as tagging:* (its signing name) instead of tag:*.
MOTO_ACTION_ALIASES = ("s3:ListBucket", *S3_OPERATIONS, "monitoring:DescribeAlarms", "tagging:GetResources")

# Under IAM enforcement moto_server 5.2 rejects SigV4-signed REST-JSON GETs of these services
# (SignatureDoesNotMatch; Route 53 and CloudFront, REST-XML: a bare 403) whatever the policy says,
# and does not implement some APIs at all (404/500 HTML; Global Accelerator entirely). Such gaps
# are moto's, not drscan's; the services are covered by the in-process tests.
MOTO_ENFORCEMENT_BROKEN = {"efs", "backup", "lambda", "route53", "dlm", "fis",
                           "apigateway", "eks", "guardduty", "opensearch", "securityhub", "cloudfront"}
MOTO_UNIMPLEMENTED = {("ec2", "GetEbsDefaultKmsKeyId"), ("globalaccelerator", "ListAccelerators")}

# A credential-like tag value that must never reach the store or a report.
PLANTED_SECRET = "ghp_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"


def create_users(endpoint: str, denied_actions: tuple[str, ...] = ()) -> tuple[Keys, Keys]:
    """(admin, auditor) access keys; the auditor's policy is drscan's shipped policy."""
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    auditor_policy = policy_document()
    auditor_policy["Statement"].append({"Effect": "Allow", "Action": list(MOTO_ACTION_ALIASES), "Resource": "*"})
    if denied_actions:
        auditor_policy["Statement"].append({"Effect": "Deny", "Action": list(denied_actions), "Resource": "*"})
    keys = []
    for user, policy in (("seeder", ADMIN_POLICY), ("drscan-auditor", auditor_policy)):
        iam.create_user(UserName=user)
        iam.put_user_policy(UserName=user, PolicyName="access", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        keys.append(Keys(key["AccessKeyId"], key["SecretAccessKey"]))
    return keys[0], keys[1]


def clients(endpoint: str | None, keys: Keys, region: str):
    session = boto3.Session(aws_access_key_id=keys.access_key_id, aws_secret_access_key=keys.secret_access_key,
                            region_name=region)
    return lambda service: session.client(service, endpoint_url=endpoint)


def seed(endpoint: str | None, admin: Keys) -> None:
    """Create the estate (endpoint None: the in-process moto mock)."""
    east, west = clients(endpoint, admin, "us-east-1"), clients(endpoint, admin, "eu-west-1")
    # S3: an unencrypted, unversioned bucket in us-east-1; a hardened one in eu-west-1.
    east("s3").create_bucket(Bucket="acme-e2e-logs")
    s3w = west("s3")
    s3w.create_bucket(Bucket="acme-e2e-ledger", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3w.put_bucket_encryption(Bucket="acme-e2e-ledger", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3w.put_bucket_versioning(Bucket="acme-e2e-ledger", VersioningConfiguration={"Status": "Enabled"})
    s3w.put_public_access_block(Bucket="acme-e2e-ledger", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3w.put_bucket_tagging(Bucket="acme-e2e-ledger", Tagging={"TagSet": [{"Key": "app", "Value": "payments"}]})
    # EC2: an instance in eu-west-1 with an unencrypted volume and a secret in a tag; an encrypted
    # volume in us-east-1; SSH open to the world.
    ec2w = west("ec2")
    instance = ec2w.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                  Placement={"AvailabilityZone": "eu-west-1a"},
                                  TagSpecifications=[{"ResourceType": "instance", "Tags": [
                                      {"Key": "app", "Value": "payments"}, {"Key": "deploy-note", "Value": PLANTED_SECRET}]}],
                                  )["Instances"][0]["InstanceId"]
    volume = ec2w.create_volume(AvailabilityZone="eu-west-1a", Size=20, Encrypted=False,
                                TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "app", "Value": "payments"}]}])
    ec2w.attach_volume(VolumeId=volume["VolumeId"], InstanceId=instance, Device="/dev/sdf")
    east("ec2").create_volume(AvailabilityZone="us-east-1a", Size=20, Encrypted=True)
    group = east("ec2").create_security_group(GroupName="e2e-ssh-world", Description="ssh from anywhere")["GroupId"]
    east("ec2").authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    # RDS: an unencrypted single-AZ database without backups in us-east-1.
    east("rds").create_db_instance(DBInstanceIdentifier="e2e-orders", Engine="postgres", DBInstanceClass="db.t3.micro",
                                   AllocatedStorage=20, MasterUsername="orders", MasterUserPassword="orders-password-1",
                                   BackupRetentionPeriod=0, MultiAZ=False, StorageEncrypted=False,
                                   Tags=[{"Key": "app", "Value": "payments"}])
    # KMS: a customer key without rotation in eu-west-1.
    west("kms").create_key(Description="e2e data key")
    # IAM: a console user without MFA.
    iam = east("iam")
    iam.create_user(UserName="e2e-operator")
    iam.create_login_profile(UserName="e2e-operator", Password="Operator-password-1!")
