"""API Gateway REST APIs in one region and their stages: access and execution logging, X-Ray
tracing, WAF web ACL, cache encryption (GetStages per API)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.aws_edge import apigateway_rest_api, apigateway_stage

API = "aws.apigateway.rest_api"
STAGE = "aws.apigateway.stage"

OPERATIONS = {
    "apigateway:GetRestApis": "apigateway:GET",
    "apigateway:GetStages": "apigateway:GET",
}


def api_arn(api_id: str, region: str) -> str:
    return f"arn:aws:apigateway:{region}::/restapis/{api_id}"


def api_record(item: dict, account: str, region: str) -> Record:
    return Record(kind=API, id=api_arn(item["id"], region), name=item.get("name") or item["id"],
                  shape=apigateway_rest_api(item, {}, account, region), region=region, tags=tags_of(item.get("tags")))


def stage_record(item: dict, account: str, region: str, api_id: str | None = None) -> Record:
    api_id = api_id or item.get("restApiId") or "unknown"
    shape = apigateway_stage({**item, "restApiId": api_id}, {}, account, region)
    if "methodSettings" in item and "accessLogSettings" not in item:
        shape.attrs["access_log_destination"] = ""
    arn = f"{api_arn(api_id, region)}/stages/{item['stageName']}"
    shape.ref("stage_of", api_arn(api_id, region))
    return Record(kind=STAGE, id=arn, name=f"{api_id}/{item['stageName']}", shape=shape, region=region,
                  tags=tags_of(item.get("tags")))


def collect(ctx: TaskContext) -> None:
    client = ctx.client("apigateway")
    for item in ctx.pages(client, "GetRestApis", "items", kinds=(API, STAGE)) or []:
        ctx.add(api_record(item, ctx.account, ctx.region), "apigateway:GetRestApis")
        answer = ctx.call(client, "GetStages", kinds=(STAGE,), resource_id=api_arn(item["id"], ctx.region),
                          restApiId=item["id"])
        for stage in (answer or {}).get("item") or []:
            ctx.add(stage_record(stage, ctx.account, ctx.region, item["id"]), "apigateway:GetStages")


def stages_dump_record(item: dict, account: str, region: str) -> Record:
    return stage_record(item, account, region)


# `aws apigateway get-stages --rest-api-id ID > ID.json`: the API id comes from the file name.
DUMPS = (DumpShape(key="item", item_field="stageName", to_record=stages_dump_record,
                   path_field=("restApiId", r"^[a-z0-9]{10}(?=[^a-z0-9]|$)")),)

SPEC = ServiceSpec(name="apigateway", collect=collect, operations=OPERATIONS, kinds=(API, STAGE), dumps=DUMPS)
