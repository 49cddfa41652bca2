"""An AWS Organization seeded into moto_server for the Dask tests and bench/bench_dask.py: a
management account and N member accounts, each reached through an assumed role and holding a few
resources with known verdicts (an unencrypted bucket, a key without rotation, an unencrypted
volume), so a scan's findings can be compared across executors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3

MANAGEMENT = "123456789012"  # moto's default account
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def _member_clients(endpoint: str, account: str, region: str):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=region, **KEYS)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
                            RoleSessionName="seed")["Credentials"]
    session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                            aws_session_token=creds["SessionToken"], region_name=region)
    return lambda service: session.client(service, endpoint_url=endpoint)


def _seed_member(endpoint: str, account: str, number: int, region: str, resources: int) -> None:
    client = _member_clients(endpoint, account, region)
    s3, kms, ec2 = client("s3"), client("kms"), client("ec2")
    for n in range(resources):
        s3.create_bucket(Bucket=f"org-{number}-data-{n}")
        kms.create_key(Description=f"member {number} key {n}")
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=8, Encrypted=bool(n % 2))


def seed_organization(endpoint: str, members: int, region: str = "us-east-1", resources: int = 1,
                      workers: int = 8) -> list[str]:
    """Create the Organization and its members; returns the member account ids."""
    org = boto3.client("organizations", endpoint_url=endpoint, region_name=region, **KEYS)
    org.create_organization(FeatureSet="ALL")
    ids = [org.create_account(AccountName=f"member-{n:04d}", Email=f"member-{n}@acme.example")
           ["CreateAccountStatus"]["AccountId"] for n in range(members)]
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda item: _seed_member(endpoint, item[1], item[0], region, resources), enumerate(ids)))
    boto3.client("s3", endpoint_url=endpoint, region_name=region, **KEYS).create_bucket(Bucket="org-management-trail")
    return ids
