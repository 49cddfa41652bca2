"""The live Azure collector through the real SDK clients (SubscriptionClient, ResourceGraphClient,
ARMPipelineClient) against the local HTTPS fake serving tests/fixtures/azure_api."""

from __future__ import annotations

import json

import pytest

from drscan.collect.azure.collect import AzureOptions, collect_azure
from drscan.collect.azure.queries import GRAPH_QUERIES, query_named
from drscan.collect.imports.azure_graph import import_graph_rows
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Status
from tests.collect.azure.conftest import DEV, FIXTURES, PROD, TOKEN, RecordingCredential
from tests.collect.azure.fake_arm import FakeArm, make_certificate
from tests.conftest import FIXED_NOW

GRAPH_PATH = "/providers/Microsoft.ResourceGraph/resources"


def graph_posts(requests, subscription: str, marker: str):
    return [r for r in requests if r.method == "POST" and r.path == GRAPH_PATH
            and subscription in r.body["subscriptions"] and marker in r.body["query"]]


def test_all_subscriptions_are_listed_across_next_link_pages(collected):
    listing = [r for r in collected.requests if r.method == "GET" and r.path == "/subscriptions"]
    assert len(listing) == 2 and "$skiptoken" not in listing[0].query and listing[1].query["$skiptoken"]
    subscriptions = [r for r in collected.inventory.resources if r.kind == "azure.resources.subscription"]
    assert {r.account for r in subscriptions} == {PROD, DEV}
    assert collected.named("acme-checkout-prod").id == f"/subscriptions/{PROD}"
    assert collected.inventory.sources == (f"azure:{collected.url}/subscriptions/{PROD}",
                                           f"azure:{collected.url}/subscriptions/{DEV}")


def test_every_request_carries_the_bearer_token_and_only_reads(collected):
    assert collected.requests and all(r.authorization == f"Bearer {TOKEN}" for r in collected.requests)
    # The only POST is the Resource Graph query (a read); no provider registration, no PUT/PATCH/DELETE.
    assert {(r.method, r.path if r.method == "POST" else "GET") for r in collected.requests} == {("GET", "GET"), ("POST", GRAPH_PATH)}


def test_token_audience_follows_the_endpoint(collected):
    assert collected.credential.scopes and set(collected.credential.scopes) == {(f"{collected.url}/.default",)}


def test_resource_graph_pages_are_followed_on_skip_token(collected):
    posts = graph_posts(collected.requests, PROD, "microsoft.storage/storageaccounts")
    page_one = json.loads((FIXTURES / "graph/prod/storage-page-1.json").read_text())
    assert len(posts) == 2
    assert "$skipToken" not in posts[0].body["options"] and posts[1].body["options"]["$skipToken"] == page_one["$skipToken"]
    assert posts[0].body["options"]["$top"] == 1000 and posts[0].body["options"]["resultFormat"] == "objectArray"
    assert posts[0].body["query"] == query_named("storage").kql
    good, bad = collected.named("stcheckoutorders"), collected.named("stcheckoutexports")
    assert good.attrs["geo_redundant"] and good.attrs["cmk"] and good.attrs["min_tls_version"] == "TLS1_2"
    assert good.attrs["blob_public_access"] is False
    assert not bad.attrs["geo_redundant"] and not bad.attrs["cmk"] and bad.attrs["blob_public_access"] is True
    assert good.id == good.id.lower() and good.account == PROD and good.region == "westeurope"
    assert good.source == f"api:resourcegraph/storage@{PROD}" and good.observed_at.endswith("Z")


def test_one_query_per_subscription_and_table(collected):
    for subscription in (PROD, DEV):
        posts = [r for r in collected.requests if r.method == "POST" and r.body["subscriptions"] == [subscription]]
        assert {p.body["query"] for p in posts} == {q.kql for q in GRAPH_QUERIES}


def test_relations_link_backup_site_recovery_and_disks_to_the_vm(collected):
    graph = build_graph(collected.inventory)
    vm = collected.named("vm-checkout-web-1")
    assert [r.kind for r in graph.related(vm.id, "protects", "in")] == ["azure.recoveryservices.protected_item"]
    replicated = graph.related(vm.id, "replicates", "in")
    assert [r.kind for r in replicated] == ["azure.recoveryservices.replicated_item"]
    assert replicated[0].attrs["recovery_location"] == "northeurope" and replicated[0].attrs["rpo_seconds"] == 42
    assert {r.name for r in graph.related(vm.id, "attached_to", "in")} == {"vm-checkout-web-1-osdisk"}
    assert vm.zones == ("westeurope-1",)
    assert graph.related(collected.named("vm-checkout-web-2").id, "replicates", "in") == []


