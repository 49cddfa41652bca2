"""GKE node pools, data services, governance and Backup and DR assets (tests/fixtures/gcp_api/
resource_services.json, iam_policy_services.json), read from a Cloud Asset export by the importer
and from the fake Cloud Asset API by the live collector: the attributes and links each new type
gives, the rules' verdicts on them, and that an asset whose data is missing never passes a rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from google.oauth2.credentials import Credentials

from drscan.collect.gcp.collect import GcpOptions, collect_gcp
from drscan.collect.inventory import import_inventory
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Status
from tests.collect.gcp.conftest import TOKEN
from tests.collect.gcp.fake_cloud_asset import FIXTURES, FakeCloudAsset, load_fixtures
from tests.conftest import FIXED_NOW

SERVICES = json.loads((FIXTURES / "resource_services.json").read_text())
SERVICES_IAM = json.loads((FIXTURES / "iam_policy_services.json").read_text())
GKE = "//container.googleapis.com/projects/acme-prod/locations/us-central1/clusters/prod-gke"
ORG = "//cloudresourcemanager.googleapis.com/organizations/770000000000"
VAULT = "//backupdr.googleapis.com/projects/acme-prod/locations/us-central1/backupVaults/prod-vault"
PLAN = "//backupdr.googleapis.com/projects/acme-prod/locations/us-central1/backupPlans/daily-vm"
FILES = "//file.googleapis.com/projects/acme-prod/locations/us-central1-a/instances/shared-files"


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The recorded project assets plus the new services, as a Cloud Asset export directory."""
    root = tmp_path_factory.mktemp("cai")
    for name in ("resource.json", "resource_services.json", "iam_policy_services.json"):
        shutil.copy(FIXTURES / name, root / name)
    return import_inventory(root)


def by_id(inventory):
    return {r.id: r for r in inventory.resources}


def relations(inventory) -> set[tuple[str, str, str]]:
    return {(r.source, r.target, r.type) for r in build_graph(inventory).relations}


def test_every_new_type_is_normalized_to_its_kind(imported):
    kinds = {r.kind for r in imported.resources}
    assert not imported.gaps
    assert {"gcp.container.node_pool", "gcp.spanner.database", "gcp.spanner.backup", "gcp.redis.instance",
            "gcp.file.instance", "gcp.file.backup", "gcp.pubsub.topic", "gcp.pubsub.subscription",
            "gcp.bigquery.dataset", "gcp.bigquery.table", "gcp.logging.log_sink", "gcp.logging.log_bucket",
            "gcp.orgpolicy.policy", "gcp.resourcemanager.organization", "gcp.essentialcontacts.contact",
            "gcp.compute.network", "gcp.dns.policy", "gcp.backupdr.backup_vault", "gcp.backupdr.backup_plan",
            "gcp.backupdr.backup_plan_association"} <= kinds


def test_gke_node_pools_and_cluster_links(imported):
    resources = by_id(imported)
    default, legacy = resources[f"{GKE}/nodePools/default-pool"], resources[f"{GKE}/nodePools/legacy-pool"]
    assert default.zones == ("us-central1-a", "us-central1-b", "us-central1-c") and default.attrs["zone_count"] == 3
    assert default.attrs["auto_upgrade"] and default.attrs["secure_boot"] and default.attrs["gke_metadata_server"]
    # Fields Google leaves out when false read as false inside present data.
    assert legacy.attrs["auto_upgrade"] is False and legacy.attrs["autoscaling"] is False and legacy.attrs["auto_repair"] is True
    assert legacy.attrs["version_end_of_support"] == "2024-10-01T00:00:00Z"  # 1.27 on GKE, drscan/data/kubernetes_versions.yaml
    cluster = resources[GKE]
    assert cluster.attrs["release_channel"] == "REGULAR" and cluster.attrs["monitoring_enabled"] is True
    assert (f"{GKE}/nodePools/legacy-pool", GKE, "child_of") in relations(imported)


def test_data_services_attributes(imported):
    resources = by_id(imported)
    ledger = resources["//spanner.googleapis.com/projects/acme-prod/instances/ledger/databases/ledger-db"]
    assert ledger.attrs["version_retention_s"] == 7 * 86400 and ledger.attrs["drop_protection"] is True
    sessions = resources["//redis.googleapis.com/projects/acme-prod/locations/us-central1/instances/sessions"]
    assert sessions.zones == ("us-central1-a", "us-central1-f") and sessions.attrs["high_availability"] is True
    assert sessions.attrs["transit_encryption"] is True and sessions.attrs["persistence_mode"] == "RDB"
    files = resources[FILES]
    assert files.attrs["root_squash"] is False and files.attrs["clients_restricted"] is True and files.attrs["capacity_gb"] == 1024
    events = resources["//pubsub.googleapis.com/projects/acme-prod/topics/events"]
    assert events.attrs["public_members"] == ["allUsers"] and events.attrs["message_retention_s"] == 0
    share = resources["//bigquery.googleapis.com/projects/acme-prod/datasets/marketing_share"]
    assert share.attrs["acl_public_members"] == ["allAuthenticatedUsers"] and share.attrs["time_travel_hours"] == 48
    assert resources["//bigquery.googleapis.com/projects/acme-prod/datasets/analytics"].attrs["multi_region"] is True


