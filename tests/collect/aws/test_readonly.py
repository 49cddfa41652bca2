"""The read-only guarantee: a full scan (every registered service, two regions) against moto
records every API operation it calls; each must be a List/Describe/Get-style read that the
service module declares, and its IAM action must be in `drscan permissions aws`."""

from __future__ import annotations

from drscan.collect.aws.base import READ_PREFIXES
from drscan.collect.aws.collect import AwsOptions, collect_aws
from drscan.collect.aws.permissions import policy_document
from drscan.collect.aws.registry import ORCHESTRATION_OPERATIONS, SERVICES

from tests.collect.aws.estate import Keys, seed

# API Gateway's IAM actions are the HTTP verbs of its management API: apigateway:GET is its read.
READ_ACTION_VERBS = ("List", "Describe", "Get", "BatchGet", "Search", "Lookup", "AssumeRole", "GET")


def declared() -> dict[str, str]:
    operations = dict(ORCHESTRATION_OPERATIONS)
    for spec in SERVICES.values():
        operations.update(spec.operations)
    return operations


def test_every_declared_operation_and_action_is_a_read():
    for operation, action in declared().items():
        name = operation.split(":", 1)[1]
        assert name.startswith(READ_PREFIXES) or operation == "sts:AssumeRole", operation
        assert action.split(":", 1)[1].startswith(READ_ACTION_VERBS), action


def test_a_full_scan_calls_only_declared_reads_that_the_shipped_policy_allows(aws):
    seed(None, Keys("testing", "testing"))
    inventory, calls = collect_aws(AwsOptions(regions=("us-east-1", "eu-west-1"), all_regions=False))
    assert inventory.resources  # the scan saw the seeded estate
    known = declared()
    allowed = set(policy_document()["Statement"][0]["Action"])
    for operation in calls:
        assert operation in known, f"{operation} is called but not declared in its module's OPERATIONS"
        assert operation.split(":", 1)[1].startswith(READ_PREFIXES) or operation == "sts:AssumeRole"
        assert known[operation] in allowed
    services_called = {op.split(":", 1)[0] for op in calls}
    assert {"sts", "s3"} <= services_called
