"""Fixtures for the live GCP collector: a fake Cloud Asset API on 127.0.0.1 serving the recorded
fixtures in tests/fixtures/gcp_api, stopped after each test."""

from __future__ import annotations

import pytest
from google.oauth2.credentials import Credentials

from drscan.collect.gcp.collect import GcpOptions
from tests.collect.gcp.fake_cloud_asset import FakeCloudAsset, load_fixtures

TOKEN = "test-token"


@pytest.fixture
def start_fake():
    """start_fake(faults=[...], token=..., ...) -> a running FakeCloudAsset; all are stopped after the test."""
    started: list[FakeCloudAsset] = []

    def start(**kwargs) -> FakeCloudAsset:
        assets, projects = load_fixtures()
        kwargs.setdefault("token", TOKEN)
        fake = FakeCloudAsset(assets=assets, projects=projects, **kwargs).start()
        started.append(fake)
        return fake

    try:
        yield start
    finally:
        for fake in started:
            fake.stop()


@pytest.fixture
def fake(start_fake) -> FakeCloudAsset:
    return start_fake()


def options(fake: FakeCloudAsset, *scopes: str, **kwargs) -> GcpOptions:
    """Options for a test scan: a static token, tiny backoff, few retries."""
    kwargs.setdefault("credentials", Credentials(token=TOKEN))
    kwargs.setdefault("max_attempts", 3)
    kwargs.setdefault("backoff_initial", 0.001)
    kwargs.setdefault("backoff_max", 0.002)
    kwargs.setdefault("timeout", 10.0)
    return GcpOptions(scopes=scopes or ("projects/acme-prod",), endpoint=fake.url, **kwargs)
