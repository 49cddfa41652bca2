"""AWS Config in one region: the configuration recorder (recording, all resource types, global
types) and its status. A region without a recorder is recorded as such (recording false)."""

from __future__ import annotations

from drscan.collect.aws.base import Record, ServiceSpec, TaskContext
from drscan.normalize.aws_governance import config_recorder
from drscan.normalize.shape import Shape

KIND = "aws.config.recorder"

OPERATIONS = {
    "config:DescribeConfigurationRecorders": "config:DescribeConfigurationRecorders",
    "config:DescribeConfigurationRecorderStatus": "config:DescribeConfigurationRecorderStatus",
}


def recorder_record(item: dict, account: str, region: str, status: dict | None = None) -> Record:
    name = item.get("name") or item.get("Name") or "default"
    return Record(kind=KIND, id=item.get("arn") or f"arn:aws:config:{region}:{account}:config-recorder/{name}", name=name,
                  shape=config_recorder(item, status or {}, account, region), region=region)


def no_recorder_record(account: str, region: str) -> Record:
    return Record(kind=KIND, id=f"arn:aws:config:{region}:{account}:config-recorder", name=f"AWS Config {region} (no recorder)",
                  shape=Shape(attrs=dict(exists=False, recording=False)), region=region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("config")
    answer = ctx.call(client, "DescribeConfigurationRecorders", kinds=(KIND,))
    if answer is None:
        return
    recorders = answer.get("ConfigurationRecorders") or []
    if not recorders:
        ctx.add(no_recorder_record(ctx.account, ctx.region), "config:DescribeConfigurationRecorders")
        return
    statuses = ctx.call(client, "DescribeConfigurationRecorderStatus", kinds=(KIND,))
    by_name = None if statuses is None else {s.get("name"): s for s in statuses.get("ConfigurationRecordersStatus") or []}
    for item in recorders:
        status = None if by_name is None else by_name.get(item.get("name"), {})
        ctx.add(recorder_record(item, ctx.account, ctx.region, status), "config:DescribeConfigurationRecorders")


SPEC = ServiceSpec(name="config", collect=collect, operations=OPERATIONS, kinds=(KIND,))
