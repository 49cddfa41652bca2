"""Azure ARM resource JSON (Resource Graph rows, ARM GET bodies) -> normalized attributes.

Each transform takes (row, properties) and returns a Shape. Azure ids are case-insensitive
and exports disagree on their case, so every id drscan stores or links is lower-cased.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from drscan.normalize.lookup import (UNSEEN, all_known, as_bool, as_dict, as_int, as_list, derive, dig, field, iso_time,
                                     known_list, last_segment, need_list, text)
from drscan.normalize.shape import Shape

OWNER_ROLE_ID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
_SUBSCRIPTION_SCOPE = re.compile(r"^/subscriptions/[^/]+/?$", re.IGNORECASE)


def arm_id(value) -> str | None:
    return str(value).lower() if value else None


def sku_name(row: dict) -> str | None:
    return dig(row, "sku.name")


def storage_account(row: dict, props: dict) -> Shape:
    sku = text(sku_name(row))
    key_source = text(dig(props, "encryption.keySource"))
    public_blob = field(props, "allowBlobPublicAccess")
    shape = Shape(attrs=dict(
        sku=sku,
        geo_redundant=derive(sku or UNSEEN, lambda name: any(s in name.upper() for s in ("GRS", "GZRS"))),
        zone_redundant=derive(sku or UNSEEN, lambda name: "ZRS" in name.upper()),
        min_tls_version=text(field(props, "minimumTlsVersion")),
        https_only=as_bool(field(props, "supportsHttpsTrafficOnly")),
        blob_public_access=as_bool(public_blob) if public_blob is not None else None,
        # Storage names keySource even for Microsoft-managed keys.
        cmk=UNSEEN if key_source is None else key_source.lower() == "microsoft.keyvault",
        infrastructure_encryption=as_bool(dig(props, "encryption.requireInfrastructureEncryption")) is True,
        public_network_access=text(field(props, "publicNetworkAccess")),
        secondary_location=text(field(props, "secondaryLocation")),
    ))
    if not props:
        shape.attrs.update(cmk=UNSEEN, infrastructure_encryption=UNSEEN)
    return shape


def compute_disk(row: dict, props: dict) -> Shape:
    sku = text(sku_name(row))
    encryption = text(dig(props, "encryption.type"))
    shape = Shape(attrs=dict(
        sku=sku,
        zone_redundant=derive(sku or UNSEEN, lambda name: name.upper().endswith("_ZRS")),
        encryption_type=encryption,
        # Managed disks always name their encryption type (EncryptionAtRestWithPlatformKey by default).
        cmk=UNSEEN if encryption is None else "customerkey" in encryption.lower(),
        disk_state=text(field(props, "diskState")),
        size_gb=as_int(field(props, "diskSizeGB")),
    ))
    shape.ref("attached_to", arm_id(text(field(row, "managedBy"))))
    shape.ref("encrypted_by", arm_id(text(dig(props, "encryption.diskEncryptionSetId"))))
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
        # Child resources Resource Graph does not return; the live collector reads them
        # (sql_database_details) and an `az graph` export leaves them unknown (NOT_ASSESSED).
        transparent_data_encryption=None,
        backup_retention_days=None,
        geo_replica_locations=None,
    ))
    shape.ref("child_of", arm_id(row_id.rsplit("/databases/", 1)[0]) if "/databases/" in row_id.lower() else None)
    shape.ref("replica_of", arm_id(field(props, "sourceDatabaseId")) if shape.attrs["is_secondary"] else None)
    return shape


def sql_database_details(tde: dict | None, retention: dict | None, links: list | None) -> dict:
    """Attributes from a database's ARM child resources (transparentDataEncryption/current,
    backupShortTermRetentionPolicies/default, replicationLinks); None where a read failed."""
    attrs: dict = {}
    if tde is not None:
        attrs["transparent_data_encryption"] = str(dig(tde, "properties.state") or "").lower() == "enabled"
    if retention is not None:
        attrs["backup_retention_days"] = as_int(dig(retention, "properties.retentionDays"))
    if links is not None:
        # Links where this database is the primary name where its geo-secondaries live.
        attrs["geo_replica_locations"] = sorted({
            _location(dig(link, "properties.partnerLocation")) for link in links
            if str(dig(link, "properties.role") or "").lower() == "primary" and dig(link, "properties.partnerLocation")})
    return attrs


def _location(value) -> str:
    """'North Europe' (display name, as ARM child resources spell it) -> 'northeurope'."""
    return str(value or "").replace(" ", "").lower()


def sql_failover_group(row: dict, props: dict) -> Shape:
    partners = need_list(props, "partnerServers")
    databases = need_list(props, "databases")
    shape = Shape(attrs=dict(
        replication_role=text(field(props, "replicationRole")),
        failover_policy=text(dig(props, "readWriteEndpoint.failoverPolicy")),
        grace_period_minutes=as_int(dig(props, "readWriteEndpoint.failoverWithDataLossGracePeriodMinutes")),
        partner_locations=derive(partners, lambda found: sorted({_location(text(field(p, "location")))
                                                                 for p in found if text(field(p, "location"))})),
        database_count=derive(databases, len),
    ))
    for database in known_list(databases):  # the group keeps a copy of each in the partner region
        shape.ref("replicates", arm_id(text(database)))
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
        last_backup_status=field(props, "lastBackupStatus"),
        health_status=field(props, "healthStatus"),
    ))
    shape.ref("protects", arm_id(source))
    shape.ref("uses_policy", arm_id(policy))
    return shape


def replication_protected_item(row: dict, props: dict) -> Shape:
    """Azure Site Recovery: a VM replicated to a recovery region (A2A details name both ends)."""
    details = as_dict(field(props, "providerSpecificDetails"))
    source_vm = field(details, "fabricObjectId")
    shape = Shape(attrs=dict(
        replication_type=field(details, "instanceType"),
        source_resource_id=arm_id(source_vm),
        source_location=_location(field(details, "primaryFabricLocation")) or None,
        recovery_location=_location(field(details, "recoveryFabricLocation")) or None,
        protection_state=field(props, "protectionState"),
        replication_health=field(props, "replicationHealth"),
        rpo_seconds=as_int(field(details, "rpoInSeconds")),
        last_rpo_calculated=iso_time(field(details, "lastRpoCalculatedTime")),
        policy=field(props, "policyFriendlyName"),
    ))
    shape.ref("replicates", arm_id(source_vm))
    return shape


def availability_set(row: dict, props: dict) -> Shape:
    return Shape(attrs=dict(
        fault_domain_count=as_int(field(props, "platformFaultDomainCount")),
        update_domain_count=as_int(field(props, "platformUpdateDomainCount")),
        vm_count=derive(need_list(props, "virtualMachines"), len),
    ))


def load_balancer(row: dict, props: dict) -> Shape:
    frontends = as_list(field(props, "frontendIPConfigurations"))
    zone_counts = [len(as_list(field(f, "zones"))) for f in frontends]
    return Shape(attrs=dict(
        sku=sku_name(row),
        frontend_count=len(frontends),
        zone_redundant=bool(zone_counts) and min(zone_counts) >= 2,
    ))


def _traffic_manager_endpoint(endpoint: dict) -> dict:
    """One endpoint as the DR engine reads it: an endpoint with alwaysServe Enabled is never
    probed and always considered healthy, so traffic does not fail over away from it."""
    def prop(name: str):
        return text(dig(endpoint, f"properties.{name}") if dig(endpoint, "properties") is not None else field(endpoint, name))
    return dict(name=text(field(endpoint, "name")), priority=as_int(prop("priority")), weight=as_int(prop("weight")),
                status=prop("endpointStatus"), monitor_status=prop("endpointMonitorStatus"),
                always_serve=prop("alwaysServe"), location=prop("endpointLocation"),
                target=prop("target"), target_resource_id=arm_id(prop("targetResourceId")))


def traffic_manager_profile(row: dict, props: dict) -> Shape:
    endpoints = need_list(props, "endpoints")

    def enabled(endpoint: Any) -> Any:
        status = text(dig(endpoint, "properties.endpointStatus")) or text(field(endpoint, "endpointStatus"))
        return UNSEEN if status is None else status.lower() == "enabled"

    states = [] if endpoints is UNSEEN else [enabled(e) for e in endpoints]
    shape = Shape(attrs=dict(
        routing_method=text(field(props, "trafficRoutingMethod")),
        ttl=as_int(dig(props, "dnsConfig.ttl")),
        monitor_interval_s=as_int(dig(props, "monitorConfig.intervalInSeconds")),
        tolerated_failures=as_int(dig(props, "monitorConfig.toleratedNumberOfFailures")),
        monitor_protocol=text(dig(props, "monitorConfig.protocol")),
        profile_status=text(field(props, "profileStatus")),
        endpoint_count=derive(endpoints, len),
        enabled_endpoint_count=UNSEEN if endpoints is UNSEEN or UNSEEN in states else sum(states),
        profile_monitor_status=text(dig(props, "monitorConfig.profileMonitorStatus")),
        endpoints=derive(endpoints, lambda found: [_traffic_manager_endpoint(e) for e in found if isinstance(e, dict)]),
    ))
    for endpoint in known_list(endpoints):  # DNS record -> the endpoint it sends traffic to
        shape.ref("routes_to", arm_id(text(dig(endpoint, "properties.targetResourceId")) or text(field(endpoint, "targetResourceId"))))
    return shape


def front_door(row: dict, props: dict) -> Shape:
    """Front Door (classic): each backend pool should have two or more enabled backends and a health probe."""
    pools = need_list(props, "backendPools")
    if pools is UNSEEN:
        return Shape(attrs=dict(enabled_state=text(field(props, "enabledState"))))
    probes = {arm_id(text(field(p, "id"))): p for p in as_list(field(props, "healthProbeSettings"))}

    def state(item: Any) -> Any:
        value = text(dig(item, "properties.enabledState")) or text(field(item, "enabledState"))
        return UNSEEN if value is None else value.lower() == "enabled"

    enabled, probed = [], []
    for pool in pools:
        backends = dig(pool, "properties.backends") or field(pool, "backends")
        states = [state(b) for b in backends] if isinstance(backends, list) else [UNSEEN]
        enabled.append(UNSEEN if UNSEEN in states else sum(states))
        probe_id = text(dig(pool, "properties.healthProbeSettings.id")) or text(dig(pool, "healthProbeSettings.id"))
        probe = probes.get(arm_id(probe_id))
        probed.append(False if probe is None else state(probe))
    return Shape(attrs=dict(
        backend_pool_count=len(pools),
        min_enabled_backends=UNSEEN if UNSEEN in enabled else (min(enabled) if enabled else 0),
        health_probes_enabled=all_known(probed) if probed else False,
        enabled_state=text(field(props, "enabledState")),
    ))


def subscription(row: dict, props: dict) -> Shape:
    return Shape(attrs=dict(
        state=field(props, "state"),
        subscription_id=str(field(row, "subscriptionId") or "").lower(),
        # Derived from the role assignments of the same scan (count_owner_assignments); unknown otherwise.
        owner_assignment_count=None,
    ))


def count_owner_assignments(role_assignments) -> dict[str, int]:
    """Subscription id -> how many Owner assignments sit at the subscription's own scope."""
    counts: dict[str, int] = {}
    for resource in role_assignments:
        if resource.attrs.get("is_owner") and resource.attrs.get("subscription_scope"):
            counts[resource.account] = counts.get(resource.account, 0) + 1
    return counts


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
    role_id = text(field(props, "roleDefinitionId"))
    scope = text(field(props, "scope"))
    role = last_segment(role_id)
    return Shape(attrs=dict(
        principal_id=text(field(props, "principalId")),
        principal_type=text(field(props, "principalType")),
        role_definition=role or None,
        is_owner=UNSEEN if role_id is None else role.lower() == OWNER_ROLE_ID,
        scope=scope.lower() if scope is not None else UNSEEN,
        subscription_scope=UNSEEN if scope is None else bool(_SUBSCRIPTION_SCOPE.match(scope)),
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
    "microsoft.sql/servers/failovergroups": ("azure.sql.failover_group", sql_failover_group),
    "microsoft.keyvault/vaults": ("azure.keyvault.vault", key_vault),
    "microsoft.recoveryservices/vaults": ("azure.recoveryservices.vault", recovery_services_vault),
    "microsoft.recoveryservices/vaults/backuppolicies": ("azure.recoveryservices.backup_policy", backup_policy),
    "microsoft.recoveryservices/vaults/backupfabrics/protectioncontainers/protecteditems":
        ("azure.recoveryservices.protected_item", protected_item),
    "microsoft.recoveryservices/vaults/replicationfabrics/replicationprotectioncontainers/replicationprotecteditems":
        ("azure.recoveryservices.replicated_item", replication_protected_item),
    "microsoft.compute/availabilitysets": ("azure.compute.availability_set", availability_set),
    "microsoft.network/frontdoors": ("azure.network.front_door", front_door),
    "microsoft.resources/subscriptions": ("azure.resources.subscription", subscription),
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
