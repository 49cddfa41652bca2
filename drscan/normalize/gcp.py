"""GCP native REST JSON (Cloud Asset `resource.data` and `iamPolicy`) -> normalized attributes.

Each transform takes (data, iam_policy, location) and returns a Shape; `data` or `iam_policy`
may be empty when an export carried only one of them (gcloud exports resources and IAM
policies separately), in which case the attributes it would give are left out, not guessed.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from drscan.normalize.lookup import (UNSEEN, need, as_bool, as_int, as_list, derive, dig, field, iso_time, last_segment,
                                     need_bool, need_int, need_list, need_text, text)
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


def public_members(iam: dict) -> Any:
    """allUsers / allAuthenticatedUsers in a policy's bindings; UNSEEN when the bindings (or a
    binding's members) are missing and none of the readable ones is public."""
    bindings = field(iam, "bindings")
    if not isinstance(bindings, list):
        return UNSEEN
    found, unknown = set(), False
    for binding in bindings:
        members = field(binding, "members")
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            unknown = True
        found |= {m for m in members if m in PUBLIC_MEMBERS} if isinstance(members, list) else set()
    return sorted(found) if found or not unknown else UNSEEN


def storage_bucket(data: dict, iam: dict, location: str) -> Shape:
    shape = Shape()
    if data:
        # Cloud Storage leaves out versioning, retention, uniform access and logging while they are
        # not configured: absence is the value a rule can only fail on.
        key = text(dig(data, "encryption.defaultKmsKeyName"))
        shape.attrs.update(
            location_type=(text(field(data, "locationType")) or "").lower() or None,
            versioning_enabled=as_bool(dig(data, "versioning.enabled")) is True,
            cmek_key=key,
            retention_period_s=as_int(dig(data, "retentionPolicy.retentionPeriod")),
            retention_locked=as_bool(dig(data, "retentionPolicy.isLocked")) is True,
            uniform_access=as_bool(dig(data, "iamConfiguration.uniformBucketLevelAccess.enabled")) is True,
            public_access_prevention=text(dig(data, "iamConfiguration.publicAccessPrevention")) or "inherited",
            logging_enabled=bool(text(dig(data, "logging.logBucket"))),
        )
        shape.ref("encrypted_by", kms_key_name(key))
    if iam:
        members = public_members(iam)
        shape.attrs.update(public_members=members, is_public=derive(members, bool))
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
    if not isinstance(policy, dict):  # another kind of resource policy (placement, instance schedule)
        return Shape(attrs=dict(snapshot_schedule=False, interval_hours=None, retention_days=None,
                                storage_locations=[], storage_location_type=None))
    schedule = field(policy, "schedule")
    interval: Any = UNSEEN
    if isinstance(schedule, dict):
        if dig(schedule, "hourlySchedule"):
            interval = need_int(schedule, "hourlySchedule.hoursInCycle")
        elif dig(schedule, "dailySchedule"):
            interval = derive(need_int(schedule, "dailySchedule.daysInCycle"), lambda days: days * 24)
        elif dig(schedule, "weeklySchedule"):
            interval = 168
    # Unset storage locations mean "the multi-region nearest the disk"; an export without them
    # cannot be told from one that lost them, so the location type is only judged on what was seen.
    locations = need_list(policy, "snapshotProperties.storageLocations")
    return Shape(attrs=dict(
        snapshot_schedule=True,
        interval_hours=interval,
        retention_days=as_int(dig(policy, "retentionPolicy.maxRetentionDays")),
        storage_locations=derive(locations, lambda found: [str(s) for s in found]),
        storage_location_type=derive(locations, lambda found: snapshot_location_type([str(s) for s in found])),
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
        storage_locations=derive(need_list(data, "storageLocations"), lambda found: [str(s) for s in found]),
        created_at=iso_time(field(data, "creationTimestamp")),
        size_gb=as_int(field(data, "diskSizeGb")),
        cmek_key=key,
    ))
    shape.ref("snapshot_of", compute_name(field(data, "sourceDisk")))
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def compute_instance(data: dict, iam: dict, location: str) -> Shape:
    zone = last_segment(text(field(data, "zone")))
    interfaces = need_list(data, "networkInterfaces")
    disks = need_list(data, "disks")
    return Shape(
        attrs=dict(
            machine_type=last_segment(text(field(data, "machineType"))),
            status=text(field(data, "status")),
            disks=derive(disks, lambda found: [last_segment(text(field(d, "source"))) for d in found]),
            public_ip=derive(interfaces, lambda found: any(text(field(c, "natIP")) for n in found
                                                          for c in as_list(field(n, "accessConfigs")))),
        ),
        zones=(zone,) if zone else (),
    )


