"""--org: every active account of an Organization, scanned through an assumed role, in parallel;
one account whose role cannot be assumed is a gap, not the end of the scan."""

from __future__ import annotations

import json

import boto3
import pytest
from moto.core import set_initial_no_auth_action_count

from drscan.collect.aws.collect import AwsOptions, collect_aws
from drscan.errors import InputError


def _organization() -> dict[str, str]:
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = {}
    for name in ("payments-prod", "analytics-prod"):
        created = org.create_account(AccountName=name, Email=f"{name}@acme.example")["CreateAccountStatus"]
        ids[name] = created["AccountId"]
    return ids


def _bucket_in(account_id: str, name: str) -> None:
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/seed", RoleSessionName="seed")["Credentials"]
    boto3.client("s3", region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                 aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"]
                 ).create_bucket(Bucket=name)


def _audit_role_in(account_id: str) -> None:
    """The read-only role drscan assumes, as an Organization would deploy it (StackSets)."""
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="seed")["Credentials"]
    iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                     "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}]}
    iam.create_role(RoleName="DrscanAudit", AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName="DrscanAudit", PolicyName="audit", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))


def test_org_scan_covers_every_member_account_through_the_assumed_role(aws):
    ids = _organization()
    _bucket_in(ids["payments-prod"], "payments-ledger")
    _bucket_in(ids["analytics-prod"], "analytics-lake")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="management-trail")
    inventory, calls = collect_aws(AwsOptions(regions=("us-east-1",), org=True, assume_role="DrscanAudit", services=("s3",)))
    owners = {r.name: r.account for r in inventory.resources}
    assert owners == {"payments-ledger": ids["payments-prod"], "analytics-lake": ids["analytics-prod"],
                      "management-trail": "123456789012"}
    assert calls["sts:AssumeRole"] == 2 and calls["organizations:ListAccounts"] == 1
    assert calls["s3:ListBuckets"] == 3  # once per account (one region)


def test_a_member_account_that_refuses_the_role_is_a_gap_and_the_others_are_scanned(aws, monkeypatch):
    ids = _organization()
    _bucket_in(ids["payments-prod"], "payments-ledger")
    _bucket_in(ids["analytics-prod"], "analytics-lake")
    refused = ids["analytics-prod"]
    _audit_role_in(ids["payments-prod"])
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="audit", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{refused}:role/*"}]}))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])

    @set_initial_no_auth_action_count(0)  # from here on, moto checks the auditor's policy like AWS
    def scan():
        return collect_aws(AwsOptions(regions=("us-east-1", "eu-west-1"), org=True, assume_role="DrscanAudit",
                                      services=("s3", "kms")))

    inventory, calls = scan()
    owners = {r.name: r.account for r in inventory.resources if r.kind == "aws.s3.bucket"}
    assert owners == {"payments-ledger": ids["payments-prod"]}
    (gap,) = [g for g in inventory.gaps if g.operation == "AssumeRole"]  # one per account, not one per task
    assert (gap.account, gap.service, gap.code) == (refused, "sts", "AccessDenied")
    assert {"aws.s3.bucket", "aws.kms.key"} <= set(gap.kinds)
    assert "analytics-prod" in gap.message
    assert calls["sts:AssumeRole"] == 2  # one per member account: the refusal is not asked again per task


def test_org_without_a_role_is_a_clear_error(aws):
    _organization()
    with pytest.raises(InputError, match="--assume-role"):
        collect_aws(AwsOptions(regions=("us-east-1",), org=True))