def test_sql_child_resources_complete_the_database(collected):
    orders, legacy = collected.named("sqldb-orders"), collected.named("sqldb-legacy")
    assert orders.attrs["transparent_data_encryption"] is True and orders.attrs["backup_retention_days"] == 14
    assert orders.attrs["geo_replica_locations"] == ["northeurope"] and orders.attrs["zone_redundant"] is True
    assert legacy.attrs["transparent_data_encryption"] is False and legacy.attrs["backup_retention_days"] == 3
    assert legacy.attrs["geo_replica_locations"] == []
    assert orders.source == f"api:resourcegraph/sql@{PROD}; api:sql/databases@{PROD}"
    master = collected.named("master")
    assert master.attrs["transparent_data_encryption"] is None  # system database: not read
    group = collected.named("fg-checkout-orders")
    assert group.kind == "azure.sql.failover_group" and group.region == "westeurope"
    assert group.attrs["partner_locations"] == ["northeurope"] and group.attrs["failover_policy"] == "Automatic"
    graph = build_graph(collected.inventory)
    assert [r.id for r in graph.related(orders.id, "replicates", "in")] == [group.id]


def test_forbidden_query_becomes_a_gap_with_its_kinds(collected):
    gaps = [g for g in collected.inventory.gaps if g.code == "AuthorizationFailed"]
    assert len(gaps) == 1
    gap = gaps[0]
    assert (gap.provider, gap.account, gap.region, gap.service, gap.operation) == ("azure", PROD, "", "resourcegraph", "role_assignments")
    assert gap.kinds == ("azure.authorization.role_assignment", "azure.resources.subscription")
    assert gap.message.startswith("HTTP 403: The client") and "\n" not in gap.message
    # The subscription's owner count depends on the forbidden rows: unknown, not zero.
    assert collected.named("acme-checkout-prod").attrs["owner_assignment_count"] is None
    assert collected.named("acme-checkout-dev").attrs["owner_assignment_count"] == 2


def test_throttling_with_retry_after_is_retried_until_it_succeeds(collected):
    posts = graph_posts(collected.requests, DEV, "'microsoft.storage/storageaccounts'")
    assert len(posts) == 2  # 429 + Retry-After, then the page
    assert collected.named("stcheckoutdev").account == DEV
    assert not [g for g in collected.inventory.gaps if g.account == DEV and g.operation == "storage"]


def test_throttling_that_outlasts_the_retries_is_a_gap(collected):
    posts = graph_posts(collected.requests, DEV, "'microsoft.compute/virtualmachines'")
    assert len(posts) == 2  # retry_total=1: the first try and one retry
    (gap,) = [g for g in collected.inventory.gaps if g.account == DEV and g.operation == "compute"]
    assert gap.code == "RateLimiting" and gap.message.startswith("HTTP 429")
    assert gap.kinds == query_named("compute").kinds
    assert len(collected.inventory.gaps) == 2


def test_live_rows_normalize_exactly_as_the_az_graph_importer_does(collected):
    """The collector reuses the importer's transforms: the same rows give the same attributes."""
    page = json.loads((FIXTURES / "graph/prod/compute.json").read_text())
    imported = import_graph_rows(page["data"], "export.json")
    for resource in imported.resources:
        live = collected.by_id[resource.id]
        def shape(r):
            return r.kind, dict(r.attrs), r.zones, dict(r.tags)
        assert shape(live) == shape(resource)


@pytest.fixture(scope="module")
def verdicts(collected, ruleset) -> dict[tuple[str, str], tuple[Status, str]]:
    """(rule id, resource name or scope id) -> (status, reason), with the repository's rules."""
    graph = build_graph(collected.inventory)
    findings = evaluate(graph, ruleset, FIXED_NOW, list(collected.inventory.gaps) + graph.gaps)
    by_name = {r.id: r.name for r in collected.inventory.resources}
    return {(f.rule_id, by_name.get(f.resource_id, f.resource_id)): (f.status, f.reason) for f in findings}


