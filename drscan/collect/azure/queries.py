"""The one declaration of what the Azure collector reads: Resource Graph queries, ARM child
reads, and the RBAC actions each needs. The collector runs these; permissions.py prints them."""

from __future__ import annotations

from dataclasses import dataclass

from drscan.normalize.azure_types import ARM_TYPES, generic_kind


def kinds_of(arm_types: tuple[str, ...]) -> tuple[str, ...]:
    """The drscan kinds the given (lower-cased) ARM types normalize to."""
    return tuple(ARM_TYPES[t][0] if t in ARM_TYPES else generic_kind(t) for t in arm_types)


@dataclass(frozen=True, slots=True)
class GraphQuery:
    """One Azure Resource Graph query over a table, restricted to some ARM types."""

    name: str
    table: str
    arm_types: tuple[str, ...]  # lower case, as Resource Graph returns `type`
    permissions: tuple[str, ...]  # RBAC actions a principal needs to see these rows
    derived_kinds: tuple[str, ...] = ()  # kinds whose attributes are computed from these rows

    @property
    def kinds(self) -> tuple[str, ...]:
        return kinds_of(self.arm_types) + self.derived_kinds

    @property
    def kql(self) -> str:
        types = ", ".join(f"'{t}'" for t in self.arm_types)
        # A stable order keeps $skipToken paging consistent across pages.
        return f"{self.table} | where type in~ ({types}) | order by id asc"


@dataclass(frozen=True, slots=True)
class ChildRead:
    """An ARM GET of a child resource that Resource Graph does not index (SQL details)."""

    name: str
    path: str  # appended to the parent's ARM id
    api_version: str
    permission: str
    kinds: tuple[str, ...]  # kinds whose attributes it fills
    listed_attr: str | None = None  # set true on the parent once the listing was read (even when empty)


SUBSCRIPTIONS_PERMISSION = "Microsoft.Resources/subscriptions/read"
RESOURCE_GRAPH_PERMISSION = "Microsoft.ResourceGraph/resources/read"
SUBSCRIPTION_KIND = "azure.resources.subscription"

GRAPH_QUERIES: tuple[GraphQuery, ...] = (
    GraphQuery("storage", "Resources", ("microsoft.storage/storageaccounts",),
               ("Microsoft.Storage/storageAccounts/read",)),
    GraphQuery("disks", "Resources", ("microsoft.compute/disks", "microsoft.compute/snapshots"),
               ("Microsoft.Compute/disks/read", "Microsoft.Compute/snapshots/read")),
    GraphQuery("compute", "Resources",
               ("microsoft.compute/virtualmachines", "microsoft.compute/virtualmachinescalesets",
                "microsoft.compute/availabilitysets"),
               ("Microsoft.Compute/virtualMachines/read", "Microsoft.Compute/virtualMachineScaleSets/read",
                "Microsoft.Compute/availabilitySets/read")),
    GraphQuery("sql", "Resources", ("microsoft.sql/servers", "microsoft.sql/servers/databases"),
               ("Microsoft.Sql/servers/read", "Microsoft.Sql/servers/databases/read")),
    GraphQuery("keyvaults", "Resources", ("microsoft.keyvault/vaults",), ("Microsoft.KeyVault/vaults/read",)),
    GraphQuery("recovery_vaults", "Resources", ("microsoft.recoveryservices/vaults",),
               ("Microsoft.RecoveryServices/vaults/read",)),
    GraphQuery("network", "Resources",
               ("microsoft.network/loadbalancers", "microsoft.network/trafficmanagerprofiles",
                "microsoft.network/frontdoors", "microsoft.network/dnszones", "microsoft.network/networkwatchers/flowlogs"),
               ("Microsoft.Network/loadBalancers/read", "Microsoft.Network/trafficManagerProfiles/read",
                "Microsoft.Network/frontDoors/read", "Microsoft.Network/dnszones/read",
                "Microsoft.Network/networkWatchers/flowLogs/read")),
    GraphQuery("backup", "RecoveryServicesResources",
               ("microsoft.recoveryservices/vaults/backuppolicies",
                "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems"),
               ("Microsoft.RecoveryServices/vaults/backupPolicies/read",
                "Microsoft.RecoveryServices/vaults/backupFabrics/protectionContainers/protectedItems/read")),
    GraphQuery("site_recovery", "RecoveryServicesResources",
               ("microsoft.recoveryservices/vaults/replicationfabrics/replicationprotectioncontainers/replicationprotecteditems",),
               ("Microsoft.RecoveryServices/vaults/replicationFabrics/replicationProtectionContainers/replicationProtectedItems/read",)),
    GraphQuery("role_assignments", "AuthorizationResources", ("microsoft.authorization/roleassignments",),
               ("Microsoft.Authorization/roleAssignments/read",),
               derived_kinds=("azure.resources.subscription",)),  # owner_assignment_count
    GraphQuery("aks", "Resources", ("microsoft.containerservice/managedclusters",),
               ("Microsoft.ContainerService/managedClusters/read",)),
    GraphQuery("cosmosdb", "Resources", ("microsoft.documentdb/databaseaccounts",),
               ("Microsoft.DocumentDB/databaseAccounts/read",)),
    GraphQuery("redis", "Resources", ("microsoft.cache/redis",), ("Microsoft.Cache/redis/read",)),
    GraphQuery("appservice", "Resources", ("microsoft.web/serverfarms", "microsoft.web/sites"),
               ("Microsoft.Web/serverfarms/read", "Microsoft.Web/sites/read")),
    GraphQuery("defender", "SecurityResources", ("microsoft.security/pricings",), ("Microsoft.Security/pricings/read",)),
)

