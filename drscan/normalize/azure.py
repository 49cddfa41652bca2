"""Azure ARM resource JSON (Resource Graph rows, ARM GET bodies) -> normalized attributes.

Each transform takes (row, properties) and returns a Shape. Azure ids are case-insensitive
and exports disagree on their case, so every id drscan stores or links is lower-cased.
"""

from __future__ import annotations

import re
from typing import Callable

from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field, iso_time, last_segment
from drscan.normalize.shape import Shape

OWNER_ROLE_ID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
_SUBSCRIPTION_SCOPE = re.compile(r"^/subscriptions/[^/]+/?$", re.IGNORECASE)


def arm_id(value) -> str | None:
    return str(value).lower() if value else None


def sku_name(row: dict) -> str | None:
    return dig(row, "sku.name")


def storage_account(row: dict, props: dict) -> Shape:
    sku = str(sku_name(row) or "")
    key_source = str(dig(props, "encryption.keySource") or "")
    public_blob = field(props, "allowBlobPublicAccess")
    return Shape(attrs=dict(
        sku=sku,
        geo_redundant=any(s in sku.upper() for s in ("GRS", "GZRS")),
        zone_redundant="ZRS" in sku.upper(),
        min_tls_version=field(props, "minimumTlsVersion"),
        https_only=as_bool(field(props, "supportsHttpsTrafficOnly")),
        blob_public_access=as_bool(public_blob) if public_blob is not None else None,
        cmk=key_source.lower() == "microsoft.keyvault",
        infrastructure_encryption=bool(as_bool(dig(props, "encryption.requireInfrastructureEncryption"))),
        public_network_access=field(props, "publicNetworkAccess"),
        secondary_location=field(props, "secondaryLocation"),
    ))


def compute_disk(row: dict, props: dict) -> Shape:
    sku = str(sku_name(row) or "")
    encryption = str(dig(props, "encryption.type") or "")
    shape = Shape(attrs=dict(
        sku=sku,
        zone_redundant=sku.upper().endswith("_ZRS"),
        encryption_type=encryption or None,
        cmk="customerkey" in encryption.lower(),
        disk_state=field(props, "diskState"),
        size_gb=as_int(field(props, "diskSizeGB")),
    ))
    shape.ref("attached_to", arm_id(field(row, "managedBy")))
    shape.ref("encrypted_by", arm_id(dig(props, "encryption.diskEncryptionSetId")))
    return shape


def compute_snapshot(row: dict, props: dict) -> Shape:
    shape = Shape(attrs=dict(
        created_at=iso_time(field(props, "timeCreated")),
        incremental=bool(as_bool(field(props, "incremental"))),
        encryption_type=dig(props, "encryption.type"),
        size_gb=as_int(field(props, "diskSizeGB")),
    ))
    shape.ref("snapshot_of", arm_id(dig(props, "creationData.sourceResourceId")))
    return shape


def virtual_machine(row: dict, props: dict) -> Shape:
    zones = [str(z) for z in as_list(field(row, "zones"))]
    availability_set = arm_id(dig(props, "availabilitySet.id"))
    return Shape(attrs=dict(
        vm_size=dig(props, "hardwareProfile.vmSize"),
        zone_count=len(zones),
        availability_set=availability_set,
        zonal_or_availability_set=bool(zones) or bool(availability_set),
        encryption_at_host=bool(as_bool(dig(props, "securityProfile.encryptionAtHost"))),
        os_disk_id=arm_id(dig(props, "storageProfile.osDisk.managedDisk.id")),
    ))


def vm_scale_set(row: dict, props: dict) -> Shape:
    zones = [str(z) for z in as_list(field(row, "zones"))]
    return Shape(attrs=dict(zone_count=len(zones), zone_balance=bool(as_bool(field(props, "zoneBalance")))))


def sql_server(row: dict, props: dict) -> Shape:
    return Shape(attrs=dict(min_tls_version=field(props, "minimalTlsVersion"),
                            public_network_access=field(props, "publicNetworkAccess")))


