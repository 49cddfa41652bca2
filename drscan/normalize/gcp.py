"""GCP native REST JSON (Cloud Asset `resource.data` and `iamPolicy`) -> normalized attributes.

Each transform takes (data, iam_policy, location) and returns a Shape; `data` or `iam_policy`
may be empty when an export carried only one of them (gcloud exports resources and IAM
policies separately), in which case the attributes it would give are left out, not guessed.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from drscan.normalize.lookup import as_bool, as_int, as_list, dig, field, iso_time, last_segment
from drscan.normalize.shape import Shape

PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
PRIMITIVE_ROLES = {"roles/owner", "roles/editor"}
# Cloud Storage multi-regions: the default home of compute snapshots and a schedule's explicit choice.
STORAGE_MULTI_REGIONS = {"us", "eu", "asia"}
# Firestore multi-region locations (https://cloud.google.com/firestore/docs/locations).
FIRESTORE_MULTI_REGIONS = {"nam5", "nam7", "eur3"}
WORLD = {"0.0.0.0/0", "::/0"}
ADMIN_PORTS = (22, 3389)
# Google-managed service agents hold primitive roles by design; they are not the project's to fix.
GOOGLE_SERVICE_AGENT = re.compile(r"@(cloudservices\.gserviceaccount\.com|gcp-sa-[a-z-]+\.iam\.gserviceaccount\.com)$")
_SELF_LINK = re.compile(r"^https://(?:www|compute)\.googleapis\.com/compute/(?:v1|beta)/")


def compute_name(url: str | None) -> str | None:
    """Compute selfLink -> Cloud Asset full resource name."""
    if not url:
        return None
    return _SELF_LINK.sub("//compute.googleapis.com/", str(url))


def kms_key_name(key: str | None) -> str | None:
    """'projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1' -> CAI name of the key."""
    if not key:
        return None
    key = str(key).split("/cryptoKeyVersions/")[0]
    return key if key.startswith("//") else f"//cloudkms.googleapis.com/{key}"


def region_of(location: str | None) -> str:
    """'us-central1-a' -> 'us-central1'; 'US' -> 'us'; '' -> 'global'."""
    if not location:
        return "global"
    location = str(location).lower()
    if re.match(r"^[a-z]+-[a-z]+\d+-[a-z]$", location):
        return location.rsplit("-", 1)[0]
    return location


def zone_of(location: str | None) -> tuple[str, ...]:
    location = str(location or "").lower()
    return (location,) if re.match(r"^[a-z]+-[a-z]+\d+-[a-z]$", location) else ()


def duration_seconds(value) -> int | None:
    """'7776000s' -> 7776000."""
    if value is None:
        return None
    return as_int(str(value).rstrip("s"))


def public_members(iam: dict) -> list[str]:
    return sorted({m for b in as_list(field(iam, "bindings")) for m in as_list(field(b, "members")) if m in PUBLIC_MEMBERS})


def storage_bucket(data: dict, iam: dict, location: str) -> Shape:
    shape = Shape()
    if data:
        key = dig(data, "encryption.defaultKmsKeyName")
        shape.attrs.update(
            location_type=str(field(data, "locationType") or "").lower() or None,
            versioning_enabled=bool(as_bool(dig(data, "versioning.enabled"))),
            cmek_key=key,
            retention_period_s=as_int(dig(data, "retentionPolicy.retentionPeriod")),
            retention_locked=bool(as_bool(dig(data, "retentionPolicy.isLocked"))),
            uniform_access=bool(as_bool(dig(data, "iamConfiguration.uniformBucketLevelAccess.enabled"))),
            public_access_prevention=dig(data, "iamConfiguration.publicAccessPrevention") or "inherited",
            logging_enabled=bool(dig(data, "logging.logBucket")),
        )
        shape.ref("encrypted_by", kms_key_name(key))
    if iam:
        members = public_members(iam)
        shape.attrs.update(public_members=members, is_public=bool(members))
    return shape


def compute_disk(data: dict, iam: dict, location: str) -> Shape:
    replica_zones = [last_segment(z) for z in as_list(field(data, "replicaZones"))]
    zone = last_segment(field(data, "zone"))
    policies = [str(p) for p in as_list(field(data, "resourcePolicies"))]
    key = dig(data, "diskEncryptionKey.kmsKeyName")
    shape = Shape(
        attrs=dict(
            size_gb=as_int(field(data, "sizeGb")),
            disk_type=last_segment(field(data, "type")),
            regional=bool(replica_zones),
            users=[last_segment(u) for u in as_list(field(data, "users"))],
            resource_policies=[last_segment(p) for p in policies],
            cmek_key=key,
        ),
        zones=tuple(replica_zones) or ((zone,) if zone else ()),
    )
    for user in as_list(field(data, "users")):
        shape.ref("attached_to", compute_name(user))
    for policy in policies:
        shape.ref("scheduled_by", compute_name(policy))
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def compute_resource_policy(data: dict, iam: dict, location: str) -> Shape:
    policy = field(data, "snapshotSchedulePolicy")
    interval = None
    if policy:
        schedule = field(policy, "schedule") or {}
        if dig(schedule, "hourlySchedule"):
            interval = as_int(dig(schedule, "hourlySchedule.hoursInCycle"))
        elif dig(schedule, "dailySchedule"):
            interval = (as_int(dig(schedule, "dailySchedule.daysInCycle")) or 1) * 24
        elif dig(schedule, "weeklySchedule"):
            interval = 168
    locations = [str(s) for s in as_list(dig(policy, "snapshotProperties.storageLocations"))] if policy else []
    return Shape(attrs=dict(
        snapshot_schedule=bool(policy),
        interval_hours=interval,
        retention_days=as_int(dig(policy, "retentionPolicy.maxRetentionDays")) if policy else None,
        storage_locations=locations,
        storage_location_type=snapshot_location_type(locations) if policy else None,
    ))


def snapshot_location_type(locations: list[str]) -> str:
    """Unset: Compute Engine stores snapshots in the multi-region nearest the disk."""
    if not locations:
        return "default-multi-region"
    return "multi-region" if all(loc.lower() in STORAGE_MULTI_REGIONS for loc in locations) else "region"


def compute_snapshot(data: dict, iam: dict, location: str) -> Shape:
    key = dig(data, "snapshotEncryptionKey.kmsKeyName")
    shape = Shape(attrs=dict(
        source_disk=last_segment(field(data, "sourceDisk")),
        storage_locations=[str(s) for s in as_list(field(data, "storageLocations"))],
        created_at=iso_time(field(data, "creationTimestamp")),
        size_gb=as_int(field(data, "diskSizeGb")),
        cmek_key=key,
    ))
    shape.ref("snapshot_of", compute_name(field(data, "sourceDisk")))
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def compute_instance(data: dict, iam: dict, location: str) -> Shape:
    zone = last_segment(field(data, "zone"))
    nat = [c for n in as_list(field(data, "networkInterfaces")) for c in as_list(field(n, "accessConfigs")) if field(c, "natIP")]
    return Shape(
        attrs=dict(
            machine_type=last_segment(field(data, "machineType")),
            status=field(data, "status"),
            disks=[last_segment(field(d, "source")) for d in as_list(field(data, "disks"))],
            public_ip=bool(nat),
        ),
        zones=(zone,) if zone else (),
    )


def instance_group_manager(data: dict, iam: dict, location: str) -> Shape:
    zones = [last_segment(field(z, "zone")) for z in as_list(dig(data, "distributionPolicy.zones"))]
    zone = last_segment(field(data, "zone"))
    zones = zones or ([zone] if zone else [])
    return Shape(
        attrs=dict(regional=bool(field(data, "region")), zone_count=len(zones), target_size=as_int(field(data, "targetSize"))),
        zones=tuple(zones),
    )


def sql_instance(data: dict, iam: dict, location: str) -> Shape:
    settings = field(data, "settings") or {}
    backup = field(settings, "backupConfiguration") or {}
    ssl_mode = dig(settings, "ipConfiguration.sslMode")
    require_ssl = as_bool(dig(settings, "ipConfiguration.requireSsl"))
    pitr = as_bool(field(backup, "pointInTimeRecoveryEnabled"))
    if not pitr and str(field(data, "databaseVersion") or "").startswith("MYSQL"):
        pitr = as_bool(field(backup, "binaryLogEnabled"))  # MySQL PITR is binary logging
    project = last_segment(str(field(data, "selfLink") or "").split("/instances/")[0]) or str(field(data, "project") or "")
    master = field(data, "masterInstanceName")
    key = dig(data, "diskEncryptionConfiguration.kmsKeyName")
    zones = tuple(z for z in (field(data, "gceZone"), field(data, "secondaryGceZone")) if z)
    public_ip = bool(as_bool(dig(settings, "ipConfiguration.ipv4Enabled")))
    networks = sorted({str(field(n, "value")) for n in as_list(dig(settings, "ipConfiguration.authorizedNetworks"))
                       if field(n, "value")})
    shape = Shape(
        attrs=dict(
            database_version=field(data, "databaseVersion"),
            availability_type=field(settings, "availabilityType") or "ZONAL",
            backups_enabled=bool(as_bool(field(backup, "enabled"))),
            pitr_enabled=bool(pitr),
            backup_start_time=field(backup, "startTime"),
            backup_location=field(backup, "location"),
            retained_backups=as_int(dig(backup, "backupRetentionSettings.retainedBackups")),
            require_ssl=(ssl_mode in {"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"}) or bool(require_ssl),
            ssl_mode=ssl_mode,
            public_ip=public_ip,
            authorized_networks=networks,
            open_to_internet=public_ip and bool(WORLD & set(networks)),
            deletion_protection=bool(as_bool(field(settings, "deletionProtectionEnabled"))),
            cmek_key=key,
            is_replica=bool(master),
            replica_names=[str(r) for r in as_list(field(data, "replicaNames"))],
            disk_size_gb=as_int(field(settings, "dataDiskSizeGb")),
        ),
        zones=zones,
    )
    if master:
        master_project, _, master_name = str(master).rpartition(":")
        shape.ref("replica_of", f"//cloudsql.googleapis.com/projects/{master_project or project}/instances/{master_name}")
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def kms_crypto_key(data: dict, iam: dict, location: str) -> Shape:
    rotation = duration_seconds(field(data, "rotationPeriod"))
    return Shape(attrs=dict(
        purpose=field(data, "purpose"),
        rotation_period_s=rotation,
        rotation_enabled=rotation is not None,
        primary_state=dig(data, "primary.state"),
    ))


def container_cluster(data: dict, iam: dict, location: str) -> Shape:
    where = str(field(data, "location") or location or "")
    locations = [str(z) for z in as_list(field(data, "locations"))]
    key = dig(data, "databaseEncryption.keyName")
    shape = Shape(
        attrs=dict(
            regional=not zone_of(where),
            node_zones=locations,
            secrets_encrypted=dig(data, "databaseEncryption.state") == "ENCRYPTED",
            logging_enabled=(field(data, "loggingService") or "logging.googleapis.com/kubernetes") != "none",
        ),
        zones=tuple(locations),
    )
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def resourcemanager_project(data: dict, iam: dict, location: str) -> Shape:
    shape = Shape()
    if data:
        shape.attrs.update(project_id=field(data, "projectId"), project_number=str(field(data, "projectNumber") or ""),
                           lifecycle_state=field(data, "lifecycleState"))
        shape.name = field(data, "projectId")
    if iam:
        bindings = as_list(field(iam, "bindings"))
        primitive_sa = sorted({m for b in bindings if field(b, "role") in PRIMITIVE_ROLES
                               for m in as_list(field(b, "members"))
                               if str(m).startswith("serviceAccount:") and not GOOGLE_SERVICE_AGENT.search(str(m))})
        primitive_users = sorted({m for b in bindings if field(b, "role") in PRIMITIVE_ROLES
                                  for m in as_list(field(b, "members")) if str(m).startswith("user:")})
        logged = set()
        for config in as_list(field(iam, "auditConfigs")):
            if field(config, "service") == "allServices":
                logged |= {field(c, "logType") for c in as_list(field(config, "auditLogConfigs"))}
        shape.attrs.update(
            public_members=public_members(iam),
            service_accounts_with_primitive_roles=primitive_sa,
            users_with_primitive_roles=primitive_users,
            audit_log_types=sorted(t for t in logged if t),
            data_access_logging={"DATA_READ", "DATA_WRITE"} <= logged,
        )
    return shape


def iam_service_account(data: dict, iam: dict, location: str) -> Shape:
    return Shape(attrs=dict(email=field(data, "email"), disabled=bool(as_bool(field(data, "disabled")))))


def iam_service_account_key(data: dict, iam: dict, location: str) -> Shape:
    return Shape(attrs=dict(
        key_type=field(data, "keyType"),
        created_at=iso_time(field(data, "validAfterTime")),
        disabled=bool(as_bool(field(data, "disabled"))),
    ))


def dns_managed_zone(data: dict, iam: dict, location: str) -> Shape:
    return Shape(attrs=dict(dns_name=field(data, "dnsName"), visibility=field(data, "visibility"),
                            dnssec_enabled=dig(data, "dnssecConfig.state") == "on"))


def _health_checked(targets: Any) -> bool:
    """A HealthCheckTargets object naming internal load balancers or external endpoints."""
    return bool(as_list(field(targets, "internalLoadBalancers")) or as_list(field(targets, "externalEndpoints")))


def _geo_items(policy: Any) -> list[dict]:
    return [dict(location=field(i, "location"), rrdatas=[str(r) for r in as_list(field(i, "rrdatas"))],
                 health_checked=_health_checked(field(i, "healthCheckedTargets")))
            for i in as_list(field(policy, "items"))]


def dns_record_set(data: dict, iam: dict, location: str) -> Shape:
    """Cloud DNS ResourceRecordSet (dns/docs/reference/rest/v1/resourceRecordSets): a routing
    policy answers from primaryBackup's primary targets while their health checks pass, and
    from each geo / weighted item whose healthCheckedTargets are healthy; items without health
    checked targets are always answered."""
    policy = field(data, "routingPolicy")
    attrs: dict[str, Any] = dict(name=field(data, "name"), type=field(data, "type"), ttl=as_int(field(data, "ttl")),
                                 rrdatas=[str(r) for r in as_list(field(data, "rrdatas"))], routing_policy="simple",
                                 health_check=field(policy, "healthCheck") if isinstance(policy, dict) else None)
    if isinstance(policy, dict):
        primary_backup, geo = field(policy, "primaryBackup"), field(policy, "geo") or field(policy, "geoPolicy")
        wrr = field(policy, "wrr") or field(policy, "wrrPolicy")
        if isinstance(primary_backup, dict):
            backup = _geo_items(field(primary_backup, "backupGeoTargets"))
            attrs.update(routing_policy="primary_backup",
                         primary_health_checked=_health_checked(field(primary_backup, "primaryTargets")),
                         backup_locations=[i["location"] for i in backup if i["location"]], items=backup,
                         trickle_ratio=field(primary_backup, "trickleTraffic"))
        elif isinstance(geo, dict):
            attrs.update(routing_policy="geo", items=_geo_items(geo), fencing=bool(as_bool(field(geo, "enableFencing"))))
        elif isinstance(wrr, dict):
            attrs.update(routing_policy="weighted", items=[
                dict(weight=field(i, "weight"), rrdatas=[str(r) for r in as_list(field(i, "rrdatas"))],
                     health_checked=_health_checked(field(i, "healthCheckedTargets"))) for i in as_list(field(wrr, "items"))])
    return Shape(attrs=attrs)


def compute_firewall(data: dict, iam: dict, location: str) -> Shape:
    """Ingress rules allowing SSH/RDP (or all ports) from anywhere, as 'tcp:22' entries."""
    open_to_world: list[str] = []
    ingress = str(field(data, "direction") or "INGRESS") == "INGRESS"
    if ingress and not as_bool(field(data, "disabled")) and WORLD & {str(r) for r in as_list(field(data, "sourceRanges"))}:
        for allowed in as_list(field(data, "allowed")):
            protocol = str(field(allowed, "IPProtocol") or "").lower()
            if protocol not in ("tcp", "all"):
                continue
            ports = as_list(field(allowed, "ports"))
            open_to_world += [f"tcp:{p}" for p in ADMIN_PORTS if not ports or any(_port_in(p, r) for r in ports)]
    return Shape(attrs=dict(
        direction=field(data, "direction") or "INGRESS",
        disabled=bool(as_bool(field(data, "disabled"))),
        source_ranges=[str(r) for r in as_list(field(data, "sourceRanges"))],
        admin_ports_open_to_world=sorted(set(open_to_world)),
        network=last_segment(field(data, "network")),
    ))


def _port_in(port: int, spec) -> bool:
    """'22' or '20-30' covers port?"""
    low, _, high = str(spec).partition("-")
    try:
        return int(low) <= port <= int(high or low)
    except ValueError:
        return False


def spanner_instance(data: dict, iam: dict, location: str) -> Shape:
    config = last_segment(field(data, "config"))
    if config.startswith("regional-"):
        config_type = "regional"
    elif re.match(r"^(nam|eur|asia)[0-9a-z-]*$", config):
        config_type = "multi-region"  # nam3, eur3, nam-eur-asia1, ...
    else:
        config_type = None  # custom configurations: the instance config resource says, CAI's instance does not
    return Shape(attrs=dict(
        config=config or None,
        config_type=config_type,
        node_count=as_int(field(data, "nodeCount")),
        processing_units=as_int(field(data, "processingUnits")),
        state=field(data, "state"),
    ))


def firestore_database(data: dict, iam: dict, location: str) -> Shape:
    where = str(field(data, "locationId") or location or "").lower()
    key = dig(data, "cmekConfig.kmsKeyName")
    shape = Shape(attrs=dict(
        database_type=field(data, "type"),
        location_id=where or None,
        multi_region=where in FIRESTORE_MULTI_REGIONS if where else None,
        pitr_enabled=field(data, "pointInTimeRecoveryEnablement") == "POINT_IN_TIME_RECOVERY_ENABLED",
        delete_protection=field(data, "deleteProtectionState") == "DELETE_PROTECTION_ENABLED",
        cmek_key=key,
    ))
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


Transform = Callable[[dict, dict, str], Shape]

# Cloud Asset type -> (drscan kind, transform)
ASSET_TYPES: dict[str, tuple[str, Transform]] = {
    "storage.googleapis.com/Bucket": ("gcp.storage.bucket", storage_bucket),
    "compute.googleapis.com/Disk": ("gcp.compute.disk", compute_disk),
    "compute.googleapis.com/RegionDisk": ("gcp.compute.disk", compute_disk),
    "compute.googleapis.com/Snapshot": ("gcp.compute.snapshot", compute_snapshot),
    "compute.googleapis.com/ResourcePolicy": ("gcp.compute.resource_policy", compute_resource_policy),
    "compute.googleapis.com/Instance": ("gcp.compute.instance", compute_instance),
    "compute.googleapis.com/InstanceGroupManager": ("gcp.compute.instance_group_manager", instance_group_manager),
    "compute.googleapis.com/RegionInstanceGroupManager": ("gcp.compute.instance_group_manager", instance_group_manager),
    "sqladmin.googleapis.com/Instance": ("gcp.sql.instance", sql_instance),
    "cloudkms.googleapis.com/CryptoKey": ("gcp.kms.crypto_key", kms_crypto_key),
    "container.googleapis.com/Cluster": ("gcp.container.cluster", container_cluster),
    "cloudresourcemanager.googleapis.com/Project": ("gcp.resourcemanager.project", resourcemanager_project),
    "iam.googleapis.com/ServiceAccount": ("gcp.iam.service_account", iam_service_account),
    "iam.googleapis.com/ServiceAccountKey": ("gcp.iam.service_account_key", iam_service_account_key),
    "dns.googleapis.com/ManagedZone": ("gcp.dns.managed_zone", dns_managed_zone),
    "dns.googleapis.com/ResourceRecordSet": ("gcp.dns.record_set", dns_record_set),
    "compute.googleapis.com/Firewall": ("gcp.compute.firewall", compute_firewall),
    "spanner.googleapis.com/Instance": ("gcp.spanner.instance", spanner_instance),
    "firestore.googleapis.com/Database": ("gcp.firestore.database", firestore_database),
}


def generic_kind(asset_type: str) -> str:
    """'pubsub.googleapis.com/Topic' -> 'gcp.pubsub.topic'."""
    service, _, type_name = str(asset_type).partition("/")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).lower()
    return f"gcp.{service.split('.')[0]}.{snake or 'unknown'}"
