"""Azure Kubernetes Service (microsoft.containerservice/managedclusters, the ARM body as Resource
Graph returns it) -> normalized attributes: zones of every agent pool, Container Insights and
managed Prometheus, private API server, Entra ID and local accounts, auto-upgrade, SLA tier and
Kubernetes version support (drscan/data/kubernetes_versions.yaml).
https://learn.microsoft.com/rest/api/aks/managed-clusters/get
"""

from __future__ import annotations

from drscan.normalize.dated_facts import kubernetes_end_of_support
from drscan.normalize.gcp_gke import minor_version
from drscan.normalize.lookup import as_bool, as_list, dig, field
from drscan.normalize.shape import Shape

UPGRADE_CHANNELS = ("patch", "stable", "rapid", "node-image")
NETWORK_POLICIES = ("azure", "calico", "cilium")
SLA_TIERS = ("standard", "premium")  # the Free tier has no financially backed uptime SLA


def on(obj, path: str) -> bool:
    """A boolean ARM property that must be explicitly true (absent: the failing value)."""
    return as_bool(dig(obj, path)) is True


def addon_enabled(props: dict, name: str) -> bool:
    """addonProfiles keys are case-insensitive in practice (omsagent / omsAgent)."""
    for key, profile in (field(props, "addonProfiles") or {}).items():
        if str(key).lower() == name.lower() and isinstance(profile, dict):
            return on(profile, "enabled")
    return False


def managed_cluster(row: dict, props: dict) -> Shape:
    if not props:
        return Shape()
    pools = [p for p in as_list(field(props, "agentPoolProfiles")) if isinstance(p, dict)]
    zone_counts = [len(as_list(field(p, "availabilityZones"))) for p in pools]
    ranges = [str(r) for r in as_list(dig(props, "apiServerAccessProfile.authorizedIPRanges"))]
    private = on(props, "apiServerAccessProfile.enablePrivateCluster")
    channel = str(dig(props, "autoUpgradeProfile.upgradeChannel") or "none").lower()
    tier = dig(row, "sku.tier")
    version = field(props, "currentKubernetesVersion") or field(props, "kubernetesVersion")
    plan = str(field(props, "supportPlan") or "KubernetesOfficial")
    minor = minor_version(version)
    end = kubernetes_end_of_support("aks_lts" if plan == "AKSLongTermSupport" else "aks", minor) if minor else None
    policy = str(dig(props, "networkProfile.networkPolicy") or "none").lower()
    return Shape(attrs=dict(
        # Container Insights: the omsagent add-on (Log Analytics) or azureMonitorProfile.containerInsights.
        container_insights=addon_enabled(props, "omsagent") or on(props, "azureMonitorProfile.containerInsights.enabled"),
        managed_prometheus=on(props, "azureMonitorProfile.metrics.enabled"),
        pool_count=len(pools),
        min_pool_zones=min(zone_counts) if zone_counts else None,
        zone_redundant=bool(zone_counts) and min(zone_counts) >= 2 if "agentPoolProfiles" in props else None,
        autoscaling_all_pools=all(on(p, "enableAutoScaling") for p in pools) if pools else None,
        private_cluster=private,
        authorized_ip_ranges=ranges,
        api_access_restricted=private or bool(ranges),
        local_accounts_disabled=on(props, "disableLocalAccounts"),
        rbac_enabled=on(props, "enableRBAC"),
        entra_id_integration=on(props, "aadProfile.managed"),
        azure_rbac=on(props, "aadProfile.enableAzureRBAC"),
        network_policy=policy,
        network_policy_enabled=policy in NETWORK_POLICIES,
        upgrade_channel=channel,
        auto_upgrade=channel in UPGRADE_CHANNELS,
        sku_tier=tier,
        uptime_sla=str(tier).lower() in SLA_TIERS if tier else None,
        defender_enabled=on(props, "securityProfile.defender.securityMonitoring.enabled"),
        azure_policy=addon_enabled(props, "azurepolicy"),
        kubernetes_version=str(version) if version else None,
        support_plan=plan,
        version_end_of_support=f"{end.isoformat()}T00:00:00Z" if end else None,
        disk_encryption_set=str(field(props, "diskEncryptionSetID") or "").lower() or None,
    ))
