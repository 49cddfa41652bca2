"""End to end: `drscan scan --azure` as a subprocess against the HTTPS fake, with the static
token from DRSCAN_AZURE_TOKEN and the fake's certificate trusted through REQUESTS_CA_BUNDLE."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.collect.azure.conftest import DEV, PROD, TOKEN

DRSCAN = [sys.executable, "-c", "from drscan.cli import main; main()"]


def _has_azure_flags() -> bool:
    result = subprocess.run(DRSCAN + ["scan", "--help"], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, COLUMNS="200"))
    return "--azure-endpoint" in result.stdout


pytestmark = pytest.mark.skipif(not _has_azure_flags(), reason="drscan scan has no --azure flags yet")


def test_scan_azure_writes_findings_with_failures_and_honest_gaps(fake_arm, azure_cert, tmp_path):
    cert, _ = azure_cert
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "MSI_", "IDENTITY_"))}
    env.update(DRSCAN_AZURE_TOKEN=TOKEN, REQUESTS_CA_BUNDLE=str(cert), COLUMNS="200")
    out = tmp_path / "out"
    result = subprocess.run(
        DRSCAN + ["scan", "--azure", "--subscriptions", "all", "--azure-endpoint", fake_arm.url,
                  "--db", str(tmp_path / "drscan.db"), "--out", str(out), "--format", "json",
                  "--as-of", "2026-11-20T06:00:00Z", "--quiet"],
        capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 1, result.stderr  # high-severity failures are planted
    report = json.loads((out / "findings.json").read_text())
    by_key = {(f["rule_id"], f["resource_name"]): f for f in report["findings"]}

    for rule_id, name in [("azure-storage-account-no-public-blob", "stcheckoutexports"),
                          ("azure-sql-database-tde", "sqldb-legacy"),
                          ("azure-keyvault-purge-protection", "kv-checkout-scratch"),
                          ("azure-vm-replicated-to-another-region", "vm-checkout-web-2"),
                          ("azure-traffic-manager-failover", "tm-checkout-legacy"),
                          ("azure-owner-assignment-not-user", "9a1f2c3d-0000-4000-8000-000000000001")]:
        assert by_key[(rule_id, name)]["status"] == "FAIL", (rule_id, name)
    assert by_key[("azure-vm-replicated-to-another-region", "vm-checkout-web-1")]["status"] == "PASS"
    assert by_key[("azure-sql-database-geo-replicated", "sqldb-orders")]["status"] == "PASS"

    # The forbidden role-assignment query: listed as a gap, its rules NOT_ASSESSED for that subscription.
    gaps = report["gaps"]
    forbidden = [g for g in gaps if g["code"] == "AuthorizationFailed"]
    assert [(g["account"], g["service"], g["operation"]) for g in forbidden] == [(PROD, "resourcegraph", "role_assignments")]
    owner_prod = [f for f in report["findings"] if f["rule_id"] == "azure-owner-assignment-not-user" and f["account"] == PROD]
    assert owner_prod and all(f["status"] == "NOT_ASSESSED" for f in owner_prod)
    assert by_key[("azure-subscription-owner-count", "acme-checkout-prod")]["status"] == "NOT_ASSESSED"
    assert by_key[("azure-subscription-owner-count", "acme-checkout-dev")]["status"] == "PASS"

    # Throttled forever: dev's VMs could not be read; nothing about them may PASS.
    assert [g["code"] for g in gaps if g["account"] == DEV] == ["RateLimiting"]
    dev_vm = [f for f in report["findings"] if f["account"] == DEV and f["resource_kind"] == "azure.compute.virtual_machine"]
    assert dev_vm and all(f["status"] == "NOT_ASSESSED" for f in dev_vm)
