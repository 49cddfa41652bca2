"""AKS, Cosmos DB, Azure Cache for Redis, App Service, Front Door WAF, Defender plans, diagnostic
settings, security contacts and Key Vault keys: Resource Graph pages (tests/fixtures/azure_api/graph/
services) and az / ARM REST output (tests/fixtures/azure_api/exports) through the importer, the graph
stage's derived attributes (Activity Log export, audit logging, security contacts), the rules'
verdicts, and the new Resource Graph queries of the live collector against the fake ARM server."""

from __future__ import annotations

import json
import shutil

import pytest

from drscan.collect.azure.collect import AzureOptions, collect_azure
from drscan.collect.azure.queries import query_named
from drscan.collect.inventory import import_inventory
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Status
from tests.collect.azure.conftest import DEV, FIXTURES, PROD, TOKEN, RecordingCredential
from tests.collect.azure.fake_arm import FakeArm
from tests.conftest import FIXED_NOW

GRAPH_PAGES = ("aks.json", "cosmosdb.json", "redis.json", "appservice.json", "defender.json")
EXPORTS = ("diagnostic-settings.json", "security-contacts.json", "keyvault-keys.json", "front-door.json")
RG = f"/subscriptions/{PROD}/resourcegroups/rg-checkout-prod/providers"
SUBSCRIPTION = f"/subscriptions/{PROD}"
SUBSCRIPTION_ROW = {"id": SUBSCRIPTION, "name": "acme-prod", "type": "microsoft.resources/subscriptions", "tenantId": "t",
                    "subscriptionId": PROD, "properties": {"state": "Enabled"}, "location": "", "tags": {}}


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("arg")
    for name in GRAPH_PAGES:
        shutil.copy(FIXTURES / "graph" / "services" / name, root / name)
    for name in EXPORTS:
        shutil.copy(FIXTURES / "exports" / name, root / name)
    shutil.copy(FIXTURES / "graph" / "prod" / "keyvaults.json", root / "keyvaults.json")
    (root / "subscriptions.json").write_text(json.dumps({"count": 1, "data": [SUBSCRIPTION_ROW]}))
    inventory = import_inventory(root)
    return inventory, build_graph(inventory)


def test_new_types_get_their_kinds_and_attributes(imported):
    inventory, _ = imported
    assert not inventory.gaps
    by_id = {r.id: r for r in inventory.resources}
    prod = by_id[f"{RG}/microsoft.containerservice/managedclusters/aks-checkout-prod"]
    assert prod.attrs["zone_redundant"] and prod.attrs["container_insights"] and prod.attrs["api_access_restricted"]
    assert prod.attrs["version_end_of_support"] == "2026-11-30T00:00:00Z"  # 1.34 on AKS, drscan/data/kubernetes_versions.yaml
    batch = by_id[f"{RG}/microsoft.containerservice/managedclusters/aks-batch"]
    assert batch.attrs["min_pool_zones"] == 0 and batch.attrs["uptime_sla"] is False and batch.attrs["network_policy"] == "none"
    legacy = by_id[f"{RG}/microsoft.documentdb/databaseaccounts/cosmos-legacy"]
    assert legacy.attrs["backup_type"] == "Periodic" and legacy.attrs["backup_redundancy"] == "Local"
    assert legacy.attrs["region_count"] == 1 and legacy.attrs["network_restricted"] is False
    redis = by_id[f"{RG}/microsoft.cache/redis/redis-checkout"]
    assert redis.zones == ("westeurope-1", "westeurope-2", "westeurope-3") and redis.attrs["linked_servers"] == ["redis-checkout-neu"]
    app = by_id[f"{RG}/microsoft.web/sites/app-legacy"]
    # Resource Graph leaves siteConfig values null: unknown, not failing.
    assert app.attrs["https_only"] is False and app.attrs["health_check"] is None and app.attrs["tls12"] is None
    key = by_id[f"{RG}/microsoft.keyvault/vaults/kv-checkout-prod/keys/cosmos-cmk"]
    assert key.attrs["rotation_interval_days"] == 90 and key.attrs["expires_at"] == "2028-01-01T00:00:00Z"
    contact = by_id[f"{SUBSCRIPTION}/providers/microsoft.security/securitycontacts/default"]
    assert "secops@acme.example" not in json.dumps(contact.attrs)  # only whether there is an address


