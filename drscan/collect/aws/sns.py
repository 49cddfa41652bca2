"""SNS topics in one region: server-side encryption and whether the topic policy opens it to
anyone or to other accounts (GetTopicAttributes per topic)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_data import sns_topic

KIND = "aws.sns.topic"

OPERATIONS = {
    "sns:ListTopics": "sns:ListTopics",
    "sns:GetTopicAttributes": "sns:GetTopicAttributes",
}

GONE = {"NotFound", "NotFoundException"}


def topic_record(attributes: dict, account: str, region: str) -> Record:
    arn = attributes["TopicArn"]
    return Record(kind=KIND, id=arn, name=arn.rsplit(":", 1)[-1], shape=sns_topic(attributes, {}, account, region),
                  region=region)


def collect(ctx: TaskContext) -> None:
    client = ctx.client("sns")
    for item in ctx.pages(client, "ListTopics", "Topics", kinds=(KIND,)) or []:
        arn = item["TopicArn"]
        answer = ctx.call(client, "GetTopicAttributes", kinds=(KIND,), resource_id=arn, absent=GONE, TopicArn=arn)
        if answer == {}:
            continue
        if answer is None:  # not seen: every attribute unknown
            ctx.add(Record(kind=KIND, id=arn, name=arn.rsplit(":", 1)[-1], shape=sns_topic({}, {}, ctx.account, ctx.region),
                           region=ctx.region), "sns:ListTopics")
            continue
        ctx.add(topic_record({**(answer.get("Attributes") or {}), "TopicArn": arn}, ctx.account, ctx.region),
                "sns:GetTopicAttributes")


DUMPS = (DumpShape(key="Attributes", item_field="TopicArn", to_record=topic_record),)

SPEC = ServiceSpec(name="sns", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
