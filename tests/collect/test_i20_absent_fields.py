"""Absent stays absent in the normalizers issue #20 added: a source record missing a field (or
one item's field) leaves the derived attribute absent, and the rule on it reports NOT_ASSESSED,
where the normalizer used to read the gap as a default ("ACTIVE", "healthy", "enabled", [])."""

from __future__ import annotations

import pytest

from drscan.collect.aws.sqs import queue_record
from drscan.model import Status
from drscan.normalize import aws_data, aws_edge, aws_governance, azure_security, gcp_backupdr, gcp_data, gcp_governance
from drscan.normalize.aws_policies import s3_policy_and_lock
from drscan.normalize.lookup import seen_attrs
from tests.rules.test_rule_cases import evaluate_example

ACCOUNT, REGION = "111111111111", "us-east-1"
STANDARD = "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0"


def known(found: dict) -> dict:
    """The attributes a rule can read (a missing or None one is "not collected")."""
    return {k: v for k, v in seen_attrs(found).items() if v is not None}


def attrs(transform, conf: dict, supp: dict | None = None) -> dict:
    return known(transform(conf, supp or {}, ACCOUNT, REGION).attrs)


def verdict(ruleset, rule_id: str, found: dict) -> Status:
    finding = evaluate_example(ruleset.get(rule_id), {"attrs": found})
    assert finding is not None, rule_id
    return finding.status


def hub(*subscriptions: dict) -> dict:
    return attrs(aws_governance.securityhub_hub, {"HubArn": "arn:hub"}, {"StandardsSubscriptions": list(subscriptions)})


def test_security_hub_standard_without_status_is_not_counted_as_enabled(ruleset):
    unread = hub({"StandardsArn": STANDARD})
    assert "standards" not in unread
    assert verdict(ruleset, "aws-securityhub-standards-enabled", unread) is Status.NOT_ASSESSED
    assert verdict(ruleset, "aws-securityhub-standards-enabled", hub({"StandardsArn": STANDARD, "StandardsStatus": "READY"})) \
        is Status.PASS
    assert verdict(ruleset, "aws-securityhub-standards-enabled", hub({"StandardsArn": STANDARD, "StandardsStatus": "FAILED"})) \
        is Status.FAIL


def test_vpc_flow_log_without_status_is_not_read_as_active(ruleset):
    vpc = {"VpcId": "vpc-1", "IsDefault": False}
    unread = attrs(aws_governance.ec2_vpc, vpc, {"FlowLogs": [{"FlowLogId": "fl-1", "TrafficType": "ALL"}]})
    assert "flow_logs_enabled" not in unread and "flow_log_traffic_types" not in unread
    assert verdict(ruleset, "aws-vpc-flow-logs", unread) is not Status.PASS
    active = attrs(aws_governance.ec2_vpc, vpc, {"FlowLogs": [{"FlowLogStatus": "ACTIVE", "TrafficType": "ALL"}]})
    assert active["flow_logs_enabled"] is True and verdict(ruleset, "aws-vpc-flow-logs", active) is Status.PASS
    assert attrs(aws_governance.ec2_vpc, vpc, {"FlowLogs": []})["flow_logs_enabled"] is False