def test_graph_stage_derives_logging_and_contacts(imported):
    _, graph = imported
    subscription = graph.resources[SUBSCRIPTION]
    assert subscription.attrs["activity_log_exported"] is True
    assert subscription.attrs["activity_log_categories"] == ["Administrative", "Alert", "Autoscale", "Policy", "Recommendation",
                                                             "ResourceHealth", "Security"]
    assert subscription.attrs["security_alerts_high"] is True and subscription.attrs["security_owner_notified"] is True
    assert graph.resources[f"{RG}/microsoft.keyvault/vaults/kv-checkout-prod"].attrs["audit_logging"] is True
    assert graph.resources[f"{RG}/microsoft.containerservice/managedclusters/aks-batch"].attrs["audit_logging"] is False
    # No diagnostic setting in the export targets these: unknown, not "none".
    assert "audit_logging" not in graph.resources[f"{RG}/microsoft.keyvault/vaults/kv-checkout-scratch"].attrs
    assert "audit_logging" not in graph.resources[f"{RG}/microsoft.containerservice/managedclusters/aks-checkout-prod"].attrs


VERDICTS = [
    ("azure-aks-zone-redundant", "microsoft.containerservice/managedclusters/aks-checkout-prod", Status.PASS),
    ("azure-aks-zone-redundant", "microsoft.containerservice/managedclusters/aks-batch", Status.FAIL),
    ("azure-aks-container-insights", "microsoft.containerservice/managedclusters/aks-batch", Status.FAIL),
    ("azure-aks-version-supported", "microsoft.containerservice/managedclusters/aks-checkout-prod", Status.PASS),
    ("azure-aks-version-supported", "microsoft.containerservice/managedclusters/aks-batch", Status.FAIL),
    ("azure-aks-audit-logs", "microsoft.containerservice/managedclusters/aks-batch", Status.FAIL),
    ("azure-aks-audit-logs", "microsoft.containerservice/managedclusters/aks-checkout-prod", Status.NOT_ASSESSED),
    ("azure-cosmos-failover", "microsoft.documentdb/databaseaccounts/cosmos-orders", Status.PASS),
    ("azure-cosmos-multi-region", "microsoft.documentdb/databaseaccounts/cosmos-legacy", Status.FAIL),
    ("azure-cosmos-backup-geo-redundant", "microsoft.documentdb/databaseaccounts/cosmos-legacy", Status.FAIL),
    ("azure-cosmos-continuous-backup", "microsoft.documentdb/databaseaccounts/cosmos-orders", Status.PASS),
    ("azure-redis-geo-replication", "microsoft.cache/redis/redis-checkout", Status.PASS),
    ("azure-redis-no-non-ssl-port", "microsoft.cache/redis/redis-sessions-basic", Status.FAIL),
    ("azure-redis-not-basic", "microsoft.cache/redis/redis-sessions-basic", Status.FAIL),
    ("azure-app-service-plan-zone-redundant", "microsoft.web/serverfarms/plan-checkout", Status.PASS),
    ("azure-app-service-plan-instances", "microsoft.web/serverfarms/plan-legacy", Status.FAIL),
    ("azure-app-https-only", "microsoft.web/sites/app-legacy", Status.FAIL),
    ("azure-app-min-tls", "microsoft.web/sites/app-legacy", Status.NOT_ASSESSED),
    ("azure-app-health-check", "microsoft.web/sites/app-checkout", Status.PASS),
    ("azure-front-door-waf", "microsoft.network/frontdoors/fd-checkout", Status.FAIL),
    ("azure-keyvault-key-rotation", "microsoft.keyvault/vaults/kv-checkout-prod/keys/cosmos-cmk", Status.PASS),
    ("azure-keyvault-key-expiry", "microsoft.keyvault/vaults/kv-checkout-prod/keys/legacy-signing", Status.FAIL),
    ("azure-keyvault-audit-logging", "microsoft.keyvault/vaults/kv-checkout-prod", Status.PASS),
]
SUBSCRIPTION_VERDICTS = [
    ("azure-defender-servers", f"{SUBSCRIPTION}/providers/microsoft.security/pricings/virtualmachines", Status.PASS),
    ("azure-defender-containers", f"{SUBSCRIPTION}/providers/microsoft.security/pricings/containers", Status.FAIL),
    ("azure-defender-resource-manager", f"{SUBSCRIPTION}/providers/microsoft.security/pricings/arm", Status.FAIL),
    ("azure-subscription-activity-log-categories", SUBSCRIPTION, Status.PASS),
    ("azure-subscription-security-contact-email", SUBSCRIPTION, Status.PASS),
]


