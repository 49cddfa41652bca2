"""End to end: `drscan scan --gcp` as a subprocess against the fake Cloud Asset API, with a
static token from DRSCAN_GCP_TOKEN, one asset type denied (403), findings.json inspected."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.collect.gcp.conftest import TOKEN
from tests.collect.gcp.fake_cloud_asset import Fault
from tests.conftest import REPO, SAMPLES_AS_OF


def drscan(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "drscan.cli", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=180, env=env)


def scan_options() -> set[str]:
    """The options of `drscan scan`, read from the CLI's click command (no subprocess)."""
    import typer

    from drscan import cli

    command = typer.main.get_command(cli.app).commands["scan"]
    return {opt for param in command.params for opt in param.opts}


pytestmark = pytest.mark.skipif(not {"--gcp", "--scope", "--gcp-endpoint"} <= scan_options(),
                                reason="drscan scan has no --gcp/--scope/--gcp-endpoint flags yet")


def test_drscan_scan_gcp_reports_violations_and_the_denied_asset_type(start_fake, tmp_path):
    fake = start_fake(faults=[Fault(403, scope="projects/acme-prod", asset_type="sqladmin.googleapis.com/Instance")])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "CLOUDSDK_"))}
    env["DRSCAN_GCP_TOKEN"] = TOKEN
    out = tmp_path / "out"
    result = drscan("scan", "--gcp", "--scope", "projects/acme-prod", "--gcp-endpoint", fake.url, "--db", str(tmp_path / "x.db"),
                    "--out", str(out), "--format", "json", "--as-of", SAMPLES_AS_OF, "--quiet", env=env)
    assert result.returncode == 1, result.stderr  # high-severity failures fail the default gate
    assert {r.authorization for r in fake.list_requests()} == {f"Bearer {TOKEN}"}

    document = json.loads((out / "findings.json").read_text())
    status = {(f["rule_id"], f["resource_id"]): f["status"] for f in document["findings"]}
    assert status[("gcp-storage-bucket-not-public", "//storage.googleapis.com/acme-prod-exports")] == "FAIL"
    assert status[("gcp-compute-firewall-admin-ports", "//compute.googleapis.com/projects/acme-prod/global/firewalls/allow-ssh-from-anywhere")] == "FAIL"
    assert status[("gcp-kms-key-rotation", "//cloudkms.googleapis.com/projects/acme-prod/locations/us-central1/keyRings/prod-kr/cryptoKeys/legacy-app-key")] == "FAIL"
    assert status[("gcp-iam-no-primitive-roles-for-users", "//cloudresourcemanager.googleapis.com/projects/410000000101")] == "FAIL"
    assert status[("gcp-compute-disk-snapshot-schedule", "//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/prod-db-data")] == "PASS"

    sql = {rule: s for (rule, resource), s in status.items() if rule.startswith("gcp-sql-")}
    assert sql and set(sql.values()) == {"NOT_ASSESSED"}, sql
    (gap,) = document["gaps"]
    assert (gap["provider"], gap["account"], gap["service"], gap["operation"], gap["code"]) == \
           ("gcp", "acme-prod", "cloudasset", "ListAssets", "PERMISSION_DENIED")
    assert document["scan"]["sources"] == ["gcp:projects/acme-prod"]


def test_drscan_scan_gcp_rejects_a_bad_scope_before_calling_anything(tmp_path):
    env = dict(os.environ, DRSCAN_GCP_TOKEN=TOKEN)
    result = drscan("scan", "--gcp", "--scope", "my-project", "--gcp-endpoint", "http://127.0.0.1:9", "--db",
                    str(tmp_path / "x.db"), env=env)
    assert result.returncode == 2
    assert "--scope 'my-project'" in result.stderr and "projects/PROJECT_ID" in result.stderr


def test_a_live_scan_where_every_listing_is_denied_exits_2_not_compliant(start_fake, tmp_path):
    """Nothing seen is not 'nothing wrong': a scan that ends with no resource at all is an error."""
    fake = start_fake(faults=[Fault(403)])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "CLOUDSDK_"))}
    env["DRSCAN_GCP_TOKEN"] = TOKEN
    result = drscan("scan", "--gcp", "--scope", "projects/acme-prod", "--gcp-endpoint", fake.url, "--db",
                    str(tmp_path / "x.db"), "--quiet", env=env)
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("drscan: error: no resources found in gcp: nothing to assess (")
    assert "PERMISSION_DENIED x" in line and not (tmp_path / "x.db").exists()
