"""--org: every active account of an Organization, scanned through an assumed role, in parallel;
one account whose role cannot be assumed is a gap, not the end of the scan."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from drscan.collect.aws.base import AwsAccount
from drscan.collect.aws.collect import AwsOptions, collect_aws, org_accounts
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


def test_a_member_account_that_refuses_the_role_is_a_gap_and_the_others_are_scanned(aws):
    ids = _organization()
    session = boto3.Session(region_name="us-east-1")
    organizations, sts = session.client("organizations"), session.client("sts")
    refused = ids["analytics-prod"]
    gaps = []
    with Stubber(sts) as stub:  # moto's STS grants any role; the refusal is injected for one account
        for member in sorted(ids.values()):  # drscan assumes roles in account id order
            if member == refused:
                stub.add_client_error("assume_role", "AccessDenied", f"not authorized to perform sts:AssumeRole on {refused}", 403)
            else:
                stub.add_response("assume_role", {"Credentials": {
                    "AccessKeyId": "ASIAEXAMPLEEXAMPLE01", "SecretAccessKey": "s" * 40, "SessionToken": "t" * 40,
                    "Expiration": "2026-11-25T12:00:00Z"}}, {"RoleArn": f"arn:aws:iam::{member}:role/DrscanAudit",
                                                            "RoleSessionName": "drscan-audit", "DurationSeconds": 3600})
        accounts = org_accounts(organizations, sts, AwsAccount("123456789012"),
                                AwsOptions(org=True, assume_role="DrscanAudit"), gaps)
    by_id = {a.id for a in accounts}
    assert ids["payments-prod"] in by_id and "123456789012" in by_id and refused not in by_id
    (gap,) = gaps
    assert (gap.account, gap.operation, gap.code) == (refused, "AssumeRole", "AccessDenied")
    assert "aws.s3.bucket" in gap.kinds


def test_org_without_a_role_is_a_clear_error(aws):
    _organization()
    with pytest.raises(InputError, match="--assume-role"):
        collect_aws(AwsOptions(regions=("us-east-1",), org=True))
