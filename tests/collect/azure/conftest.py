"""Fixtures for the live Azure collector: a self-signed certificate for 127.0.0.1, the fake
ARM/Resource Graph server over tests/fixtures/azure_api, and one collection of it shared by
the tests that only read the result."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from azure.core.credentials import AccessToken

from drscan.collect.azure.collect import AzureOptions, collect_azure
from tests.collect.azure.fake_arm import FakeArm, make_certificate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "azure_api"
TOKEN = "test-token"
PROD = "0b1f6471-1bf0-4dda-aec3-222222222222"
DEV = "7d2c9a10-5e3b-4f6a-9c1d-333333333333"


class RecordingCredential:
    """A TokenCredential for tests: a fixed token, and the scopes it was asked for."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


@pytest.fixture(scope="session")
def azure_cert(tmp_path_factory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("azure-cert"))


@pytest.fixture
def fake_arm(azure_cert, monkeypatch):
    """A fresh fake (throttle counters start at zero), trusted through REQUESTS_CA_BUNDLE."""
    cert, key = azure_cert
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    fake = FakeArm(FIXTURES, cert, key, token=TOKEN)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


class Collected:
    def __init__(self, inventory, fake: FakeArm, credential: RecordingCredential) -> None:
        self.inventory = inventory
        self.requests = list(fake.requests)
        self.url = fake.url
        self.credential = credential
        self.by_id = {r.id: r for r in inventory.resources}

    def named(self, name: str):
        matches = [r for r in self.inventory.resources if r.name == name]
        assert len(matches) == 1, f"{name}: {len(matches)} resources"
        return matches[0]


@pytest.fixture(scope="module")
def collected(azure_cert):
    """Every subscription of the fixture estate, collected once with retry_total=1."""
    cert, key = azure_cert
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REQUESTS_CA_BUNDLE", str(cert))
        with FakeArm(FIXTURES, cert, key, token=TOKEN) as fake:
            credential = RecordingCredential()
            inventory = collect_azure(AzureOptions(subscriptions=None, endpoint=fake.url, credential=credential,
                                                   retry_total=1, workers=4))
            return Collected(inventory, fake, credential)
