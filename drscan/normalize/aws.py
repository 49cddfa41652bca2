"""AWS native JSON (AWS Config items, or the same API shapes) -> normalized attributes.

Each transform takes (configuration, supplementary, account, region) and returns a Shape.
Field names are read case-insensitively, so Config's `dBInstanceIdentifier` and the API's
`DBInstanceIdentifier` both work. An attribute is set to None only when the export did not
carry the data (the rule then reports NOT_ASSESSED); "not configured" is a real value.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from drscan.normalize.lookup import (UNSEEN, any_known, as_bool, as_dict, as_int, as_list, derive, dig, field, iso_time,
                                     known_list, need_bool, need_dict, need_int, need_list, text)
from drscan.normalize.aws_access import (ec2_security_group, iam_group, iam_policy, iam_role, iam_user,
                                        lambda_function)
from drscan.normalize.shape import Shape


def kms_arn(key: Any, account: str, region: str) -> str | None:
    """Key ids and aliases as ARNs, so references resolve against aws.kms.key resources."""
    if not key:
        return None
    key = str(key)
    if key.startswith("arn:"):
        return key
    if key.startswith("alias/"):
        return f"arn:aws:kms:{region}:{account}:{key}"
    return f"arn:aws:kms:{region}:{account}:key/{key}"


def rds_arn(identifier: Any, account: str, region: str, kind: str = "db") -> str | None:
    if not identifier:
        return None
    identifier = str(identifier)
    return identifier if identifier.startswith("arn:") else f"arn:aws:rds:{region}:{account}:{kind}:{identifier}"


def arn_region(arn: Any) -> str:
    parts = str(arn or "").split(":")
    return parts[3] if len(parts) > 5 else ""


def arn_account(arn: Any) -> str:
    parts = str(arn or "").split(":")
    return parts[4] if len(parts) > 5 else ""


def s3_bucket(conf: dict, supp: dict, account: str, region: str) -> Shape:
    shape = Shape()
    if not supp:  # the export did not carry the bucket's sub-configurations
        return shape
    # AWS Config always writes versioning and logging, so without them those attributes were not
    # seen. It omits default encryption (on buckets older than 2023 that never set it), public
    # access block, replication, lifecycle and object lock when a bucket has none: for those,
    # absence is "not configured", a value a rule can only fail on.
    sse_rules = as_list(field(as_dict(field(supp, "ServerSideEncryptionConfiguration")), "rules"))
    default = dig(sse_rules[0], "applyServerSideEncryptionByDefault", {}) if sse_rules else {}
    algorithm = text(field(default, "sseAlgorithm")) or "none"
    key = text(field(default, "kmsMasterKeyID"))
    shape.attrs.update(encryption_algorithm=algorithm, encryption_kms_key_id=key)
    if algorithm.startswith("aws:kms"):
        shape.ref("encrypted_by", kms_arn(key, account, region))
    versioning = need_dict(supp, "BucketVersioningConfiguration")
    if versioning is not UNSEEN:
        # Config writes status "Off" for a bucket never versioned: without it nothing was seen.
        shape.attrs.update(versioning=text(field(versioning, "status")) or UNSEEN,
                           mfa_delete=as_bool(field(versioning, "isMfaDeleteEnabled")) is True)
    pab = as_dict(field(supp, "PublicAccessBlockConfiguration"))
    flags = {name: as_bool(field(pab, name)) is True for name in
             ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets")}
    replication_rules = field(as_dict(field(supp, "BucketReplicationConfiguration")), "rules")
    # Config writes the rules as an object keyed by rule id; the S3 API as a list.
    replication_rules = list(replication_rules.values()) if isinstance(replication_rules, dict) else as_list(replication_rules)
    enabled_rules = [r for r in replication_rules if as_bool(field(r, "status")) is True]
    destinations = [text(dig(r, "destinationConfig.bucketARN") or dig(r, "destination.bucket")) for r in enabled_rules]
    lifecycle = as_list(field(as_dict(field(supp, "BucketLifecycleConfiguration")), "rules"))
    lifecycle_text = json.dumps(lifecycle, default=str).upper()
    lock = as_dict(field(supp, "ObjectLockConfiguration"))
    shape.attrs.update(
        public_access_block=flags,
        public_access_blocked=all(flags.values()),
        replication_enabled=bool(enabled_rules),
        replication_destinations=[d for d in destinations if d],
        lifecycle_rule_count=len(lifecycle),
        lifecycle_to_glacier="GLACIER" in lifecycle_text or "DEEP_ARCHIVE" in lifecycle_text,
        object_lock_enabled=as_bool(field(lock, "objectLockEnabled")) is True,
    )
    logging = need_dict(supp, "BucketLoggingConfiguration")
    if logging is not UNSEEN:
        target = text(field(logging, "destinationBucketName"))
        shape.attrs.update(logging_enabled=bool(target), logging_target=target)
    for dest in shape.attrs["replication_destinations"]:
        shape.ref("replicates_to", dest if str(dest).startswith("arn:") else f"arn:aws:s3:::{dest}")
    return shape


def ec2_instance(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zone = text(dig(conf, "placement.availabilityZone"))
    mappings = need_list(conf, "blockDeviceMappings")
    return Shape(
        attrs=dict(
            instance_type=text(field(conf, "instanceType")),
            state=text(dig(conf, "state.name")),
            availability_zone=zone,
            volume_ids=derive(mappings, lambda found: [v for v in (text(dig(m, "ebs.volumeId")) for m in found) if v]),
            imds_tokens=text(dig(conf, "metadataOptions.httpTokens")),
            public_ip=text(field(conf, "publicIpAddress")),
            iam_instance_profile=text(dig(conf, "iamInstanceProfile.arn")),
        ),
        zones=(zone,) if zone else (),
    )


def ec2_volume(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zone = text(field(conf, "availabilityZone"))
    attachments = need_list(conf, "attachments")
    key = text(field(conf, "kmsKeyId"))
    shape = Shape(
        attrs=dict(
            size_gb=as_int(field(conf, "size")),
            encrypted=as_bool(field(conf, "encrypted")),
            kms_key_id=key,
            volume_type=text(field(conf, "volumeType")),
            attached_instance_ids=derive(attachments, lambda found: [i for i in (text(field(a, "instanceId")) for a in found) if i]),
            snapshot_id=text(field(conf, "snapshotId")) or None,
        ),
        zones=(zone,) if zone else (),
    )
    for instance in known_list(shape.attrs["attached_instance_ids"]):
        shape.ref("attached_to", f"arn:aws:ec2:{region}:{account}:instance/{instance}")
    shape.ref("encrypted_by", kms_arn(key, account, region))
    return shape


def rds_db_instance(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zones = tuple(z for z in (text(field(conf, "availabilityZone")), text(field(conf, "secondaryAvailabilityZone"))) if z)
    source = text(field(conf, "readReplicaSourceDBInstanceIdentifier"))
    replicas = need_list(conf, "readReplicaDBInstanceIdentifiers")
    cluster = text(field(conf, "dBClusterIdentifier"))
    key = text(field(conf, "kmsKeyId"))
    shape = Shape(
        attrs=dict(
            identifier=text(field(conf, "dBInstanceIdentifier")),
            engine=text(field(conf, "engine")),
            instance_class=text(field(conf, "dBInstanceClass")),
            multi_az=as_bool(field(conf, "multiAZ")),
            storage_encrypted=as_bool(field(conf, "storageEncrypted")),
            kms_key_id=key,
            backup_retention_days=as_int(field(conf, "backupRetentionPeriod")),
            backup_window=text(field(conf, "preferredBackupWindow")),
            deletion_protection=as_bool(field(conf, "deletionProtection")),
            publicly_accessible=as_bool(field(conf, "publiclyAccessible")),
            allocated_storage_gb=as_int(field(conf, "allocatedStorage")),
            read_replica_ids=derive(replicas, lambda found: [t for t in (text(r) for r in found) if t]),
            read_replica_count=derive(replicas, len),
            # RDS names the source only on a replica: its absence means "not a replica".
            is_read_replica=bool(source),
            replica_source=source,
            cluster_id=cluster,
            iam_auth=as_bool(field(conf, "iAMDatabaseAuthenticationEnabled")),
        ),
        zones=zones,
    )
    shape.ref("replica_of", rds_arn(source, account, region))
    shape.ref("member_of", rds_arn(cluster, account, region, "cluster"))
    shape.ref("encrypted_by", kms_arn(key, account, region))
    return shape


def rds_db_cluster(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zones = need_list(conf, "availabilityZones")
    members = need_list(conf, "dBClusterMembers")
    member_ids = derive(members, lambda found: [m for m in (text(field(m, "dBInstanceIdentifier")) for m in found) if m])
    source = text(field(conf, "replicationSourceIdentifier"))
    key = text(field(conf, "kmsKeyId"))
    multi_az = as_bool(field(conf, "multiAZ"))
    if multi_az is None:  # Config's cluster items may lack MultiAZ: instances spread over zones are
        multi_az = (UNSEEN if zones is UNSEEN or member_ids is UNSEEN
                    else len(zones) > 1 and len(member_ids) > 1)
    shape = Shape(
        attrs=dict(
            identifier=text(field(conf, "dBClusterIdentifier")),
            engine=text(field(conf, "engine")),
            multi_az=multi_az,
            storage_encrypted=as_bool(field(conf, "storageEncrypted")),
            kms_key_id=key,
            backup_retention_days=as_int(field(conf, "backupRetentionPeriod")),
            deletion_protection=as_bool(field(conf, "deletionProtection")),
            member_ids=member_ids,
            is_read_replica=bool(source),
            replica_source=source,
            allocated_storage_gb=as_int(field(conf, "allocatedStorage")),
        ),
        zones=tuple(str(z) for z in known_list(zones) if text(z)),
    )
    shape.ref("replica_of", rds_arn(source, account, region, "cluster"))
    shape.ref("encrypted_by", kms_arn(key, account, region))
    return shape


def rds_db_snapshot(conf: dict, supp: dict, account: str, region: str) -> Shape:
    source_region = text(field(conf, "sourceRegion"))
    source_snapshot = text(field(conf, "sourceDBSnapshotIdentifier"))
    grants = snapshot_restore_grants(field(supp, "DBSnapshotAttributes") if supp else None)
    shape = Shape(attrs=dict(
        identifier=text(field(conf, "dBSnapshotIdentifier")),
        snapshot_type=text(field(conf, "snapshotType")),
        created_at=iso_time(field(conf, "snapshotCreateTime")),
        encrypted=as_bool(field(conf, "encrypted")),
        source_region=source_region,
        source_snapshot=source_snapshot,
        is_cross_region_copy=bool(source_region) and source_region != region,
        allocated_storage_gb=as_int(field(conf, "allocatedStorage")),
        public=None if grants is None else derive(grants, lambda found: "all" in found),
        shared_with_accounts=None if grants is None else derive(grants, lambda found: sorted(g for g in found if g != "all")),
    ))
    # A cross-region (or cross-account) copy names the instance it was taken from over there.
    instance_account = arn_account(source_snapshot) or account
    shape.ref("snapshot_of", rds_arn(text(field(conf, "dBInstanceIdentifier")), instance_account, source_region or region))
    shape.ref("encrypted_by", kms_arn(text(field(conf, "kmsKeyId")), account, region))
    return shape


def dynamodb_table(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # DescribeTable omits SSEDescription for the default AWS owned key, and Replicas for a table
    # that is not a global table: absence is the (failing) default there.
    sse = field(conf, "sSEDescription") or field(conf, "SSEDescription") or {}
    sse_type = text(field(sse, "sSEType")) if sse else "AWS_OWNED"
    key = text(field(sse, "kMSMasterKeyArn"))
    backups = as_dict(field(supp, "ContinuousBackupsDescription")) if supp else None
    pitr = None
    if backups is not None:
        pitr = as_bool(dig(backups, "pointInTimeRecoveryDescription.pointInTimeRecoveryStatus")) is True
    replicas = [text(field(r, "regionName")) for r in as_list(field(conf, "replicas"))]
    deletion_protection = field(conf, "deletionProtectionEnabled")
    shape = Shape(attrs=dict(
        sse_type=sse_type,
        kms_key_arn=key,
        pitr_enabled=pitr,
        pitr_recovery_days=as_int(dig(backups, "pointInTimeRecoveryDescription.recoveryPeriodInDays")) if pitr else None,
        # The other regions of a global table (2019.11.21); the table's own region is left out
        # should a source list it among the replicas.
        replica_regions=[r for r in replicas if r and r != region],
        global_table_version=text(field(conf, "globalTableVersion")),
        deletion_protection=as_bool(deletion_protection),
        status=text(field(conf, "tableStatus")),
        item_count=as_int(field(conf, "itemCount")),
        size_bytes=as_int(field(conf, "tableSizeBytes")),
    ))
    shape.ref("encrypted_by", key)
    return shape


def efs_file_system(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # Only a One Zone file system names its zone; a policy that was never set is DISABLED.
    zone = text(field(conf, "AvailabilityZoneName"))
    destinations = as_list(dig(conf, "ReplicationConfiguration.Destinations"))
    key = text(field(conf, "KmsKeyId"))
    shape = Shape(
        attrs=dict(
            encrypted=as_bool(field(conf, "Encrypted")),
            kms_key_id=key,
            backup_policy_status=text(dig(conf, "BackupPolicy.Status")) or "DISABLED",
            one_zone=bool(zone),
            replication_regions=[r for r in (text(field(d, "Region")) for d in destinations) if r],
        ),
        zones=(zone,) if zone else (),
    )
    shape.ref("encrypted_by", kms_arn(key, account, region))
    return shape


def kms_key(conf: dict, supp: dict, account: str, region: str) -> Shape:
    rotation = field(supp, "KeyRotationStatus") if supp else None
    if rotation is None:
        rotation = field(conf, "keyRotationEnabled")
    multi_region = as_dict(field(conf, "multiRegionConfiguration"))
    return Shape(attrs=dict(
        key_id=text(field(conf, "keyId")),
        key_state=text(field(conf, "keyState")),
        key_manager=text(field(conf, "keyManager")),
        key_usage=text(field(conf, "keyUsage")),
        key_spec=text(field(conf, "keySpec")) or text(field(conf, "customerMasterKeySpec")),
        origin=text(field(conf, "origin")),
        created_at=iso_time(field(conf, "creationDate")),
        deletion_date=iso_time(field(conf, "deletionDate")),
        multi_region=as_bool(field(conf, "multiRegion")),
        multi_region_key_type=text(field(multi_region, "multiRegionKeyType")),
        replica_regions=sorted(r for r in (text(field(r, "region")) for r in as_list(field(multi_region, "replicaKeys"))) if r),
        rotation_enabled=as_bool(rotation),
    ))


def elbv2_load_balancer(conf: dict, supp: dict, account: str, region: str) -> Shape:
    listed = need_list(conf, "availabilityZones")
    zones = tuple(sorted({z for z in (text(field(z, "zoneName")) for z in known_list(listed)) if z}))
    attributes = lb_attributes(supp)  # None: the export did not carry them
    return Shape(
        attrs=dict(scheme=text(field(conf, "scheme")), type=text(field(conf, "type")), dns_name=text(field(conf, "dNSName")),
                   availability_zones=derive(listed, lambda _: list(zones)), az_count=derive(listed, lambda _: len(zones)),
                   access_logs_enabled=lb_attribute_flag(attributes, "access_logs.s3.enabled"),
                   deletion_protection=lb_attribute_flag(attributes, "deletion_protection.enabled")),
        zones=zones,
    )


def elbv2_listener(conf: dict, supp: dict, account: str, region: str) -> Shape:
    protocol = text(field(conf, "Protocol"))
    actions = need_list(conf, "DefaultActions")

    def redirects(action: Any) -> Any:
        kind = text(field(action, "Type"))
        if kind is None:
            return UNSEEN
        return kind.lower() == "redirect" and str(text(dig(action, "RedirectConfig.Protocol")) or "").upper() in {"HTTPS", "#{PROTOCOL}"}

    redirect = UNSEEN if actions is UNSEEN else any_known(redirects(a) for a in actions)
    shape = Shape(attrs=dict(
        port=as_int(field(conf, "Port")), protocol=protocol or "", ssl_policy=text(field(conf, "SslPolicy")),
        redirects_to_https=redirect,
        encrypted_in_transit=any_known([UNSEEN if protocol is None else protocol.upper() in {"HTTPS", "TLS"}, redirect]),
    ))
    if protocol is None:
        del shape.attrs["protocol"]
    shape.ref("listener_of", text(field(conf, "LoadBalancerArn")))
    return shape


def cloudtrail_trail(conf: dict, supp: dict, account: str, region: str) -> Shape:
    status = as_dict(field(supp, "TrailStatus")) if supp else {}
    logging = field(status, "isLogging") if status else field(conf, "isLogging")
    shape = Shape(attrs=dict(
        multi_region=as_bool(field(conf, "isMultiRegionTrail")),
        log_file_validation=as_bool(field(conf, "logFileValidationEnabled")),
        kms_key_id=field(conf, "kmsKeyId"),
        s3_bucket=field(conf, "s3BucketName"),
        include_global_events=as_bool(field(conf, "includeGlobalServiceEvents")),
        is_logging=as_bool(logging),
        home_region=field(conf, "homeRegion"),
        cloudwatch_logs_group_arn=field(conf, "cloudWatchLogsLogGroupArn"),
        organization_trail=as_bool(field(conf, "isOrganizationTrail")),
    ))
    if field(conf, "s3BucketName"):
        shape.ref("logs_to", f"arn:aws:s3:::{field(conf, 's3BucketName')}")
    return shape


def backup_vault_arn(name: str, account: str, region: str) -> str:
    return f"arn:aws:backup:{region}:{account}:backup-vault:{name}"


def backup_plan(conf: dict, supp: dict, account: str, region: str) -> Shape:
    plan = field(conf, "BackupPlan")
    if not isinstance(plan, dict):
        return Shape()
    listed = field(plan, "BackupPlanRule")
    if listed is None:
        listed = field(plan, "Rules")
    rules = []
    for rule in as_list(listed):
        copies = [text(field(c, "DestinationBackupVaultArn")) for c in as_list(field(rule, "CopyActions"))]
        # AWS Backup keeps the recovery points of a rule without Lifecycle.DeleteAfterDays forever,
        # but an export that lacks the field cannot be told from one that lost it: a retention
        # rule passes only on a DeleteAfterDays it saw.
        retention = need_int(rule, "Lifecycle.DeleteAfterDays")
        rules.append(dict(
            name=text(field(rule, "RuleName")),
            schedule=text(field(rule, "ScheduleExpression")),
            target_vault=text(field(rule, "TargetBackupVault")) or text(field(rule, "TargetBackupVaultName")),
            retention_days=retention,
            continuous=as_bool(field(rule, "EnableContinuousBackup")) is True,
            copy_destinations=[c for c in copies if c],
        ))
    retention_unseen = not isinstance(listed, list) or any(r["retention_days"] is UNSEEN for r in rules)
    retentions = [r["retention_days"] for r in rules if r["retention_days"] not in (None, UNSEEN)]
    destinations = [d for r in rules for d in r["copy_destinations"]]
    shape = Shape(
        attrs=dict(
            plan_name=text(field(plan, "BackupPlanName")),
            rules=[{k: (None if v is UNSEEN else v) for k, v in r.items()} for r in rules],
            schedules=[r["schedule"] for r in rules if r["schedule"]],
            min_retention_days=UNSEEN if retention_unseen else (min(retentions) if retentions else None),
            expires=UNSEEN if retention_unseen else bool(retentions),
            copy_destinations=destinations,
            has_cross_region_copy=any(arn_region(d) and arn_region(d) != region for d in destinations),
            has_cross_account_copy=any(arn_account(d) and arn_account(d) != account for d in destinations),
            copy_regions=sorted({arn_region(d) for d in destinations if arn_region(d) and arn_region(d) != region}),
            copy_accounts=sorted({arn_account(d) for d in destinations if arn_account(d) and arn_account(d) != account}),
            continuous_backup=any(r["continuous"] for r in rules),
        ),
        name=text(field(plan, "BackupPlanName")),
    )
    if not isinstance(listed, list):
        for name in ("rules", "schedules", "copy_destinations", "has_cross_region_copy", "has_cross_account_copy",
                     "copy_regions", "copy_accounts", "continuous_backup"):
            shape.attrs[name] = UNSEEN
    for rule in rules:
        if rule["target_vault"]:
            shape.ref("stores_in", backup_vault_arn(rule["target_vault"], account, region))
    for destination in destinations:
        shape.ref("copies_to", destination)
    return shape


def backup_selection(conf: dict, supp: dict, account: str, region: str) -> Shape:
    selection = field(conf, "BackupSelection")
    plan_id = text(field(conf, "BackupPlanId"))
    if not isinstance(selection, dict):  # what it selects was not seen: it assigns nothing
        shape = Shape(attrs=dict(plan_id=plan_id))
        shape.ref("selection_of", f"arn:aws:backup:{region}:{account}:backup-plan:{plan_id}" if plan_id else None)
        return shape
    resources = [r for r in (text(r) for r in as_list(field(selection, "Resources"))) if r]
    tag_conditions = [{"key": text(field(t, "ConditionKey")), "value": text(field(t, "ConditionValue"))}
                      for t in as_list(field(selection, "ListOfTags"))]
    conditions = selection_conditions(field(selection, "Conditions"))
    shape = Shape(
        attrs=dict(plan_id=plan_id, resources=resources, tag_conditions=tag_conditions,
                   not_resources=[r for r in (text(r) for r in as_list(field(selection, "NotResources"))) if r],
                   conditions=conditions),
        name=text(field(selection, "SelectionName")),
    )
    shape.ref("selection_of", f"arn:aws:backup:{region}:{account}:backup-plan:{plan_id}" if plan_id else None)
    # With Conditions or NotResources a listed ARN is only a candidate; the graph stage decides.
    if not any(conditions.values()) and not shape.attrs["not_resources"]:
        for arn in resources:
            if "*" not in arn:
                shape.ref("protects", arn)
    return shape


def backup_vault(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # DescribeBackupVault (and Config) name a Vault Lock only when there is one.
    lock = field(conf, "LockConfiguration")
    lock = lock if isinstance(lock, dict) else None
    api_locked = as_bool(field(conf, "Locked"))  # ListBackupVaults/DescribeBackupVault spelling
    if not lock and api_locked:
        lock = {"MinRetentionDays": field(conf, "MinRetentionDays"), "MaxRetentionDays": field(conf, "MaxRetentionDays"),
                "LockDate": field(conf, "LockDate")}
    return Shape(attrs=dict(
        vault_name=text(field(conf, "BackupVaultName")),
        encryption_key_arn=text(field(conf, "EncryptionKeyArn")),
        locked=bool(lock),
        min_retention_days=as_int(field(lock, "MinRetentionDays")) if lock else None,
        max_retention_days=as_int(field(lock, "MaxRetentionDays")) if lock else None,
        lock_date=iso_time(field(lock, "LockDate")) if lock else None,
        lock_mode=vault_lock_mode(lock),
    ), name=text(field(conf, "BackupVaultName")))


def backup_recovery_point(conf: dict, supp: dict, account: str, region: str) -> Shape:
    resource_arn, vault = text(field(conf, "ResourceArn")), text(field(conf, "BackupVaultName"))
    shape = Shape(attrs=dict(
        resource_arn=resource_arn,
        resource_type=text(field(conf, "ResourceType")),
        vault_name=vault,
        status=text(field(conf, "Status")),
        created_at=iso_time(field(conf, "CreationDate")),
        completed_at=iso_time(field(conf, "CompletionDate")),
        encrypted=as_bool(field(conf, "IsEncrypted")),
        size_bytes=as_int(field(conf, "BackupSizeInBytes")),
    ))
    shape.ref("recovery_point_of", resource_arn)
    if vault:
        shape.ref("stored_in", backup_vault_arn(vault, account, region))
    return shape


def autoscaling_group(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # Zones come as strings, or as {"value": zone} in some Config schema versions.
    listed = need_list(conf, "availabilityZones")
    zones = tuple(sorted(z for z in (text(field(z, "value")) if isinstance(z, dict) else text(z)
                                     for z in known_list(listed)) if z))
    instances = need_list(conf, "instances")
    shape = Shape(
        attrs=dict(availability_zones=derive(listed, lambda _: list(zones)), az_count=derive(listed, lambda _: len(zones)),
                   min_size=as_int(field(conf, "minSize")), max_size=as_int(field(conf, "maxSize")),
                   instance_ids=derive(instances, lambda found: [i for i in (text(field(i, "instanceId")) for i in found) if i]),
                   target_group_arns=derive(need_list(conf, "targetGroupARNs"),
                                            lambda found: [t for t in (text(a) for a in found) if t]),
                   desired_capacity=as_int(field(conf, "desiredCapacity")),
                   health_check_type=text(field(conf, "healthCheckType")),
                   load_balancer_names=derive(need_list(conf, "loadBalancerNames"),
                                              lambda found: [t for t in (text(n) for n in found) if t])),
        zones=zones,
    )
    for instance in known_list(shape.attrs["instance_ids"]):
        shape.ref("manages", f"arn:aws:ec2:{region}:{account}:instance/{instance}")
    return shape


def route53_hosted_zone(conf: dict, supp: dict, account: str, region: str) -> Shape:
    private = as_bool(dig(conf, "HostedZoneConfig.PrivateZone"))
    if private is None:  # ListHostedZones spells it Config.PrivateZone
        private = as_bool(dig(conf, "Config.PrivateZone"))
    if private is None:  # Config's CloudFormation shape: a private zone lists its VPCs
        vpcs = field(conf, "VPCs")
        private = bool(vpcs) if isinstance(vpcs, list) else UNSEEN
    return Shape(attrs=dict(zone_name=text(field(conf, "Name")), private_zone=private,
                            record_count=as_int(field(conf, "ResourceRecordSetCount"))))


def route53_health_check(conf: dict, supp: dict, account: str, region: str) -> Shape:
    config = field(conf, "HealthCheckConfig")
    if not isinstance(config, dict):
        return Shape()
    interval, threshold = as_int(field(config, "RequestInterval")), as_int(field(config, "FailureThreshold"))
    return Shape(attrs=dict(type=text(field(config, "Type")), fqdn=text(field(config, "FullyQualifiedDomainName")),
                            request_interval=interval, failure_threshold=threshold,
                            # Seconds of consecutive failures before Route 53 marks the endpoint unhealthy.
                            detection_seconds=interval * threshold if interval and threshold else None,
                            disabled=need_bool(config, "Disabled"),
                            inverted=need_bool(config, "Inverted"),
                            checker_regions=[t for t in (text(r) for r in as_list(field(config, "Regions"))) if t]))


Transform = Callable[[dict, dict, str, str], Shape]

# AWS Config resourceType -> (drscan kind, transform)
CONFIG_TYPES: dict[str, tuple[str, Transform]] = {
    "AWS::S3::Bucket": ("aws.s3.bucket", s3_bucket),
    "AWS::EC2::Instance": ("aws.ec2.instance", ec2_instance),
    "AWS::EC2::Volume": ("aws.ec2.volume", ec2_volume),
    "AWS::EC2::SecurityGroup": ("aws.ec2.security_group", ec2_security_group),
    "AWS::RDS::DBInstance": ("aws.rds.db_instance", rds_db_instance),
    "AWS::RDS::DBCluster": ("aws.rds.db_cluster", rds_db_cluster),
    "AWS::RDS::DBSnapshot": ("aws.rds.db_snapshot", rds_db_snapshot),
    "AWS::DynamoDB::Table": ("aws.dynamodb.table", dynamodb_table),
    "AWS::EFS::FileSystem": ("aws.efs.file_system", efs_file_system),
    "AWS::KMS::Key": ("aws.kms.key", kms_key),
    "AWS::IAM::User": ("aws.iam.user", iam_user),
    "AWS::IAM::Policy": ("aws.iam.policy", iam_policy),
    # AWS::IAM::Role: drscan.normalize.aws_config_types (aws_governance.iam_role, with its trust policy)
    "AWS::IAM::Group": ("aws.iam.group", iam_group),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("aws.elbv2.load_balancer", elbv2_load_balancer),
    "AWS::ElasticLoadBalancingV2::Listener": ("aws.elbv2.listener", elbv2_listener),
    "AWS::CloudTrail::Trail": ("aws.cloudtrail.trail", cloudtrail_trail),
    "AWS::Backup::BackupPlan": ("aws.backup.plan", backup_plan),
    "AWS::Backup::BackupSelection": ("aws.backup.selection", backup_selection),
    "AWS::Backup::BackupVault": ("aws.backup.vault", backup_vault),
    "AWS::Backup::RecoveryPoint": ("aws.backup.recovery_point", backup_recovery_point),
    "AWS::AutoScaling::AutoScalingGroup": ("aws.autoscaling.group", autoscaling_group),
    "AWS::Lambda::Function": ("aws.lambda.function", lambda_function),
    "AWS::Route53::HostedZone": ("aws.route53.hosted_zone", route53_hosted_zone),
    "AWS::Route53::HealthCheck": ("aws.route53.health_check", route53_health_check),
}


def generic_kind(resource_type: str) -> str:
    """'AWS::SNS::Topic' -> 'aws.sns.topic' for types drscan keeps but does not read."""
    parts = [p.lower() for p in str(resource_type).split("::")]
    return ".".join(parts) if len(parts) == 3 else "aws.unknown." + "_".join(parts)


# --- live resilience/network ---

def lb_attributes(supp: dict | None) -> dict[str, str] | None:
    """Load balancer attributes as {key: value}: Config's supplementary LoadBalancerAttributes or
    the API's DescribeLoadBalancerAttributes `Attributes` (both [{key/Key, value/Value}])."""
    if not supp:
        return None
    listed = field(supp, "LoadBalancerAttributes")
    if listed is None:
        listed = field(supp, "Attributes")
    if not isinstance(listed, list):
        return None
    return {str(text(field(a, "key"))): str(text(field(a, "value"))) for a in listed if text(field(a, "key")) is not None}