def test_governance_attributes_and_the_organization_account(imported):
    resources = by_id(imported)
    assert resources[ORG].account == "organizations/770000000000"
    weakened = resources["//orgpolicy.googleapis.com/projects/410000000101/policies/iam.disableServiceAccountKeyCreation"]
    assert weakened.attrs["parent_type"] == "project" and weakened.attrs["weakens"] is True
    conditional = resources["//orgpolicy.googleapis.com/organizations/770000000000/policies/storage.publicAccessPrevention"]
    assert conditional.attrs["enforced"] is False  # a conditional rule does not enforce everywhere
    contact = resources["//essentialcontacts.googleapis.com/organizations/770000000000/contacts/3"]
    assert contact.attrs["covers_security"] is True and "secops@acme.example" not in json.dumps(contact.attrs)
    app_logs = resources["//logging.googleapis.com/projects/acme-prod/locations/us-central1/buckets/app-logs"]
    assert app_logs.attrs["retention_days"] == 30 and app_logs.attrs["user_defined"] is True  # unset: the 30-day default
    zone = resources["//dns.googleapis.com/projects/acme-prod/managedZones/legacy-acme-example"]
    assert zone.attrs["dnssec_ksk_algorithm"] == "rsasha1" and zone.attrs["dnssec_zsk_algorithm"] == "rsasha256"


def test_links_between_the_new_types(imported):
    links = relations(imported)
    assert {
        ("//spanner.googleapis.com/projects/acme-prod/instances/ledger/backups/ledger-db-20261119",
         "//spanner.googleapis.com/projects/acme-prod/instances/ledger/databases/ledger-db", "backup_of"),
        # The backup names its source by project number; the instance's asset by project id.
        ("//file.googleapis.com/projects/acme-prod/locations/us-east1/backups/shared-files-20261119", FILES, "backup_of"),
        ("//logging.googleapis.com/projects/acme-prod/sinks/audit-to-gcs", "//storage.googleapis.com/acme-prod-logs", "exports_to"),
        ("//orgpolicy.googleapis.com/organizations/770000000000/policies/iam.disableServiceAccountKeyCreation", ORG, "applies_to"),
        ("//essentialcontacts.googleapis.com/organizations/770000000000/contacts/3", ORG, "contact_for"),
        ("//dns.googleapis.com/projects/acme-prod/policies/prod-logging",
         "//compute.googleapis.com/projects/acme-prod/global/networks/prod-vpc", "applies_to"),
        (PLAN, VAULT, "stores_in"),
        ("//backupdr.googleapis.com/projects/acme-prod/locations/us-central1/backupPlanAssociations/prod-db-1",
         "//compute.googleapis.com/projects/acme-prod/zones/us-central1-a/instances/prod-db-1", "protects"),
    } <= links


