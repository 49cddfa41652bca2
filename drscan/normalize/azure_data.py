"""Azure data services (ARM bodies as Resource Graph returns them) -> normalized attributes:
Cosmos DB accounts (regions, multi-region writes, failover, periodic or continuous backup) and
Azure Cache for Redis (zones, geo-replication links, TLS, persistence).

ARM writes booleans out explicitly; one that must be true to pass is read as false when absent
(the value a rule can only fail on), and any value that would pass when absent stays absent.
"""

from __future__ import annotations

from drscan.normalize.azure_aks import on
from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field
from drscan.normalize.shape import Shape

TLS12 = ("tls12", "tls13", "1.2", "1.3")


def _location(value) -> str:
    return str(value or "").replace(" ", "").lower()


def cosmos_account(row: dict, props: dict) -> Shape:
    if not props:
        return Shape()
    locations = [loc for loc in as_list(field(props, "locations")) if isinstance(loc, dict)]
    names = sorted({_location(field(loc, "locationName")) for loc in locations if field(loc, "locationName")})
    backup_type = dig(props, "backupPolicy.type")
    periodic = dig(props, "backupPolicy.periodicModeProperties") or {}
    redundancy = field(periodic, "backupStorageRedundancy")
    public = field(props, "publicNetworkAccess")
    ip_rules = as_list(field(props, "ipRules"))
    tls = field(props, "minimalTlsVersion")
    key_uri = field(props, "keyVaultKeyUri")
    return Shape(attrs=dict(
        api_kind=field(row, "kind"),
        region_count=len(names) if "locations" in props else None,
        regions=names if "locations" in props else None,
        multi_region_writes=on(props, "enableMultipleWriteLocations"),
        automatic_failover=on(props, "enableAutomaticFailover"),
        zone_redundant=all(on(loc, "isZoneRedundant") for loc in locations) if locations else None,
        backup_type=backup_type,
        continuous_backup=str(backup_type).lower() == "continuous" if backup_type else None,
        continuous_tier=dig(props, "backupPolicy.continuousModeProperties.tier"),
        backup_interval_minutes=as_int(field(periodic, "backupIntervalInMinutes")),
        backup_retention_hours=as_int(field(periodic, "backupRetentionIntervalInHours")),
        backup_redundancy=redundancy,
        public_network_access=public,
        network_restricted=(str(public).lower() == "disabled" or on(props, "isVirtualNetworkFilterEnabled")
                            or bool(ip_rules)) if public is not None else None,
        local_auth_disabled=on(props, "disableLocalAuth"),
        cmk=bool(key_uri),
        min_tls_version=tls,
        tls12=str(tls).lower() in TLS12 if tls else None,
    ))


def redis_cache(row: dict, props: dict) -> Shape:
    """microsoft.cache/redis: `linkedServers` lists the geo-replication links (Premium)."""
    if not props:
        return Shape()
    sku = dig(props, "sku.name") or dig(row, "sku.name")
    zones = [str(z) for z in as_list(field(row, "zones"))]
    config = field(props, "redisConfiguration") or {}
    non_ssl = field(props, "enableNonSslPort")
    tls = field(props, "minimumTlsVersion")
    linked = field(props, "linkedServers")
    return Shape(attrs=dict(
        sku=sku,
        basic_sku=str(sku).lower() == "basic" if sku else None,
        zone_count=len(zones),
        zone_redundant=len(zones) >= 2 or str(field(props, "zonalAllocationPolicy") or "").lower() == "automatic",
        replicas_per_primary=as_int(field(props, "replicasPerPrimary") or field(props, "replicasPerMaster")),
        non_ssl_port=as_bool(non_ssl) if non_ssl is not None else None,
        min_tls_version=tls,
        tls12=str(tls).lower() in TLS12 if tls else None,
        public_network_access=field(props, "publicNetworkAccess"),
        geo_replicated=bool(linked) if isinstance(linked, list) else None,
        persistence=(as_bool(field(config, "rdb-backup-enabled")) is True
                     or as_bool(field(config, "aof-backup-enabled")) is True),
        rdb_backup_frequency_minutes=as_int(field(config, "rdb-backup-frequency")),
        # Each link is a child resource (.../linkedServers/<other cache>), not the other cache's id.
        linked_servers=sorted(str(field(link, "id")).rsplit("/", 1)[-1].lower() for link in linked) if isinstance(linked, list) else None,
        redis_version=field(props, "redisVersion"),
    ))
