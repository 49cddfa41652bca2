"""Data-store collectors against moto: ElastiCache, MemoryDB, Redshift, OpenSearch, FSx and
Neptune; the repo's rules judged on what was collected; honest gaps.

moto 5.2 has no DocumentDB engine (its RDS backend refuses Engine=docdb), so botocore's Stubber
answers DescribeDBClusters for the docdb module from tests/fixtures/aws_api/docdb/
describe_db_clusters.json, shaped as the DocumentDB API reference documents it."""

from __future__ import annotations

import boto3

from drscan.collect.aws import docdb, elasticache, fsx, memorydb, neptune, opensearch, rds, redshift
from tests.collect.aws.conftest import ACCOUNT
from tests.collect.aws.test_ec2 import collect_stubbed, Error, load_fixture, status, verdicts

EAST = "us-east-1"



def test_elasticache_groups_and_standalone_clusters(aws):
    client = boto3.client("elasticache", region_name=EAST)
    client.create_replication_group(ReplicationGroupId="sessions", ReplicationGroupDescription="sessions",
                                    Engine="redis", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
                                    AutomaticFailoverEnabled=True, MultiAZEnabled=True, AtRestEncryptionEnabled=True,
                                    TransitEncryptionEnabled=True, SnapshotRetentionLimit=7)
    client.create_cache_cluster(CacheClusterId="memo", Engine="memcached", CacheNodeType="cache.t3.micro", NumCacheNodes=1,
                                Tags=[{"Key": "app", "Value": "web"}])
    # AWS lists a replication group's member nodes among the cache clusters; moto 5.2 does not, so
    # the listing is moto's plus the members its group names (as the API reference shows them).
    members = client.describe_replication_groups()["ReplicationGroups"][0]["MemberClusters"]
    listed = client.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    listing = {"CacheClusters": listed + [{"CacheClusterId": m, "ReplicationGroupId": "sessions", "Engine": "redis",
                                           "CacheClusterStatus": "available"} for m in members]}
    out = collect_stubbed(elasticache, "elasticache", {"DescribeCacheClusters": lambda p: listing})
    kinds = {r.kind: r for r in out.resources}
    group, standalone = kinds["aws.elasticache.replication_group"], kinds["aws.elasticache.cluster"]
    assert group.name == "sessions" and group.attrs["automatic_failover"] is True and group.attrs["multi_az"] is True
    assert group.attrs["at_rest_encrypted"] is True and group.attrs["snapshot_retention_days"] == 7
    assert standalone.name == "memo" and standalone.attrs["engine"] == "memcached"
    # Members of the group are judged through the group, never on their own.
    assert [r.name for r in out.resources if r.kind == "aws.elasticache.cluster"] == ["memo"]
    assert not out.gaps and set(out.calls) <= set(elasticache.OPERATIONS) and members
    found = verdicts(out)
    assert status(found, "aws-elasticache-replication-group-failover", group.id) == "PASS"
    assert status(found, "aws-elasticache-replication-group-encrypted-at-rest", group.id) == "PASS"


def test_elasticache_empty_region_costs_one_call(aws):
    out = collect_stubbed(elasticache, "elasticache")
    assert out.resources == [] and dict(out.calls) == {"elasticache:DescribeCacheClusters": 1}


def test_elasticache_denied_listing_is_a_gap(aws):
    out = collect_stubbed(elasticache, "elasticache", {"DescribeCacheClusters": lambda p: Error("AccessDenied", "no", 403)})
    assert out.resources == [] and [(g.operation, g.code) for g in out.gaps] == [("DescribeCacheClusters", "AccessDenied")]


def test_memorydb_cluster(aws):
    client = boto3.client("memorydb", region_name=EAST)
    client.create_cluster(ClusterName="ledger-cache", NodeType="db.t4g.small", ACLName="open-access", TLSEnabled=False,
                          NumReplicasPerShard=0, SnapshotRetentionLimit=0)
    out = collect_stubbed(memorydb, "memorydb")
    cluster, = out.resources
    assert cluster.kind == "aws.memorydb.cluster" and cluster.name == "ledger-cache"
    assert cluster.attrs["tls_enabled"] is False and cluster.attrs["snapshot_retention_days"] == 0
    found = verdicts(out)
    assert status(found, "aws-memorydb-cluster-tls", cluster.id) == "FAIL"
    assert status(found, "aws-memorydb-cluster-snapshots", cluster.id) == "FAIL"


def test_redshift_cluster_with_logging_and_snapshot_copy(aws):
    client = boto3.client("redshift", region_name=EAST)
    client.create_cluster(ClusterIdentifier="bi", NodeType="ra3.xlplus", MasterUsername="admin",
                          MasterUserPassword="Password1234", Encrypted=True, PubliclyAccessible=False,
                          AutomatedSnapshotRetentionPeriod=1, Tags=[{"Key": "app", "Value": "bi"}])
    client.create_snapshot_copy_grant(SnapshotCopyGrantName="bi-west")
    client.enable_snapshot_copy(ClusterIdentifier="bi", DestinationRegion="us-west-2", RetentionPeriod=7,
                                SnapshotCopyGrantName="bi-west")
    out = collect_stubbed(redshift, "redshift")
    cluster, = out.resources
    assert cluster.id == f"arn:aws:redshift:{EAST}:{ACCOUNT}:cluster:bi" and cluster.tags == {"app": "bi"}
    assert cluster.attrs["encrypted"] is True and cluster.attrs["snapshot_copy_region"] == "us-west-2"
    assert cluster.attrs["logging_enabled"] is False  # DescribeLoggingStatus answered: off
    found = verdicts(out)
    assert status(found, "aws-redshift-cluster-snapshot-retention", cluster.id) == "FAIL"
    assert status(found, "aws-redshift-cluster-cross-region-snapshots", cluster.id) == "PASS"
    assert status(found, "aws-redshift-cluster-audit-logging", cluster.id) == "FAIL"


