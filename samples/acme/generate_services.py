"""The GCP and Azure services of the Acme sample estate beyond the core types (imported by
samples/acme/generate.py): GKE node pools, Pub/Sub, BigQuery, Memorystore and Backup and DR
vaults in the Cloud Asset export; AKS, Cosmos DB and Azure Cache for Redis in the Resource Graph
export. Each planted violation has a compliant twin, registered with ``expect``. None carries an
``app`` label, so the applications' DR assessment is unchanged."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable

import estate_builders as b

Expect = Callable[[str, str, str, str], None]
UPDATED = datetime(2026, 11, 19, 12, 0, tzinfo=timezone.utc)
ANA_P, ANA_N = "acme-analytics", "410000000001"
K_ANA = f"projects/{ANA_P}/locations/us-central1/keyRings/analytics-kr/cryptoKeys/analytics-data"
DISCOVERY = {  # asset type -> (version, discovery document, discovery name)
    "container.googleapis.com/NodePool": ("v1", "https://container.googleapis.com/$discovery/rest", "NodePool"),
    "pubsub.googleapis.com/Topic": ("v1", "https://pubsub.googleapis.com/$discovery/rest", "Topic"),
    "bigquery.googleapis.com/Dataset": ("v2", "https://bigquery.googleapis.com/$discovery/rest", "Dataset"),
    "redis.googleapis.com/Instance": ("v1", "https://redis.googleapis.com/$discovery/rest", "Instance"),
    "backupdr.googleapis.com/BackupVault": ("v1", "https://backupdr.googleapis.com/$discovery/rest", "BackupVault"),
}
LABELS = {"env": "prod", "owner": "data-team"}


def asset(name: str, asset_type: str, data: dict, location: str) -> dict:
    """One line of `gcloud asset export --content-type=resource` (snake_case envelope)."""
    version, uri, discovery = DISCOVERY[asset_type]
    return {"name": name, "asset_type": asset_type,
            "resource": {"version": version, "discovery_document_uri": uri, "discovery_name": discovery,
                         "parent": f"//cloudresourcemanager.googleapis.com/projects/{ANA_N}", "data": data,
                         "location": location},
            "ancestors": b.gcp_ancestors(ANA_N), "update_time": b.iso_us(UPDATED)}


def gcp_services(expect: Expect) -> list[dict]:
    out: list[dict] = []

    def add(a: dict, slug: str, result: str) -> None:
        out.append(a)
        expect("gcp", slug, a["name"], result)

    cluster = f"projects/{ANA_P}/locations/us-central1-a/clusters/analytics-gke-zonal"
    for pool, upgrade in (("default-pool", True), ("pinned-pool-noupgrade", False)):
        add(asset(f"//container.googleapis.com/{cluster}/nodePools/{pool}", "container.googleapis.com/NodePool", {
            "name": pool, "config": {"machineType": "e2-standard-4", "diskSizeGb": 100,
                                     "shieldedInstanceConfig": {"enableSecureBoot": True, "enableIntegrityMonitoring": True}},
            "initialNodeCount": 2, "locations": ["us-central1-a"], "version": "1.33.5-gke.1000",
            "management": {"autoUpgrade": upgrade, "autoRepair": True}, "status": "RUNNING",
            "selfLink": f"https://container.googleapis.com/v1/{cluster}/nodePools/{pool}"}, "us-central1-a"),
            "gcp-gke-node-pool-auto-upgrade", "PASS" if upgrade else "FAIL")
    for topic, key in (("analytics-events", K_ANA), ("analytics-events-google-key", None)):
        data = {"name": f"projects/{ANA_P}/topics/{topic}", "labels": LABELS, "messageRetentionDuration": "604800s"}
        if key:
            data["kmsKeyName"] = key
        add(asset(f"//pubsub.googleapis.com/projects/{ANA_P}/topics/{topic}", "pubsub.googleapis.com/Topic", data, "global"),
            "gcp-pubsub-cmek", "PASS" if key else "FAIL")
    for dataset, public in (("analytics_curated", False), ("analytics_public_share", True)):
        access = [{"role": "OWNER", "specialGroup": "projectOwners"}, {"role": "READER", "specialGroup": "projectReaders"}]
        if public:
            access.append({"role": "READER", "specialGroup": "allAuthenticatedUsers"})
        add(asset(f"//bigquery.googleapis.com/projects/{ANA_P}/datasets/{dataset}", "bigquery.googleapis.com/Dataset", {
            "kind": "bigquery#dataset", "id": f"{ANA_P}:{dataset}", "datasetReference": {"datasetId": dataset, "projectId": ANA_P},
            "labels": LABELS, "location": "US", "access": access, "maxTimeTravelHours": "168",
            "defaultEncryptionConfiguration": {"kmsKeyName": K_ANA}}, "us"),
            "gcp-bigquery-public", "FAIL" if public else "PASS")
    for instance, auth in (("analytics-cache", True), ("analytics-cache-noauth", False)):
        add(asset(f"//redis.googleapis.com/projects/{ANA_P}/locations/us-central1/instances/{instance}", "redis.googleapis.com/Instance", {
            "name": f"projects/{ANA_P}/locations/us-central1/instances/{instance}", "labels": LABELS, "tier": "STANDARD_HA",
            "locationId": "us-central1-a", "alternativeLocationId": "us-central1-b", "redisVersion": "REDIS_7_0",
            "memorySizeGb": 4, "authEnabled": auth, "transitEncryptionMode": "SERVER_AUTHENTICATION",
            "persistenceConfig": {"persistenceMode": "RDB", "rdbSnapshotPeriod": "SIX_HOURS"}, "state": "READY"}, "us-central1"),
            "gcp-redis-auth", "PASS" if auth else "FAIL")
    for vault, locked in (("analytics-vault", True), ("analytics-vault-unlocked", False)):
        data = {"name": f"projects/{ANA_P}/locations/us-central1/backupVaults/{vault}", "state": "ACTIVE",
                "backupMinimumEnforcedRetentionDuration": "2592000s", "accessRestriction": "WITHIN_ORGANIZATION",
                "deletable": False}
        if locked:
            data["effectiveTime"] = "2026-01-15T00:00:00Z"
        add(asset(f"//backupdr.googleapis.com/projects/{ANA_P}/locations/us-central1/backupVaults/{vault}",
                  "backupdr.googleapis.com/BackupVault", data, "us-central1"),
            "gcp-backupdr-vault-locked", "PASS" if locked else "FAIL")
    return out


def azure_services(expect: Expect, *, sub: str, tenant: str, rg: str, location: str) -> list[dict]:
    out: list[dict] = []
    tags = {"env": "prod", "owner": "platform-team"}

    def add(row: dict, slug: str, result: str) -> None:
        out.append(row)
        expect("azure", slug, row["id"], result)

    def row(provider_type: str, name: str, properties: dict, **kw) -> dict:
        return b.az_row(b.arm_id(sub, rg, provider_type, name), name, provider_type, tenant=tenant, sub=sub, rg=rg,
                        location=location, properties=properties, tags=tags, **kw)

    for cluster, insights in (("aks-platform", True), ("aks-platform-nomonitoring", False)):
        add(row("Microsoft.ContainerService/managedClusters", cluster, {
            "provisioningState": "Succeeded", "kubernetesVersion": "1.34", "currentKubernetesVersion": "1.34.1",
            "agentPoolProfiles": [{"name": "system", "count": 3, "vmSize": "Standard_D4s_v5", "mode": "System",
                                   "availabilityZones": ["1", "2", "3"], "enableAutoScaling": True, "minCount": 3, "maxCount": 6}],
            "addonProfiles": {"omsagent": {"enabled": insights}}, "enableRBAC": True,
            "apiServerAccessProfile": {"enablePrivateCluster": True}, "autoUpgradeProfile": {"upgradeChannel": "stable"}},
            sku={"name": "Base", "tier": "Standard"}), "az-aks-container-insights", "PASS" if insights else "FAIL")
    for account, continuous in (("cosmos-platform", True), ("cosmos-platform-periodic", False)):
        policy = ({"type": "Continuous", "continuousModeProperties": {"tier": "Continuous7Days"}} if continuous else
                  {"type": "Periodic", "periodicModeProperties": {"backupIntervalInMinutes": 240, "backupRetentionIntervalInHours": 8,
                                                                  "backupStorageRedundancy": "Geo"}})
        add(row("Microsoft.DocumentDB/databaseAccounts", account, {
            "provisioningState": "Succeeded", "enableAutomaticFailover": True, "publicNetworkAccess": "Disabled",
            "locations": [{"locationName": "West Europe", "failoverPriority": 0, "isZoneRedundant": True},
                          {"locationName": "North Europe", "failoverPriority": 1, "isZoneRedundant": True}],
            "backupPolicy": policy}, kind="GlobalDocumentDB"), "az-cosmos-continuous-backup", "PASS" if continuous else "FAIL")
    for cache, non_ssl in (("redis-platform", False), ("redis-platform-plaintext", True)):
        add(row("Microsoft.Cache/Redis", cache, {
            "provisioningState": "Succeeded", "sku": {"name": "Standard", "family": "C", "capacity": 1},
            "enableNonSslPort": non_ssl, "minimumTlsVersion": "1.2", "redisVersion": "6.0"}),
            "az-redis-tls-only", "FAIL" if non_ssl else "PASS")
    return out
