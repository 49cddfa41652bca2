"""AWS native JSON (AWS Config items, or the same API shapes) -> normalized attributes.

Each transform takes (configuration, supplementary, account, region) and returns a Shape.
Field names are read case-insensitively, so Config's `dBInstanceIdentifier` and the API's
`DBInstanceIdentifier` both work. An attribute is set to None only when the export did not
carry the data (the rule then reports NOT_ASSESSED); "not configured" is a real value.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, Callable

from drscan.normalize.lookup import as_bool, as_dict, as_int, as_list, dig, field, iso_time
from drscan.normalize.shape import Shape

ADMIN_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN_PORTS = (22, 3389)
WORLD = {"0.0.0.0/0", "::/0"}


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
        shape.attrs.update(encryption_algorithm=None, versioning=None, public_access_blocked=None,
                           replication_enabled=None, logging_enabled=None)
        return shape
    sse_rules = as_list(dig(as_dict(field(supp, "ServerSideEncryptionConfiguration")), "rules"))
    default = dig(sse_rules[0], "applyServerSideEncryptionByDefault", {}) if sse_rules else {}
    algorithm = field(default, "sseAlgorithm") or "none"
    key = field(default, "kmsMasterKeyID")
    versioning = as_dict(field(supp, "BucketVersioningConfiguration"))
    pab = as_dict(field(supp, "PublicAccessBlockConfiguration"))
    flags = {name: bool(as_bool(field(pab, name))) for name in
             ("blockPublicAcls", "ignorePublicAcls", "blockPublicPolicy", "restrictPublicBuckets")}
    replication_rules = field(as_dict(field(supp, "BucketReplicationConfiguration")), "rules")
    # Config writes the rules as an object keyed by rule id; the S3 API as a list.
    replication_rules = list(replication_rules.values()) if isinstance(replication_rules, dict) else as_list(replication_rules)
    enabled_rules = [r for r in replication_rules if as_bool(field(r, "status")) is not False]
    destinations = [dig(r, "destinationConfig.bucketARN") or dig(r, "destination.bucket") for r in enabled_rules]
    logging = as_dict(field(supp, "BucketLoggingConfiguration"))
    lifecycle = as_list(field(as_dict(field(supp, "BucketLifecycleConfiguration")), "rules"))
    lifecycle_text = json.dumps(lifecycle).upper()
    lock = as_dict(field(supp, "ObjectLockConfiguration"))
    shape.attrs.update(
        encryption_algorithm=algorithm,
        encryption_kms_key_id=key,
        versioning=field(versioning, "status") or "Off",
        mfa_delete=bool(as_bool(field(versioning, "isMfaDeleteEnabled"))),
        public_access_block=flags,
        public_access_blocked=all(flags.values()),
        replication_enabled=bool(enabled_rules),
        replication_destinations=[d for d in destinations if d],
        logging_enabled=bool(field(logging, "destinationBucketName")),
        logging_target=field(logging, "destinationBucketName"),
        lifecycle_rule_count=len(lifecycle),
        lifecycle_to_glacier="GLACIER" in lifecycle_text or "DEEP_ARCHIVE" in lifecycle_text,
        object_lock_enabled=as_bool(field(lock, "objectLockEnabled")) or False,
    )
    if algorithm.startswith("aws:kms"):
        shape.ref("encrypted_by", kms_arn(key, account, region))
    for dest in shape.attrs["replication_destinations"]:
        shape.ref("replicates_to", dest if str(dest).startswith("arn:") else f"arn:aws:s3:::{dest}")
    return shape


def ec2_instance(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zone = dig(conf, "placement.availabilityZone")
    volume_ids = [dig(m, "ebs.volumeId") for m in as_list(field(conf, "blockDeviceMappings"))]
    return Shape(
        attrs=dict(
            instance_type=field(conf, "instanceType"),
            state=dig(conf, "state.name"),
            availability_zone=zone,
            volume_ids=[v for v in volume_ids if v],
            imds_tokens=dig(conf, "metadataOptions.httpTokens"),
            public_ip=field(conf, "publicIpAddress"),
            iam_instance_profile=dig(conf, "iamInstanceProfile.arn"),
        ),
        zones=(zone,) if zone else (),
    )


def ec2_volume(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zone = field(conf, "availabilityZone")
    instances = [field(a, "instanceId") for a in as_list(field(conf, "attachments"))]
    shape = Shape(
        attrs=dict(
            size_gb=as_int(field(conf, "size")),
            encrypted=as_bool(field(conf, "encrypted")),
            kms_key_id=field(conf, "kmsKeyId"),
            volume_type=field(conf, "volumeType"),
            attached_instance_ids=[i for i in instances if i],
            snapshot_id=field(conf, "snapshotId") or None,
        ),
        zones=(zone,) if zone else (),
    )
    for instance in shape.attrs["attached_instance_ids"]:
        shape.ref("attached_to", f"arn:aws:ec2:{region}:{account}:instance/{instance}")
    shape.ref("encrypted_by", kms_arn(field(conf, "kmsKeyId"), account, region))
    return shape


def _port_range_hits(permission: dict, ports: tuple[int, ...]) -> list[int]:
    protocol = str(field(permission, "ipProtocol", ""))
    if protocol == "-1":
        return list(ports)
    low, high = as_int(field(permission, "fromPort")), as_int(field(permission, "toPort"))
    if low is None or high is None:
        return []
    return [p for p in ports if low <= p <= high]


def ec2_security_group(conf: dict, supp: dict, account: str, region: str) -> Shape:
    open_ports: set[int] = set()
    world_rules = 0
    for permission in as_list(field(conf, "ipPermissions")):
        cidrs = {field(r, "cidrIp") for r in as_list(field(permission, "ipv4Ranges")) + as_list(field(permission, "ipRanges"))}
        cidrs |= {field(r, "cidrIpv6") for r in as_list(field(permission, "ipv6Ranges"))}
        cidrs |= {r for r in as_list(field(permission, "ipRanges")) if isinstance(r, str)}
        if cidrs & WORLD:
            world_rules += 1
            open_ports.update(_port_range_hits(permission, ADMIN_PORTS))
    return Shape(attrs=dict(
        group_name=field(conf, "groupName"),
        vpc_id=field(conf, "vpcId"),
        world_ingress_rules=world_rules,
        admin_ports_open_to_world=sorted(open_ports),
    ))


def rds_db_instance(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zones = tuple(z for z in (field(conf, "availabilityZone"), field(conf, "secondaryAvailabilityZone")) if z)
    source = field(conf, "readReplicaSourceDBInstanceIdentifier")
    replicas = as_list(field(conf, "readReplicaDBInstanceIdentifiers"))
    shape = Shape(
        attrs=dict(
            identifier=field(conf, "dBInstanceIdentifier"),
            engine=field(conf, "engine"),
            instance_class=field(conf, "dBInstanceClass"),
            multi_az=as_bool(field(conf, "multiAZ")),
            storage_encrypted=as_bool(field(conf, "storageEncrypted")),
            kms_key_id=field(conf, "kmsKeyId"),
            backup_retention_days=as_int(field(conf, "backupRetentionPeriod")),
            backup_window=field(conf, "preferredBackupWindow"),
            deletion_protection=as_bool(field(conf, "deletionProtection")),
            publicly_accessible=as_bool(field(conf, "publiclyAccessible")),
            allocated_storage_gb=as_int(field(conf, "allocatedStorage")),
            read_replica_ids=[str(r) for r in replicas],
            read_replica_count=len(replicas),
            is_read_replica=bool(source),
            replica_source=source,
            cluster_id=field(conf, "dBClusterIdentifier"),
            iam_auth=as_bool(field(conf, "iAMDatabaseAuthenticationEnabled")),
        ),
        zones=zones,
    )
    shape.ref("replica_of", rds_arn(source, account, region))
    shape.ref("member_of", rds_arn(field(conf, "dBClusterIdentifier"), account, region, "cluster"))
    shape.ref("encrypted_by", kms_arn(field(conf, "kmsKeyId"), account, region))
    return shape


def rds_db_cluster(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zones = tuple(str(z) for z in as_list(field(conf, "availabilityZones")))
    members = [field(m, "dBInstanceIdentifier") for m in as_list(field(conf, "dBClusterMembers"))]
    source = field(conf, "replicationSourceIdentifier")
    shape = Shape(
        attrs=dict(
            identifier=field(conf, "dBClusterIdentifier"),
            engine=field(conf, "engine"),
            multi_az=as_bool(field(conf, "multiAZ")) if field(conf, "multiAZ") is not None else len(zones) > 1 and len(members) > 1,
            storage_encrypted=as_bool(field(conf, "storageEncrypted")),
            kms_key_id=field(conf, "kmsKeyId"),
            backup_retention_days=as_int(field(conf, "backupRetentionPeriod")),
            deletion_protection=as_bool(field(conf, "deletionProtection")),
            member_ids=[m for m in members if m],
            is_read_replica=bool(source),
            replica_source=source,
            allocated_storage_gb=as_int(field(conf, "allocatedStorage")),
        ),
        zones=zones,
    )
    shape.ref("replica_of", rds_arn(source, account, region, "cluster"))
    shape.ref("encrypted_by", kms_arn(field(conf, "kmsKeyId"), account, region))
    return shape


def rds_db_snapshot(conf: dict, supp: dict, account: str, region: str) -> Shape:
    source_region = field(conf, "sourceRegion")
    source_snapshot = field(conf, "sourceDBSnapshotIdentifier")
    grants = snapshot_restore_grants(field(supp, "DBSnapshotAttributes") if supp else None)
    shape = Shape(attrs=dict(
        identifier=field(conf, "dBSnapshotIdentifier"),
        snapshot_type=field(conf, "snapshotType"),
        created_at=iso_time(field(conf, "snapshotCreateTime")),
        encrypted=as_bool(field(conf, "encrypted")),
        source_region=source_region,
        source_snapshot=source_snapshot,
        is_cross_region_copy=bool(source_region) and source_region != region,
        allocated_storage_gb=as_int(field(conf, "allocatedStorage")),
        public=None if grants is None else "all" in grants,
        shared_with_accounts=None if grants is None else sorted(g for g in grants if g != "all"),
    ))
    # A cross-region (or cross-account) copy names the instance it was taken from over there.
    instance_account = arn_account(source_snapshot) or account
    shape.ref("snapshot_of", rds_arn(field(conf, "dBInstanceIdentifier"), instance_account, source_region or region))
    shape.ref("encrypted_by", kms_arn(field(conf, "kmsKeyId"), account, region))
    return shape


def dynamodb_table(conf: dict, supp: dict, account: str, region: str) -> Shape:
    sse = field(conf, "sSEDescription") or field(conf, "SSEDescription") or {}
    sse_type = field(sse, "sSEType") if sse else "AWS_OWNED"
    key = field(sse, "kMSMasterKeyArn")
    backups = as_dict(field(supp, "ContinuousBackupsDescription")) if supp else None
    pitr = None
    if backups is not None:
        pitr = as_bool(dig(backups, "pointInTimeRecoveryDescription.pointInTimeRecoveryStatus")) or False
    replicas = [field(r, "regionName") for r in as_list(field(conf, "replicas"))]
    deletion_protection = field(conf, "deletionProtectionEnabled")
    shape = Shape(attrs=dict(
        sse_type=sse_type,
        kms_key_arn=key,
        pitr_enabled=pitr,
        pitr_recovery_days=as_int(dig(backups, "pointInTimeRecoveryDescription.recoveryPeriodInDays")) if pitr else None,
        # The other regions of a global table (2019.11.21); the table's own region is left out
        # should a source list it among the replicas.
        replica_regions=[r for r in replicas if r and r != region],
        global_table_version=field(conf, "globalTableVersion"),
        deletion_protection=None if deletion_protection is None else bool(as_bool(deletion_protection)),
        status=field(conf, "tableStatus"),
        item_count=as_int(field(conf, "itemCount")),
        size_bytes=as_int(field(conf, "tableSizeBytes")),
    ))
    shape.ref("encrypted_by", key)
    return shape


def efs_file_system(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zone = field(conf, "AvailabilityZoneName")
    destinations = as_list(dig(conf, "ReplicationConfiguration.Destinations"))
    shape = Shape(
        attrs=dict(
            encrypted=as_bool(field(conf, "Encrypted")),
            kms_key_id=field(conf, "KmsKeyId"),
            backup_policy_status=dig(conf, "BackupPolicy.Status") or "DISABLED",
            one_zone=bool(zone),
            replication_regions=[field(d, "Region") for d in destinations if field(d, "Region")],
        ),
        zones=(zone,) if zone else (),
    )
    shape.ref("encrypted_by", kms_arn(field(conf, "KmsKeyId"), account, region))
    return shape


def kms_key(conf: dict, supp: dict, account: str, region: str) -> Shape:
    rotation = field(supp, "KeyRotationStatus") if supp else None
    if rotation is None:
        rotation = field(conf, "keyRotationEnabled")
    multi_region = as_dict(field(conf, "multiRegionConfiguration"))
    return Shape(attrs=dict(
        key_id=field(conf, "keyId"),
        key_state=field(conf, "keyState"),
        key_manager=field(conf, "keyManager"),
        key_usage=field(conf, "keyUsage"),
        key_spec=field(conf, "keySpec") or field(conf, "customerMasterKeySpec"),
        origin=field(conf, "origin"),
        created_at=iso_time(field(conf, "creationDate")),
        deletion_date=iso_time(field(conf, "deletionDate")),
        multi_region=as_bool(field(conf, "multiRegion")),
        multi_region_key_type=field(multi_region, "multiRegionKeyType"),
        replica_regions=sorted(str(field(r, "region")) for r in as_list(field(multi_region, "replicaKeys")) if field(r, "region")),
        rotation_enabled=as_bool(rotation),
    ))


def _policy_documents(values: list) -> list[dict]:
    docs = []
    for value in values:
        if isinstance(value, str):
            value = urllib.parse.unquote(value)
        doc = as_dict(value)
        if doc:
            docs.append(doc)
    return docs


def allows_full_admin(document: dict) -> bool:
    """An Allow statement with Action '*' on Resource '*'."""
    for statement in as_list(field(document, "Statement")):
        if field(statement, "Effect") != "Allow":
            continue
        actions = {str(a) for a in as_list(field(statement, "Action"))}
        resources = {str(r) for r in as_list(field(statement, "Resource"))}
        if actions & {"*", "*:*"} and "*" in resources:
            return True
    return False


def iam_user(conf: dict, supp: dict, account: str, region: str) -> Shape:
    attached = [field(p, "policyArn") for p in as_list(field(conf, "attachedManagedPolicies"))]
    inline = _policy_documents([field(p, "policyDocument") for p in as_list(field(conf, "userPolicyList"))])
    return Shape(attrs=dict(
        user_name=field(conf, "userName"),
        attached_policy_arns=[a for a in attached if a],
        inline_policy_count=len(inline),
        groups=[str(g) for g in as_list(field(conf, "groupList"))],
        has_admin_policy=ADMIN_POLICY_ARN in attached or any(allows_full_admin(d) for d in inline),
    ))


SERVICE_LINKED_PATH = "/aws-service-role/"  # IAM puts every service-linked role under this path


def iam_group(conf: dict, supp: dict, account: str, region: str) -> Shape:
    attached = [field(p, "policyArn") or field(p, "PolicyArn")
                for p in as_list(field(conf, "attachedManagedPolicies") or field(conf, "AttachedManagedPolicies"))]
    return Shape(attrs=dict(group_name=field(conf, "groupName") or field(conf, "GroupName"),
                            path=field(conf, "path") or field(conf, "Path"),
                            attached_policy_arns=[a for a in attached if a]))


def iam_policy(conf: dict, supp: dict, account: str, region: str) -> Shape:
    versions = as_list(field(conf, "policyVersionList"))
    default = [v for v in versions if as_bool(field(v, "isDefaultVersion"))] or versions
    docs = _policy_documents([field(v, "document") for v in default[:1]])
    return Shape(attrs=dict(
        policy_name=field(conf, "policyName"),
        attachment_count=as_int(field(conf, "attachmentCount")),
        allows_full_admin=any(allows_full_admin(d) for d in docs) if docs else None,
    ))


def elbv2_load_balancer(conf: dict, supp: dict, account: str, region: str) -> Shape:
    zones = tuple(sorted({str(field(z, "zoneName")) for z in as_list(field(conf, "availabilityZones")) if field(z, "zoneName")}))
    attributes = lb_attributes(supp)  # None: the export did not carry them
    return Shape(
        attrs=dict(scheme=field(conf, "scheme"), type=field(conf, "type"), dns_name=field(conf, "dNSName"),
                   availability_zones=list(zones), az_count=len(zones),
                   access_logs_enabled=lb_attribute_flag(attributes, "access_logs.s3.enabled"),
                   deletion_protection=lb_attribute_flag(attributes, "deletion_protection.enabled")),
        zones=zones,
    )


def elbv2_listener(conf: dict, supp: dict, account: str, region: str) -> Shape:
    protocol = str(field(conf, "Protocol") or "")
    actions = as_list(field(conf, "DefaultActions"))
    redirect = any(str(field(a, "Type")).lower() == "redirect"
                   and str(dig(a, "RedirectConfig.Protocol") or "").upper() in {"HTTPS", "#{PROTOCOL}"}
                   for a in actions)
    shape = Shape(attrs=dict(
        port=as_int(field(conf, "Port")), protocol=protocol, ssl_policy=field(conf, "SslPolicy"),
        redirects_to_https=redirect,
        encrypted_in_transit=protocol.upper() in {"HTTPS", "TLS"} or redirect,
    ))
    shape.ref("listener_of", field(conf, "LoadBalancerArn"))
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
    plan = field(conf, "BackupPlan") or {}
    rules = []
    for rule in as_list(field(plan, "BackupPlanRule") or field(plan, "Rules")):
        copies = [field(c, "DestinationBackupVaultArn") for c in as_list(field(rule, "CopyActions"))]
        rules.append(dict(
            name=field(rule, "RuleName"),
            schedule=field(rule, "ScheduleExpression"),
            target_vault=field(rule, "TargetBackupVault") or field(rule, "TargetBackupVaultName"),
            retention_days=as_int(dig(rule, "Lifecycle.DeleteAfterDays")),
            continuous=bool(as_bool(field(rule, "EnableContinuousBackup"))),
            copy_destinations=[c for c in copies if c],
        ))
    destinations = [d for r in rules for d in r["copy_destinations"]]
    retentions = [r["retention_days"] for r in rules if r["retention_days"] is not None]
    shape = Shape(
        attrs=dict(
            plan_name=field(plan, "BackupPlanName"),
            rules=rules,
            schedules=[r["schedule"] for r in rules if r["schedule"]],
            min_retention_days=min(retentions) if retentions else None,
            expires=bool(retentions),  # a rule without DeleteAfterDays keeps recovery points forever
            copy_destinations=destinations,
            has_cross_region_copy=any(arn_region(d) and arn_region(d) != region for d in destinations),
            has_cross_account_copy=any(arn_account(d) and arn_account(d) != account for d in destinations),
            copy_regions=sorted({arn_region(d) for d in destinations if arn_region(d) and arn_region(d) != region}),
            copy_accounts=sorted({arn_account(d) for d in destinations if arn_account(d) and arn_account(d) != account}),
            continuous_backup=any(r["continuous"] for r in rules),
        ),
        name=field(plan, "BackupPlanName"),
    )
    for rule in rules:
        if rule["target_vault"]:
            shape.ref("stores_in", backup_vault_arn(rule["target_vault"], account, region))
    for destination in destinations:
        shape.ref("copies_to", destination)
    return shape


def backup_selection(conf: dict, supp: dict, account: str, region: str) -> Shape:
    selection = field(conf, "BackupSelection") or {}
    resources = [str(r) for r in as_list(field(selection, "Resources"))]
    tag_conditions = [{"key": field(t, "ConditionKey"), "value": field(t, "ConditionValue")}
                      for t in as_list(field(selection, "ListOfTags"))]
    plan_id = field(conf, "BackupPlanId")
    conditions = selection_conditions(field(selection, "Conditions"))
    shape = Shape(
        attrs=dict(plan_id=plan_id, resources=resources, tag_conditions=tag_conditions,
                   not_resources=[str(r) for r in as_list(field(selection, "NotResources"))], conditions=conditions),
        name=field(selection, "SelectionName"),
    )
    shape.ref("selection_of", f"arn:aws:backup:{region}:{account}:backup-plan:{plan_id}" if plan_id else None)
    # With Conditions or NotResources a listed ARN is only a candidate; the graph stage decides.
    if not any(conditions.values()) and not shape.attrs["not_resources"]:
        for arn in resources:
            if "*" not in arn:
                shape.ref("protects", arn)
    return shape


def backup_vault(conf: dict, supp: dict, account: str, region: str) -> Shape:
    lock = field(conf, "LockConfiguration")
    api_locked = as_bool(field(conf, "Locked"))  # ListBackupVaults/DescribeBackupVault spelling
    if not lock and api_locked:
        lock = {"MinRetentionDays": field(conf, "MinRetentionDays"), "MaxRetentionDays": field(conf, "MaxRetentionDays"),
                "LockDate": field(conf, "LockDate")}
    return Shape(attrs=dict(
        vault_name=field(conf, "BackupVaultName"),
        encryption_key_arn=field(conf, "EncryptionKeyArn"),
        locked=bool(lock),
        min_retention_days=as_int(field(lock, "MinRetentionDays")) if lock else None,
        max_retention_days=as_int(field(lock, "MaxRetentionDays")) if lock else None,
        lock_date=iso_time(field(lock, "LockDate")) if lock else None,
        lock_mode=vault_lock_mode(lock),
    ), name=field(conf, "BackupVaultName"))


def backup_recovery_point(conf: dict, supp: dict, account: str, region: str) -> Shape:
    shape = Shape(attrs=dict(
        resource_arn=field(conf, "ResourceArn"),
        resource_type=field(conf, "ResourceType"),
        vault_name=field(conf, "BackupVaultName"),
        status=field(conf, "Status"),
        created_at=iso_time(field(conf, "CreationDate")),
        completed_at=iso_time(field(conf, "CompletionDate")),
        encrypted=as_bool(field(conf, "IsEncrypted")),
        size_bytes=as_int(field(conf, "BackupSizeInBytes")),
    ))
    shape.ref("recovery_point_of", field(conf, "ResourceArn"))
    if field(conf, "BackupVaultName"):
        shape.ref("stored_in", backup_vault_arn(field(conf, "BackupVaultName"), account, region))
    return shape


def autoscaling_group(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # Zones come as strings, or as {"value": zone} in some Config schema versions.
    zones = tuple(sorted(str(field(z, "value") if isinstance(z, dict) else z) for z in as_list(field(conf, "availabilityZones"))))
    instances = [field(i, "instanceId") for i in as_list(field(conf, "instances"))]
    shape = Shape(
        attrs=dict(availability_zones=list(zones), az_count=len(zones), min_size=as_int(field(conf, "minSize")),
                   max_size=as_int(field(conf, "maxSize")), instance_ids=[i for i in instances if i],
                   target_group_arns=as_list(field(conf, "targetGroupARNs")),
                   desired_capacity=as_int(field(conf, "desiredCapacity")),
                   health_check_type=field(conf, "healthCheckType"),
                   load_balancer_names=[str(n) for n in as_list(field(conf, "loadBalancerNames"))]),
        zones=zones,
    )
    for instance in shape.attrs["instance_ids"]:
        shape.ref("manages", f"arn:aws:ec2:{region}:{account}:instance/{instance}")
    return shape


def lambda_function(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # Environment variables routinely hold credentials: their values are reduced to one boolean
    # by lambda_environment_facts and never kept; only the names are.
    names, secret = lambda_environment_facts(field(conf, "environment"))
    shape = Shape(attrs=dict(runtime=field(conf, "runtime"), kms_key_arn=field(conf, "kmsKeyArn"),
                             memory_mb=as_int(field(conf, "memorySize")),
                             env_var_names=names, env_has_plaintext_secret=secret))
    shape.ref("encrypted_by", field(conf, "kmsKeyArn"))
    return shape


def route53_hosted_zone(conf: dict, supp: dict, account: str, region: str) -> Shape:
    private = as_bool(dig(conf, "HostedZoneConfig.PrivateZone"))
    if private is None:  # ListHostedZones spells it Config.PrivateZone
        private = as_bool(dig(conf, "Config.PrivateZone"))
    if private is None:  # Config's CloudFormation shape: a private zone lists its VPCs
        private = bool(as_list(field(conf, "VPCs")))
    return Shape(attrs=dict(zone_name=field(conf, "Name"), private_zone=private,
                            record_count=as_int(field(conf, "ResourceRecordSetCount"))))


def route53_health_check(conf: dict, supp: dict, account: str, region: str) -> Shape:
    config = field(conf, "HealthCheckConfig") or {}
    interval, threshold = as_int(field(config, "RequestInterval")), as_int(field(config, "FailureThreshold"))
    return Shape(attrs=dict(type=field(config, "Type"), fqdn=field(config, "FullyQualifiedDomainName"),
                            request_interval=interval, failure_threshold=threshold,
                            # Seconds of consecutive failures before Route 53 marks the endpoint unhealthy.
                            detection_seconds=interval * threshold if interval and threshold else None,
                            disabled=bool(as_bool(field(config, "Disabled"))),
                            inverted=bool(as_bool(field(config, "Inverted"))),
                            checker_regions=[str(r) for r in as_list(field(config, "Regions"))]))


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
    if listed is None:
        return None
    return {str(field(a, "key")): str(field(a, "value")) for a in as_list(listed) if field(a, "key") is not None}


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
            key = str(field(entry, "ConditionKey") or "")
            entries.append({"key": key.split("aws:ResourceTag/", 1)[-1], "value": field(entry, "ConditionValue")})
        out[name] = entries
    return out


# Values a secret-named Lambda variable may hold without being the secret itself: a reference to a
# secret store, a flag or a number.
SECRET_REFERENCE_PREFIXES = ("arn:aws:secretsmanager:", "arn:aws:ssm:", "arn:aws:kms:", "{{resolve:", "/")
HARMLESS_VALUES = {"", "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none", "null", "***"}


def _plaintext_secret(name: str, value: Any) -> bool:
    from drscan.redact import SECRET_KEY_NAME, looks_secret  # (imported here: this section only adds functions)

    text = "" if value is None else str(value)
    if looks_secret(text):
        return True
    if not SECRET_KEY_NAME.search(name):
        return False
    plain = text.strip()
    return not (plain.lower() in HARMLESS_VALUES or plain.isdigit() or plain.startswith(SECRET_REFERENCE_PREFIXES))


def lambda_environment_facts(environment: Any) -> tuple[list[str], bool | None]:
    """(variable names, does any value look like a plaintext credential?) from a Lambda function's
    Environment. The values are read here and nowhere else, and never returned. None when they
    could not be seen: Lambda could not decrypt them (Error), or AWS Config masked them as "***"."""
    environment = environment if isinstance(environment, dict) else {}
    variables = field(environment, "Variables")
    if not isinstance(variables, dict):
        return [], (None if field(environment, "Error") else False)
    names = sorted(str(k) for k in variables)
    if any(_plaintext_secret(str(k), v) for k, v in variables.items()):
        return names, True
    if variables and all(str(v) == "***" for v in variables.values()):
        return names, None
    return names, False


# --- live compute/data/iam ---

def snapshot_restore_grants(attributes: Any) -> list[str] | None:
    """Who may restore an RDS snapshot: the values of its `restore` attribute ("all" = public).
    None when the attributes were not collected."""
    if attributes is None:
        return None
    return [str(v) for a in as_list(attributes) if str(field(a, "attributeName")).lower() == "restore"
            for v in as_list(field(a, "attributeValues"))]