def test_rules_judge_the_imported_services(imported, ruleset):
    inventory, graph = imported
    findings = {(f.rule_id, f.resource_id): f.status for f in evaluate(graph, ruleset, FIXED_NOW, inventory.gaps)}
    expected = [(rule, f"{RG}/{path}", status) for rule, path, status in VERDICTS] + SUBSCRIPTION_VERDICTS
    wrong = [(rule, rid, findings.get((rule, rid))) for rule, rid, status in expected if findings.get((rule, rid)) is not status]
    assert not wrong


@pytest.mark.parametrize("name", GRAPH_PAGES + EXPORTS)
def test_rows_without_properties_never_pass(name, ruleset, tmp_path):
    """Deleting every row's properties can turn a FAIL into NOT_ASSESSED, never into a PASS."""
    folder = "graph/services" if name in GRAPH_PAGES else "exports"
    document = json.loads((FIXTURES / folder / name).read_text())
    rows = document["data"] if isinstance(document, dict) and "data" in document else (
        document["value"] if isinstance(document, dict) else document)
    bare = [{k: v for k, v in row.items() if k in ("id", "name", "type", "location", "subscriptionId", "tags")} for row in rows]
    (tmp_path / name).write_text(json.dumps(bare))
    inventory = import_inventory(tmp_path)
    passed = [f.rule_id for f in evaluate(build_graph(inventory), ruleset, FIXED_NOW, inventory.gaps) if f.status is Status.PASS]
    assert not passed


def test_live_collector_reads_the_new_graph_queries(azure_cert, monkeypatch, imported, tmp_path):
    """The fake serves the same pages to the queries named aks, cosmosdb, redis, appservice and defender."""
    cert, key = azure_cert
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    scenario = json.loads((FIXTURES / "scenario.json").read_text())
    routes = {"aks": "aks.json", "cosmosdb": "cosmosdb.json", "redis": "redis.json", "appservice": "appservice.json",
              "defender": "defender.json"}
    for query, page in routes.items():
        match = f"'{query_named(query).arm_types[0]}'"
        scenario["graph"].insert(0, {"subscription": PROD, "match": match, "pages": [f"graph/services/{page}"]})
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    # The child reads of an app (config/web) and a cluster (diagnostic settings); the other app and
    # cluster get a 404, which is a gap on that resource.
    legacy_app = f"/subscriptions/{PROD}/resourceGroups/rg-checkout-prod/providers/Microsoft.Web/sites/app-legacy"
    batch = f"/subscriptions/{PROD}/resourceGroups/rg-checkout-prod/providers/Microsoft.ContainerService/managedClusters/aks-batch"
    (root / "arm" / "web-config.json").write_text(json.dumps({"id": f"{legacy_app}/config/web", "name": "web", "properties": {
        "minTlsVersion": "1.0", "ftpsState": "AllAllowed", "remoteDebuggingEnabled": True, "http20Enabled": False,
        "healthCheckPath": None, "alwaysOn": False}}))
    (root / "arm" / "aks-diagnostics.json").write_text(json.dumps({"value": [{
        "id": f"{batch}/providers/microsoft.insights/diagnosticSettings/audit", "name": "audit",
        "type": "Microsoft.Insights/diagnosticSettings", "properties": {
            "workspaceId": f"/subscriptions/{PROD}/resourceGroups/rg-checkout-prod/providers/Microsoft.OperationalInsights/workspaces/law",
            "logs": [{"category": "kube-audit-admin", "enabled": True}]}}]}))
    scenario["arm"][f"{legacy_app}/config/web"] = "arm/web-config.json"
    scenario["arm"][f"{batch}/providers/Microsoft.Insights/diagnosticSettings"] = ["arm/aks-diagnostics.json"]
    (root / "scenario.json").write_text(json.dumps(scenario))
    with FakeArm(root, cert, key, token=TOKEN) as fake:
        live = collect_azure(AzureOptions(subscriptions=[PROD], endpoint=fake.url, credential=RecordingCredential(),
                                          retry_total=0, workers=2))
    inventory, _ = imported
    live_by_id = {r.id: r for r in live.resources}
    expected = [r for r in inventory.resources if r.source.rsplit("/", 1)[-1].split("#")[0] in GRAPH_PAGES]
    assert expected
    filled = {legacy_app.lower(), batch.lower()}
    for resource in expected:
        assert live_by_id[resource.id].kind == resource.kind
        if resource.id not in filled:
            assert live_by_id[resource.id].attrs == resource.attrs, resource.id
    assert not [g for g in live.gaps if g.operation in routes]
    app = live_by_id[legacy_app.lower()].attrs
    assert (app["tls12"], app["ftp_secure"], app["remote_debugging"], app["http2"]) == (False, False, True, False)
    assert app["health_check"] is None  # null in config/web as well: left unknown
    graph = build_graph(live)
    assert graph.resources[batch.lower()].attrs["audit_logging"] is True
    gaps = {(g.operation, g.resource_id) for g in live.gaps}
    assert ("site_config", f"/subscriptions/{PROD}/resourcegroups/rg-checkout-prod/providers/microsoft.web/sites/app-checkout") in gaps


