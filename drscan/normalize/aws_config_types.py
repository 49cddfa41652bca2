"""Every AWS Config resource type drscan reads: the original table of drscan.normalize.aws plus the
types added for the wider AWS coverage (data stores, edge services, guardrails), and the extra
facts now read from types it already knew (bucket policy, root volumes, query logging, runtimes).
Property names follow awslabs/aws-config-resource-schema (config/properties/resource-types)."""

from __future__ import annotations

from typing import Any, Callable

from drscan.normalize import aws, aws_data, aws_edge, aws_governance
from drscan.normalize.aws_compute import root_device_facts, security_group_rule_counts, volume_device_facts
from drscan.normalize.aws_policies import s3_policy_and_lock
from drscan.normalize.lookup import dig, field
from drscan.normalize.shape import Shape


def s3_bucket(conf: dict, supp: dict, account: str, region: str) -> Shape:
    shape = aws.s3_bucket(conf, supp, account, region)
    if supp:
        shape.attrs.update(s3_policy_and_lock(supp, account))
    return shape


def adding(base: aws.Transform, facts: Callable[[dict], dict[str, Any]]) -> aws.Transform:
    """A transform that adds facts(configuration) to `base`'s attributes (as gcp_types.extend does)."""

    def transform(conf: dict, supp: dict, account: str, region: str) -> Shape:
        shape = base(conf, supp, account, region)
        shape.attrs.update(facts(conf))
        return shape

    return transform


def lambda_facts(conf: dict) -> dict[str, Any]:
    return dict(package_type=field(conf, "packageType"),
                **aws_governance.lambda_runtime_facts(field(conf, "runtime"), field(conf, "packageType")))


def route53_hosted_zone(conf: dict, supp: dict, account: str, region: str) -> Shape:
    shape = aws.route53_hosted_zone(conf, supp, account, region)
    # Config's HostedZone carries QueryLoggingConfig only when logging is set up; its absence
    # cannot be told from "not recorded", so only the positive answer is kept.
    if dig(conf, "QueryLoggingConfig.CloudWatchLogsLogGroupArn"):
        shape.attrs["query_logging_enabled"] = True
    return shape


def redshift_cluster(conf: dict, supp: dict, account: str, region: str) -> Shape:
    # Config's supplementaryConfiguration.LoggingStatus uses the API's names in camelCase.
    return aws_data.redshift_cluster(conf, supp or {}, account, region)


CONFIG_TYPES: dict[str, tuple[str, aws.Transform]] = {
    **aws.CONFIG_TYPES,
    "AWS::S3::Bucket": ("aws.s3.bucket", s3_bucket),
    "AWS::EC2::Instance": ("aws.ec2.instance", adding(aws.ec2_instance, root_device_facts)),
    "AWS::EC2::Volume": ("aws.ec2.volume", adding(aws.ec2_volume, volume_device_facts)),
    "AWS::EC2::SecurityGroup": ("aws.ec2.security_group", adding(aws.ec2_security_group, security_group_rule_counts)),
    "AWS::Lambda::Function": ("aws.lambda.function", adding(aws.lambda_function, lambda_facts)),
    "AWS::Route53::HostedZone": ("aws.route53.hosted_zone", route53_hosted_zone),
    "AWS::Redshift::Cluster": ("aws.redshift.cluster", redshift_cluster),
    "AWS::OpenSearch::Domain": ("aws.opensearch.domain", aws_data.opensearch_domain),
    "AWS::Elasticsearch::Domain": ("aws.opensearch.domain", aws_data.opensearch_domain),
    "AWS::SecretsManager::Secret": ("aws.secretsmanager.secret", aws_data.secretsmanager_secret),
    "AWS::SQS::Queue": ("aws.sqs.queue", aws_data.sqs_queue),
    "AWS::SNS::Topic": ("aws.sns.topic", aws_data.sns_topic),
    "AWS::ECR::Repository": ("aws.ecr.repository", aws_data.ecr_repository),
    "AWS::ACM::Certificate": ("aws.acm.certificate", aws_data.acm_certificate),
    "AWS::EKS::Cluster": ("aws.eks.cluster", aws_edge.eks_cluster),
    "AWS::CloudFront::Distribution": ("aws.cloudfront.distribution", aws_edge.cloudfront_distribution),
    "AWS::GlobalAccelerator::Accelerator": ("aws.globalaccelerator.accelerator", aws_edge.globalaccelerator_accelerator),
    "AWS::GlobalAccelerator::EndpointGroup": ("aws.globalaccelerator.endpoint_group", aws_edge.globalaccelerator_endpoint_group),
    "AWS::ApiGateway::RestApi": ("aws.apigateway.rest_api", aws_edge.apigateway_rest_api),
    "AWS::ApiGateway::Stage": ("aws.apigateway.stage", aws_edge.apigateway_stage),
    "AWS::GuardDuty::Detector": ("aws.guardduty.detector", aws_governance.guardduty_detector),
    "AWS::Config::ConfigurationRecorder": ("aws.config.recorder", aws_governance.config_recorder),
    "AWS::EC2::VPC": ("aws.ec2.vpc", aws_governance.ec2_vpc),
    "AWS::EC2::FlowLog": ("aws.ec2.flow_log", aws_governance.ec2_flow_log),
    "AWS::IAM::Role": ("aws.iam.role", aws_governance.iam_role),
}


# DocumentDB and Neptune clusters are managed through the RDS API, so AWS Config records them as
# AWS::RDS::DBCluster; the item's engine says which service (and which rules) they belong to.
CLUSTER_ENGINES: dict[str, tuple[str, aws.Transform]] = {
    "docdb": ("aws.docdb.cluster", aws_data.document_cluster),
    "neptune": ("aws.neptune.cluster", aws_data.document_cluster),
}


def config_type(resource_type: str, configuration: dict) -> tuple[str, aws.Transform] | None:
    """The kind and transform for one configuration item (None: a type drscan does not model)."""
    if resource_type == "AWS::RDS::DBCluster" and field(configuration, "engine") in CLUSTER_ENGINES:
        return CLUSTER_ENGINES[field(configuration, "engine")]
    return CONFIG_TYPES.get(resource_type)