@pytest.mark.parametrize("rule_id,name,expected", [
    ("azure-storage-account-geo-redundant", "stcheckoutorders", Status.PASS),
    ("azure-storage-account-geo-redundant", "stcheckoutexports", Status.FAIL),
    ("azure-storage-account-cmk", "stcheckoutexports", Status.FAIL),
    ("azure-storage-account-min-tls", "stcheckoutexports", Status.FAIL),
    ("azure-storage-account-no-public-blob", "stcheckoutexports", Status.FAIL),
    ("azure-storage-account-no-public-blob", "stcheckoutorders", Status.PASS),
    ("azure-disk-cmk", "vm-checkout-web-1-osdisk", Status.PASS),
    ("azure-disk-cmk", "vm-checkout-web-2-osdisk", Status.FAIL),
    ("azure-vm-zonal-or-availability-set", "vm-checkout-web-2", Status.FAIL),
    ("azure-vm-backup-protected", "vm-checkout-web-1", Status.PASS),
    ("azure-vm-backup-protected", "vm-checkout-web-2", Status.FAIL),
    ("azure-vm-replicated-to-another-region", "vm-checkout-web-1", Status.PASS),
    ("azure-vm-replicated-to-another-region", "vm-checkout-web-2", Status.FAIL),
    ("azure-vmss-zone-redundant", "vmss-checkout-api", Status.PASS),
    ("azure-sql-database-tde", "sqldb-orders", Status.PASS),
    ("azure-sql-database-tde", "sqldb-legacy", Status.FAIL),
    ("azure-sql-database-backup-retention", "sqldb-legacy", Status.FAIL),
    ("azure-sql-database-geo-replicated", "sqldb-orders", Status.PASS),
    ("azure-sql-database-geo-replicated", "sqldb-legacy", Status.FAIL),
    ("azure-sql-database-zone-redundant", "sqldb-legacy", Status.FAIL),
    ("azure-sql-server-no-public-network", "sql-checkout-weu", Status.PASS),
    ("azure-keyvault-purge-protection", "kv-checkout-scratch", Status.FAIL),
    ("azure-keyvault-purge-protection", "kv-checkout-prod", Status.PASS),
    ("azure-recovery-vault-soft-delete", "rsv-checkout-prod", Status.PASS),
    ("azure-recovery-vault-immutable", "rsv-checkout-prod", Status.PASS),
    ("azure-backup-policy-retention", "pol-daily-30d", Status.PASS),
    ("azure-backup-protected-item-healthy", "vm;iaasvmcontainerv2;rg-checkout-prod;vm-checkout-web-1", Status.PASS),
    ("azure-site-recovery-replication-healthy", "3f1c6a2e-1111-4000-8000-111111111111", Status.PASS),
    ("azure-traffic-manager-failover", "tm-checkout", Status.PASS),
    ("azure-traffic-manager-failover", "tm-checkout-legacy", Status.FAIL),
    ("azure-owner-assignment-not-user", "9a1f2c3d-0000-4000-8000-000000000001", Status.FAIL),
    ("azure-owner-assignment-not-user", "9a1f2c3d-0000-4000-8000-000000000002", Status.PASS),
    ("azure-owner-user-mfa", "9a1f2c3d-0000-4000-8000-000000000001", Status.NOT_ASSESSED),
    ("azure-subscription-owner-count", "acme-checkout-dev", Status.PASS),
    ("azure-subscription-owner-count", "acme-checkout-prod", Status.NOT_ASSESSED),
])
def test_rules_judge_the_collected_estate(verdicts, rule_id, name, expected):
    status, reason = verdicts[(rule_id, name)]
    assert status is expected, reason


def test_not_assessed_owner_count_names_the_forbidden_query(verdicts):
    status, reason = verdicts[("azure-subscription-owner-count", "acme-checkout-prod")]
    assert status is Status.NOT_ASSESSED and "AuthorizationFailed on role_assignments" in reason


def test_forbidden_and_throttled_kinds_are_not_assessed_for_their_subscription(verdicts):
    """No role assignment of prod and no VM of dev was seen: their rules are NOT_ASSESSED at scope level, never PASS."""
    unseen = {key: value for key, value in verdicts.items() if key[1].startswith("unseen:")}
    for rule_id in ("azure-owner-assignment-not-user", "azure-owner-user-mfa"):
        status, reason = unseen[(rule_id, f"unseen:azure/{PROD}/*/azure.authorization.role_assignment")]
        assert status is Status.NOT_ASSESSED and "AuthorizationFailed" in reason
    for rule_id in ("azure-vm-zonal-or-availability-set", "azure-vm-backup-protected", "azure-vmss-zone-redundant"):
        kind = "azure.compute.vm_scale_set" if "vmss" in rule_id else "azure.compute.virtual_machine"
        status, reason = unseen[(rule_id, f"unseen:azure/{DEV}/*/{kind}")]
        assert status is Status.NOT_ASSESSED and "RateLimiting" in reason
    assert all(status is Status.NOT_ASSESSED for status, _ in unseen.values())


def test_explicit_subscriptions_are_read_individually(fake_arm):
    inventory = collect_azure(AzureOptions(subscriptions=(DEV.upper(),), endpoint=fake_arm.url,
                                           credential=RecordingCredential(), retry_total=0))
    assert {r.account for r in inventory.resources} == {DEV}
    gets = [r.path for r in fake_arm.requests if r.method == "GET"]
    assert gets[0] == f"/subscriptions/{DEV}"
    # then the subscription's own child reads (Activity Log settings, security contacts), nothing of PROD
    assert sorted(gets[1:]) == [f"/subscriptions/{DEV}/providers/Microsoft.Insights/diagnosticSettings",
                                f"/subscriptions/{DEV}/providers/Microsoft.Security/securityContacts"]
    assert not [r for r in fake_arm.requests if r.method == "POST" and PROD in r.body["subscriptions"]]


