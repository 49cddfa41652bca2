"""HTTPS endpoints trusted through REQUESTS_CA_BUNDLE, and the permissions document covering
every request the collector actually sent."""

from __future__ import annotations

import json
import subprocess
import sys


from drscan.collect.gcp.collect import collect_gcp
from drscan.collect.gcp.permissions import permission_for, permissions_document
from drscan.collect.gcp.plan import ASSET_GROUPS
from tests.collect.gcp.conftest import options
from tests.tls import make_certificate
from tests.collect.gcp.fake_cloud_asset import Fault
from tests.conftest import REPO

CONTENT_TYPE_NAMES = {"1": "RESOURCE", "2": "IAM_POLICY"}


def self_signed(tmp_path) -> tuple[str, str]:
    return tuple(str(p) for p in make_certificate(tmp_path, "fake-cloudasset"))


def test_https_endpoint_is_trusted_through_requests_ca_bundle(start_fake, tmp_path, monkeypatch):
    certificate = self_signed(tmp_path)
    fake = start_fake(certificate=certificate)
    assert fake.url.startswith("https://127.0.0.1:")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])
    inventory = collect_gcp(options(fake))
    assert not inventory.gaps and len(inventory.resources) > 20


def test_untrusted_https_certificate_is_a_connection_gap(start_fake, tmp_path, monkeypatch):
    fake = start_fake(certificate=self_signed(tmp_path))
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    inventory = collect_gcp(options(fake, max_attempts=1))
    assert not inventory.resources
    assert {g.code for g in inventory.gaps} == {"CONNECTION_ERROR"}
    assert "CERTIFICATE_VERIFY_FAILED" in inventory.gaps[0].message


def test_every_request_the_collector_sends_needs_a_listed_permission(start_fake):
    # Include the retry and error paths: they must not reach for any other API either.
    fake = start_fake(faults=[Fault(429, asset_type="storage.googleapis.com/Bucket", times=1),
                              Fault(403, asset_type="spanner.googleapis.com/Instance")])
    collect_gcp(options(fake, "projects/acme-prod", "organizations/770000000000", page_size=3))
    document = permissions_document()
    listed = set(document["custom_role"]["includedPermissions"])
    requests = fake.requests
    assert len(requests) > 2 * len(ASSET_GROUPS)
    for request in requests:
        content_type = CONTENT_TYPE_NAMES[request.params["contentType"][0]]
        permission = permission_for(request.method, request.path, content_type)
        assert permission is not None, f"{request.method} {request.path} is not a call the permissions document covers"
        assert permission in listed
    assert listed == {"cloudasset.assets.listResource", "cloudasset.assets.listIamPolicy"}
    assert document["recommended_roles"] == ["roles/cloudasset.viewer"]


def test_permissions_document_lists_the_planned_calls_from_the_same_list():
    calls = permissions_document()["api_calls"]
    assert [(c["content_type"], tuple(c["asset_types"])) for c in calls] == [(g.content_type, g.asset_types) for g in ASSET_GROUPS]
    assert all(c["http"] == "GET /v1/{parent=*/*}/assets" for c in calls)
    assert permission_for("POST", "/v1/projects/p/assets", "RESOURCE") is None
    assert permission_for("GET", "/v1/projects/p:searchAllResources", "RESOURCE") is None


def test_drscan_permissions_gcp_prints_the_document():
    result = subprocess.run([sys.executable, "-m", "drscan.cli", "permissions", "gcp"], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == permissions_document()