def test_scp_without_aws_managed_flag_is_not_counted_as_custom(ruleset):
    org = {"Id": "o-1", "FeatureSet": "ALL", "MasterAccountId": ACCOUNT}
    roots = [{"PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}]
    unread = attrs(aws_governance.organization, org, {"Roots": roots, "Policies": [{"Id": "p-1", "Name": "Deny"}]})
    assert "custom_scp_count" not in unread
    assert verdict(ruleset, "aws-organizations-scps-enabled", unread) is Status.NOT_ASSESSED
    read = attrs(aws_governance.organization, org, {"Roots": roots, "Policies": [
        {"Id": "p-full", "AwsManaged": True}, {"Id": "p-1", "AwsManaged": False}]})
    assert read["custom_scp_count"] == 1 and verdict(ruleset, "aws-organizations-scps-enabled", read) is Status.PASS


@pytest.mark.parametrize("group", [
    {"EndpointGroupRegion": "us-east-1", "EndpointDescriptions": [{"EndpointId": "i-1"}]},  # no HealthState
    {"EndpointGroupRegion": "us-east-1"},  # no EndpointDescriptions
])
def test_accelerator_endpoint_without_health_is_not_read_as_healthy(ruleset, group):
    found = attrs(aws_edge.globalaccelerator_accelerator, {"Enabled": True, "Name": "a"}, {"EndpointGroups": [group]})
    assert "unhealthy_endpoint_count" not in found
    assert verdict(ruleset, "aws-globalaccelerator-endpoints-healthy", found) is Status.NOT_ASSESSED
    healthy = attrs(aws_edge.globalaccelerator_accelerator, {"Enabled": True}, {"EndpointGroups": [
        {"EndpointDescriptions": [{"EndpointId": "i-1", "HealthState": "HEALTHY"}]}]})
    assert verdict(ruleset, "aws-globalaccelerator-endpoints-healthy", healthy) is Status.PASS


def test_endpoint_group_without_configurations_has_no_endpoint_list():
    assert "endpoint_ids" not in attrs(aws_edge.globalaccelerator_endpoint_group, {"EndpointGroupRegion": "us-east-1"})
    assert attrs(aws_edge.globalaccelerator_endpoint_group, {"EndpointConfigurations": []})["endpoint_ids"] == []


def test_cloudfront_behavior_without_viewer_policy_is_not_skipped(ruleset):
    config = {"Enabled": True, "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "https-only"},
              "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/api/*"}]}}
    found = attrs(aws_edge.cloudfront_distribution, {"Id": "E1", "DistributionConfig": config})
    assert "viewer_https_only" not in found
    assert verdict(ruleset, "aws-cloudfront-distribution-https", found) is Status.NOT_ASSESSED
    config["CacheBehaviors"]["Items"][0]["ViewerProtocolPolicy"] = "allow-all"
    found = attrs(aws_edge.cloudfront_distribution, {"Id": "E1", "DistributionConfig": config})
    assert verdict(ruleset, "aws-cloudfront-distribution-https", found) is Status.FAIL


def test_eks_log_setup_without_enabled_flag_is_not_read_as_enabled(ruleset):
    cluster = {"name": "c", "status": "ACTIVE", "logging": {"clusterLogging": [{"types": ["api", "audit"]}]}}
    found = attrs(aws_edge.eks_cluster, cluster)
    assert "audit_logging_enabled" not in found and "logging" not in found
    assert verdict(ruleset, "aws-eks-cluster-audit-logging", found) is Status.NOT_ASSESSED
    cluster["logging"]["clusterLogging"][0]["enabled"] = True
    assert verdict(ruleset, "aws-eks-cluster-audit-logging", attrs(aws_edge.eks_cluster, cluster)) is Status.PASS
    # Config's CloudFormation shape lists only the enabled types.
    config = {"Name": "c", "Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": "audit"}]}}}
    assert attrs(aws_edge.eks_cluster, config)["audit_logging_enabled"] is True


def test_apigateway_stage_setting_without_logging_level_stays_unknown(ruleset):
    stage = {"stageName": "prod", "deploymentId": "d", "methodSettings": {"*/*": {"metricsEnabled": True}}}
    found = attrs(aws_edge.apigateway_stage, stage)
    assert "execution_logging_level" not in found
    assert verdict(ruleset, "aws-apigateway-stage-execution-logging", found) is Status.NOT_ASSESSED
    # No stage-wide entry at all: the service default (OFF) applies.
    assert attrs(aws_edge.apigateway_stage, {**stage, "methodSettings": {}})["execution_logging_level"] == "OFF"


def test_document_cluster_log_export_that_is_not_text_is_not_an_empty_list(ruleset):
    cluster = {"DBClusterIdentifier": "d", "Status": "available", "EnabledCloudwatchLogsExports": [None]}
    found = attrs(aws_data.document_cluster, cluster)
    assert "log_exports" not in found
    assert verdict(ruleset, "aws-docdb-cluster-audit-logs", found) is Status.NOT_ASSESSED
    # DescribeDBClusters leaves the list out when nothing is exported.
    assert attrs(aws_data.document_cluster, {"DBClusterIdentifier": "d", "Status": "available"})["log_exports"] == []


