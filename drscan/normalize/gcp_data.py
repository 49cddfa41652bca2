"""GCP data services in Cloud Asset Inventory (`resource.data` is each service's REST JSON) ->
normalized attributes: Spanner databases and backups, Memorystore for Redis, Filestore instances
and backups, Pub/Sub topics and subscriptions, BigQuery datasets and tables.

Google APIs leave false booleans and unset messages out of their JSON, so inside data that is
present a missing flag is false (a rule can only fail on it); a value whose absence could read as
a pass (a retention window, an access list) stays absent when its field is.
"""

from __future__ import annotations

import re

from drscan.normalize.gcp import PUBLIC_MEMBERS, duration_seconds, kms_key_name, public_members
from drscan.normalize.lookup import as_bool, as_int, as_list, derive, dig, field, iso_time, last_segment
from drscan.normalize.shape import Shape

# BigQuery multi-regions (https://cloud.google.com/bigquery/docs/locations#multi-regions).
BIGQUERY_MULTI_REGIONS = {"us", "eu"}
FILESTORE_REGIONAL_TIERS = {"REGIONAL", "ENTERPRISE"}  # replicated across zones of a region
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def flag(obj, path: str) -> bool:
    return as_bool(dig(obj, path)) is True


def short_duration_seconds(value) -> int | None:
    """Spanner's versionRetentionPeriod: '1h', '3d', '90m', '7200s' -> seconds."""
    match = _DURATION.match(str(value or "").strip())
    return int(float(match.group(1)) * _UNIT_SECONDS[match.group(2)]) if match else None


def _iam_attrs(shape: Shape, iam: dict) -> None:
    if iam:
        members = public_members(iam)
        # UNSEEN when a binding was not readable: both attributes stay absent (see seen_attrs).
        shape.attrs.update(public_members=members, is_public=derive(members, bool))


def spanner_database(data: dict, iam: dict, location: str) -> Shape:
    key = dig(data, "encryptionConfig.kmsKeyName") or next(iter(as_list(dig(data, "encryptionConfig.kmsKeyNames"))), None)
    retention = field(data, "versionRetentionPeriod")
    name = str(field(data, "name") or "")
    shape = Shape(attrs=dict(
        state=field(data, "state"),
        cmek_key=key,
        # Unset means Spanner's default of one hour; an export that lost the field reads the same.
        version_retention_s=short_duration_seconds(retention) if retention else 3600,
        drop_protection=flag(data, "enableDropProtection"),
        dialect=field(data, "databaseDialect"),
        default_leader=field(data, "defaultLeader"),
    ))
    if "/databases/" in name:
        shape.ref("child_of", f"//spanner.googleapis.com/{name.split('/databases/')[0]}")
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def spanner_backup(data: dict, iam: dict, location: str) -> Shape:
    database = field(data, "database")
    shape = Shape(attrs=dict(
        state=field(data, "state"),
        created_at=iso_time(field(data, "createTime")),
        version_time=iso_time(field(data, "versionTime")),
        expires_at=iso_time(field(data, "expireTime")),
        size_bytes=as_int(field(data, "sizeBytes")),
        source_database=last_segment(database) or None,
    ))
    shape.ref("backup_of", f"//spanner.googleapis.com/{database}" if database else None)
    return shape


def redis_instance(data: dict, iam: dict, location: str) -> Shape:
    zones = tuple(dict.fromkeys(str(z) for z in (field(data, "locationId"), field(data, "alternativeLocationId")) if z))
    key = field(data, "customerManagedKey")
    mode = str(dig(data, "persistenceConfig.persistenceMode") or "")
    shape = Shape(attrs=dict(
        tier=field(data, "tier"),
        high_availability=field(data, "tier") == "STANDARD_HA",
        replica_count=as_int(field(data, "replicaCount")),
        read_replicas=field(data, "readReplicasMode") == "READ_REPLICAS_ENABLED",
        auth_enabled=flag(data, "authEnabled"),
        transit_encryption=field(data, "transitEncryptionMode") == "SERVER_AUTHENTICATION",
        persistence_mode=mode or ("DISABLED" if data else None),
        rdb_snapshot_period=dig(data, "persistenceConfig.rdbSnapshotPeriod"),
        cmek_key=key,
        redis_version=field(data, "redisVersion"),
        connect_mode=field(data, "connectMode"),
        memory_size_gb=as_int(field(data, "memorySizeGb")),
    ), zones=zones)
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def filestore_instance(data: dict, iam: dict, location: str) -> Shape:
    tier = str(field(data, "tier") or "")
    shares = as_list(field(data, "fileShares"))
    # No export options on a share means Filestore's default: every client, read-write, no root squash.
    options = [o for share in shares for o in (as_list(field(share, "nfsExportOptions")) or [{}])]
    key = field(data, "kmsKeyName")
    shape = Shape(attrs=dict(
        tier=tier or None,
        regional=tier.upper() in FILESTORE_REGIONAL_TIERS if tier else None,
        cmek_key=key,
        capacity_gb=sum(as_int(field(s, "capacityGb")) or 0 for s in shares) if shares else None,
        root_squash=all(field(o, "squashMode") == "ROOT_SQUASH" for o in options) if shares else None,
        clients_restricted=all(bool(as_list(field(o, "ipRanges"))) for o in options) if shares else None,
        deletion_protection=flag(data, "deletionProtectionEnabled"),
        state=field(data, "state"),
    ))
    shape.ref("encrypted_by", kms_key_name(key))
    return shape