def test_redshift_logging_denied_is_not_assessed(aws):
    boto3.client("redshift", region_name=EAST).create_cluster(
        ClusterIdentifier="bi", NodeType="ra3.xlplus", MasterUsername="admin", MasterUserPassword="Password1234")
    out = collect_stubbed(redshift, "redshift", {"DescribeLoggingStatus": lambda p: Error("AccessDenied", "no", 403)})
    cluster, = out.resources
    assert cluster.attrs["logging_enabled"] is None
    assert verdicts(out)[("aws-redshift-cluster-audit-logging", cluster.id)].status.value == "NOT_ASSESSED"


def test_opensearch_domain(aws):
    client = boto3.client("opensearch", region_name=EAST)
    client.create_domain(DomainName="search", EngineVersion="OpenSearch_2.11",
                         ClusterConfig={"InstanceType": "r6g.large.search", "InstanceCount": 2, "ZoneAwarenessEnabled": True},
                         EncryptionAtRestOptions={"Enabled": True}, NodeToNodeEncryptionOptions={"Enabled": False},
                         DomainEndpointOptions={"EnforceHTTPS": True})
    out = collect_stubbed(opensearch, "opensearch")
    domain, = out.resources
    assert domain.kind == "aws.opensearch.domain" and domain.attrs["encrypted_at_rest"] is True
    assert domain.attrs["zone_awareness"] is True and domain.attrs["node_to_node_encrypted"] is False
    found = verdicts(out)
    assert status(found, "aws-opensearch-domain-encrypted-at-rest", domain.id) == "PASS"
    assert status(found, "aws-opensearch-domain-encrypted-in-transit", domain.id) == "FAIL"


def test_fsx_windows_file_system(aws):
    client = boto3.client("fsx", region_name=EAST)
    subnet = boto3.client("ec2", region_name=EAST).describe_subnets()["Subnets"][0]["SubnetId"]
    client.create_file_system(FileSystemType="WINDOWS", StorageCapacity=32, SubnetIds=[subnet],
                              WindowsConfiguration={"ThroughputCapacity": 8, "DeploymentType": "SINGLE_AZ_2",
                                                    "AutomaticBackupRetentionDays": 0},
                              Tags=[{"Key": "app", "Value": "files"}, {"Key": "Name", "Value": "shares"}])
    out = collect_stubbed(fsx, "fsx")
    fs, = out.resources
    assert fs.kind == "aws.fsx.file_system" and fs.id.startswith(f"arn:aws:fsx:{EAST}:{ACCOUNT}:file-system/fs-")
    assert fs.attrs["file_system_type"] == "WINDOWS" and fs.attrs["multi_az"] is False
    assert fs.attrs["deployment_type"] == "SINGLE_AZ_2" and fs.attrs["automatic_backup_retention_days"] == 0
    # (moto 5.2 leaves Tags out of DescribeFileSystems, so the app-scoped Multi-AZ rule is judged in
    # the rule cases and the import test rather than here.)
    assert status(verdicts(out), "aws-fsx-file-system-backups", fs.id) == "FAIL"


def test_neptune_cluster_and_rds_leaves_it_alone(aws):
    client = boto3.client("neptune", region_name=EAST)
    client.create_db_cluster(DBClusterIdentifier="graph", Engine="neptune", StorageEncrypted=True,
                             BackupRetentionPeriod=1, DeletionProtection=False)
    out = collect_stubbed(neptune, "neptune")
    cluster, = out.resources
    assert cluster.kind == "aws.neptune.cluster" and cluster.attrs["storage_encrypted"] is True
    assert cluster.attrs["backup_retention_days"] == 1
    found = verdicts(out)
    assert status(found, "aws-neptune-cluster-backup-retention", cluster.id) == "FAIL"
    assert status(found, "aws-neptune-cluster-encrypted", cluster.id) == "PASS"
    rds_out = collect_stubbed(rds, "rds")
    assert all(r.kind != "aws.rds.db_cluster" for r in rds_out.resources)  # one module owns each engine


def test_docdb_cluster_from_the_api_reference_shape(aws):
    answer = load_fixture("docdb", "describe_db_clusters")
    out = collect_stubbed(docdb, "docdb", {"DescribeDBClusters": lambda p: answer})
    cluster, = out.resources
    assert cluster.kind == "aws.docdb.cluster" and cluster.name == "catalog"
    assert cluster.attrs["storage_encrypted"] is True and cluster.attrs["log_exports"] == ["audit"]
    assert cluster.attrs["multi_az"] is True and cluster.attrs["instance_count"] == 2
    found = verdicts(out)
    assert status(found, "aws-docdb-cluster-audit-logs", cluster.id) == "PASS"
    assert status(found, "aws-docdb-cluster-deletion-protection", cluster.id) == "FAIL"
    # The same item in an `aws rds describe-db-clusters` dump becomes the same kind.
    record = rds.cluster_listing_record(answer["DBClusters"][0], ACCOUNT, EAST)
    assert record.kind == "aws.docdb.cluster"
