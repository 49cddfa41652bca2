"""Every Cloud Asset type drscan reads -> (drscan kind, transform): the core table of
drscan.normalize.gcp plus the services in gcp_gke, gcp_data, gcp_governance and gcp_backupdr.
The importer (drscan/collect/imports/gcp_asset.py) and the live plan (drscan/collect/gcp/plan.py)
both look types up here."""

from __future__ import annotations

from drscan.normalize import gcp, gcp_backupdr, gcp_data, gcp_governance, gcp_gke
from drscan.normalize.gcp import Transform, generic_kind
from drscan.normalize.shape import Shape

__all__ = ["ASSET_TYPES", "READS_IAM", "generic_kind", "extend"]


def extend(base: Transform, extra: Transform) -> Transform:
    """A transform that adds `extra`'s attributes and references to `base`'s."""

    def transform(data: dict, iam: dict, location: str) -> Shape:
        shape = base(data, iam, location)
        more = extra(data, iam, location)
        shape.attrs.update(more.attrs)
        shape.refs.extend(more.refs)
        shape.zones = shape.zones or more.zones
        shape.name = shape.name or more.name
        return shape

    return transform


ASSET_TYPES: dict[str, tuple[str, Transform]] = {
    **gcp.ASSET_TYPES,
    "container.googleapis.com/Cluster": ("gcp.container.cluster", extend(gcp.container_cluster, gcp_gke.cluster)),
    "container.googleapis.com/NodePool": ("gcp.container.node_pool", gcp_gke.node_pool),
    "dns.googleapis.com/ManagedZone": ("gcp.dns.managed_zone", extend(gcp.dns_managed_zone, gcp_governance.dns_zone_dnssec)),
    "dns.googleapis.com/Policy": ("gcp.dns.policy", gcp_governance.dns_policy),
    "compute.googleapis.com/Network": ("gcp.compute.network", gcp_governance.compute_network),
    "spanner.googleapis.com/Database": ("gcp.spanner.database", gcp_data.spanner_database),
    "spanner.googleapis.com/Backup": ("gcp.spanner.backup", gcp_data.spanner_backup),
    "redis.googleapis.com/Instance": ("gcp.redis.instance", gcp_data.redis_instance),
    "file.googleapis.com/Instance": ("gcp.file.instance", gcp_data.filestore_instance),
    "file.googleapis.com/Backup": ("gcp.file.backup", gcp_data.filestore_backup),
    "pubsub.googleapis.com/Topic": ("gcp.pubsub.topic", gcp_data.pubsub_topic),
    "pubsub.googleapis.com/Subscription": ("gcp.pubsub.subscription", gcp_data.pubsub_subscription),
    "bigquery.googleapis.com/Dataset": ("gcp.bigquery.dataset", gcp_data.bigquery_dataset),
    "bigquery.googleapis.com/Table": ("gcp.bigquery.table", gcp_data.bigquery_table),
    "logging.googleapis.com/LogSink": ("gcp.logging.log_sink", gcp_governance.log_sink),
    "logging.googleapis.com/LogBucket": ("gcp.logging.log_bucket", gcp_governance.log_bucket),
    "orgpolicy.googleapis.com/Policy": ("gcp.orgpolicy.policy", gcp_governance.org_policy),
    "cloudresourcemanager.googleapis.com/Organization": ("gcp.resourcemanager.organization", gcp_governance.organization),
    "essentialcontacts.googleapis.com/Contact": ("gcp.essentialcontacts.contact", gcp_governance.essential_contact),
    "backupdr.googleapis.com/BackupVault": ("gcp.backupdr.backup_vault", gcp_backupdr.backup_vault),
    "backupdr.googleapis.com/BackupPlan": ("gcp.backupdr.backup_plan", gcp_backupdr.backup_plan),
    "backupdr.googleapis.com/BackupPlanAssociation": ("gcp.backupdr.backup_plan_association", gcp_backupdr.backup_plan_association),
}

# Transforms that read the asset's IAM policy, so an IAM-only export (no resource.data) still
# goes through them: the core ones and the new services whose access facts come from IAM.
READS_IAM = gcp.READS_IAM | {gcp_data.pubsub_topic, gcp_data.bigquery_dataset}
