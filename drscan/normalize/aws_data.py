"""AWS data services (ElastiCache, MemoryDB, Redshift, OpenSearch, FSx, DocumentDB, Neptune,
Secrets Manager, SQS, SNS, ECR, ACM) as API or AWS Config JSON -> normalized attributes.

Transforms take (configuration, supplementary, account, region) like drscan.normalize.aws and
read field names case-insensitively, so the API's `AtRestEncryptionEnabled` and Config's
`atRestEncryptionEnabled` both work. A derived attribute is None when its source field is absent."""

from __future__ import annotations

from typing import Any

from drscan.normalize.aws import kms_arn
from drscan.normalize.aws_policies import allows_public, external_accounts, parse_policy
from drscan.normalize.lookup import as_bool, as_dict, as_int, as_list, dig, field, iso_time, text
from drscan.normalize.shape import Shape

_ABSENT = object()


def present(obj: Any, path: str) -> bool:
    return dig(obj, path, _ABSENT) is not _ABSENT


def flag(obj: Any, path: str) -> bool | None:
    """A boolean field, None when absent; "enabled"/"disabled" strings count."""
    return as_bool(dig(obj, path))


def names(values: Any) -> list[str] | None:
    """A list of identifiers as text; None when absent or when any item is not text (a null in a
    CIDR list is an unread entry, and dropping it could turn a FAIL into a PASS)."""
    if values is None:
        return None
    items = [text(v) for v in as_list(values)]
    return None if any(item is None for item in items) else items


# -- ElastiCache and MemoryDB --------------------------------------------------------------------

def elasticache_replication_group(conf: dict, supp: dict, account: str, region: str) -> Shape:
    node_groups = field(conf, "NodeGroups")
    zones = sorted({str(field(m, "PreferredAvailabilityZone")) for g in as_list(node_groups)
                    for m in as_list(field(g, "NodeGroupMembers")) if field(m, "PreferredAvailabilityZone")})
    # Each node group lists its NodeGroupMembers; a group without the list was not read.
    members_read = isinstance(node_groups, list) and all(isinstance(field(g, "NodeGroupMembers"), list) for g in node_groups)
    replicas = [len(field(g, "NodeGroupMembers")) - 1 for g in node_groups] if members_read else []
    global_info = field(conf, "GlobalReplicationGroupInfo")
    logs = field(conf, "LogDeliveryConfigurations")
    shape = Shape(
        attrs=dict(
            engine=field(conf, "Engine"),
            status=field(conf, "Status"),
            multi_az=flag(conf, "MultiAZ"),
            automatic_failover=flag(conf, "AutomaticFailover"),
            node_group_count=None if node_groups is None else len(as_list(node_groups)),
            min_replicas_per_node_group=(min(replicas) if replicas else 0) if members_read else None,
            az_count=len(zones) if members_read else None,
            snapshot_retention_days=as_int(field(conf, "SnapshotRetentionLimit")),
            at_rest_encrypted=flag(conf, "AtRestEncryptionEnabled"),
            in_transit_encrypted=flag(conf, "TransitEncryptionEnabled"),
            auth_token_enabled=flag(conf, "AuthTokenEnabled"),
            kms_key_id=field(conf, "KmsKeyId"),
            global_datastore_id=(field(global_info, "GlobalReplicationGroupId") or None) if global_info is not None else None,
            global_datastore_role=field(global_info, "GlobalReplicationGroupMemberRole") if global_info else None,
            log_delivery_enabled=_log_delivery(logs),
        ),
        zones=tuple(zones),
        name=field(conf, "ReplicationGroupId"),
    )
    if global_info is None and field(conf, "Status") is not None:
        # DescribeReplicationGroups always names the global datastore of a member; its absence
        # from an API answer means "not part of one".
        shape.attrs["global_datastore_id"] = ""
    shape.ref("encrypted_by", kms_arn(field(conf, "KmsKeyId"), account, region))
    return shape


def _log_delivery(logs: Any) -> bool | None:
    """Any log delivery configuration active? Each one names its Status in an API answer; one
    without it was not read (Kleene "any": unknown unless another is active)."""
    if not isinstance(logs, list):
        return None
    statuses = [text(field(c, "Status")) for c in logs]
    if any(str(s).lower() in ("active", "enabling") for s in statuses if s is not None):
        return True
    return None if None in statuses else False


