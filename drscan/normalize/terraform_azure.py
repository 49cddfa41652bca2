"""Terraform azurerm provider values (hashicorp/azurerm 3.x-4.x) -> the normalized attributes
drscan/normalize/azure.py gives the same resources from Resource Graph.

Same conventions as terraform_aws.py. ARM ids are lower-cased, as the importer does; planned
addresses are left as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from drscan.normalize.shape import Shape

if TYPE_CHECKING:
    from drscan.normalize.terraform_values import TerraformValues


def _arm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) and value.startswith("/") else value


def _first_known(v: "TerraformValues", paths: tuple[str, ...], default: Any = None) -> Any:
    """The first argument the provider version has: azurerm 4 renamed several (enable_x -> x_enabled)."""
    for path in paths:
        value = v.flag(path, default=default)
        if value is not v.UNKNOWN:
            return value
    return v.UNKNOWN


def _zones(v: "TerraformValues", zones: list) -> tuple[str, ...]:
    return tuple(f"{v.region}-{z}" for z in zones if isinstance(z, (str, int)) and str(z))


def storage_account(v: "TerraformValues") -> Shape:
    tier, replication = v.value("account_tier"), v.value("account_replication_type")
    cmk = v.value("customer_managed_key")
    network = _first_known(v, ("public_network_access_enabled",), default=True)  # provider default: true
    return Shape(attrs=dict(
        sku=v.UNKNOWN if v.UNKNOWN in (tier, replication) else f"{tier}_{replication}",
        geo_redundant=replication if replication is v.UNKNOWN else any(s in str(replication).upper() for s in ("GRS", "GZRS")),
        zone_redundant=replication if replication is v.UNKNOWN else "ZRS" in str(replication).upper(),
        min_tls_version=v.value("min_tls_version", null="TLS1_2"),  # provider default since 3.0
        https_only=_first_known(v, ("https_traffic_only_enabled", "enable_https_traffic_only"), default=True),
        blob_public_access=_first_known(v, ("allow_nested_items_to_be_public", "allow_blob_public_access"), default=True),
        cmk=cmk if cmk is v.UNKNOWN else bool(cmk),  # or the azurerm_storage_account_customer_managed_key resource
        infrastructure_encryption=v.flag("infrastructure_encryption_enabled", default=False),
        public_network_access=network if network is v.UNKNOWN else ("Enabled" if network else "Disabled"),
        secondary_location=v.value("secondary_location"),
    ))


def storage_customer_managed_key(v: "TerraformValues") -> Shape:
    return Shape(attrs=dict(cmk=True))


def managed_disk(v: "TerraformValues") -> Shape:
    sku = v.value("storage_account_type")
    encryption_set = v.ref("disk_encryption_set_id")
    zone = v.value("zone")
    shape = Shape(attrs=dict(
        sku=sku,
        zone_redundant=sku if sku is v.UNKNOWN else str(sku).upper().endswith("_ZRS"),
        # a disk encryption set means a customer key; without one Azure uses a platform key
        encryption_type=encryption_set if encryption_set is v.UNKNOWN else (
            "EncryptionAtRestWithCustomerKey" if encryption_set else "EncryptionAtRestWithPlatformKey"),
        cmk=encryption_set if encryption_set is v.UNKNOWN else bool(encryption_set),
        size_gb=v.number("disk_size_gb"),
    ), zones=_zones(v, [zone]))
    shape.ref("encrypted_by", _arm(encryption_set))
    return shape


def disk_attachment(v: "TerraformValues") -> Shape:
    shape = Shape()
    shape.ref("attached_to", _arm(v.ref("virtual_machine_id")))
    return shape


def virtual_machine(v: "TerraformValues") -> Shape:
    """azurerm_linux_virtual_machine / azurerm_windows_virtual_machine (zone), azurerm_virtual_machine (zones)."""
    zone, zones = v.value("zone"), v.value("zones")
    if isinstance(zone, str) and zone:
        listed: Any = [zone]
    elif isinstance(zones, list) and zones:
        listed = [str(z) for z in zones if z]
    elif zone is None or zones is None or zones == []:
        listed = []
    else:
        listed = v.UNKNOWN
    availability_set = _arm(v.ref("availability_set_id"))
    return Shape(attrs=dict(
        vm_size=v.value("size") if v.known("size") else v.value("vm_size"),
        zone_count=listed if listed is v.UNKNOWN else len(listed),
        availability_set=availability_set,
        zonal_or_availability_set=(v.UNKNOWN if v.UNKNOWN in (listed, availability_set)
                                   else bool(listed) or bool(availability_set)),
        encryption_at_host=v.flag("encryption_at_host_enabled", default=False),
    ), zones=_zones(v, listed) if isinstance(listed, list) else ())


def sql_server(v: "TerraformValues") -> Shape:
    network = v.flag("public_network_access_enabled", default=True)  # provider default: true
    return Shape(attrs=dict(
        min_tls_version=v.value("minimum_tls_version", null="1.2"),  # provider default
        public_network_access=network if network is v.UNKNOWN else ("Enabled" if network else "Disabled"),
    ))


def sql_database(v: "TerraformValues") -> Shape:
    redundancy = v.value("storage_account_type", null="Geo")  # provider default: Geo
    mode = v.value("create_mode", null="Default")
    source = _arm(v.ref("creation_source_database_id"))
    size = v.number("max_size_gb")
    secondary = mode if mode is v.UNKNOWN else mode in ("Secondary", "OnlineSecondary")
    shape = Shape(attrs=dict(
        is_system_database=False,  # Terraform cannot manage master
        zone_redundant=v.flag("zone_redundant"),
        backup_redundancy=redundancy,
        geo_backup=redundancy if redundancy is v.UNKNOWN else str(redundancy).lower() in {"geo", "geozone"},
        is_secondary=secondary,
        replica_source=source if secondary is True else None,
        max_size_bytes=size if size is v.UNKNOWN or size is None else size * 1024 ** 3,
        transparent_data_encryption=v.flag("transparent_data_encryption_enabled", default=True),  # provider default
    ))
    shape.ref("child_of", _arm(v.ref("server_id")))
    if secondary is True:
        shape.ref("replica_of", source)
    return shape


def key_vault(v: "TerraformValues") -> Shape:
    network = v.flag("public_network_access_enabled", default=True)
    return Shape(attrs=dict(
        soft_delete=True,  # always on: azurerm 3.0 removed soft_delete_enabled, Azure no longer allows turning it off
        soft_delete_retention_days=v.value("soft_delete_retention_days", null=90),  # provider default
        purge_protection=v.flag("purge_protection_enabled", default=False),        # provider default: false
        rbac_authorization=_first_known(v, ("rbac_authorization_enabled", "enable_rbac_authorization"), default=False),
        public_network_access=network if network is v.UNKNOWN else ("Enabled" if network else "Disabled"),
    ))


def recovery_services_vault(v: "TerraformValues") -> Shape:
    redundancy = v.value("storage_mode_type", null="GeoRedundant")  # provider default
    soft_delete = v.flag("soft_delete_enabled", default=True)         # provider default: true
    return Shape(attrs=dict(
        storage_redundancy=redundancy,
        geo_redundant=redundancy if redundancy is v.UNKNOWN else str(redundancy).lower() == "georedundant",
        cross_region_restore=v.flag("cross_region_restore_enabled", default=False),  # provider default: false
        immutability_state=v.value("immutability", null="Disabled"),
        soft_delete_state=soft_delete if soft_delete is v.UNKNOWN else ("Enabled" if soft_delete else "Disabled"),
    ))


def _vault_of(v: "TerraformValues", child: str) -> Any:
    """The Recovery Services vault a policy or protected item belongs to (its id is the vault's id + child)."""
    vault = v.ref("recovery_vault_name")
    if v.is_address(vault):
        return vault
    resource_id = _arm(v.value("id"))
    return resource_id.split(child)[0] if isinstance(resource_id, str) and child in resource_id else None


def backup_policy_vm(v: "TerraformValues") -> Shape:
    frequency = v.value("backup.0.frequency")
    interval: Any = {"daily": 24, "weekly": 168}.get(str(frequency).lower()) if isinstance(frequency, str) else frequency
    if isinstance(frequency, str) and frequency.lower() == "hourly":
        interval = v.number("backup.0.hour_interval")
    shape = Shape(attrs=dict(frequency=frequency, interval_hours=interval,
                             retention_days=v.number("retention_daily.0.count")))
    shape.ref("child_of", _vault_of(v, "/backuppolicies/"))
    return shape


def backup_protected_vm(v: "TerraformValues") -> Shape:
    source, policy = _arm(v.ref("source_vm_id")), _arm(v.ref("backup_policy_id"))
    shape = Shape(attrs=dict(source_resource_id=source, protection_state=v.value("protection_state")))
    shape.ref("protects", source)
    shape.ref("uses_policy", policy)
    shape.ref("child_of", _vault_of(v, "/backupfabrics/"))
    return shape


Transform = Callable[["TerraformValues"], Shape]

TERRAFORM_TYPES: dict[str, tuple[str, Transform]] = {
    "azurerm_storage_account": ("azure.storage.account", storage_account),
    "azurerm_managed_disk": ("azure.compute.disk", managed_disk),
    "azurerm_linux_virtual_machine": ("azure.compute.virtual_machine", virtual_machine),
    "azurerm_windows_virtual_machine": ("azure.compute.virtual_machine", virtual_machine),
    "azurerm_virtual_machine": ("azure.compute.virtual_machine", virtual_machine),
    "azurerm_mssql_server": ("azure.sql.server", sql_server),
    "azurerm_mssql_database": ("azure.sql.database", sql_database),
    "azurerm_key_vault": ("azure.keyvault.vault", key_vault),
    "azurerm_recovery_services_vault": ("azure.recoveryservices.vault", recovery_services_vault),
    "azurerm_backup_policy_vm": ("azure.recoveryservices.backup_policy", backup_policy_vm),
    "azurerm_backup_protected_vm": ("azure.recoveryservices.protected_item", backup_protected_vm),
}

# type -> (parent types, attribute naming the parent, transform, additive)
FOLDED_TYPES: dict[str, tuple[tuple[str, ...], Any, Transform, bool]] = {
    "azurerm_storage_account_customer_managed_key":
        (("azurerm_storage_account",), "storage_account_id", storage_customer_managed_key, False),
    "azurerm_virtual_machine_data_disk_attachment": (("azurerm_managed_disk",), "managed_disk_id", disk_attachment, True),
}

TERRAFORM_ARGUMENTS: dict[tuple[str, str], str] = {
    ("azurerm_mssql_database", "replica_source"): "creation_source_database_id",
}


def cloud_id(type_: str, v: "TerraformValues", others: dict[str, list[dict]]) -> str | None:
    resource_id = v.value("id")
    return resource_id.lower() if isinstance(resource_id, str) and resource_id.startswith("/subscriptions/") else None


def account_of(resource_id: str, v: "TerraformValues") -> str | None:
    parts = resource_id.split("/")
    return parts[2] if resource_id.startswith("/subscriptions/") and len(parts) > 2 else None