def test_unknown_subscription_is_a_gap_and_still_queried(fake_arm):
    missing = "11111111-2222-3333-4444-555555555555"
    inventory = collect_azure(AzureOptions(subscriptions=(missing,), endpoint=fake_arm.url,
                                           credential=RecordingCredential(), retry_total=0))
    (gap,) = inventory.gaps
    assert (gap.account, gap.service, gap.operation, gap.code) == (missing, "subscriptions", "get", "ResourceNotFound")
    assert inventory.resources == ()
    assert len([r for r in fake_arm.requests if r.method == "POST"]) == len(GRAPH_QUERIES)


def test_untrusted_certificate_is_a_tls_gap_not_an_empty_estate(fake_arm, monkeypatch, tmp_path):
    other, _ = make_certificate(tmp_path)  # a CA that did not sign the fake's certificate
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other))
    inventory = collect_azure(AzureOptions(subscriptions=None, endpoint=fake_arm.url,
                                           credential=RecordingCredential(), retry_total=0))
    (gap,) = inventory.gaps
    assert (gap.service, gap.operation, gap.code, gap.account) == ("subscriptions", "list", "TLSError", "")
    assert "azure.storage.account" in gap.kinds and "azure.recoveryservices.replicated_item" in gap.kinds
    assert inventory.resources == () and fake_arm.requests == []


def test_rejected_token_is_an_authentication_gap(fake_arm):
    inventory = collect_azure(AzureOptions(subscriptions=None, endpoint=fake_arm.url,
                                           credential=RecordingCredential("expired"), retry_total=0))
    (gap,) = inventory.gaps
    assert (gap.service, gap.code) == ("subscriptions", "InvalidAuthenticationToken")
    assert gap.message.startswith("HTTP 401")


def test_progress_is_reported_per_finished_task(fake_arm):
    calls: list[int] = []
    collect_azure(AzureOptions(subscriptions=(PROD,), endpoint=fake_arm.url, credential=RecordingCredential(),
                               retry_total=0), on_progress=calls.append)
    sql_tasks = 1 + 2  # one server, two user databases
    child_tasks = 2 * 2  # each vault's keys and diagnostic settings (GET /subscriptions/PROD is a 404 here: no subscription reads)
    assert len(calls) == len(GRAPH_QUERIES) + sql_tasks + child_tasks
    prod_rows = sum(len(json.loads(p.read_text())["data"]) for p in (FIXTURES / "graph" / "prod").glob("*.json"))
    assert sum(calls[:len(GRAPH_QUERIES)]) == prod_rows
    sql = calls[len(GRAPH_QUERIES):len(GRAPH_QUERIES) + sql_tasks]
    assert sorted(sql) == [1, 1, 1]  # the failover group; each database's details


def test_failed_sql_child_reads_are_gaps_on_that_database(azure_cert, monkeypatch, ruleset):
    cert, key = azure_cert
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    with FakeArm(FIXTURES, cert, key, token=TOKEN, scenario="scenario-sql-errors.json") as fake:
        inventory = collect_azure(AzureOptions(subscriptions=(PROD,), endpoint=fake.url, credential=RecordingCredential(),
                                               retry_total=0))
    by_name = {r.name: r for r in inventory.resources}
    legacy = by_name["sqldb-legacy"]
    gaps = {(g.operation, g.code): g for g in inventory.gaps if g.service == "sql"}
    assert set(gaps) == {("sql_tde", "AuthorizationFailed"), ("sql_backup_retention", "ResourceNotFound"),
                         ("sql_replication_links", "ResourceNotFound"), ("sql_failover_groups", "ResourceNotFound")}
    assert gaps[("sql_tde", "AuthorizationFailed")].resource_id == legacy.id
    assert legacy.attrs["transparent_data_encryption"] is None and legacy.attrs["backup_retention_days"] is None
    assert by_name["sqldb-orders"].attrs["transparent_data_encryption"] is True
    graph = build_graph(inventory)
    findings = {(f.rule_id, f.resource_id): f for f in evaluate(graph, ruleset, FIXED_NOW, list(inventory.gaps) + graph.gaps)}
    tde = findings[("azure-sql-database-tde", legacy.id)]
    assert tde.status is Status.NOT_ASSESSED and "AuthorizationFailed on sql_tde" in tde.reason