def test_live_child_reads_fill_what_resource_graph_does_not_index(collected):
    """Activity Log settings and security contacts per subscription, keys and diagnostic settings per
    vault, read by ARM GETs after the graph queries; an empty listing is a known "none"."""
    graph = build_graph(collected.inventory)
    prod, dev = graph.resources[SUBSCRIPTION], graph.resources[f"/subscriptions/{DEV}"]
    assert prod.attrs["activity_log_exported"] is True
    assert prod.attrs["activity_log_categories"] == ["Administrative", "Alert", "Policy", "Security"]
    assert prod.attrs["security_alerts_high"] is True and prod.attrs["security_owner_notified"] is True
    assert dev.attrs["activity_log_exported"] is False and dev.attrs["security_contact_emails"] is False
    assert graph.resources[f"{RG}/microsoft.keyvault/vaults/kv-checkout-prod"].attrs["audit_logging"] is True
    assert graph.resources[f"{RG}/microsoft.keyvault/vaults/kv-checkout-scratch"].attrs["audit_logging"] is False
    keys = {r.name: r for r in collected.inventory.resources if r.kind == "azure.keyvault.vaults_keys"}
    assert keys["storage-cmk"].attrs["rotation_enabled"] is True and keys["storage-cmk"].attrs["has_expiry"] is True
    # The listing left rotationPolicy out: the key itself was read, and has none.
    assert keys["legacy-signing"].attrs["rotation_enabled"] is False
    assert any(r.path.lower().endswith("/keys/legacy-signing") for r in collected.requests)
    assert not [g for g in collected.inventory.gaps if g.operation in ("activity_log_settings", "security_contacts",
                                                                       "keyvault_keys", "diagnostic_settings")]


def test_a_denied_child_read_leaves_its_attributes_unknown(azure_cert, monkeypatch, tmp_path, ruleset):
    cert, key = azure_cert
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    scenario = json.loads((root / "scenario.json").read_text())
    denied = {"error": {"status": 403, "body": "errors/authorization-failed.json"}}
    scenario["arm"][f"/subscriptions/{PROD}/providers/Microsoft.Insights/diagnosticSettings"] = denied
    scenario["arm"][f"/subscriptions/{PROD}/resourceGroups/rg-checkout-prod/providers/Microsoft.KeyVault/vaults/kv-checkout-prod/keys"] = denied
    (root / "scenario.json").write_text(json.dumps(scenario))
    with FakeArm(root, cert, key, token=TOKEN) as fake:
        live = collect_azure(AzureOptions(subscriptions=None, endpoint=fake.url, credential=RecordingCredential(),
                                          retry_total=0, workers=2))
    gaps = {g.operation: g for g in live.gaps}
    assert gaps["activity_log_settings"].code == "AuthorizationFailed" and gaps["keyvault_keys"].code == "AuthorizationFailed"
    graph = build_graph(live)
    assert "activity_log_exported" not in graph.resources[SUBSCRIPTION].attrs  # unknown, never "not exported"
    assert graph.resources[SUBSCRIPTION].attrs["security_alerts_high"] is True  # the other read still counts
    findings = {(f.rule_id, f.resource_id): f for f in evaluate(graph, ruleset, FIXED_NOW, live.gaps)}
    exported = findings[("azure-subscription-activity-log-exported", SUBSCRIPTION)]
    assert exported.status is Status.NOT_ASSESSED and "AuthorizationFailed" in exported.reason
    unseen = [f for f in findings.values() if f.rule_id == "azure-keyvault-key-rotation"]
    assert unseen and all(f.status is Status.NOT_ASSESSED for f in unseen)
