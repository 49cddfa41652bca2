"""Every ARM type drscan reads -> (drscan kind, transform): the core table of
drscan.normalize.azure plus AKS, data services, web tier and security configuration. The importer
(drscan/collect/imports/azure_graph.py) and the live collector (drscan/collect/azure/queries.py)
both look types up here. New kinds keep the names a generic import already gave them
(`azure.<namespace>.<type>`), so history and links to them stay stable."""

from __future__ import annotations

from drscan.normalize import azure, azure_aks, azure_data, azure_security, azure_web
from drscan.normalize.azure import Transform, generic_kind
from drscan.normalize.shape import Shape

__all__ = ["ARM_TYPES", "generic_kind", "extend"]


def extend(base: Transform, extra: Transform) -> Transform:
    """A transform that adds `extra`'s attributes and references to `base`'s."""

    def transform(row: dict, props: dict) -> Shape:
        shape = base(row, props)
        more = extra(row, props)
        shape.attrs.update(more.attrs)
        shape.refs.extend(more.refs)
        return shape

    return transform


RECOVERY_VAULT = "microsoft.recoveryservices/vaults"
REPLICATED_ITEM = ("microsoft.recoveryservices/vaults/replicationfabrics/replicationprotectioncontainers/"
                   "replicationprotecteditems")
FRONT_DOOR = "microsoft.network/frontdoors"

ARM_TYPES: dict[str, tuple[str, Transform]] = {
    **azure.ARM_TYPES,
    RECOVERY_VAULT: (azure.ARM_TYPES[RECOVERY_VAULT][0],
                     extend(azure.ARM_TYPES[RECOVERY_VAULT][1], azure_security.recovery_vault_extras)),
    REPLICATED_ITEM: (azure.ARM_TYPES[REPLICATED_ITEM][0],
                      extend(azure.ARM_TYPES[REPLICATED_ITEM][1], azure_security.replicated_item_extras)),
    FRONT_DOOR: (azure.ARM_TYPES[FRONT_DOOR][0], extend(azure.ARM_TYPES[FRONT_DOOR][1], azure_web.front_door_waf)),
    "microsoft.containerservice/managedclusters": ("azure.containerservice.managedclusters", azure_aks.managed_cluster),
    "microsoft.documentdb/databaseaccounts": ("azure.documentdb.databaseaccounts", azure_data.cosmos_account),
    "microsoft.cache/redis": ("azure.cache.redis", azure_data.redis_cache),
    "microsoft.web/serverfarms": ("azure.web.serverfarms", azure_web.app_service_plan),
    "microsoft.web/sites": ("azure.web.sites", azure_web.app_service_site),
    "microsoft.security/pricings": ("azure.security.pricings", azure_security.defender_pricing),
    "microsoft.security/securitycontacts": ("azure.security.securitycontacts", azure_security.security_contact),
    "microsoft.insights/diagnosticsettings": ("azure.insights.diagnosticsettings", azure_security.diagnostic_setting),
    "microsoft.keyvault/vaults/keys": ("azure.keyvault.vaults_keys", azure_security.key_vault_key),
}
