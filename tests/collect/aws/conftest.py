"""moto (in-process) fixtures for the AWS service collectors."""

from __future__ import annotations

import pytest
from moto import mock_aws

from drscan.collect.aws.base import AwsAccount, AwsTask, GLOBAL

ACCOUNT = "123456789012"  # moto's default account


@pytest.fixture
def aws(monkeypatch):
    """A clean moto estate; credentials are dummies and no request leaves the process."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        yield


def task(service: str, region: str = "us-east-1", regions: tuple[str, ...] = ("us-east-1", "eu-west-1")) -> AwsTask:
    return AwsTask(account=AwsAccount(ACCOUNT), region=region, service=service, regions=regions, max_attempts=2,
                   observed_at="2026-11-25T00:00:00Z")


def global_task(service: str, regions: tuple[str, ...] = ("us-east-1", "eu-west-1")) -> AwsTask:
    return task(service, GLOBAL, regions)


def as_botocore_parses(shape, value):
    """A JSON fixture (shaped like the AWS API reference response) as botocore hands it over:
    timestamps become aware datetimes. For Stubber answers to APIs moto lacks."""
    from botocore.utils import parse_timestamp

    if value is None:
        return None
    if shape.type_name == "structure":
        return {k: as_botocore_parses(shape.members[k], v) for k, v in value.items()}
    if shape.type_name == "list":
        return [as_botocore_parses(shape.member, v) for v in value]
    if shape.type_name == "map":
        return {k: as_botocore_parses(shape.value, v) for k, v in value.items()}
    return parse_timestamp(value) if shape.type_name == "timestamp" else value