def test_data_store_flags_missing_from_their_entries_stay_unknown():
    group = {"ReplicationGroupId": "g", "Status": "available", "NodeGroups": [{"NodeGroupId": "0001"}],
             "LogDeliveryConfigurations": [{"LogType": "slow-log"}]}
    found = attrs(aws_data.elasticache_replication_group, group)
    assert not {"log_delivery_enabled", "az_count", "min_replicas_per_node_group"} & set(found)
    fsx = {"FileSystemId": "fs-1", "FileSystemType": "WINDOWS", "WindowsConfiguration": {"DeploymentType": "MULTI_AZ_1"}}
    assert "audit_logging" not in attrs(aws_data.fsx_file_system, fsx)
    domain = {"DomainName": "d", "LogPublishingOptions": {"AUDIT_LOGS": {"CloudWatchLogsLogGroupArn": "arn:lg"}}}
    found = attrs(aws_data.opensearch_domain, domain)
    assert "audit_logs_enabled" not in found and found["error_logs_enabled"] is False  # not listed: not published
    assert "rotation_enabled" not in attrs(aws_data.secretsmanager_secret, {"Name": "s", "RotationEnabled": "maybe"})


def test_sqs_attributes_not_asked_for_are_not_read_as_none_set(ruleset):
    arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders"
    partial = known(queue_record({"QueueArn": arn, "KmsMasterKeyId": "alias/k"}, ACCOUNT, REGION).shape.attrs)
    assert "policy_public" not in partial and "dead_letter_target_arn" not in partial
    assert verdict(ruleset, "aws-sqs-queue-not-public", partial) is Status.NOT_ASSESSED
    every = known(queue_record({"QueueArn": arn, "VisibilityTimeout": "30"}, ACCOUNT, REGION).shape.attrs)
    assert every["policy_public"] is False and every["dead_letter_target_arn"] == ""


def test_unreadable_iam_binding_leaves_pubsub_public_flags_absent(ruleset):
    shape = gcp_data.pubsub_topic({"name": "projects/p/topics/t"}, {"bindings": [{"role": "roles/pubsub.publisher"}]},
                                  "global")
    found = known(shape.attrs)
    assert "is_public" not in found and "public_members" not in found
    public = gcp_data.pubsub_topic({"name": "t"}, {"bindings": [{"role": "r", "members": ["allUsers"]}]}, "global")
    assert public.attrs["is_public"] is True


def test_object_lock_retention_of_the_wrong_type_is_unknown_not_a_crash():
    lock = {"ObjectLockConfiguration": {"objectLockEnabled": "Enabled",
                                        "rule": {"defaultRetention": {"mode": "GOVERNANCE", "days": "many"}}}}
    assert s3_policy_and_lock(lock, ACCOUNT)["object_lock_retention_days"] is None


def test_security_contact_without_is_enabled_does_not_count_as_notifying():
    row = {"id": "/subscriptions/s/providers/Microsoft.Security/securityContacts/default"}
    props = {"emails": "secops@example.com", "notificationsSources": [{"sourceType": "Alert", "minimalSeverity": "High"}]}
    found = known(azure_security.security_contact(row, props).attrs)
    assert "alerts_notified" not in found and "alert_min_severity" not in found
    found = known(azure_security.security_contact(row, {**props, "isEnabled": True}).attrs)
    assert found["alerts_notified"] is True and found["alert_min_severity"] == "High"


def test_names_missing_from_list_entries_leave_the_list_unknown():
    detector = {"Status": "ENABLED", "Features": [{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"}, {"Status": "ENABLED"}]}
    assert "features_enabled" not in attrs(aws_governance.guardduty_detector, detector)
    org = attrs(aws_governance.organization, {"Id": "o-1"}, {"DelegatedAdministrators": [{"Id": "2"}, {"Services": []}]})
    assert "delegated_administrators" not in org
    contact = gcp_governance.essential_contact({"name": "organizations/1/contacts/2",
                                                "notificationCategorySubscriptions": None}, {}, "")
    assert not {"categories", "covers_security"} & set(known(contact.attrs))
    association = gcp_backupdr.backup_plan_association(
        {"rulesConfigInfo": [{"lastBackupState": "SUCCEEDED"}, "unread"]}, {}, "us-central1")
    assert "last_backup_state" not in known(association.attrs)