def lb_attribute_flag(attributes: dict[str, str] | None, key: str) -> bool | None:
    if attributes is None or key not in attributes:
        return None
    return as_bool(attributes[key])


def vault_lock_mode(lock: Any) -> str:
    """'compliance' once a lock date is set (Config: ChangeableForDays), 'governance' for a lock
    without one (removable by privileged users), 'none' without Vault Lock."""
    if not lock:
        return "none"
    if field(lock, "LockDate") or field(lock, "ChangeableForDays") is not None:
        return "compliance"
    return "governance"


def selection_conditions(conditions: Any) -> dict[str, list[dict]]:
    """AWS Backup selection Conditions ({StringEquals: [{ConditionKey: "aws:ResourceTag/k", ConditionValue}]})
    as {"string_equals": [{"key": "k", "value": v}], "string_like": ..., ...}: tag keys without the prefix."""
    out: dict[str, list[dict]] = {}
    for operator, name in (("StringEquals", "string_equals"), ("StringNotEquals", "string_not_equals"),
                           ("StringLike", "string_like"), ("StringNotLike", "string_not_like")):
        entries = []
        for entry in as_list(field(conditions, operator)) if isinstance(conditions, dict) else []:
            key = text(field(entry, "ConditionKey")) or ""
            entries.append({"key": key.split("aws:ResourceTag/", 1)[-1], "value": text(field(entry, "ConditionValue"))})
        out[name] = entries
    return out


# --- live compute/data/iam ---

def snapshot_restore_grants(attributes: Any) -> Any:
    """Who may restore an RDS snapshot: the values of its `restore` attribute ("all" = public).
    None when the attributes were not collected; UNSEEN when they were but are unreadable."""
    if attributes is None:
        return None
    if not isinstance(attributes, list):
        return UNSEEN
    grants = []
    for attribute in attributes:
        name = text(field(attribute, "attributeName"))
        if name is None:
            return UNSEEN
        if name.lower() == "restore":
            values = field(attribute, "attributeValues")
            if not isinstance(values, list):
                return UNSEEN
            grants += [t for t in (text(v) for v in values) if t]
    return grants