def elasticache_cluster(conf: dict, supp: dict, account: str, region: str) -> Shape:
    nodes = field(conf, "CacheNodes")
    zone = field(conf, "PreferredAvailabilityZone")
    node_zones = sorted({str(field(n, "CustomerAvailabilityZone")) for n in as_list(nodes) if field(n, "CustomerAvailabilityZone")})
    zones = node_zones or ([str(zone)] if zone and zone != "Multiple" else [])
    return Shape(
        attrs=dict(
            engine=field(conf, "Engine"),
            status=field(conf, "CacheClusterStatus"),
            node_count=as_int(field(conf, "NumCacheNodes")),
            az_mode="cross-az" if zone == "Multiple" else ("single-az" if zone else None),
            az_count=len(zones) if (nodes is not None or zone) else None,
            snapshot_retention_days=as_int(field(conf, "SnapshotRetentionLimit")),
            at_rest_encrypted=flag(conf, "AtRestEncryptionEnabled"),
            in_transit_encrypted=flag(conf, "TransitEncryptionEnabled"),
        ),
        zones=tuple(zones),
        name=field(conf, "CacheClusterId"),
    )


def memorydb_cluster(conf: dict, supp: dict, account: str, region: str) -> Shape:
    shards = field(conf, "Shards")
    zones = sorted({str(field(n, "AvailabilityZone")) for s in as_list(shards) for n in as_list(field(s, "Nodes"))
                    if field(n, "AvailabilityZone")})
    mode = field(conf, "AvailabilityMode")
    shape = Shape(
        attrs=dict(
            engine=field(conf, "Engine"),
            status=field(conf, "Status"),
            shard_count=as_int(field(conf, "NumberOfShards")),
            availability_mode=mode,
            multi_az=None if mode is None else str(mode).lower() == "multiaz",
            tls_enabled=flag(conf, "TLSEnabled"),
            kms_key_id=field(conf, "KmsKeyId"),
            snapshot_retention_days=as_int(field(conf, "SnapshotRetentionLimit")),
            multi_region_cluster=field(conf, "MultiRegionClusterName"),
        ),
        zones=tuple(zones),
        name=field(conf, "Name"),
    )
    shape.ref("encrypted_by", kms_arn(field(conf, "KmsKeyId"), account, region))
    return shape


# -- Redshift, OpenSearch, FSx, DocumentDB/Neptune -----------------------------------------------

def redshift_cluster(conf: dict, supp: dict, account: str, region: str) -> Shape:
    copy = field(conf, "ClusterSnapshotCopyStatus")
    logging = field(supp, "LoggingStatus") if supp else None
    shape = Shape(
        attrs=dict(
            identifier=field(conf, "ClusterIdentifier"),
            status=field(conf, "ClusterStatus"),
            encrypted=flag(conf, "Encrypted"),
            kms_key_id=field(conf, "KmsKeyId"),
            publicly_accessible=flag(conf, "PubliclyAccessible"),
            automated_snapshot_retention_days=as_int(field(conf, "AutomatedSnapshotRetentionPeriod")),
            enhanced_vpc_routing=flag(conf, "EnhancedVpcRouting"),
            multi_az=flag(conf, "MultiAZ"),
            node_count=as_int(field(conf, "NumberOfNodes")),
            allow_version_upgrade=flag(conf, "AllowVersionUpgrade"),
            availability_zone_relocation=(None if field(conf, "AvailabilityZoneRelocationStatus") is None
                                          else str(field(conf, "AvailabilityZoneRelocationStatus")).lower() == "enabled"),
            # An API answer leaves ClusterSnapshotCopyStatus out when copying is off.
            snapshot_copy_region=(field(copy, "DestinationRegion") if copy else ("" if field(conf, "ClusterStatus") else None)),
            logging_enabled=flag(logging, "LoggingEnabled") if logging is not None else None,
        ),
        zones=(field(conf, "AvailabilityZone"),) if field(conf, "AvailabilityZone") else (),
        name=field(conf, "ClusterIdentifier"),
    )
    shape.ref("encrypted_by", kms_arn(field(conf, "KmsKeyId"), account, region))
    return shape


