"""CloudTrail, per region: the trails whose home is this region (so a multi-region trail is
reported once), with logging status and which events they record."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws import cloudtrail_trail
from drscan.normalize.lookup import as_bool, iso_time

KIND = "aws.cloudtrail.trail"

OPERATIONS = {
    "cloudtrail:DescribeTrails": "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus": "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors": "cloudtrail:GetEventSelectors",
}


def recorded_events(selectors: dict) -> tuple[str, bool]:
    """(management events recorded: "All" | "ReadOnly" | "WriteOnly" | "None", data events recorded?)
    from basic EventSelectors or AdvancedEventSelectors."""
    kinds: set[str] = set()
    data = False
    for selector in selectors.get("EventSelectors") or []:
        if as_bool(selector.get("IncludeManagementEvents")) is not False:
            kinds.add(str(selector.get("ReadWriteType") or "All"))
        data = data or bool(selector.get("DataResources"))
    for selector in selectors.get("AdvancedEventSelectors") or []:
        fields = {str(f.get("Field")): [str(v) for v in f.get("Equals") or []] for f in selector.get("FieldSelectors") or []}
        category = fields.get("eventCategory", [])
        if "Management" in category:
            read_only = fields.get("readOnly")
            kinds.add("All" if not read_only else "ReadOnly" if read_only == ["true"] else "WriteOnly")
        data = data or "Data" in category
    if "All" in kinds or {"ReadOnly", "WriteOnly"} <= kinds:
        return "All", data
    return (kinds.pop() if kinds else "None"), data


def trail_record(item: dict, account: str, region: str, status: dict | None = None,
                 selectors: dict | None = None) -> Record:
    """DescribeTrails entry, with GetTrailStatus and GetEventSelectors answers when read."""
    shape = cloudtrail_trail(item, {"TrailStatus": status} if status is not None else {}, account, region)
    if status is not None:
        shape.attrs.update(latest_delivery_at=iso_time(status.get("LatestDeliveryTime")),
                           latest_delivery_error=status.get("LatestDeliveryError") or None)
    management, data = recorded_events(selectors) if selectors is not None else (None, None)
    shape.attrs.update(management_events=management, data_events=data)
    return Record(kind=KIND, id=item["TrailARN"], name=item.get("Name") or item["TrailARN"], shape=shape,
                  region=item.get("HomeRegion") or region, account=account)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("cloudtrail")
    # Without shadow trails, each region lists only the trails created there: a multi-region trail
    # appears once, in its home region, and an organization trail only in the management account.
    answer = ctx.call(client, "DescribeTrails", kinds=(KIND,), includeShadowTrails=False)
    for trail in (answer or {}).get("trailList") or []:
        if trail.get("HomeRegion") not in (None, ctx.region):
            continue
        arn = trail["TrailARN"]
        status = ctx.call(client, "GetTrailStatus", kinds=(KIND,), resource_id=arn, Name=arn)
        selectors = ctx.call(client, "GetEventSelectors", kinds=(KIND,), resource_id=arn, TrailName=arn)
        ctx.add(trail_record(trail, ctx.account, ctx.region, status, selectors), "cloudtrail:DescribeTrails")


DUMPS = (
    DumpShape(key="trailList", item_field="TrailARN", to_record=trail_record),
)

SPEC = ServiceSpec(name="cloudtrail", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
