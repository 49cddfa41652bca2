"""Every AWS service collector, by name: the one place to see what a live scan reads."""

from __future__ import annotations

from drscan.collect.aws import (autoscaling, backup, cloudtrail, cloudwatch, dlm, dynamodb, ec2, efs, elbv2, fis, iam,
                                kms, lambda_, rds, route53, s3)
from drscan.collect.aws.base import ServiceSpec

SERVICES: dict[str, ServiceSpec] = {spec.name: spec for spec in (
    # storage and data
    s3.SPEC, ec2.SPEC, rds.SPEC, dynamodb.SPEC, efs.SPEC, kms.SPEC,
    # backup and recovery
    backup.SPEC, dlm.SPEC,
    # DR tests
    fis.SPEC,
    # identity, traffic, logging and monitoring
    iam.SPEC, route53.SPEC, elbv2.SPEC, autoscaling.SPEC, lambda_.SPEC, cloudtrail.SPEC, cloudwatch.SPEC,
)}

# Calls the orchestrator itself makes (account and region discovery, role assumption).
ORCHESTRATION_OPERATIONS = {
    "sts:GetCallerIdentity": "sts:GetCallerIdentity",
    "ec2:DescribeRegions": "ec2:DescribeRegions",
    "organizations:ListAccounts": "organizations:ListAccounts",
    "sts:AssumeRole": "sts:AssumeRole",
}