def filestore_backup(data: dict, iam: dict, location: str) -> Shape:
    """A Filestore backup names its source as projects/{number}/locations/{zone}/instances/{id},
    while the instance's asset may spell the project by id: the graph matches them on location,
    instance id and project (drscan.graph.gcp_links)."""
    source = str(field(data, "sourceInstance") or "")
    match = re.match(r"^projects/([^/]+)/locations/([^/]+)/instances/([^/]+)$", source)
    return Shape(attrs=dict(
        state=field(data, "state"),
        created_at=iso_time(field(data, "createTime")),
        source_instance=source or None,
        source_project=match.group(1) if match else None,
        source_instance_key=f"{match.group(2)}/{match.group(3)}" if match else None,
        source_file_share=field(data, "sourceFileShare"),
        storage_bytes=as_int(field(data, "storageBytes")),
        cmek_key=field(data, "kmsKey"),
    ))


def pubsub_topic(data: dict, iam: dict, location: str) -> Shape:
    shape = Shape()
    if data:
        key = field(data, "kmsKeyName")
        retention = field(data, "messageRetentionDuration")
        shape.attrs.update(
            cmek_key=key,
            # No topic retention: acknowledged messages cannot be replayed (seek) after a bad consumer.
            message_retention_s=duration_seconds(retention) if retention else 0,
            allowed_regions=[str(r) for r in as_list(dig(data, "messageStoragePolicy.allowedPersistenceRegions"))] or None,
            state=field(data, "state"),
        )
        shape.ref("encrypted_by", kms_key_name(key))
    _iam_attrs(shape, iam)
    return shape


def pubsub_subscription(data: dict, iam: dict, location: str) -> Shape:
    topic = field(data, "topic")
    dead_letter = dig(data, "deadLetterPolicy.deadLetterTopic")
    retention = field(data, "messageRetentionDuration")
    shape = Shape(attrs=dict(
        topic=last_segment(topic) or None,
        dead_letter_topic=last_segment(dead_letter) or None,
        dead_letter=bool(dead_letter),
        max_delivery_attempts=as_int(dig(data, "deadLetterPolicy.maxDeliveryAttempts")),
        message_retention_s=duration_seconds(retention),
        retain_acked_messages=flag(data, "retainAckedMessages"),
        push=bool(dig(data, "pushConfig.pushEndpoint")),
        detached=flag(data, "detached"),
    ))
    shape.ref("subscribes_to", f"//pubsub.googleapis.com/{topic}" if topic and str(topic) != "_deleted-topic_" else None)
    shape.ref("dead_letters_to", f"//pubsub.googleapis.com/{dead_letter}" if dead_letter else None)
    return shape


ACL_GRANTEES = ("userByEmail", "groupByEmail", "domain", "specialGroup", "iamMember", "view", "routine", "dataset")


def _public_access_entries(access: list) -> list[str]:
    """Dataset ACL entries that grant anyone (specialGroup allAuthenticatedUsers, iamMember allUsers)."""
    found = set()
    for entry in access:
        for member in (field(entry, "specialGroup"), field(entry, "iamMember")):
            if member in PUBLIC_MEMBERS:
                found.add(str(member))
    return sorted(found)


def bigquery_dataset(data: dict, iam: dict, location: str) -> Shape:
    shape = Shape()
    if data:
        where = str(field(data, "location") or location or "").lower()
        key = dig(data, "defaultEncryptionConfiguration.kmsKeyName")
        access = field(data, "access")
        # Every ACL entry names exactly one grantee; an entry without one was not read, and it
        # could be the public one.
        readable = isinstance(access, list) and all(
            isinstance(entry, dict) and any(field(entry, key) is not None for key in ACL_GRANTEES) for entry in access)
        public = _public_access_entries(access) if readable else None  # an unread entry could be the public one
        shape.attrs.update(
            cmek_key=key,
            location=where or None,
            multi_region=where in BIGQUERY_MULTI_REGIONS if where else None,
            # 48-168 hours; absent stays absent (the service default would read as a pass).
            time_travel_hours=as_int(field(data, "maxTimeTravelHours")),
            default_table_expiration_ms=as_int(field(data, "defaultTableExpirationMs")),
            # The dataset's ACL (the REST resource's `access`), which `bq show` and CIS 7.1 read; an IAM
            # policy export of the dataset is kept apart (public_members) so one cannot overwrite the other.
            acl_public_members=public,
            acl_public=bool(public) if public is not None else None,
        )
        shape.name = dig(data, "datasetReference.datasetId")
        shape.ref("encrypted_by", kms_key_name(key))
    _iam_attrs(shape, iam)
    return shape


def bigquery_table(data: dict, iam: dict, location: str) -> Shape:
    key = dig(data, "encryptionConfiguration.kmsKeyName")
    project, dataset = dig(data, "tableReference.projectId"), dig(data, "tableReference.datasetId")
    shape = Shape(attrs=dict(
        table_type=field(data, "type"),
        cmek_key=key,
        expiration=iso_time(as_int(field(data, "expirationTime"))),
        num_bytes=as_int(field(data, "numBytes")),
    ), name=dig(data, "tableReference.tableId"))
    shape.ref("child_of", f"//bigquery.googleapis.com/projects/{project}/datasets/{dataset}" if project and dataset else None)
    shape.ref("encrypted_by", kms_key_name(key))
    return shape
