"""Every AWS service collector, by name: the one place to see what a live scan reads."""

from __future__ import annotations

from drscan.collect.aws import s3
from drscan.collect.aws.base import ServiceSpec

SERVICES: dict[str, ServiceSpec] = {spec.name: spec for spec in (
    s3.SPEC,
)}

# Calls the orchestrator itself makes (account and region discovery, role assumption).
ORCHESTRATION_OPERATIONS = {
    "sts:GetCallerIdentity": "sts:GetCallerIdentity",
    "ec2:DescribeRegions": "ec2:DescribeRegions",
    "organizations:ListAccounts": "organizations:ListAccounts",
    "sts:AssumeRole": "sts:AssumeRole",
}