def sql_database(row: dict, props: dict) -> Shape:
    redundancy = field(props, "currentBackupStorageRedundancy") or field(props, "requestedBackupStorageRedundancy")
    row_id = str(field(row, "id") or "")
    shape = Shape(attrs=dict(
        is_system_database=str(field(row, "name")).lower() == "master",
        zone_redundant=bool(as_bool(field(props, "zoneRedundant"))),
        backup_redundancy=redundancy,
        geo_backup=str(redundancy or "").lower() in {"geo", "geozone"},
        is_secondary=str(field(props, "secondaryType") or "").lower() in {"geo", "named"},
        max_size_bytes=as_int(field(props, "maxSizeBytes")),
        # Transparent Data Encryption is a child resource Resource Graph does not return.
        transparent_data_encryption=None,
    ))
    shape.ref("child_of", arm_id(row_id.rsplit("/databases/", 1)[0]) if "/databases/" in row_id.lower() else None)
    shape.ref("replica_of", arm_id(field(props, "sourceDatabaseId")) if shape.attrs["is_secondary"] else None)
    return shape


def key_vault(row: dict, props: dict) -> Shape:
    soft_delete = field(props, "enableSoftDelete")
    return Shape(attrs=dict(
        soft_delete=as_bool(soft_delete) if soft_delete is not None else None,
        soft_delete_retention_days=as_int(field(props, "softDeleteRetentionInDays")),
        purge_protection=bool(as_bool(field(props, "enablePurgeProtection"))),
        rbac_authorization=bool(as_bool(field(props, "enableRbacAuthorization"))),
        public_network_access=field(props, "publicNetworkAccess"),
    ))


def recovery_services_vault(row: dict, props: dict) -> Shape:
    redundancy = dig(props, "redundancySettings.standardTierStorageRedundancy")
    return Shape(attrs=dict(
        storage_redundancy=redundancy,
        geo_redundant=str(redundancy or "").lower() == "georedundant",
        cross_region_restore=str(dig(props, "redundancySettings.crossRegionRestore") or "").lower() == "enabled",
        immutability_state=dig(props, "securitySettings.immutabilitySettings.state") or "Disabled",
        soft_delete_state=dig(props, "securitySettings.softDeleteSettings.softDeleteState"),
    ))


def backup_policy(row: dict, props: dict) -> Shape:
    frequency = dig(props, "schedulePolicy.scheduleRunFrequency")
    interval = {"daily": 24, "weekly": 168}.get(str(frequency or "").lower())
    if str(frequency or "").lower() == "hourly":
        interval = as_int(dig(props, "schedulePolicy.hourlySchedule.interval"))
    return Shape(attrs=dict(
        frequency=frequency,
        interval_hours=interval,
        retention_days=as_int(dig(props, "retentionPolicy.dailySchedule.retentionDuration.count")),
    ))


def protected_item(row: dict, props: dict) -> Shape:
    source = field(props, "sourceResourceId") or dig(props, "dataSourceInfo.resourceID")
    policy = field(props, "policyId") or dig(props, "policyInfo.policyId")
    shape = Shape(attrs=dict(
        source_resource_id=arm_id(source),
        protection_state=field(props, "protectionState") or field(props, "currentProtectionState"),
        last_backup_time=iso_time(field(props, "lastBackupTime")),
        last_recovery_point=iso_time(field(props, "lastRecoveryPoint")),
        workload_type=field(props, "workloadType"),
    ))
    shape.ref("protects", arm_id(source))
    shape.ref("uses_policy", arm_id(policy))
    return shape


def load_balancer(row: dict, props: dict) -> Shape:
    frontends = as_list(field(props, "frontendIPConfigurations"))
    zone_counts = [len(as_list(field(f, "zones"))) for f in frontends]
    return Shape(attrs=dict(
        sku=sku_name(row),
        frontend_count=len(frontends),
        zone_redundant=bool(zone_counts) and min(zone_counts) >= 2,
    ))