# Read per SQL database / server after the "sql" query, through plain ARM GETs (API 2021-11-01, GA).
SQL_API_VERSION = "2021-11-01"
SQL_DATABASE_READS: tuple[ChildRead, ...] = (
    ChildRead("sql_tde", "transparentDataEncryption/current", SQL_API_VERSION,
              "Microsoft.Sql/servers/databases/transparentDataEncryption/read", ("azure.sql.database",)),
    ChildRead("sql_backup_retention", "backupShortTermRetentionPolicies/default", SQL_API_VERSION,
              "Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies/read", ("azure.sql.database",)),
    ChildRead("sql_replication_links", "replicationLinks", SQL_API_VERSION,
              "Microsoft.Sql/servers/databases/replicationLinks/read", ("azure.sql.database",)),
)
SQL_SERVER_READS: tuple[ChildRead, ...] = (
    ChildRead("sql_failover_groups", "failoverGroups", SQL_API_VERSION,
              "Microsoft.Sql/servers/failoverGroups/read", ("azure.sql.failover_group",)),
)


# ARM reads of things Resource Graph does not index, per parent kind (a subscription, a vault, a
# cluster, an app), run after the graph queries (drscan.collect.azure.child_tasks).
DIAGNOSTICS_API_VERSION = "2021-05-01-preview"
DIAGNOSTIC_KINDS = ("azure.insights.diagnosticsettings",)
ACTIVITY_LOG_SETTINGS = ChildRead(
    "activity_log_settings", "providers/Microsoft.Insights/diagnosticSettings", DIAGNOSTICS_API_VERSION,
    "Microsoft.Insights/diagnosticSettings/read", DIAGNOSTIC_KINDS + (SUBSCRIPTION_KIND,), "activity_log_settings_listed")
SECURITY_CONTACTS = ChildRead(
    "security_contacts", "providers/Microsoft.Security/securityContacts", "2023-12-01-preview",
    "Microsoft.Security/securityContacts/read", ("azure.security.securitycontacts", SUBSCRIPTION_KIND),
    "security_contacts_listed")
RESOURCE_DIAGNOSTICS = ChildRead(
    "diagnostic_settings", "providers/Microsoft.Insights/diagnosticSettings", DIAGNOSTICS_API_VERSION,
    "Microsoft.Insights/diagnosticSettings/read", DIAGNOSTIC_KINDS, "diagnostic_settings_listed")
KEYVAULT_KEYS = ChildRead("keyvault_keys", "keys", "2023-07-01", "Microsoft.KeyVault/vaults/keys/read",
                          ("azure.keyvault.vaults_keys",))
SITE_CONFIG = ChildRead("site_config", "config/web", "2023-12-01", "Microsoft.Web/sites/config/read", ("azure.web.sites",))
CHILD_READS: dict[str, tuple[ChildRead, ...]] = {
    SUBSCRIPTION_KIND: (ACTIVITY_LOG_SETTINGS, SECURITY_CONTACTS),
    "azure.keyvault.vault": (KEYVAULT_KEYS, RESOURCE_DIAGNOSTICS),
    "azure.containerservice.managedclusters": (RESOURCE_DIAGNOSTICS,),
    "azure.web.sites": (SITE_CONFIG,),
}


def child_read_named(name: str) -> ChildRead:
    for reads in CHILD_READS.values():
        for read in reads:
            if read.name == name:
                return read
    raise KeyError(name)



def query_named(name: str) -> GraphQuery:
    for query in GRAPH_QUERIES:
        if query.name == name:
            return query
    raise KeyError(name)


def all_kinds() -> tuple[str, ...]:
    """Every kind the collector can produce (what a failed subscription listing hides)."""
    kinds = [SUBSCRIPTION_KIND]
    for query in GRAPH_QUERIES:
        kinds.extend(query.kinds)
    for read in SQL_SERVER_READS:
        kinds.extend(read.kinds)
    for reads in CHILD_READS.values():
        kinds.extend(k for read in reads for k in read.kinds)
    return tuple(dict.fromkeys(kinds))


def all_permissions() -> tuple[str, ...]:
    actions = [SUBSCRIPTIONS_PERMISSION, RESOURCE_GRAPH_PERMISSION]
    for query in GRAPH_QUERIES:
        actions.extend(query.permissions)
    actions.extend(read.permission for read in SQL_DATABASE_READS + SQL_SERVER_READS)
    actions.extend(read.permission for reads in CHILD_READS.values() for read in reads)
    return tuple(dict.fromkeys(actions))
