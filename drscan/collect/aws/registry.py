"""Every AWS service collector, by name: the one place to see what a live scan reads."""

from __future__ import annotations

from drscan.collect.aws import (acm, apigateway, autoscaling, backup, cloudfront, cloudtrail, cloudwatch, config, dlm, docdb,
                                dynamodb, ec2, ecr, efs, eks, elasticache, elbv2, fis, fsx, globalaccelerator, guardduty, iam,
                                kms, lambda_, memorydb, neptune, opensearch, organizations, rds, redshift, route53, s3,
                                secretsmanager, securityhub, sns, sqs, vpc)
from drscan.collect.aws.base import ServiceSpec

SERVICES: dict[str, ServiceSpec] = {spec.name: spec for spec in (
    # storage and data (fsx before efs: both print {"FileSystems": [...]} and FSx items are told apart first)
    s3.SPEC, ec2.SPEC, rds.SPEC, dynamodb.SPEC, fsx.SPEC, efs.SPEC, kms.SPEC,
    elasticache.SPEC, memorydb.SPEC, redshift.SPEC, opensearch.SPEC, docdb.SPEC, neptune.SPEC, ecr.SPEC,
    secretsmanager.SPEC, sqs.SPEC, sns.SPEC,
    # backup and recovery
    backup.SPEC, dlm.SPEC,
    # DR tests
    fis.SPEC,
    # identity, traffic, logging and monitoring
    iam.SPEC, route53.SPEC, elbv2.SPEC, autoscaling.SPEC, lambda_.SPEC, cloudtrail.SPEC, cloudwatch.SPEC,
    eks.SPEC, cloudfront.SPEC, globalaccelerator.SPEC, apigateway.SPEC, acm.SPEC, vpc.SPEC,
    # account guardrails and detection
    organizations.SPEC, guardduty.SPEC, securityhub.SPEC, config.SPEC,
)}

# Calls the orchestrator itself makes (account and region discovery, role assumption).
ORCHESTRATION_OPERATIONS = {
    "sts:GetCallerIdentity": "sts:GetCallerIdentity",
    "ec2:DescribeRegions": "ec2:DescribeRegions",
    "organizations:ListAccounts": "organizations:ListAccounts",
    "sts:AssumeRole": "sts:AssumeRole",
}