def traffic_manager_profile(row: dict, props: dict) -> Shape:
    endpoints = as_list(field(props, "endpoints"))
    shape = Shape(attrs=dict(
        routing_method=field(props, "trafficRoutingMethod"),
        ttl=as_int(dig(props, "dnsConfig.ttl")),
        monitor_interval_s=as_int(dig(props, "monitorConfig.intervalInSeconds")),
        tolerated_failures=as_int(dig(props, "monitorConfig.toleratedNumberOfFailures")),
        endpoint_count=len(endpoints),
    ))
    for endpoint in endpoints:  # DNS record -> the endpoint it sends traffic to
        shape.ref("routes_to", arm_id(dig(endpoint, "properties.targetResourceId") or field(endpoint, "targetResourceId")))
    return shape


def dns_zone(row: dict, props: dict) -> Shape:
    return Shape(attrs=dict(zone_type=field(props, "zoneType")))


def flow_log(row: dict, props: dict) -> Shape:
    shape = Shape(attrs=dict(
        enabled=bool(as_bool(field(props, "enabled"))),
        retention_enabled=bool(as_bool(dig(props, "retentionPolicy.enabled"))),
        retention_days=as_int(dig(props, "retentionPolicy.days")),
    ))
    shape.ref("logs", arm_id(field(props, "targetResourceId")))
    return shape


def role_assignment(row: dict, props: dict) -> Shape:
    role = last_segment(field(props, "roleDefinitionId"))
    scope = str(field(props, "scope") or "")
    return Shape(attrs=dict(
        principal_id=field(props, "principalId"),
        principal_type=field(props, "principalType"),
        role_definition=role,
        is_owner=role.lower() == OWNER_ROLE_ID,
        scope=scope.lower(),
        subscription_scope=bool(_SUBSCRIPTION_SCOPE.match(scope)),
    ))


Transform = Callable[[dict, dict], Shape]

# lower-cased ARM type -> (drscan kind, transform)
ARM_TYPES: dict[str, tuple[str, Transform]] = {
    "microsoft.storage/storageaccounts": ("azure.storage.account", storage_account),
    "microsoft.compute/disks": ("azure.compute.disk", compute_disk),
    "microsoft.compute/snapshots": ("azure.compute.snapshot", compute_snapshot),
    "microsoft.compute/virtualmachines": ("azure.compute.virtual_machine", virtual_machine),
    "microsoft.compute/virtualmachinescalesets": ("azure.compute.vm_scale_set", vm_scale_set),
    "microsoft.sql/servers": ("azure.sql.server", sql_server),
    "microsoft.sql/servers/databases": ("azure.sql.database", sql_database),
    "microsoft.keyvault/vaults": ("azure.keyvault.vault", key_vault),
    "microsoft.recoveryservices/vaults": ("azure.recoveryservices.vault", recovery_services_vault),
    "microsoft.recoveryservices/vaults/backuppolicies": ("azure.recoveryservices.backup_policy", backup_policy),
    "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems":
        ("azure.recoveryservices.protected_item", protected_item),
    "microsoft.network/loadbalancers": ("azure.network.load_balancer", load_balancer),
    "microsoft.network/trafficmanagerprofiles": ("azure.network.traffic_manager_profile", traffic_manager_profile),
    "microsoft.network/dnszones": ("azure.network.dns_zone", dns_zone),
    "microsoft.network/networkwatchers/flowlogs": ("azure.network.flow_log", flow_log),
    "microsoft.authorization/roleassignments": ("azure.authorization.role_assignment", role_assignment),
}


def generic_kind(arm_type: str) -> str:
    """'microsoft.web/sites' -> 'azure.web.sites'."""
    namespace, _, rest = str(arm_type).lower().partition("/")
    return f"azure.{namespace.removeprefix('microsoft.')}.{rest.replace('/', '_') or 'unknown'}"