VERDICTS = [
    ("gcp-gke-node-pool-auto-upgrade", f"{GKE}/nodePools/default-pool", Status.PASS),
    ("gcp-gke-node-pool-auto-upgrade", f"{GKE}/nodePools/legacy-pool", Status.FAIL),
    ("gcp-gke-node-pool-multi-zone", f"{GKE}/nodePools/legacy-pool", Status.FAIL),
    ("gcp-spanner-database-recent-backup", "//spanner.googleapis.com/projects/acme-prod/instances/ledger/databases/ledger-db", Status.PASS),
    ("gcp-spanner-database-pitr-window", "//spanner.googleapis.com/projects/acme-prod/instances/ledger/databases/scratch-db", Status.FAIL),
    ("gcp-redis-instance-high-availability", "//redis.googleapis.com/projects/acme-prod/locations/us-central1/instances/cache-basic", Status.FAIL),
    ("gcp-redis-instance-auth", "//redis.googleapis.com/projects/acme-prod/locations/us-central1/instances/sessions", Status.PASS),
    ("gcp-filestore-instance-recent-backup", FILES, Status.PASS),
    ("gcp-filestore-instance-backup-other-region", FILES, Status.PASS),
    ("gcp-filestore-instance-regional", FILES, Status.FAIL),
    ("gcp-filestore-instance-root-squash", FILES, Status.FAIL),
    ("gcp-pubsub-topic-not-public", "//pubsub.googleapis.com/projects/acme-prod/topics/events", Status.FAIL),
    ("gcp-pubsub-topic-not-public", "//pubsub.googleapis.com/projects/acme-prod/topics/orders", Status.PASS),
    ("gcp-pubsub-subscription-dead-letter", "//pubsub.googleapis.com/projects/acme-prod/subscriptions/events-audit", Status.FAIL),
    ("gcp-bigquery-dataset-not-public", "//bigquery.googleapis.com/projects/acme-prod/datasets/marketing_share", Status.FAIL),
    ("gcp-bigquery-table-cmek", "//bigquery.googleapis.com/projects/acme-prod/datasets/marketing_share/tables/campaigns", Status.FAIL),
    ("gcp-logging-sink-destination-locked", "//logging.googleapis.com/projects/acme-prod/sinks/audit-to-gcs", Status.FAIL),
    ("gcp-logging-bucket-locked", "//logging.googleapis.com/projects/acme-prod/locations/global/buckets/audit-logs", Status.PASS),
    ("gcp-org-policy-sa-key-creation-disabled", ORG, Status.PASS),
    ("gcp-org-policy-domain-restricted-sharing", ORG, Status.PASS),
    ("gcp-org-policy-public-access-prevention", ORG, Status.FAIL),
    ("gcp-org-policy-not-weakened", "//orgpolicy.googleapis.com/projects/410000000101/policies/iam.disableServiceAccountKeyCreation", Status.FAIL),
    ("gcp-org-essential-contacts-security", ORG, Status.PASS),
    ("gcp-network-dns-logging", "//compute.googleapis.com/projects/acme-prod/global/networks/prod-vpc", Status.PASS),
    ("gcp-network-dns-logging", "//compute.googleapis.com/projects/acme-prod/global/networks/default", Status.FAIL),
    ("gcp-network-not-default", "//compute.googleapis.com/projects/acme-prod/global/networks/default", Status.FAIL),
    ("gcp-dns-zone-ksk-not-rsasha1", "//dns.googleapis.com/projects/acme-prod/managedZones/legacy-acme-example", Status.FAIL),
    ("gcp-backupdr-vault-locked", VAULT, Status.PASS),
    ("gcp-backupdr-vault-min-retention", VAULT.replace("prod-vault", "scratch-vault"), Status.FAIL),
    ("gcp-backupdr-plan-daily", PLAN, Status.PASS),
    ("gcp-backupdr-association-healthy",
     "//backupdr.googleapis.com/projects/acme-prod/locations/us-central1/backupPlanAssociations/prod-db-1", Status.PASS),
]


def test_rules_judge_the_imported_services(imported, ruleset):
    findings = {(f.rule_id, f.resource_id): f for f in evaluate(build_graph(imported), ruleset, FIXED_NOW, imported.gaps)}
    wrong = [(rule, rid, findings.get((rule, rid)) and findings[(rule, rid)].status) for rule, rid, status in VERDICTS
             if (rule, rid) not in findings or findings[(rule, rid)].status is not status]
    assert not wrong


@pytest.mark.parametrize("asset", SERVICES, ids=lambda a: a["name"].rsplit("/", 1)[-1])
def test_an_asset_without_data_never_passes(asset, ruleset, tmp_path):
    """Deleting an asset's resource data can turn a FAIL into NOT_ASSESSED, never into a PASS."""
    bare = dict(asset, resource=dict(asset["resource"], data={}))
    (tmp_path / "bare.json").write_text(json.dumps([bare]))
    inventory = import_inventory(tmp_path)
    passed = [f.rule_id for f in evaluate(build_graph(inventory), ruleset, FIXED_NOW, inventory.gaps)
              if f.status is Status.PASS]
    assert not passed


def test_live_collector_reads_the_new_types_as_the_importer_does(imported):
    assets, projects = load_fixtures()
    assets = {"RESOURCE": assets["RESOURCE"] + SERVICES, "IAM_POLICY": assets["IAM_POLICY"] + SERVICES_IAM}
    fake = FakeCloudAsset(assets=assets, projects=projects, token=TOKEN).start()
    try:
        live = collect_gcp(GcpOptions(scopes=("organizations/770000000000",), endpoint=fake.url,
                                      credentials=Credentials(token=TOKEN), max_attempts=2, backoff_initial=0.001,
                                      backoff_max=0.002, timeout=10.0))
    finally:
        fake.stop()
    assert not live.gaps
    live_by_id, imported_by_id = by_id(live), by_id(imported)
    for asset in SERVICES:
        name = asset["name"]
        assert live_by_id[name].kind == imported_by_id[name].kind
        assert live_by_id[name].attrs == imported_by_id[name].attrs, name
    assert relations(imported) <= relations(live)