def instance_group_manager(data: dict, iam: dict, location: str) -> Shape:
    zones = [z for z in (last_segment(text(field(z, "zone"))) for z in as_list(dig(data, "distributionPolicy.zones"))) if z]
    zone = last_segment(text(field(data, "zone")))
    zones = zones or ([zone] if zone else [])
    region = text(field(data, "region"))
    return Shape(
        attrs=dict(regional=bool(region), zone_count=len(zones) if zones or region else UNSEEN,
                   target_size=as_int(field(data, "targetSize"))),
        zones=tuple(zones),
    )


def sql_instance(data: dict, iam: dict, location: str) -> Shape:
    settings = field(data, "settings")
    settings = settings if isinstance(settings, dict) else None
    backup = field(settings, "backupConfiguration") if settings else None
    backup = backup if isinstance(backup, dict) else None
    ip_config = field(settings, "ipConfiguration") if settings else None
    ip_config = ip_config if isinstance(ip_config, dict) else None
    version = text(field(data, "databaseVersion")) or ""
    pitr = UNSEEN if backup is None else need_bool(backup, "pointInTimeRecoveryEnabled")
    if pitr is not True and backup is not None and version.startswith("MYSQL"):
        pitr = need_bool(backup, "binaryLogEnabled")  # MySQL PITR is binary logging
    project = last_segment((text(field(data, "selfLink")) or "").split("/instances/")[0]) or text(field(data, "project")) or ""
    master = text(field(data, "masterInstanceName"))
    key = text(dig(data, "diskEncryptionConfiguration.kmsKeyName"))
    zones = tuple(z for z in (text(field(data, "gceZone")), text(field(data, "secondaryGceZone"))) if z)
    ssl_mode = text(field(ip_config, "sslMode")) if ip_config else None
    require_ssl = as_bool(field(ip_config, "requireSsl")) if ip_config else None
    public_ip = UNSEEN if ip_config is None else need_bool(ip_config, "ipv4Enabled")
    networks = UNSEEN if ip_config is None else _authorized_networks(field(ip_config, "authorizedNetworks"))
    if public_ip is False:
        open_to_internet = False
    elif networks is UNSEEN:
        open_to_internet = UNSEEN
    else:
        open_to_internet = public_ip if WORLD & set(networks) else False
    if ssl_mode is None and require_ssl is None:
        require = UNSEEN
    else:
        require = ssl_mode in {"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"} or require_ssl is True
    shape = Shape(
        attrs=dict(
            database_version=version or None,
            availability_type=UNSEEN if settings is None else need_text(settings, "availabilityType"),
            backups_enabled=UNSEEN if backup is None else need_bool(backup, "enabled"),
            pitr_enabled=pitr,
            backup_start_time=text(field(backup, "startTime")) if backup else None,
            backup_location=text(field(backup, "location")) if backup else None,
            retained_backups=as_int(dig(backup, "backupRetentionSettings.retainedBackups")) if backup else None,
            require_ssl=require,
            ssl_mode=ssl_mode,
            public_ip=public_ip,
            authorized_networks=networks,
            open_to_internet=open_to_internet,
            # Cloud SQL leaves deletionProtectionEnabled out until it is set.
            deletion_protection=UNSEEN if settings is None else as_bool(field(settings, "deletionProtectionEnabled")) is True,
            cmek_key=key,
            is_replica=bool(master),
            replica_names=[t for t in (text(r) for r in as_list(field(data, "replicaNames"))) if t],
            disk_size_gb=as_int(field(settings, "dataDiskSizeGb")) if settings else None,
        ),
        zones=zones,
    )
    if master:
        master_project, _, master_name = master.rpartition(":")
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
    where = text(field(data, "location")) or location or ""
    locations = [t for t in (text(z) for z in as_list(field(data, "locations"))) if t]
    key = text(dig(data, "databaseEncryption.keyName"))
    service = text(field(data, "loggingService"))
    if service:
        logging = service != "none"
    else:  # clusters configured with loggingConfig instead: logging is on when it names components
        components = dig(data, "loggingConfig.componentConfig.enableComponents")
        logging = bool(components) if isinstance(components, list) else UNSEEN
    shape = Shape(
        attrs=dict(
            regional=not zone_of(where) if where else UNSEEN,
            node_zones=locations,
            secrets_encrypted=text(dig(data, "databaseEncryption.state")) == "ENCRYPTED",
            logging_enabled=logging,
        ),
        zones=tuple(locations),
    )
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def resourcemanager_project(data: dict, iam: dict, location: str) -> Shape:
    shape = Shape()
    if data:
        shape.attrs.update(project_id=text(field(data, "projectId")), project_number=text(field(data, "projectNumber")) or "",
                           lifecycle_state=text(field(data, "lifecycleState")))
        shape.name = text(field(data, "projectId"))
    if iam:
        bindings = field(iam, "bindings")
        logged = set()
        for config in as_list(field(iam, "auditConfigs")):
            if field(config, "service") == "allServices":
                logged |= {text(field(c, "logType")) for c in as_list(field(config, "auditLogConfigs"))}
        shape.attrs.update(
            public_members=public_members(iam),
            service_accounts_with_primitive_roles=_members_with_roles(
                bindings, PRIMITIVE_ROLES, lambda m: m.startswith("serviceAccount:") and not GOOGLE_SERVICE_AGENT.search(m)),
            users_with_primitive_roles=_members_with_roles(bindings, PRIMITIVE_ROLES, lambda m: m.startswith("user:")),
            # auditConfigs is left out while no service has audit logging configured.
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
                            dnssec_enabled=derive(need(data, "dnssecConfig.state"), lambda state: state == "on")))


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
    """Ingress rules allowing SSH/RDP (or all ports) from anywhere, as 'tcp:22' entries; UNSEEN
    when the rule's sources or allowed protocols are missing."""
    direction = text(field(data, "direction")) or "INGRESS"  # the API's default
    disabled = as_bool(field(data, "disabled")) is True  # left out while false
    ranges = field(data, "sourceRanges")
    named_sources = any(field(data, key) for key in ("sourceTags", "sourceServiceAccounts"))
    if isinstance(ranges, list):
        sources = {text(r) for r in ranges}
        world = True if WORLD & sources else (UNSEEN if None in sources else False)
    else:  # an ingress rule names its sources; without ranges it must name tags or service accounts
        world = False if named_sources or direction != "INGRESS" else UNSEEN
    allowed = field(data, "allowed")
    open_to_world: Any = []
    if direction == "INGRESS" and not disabled and world is not False:
        if not isinstance(allowed, list):
            open_to_world = [] if field(data, "denied") is not None else UNSEEN
        else:
            hits, unknown = set(), False
            for entry in allowed:
                protocol = text(field(entry, "IPProtocol"))
                if protocol is None:
                    unknown = True
                    continue
                if protocol.lower() not in ("tcp", "all"):
                    continue
                ports = as_list(field(entry, "ports"))  # no ports: every port
                if any(text(r) is None for r in ports):
                    unknown = True
                hits |= {f"tcp:{p}" for p in ADMIN_PORTS if not ports or any(_port_in(p, r) for r in ports)}
            if world is UNSEEN:
                open_to_world = UNSEEN if hits or unknown else []
            else:
                open_to_world = sorted(hits) if hits or not unknown else UNSEEN
    return Shape(attrs=dict(
        direction=direction,
        disabled=disabled,
        source_ranges=[t for t in (text(r) for r in as_list(ranges)) if t],
        admin_ports_open_to_world=open_to_world,
        network=last_segment(text(field(data, "network"))),
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


# Transforms that read the IAM policy as well as the resource: they run when either was exported
# (gcloud exports the two separately). The others give nothing without `resource.data`.
READS_IAM = frozenset({storage_bucket, resourcemanager_project})


def generic_kind(asset_type: str) -> str:
    """'pubsub.googleapis.com/Topic' -> 'gcp.pubsub.topic'."""
    service, _, type_name = str(asset_type).partition("/")
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).lower()
    return f"gcp.{service.split('.')[0]}.{snake or 'unknown'}"


def _authorized_networks(listed: Any) -> Any:
    """The CIDRs allowed to connect; UNSEEN when the list or one of its entries is missing (an
    instance with a public IP and an unseen list may be open to the internet)."""
    if not isinstance(listed, list):
        return UNSEEN
    values = [text(field(n, "value")) for n in listed]
    return UNSEEN if None in values else sorted(set(values))


def _members_with_roles(bindings: Any, roles: set[str], kind: Any) -> Any:
    """Members of `kind` (a predicate) holding one of `roles`; UNSEEN when a binding whose
    role or members are missing could add one."""
    if not isinstance(bindings, list):
        return UNSEEN
    found, unknown = set(), False
    for binding in bindings:
        role, members = text(field(binding, "role")), field(binding, "members")
        if not isinstance(members, list):
            unknown = unknown or role is None or role in roles
            continue
        if not all(isinstance(m, str) for m in members):  # an unreadable member may be one
            unknown = unknown or role is None or role in roles
        matching = {m for m in members if isinstance(m, str) and kind(m)}
        if role is None:
            unknown = unknown or bool(matching)
        elif role in roles:
            found |= matching
    return sorted(found) if found or not unknown else UNSEEN
