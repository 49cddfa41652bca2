"""GKE in Cloud Asset Inventory (container.googleapis.com/Cluster and NodePool, `resource.data` is the
GKE REST JSON) -> normalized attributes for the cluster's control plane and for each node pool.

Google APIs leave false booleans and empty messages out of their JSON: within a cluster whose data
is present, a missing flag is false, which is the value a rule on it can only fail on. Attributes
whose passing value would be "false" are not derived (deleting a field must never make a rule pass).
https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters
"""

from __future__ import annotations

import re
from datetime import date

from drscan.normalize.dated_facts import kubernetes_end_of_support
from drscan.normalize.gcp import kms_key_name
from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field
from drscan.normalize.shape import Shape

RELEASE_CHANNELS = ("RAPID", "REGULAR", "STABLE", "EXTENDED")
_MINOR = re.compile(r"^v?(\d+\.\d+)")


def flag(obj, path: str) -> bool:
    """A proto3 boolean inside data that is present: missing means false."""
    return as_bool(dig(obj, path)) is True


def minor_version(version) -> str | None:
    """'1.30.5-gke.1014001' -> '1.30'."""
    match = _MINOR.match(str(version or ""))
    return match.group(1) if match else None


def _components(data: dict, config: str, service: str) -> bool | None:
    """Cloud Logging / Cloud Monitoring on? The legacy `*Service` field names the backend ('none'
    when off); newer clusters describe it in `*Config.componentConfig.enableComponents`."""
    named = field(data, service)
    if named:
        return str(named) != "none"
    components = dig(data, f"{config}.componentConfig.enableComponents")
    if isinstance(components, list):
        return bool(components)
    if isinstance(field(data, config), dict):
        return False  # the config is there and enables nothing
    return None


def cluster(data: dict, iam: dict, location: str) -> Shape:
    """Control-plane facts added to drscan.normalize.gcp.container_cluster's attributes."""
    if not data:
        return Shape()
    channel = field(data, "releaseChannel")
    window = dig(data, "maintenancePolicy.window")
    private_endpoint = flag(data, "privateClusterConfig.enablePrivateEndpoint")
    authorized = flag(data, "masterAuthorizedNetworksConfig.enabled")
    network_policy = (flag(data, "networkPolicy.enabled")
                      or dig(data, "networkConfig.datapathProvider") == "ADVANCED_DATAPATH")  # Dataplane V2 enforces it
    binauthz = str(dig(data, "binaryAuthorization.evaluationMode") or "")
    version = field(data, "currentMasterVersion") or field(data, "initialClusterVersion")
    return Shape(attrs=dict(
        monitoring_enabled=_components(data, "monitoringConfig", "monitoringService"),
        managed_prometheus=flag(data, "monitoringConfig.managedPrometheusConfig.enabled"),
        release_channel=(str(field(channel, "channel") or "UNSPECIFIED") if isinstance(channel, dict) else None),
        private_nodes=flag(data, "privateClusterConfig.enablePrivateNodes")
        or flag(data, "networkConfig.defaultEnablePrivateNodes"),
        private_endpoint=private_endpoint,
        master_authorized_networks=authorized,
        control_plane_restricted=private_endpoint or authorized,
        network_policy=network_policy,
        workload_identity=bool(dig(data, "workloadIdentityConfig.workloadPool")),
        shielded_nodes=flag(data, "shieldedNodes.enabled"),
        binary_authorization=binauthz.startswith("PROJECT_SINGLETON_POLICY_ENFORCE")
        or binauthz == "POLICY_BINDINGS_AND_PROJECT_SINGLETON_POLICY_ENFORCE" or flag(data, "binaryAuthorization.enabled"),
        maintenance_window=isinstance(window, dict) and bool(
            field(window, "dailyMaintenanceWindow") or field(window, "recurringWindow")),
        autopilot=flag(data, "autopilot.enabled"),
        master_version=str(version) if version else None,
        version_end_of_support=_end_of_support("gke", version),
        node_pool_count=len(as_list(field(data, "nodePools"))) if "nodePools" in data else None,
    ))


def _end_of_support(platform: str, version) -> str | None:
    minor = minor_version(version)
    end: date | None = kubernetes_end_of_support(platform, minor) if minor else None
    return f"{end.isoformat()}T00:00:00Z" if end else None


def node_pool(data: dict, iam: dict, location: str) -> Shape:
    """container.googleapis.com/NodePool: its own asset, named under its cluster."""
    locations = [str(z) for z in as_list(field(data, "locations"))]
    key = dig(data, "config.bootDiskKmsKey")
    shape = Shape(attrs=dict(
        auto_upgrade=flag(data, "management.autoUpgrade"),
        auto_repair=flag(data, "management.autoRepair"),
        autoscaling=flag(data, "autoscaling.enabled") or flag(data, "autoscaling.autoprovisioned"),
        secure_boot=flag(data, "config.shieldedInstanceConfig.enableSecureBoot"),
        integrity_monitoring=flag(data, "config.shieldedInstanceConfig.enableIntegrityMonitoring"),
        gke_metadata_server=dig(data, "config.workloadMetadataConfig.mode") == "GKE_METADATA",
        zone_count=len(locations) if "locations" in data else None,
        node_count=as_int(field(data, "initialNodeCount")),
        machine_type=dig(data, "config.machineType"),
        version=field(data, "version"),
        version_end_of_support=_end_of_support("gke", field(data, "version")),
        boot_disk_cmek=key,
    ), zones=tuple(locations))
    shape.ref("encrypted_by", kms_key_name(key))
    shape.ref("child_of", cluster_of_pool(field(data, "selfLink")))
    return shape


_CONTAINER_LINK = re.compile(r"^https://container\.googleapis\.com/v[0-9a-z]+/")


def cluster_of_pool(self_link) -> str | None:
    """'https://container.googleapis.com/v1/projects/p/locations/l/clusters/c/nodePools/np' -> the
    cluster's Cloud Asset name '//container.googleapis.com/projects/p/locations/l/clusters/c'."""
    parent, found, _ = str(self_link or "").rpartition("/nodePools/")
    if not found or not _CONTAINER_LINK.match(parent):
        return None
    return _CONTAINER_LINK.sub("//container.googleapis.com/", parent)
