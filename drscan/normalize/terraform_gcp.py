"""Terraform Google provider values (hashicorp/google 4.x-6.x) -> the normalized attributes
drscan/normalize/gcp.py gives the same resources from Cloud Asset Inventory.

Same conventions as terraform_aws.py: v.UNKNOWN values are left out (NOT_ASSESSED), provider
defaults for omitted arguments are used where the provider documents them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from drscan.normalize.gcp import (PUBLIC_MEMBERS, compute_name, duration_seconds, kms_key_name, region_of,
                                  snapshot_location_type, zone_of)
from drscan.normalize.lookup import last_segment
from drscan.normalize.shape import Shape

if TYPE_CHECKING:
    from drscan.normalize.terraform_values import TerraformValues

MULTI_REGIONS = {"US", "EU", "ASIA"}
DUAL_REGIONS = {"ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4"}  # predefined dual-regions
SSL_REQUIRED = {"ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"}
# Self links -> Cloud Asset Inventory full resource names
_SELF_LINKS = (
    (re.compile(r"^https://(?:www|compute)\.googleapis\.com/compute/(?:v1|beta|alpha)/"), "//compute.googleapis.com/"),
    (re.compile(r"^https://www\.googleapis\.com/storage/v1/b/"), "//storage.googleapis.com/"),
    (re.compile(r"^https://sqladmin\.googleapis\.com/sql/v1(?:beta4)?/"), "//cloudsql.googleapis.com/"),
    (re.compile(r"^https://container\.googleapis\.com/v1(?:beta1)?/"), "//container.googleapis.com/"),
)


def asset_name(self_link: Any) -> str | None:
    for pattern, prefix in _SELF_LINKS:
        if isinstance(self_link, str) and pattern.match(self_link):
            return pattern.sub(prefix, self_link)
    return None


def _unknown(v: "TerraformValues", *values: Any) -> bool:
    return any(x is v.UNKNOWN for x in values)


def _target(v: "TerraformValues", value: Any, convert: Callable[[str], str | None]) -> Any:
    """A reference as the id drscan gives its target: a planned address as is, else converted."""
    return value if not isinstance(value, str) or v.is_address(value) else convert(value)


def _location_type(v: "TerraformValues", location: Any, placement: Any) -> Any:
    if _unknown(v, location, placement) or not isinstance(location, str):
        return v.UNKNOWN
    if placement or location.upper() in DUAL_REGIONS:
        return "dual-region"
    return "multi-region" if location.upper() in MULTI_REGIONS else "region"


def storage_bucket(v: "TerraformValues") -> Shape:
    key = v.ref("encryption.0.default_kms_key_name")
    log_bucket = v.value("logging.0.log_bucket")
    shape = Shape(attrs=dict(
        location_type=_location_type(v, v.value("location"), v.value("custom_placement_config.0.data_locations")),
        versioning_enabled=v.flag("versioning.0.enabled", default=False),  # no versioning block: off
        cmek_key=key,
        retention_period_s=v.number("retention_policy.0.retention_period"),
        retention_locked=v.flag("retention_policy.0.is_locked", default=False),
        uniform_access=v.flag("uniform_bucket_level_access"),
        public_access_prevention=v.value("public_access_prevention"),
        logging_enabled=log_bucket if log_bucket is v.UNKNOWN else bool(log_bucket),
    ))
    shape.ref("encrypted_by", _target(v, key, kms_key_name))
    return shape


def _public(members: Any) -> Shape:
    """IAM member/binding resources are not authoritative: they can show a bucket public, never private."""
    public = sorted({m for m in members if m in PUBLIC_MEMBERS}) if isinstance(members, list) else []
    return Shape(attrs=dict(public_members=public, is_public=True) if public else {})


def bucket_iam_member(v: "TerraformValues") -> Shape:
    return _public([v.value("member")])


def bucket_iam_binding(v: "TerraformValues") -> Shape:
    return _public(v.value("members"))


def _bucket_link(v: "TerraformValues") -> Any:
    bucket = v.ref("bucket")  # the state records "b/<name>"
    return bucket[2:] if isinstance(bucket, str) and bucket.startswith("b/") else bucket


def compute_disk(v: "TerraformValues") -> Shape:
    replica_zones = v.value("replica_zones", null=[])
    zone = v.value("zone")
    policies = v.refs("resource_policies")
    key = v.ref("disk_encryption_key.0.kms_key_self_link")
    users = v.value("users", null=[])
    zones = [last_segment(z) for z in replica_zones] if isinstance(replica_zones, list) and replica_zones else (
        [last_segment(zone)] if isinstance(zone, str) else [])
    shape = Shape(attrs=dict(
        size_gb=v.number("size"),
        disk_type=v.value("type", last_segment),
        regional=replica_zones if replica_zones is v.UNKNOWN else bool(replica_zones),
        users=users if users is v.UNKNOWN else [last_segment(u) for u in users],
        resource_policies=policies if policies is v.UNKNOWN else [p if v.is_address(p) else last_segment(p) for p in policies],
        cmek_key=key,
    ), zones=tuple(zones))
    for user in users if isinstance(users, list) else []:
        shape.ref("attached_to", compute_name(user))
    for policy in policies if isinstance(policies, list) else []:
        shape.ref("scheduled_by", _target(v, policy, compute_name))
    shape.ref("encrypted_by", _target(v, key, kms_key_name))
    return shape


def disk_policy_attachment(v: "TerraformValues") -> Shape:
    """google_compute_(region_)disk_resource_policy_attachment: a resource policy on a disk."""
    policy = v.ref("name")
    zone, region = v.value("zone"), v.value("region")
    shape = Shape(attrs=dict(resource_policies=[policy] if isinstance(policy, str) else v.UNKNOWN))
    where = region if isinstance(region, str) else region_of(zone) if isinstance(zone, str) else None
    if isinstance(policy, str) and not v.is_address(policy) and isinstance(v.value("project"), str) and where:
        policy = f"//compute.googleapis.com/projects/{v.value('project')}/regions/{where}/resourcePolicies/{policy}"
    shape.ref("scheduled_by", policy)
    return shape


def compute_resource_policy(v: "TerraformValues") -> Shape:
    policy = v.value("snapshot_schedule_policy")
    if policy is v.UNKNOWN:
        return Shape(attrs=dict(snapshot_schedule=v.UNKNOWN))
    base = "snapshot_schedule_policy.0."
    interval: Any = None
    if v.value(base + "schedule.0.hourly_schedule"):
        interval = v.number(base + "schedule.0.hourly_schedule.0.hours_in_cycle")
    elif v.value(base + "schedule.0.daily_schedule"):
        days = v.number(base + "schedule.0.daily_schedule.0.days_in_cycle")
        interval = days if days is v.UNKNOWN else (days or 1) * 24
    elif v.value(base + "schedule.0.weekly_schedule"):
        interval = 168
    locations = v.value(base + "snapshot_properties.0.storage_locations", null=[])
    listed = locations if locations is v.UNKNOWN else [str(s) for s in locations]
    return Shape(attrs=dict(
        snapshot_schedule=bool(policy),
        interval_hours=interval,
        retention_days=v.number(base + "retention_policy.0.max_retention_days"),
        storage_locations=listed,
        storage_location_type=None if not policy else listed if listed is v.UNKNOWN else snapshot_location_type(listed),
    ))


def sql_instance(v: "TerraformValues") -> Shape:
    backup, ip = "settings.0.backup_configuration.0.", "settings.0.ip_configuration.0."
    version = v.value("database_version")
    pitr = v.flag(backup + "point_in_time_recovery_enabled", default=False)
    if isinstance(version, str) and version.startswith("MYSQL") and pitr is not True:
        pitr = v.flag(backup + "binary_log_enabled", default=False)  # MySQL PITR is binary logging
    ssl_mode, require = v.value(ip + "ssl_mode"), v.flag(ip + "require_ssl")
    if ssl_mode in SSL_REQUIRED or require is True:
        require_ssl: Any = True
    else:
        require_ssl = v.UNKNOWN if ssl_mode is v.UNKNOWN else False
    master = v.ref("master_instance_name")
    if master is v.UNKNOWN and v.configured("master_instance_name") is False:
        master = None  # computed, but only a replica's configuration sets it: this is a primary
    key = v.ref("encryption_key_name")
    zones = [v.value("settings.0.location_preference.0.zone"), v.value("settings.0.location_preference.0.secondary_zone")]
    shape = Shape(attrs=dict(
        database_version=version,
        availability_type=v.value("settings.0.availability_type", null="ZONAL"),  # provider default
        backups_enabled=v.flag(backup + "enabled", default=False),
        pitr_enabled=pitr,
        backup_start_time=v.value(backup + "start_time"),
        backup_location=v.value(backup + "location"),
        retained_backups=v.number(backup + "backup_retention_settings.0.retained_backups"),
        require_ssl=require_ssl,
        ssl_mode=ssl_mode,
        public_ip=v.flag(ip + "ipv4_enabled", default=True),                       # provider default: true
        deletion_protection=v.flag("settings.0.deletion_protection_enabled", default=False),  # the API's own guard
        terraform_deletion_protection=v.flag("deletion_protection", default=True),  # Terraform's guard, default true
        cmek_key=key,
        is_replica=master if master is v.UNKNOWN else bool(master),
        replica_source=master,
        disk_size_gb=v.number("settings.0.disk_size"),
    ), zones=tuple(z for z in zones if isinstance(z, str) and z))
    project = v.value("project")
    if isinstance(master, str) and not v.is_address(master):
        master_project, _, master_name = master.rpartition(":")
        master = f"//cloudsql.googleapis.com/projects/{master_project or project}/instances/{master_name}"
    shape.ref("replica_of", master)
    shape.ref("encrypted_by", _target(v, key, kms_key_name))
    return shape


def kms_crypto_key(v: "TerraformValues") -> Shape:
    rotation = v.value("rotation_period", duration_seconds)
    return Shape(attrs=dict(
        purpose=v.value("purpose", null="ENCRYPT_DECRYPT"),  # provider default
        rotation_period_s=rotation,
        rotation_enabled=rotation if rotation is v.UNKNOWN else rotation is not None,
        primary_state=v.value("primary.0.state"),
    ))


def container_cluster(v: "TerraformValues") -> Shape:
    location = v.value("location")
    nodes = v.value("node_locations")
    state, key = v.value("database_encryption.0.state"), v.ref("database_encryption.0.key_name")
    logging = v.value("logging_service", null="logging.googleapis.com/kubernetes")  # provider default
    shape = Shape(attrs=dict(
        regional=location if location is v.UNKNOWN else not zone_of(location),
        node_zones=sorted(nodes) if isinstance(nodes, list) else nodes,
        secrets_encrypted=state if state is v.UNKNOWN else state == "ENCRYPTED",
        logging_enabled=logging if logging is v.UNKNOWN else logging != "none",
    ), zones=tuple(sorted(nodes)) if isinstance(nodes, list) else ())
    shape.ref("encrypted_by", _target(v, key, kms_key_name))
    return shape


Transform = Callable[["TerraformValues"], Shape]

TERRAFORM_TYPES: dict[str, tuple[str, Transform]] = {
    "google_storage_bucket": ("gcp.storage.bucket", storage_bucket),
    "google_compute_disk": ("gcp.compute.disk", compute_disk),
    "google_compute_region_disk": ("gcp.compute.disk", compute_disk),
    "google_compute_resource_policy": ("gcp.compute.resource_policy", compute_resource_policy),
    "google_sql_database_instance": ("gcp.sql.instance", sql_instance),
    "google_kms_crypto_key": ("gcp.kms.crypto_key", kms_crypto_key),
    "google_container_cluster": ("gcp.container.cluster", container_cluster),
}

# type -> (parent types, attribute naming the parent (or a function of the values), transform, additive)
FOLDED_TYPES: dict[str, tuple[tuple[str, ...], Any, Transform, bool]] = {
    "google_compute_disk_resource_policy_attachment": (("google_compute_disk",), "disk", disk_policy_attachment, True),
    "google_compute_region_disk_resource_policy_attachment":
        (("google_compute_region_disk",), "disk", disk_policy_attachment, True),
    "google_storage_bucket_iam_member": (("google_storage_bucket",), _bucket_link, bucket_iam_member, True),
    "google_storage_bucket_iam_binding": (("google_storage_bucket",), _bucket_link, bucket_iam_binding, True),
}

TERRAFORM_ARGUMENTS: dict[tuple[str, str], str] = {
    ("google_sql_database_instance", "pitr_enabled"): "settings.backup_configuration.point_in_time_recovery_enabled",
    ("google_sql_database_instance", "backups_enabled"): "settings.backup_configuration.enabled",
    ("google_sql_database_instance", "deletion_protection"): "settings.deletion_protection_enabled",
    ("google_sql_database_instance", "terraform_deletion_protection"): "deletion_protection",
    ("google_sql_database_instance", "replica_source"): "master_instance_name",
    ("google_storage_bucket", "versioning_enabled"): "versioning.enabled",
    ("google_compute_resource_policy", "snapshot_schedule"): "snapshot_schedule_policy",
}


def cloud_id(type_: str, v: "TerraformValues", others: dict[str, list[dict]]) -> str | None:
    """The Cloud Asset Inventory name: the self link converted, else built from project and name."""
    converted = asset_name(v.value("self_link"))
    if converted:
        return converted
    name, project = v.value("name"), v.value("project")
    if not isinstance(name, str) or not name:
        return None
    if type_ == "google_storage_bucket":
        return f"//storage.googleapis.com/{name}"
    if type_ == "google_kms_crypto_key":
        key = v.value("id")
        key = key if isinstance(key, str) and key.startswith("projects/") else f"{v.value('key_ring')}/cryptoKeys/{name}"
        return kms_key_name(key) if key.startswith("projects/") else None
    if not isinstance(project, str):
        return None
    if type_ == "google_sql_database_instance":
        return f"//cloudsql.googleapis.com/projects/{project}/instances/{name}"
    zone, region = v.value("zone"), v.value("region")
    if type_ == "google_compute_disk" and isinstance(zone, str):
        return f"//compute.googleapis.com/projects/{project}/zones/{last_segment(zone)}/disks/{name}"
    if type_ == "google_compute_region_disk" and isinstance(region, str):
        return f"//compute.googleapis.com/projects/{project}/regions/{last_segment(region)}/disks/{name}"
    if type_ == "google_compute_resource_policy" and isinstance(region, str):
        return f"//compute.googleapis.com/projects/{project}/regions/{last_segment(region)}/resourcePolicies/{name}"
    if type_ == "google_container_cluster" and isinstance(v.value("location"), str):
        return f"//container.googleapis.com/projects/{project}/locations/{v.value('location')}/clusters/{name}"
    return None


def account_of(resource_id: str, v: "TerraformValues") -> str | None:
    match = re.search(r"/projects/([^/]+)", resource_id)
    project = match.group(1) if match else v.value("project")
    return project if isinstance(project, str) and project else None
