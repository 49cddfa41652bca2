"""The live GCP collector through the real google-cloud-asset REST client against a fake Cloud
Asset API serving recorded-shape fixtures (tests/fixtures/gcp_api): resources, relations,
paging, retries, gaps, and the rules' verdicts on what it collected."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
from google.oauth2.credentials import Credentials

from drscan.collect.gcp.collect import GcpOptions, collect_gcp, resolve_credentials
from drscan.collect.gcp.plan import ASSET_GROUPS
from drscan.collect.gcp.task import CredentialsRejected
from drscan.collect.inventory import import_inventory
from drscan.engine.evaluate import evaluate
from drscan.errors import InputError
from drscan.graph.build import build_graph
from drscan.model import Status
from tests.collect.gcp.conftest import TOKEN, options
from tests.collect.gcp.fake_cloud_asset import Fault, load_fixtures
from tests.conftest import FIXED_NOW

SQL = "sqladmin.googleapis.com/Instance"
BUCKET = "storage.googleapis.com/Bucket"
PG = "//cloudsql.googleapis.com/projects/acme-prod/instances/payments-pg"
DATA_DISK = "//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/disks/prod-db-data"


def by_id(inventory):
    return {r.id: r for r in inventory.resources}


def test_resources_attrs_and_references_from_the_live_api(fake):
    inventory = collect_gcp(options(fake))
    resources = by_id(inventory)
    assert not inventory.gaps
    assert inventory.sources == ("gcp:projects/acme-prod",)
    kinds = Counter(r.kind for r in resources.values())
    assert kinds["gcp.storage.bucket"] == 3 and kinds["gcp.sql.instance"] == 3 and kinds["gcp.kms.crypto_key"] == 5
    assert kinds["gcp.compute.firewall"] == 2 and kinds["gcp.spanner.instance"] == 1 and kinds["gcp.firestore.database"] == 1
    assert not any(r.account == "acme-dr" for r in resources.values()), "project scope must not leak the other project"

    pg = resources[PG]
    assert pg.account == "acme-prod" and pg.region == "us-central1" and pg.zones == ("us-central1-a", "us-central1-b")
    # Struct numbers come back as doubles; the collector restores the integers the API sent.
    assert pg.attrs["retained_backups"] == 14 and type(pg.attrs["retained_backups"]) is int
    assert pg.attrs["pitr_enabled"] is True and pg.attrs["open_to_internet"] is False and pg.tags == {"app": "payments"}
    assert pg.source == "api:ListAssets@projects/acme-prod#RESOURCE" and pg.observed_at == "2026-11-20T05:59:58Z"

    # A bucket names no project; its projectNumber is mapped to the id through the Project asset.
    exports = resources["//storage.googleapis.com/acme-prod-exports"]
    assert exports.account == "acme-prod"
    assert exports.source == "api:ListAssets@projects/acme-prod#RESOURCE; api:ListAssets@projects/acme-prod#IAM_POLICY"
    assert exports.attrs["is_public"] is True and exports.attrs["public_members"] == ["allUsers"]  # from IAM_POLICY
    assert exports.attrs["location_type"] == "region" and exports.attrs["versioning_enabled"] is False  # from RESOURCE

    project = resources["//cloudresourcemanager.googleapis.com/projects/410000000101"]
    assert project.name == "acme-prod" and project.attrs["users_with_primitive_roles"] == ["user:bob@acme.example"]
    assert project.attrs["service_accounts_with_primitive_roles"] == ["serviceAccount:etl-runner@acme-prod.iam.gserviceaccount.com"]

    policy = resources["//compute.googleapis.com/projects/acme-prod/regions/us-central1/resourcePolicies/hourly-regional"]
    assert policy.attrs["interval_hours"] == 4 and policy.attrs["storage_location_type"] == "region"
    firewall = resources["//compute.googleapis.com/projects/acme-prod/global/firewalls/allow-ssh-from-anywhere"]
    assert firewall.attrs["admin_ports_open_to_world"] == ["tcp:22"]
    assert resources["//container.googleapis.com/projects/acme-prod/locations/us-central1/clusters/prod-gke"].tags == {"app": "payments"}

    refs = {(r.source, r.type, r.target) for r in inventory.references}
    assert (DATA_DISK, "scheduled_by", "//compute.googleapis.com/projects/acme-prod/regions/us-central1/resourcePolicies/daily-backup") in refs
    assert (DATA_DISK, "attached_to", "//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/prod-db-1") in refs
    assert ("//cloudsql.googleapis.com/projects/acme-prod/instances/payments-pg-replica-east", "replica_of", PG) in refs
    graph = build_graph(inventory)
    assert [r.id for r in graph.related(DATA_DISK, "scheduled_by")] == [
        "//compute.googleapis.com/projects/acme-prod/regions/us-central1/resourcePolicies/daily-backup"]


def test_requests_carry_the_token_and_ask_only_for_what_the_plan_lists(fake):
    collect_gcp(options(fake))
    calls = fake.list_requests()
    assert len(calls) == len(ASSET_GROUPS)  # one page each at the default page size
    assert {c.authorization for c in calls} == {f"Bearer {TOKEN}"}
    asked = {(c.params["contentType"][0], tuple(c.params["assetTypes"])) for c in calls}
    assert asked == {({"RESOURCE": "1", "IAM_POLICY": "2"}[g.content_type], g.asset_types) for g in ASSET_GROUPS}


def test_live_collection_equals_importing_the_same_assets(fake, tmp_path):
    """The live API and a `gcloud asset list --format=json` export of the same assets give the
    same resources (the collector reuses the importer's conversion)."""
    live = by_id(collect_gcp(options(fake)))
    assets, _ = load_fixtures()
    in_scope = {kind: [a for a in items if "projects/410000000101" in a["ancestors"]] for kind, items in assets.items()}
    (tmp_path / "1-resources.json").write_text(json.dumps(in_scope["RESOURCE"]))
    (tmp_path / "2-iam-policies.json").write_text(json.dumps(in_scope["IAM_POLICY"]))
    imported = by_id(import_inventory(tmp_path))
    assert live.keys() == imported.keys()
    for rid, resource in live.items():
        other = imported[rid]
        assert (resource.kind, resource.name, resource.account, resource.region, resource.zones) == \
               (other.kind, other.name, other.account, other.region, other.zones), rid
        assert resource.attrs == other.attrs, rid
        assert resource.tags == other.tags, rid


def test_paging_follows_next_page_token_over_several_pages(fake):
    inventory = collect_gcp(options(fake, page_size=2))
    assert not inventory.gaps
    compute = [c for c in fake.list_requests() if "compute.googleapis.com/Disk" in c.params["assetTypes"]]
    assets, _ = load_fixtures()
    count = sum(1 for a in assets["RESOURCE"] if a["assetType"].startswith("compute.") and "projects/410000000101" in a["ancestors"])
    assert count > 6 and len(compute) == math.ceil(count / 2)
    assert "pageToken" not in compute[0].params
    tokens = [c.params["pageToken"][0] for c in compute[1:]]
    assert len(set(tokens)) == len(tokens)
    assert {c.params["pageSize"][0] for c in compute} == {"2"}
    assert sum(1 for r in inventory.resources if r.kind.startswith("gcp.compute.")) == count


def test_the_page_bound_stops_a_listing_and_says_so(fake):
    inventory = collect_gcp(options(fake, page_size=2, max_pages=2))
    compute = [g for g in inventory.gaps if "gcp.compute.disk" in g.kinds]
    assert [g.code for g in compute] == ["PAGE_LIMIT"] and "stopped after 2 pages" in compute[0].message
    assert sum(1 for r in inventory.resources if r.kind.startswith("gcp.compute.")) == 4


def test_progress_reports_every_asset(fake):
    seen: list[int] = []
    inventory = collect_gcp(options(fake, page_size=3), on_progress=seen.append)
    assets, _ = load_fixtures()
    listed = sum(1 for items in assets.values() for a in items if "projects/410000000101" in a["ancestors"])
    assert sum(seen) == listed and len(seen) > len(ASSET_GROUPS)
    assert len(inventory.resources) < listed  # RESOURCE and IAM_POLICY of one asset merge into one resource


def test_permission_denied_on_one_asset_type_is_a_gap_and_the_scan_goes_on(start_fake, ruleset):
    fake = start_fake(faults=[Fault(403, scope="projects/acme-prod", asset_type=SQL)])
    inventory = collect_gcp(options(fake))
    assert not any(r.kind == "gcp.sql.instance" for r in inventory.resources)
    assert any(r.kind == "gcp.storage.bucket" for r in inventory.resources)
    (gap,) = inventory.gaps
    assert (gap.provider, gap.account, gap.region, gap.service, gap.operation, gap.code) == \
           ("gcp", "acme-prod", "", "cloudasset", "ListAssets", "PERMISSION_DENIED")
    assert gap.kinds == ("gcp.sql.instance",) and "\n" not in gap.message
    assert "cloudasset.assets.listResource" in gap.message and "The caller does not have permission" in gap.message
    assert len([c for c in fake.list_requests() if SQL in c.params["assetTypes"]]) == 1, "403 is an answer, not retried"

    graph = build_graph(inventory)
    findings = evaluate(graph, ruleset, FIXED_NOW, list(inventory.gaps) + graph.gaps)
    sql = [f for f in findings if f.rule_id == "gcp-sql-pitr"]
    assert sql and all(f.status is Status.NOT_ASSESSED and "PERMISSION_DENIED" in f.reason for f in sql)
    assert not any(f.status is Status.PASS for f in findings if f.resource_kind == "gcp.sql.instance")


def test_iam_policy_denied_leaves_public_access_not_assessed(start_fake, ruleset):
    fake = start_fake(faults=[Fault(403, content_type="IAM_POLICY")])
    inventory = collect_gcp(options(fake))
    gaps = sorted(inventory.gaps, key=lambda g: g.kinds)
    assert [g.kinds for g in gaps] == [("gcp.resourcemanager.project",), ("gcp.storage.bucket",)]
    assert all("cloudasset.assets.listIamPolicy" in g.message for g in gaps)
    graph = build_graph(inventory)
    findings = {(f.rule_id, f.resource_id): f for f in evaluate(graph, ruleset, FIXED_NOW, gaps)}
    exports = findings[("gcp-storage-bucket-not-public", "//storage.googleapis.com/acme-prod-exports")]
    assert exports.status is Status.NOT_ASSESSED and "PERMISSION_DENIED" in exports.reason
    # Public access prevention enforced answers the question without the IAM policy.
    assert findings[("gcp-storage-bucket-not-public", "//storage.googleapis.com/acme-prod-backups")].status is Status.PASS
    assert findings[("gcp-iam-no-primitive-roles-for-users",
                     "//cloudresourcemanager.googleapis.com/projects/410000000101")].status is Status.NOT_ASSESSED


def test_api_not_enabled_is_reported_as_service_disabled(start_fake):
    fake = start_fake(faults=[Fault(403, reason="SERVICE_DISABLED")])
    inventory = collect_gcp(options(fake))
    assert not inventory.resources
    assert len(inventory.gaps) == len(ASSET_GROUPS)
    assert {g.code for g in inventory.gaps} == {"SERVICE_DISABLED"}
    assert {k for g in inventory.gaps for k in g.kinds} == {k for group in ASSET_GROUPS for k in group.kinds}
    assert "enable cloudasset.googleapis.com" in inventory.gaps[0].message


def test_throttling_is_retried_then_succeeds(start_fake):
    fake = start_fake(faults=[Fault(429, asset_type=BUCKET, content_type="RESOURCE", times=2, retry_after="0")])
    inventory = collect_gcp(options(fake, max_attempts=3))
    assert not inventory.gaps
    assert any(r.kind == "gcp.storage.bucket" and "location_type" in r.attrs for r in inventory.resources)
    bucket_calls = [c for c in fake.list_requests() if c.params["assetTypes"] == [BUCKET] and c.params["contentType"] == ["1"]]
    assert len(bucket_calls) == 3


def test_throttling_that_outlasts_the_retries_is_a_gap(start_fake, ruleset):
    fake = start_fake(faults=[Fault(429, asset_type=BUCKET, content_type="RESOURCE")])
    inventory = collect_gcp(options(fake, max_attempts=3))
    (gap,) = inventory.gaps
    assert gap.code == "RESOURCE_EXHAUSTED" and gap.kinds == ("gcp.storage.bucket",) and "Quota exceeded" in gap.message
    bucket_calls = [c for c in fake.list_requests() if c.params["assetTypes"] == [BUCKET] and c.params["contentType"] == ["1"]]
    assert len(bucket_calls) == 3  # max_attempts, then give up
    # The IAM half still arrived, so buckets exist but their configuration rules cannot pass.
    graph = build_graph(inventory)
    findings = evaluate(graph, ruleset, FIXED_NOW, inventory.gaps)
    versioning = [f for f in findings if f.rule_id == "gcp-storage-bucket-versioning"]
    assert versioning and all(f.status is Status.NOT_ASSESSED for f in versioning)


def test_a_page_that_keeps_failing_mid_listing_keeps_earlier_pages_and_records_a_gap(start_fake):
    fake = start_fake(faults=[Fault(503, asset_type="compute.googleapis.com/Disk", on_page=2)])
    inventory = collect_gcp(options(fake, page_size=2, max_attempts=2))
    (gap,) = inventory.gaps
    assert gap.code == "UNAVAILABLE" and "after 1 page(s)" in gap.message
    assert "gcp.compute.disk" in gap.kinds and "gcp.compute.firewall" in gap.kinds
    assert sum(1 for r in inventory.resources if r.kind.startswith("gcp.compute.")) == 2


def test_an_unreadable_asset_is_a_gap_and_its_neighbours_are_kept(fake):
    nameless = {"assetType": "dns.googleapis.com/ManagedZone", "ancestors": ["projects/410000000101"],
                "resource": {"version": "v1", "data": {"dnsName": "broken.acme.example."}}}
    fake.assets["RESOURCE"].append(nameless)
    inventory = collect_gcp(options(fake))
    (gap,) = inventory.gaps
    assert gap.code == "UNREADABLE_ASSET" and "asset lacks name or assetType" in gap.message
    assert gap.kinds == ("gcp.dns.managed_zone", "gcp.dns.record_set")  # the dns group; a nameless asset names no resource
    assert any(r.kind == "gcp.dns.managed_zone" for r in inventory.resources)


def test_unreachable_endpoint_gives_connection_gaps_not_an_exception():
    unreachable = GcpOptions(scopes=("projects/acme-prod",), endpoint="http://127.0.0.1:9", credentials=Credentials(token=TOKEN),
                             max_attempts=1, timeout=2.0)
    inventory = collect_gcp(unreachable)
    assert not inventory.resources and len(inventory.gaps) == len(ASSET_GROUPS)
    assert {g.code for g in inventory.gaps} == {"CONNECTION_ERROR"}


def test_rejected_token_stops_the_scan_with_a_clear_error(fake):
    with pytest.raises(CredentialsRejected, match="401.*DRSCAN_GCP_TOKEN"):
        collect_gcp(options(fake, credentials=Credentials(token="expired-token")))


def test_organization_scope_covers_every_project_and_project_numbers_work(fake):
    org = by_id(collect_gcp(options(fake, "organizations/770000000000")))
    assert {r.account for r in org.values()} == {"acme-prod", "acme-dr"}
    assert org["//storage.googleapis.com/acme-dr-replica"].account == "acme-dr"
    by_number = by_id(collect_gcp(options(fake, "projects/410000000101")))
    assert by_number.keys() == by_id(collect_gcp(options(fake, "projects/acme-prod"))).keys()


def test_gap_on_a_project_named_by_number_is_reported_under_its_project_id(start_fake):
    fake = start_fake(faults=[Fault(403, asset_type=SQL)])
    inventory = collect_gcp(options(fake, "projects/410000000101"))
    assert [g.account for g in inventory.gaps] == ["acme-prod"]
    org = collect_gcp(options(fake, "organizations/770000000000"))
    assert [g.account for g in org.gaps] == ["organizations/770000000000"]


def test_rule_verdicts_on_the_collected_estate(fake, ruleset):
    inventory = collect_gcp(options(fake))
    graph = build_graph(inventory)
    verdicts = {(f.rule_id, f.resource_id.rsplit("/", 1)[-1]): f.status.value
                for f in evaluate(graph, ruleset, FIXED_NOW, list(inventory.gaps) + graph.gaps)}
    expected = {
        ("gcp-storage-bucket-not-public", "acme-prod-exports"): "FAIL",
        ("gcp-storage-bucket-not-public", "acme-prod-backups"): "PASS",
        ("gcp-storage-bucket-retention-locked", "acme-prod-backups"): "PASS",
        ("gcp-storage-bucket-retention-locked", "acme-prod-logs"): "FAIL",
        ("gcp-storage-bucket-multi-region", "acme-prod-exports"): "FAIL",
        ("gcp-compute-disk-snapshot-schedule", "prod-scratch"): "FAIL",
        ("gcp-compute-disk-snapshot-schedule", "prod-db-data"): "PASS",
        ("gcp-compute-snapshot-schedule-multi-region", "hourly-regional"): "FAIL",
        ("gcp-compute-snapshot-schedule-multi-region", "daily-backup"): "PASS",
        ("gcp-compute-snapshot-schedule-retention", "hourly-regional"): "FAIL",
        ("gcp-compute-firewall-admin-ports", "allow-ssh-from-anywhere"): "FAIL",
        ("gcp-compute-firewall-admin-ports", "allow-iap-ssh"): "PASS",
        ("gcp-instance-group-regional", "batch-zonal"): "FAIL",
        ("gcp-instance-group-regional", "web-regional"): "PASS",
        ("gcp-sql-pitr", "legacy-mysql"): "FAIL",
        ("gcp-sql-pitr", "payments-pg"): "PASS",
        ("gcp-sql-cross-region-replica", "payments-pg"): "PASS",
        ("gcp-sql-not-open-to-internet", "legacy-mysql"): "FAIL",
        ("gcp-sql-cmek", "legacy-mysql"): "FAIL",
        ("gcp-sql-deletion-protection", "payments-pg"): "PASS",
        ("gcp-spanner-instance-multi-region", "ledger"): "FAIL",
        ("gcp-firestore-pitr", "(default)"): "PASS",
        ("gcp-firestore-delete-protection", "(default)"): "FAIL",
        ("gcp-kms-key-rotation", "legacy-app-key"): "FAIL",
        ("gcp-kms-key-rotation", "storage-cmek"): "PASS",
        ("gcp-gke-cluster-regional", "batch-gke"): "FAIL",
        ("gcp-gke-secrets-encryption", "prod-gke"): "PASS",
        ("gcp-gke-cluster-logging", "batch-gke"): "FAIL",
        ("gcp-iam-no-primitive-roles-for-users", "410000000101"): "FAIL",
        ("gcp-iam-no-primitive-roles-for-service-accounts", "410000000101"): "FAIL",
        ("gcp-project-data-access-audit-logs", "410000000101"): "FAIL",
        ("gcp-iam-user-mfa", "410000000101"): "NOT_ASSESSED",
        ("gcp-iam-service-account-key-age", "5f2c9a7e1d3b4c6a8e0f1a2b3c4d5e6f7a8b9c0d"): "FAIL",
        ("gcp-iam-no-user-managed-service-account-keys", "5f2c9a7e1d3b4c6a8e0f1a2b3c4d5e6f7a8b9c0d"): "FAIL",
        ("gcp-iam-no-user-managed-service-account-keys", "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d"): "PASS",
    }
    wrong = {key: (verdicts.get(key), want) for key, want in expected.items() if verdicts.get(key) != want}
    assert not wrong


def test_scope_and_endpoint_validation():
    assert GcpOptions(scopes=("projects/acme-prod, folders/55", "projects/acme-prod")).scopes == ("projects/acme-prod", "folders/55")
    for bad in ("acme-prod", "projects/", "organizations/acme", "folders/55/x", "projects/Acme_Prod"):
        with pytest.raises(InputError, match="--scope"):
            GcpOptions(scopes=(bad,))
    with pytest.raises(InputError, match="at least one --scope"):
        GcpOptions(scopes=())
    with pytest.raises(InputError, match="scheme is required"):
        GcpOptions(scopes=("projects/acme-prod",), endpoint="127.0.0.1:8123")
    with pytest.raises(InputError, match="plain http is accepted only for localhost"):
        GcpOptions(scopes=("projects/acme-prod",), endpoint="http://proxy.corp.example:8080")
    assert GcpOptions(scopes=("projects/acme-prod",), endpoint="https://cloudasset-psc.p.googleapis.com/").endpoint == \
        "https://cloudasset-psc.p.googleapis.com"
    with pytest.raises(InputError, match="page size"):
        GcpOptions(scopes=("projects/acme-prod",), page_size=5000)


def test_static_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("DRSCAN_GCP_TOKEN", "ya29.static-token\n")
    credentials = resolve_credentials()
    assert credentials.token == "ya29.static-token" and credentials.valid and not credentials.expired


def test_missing_credentials_is_an_input_error_with_a_hint(monkeypatch, tmp_path):
    monkeypatch.delenv("DRSCAN_GCP_TOKEN", raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing.json"))
    with pytest.raises(InputError, match="gcloud auth application-default login") as caught:
        resolve_credentials()
    assert "\n" not in str(caught.value)
