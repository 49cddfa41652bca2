"""AWS Fault Injection Service, per region: the experiments that ran (ListExperiments, then
GetExperiment for each: the list has no start/end time, targets or actions). Read-only; each
finished experiment becomes DR-test evidence (drscan.drtests.adapters.fis_tests)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.lookup import iso_time
from drscan.normalize.shape import Shape

KIND = "aws.fis.experiment"

OPERATIONS = {
    "fis:ListExperiments": "fis:ListExperiments",
    "fis:GetExperiment": "fis:GetExperiment",
}
MAX_EXPERIMENTS = 1000  # the newest are kept; reaching the bound is a gap


def experiment_record(item: dict, account: str, region: str) -> Record:
    """GetExperiment `experiment` (or a ListExperiments summary, whose targets, actions and times
    stay unknown)."""
    state = item.get("state") or {}
    targets = item.get("targets")
    actions = item.get("actions")
    detailed = targets is not None or actions is not None
    target_arns = sorted({arn for t in (targets or {}).values() if isinstance(t, dict) for arn in t.get("resourceArns") or []})
    resource_tags: dict[str, str] = {}
    for target in (targets or {}).values():
        if isinstance(target, dict):
            resource_tags.update({str(k): str(v) for k, v in (target.get("resourceTags") or {}).items()})
    shape = Shape(attrs=dict(
        status=state.get("status"), reason=state.get("reason"),
        error_code=(state.get("error") or {}).get("code"),
        template_id=item.get("experimentTemplateId"),
        action_ids=sorted({a.get("actionId") for a in (actions or {}).values() if isinstance(a, dict) and a.get("actionId")})
        if detailed else None,
        target_arns=target_arns if detailed else None,
        target_resource_tags=resource_tags if detailed else None,
        created_at=iso_time(item.get("creationTime")), started_at=iso_time(item.get("startTime")),
        ended_at=iso_time(item.get("endTime")),
        stop_conditions=[c.get("source") for c in item.get("stopConditions") or [] if isinstance(c, dict)] if detailed else None,
    ), name=item.get("id"))
    arn = item.get("arn") or f"arn:aws:fis:{region}:{account}:experiment/{item['id']}"
    tags = {str(k): str(v) for k, v in (item.get("tags") or {}).items()}
    return Record(kind=KIND, id=arn, name=item["id"], shape=shape, region=region, account=account, tags=tags)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("fis")
    listed = ctx.pages(client, "ListExperiments", "experiments", kinds=(KIND,),
                       PaginationConfig={"MaxItems": MAX_EXPERIMENTS, "PageSize": 100})
    if listed is not None and len(listed) >= MAX_EXPERIMENTS:
        ctx.gap("fis", "ListExperiments", "Truncated", f"more than {MAX_EXPERIMENTS} experiments; only the first were read",
                kinds=(KIND,))
    for summary in listed or []:
        detail = ctx.call(client, "GetExperiment", kinds=(KIND,), resource_id=summary.get("arn"), id=summary["id"])
        item = (detail or {}).get("experiment") or summary
        ctx.add(experiment_record(item, ctx.account, ctx.region),
                "fis:GetExperiment" if detail else "fis:ListExperiments")


DUMPS = (
    DumpShape(key="experiments", item_field="experimentTemplateId", to_record=experiment_record),
    DumpShape(key="experiment", item_field="experimentTemplateId", to_record=experiment_record),
)

SPEC = ServiceSpec(name="fis", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
