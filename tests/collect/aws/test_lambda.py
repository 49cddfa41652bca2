"""Lambda collector against moto: function facts, environment reduced to names plus one boolean
(a seeded access key and password never reach the collected data), and the secret rule."""

from __future__ import annotations

import dataclasses
import json

import boto3
from botocore.stub import Stubber

from drscan.collect.aws import lambda_
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.collect.aws.collect import run_task
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Inventory
from drscan.normalize.lookup import UNSEEN
from tests.collect.aws.conftest import ACCOUNT, task
from tests.conftest import FIXED_NOW

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
PASSWORD = "hunter2-correct-horse"


def _seed() -> None:
    role = boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="fn", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="fn", Description="fn", VpcId=vpc)["GroupId"]
    functions = boto3.client("lambda", region_name="us-east-1")
    common = dict(Runtime="python3.12", Role=role, Handler="app.handler", Code={"ZipFile": b"code"})
    functions.create_function(FunctionName="payments-webhook", MemorySize=256, Timeout=30,
                              KMSKeyArn=f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
                              Environment={"Variables": {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "LOG_LEVEL": "verbose-debug-7"}},
                              VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]},
                              Tags={"app": "payments"}, **common)
    functions.create_function(FunctionName="db-migrator", Environment={"Variables": {"DB_PASSWORD": PASSWORD}}, **common)
    functions.create_function(FunctionName="checkout", Environment={"Variables": {
        "DB_PASSWORD": f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:checkout-db", "TABLE_NAME": "orders"}}, **common)
    functions.create_function(FunctionName="reporter", **common)


def test_functions_keep_variable_names_and_a_secret_flag_never_values(aws, ruleset):
    _seed()
    out = run_task(task("lambda"), spec=lambda_.SPEC)
    functions = {r.name: r for r in out.resources}
    assert set(functions) == {"payments-webhook", "db-migrator", "checkout", "reporter"}
    webhook = functions["payments-webhook"]
    assert webhook.id == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:payments-webhook"
    assert webhook.attrs["runtime"] == "python3.12" and webhook.attrs["memory_mb"] == 256
    assert webhook.attrs["timeout_seconds"] == 30 and webhook.attrs["in_vpc"] is True
    assert webhook.attrs["env_var_names"] == ["AWS_ACCESS_KEY_ID", "LOG_LEVEL"]
    assert webhook.attrs["env_has_plaintext_secret"] is True and webhook.tags == {"app": "payments"}
    assert functions["db-migrator"].attrs["env_has_plaintext_secret"] is True  # by its name, DB_PASSWORD
    assert functions["checkout"].attrs["env_has_plaintext_secret"] is False  # a Secrets Manager reference
    assert functions["reporter"].attrs["env_has_plaintext_secret"] is False
    assert functions["reporter"].attrs["env_var_names"] == [] and functions["reporter"].attrs["in_vpc"] is False
    assert (webhook.id, "encrypted_by", webhook.attrs["kms_key_arn"]) in {(r.source, r.type, r.target) for r in out.references}

    collected = json.dumps([dataclasses.asdict(r) for r in out.resources + out.references + out.gaps], default=str)
    assert ACCESS_KEY not in collected and PASSWORD not in collected and "verbose-debug-7" not in collected

    assert not out.gaps
    assert out.calls["lambda:ListFunctions"] == 1 and out.calls["lambda:ListTags"] == 4
    assert set(out.calls) <= set(lambda_.OPERATIONS)

    graph = build_graph(Inventory(resources=tuple(out.resources)))
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in evaluate(graph, ruleset, FIXED_NOW)}
    rule = "aws-lambda-env-no-plaintext-secret"
    assert verdicts[(rule, webhook.id)] == "FAIL" and verdicts[(rule, functions["db-migrator"].id)] == "FAIL"
    assert verdicts[(rule, functions["checkout"].id)] == "PASS" and verdicts[(rule, functions["reporter"].id)] == "PASS"


def test_environment_values_lambda_could_not_decrypt_or_config_masked_are_unknown():
    assert lambda_.environment_facts({"Error": {"ErrorCode": "KMSAccessDeniedException", "Message": "denied"}}) == (UNSEEN, UNSEEN)
    assert lambda_.environment_facts({"Variables": {"LOG_LEVEL": "***", "TABLE_NAME": "***"}}) == (["LOG_LEVEL", "TABLE_NAME"], UNSEEN)
    # An export record without Environment (or with null) did not show the variables.
    assert lambda_.environment_facts(None) == (UNSEEN, UNSEEN)
    assert lambda_.environment_facts({"Variables": {}}) == ([], False)
    assert lambda_.environment_facts({"Variables": {"SIGNING_KEY": "-----BEGIN RSA PRIVATE KEY-----\nMIIE"}})[1] is True
    assert lambda_.environment_facts({"Variables": {"FEATURE_TOKEN": "true", "API_KEY": "/prod/api-key"}})[1] is False


def test_denied_tags_are_a_gap_and_the_function_is_still_reported(aws):
    """moto cannot deny one call, so botocore's Stubber answers ListFunctions with a page and ListTags with AccessDenied."""
    spec_task = task("lambda")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"
    with Stubber(ctx.client("lambda")) as stub:
        stub.add_response("list_functions", {"Functions": [{"FunctionName": "f", "FunctionArn": arn, "Runtime": "nodejs20.x",
                                                            "Environment": {"Variables": {"K": ACCESS_KEY}}}]})
        stub.add_client_error("list_tags", "AccessDeniedException", "not authorized", 403)
        lambda_.collect(ctx)
    (function,) = ctx.out.resources
    assert function.attrs["env_has_plaintext_secret"] is True and ACCESS_KEY not in json.dumps(dict(function.attrs))
    (gap,) = ctx.out.gaps
    assert (gap.code, gap.operation, gap.resource_id, gap.kinds) == ("AccessDeniedException", "ListTags", arn, ("aws.lambda.function",))
