"""Lambda functions, per region: runtime, KMS key, memory, VPC, dead-letter target, and whether
the environment holds a plaintext secret (variable names only; values are never kept)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws_access import lambda_environment_facts, lambda_function
from drscan.normalize.aws_governance import lambda_runtime_facts
from drscan.normalize.lookup import as_int, dig, iso_time

KIND = "aws.lambda.function"

OPERATIONS = {
    "lambda:ListFunctions": "lambda:ListFunctions",
    "lambda:ListTags": "lambda:ListTags",
}

# (variable names, plaintext secret?) of an Environment; the values are never kept.
environment_facts = lambda_environment_facts


def function_record(item: dict, account: str, region: str, tags: dict[str, str] | None = None) -> Record:
    """ListFunctions entry. lambda_function reduces the environment to names and one boolean;
    nothing below reads it."""
    shape = lambda_function(item, {}, account, region)
    safe = {k: v for k, v in item.items() if k != "Environment"}
    vpc_id = dig(safe, "VpcConfig.VpcId") or None
    shape.attrs.update(
        timeout_seconds=as_int(safe.get("Timeout")), package_type=safe.get("PackageType"),
        architectures=[str(a) for a in safe.get("Architectures") or []],
        role_arn=safe.get("Role"), state=safe.get("State"), tracing_mode=dig(safe, "TracingConfig.Mode"),
        in_vpc=bool(vpc_id), vpc_id=vpc_id, subnet_ids=[str(s) for s in dig(safe, "VpcConfig.SubnetIds") or []],
        security_group_ids=[str(s) for s in dig(safe, "VpcConfig.SecurityGroupIds") or []],
        dead_letter_target_arn=dig(safe, "DeadLetterConfig.TargetArn") or None,
        last_modified_at=iso_time(safe.get("LastModified")),
        **lambda_runtime_facts(safe.get("Runtime"), safe.get("PackageType")),
    )
    return Record(kind=KIND, id=safe["FunctionArn"], name=safe.get("FunctionName") or safe["FunctionArn"],
                  shape=shape, region=region, account=account, tags=tags or {})


def collect(ctx: TaskContext) -> None:
    client = ctx.client("lambda")
    for function in ctx.pages(client, "ListFunctions", "Functions", kinds=(KIND,)) or []:
        arn = function["FunctionArn"]
        # Lambda omits Environment for a function without variables. Straight from the API that
        # absence is a fact; in an exported file it could be a field that went missing, so only
        # the live collector reads it as "no variables".
        function = {"Environment": {"Variables": {}}, **function}
        answer = ctx.call(client, "ListTags", kinds=(KIND,), resource_id=arn, Resource=arn)
        ctx.add(function_record(function, ctx.account, ctx.region, tags_of((answer or {}).get("Tags"))),
                "lambda:ListFunctions")


DUMPS = (
    DumpShape(key="Functions", item_field="FunctionArn", to_record=function_record),
)

SPEC = ServiceSpec(name="lambda", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
