"""Amazon Data Lifecycle Manager, per region: EBS snapshot and AMI lifecycle policies (state,
targets, schedules, retention, cross-region copies), and which volumes a policy covers."""

from __future__ import annotations

import re
from typing import Any

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext, tags_of
from drscan.normalize.lookup import as_bool, as_int, iso_time
from drscan.normalize.shape import Shape

KIND = "aws.dlm.lifecycle_policy"

OPERATIONS = {
    "dlm:GetLifecyclePolicies": "dlm:GetLifecyclePolicies",
    "dlm:GetLifecyclePolicy": "dlm:GetLifecyclePolicy",
}

# RetainRule / CreateRule interval units, in days.
UNIT_DAYS = {"HOURS": 1 / 24, "DAYS": 1, "WEEKS": 7, "MONTHS": 30, "YEARS": 365}
DAY_NAMES = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}


def cron_interval_hours(expression: Any) -> float | None:
    """Hours between runs of the simple EventBridge crons DLM schedules use: daily at a fixed
    time (24), on one weekday (168), on one day of the month (720), or every N hours ("0/6",
    "*/6"). None for anything else: drscan does not guess."""
    match = re.fullmatch(r"\s*cron\((.*)\)\s*", str(expression or ""))
    fields = match.group(1).split() if match else []
    if len(fields) != 6:
        return None
    minute, hour, day, _month, weekday, _year = fields
    if not minute.isdigit():
        return None
    step = re.fullmatch(r"(?:\*|\d+)/(\d+)", hour)
    any_day = day in ("*", "?") and weekday in ("*", "?")
    if step and any_day:
        return float(step.group(1))
    if not hour.isdigit():
        return None
    if any_day:
        return 24.0
    if day == "?" and (weekday.upper() in DAY_NAMES or weekday.isdigit()):
        return 168.0
    if weekday == "?" and day.isdigit():
        return 720.0
    return None


def _retain_days(retain: dict, interval_hours: float | None) -> float | None:
    count = as_int(retain.get("Count"))
    if count is not None:
        return round(count * interval_hours / 24, 2) if interval_hours else None
    interval, unit = as_int(retain.get("Interval")), str(retain.get("IntervalUnit") or "").upper()
    if interval is not None and unit in UNIT_DAYS:
        return float(interval * UNIT_DAYS[unit])
    return None


def schedules_of(details: dict) -> list[dict]:
    """The policy's schedules, normalized. A default policy (PolicyLanguage SIMPLIFIED) has one
    implicit schedule: CreateInterval and RetainInterval in days."""
    schedules = []
    for schedule in details.get("Schedules") or []:
        create = schedule.get("CreateRule") or {}
        retain = schedule.get("RetainRule") or {}
        interval = as_int(create.get("Interval"))
        unit = str(create.get("IntervalUnit") or "HOURS").upper()
        interval_hours = float(interval) * UNIT_DAYS.get(unit, 1 / 24) * 24 if interval is not None else None
        cron = create.get("CronExpression")
        if interval_hours is None and cron:
            interval_hours = cron_interval_hours(cron)
        copies = schedule.get("CrossRegionCopyRules") or []
        schedules.append(dict(
            name=schedule.get("Name"),
            interval_hours=interval_hours,
            cron=cron,
            retain_count=as_int(retain.get("Count")),
            retain_days=_retain_days(retain, interval_hours),
            # TargetRegion, or Target: a Region or an Outpost ARN.
            cross_region_copy_regions=sorted({c.get("TargetRegion") or c.get("Target") for c in copies
                                              if c.get("TargetRegion") or c.get("Target")}),
            cross_region_copy_encrypted=all(bool(as_bool(c.get("Encrypted"))) for c in copies) if copies else None,
        ))
    if not schedules and details.get("PolicyLanguage") == "SIMPLIFIED" and details.get("CreateInterval") is not None:
        days = as_int(details.get("CreateInterval"))
        regions = sorted({t.get("TargetRegion") for t in details.get("CrossRegionCopyTargets") or [] if t.get("TargetRegion")})
        schedules.append(dict(name="default", interval_hours=float(days * 24) if days else None, cron=None,
                              retain_count=None, retain_days=as_int(details.get("RetainInterval")),
                              cross_region_copy_regions=regions, cross_region_copy_encrypted=None))
    return schedules