def opensearch_domain(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # OpenSearch names the cluster settings ClusterConfig; the Elasticsearch API and Config
    # type AWS::Elasticsearch::Domain name them ElasticsearchClusterConfig.
    cluster = field(conf, "ClusterConfig")
    if cluster is None:
        cluster = field(conf, "ElasticsearchClusterConfig")
    logs = field(conf, "LogPublishingOptions")
    vpc = field(conf, "VPCOptions")
    endpoints = field(conf, "Endpoints")
    in_vpc = None
    if vpc is not None or endpoints is not None or field(conf, "Endpoint") is not None:
        in_vpc = bool(field(vpc, "VPCId") or field(vpc, "SubnetIds") or field(endpoints, "vpc"))
    shape = Shape(
        attrs=dict(
            domain_name=field(conf, "DomainName"),
            engine_version=field(conf, "EngineVersion") or field(conf, "ElasticsearchVersion"),
            encrypted_at_rest=flag(conf, "EncryptionAtRestOptions.Enabled"),
            kms_key_id=dig(conf, "EncryptionAtRestOptions.KmsKeyId"),
            node_to_node_encrypted=flag(conf, "NodeToNodeEncryptionOptions.Enabled"),
            https_enforced=flag(conf, "DomainEndpointOptions.EnforceHTTPS"),
            tls_policy=dig(conf, "DomainEndpointOptions.TLSSecurityPolicy"),
            zone_awareness=flag(cluster, "ZoneAwarenessEnabled") if cluster is not None else None,
            az_count=(as_int(dig(cluster, "ZoneAwarenessConfig.AvailabilityZoneCount"))
                      or (1 if as_bool(field(cluster, "ZoneAwarenessEnabled")) is False else None)) if cluster is not None else None,
            instance_count=as_int(field(cluster, "InstanceCount")) if cluster is not None else None,
            dedicated_master=flag(cluster, "DedicatedMasterEnabled") if cluster is not None else None,
            audit_logs_enabled=_log_option(logs, "AUDIT_LOGS"),
            error_logs_enabled=_log_option(logs, "ES_APPLICATION_LOGS"),
            fine_grained_access=flag(conf, "AdvancedSecurityOptions.Enabled"),
            in_vpc=in_vpc,
        ),
        name=field(conf, "DomainName"),
    )
    shape.ref("encrypted_by", kms_arn(dig(conf, "EncryptionAtRestOptions.KmsKeyId"), account, region))
    return shape


def _log_option(logs: Any, name: str) -> bool | None:
    """LogPublishingOptions lists only the configured log types: a type missing from a map that was
    read is not published (false); a listed type without its Enabled flag was not read."""
    if not isinstance(logs, dict):
        return None
    option = field(logs, name)
    return False if option is None else as_bool(field(option, "Enabled"))


FSX_CONFIGURATIONS = {"WINDOWS": "WindowsConfiguration", "LUSTRE": "LustreConfiguration",
                      "ONTAP": "OntapConfiguration", "OPENZFS": "OpenZFSConfiguration"}


def fsx_file_system(conf: dict, supp: dict, account: str, region: str) -> Shape:
    kind = field(conf, "FileSystemType")
    settings = field(conf, FSX_CONFIGURATIONS.get(str(kind), "")) if kind else None
    deployment = field(settings, "DeploymentType") if settings is not None else None
    audit = field(settings, "AuditLogConfiguration") if settings is not None else None
    shape = Shape(
        attrs=dict(
            file_system_type=kind,
            lifecycle=field(conf, "Lifecycle"),
            deployment_type=deployment,
            multi_az=None if deployment is None else str(deployment).startswith("MULTI_AZ"),
            scratch=None if deployment is None else str(deployment).startswith("SCRATCH"),
            automatic_backup_retention_days=as_int(field(settings, "AutomaticBackupRetentionDays")) if settings else None,
            copy_tags_to_backups=flag(settings, "CopyTagsToBackups") if settings is not None else None,
            kms_key_id=field(conf, "KmsKeyId"),
            storage_gb=as_int(field(conf, "StorageCapacity")),
            audit_logging=(None if kind != "WINDOWS" or text(field(audit, "FileAccessAuditLogLevel")) is None else
                           str(field(audit, "FileAccessAuditLogLevel")) != "DISABLED"),
        ),
        name=field(conf, "FileSystemId"),
    )
    shape.ref("encrypted_by", kms_arn(field(conf, "KmsKeyId"), account, region))
    return shape


def document_cluster(conf: dict, supp: dict, account: str, region: str) -> Shape:
    """A DocumentDB or Neptune cluster (both answer the RDS DescribeDBClusters shape)."""
    members = field(conf, "DBClusterMembers")
    zones = tuple(sorted(str(z) for z in as_list(field(conf, "AvailabilityZones"))))
    exports = field(conf, "EnabledCloudwatchLogsExports")
    shape = Shape(
        attrs=dict(
            identifier=field(conf, "DBClusterIdentifier"),
            engine=field(conf, "Engine"),
            engine_version=field(conf, "EngineVersion"),
            status=field(conf, "Status"),
            storage_encrypted=flag(conf, "StorageEncrypted"),
            kms_key_id=field(conf, "KmsKeyId"),
            backup_retention_days=as_int(field(conf, "BackupRetentionPeriod")),
            deletion_protection=flag(conf, "DeletionProtection"),
            instance_count=None if members is None else len(as_list(members)),
            # A cluster survives the loss of its writer's zone only with an instance elsewhere to promote.
            multi_az=flag(conf, "MultiAZ") if field(conf, "MultiAZ") is not None else (
                None if members is None else len(as_list(members)) > 1),
            # DescribeDBClusters leaves EnabledCloudwatchLogsExports out when no log is exported;
            # an item that is not text was not read.
            log_exports=names(exports) if exports is not None else ([] if field(conf, "Status") is not None else None),
            iam_auth=flag(conf, "IAMDatabaseAuthenticationEnabled"),
            global_cluster_id=field(conf, "GlobalClusterIdentifier"),
        ),
        zones=zones,
        name=field(conf, "DBClusterIdentifier"),
    )
    shape.ref("encrypted_by", kms_arn(field(conf, "KmsKeyId"), account, region))
    return shape


# -- Secrets Manager, SQS, SNS, ECR, ACM ---------------------------------------------------------

AWS_MANAGED_SECRETS_KEY = "alias/aws/secretsmanager"


def secretsmanager_secret(conf: dict, supp: dict, account: str, region: str) -> Shape:
    rotation = field(conf, "RotationEnabled")
    rules = field(conf, "RotationRules")
    replicas = field(conf, "ReplicationStatus")
    key = field(conf, "KmsKeyId") or field(conf, "KMSKeyId")
    shape = Shape(
        attrs=dict(
            rotation_enabled=as_bool(rotation),
            rotation_days=as_int(field(rules, "AutomaticallyAfterDays")) if rules else None,
            rotation_schedule=field(rules, "ScheduleExpression") if rules else None,
            last_rotated_at=iso_time(field(conf, "LastRotatedDate")),
            last_accessed_at=iso_time(field(conf, "LastAccessedDate")),
            kms_key_id=key,
            # Absent key: the AWS managed key in an API answer, unknown in an export (the collector says which).
            customer_managed_key=None if not key else AWS_MANAGED_SECRETS_KEY not in str(key),
            replica_regions=None if replicas is None else sorted(str(field(r, "Region")) for r in as_list(replicas)
                                                                 if field(r, "Region")),
            primary_region=field(conf, "PrimaryRegion"),
        ),
        name=field(conf, "Name"),
    )
    shape.ref("encrypted_by", kms_arn(key, account, region) if key else None)
    return shape


def sqs_queue(conf: dict, supp: dict, account: str, region: str) -> Shape:
    key = field(conf, "KmsMasterKeyId")
    managed = field(conf, "SqsManagedSseEnabled")
    redrive = as_dict(field(conf, "RedrivePolicy")) if field(conf, "RedrivePolicy") is not None else None
    policy = parse_policy(field(conf, "Policy"))
    encrypted = True if key or as_bool(managed) else (False if managed is not None else None)
    shape = Shape(
        attrs=dict(
            encrypted=encrypted,
            kms_key_id=key,
            sqs_managed_sse=as_bool(managed),
            dead_letter_target_arn=None if redrive is None else (field(redrive, "deadLetterTargetArn") or None),
            max_receive_count=None if redrive is None else as_int(field(redrive, "maxReceiveCount")),
            retention_seconds=as_int(field(conf, "MessageRetentionPeriod")),
            fifo=as_bool(field(conf, "FifoQueue")),
            policy_public=allows_public(policy),
            policy_external_accounts=external_accounts(policy, account),
        ),
        name=field(conf, "QueueName"),
    )
    shape.ref("dead_letters_to", shape.attrs["dead_letter_target_arn"])
    shape.ref("encrypted_by", kms_arn(key, account, region) if key and not str(key).startswith("alias/aws/") else None)
    return shape


def sns_topic(conf: dict, supp: dict, account: str, region: str) -> Shape:
    key = field(conf, "KmsMasterKeyId")
    policy = parse_policy(field(conf, "Policy"))
    shape = Shape(attrs=dict(
        # GetTopicAttributes leaves KmsMasterKeyId out of an unencrypted topic's answer.
        encrypted=bool(key) if (key is not None or field(conf, "TopicArn") is not None) else None,
        kms_key_id=key,
        policy_public=allows_public(policy),
        policy_external_accounts=external_accounts(policy, account),
        subscriptions_confirmed=as_int(field(conf, "SubscriptionsConfirmed")),
        fifo=as_bool(field(conf, "FifoTopic")),
    ))
    shape.ref("encrypted_by", kms_arn(key, account, region) if key and not str(key).startswith("alias/aws/") else None)
    return shape


def ecr_repository(conf: dict, supp: dict, account: str, region: str) -> Shape:
    encryption = field(conf, "EncryptionConfiguration")
    shape = Shape(
        attrs=dict(
            repository_name=field(conf, "RepositoryName"),
            scan_on_push=flag(conf, "ImageScanningConfiguration.ScanOnPush"),
            tag_mutability=field(conf, "ImageTagMutability"),
            tags_immutable=None if field(conf, "ImageTagMutability") is None
            else str(field(conf, "ImageTagMutability")).startswith("IMMUTABLE"),
            encryption_type=field(encryption, "EncryptionType") if encryption is not None else None,
            kms_key_id=field(encryption, "KmsKey") if encryption is not None else None,
        ),
        name=field(conf, "RepositoryName"),
    )
    shape.ref("encrypted_by", field(encryption, "KmsKey") if encryption is not None else None)
    return shape


def ecr_replication(rules: Any, repository: str, account: str, region: str) -> tuple[list[str], list[str]]:
    """(other regions, other accounts) a registry's replication rules copy `repository` to. A rule
    without repository filters replicates every repository; PREFIX_MATCH filters match name prefixes."""
    regions: set[str] = set()
    accounts: set[str] = set()
    for rule in as_list(rules):
        filters = as_list(field(rule, "repositoryFilters"))
        if filters and not any(str(field(f, "filter") or "") and repository.startswith(str(field(f, "filter")))
                               for f in filters if str(field(f, "filterType") or "PREFIX_MATCH") == "PREFIX_MATCH"):
            continue
        for destination in as_list(field(rule, "destinations")):
            target_region, target_account = field(destination, "region"), str(field(destination, "registryId") or account)
            if target_region and target_region != region:
                regions.add(str(target_region))
            if target_account != account:
                accounts.add(target_account)
    return sorted(regions), sorted(accounts)


def acm_certificate(conf: dict, supp: dict, account: str, region: str) -> Shape:
    in_use = field(conf, "InUse")
    in_use_by = field(conf, "InUseBy")
    return Shape(
        attrs=dict(
            domain_name=field(conf, "DomainName"),
            status=field(conf, "Status"),
            type=field(conf, "Type"),
            key_algorithm=field(conf, "KeyAlgorithm"),
            not_after=iso_time(field(conf, "NotAfter")),
            in_use=as_bool(in_use) if in_use is not None else (None if in_use_by is None else bool(as_list(in_use_by))),
            renewal_eligibility=field(conf, "RenewalEligibility"),
            renewal_status=dig(conf, "RenewalSummary.RenewalStatus"),
        ),
        name=field(conf, "DomainName"),
    )
