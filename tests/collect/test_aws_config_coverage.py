"""AWS Config configuration items of the types added for issue 20 (property names as in
awslabs/aws-config-resource-schema), and AWS CLI dumps of the new collectors' calls, through the
importers; the rules judge them, and deleting any configuration field a rule reads never turns
a verdict into PASS (absent stays absent)."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest

from drscan.collect.inventory import import_inventory
from drscan.engine.evaluate import evaluate
from drscan.engine.loader import load_rules
from drscan.graph.build import build_graph
from drscan.paths import rules_dir
from tests.collect.test_backup_absent_fields import _paths, _without
from tests.conftest import FIXED_NOW

ACCOUNT = "111111111111"
REGION = "us-east-1"


def item(resource_type: str, resource_id: str, arn: str, configuration: dict, supplementary: dict | None = None,
         tags: dict | None = None) -> dict:
    """A configuration item as an S3-delivered snapshot file writes it."""
    return {"configurationItemVersion": "1.3", "configurationItemCaptureTime": "2026-11-19T22:10:04.113Z",
            "awsAccountId": ACCOUNT, "configurationItemStatus": "OK", "resourceType": resource_type,
            "resourceId": resource_id, "resourceName": resource_id, "ARN": arn, "awsRegion": REGION,
            "availabilityZone": "Not Applicable", "tags": tags or {}, "relationships": [],
            "configuration": configuration, "supplementaryConfiguration": supplementary or {}}


TRUST = urllib.parse.quote(json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sts:AssumeRole"}]}))
POLICY_TEXT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-site/*"}]})

ITEMS = {
    "opensearch": item("AWS::OpenSearch::Domain", "search", f"arn:aws:es:{REGION}:{ACCOUNT}:domain/search", {
        "DomainName": "search", "Arn": f"arn:aws:es:{REGION}:{ACCOUNT}:domain/search", "EngineVersion": "OpenSearch_2.11",
        "ClusterConfig": {"InstanceCount": 3, "ZoneAwarenessEnabled": True, "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
                          "DedicatedMasterEnabled": True},
        "EncryptionAtRestOptions": {"Enabled": True, "KmsKeyId": "0f5c1a9e"}, "NodeToNodeEncryptionOptions": {"Enabled": True},
        "DomainEndpointOptions": {"EnforceHTTPS": False, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        "LogPublishingOptions": {"AUDIT_LOGS": {"Enabled": False}}, "AdvancedSecurityOptions": {"Enabled": True},
        "VPCOptions": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}, tags={"app": "search"}),
    "elasticsearch": item("AWS::Elasticsearch::Domain", "legacy", f"arn:aws:es:{REGION}:{ACCOUNT}:domain/legacy", {
        "domainName": "legacy", "elasticsearchVersion": "7.10",
        "elasticsearchClusterConfig": {"instanceCount": 1, "zoneAwarenessEnabled": False},
        "encryptionAtRestOptions": {"enabled": False}, "nodeToNodeEncryptionOptions": {"enabled": False},
        "domainEndpointOptions": {"enforceHTTPS": False}}),
    "secret": item("AWS::SecretsManager::Secret", "db", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-AbCdEf", {
        "Name": "db", "RotationEnabled": False, "KMSKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f5c1a9e"}),
    "queue": item("AWS::SQS::Queue", "orders", f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders", {
        "QueueName": "orders", "QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders", "SqsManagedSseEnabled": "false",
        "MessageRetentionPeriod": 345600}),
    "topic": item("AWS::SNS::Topic", "alerts", f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts", {
        "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts", "KmsMasterKeyId": "alias/aws/sns", "DisplayName": "alerts"}),
    "repository": item("AWS::ECR::Repository", "web", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web", {
        "RepositoryName": "web", "ImageTagMutability": "MUTABLE", "ImageScanningConfiguration": {"ScanOnPush": False}}),
    "certificate": item("AWS::ACM::Certificate", "c1", f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/c1", {
        "certificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/c1", "domainName": "pay.example.com",
        "status": "ISSUED", "type": "AMAZON_ISSUED", "keyAlgorithm": "RSA-2048", "notAfter": "2026-12-01T00:00:00.000Z",
        "inUseBy": [f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/pay/1"],
        "renewalEligibility": "ELIGIBLE"}),
    "eks": item("AWS::EKS::Cluster", "prod", f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/prod", {
        "Name": "prod", "Arn": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/prod", "Version": "1.30",
        "Endpoint": "https://ABC.gr7.us-east-1.eks.amazonaws.com", "ClusterStatus": "ACTIVE",
        "ResourcesVpcConfig": {"SubnetIds": ["subnet-1", "subnet-2"], "EndpointPublicAccess": True,
                               "EndpointPrivateAccess": True, "PublicAccessCidrs": ["0.0.0.0/0"]},
        "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": "api"}]}},
        "EncryptionConfig": [{"Resources": ["secrets"], "Provider": {"KeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k"}}]}),
    "distribution": item("AWS::CloudFront::Distribution", "E1", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1", {
        "id": "E1", "domainName": "d1.cloudfront.net", "distributionConfig": {
            "enabled": True, "origins": {"quantity": 2, "items": [{"id": "a"}, {"id": "b"}]},
            "originGroups": {"quantity": 1, "items": [{"id": "g", "members": {"quantity": 2, "items": [{"originId": "a"}, {"originId": "b"}]}}]},
            "defaultCacheBehavior": {"targetOriginId": "g", "viewerProtocolPolicy": "redirect-to-https"},
            "logging": {"enabled": False, "bucket": ""}, "viewerCertificate": {"minimumProtocolVersion": "TLSv1.2_2021"},
            "webACLId": ""}}),
    "accelerator": item("AWS::GlobalAccelerator::Accelerator", "ga", f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/ga", {
        "AcceleratorArn": f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/ga", "Name": "edge", "Enabled": True,
        "IpAddressType": "IPV4", "DnsName": "a1.awsglobalaccelerator.com"}),
    "endpoint_group": item("AWS::GlobalAccelerator::EndpointGroup", "eg",
                           f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/ga/listener/l1/endpoint-group/eg", {
        "EndpointGroupRegion": "eu-west-1", "ListenerArn": f"arn:aws:globalaccelerator::{ACCOUNT}:accelerator/ga/listener/l1",
        "EndpointConfigurations": [{"EndpointId": "alb-1", "Weight": 128}], "HealthCheckProtocol": "TCP"}),
    "rest_api": item("AWS::ApiGateway::RestApi", "a1b2c3d4e5", f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3d4e5", {
        "id": "a1b2c3d4e5", "name": "payments", "endpointConfiguration": {"types": ["REGIONAL"]}}),
    "stage": item("AWS::ApiGateway::Stage", "prod", f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3d4e5/stages/prod", {
        "stageName": "prod", "deploymentId": "d1", "tracingEnabled": False, "cacheClusterEnabled": False,
        "accessLogSettings": {"destinationArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:api", "format": "$context.requestId"}}),
    "detector": item("AWS::GuardDuty::Detector", "d1", f"arn:aws:guardduty:{REGION}:{ACCOUNT}:detector/d1", {
        "Id": "d1", "Enable": False, "FindingPublishingFrequency": "SIX_HOURS", "DataSources": {"S3Logs": {"Enable": True}}}),
    "recorder": item("AWS::Config::ConfigurationRecorder", "default", f"arn:aws:config:{REGION}:{ACCOUNT}:config-recorder/default", {
        "Name": "default", "Recording": True, "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
        "RecordingGroup": {"AllSupported": False, "IncludeGlobalResourceTypes": False, "ResourceTypes": ["AWS::S3::Bucket"]}}),
    "vpc": item("AWS::EC2::VPC", "vpc-1", f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-1", {
        "vpcId": "vpc-1", "cidrBlock": "10.0.0.0/16", "isDefault": False, "state": "available"}),
    "flow_log": item("AWS::EC2::FlowLog", "fl-1", f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/fl-1", {
        "flowLogId": "fl-1", "resourceId": "vpc-1", "flowLogStatus": "ACTIVE", "trafficType": "ALL",
        "logDestinationType": "s3", "logDestination": "arn:aws:s3:::flow-logs"}),
    "role": item("AWS::IAM::Role", "AROA1", f"arn:aws:iam::{ACCOUNT}:role/vendor", {
        "roleName": "vendor", "path": "/", "assumeRolePolicyDocument": TRUST, "attachedManagedPolicies": []}),
    "redshift": item("AWS::Redshift::Cluster", "bi", f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:bi", {
        "clusterIdentifier": "bi", "clusterStatus": "available", "encrypted": True, "publiclyAccessible": True,
        "automatedSnapshotRetentionPeriod": 1, "multiAZ": "Disabled"},
        {"LoggingStatus": {"loggingEnabled": False}}, tags={"app": "bi"}),
    "bucket": item("AWS::S3::Bucket", "acme-site", "arn:aws:s3:::acme-site", {"name": "acme-site"}, {
        "BucketPolicy": {"policyText": POLICY_TEXT},
        "ObjectLockConfiguration": {"objectLockEnabled": "Enabled", "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": 30}}},
        "BucketVersioningConfiguration": {"status": "Enabled", "isMfaDeleteEnabled": False}}),
    "function": item("AWS::Lambda::Function", "old", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:old", {
        "functionName": "old", "runtime": "nodejs16.x", "packageType": "Zip", "memorySize": 128}),
    "instance": item("AWS::EC2::Instance", "i-1", f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/i-1", {
        "instanceId": "i-1", "rootDeviceName": "/dev/xvda", "rootDeviceType": "ebs",
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeId": "vol-1"}}]}),
    "volume": item("AWS::EC2::Volume", "vol-1", f"arn:aws:ec2:{REGION}:{ACCOUNT}:volume/vol-1", {
        "volumeId": "vol-1", "encrypted": True, "attachments": [{"instanceId": "i-1", "device": "/dev/xvda"}]}),
    # DocumentDB and Neptune clusters are recorded as AWS::RDS::DBCluster; the engine names the service.
    "docdb": item("AWS::RDS::DBCluster", "cluster-DOCDB1", f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:catalog-docs", {
        "dbclusterIdentifier": "catalog-docs", "engine": "docdb", "engineVersion": "5.0.0", "status": "available",
        "storageEncrypted": False, "backupRetentionPeriod": 1, "deletionProtection": True, "multiAZ": True,
        "availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"], "enabledCloudwatchLogsExports": ["audit"],
        "dbclusterMembers": [{"dbinstanceIdentifier": "catalog-docs-1", "isClusterWriter": True},
                             {"dbinstanceIdentifier": "catalog-docs-2", "isClusterWriter": False}]}),
    "neptune": item("AWS::RDS::DBCluster", "cluster-NEPTUNE1", f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:fraud-graph", {
        "dbclusterIdentifier": "fraud-graph", "engine": "neptune", "engineVersion": "1.3.2.0", "status": "available",
        "storageEncrypted": True, "kmsKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "backupRetentionPeriod": 7, "deletionProtection": False, "iamdatabaseAuthenticationEnabled": False,
        "availabilityZones": ["us-east-1a"], "enabledCloudwatchLogsExports": [],
        "dbclusterMembers": [{"dbinstanceIdentifier": "fraud-graph-1", "isClusterWriter": True}]}),
    "zone": item("AWS::Route53::HostedZone", "Z1", "arn:aws:route53:::hostedzone/Z1", {
        # A public zone: no VPC associations (drscan.normalize.aws.route53_hosted_zone leaves
        # private_zone absent when VPCs is missing, and the rule applies to public zones only).
        "Id": "Z1", "Name": "example.com.", "VPCs": [], "QueryLoggingConfig": {"CloudWatchLogsLogGroupArn": {
            "CloudWatchLogsLogGroupArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/route53/example.com"}}}),
}

# (item, rule, expected verdict) on the whole snapshot.
EXPECTED = [
    ("opensearch", "aws-opensearch-domain-encrypted-in-transit", "FAIL"),
    ("opensearch", "aws-opensearch-domain-zone-awareness", "PASS"),
    ("opensearch", "aws-opensearch-domain-private", "PASS"),
    ("elasticsearch", "aws-opensearch-domain-encrypted-at-rest", "FAIL"),
    ("secret", "aws-secretsmanager-secret-rotation", "FAIL"),
    ("secret", "aws-secretsmanager-secret-cmk", "PASS"),
    ("queue", "aws-sqs-queue-encrypted", "FAIL"),
    ("queue", "aws-sqs-queue-not-public", "NOT_ASSESSED"),  # Config does not record the queue policy
    ("topic", "aws-sns-topic-encrypted", "PASS"),
    ("repository", "aws-ecr-repository-scan-on-push", "FAIL"),
    ("certificate", "aws-acm-certificate-not-expiring", "FAIL"),
    ("eks", "aws-eks-cluster-endpoint-restricted", "FAIL"),
    ("eks", "aws-eks-cluster-audit-logging", "FAIL"),
    ("eks", "aws-eks-cluster-secrets-encrypted", "PASS"),
    ("distribution", "aws-cloudfront-distribution-origin-failover", "PASS"),
    ("distribution", "aws-cloudfront-distribution-logging", "FAIL"),
    ("accelerator", "aws-globalaccelerator-multi-region", "NOT_ASSESSED"),
    ("stage", "aws-apigateway-stage-access-logging", "PASS"),
    ("stage", "aws-apigateway-stage-tracing", "FAIL"),
    ("detector", "aws-guardduty-enabled", "FAIL"),
    ("recorder", "aws-config-recorder-recording", "FAIL"),
    ("vpc", "aws-vpc-flow-logs", "PASS"),  # through the flow log item that names it
    ("role", "aws-iam-role-cross-account-external-id", "FAIL"),
    ("redshift", "aws-redshift-cluster-not-public", "FAIL"),
    ("redshift", "aws-redshift-cluster-audit-logging", "FAIL"),
    ("bucket", "aws-s3-bucket-policy-not-public", "FAIL"),
    ("bucket", "aws-s3-bucket-deny-insecure-transport", "FAIL"),
    ("function", "aws-lambda-runtime-supported", "FAIL"),
    ("instance", "aws-ec2-instance-root-volume-encrypted", "PASS"),  # through the attached root volume
    ("zone", "aws-route53-zone-query-logging", "PASS"),
    ("docdb", "aws-docdb-cluster-encrypted", "FAIL"),
    ("docdb", "aws-docdb-cluster-backup-retention", "FAIL"),
    ("docdb", "aws-docdb-cluster-deletion-protection", "PASS"),
    ("docdb", "aws-docdb-cluster-audit-logs", "PASS"),
    ("neptune", "aws-neptune-cluster-encrypted", "PASS"),
    ("neptune", "aws-neptune-cluster-backup-retention", "PASS"),
    ("neptune", "aws-neptune-cluster-deletion-protection", "FAIL"),
    ("neptune", "aws-neptune-cluster-iam-auth", "FAIL"),
    ("neptune", "aws-neptune-cluster-audit-logs", "FAIL"),
]


def _findings(tmp_path: Path, items: dict) -> dict[tuple[str, str], str]:
    (tmp_path / "snapshot.json").write_text(json.dumps({"fileVersion": "1.0", "configurationItems": list(items.values())}))
    inventory = import_inventory(tmp_path)
    findings = evaluate(build_graph(inventory), _rules(), FIXED_NOW, inventory.gaps)
    return {(f.rule_id, f.resource_id): f.status.value for f in findings}


_RULES = []


def _rules():
    if not _RULES:
        _RULES.append(load_rules(rules_dir()))
    return _RULES[0]


def test_config_items_of_the_new_types_are_read_and_judged(tmp_path):
    found = _findings(tmp_path, ITEMS)
    for name, rule_id, expected in EXPECTED:
        assert found.get((rule_id, ITEMS[name]["ARN"])) == expected, (name, rule_id)


def test_config_kinds_and_key_attributes(tmp_path):
    (tmp_path / "snapshot.json").write_text(json.dumps({"configurationItems": list(ITEMS.values())}))
    by_id = {r.id: r for r in import_inventory(tmp_path).resources}
    kinds = {name: by_id[entry["ARN"]].kind for name, entry in ITEMS.items()}
    assert kinds["elasticsearch"] == kinds["opensearch"] == "aws.opensearch.domain"
    assert kinds["endpoint_group"] == "aws.globalaccelerator.endpoint_group"
    assert (kinds["docdb"], kinds["neptune"]) == ("aws.docdb.cluster", "aws.neptune.cluster")  # not aws.rds.db_cluster
    docdb = by_id[ITEMS["docdb"]["ARN"]].attrs
    assert docdb["identifier"] == "catalog-docs" and docdb["instance_count"] == 2 and docdb["log_exports"] == ["audit"]
    eks = by_id[ITEMS["eks"]["ARN"]].attrs
    assert eks["name"] == "prod" and eks["version"] == "1.30" and eks["logging"] == ["api"]
    assert eks["vpc_config"]["public_access_cidrs"] == ["0.0.0.0/0"]
    role = by_id[ITEMS["role"]["ARN"]].attrs
    assert role["trusted_accounts"] == ["222222222222"] and role["trusts_any_principal"] is False
    bucket = by_id[ITEMS["bucket"]["ARN"]].attrs
    assert bucket["object_lock_mode"] == "GOVERNANCE" and bucket["object_lock_retention_days"] == 30
    secret = by_id[ITEMS["secret"]["ARN"]].attrs
    assert secret["replica_regions"] is None  # Config does not record replicas: unknown, not "none"


@pytest.mark.parametrize("name", sorted({name for name, _, expected in EXPECTED if expected != "PASS"}))
def test_deleting_any_source_field_never_turns_a_verdict_into_pass(tmp_path, name):
    baseline = _findings(tmp_path, ITEMS)
    judged = [(rule, ITEMS[name]["ARN"]) for n, rule, expected in EXPECTED if n == name and expected != "PASS"]
    entry = ITEMS[name]
    paths = [("configuration",) + p for p in _paths(entry["configuration"])]
    paths += [("supplementaryConfiguration",) + p for p in _paths(entry["supplementaryConfiguration"])]
    for number, path in enumerate(paths):
        folder = tmp_path / f"cut{number}"
        folder.mkdir()
        found = _findings(folder, {**ITEMS, name: _without(entry, path)})
        for key in judged:
            assert not (baseline[key] != "PASS" and found.get(key) == "PASS"), (name, path, key)


DUMPS = {
    "elasticache.json": {"CacheClusters": [{"CacheClusterId": "memo", "ARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:memo",
                                            "Engine": "memcached", "NumCacheNodes": 1, "PreferredAvailabilityZone": "us-east-1a",
                                            "CacheClusterStatus": "available"}]},
    "memorydb.json": {"Clusters": [{"Name": "ledger", "ARN": f"arn:aws:memorydb:{REGION}:{ACCOUNT}:cluster/ledger", "ACLName": "open-access",
                                    "TLSEnabled": True, "SnapshotRetentionLimit": 0, "AvailabilityMode": "MultiAZ", "Status": "available"}]},
    "redshift.json": {"Clusters": [{"ClusterIdentifier": "bi", "Encrypted": False, "ClusterStatus": "available",
                                    "PubliclyAccessible": False, "AutomatedSnapshotRetentionPeriod": 7}]},
    "ecr.json": {"repositories": [{"repositoryName": "web", "repositoryArn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web",
                                   "imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}}]},
    "secrets.json": {"SecretList": [{"ARN": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-x", "Name": "db",
                                     "RotationEnabled": True, "RotationRules": {"AutomaticallyAfterDays": 30}}]},
    "eks.json": {"cluster": {"name": "prod", "arn": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/prod", "version": "1.31",
                             "endpoint": "https://x.eks.amazonaws.com", "status": "ACTIVE",
                             "resourcesVpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True, "publicAccessCidrs": []},
                             "logging": {"clusterLogging": [{"types": ["audit"], "enabled": True}]}}},
    "acm.json": {"CertificateSummaryList": [{"CertificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/c", "DomainName": "x.example",
                                              "Status": "ISSUED", "KeyAlgorithm": "RSA_1024", "InUse": True}]},
    "fsx.json": {"FileSystems": [{"FileSystemId": "fs-0123456789abcdef0", "FileSystemType": "LUSTRE",
                                  "ResourceARN": f"arn:aws:fsx:{REGION}:{ACCOUNT}:file-system/fs-0123456789abcdef0",
                                  "LustreConfiguration": {"DeploymentType": "SCRATCH_2"}, "Tags": [{"Key": "app", "Value": "hpc"}]}]},
    "vpcs.json": {"Vpcs": [{"VpcId": "vpc-9", "OwnerId": ACCOUNT, "IsDefault": True, "CidrBlock": "172.31.0.0/16"}]},
    "flow-logs.json": {"FlowLogs": [{"FlowLogId": "fl-9", "ResourceId": "vpc-9", "FlowLogStatus": "ACTIVE", "TrafficType": "REJECT"}]},
    "a1b2c3d4e5-stages.json": {"item": [{"stageName": "prod", "deploymentId": "d", "methodSettings": {}, "tracingEnabled": False}]},
}


def test_cli_dumps_of_the_new_calls(tmp_path):
    folder = tmp_path / ACCOUNT / REGION
    folder.mkdir(parents=True)
    for name, document in DUMPS.items():
        (folder / name).write_text(json.dumps(document))
    by_id = {r.id: r for r in import_inventory(tmp_path).resources}
    assert by_id[f"arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:memo"].kind == "aws.elasticache.cluster"
    assert by_id[f"arn:aws:memorydb:{REGION}:{ACCOUNT}:cluster/ledger"].attrs["multi_az"] is True
    assert by_id[f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:bi"].attrs["logging_enabled"] is None  # another call
    assert by_id[f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/web"].attrs["replication_regions"] is None
    assert by_id[f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db-x"].attrs["replica_regions"] is None
    eks = by_id[f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/prod"]
    assert eks.attrs["endpoint_open_to_internet"] is False and eks.attrs["audit_logging_enabled"] is True
    assert by_id[f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/c"].attrs["key_algorithm"] == "RSA_1024"
    lustre = by_id[f"arn:aws:fsx:{REGION}:{ACCOUNT}:file-system/fs-0123456789abcdef0"]
    assert lustre.kind == "aws.fsx.file_system" and lustre.attrs["scratch"] is True  # not read as EFS
    assert by_id[f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/vpc-9"].attrs.get("flow_logs_enabled") is None
    assert by_id[f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc-flow-log/fl-9"].kind == "aws.ec2.flow_log"
    stage = by_id[f"arn:aws:apigateway:{REGION}::/restapis/a1b2c3d4e5/stages/prod"]
    assert stage.attrs["access_log_destination"] == ""  # GetStages omits accessLogSettings when off