def policy_arn(policy_id: str, account: str, region: str) -> str:
    return f"arn:aws:dlm:{region}:{account}:policy/{policy_id}"


def policy_record(item: dict, account: str, region: str) -> Record:
    """GetLifecyclePolicy `Policy`; a GetLifecyclePolicies summary alone leaves the details unknown."""
    policy_id = item["PolicyId"]
    arn = item.get("PolicyArn") or policy_arn(policy_id, account, region)
    details = item.get("PolicyDetails")
    attrs: dict[str, Any] = dict(
        policy_id=policy_id, state=item.get("State"), description=item.get("Description"),
        policy_type=item.get("PolicyType"), default_policy=bool(as_bool(item.get("DefaultPolicy"))),
        created_at=iso_time(item.get("DateCreated")), modified_at=iso_time(item.get("DateModified")),
    )
    if isinstance(details, dict):
        schedules = schedules_of(details)
        resource_types = [str(t) for t in details.get("ResourceTypes") or []]
        if not resource_types and details.get("ResourceType"):  # default policies name one type
            resource_types = [str(details["ResourceType"])]
        retentions = [s["retain_days"] for s in schedules]
        exclusions = details.get("Exclusions") or {}
        attrs.update(
            policy_type=details.get("PolicyType") or attrs["policy_type"],
            default_policy=attrs["default_policy"] or details.get("PolicyLanguage") == "SIMPLIFIED",
            resource_types=resource_types,
            resource_locations=[str(x) for x in details.get("ResourceLocations") or []],
            target_tags=tags_of(details.get("TargetTags")),
            schedules=schedules,
            # None when any schedule's retention cannot be worked out (a cron drscan does not read).
            min_retention_days=min(retentions) if retentions and None not in retentions else None,
            min_retain_count=min((s["retain_count"] for s in schedules if s["retain_count"] is not None), default=None),
            shortest_interval_hours=min((s["interval_hours"] for s in schedules if s["interval_hours"]), default=None),
            cross_region_copy_regions=sorted({r for s in schedules for r in s["cross_region_copy_regions"]}),
            exclude_boot_volumes=bool(as_bool(exclusions.get("ExcludeBootVolumes"))),
            exclude_volume_types=[str(t) for t in exclusions.get("ExcludeVolumeTypes") or []],
            exclude_tags=tags_of(exclusions.get("ExcludeTags")),
        )
    else:
        attrs.update(resource_types=None, resource_locations=None, target_tags=None, schedules=None,
                     min_retention_days=None, min_retain_count=None, shortest_interval_hours=None,
                     cross_region_copy_regions=None)
    return Record(kind=KIND, id=arn, name=item.get("Description") or policy_id, shape=Shape(attrs=attrs),
                  region=region, account=account, tags=tags_of(item.get("Tags")))


def collect(ctx: TaskContext) -> None:
    client = ctx.client("dlm")
    listed = ctx.call(client, "GetLifecyclePolicies", kinds=(KIND,))  # one unpaginated answer
    for summary in (listed or {}).get("Policies") or []:
        policy_id = summary["PolicyId"]
        answer = ctx.call(client, "GetLifecyclePolicy", kinds=(KIND,), resource_id=policy_arn(policy_id, ctx.account, ctx.region),
                          PolicyId=policy_id)
        item = {**summary, **((answer or {}).get("Policy") or {})}
        ctx.add(policy_record(item, ctx.account, ctx.region), "dlm:GetLifecyclePolicy")


DUMPS = (
    # IAM list-policies also prints {"Policies": [...]} with PolicyId; only DLM summaries carry PolicyType.
    DumpShape(key="Policies", item_field="PolicyType", to_record=policy_record),
)

SPEC = ServiceSpec(name="dlm", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
