"""Absent stays absent: an export record whose source field is missing, null or of the wrong
type gives NOT_ASSESSED on the rules that need it, never PASS; the same record with the field
present (even explicitly empty) is judged on it. One case per class of derived attribute."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from drscan.collect.inventory import import_inventory
from drscan.engine.evaluate import evaluate
from drscan.engine.loader import load_rules
from drscan.graph.build import build_graph
from drscan.paths import rules_dir

NOW = datetime(2026, 11, 20, 6, tzinfo=timezone.utc)
ACCOUNT, REGION = "111111111111", "us-east-1"


def config_item(resource_type: str, resource_id: str, arn: str, configuration, **extra) -> dict:
    return {"configurationItemStatus": "OK", "resourceType": resource_type, "resourceId": resource_id, "ARN": arn,
            "awsAccountId": ACCOUNT, "awsRegion": REGION, "tags": {}, "configuration": configuration, **extra}


SG_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-1"
SSH_FROM_ANYWHERE = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}],
                     "ipRanges": ["0.0.0.0/0"], "ipv6Ranges": []}


def security_group(**conf) -> dict:
    return {"configurationItems": [config_item("AWS::EC2::SecurityGroup", "sg-1", SG_ARN,
                                               {"groupId": "sg-1", "groupName": "web", **conf})]}


LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"


def function(configuration) -> dict:
    return {"configurationItems": [config_item("AWS::Lambda::Function", "f", LAMBDA_ARN, configuration)]}


USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/bob"


def iam_user(**conf) -> dict:
    return {"configurationItems": [config_item("AWS::IAM::User", "AIDA", USER_ARN,
                                               {"userName": "bob", "userPolicyList": [], "groupList": [], **conf},
                                               awsRegion="global")]}


SQL = "//cloudsql.googleapis.com/projects/p/instances/db"
GKE = "//container.googleapis.com/projects/p/locations/us-central1-a/clusters/c"


def gcp_asset(name: str, asset_type: str, data) -> dict:
    return {"name": name, "assetType": asset_type, "resource": {"location": "us-central1", "data": data}}


OPEN_SQL = {"databaseVersion": "POSTGRES_15", "settings": {"ipConfiguration": {
    "ipv4Enabled": True, "authorizedNetworks": [{"value": "0.0.0.0/0"}]}}}
BUCKET = "//storage.googleapis.com/public-bucket"


def bucket_policy(bindings) -> dict:
    policy = {"etag": "x"} if bindings is ... else {"bindings": bindings}
    return {"name": BUCKET, "assetType": "storage.googleapis.com/Bucket", "iamPolicy": policy,
            "resource": {"data": {"name": "public-bucket", "iamConfiguration": {"publicAccessPrevention": "inherited"}}}}


ROLE = "/subscriptions/s1/providers/microsoft.authorization/roleassignments/r1"


def role_assignment(**props) -> list:
    return [{"id": ROLE, "type": "microsoft.authorization/roleassignments", "name": "r1", "subscriptionId": "s1",
             "properties": {"principalType": "User", "scope": "/subscriptions/s1",
                            "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/"
                                                "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", **props}}]


def verdict(tmp_path: Path, name: str, document, rule: str, resource_id: str) -> str:
    (tmp_path / name).write_text(json.dumps(document))
    inventory = import_inventory(tmp_path)
    graph = build_graph(inventory)
    found = [f for f in evaluate(graph, load_rules(rules_dir()), NOW, inventory.gaps)
             if f.rule_id == rule and f.resource_id == resource_id]
    return found[0].status.value if found else "no finding"


SSH_RULE = "aws-ec2-security-group-admin-ports"


@pytest.mark.parametrize("name,document,rule,resource_id,expected", [
    # a security group: the permission list decides
    ("sg.json", security_group(ipPermissions=[SSH_FROM_ANYWHERE]), SSH_RULE, SG_ARN, "FAIL"),
    ("sg.json", security_group(ipPermissions=[]), SSH_RULE, SG_ARN, "PASS"),  # explicitly none
    ("sg.json", security_group(), SSH_RULE, SG_ARN, "NOT_ASSESSED"),
    ("sg.json", security_group(ipPermissions=None), SSH_RULE, SG_ARN, "NOT_ASSESSED"),
    ("sg.json", security_group(ipPermissions="0.0.0.0/0"), SSH_RULE, SG_ARN, "NOT_ASSESSED"),  # wrong type
    ("sg.json", security_group(ipPermissions=[{k: v for k, v in SSH_FROM_ANYWHERE.items() if k != "fromPort"}]),
     SSH_RULE, SG_ARN, "NOT_ASSESSED"),
    ("sg.json", security_group(ipPermissions=[{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22}]),
     SSH_RULE, SG_ARN, "NOT_ASSESSED"),  # its address ranges are missing
    # a Lambda function: the environment decides
    ("fn.json", function({"functionName": "f", "environment": {"variables": {"DB_PASSWORD": "hunter2-hunter2"}}}),
     "aws-lambda-env-no-plaintext-secret", LAMBDA_ARN, "FAIL"),
    ("fn.json", function({"functionName": "f", "environment": {"variables": {}}}),
     "aws-lambda-env-no-plaintext-secret", LAMBDA_ARN, "PASS"),
    ("fn.json", function(None), "aws-lambda-env-no-plaintext-secret", LAMBDA_ARN, "NOT_ASSESSED"),
    ("fn.json", function({"functionName": "f", "environment": None}),
     "aws-lambda-env-no-plaintext-secret", LAMBDA_ARN, "NOT_ASSESSED"),
    # an IAM user: the policies it attaches decide
    ("user.json", iam_user(attachedManagedPolicies=[{"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]),
     "aws-iam-user-no-admin-policy", USER_ARN, "FAIL"),
    ("user.json", iam_user(attachedManagedPolicies=[]), "aws-iam-user-no-admin-policy", USER_ARN, "PASS"),
    ("user.json", iam_user(), "aws-iam-user-no-admin-policy", USER_ARN, "NOT_ASSESSED"),
    ("user.json", iam_user(attachedManagedPolicies=[{"policyName": "AdministratorAccess"}]),
     "aws-iam-user-no-admin-policy", USER_ARN, "NOT_ASSESSED"),  # an attachment without its ARN
    # GCP: resource.data null says nothing about the instance or cluster
    ("sql.json", [gcp_asset(SQL, "sqladmin.googleapis.com/Instance", OPEN_SQL)], "gcp-sql-not-open-to-internet", SQL, "FAIL"),
    ("sql.json", [gcp_asset(SQL, "sqladmin.googleapis.com/Instance", None)], "gcp-sql-not-open-to-internet", SQL, "NOT_ASSESSED"),
    ("sql.json", [gcp_asset(SQL, "sqladmin.googleapis.com/Instance", {"settings": {"ipConfiguration": {
        "authorizedNetworks": [{"value": "0.0.0.0/0"}]}}})], "gcp-sql-not-open-to-internet", SQL, "NOT_ASSESSED"),
    ("gke.json", [gcp_asset(GKE, "container.googleapis.com/Cluster", {"location": "us-central1-a", "loggingService": "none"})],
     "gcp-gke-cluster-logging", GKE, "FAIL"),
    ("gke.json", [gcp_asset(GKE, "container.googleapis.com/Cluster", None)], "gcp-gke-cluster-logging", GKE, "NOT_ASSESSED"),
    ("gke.json", [gcp_asset(GKE, "container.googleapis.com/Cluster", {"location": "us-central1-a"})],
     "gcp-gke-cluster-logging", GKE, "NOT_ASSESSED"),
    # GCP IAM: a binding whose members are missing may be the public one
    ("iam.json", [bucket_policy([{"role": "roles/storage.objectViewer", "members": ["allUsers"]}])],
     "gcp-storage-bucket-not-public", BUCKET, "FAIL"),
    ("iam.json", [bucket_policy([{"role": "roles/storage.objectViewer"}])], "gcp-storage-bucket-not-public", BUCKET, "NOT_ASSESSED"),
    ("iam.json", [bucket_policy(...)], "gcp-storage-bucket-not-public", BUCKET, "NOT_ASSESSED"),
    # Azure: an Owner assignment whose role or principal type is missing or mistyped
    ("ra.json", role_assignment(), "azure-owner-assignment-not-user", ROLE, "FAIL"),
    ("ra.json", role_assignment(roleDefinitionId=None), "azure-owner-assignment-not-user", ROLE, "NOT_ASSESSED"),
    ("ra.json", role_assignment(principalType=["User"]), "azure-owner-assignment-not-user", ROLE, "NOT_ASSESSED"),
])
def test_a_missing_null_or_mistyped_source_field_is_not_assessed_never_pass(tmp_path, name, document, rule,
                                                                            resource_id, expected):
    assert verdict(tmp_path, name, document, rule, resource_id) == expected
