"""SQS queues in one region: server-side encryption, dead-letter queue, retention and whether the
queue policy opens it to anyone or to other accounts (GetQueueAttributes per queue)."""

from __future__ import annotations

from drscan.collect.aws.base import DumpShape, Record, ServiceSpec, TaskContext
from drscan.normalize.aws_data import sqs_queue

KIND = "aws.sqs.queue"

OPERATIONS = {
    "sqs:ListQueues": "sqs:ListQueues",
    "sqs:GetQueueAttributes": "sqs:GetQueueAttributes",
    "sqs:ListQueueTags": "sqs:ListQueueTags",
}

GONE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}


def queue_arn(url: str, account: str, region: str) -> str:
    return f"arn:aws:sqs:{region}:{account}:{url.rstrip('/').rsplit('/', 1)[-1]}"


def queue_record(attributes: dict, account: str, region: str, url: str = "", tags: dict | None = None) -> Record:
    """GetQueueAttributes' Attributes (All). A queue without a policy has no Policy attribute, one
    without a dead-letter queue no RedrivePolicy; but the API returns only the attributes asked
    for, so their absence means "none" only in an answer to All (VisibilityTimeout is always in it)."""
    attributes = dict(attributes)
    every = "VisibilityTimeout" in attributes
    if every:
        attributes.setdefault("Policy", {"Statement": []})  # no queue policy: nobody else is allowed in
    arn = attributes.get("QueueArn") or queue_arn(url, account, region)
    name = arn.rsplit(":", 1)[-1]
    shape = sqs_queue({**attributes, "QueueName": name}, {}, account, region)
    if every and "RedrivePolicy" not in attributes:
        shape.attrs["dead_letter_target_arn"] = ""
    return Record(kind=KIND, id=arn, name=name, shape=shape, region=region, tags=tags or {})


def collect(ctx: TaskContext) -> None:
    client = ctx.client("sqs")
    for url in ctx.pages(client, "ListQueues", "QueueUrls", kinds=(KIND,)) or []:
        arn = queue_arn(url, ctx.account, ctx.region)
        answer = ctx.call(client, "GetQueueAttributes", kinds=(KIND,), resource_id=arn, absent=GONE,
                          QueueUrl=url, AttributeNames=["All"])
        if answer == {}:
            continue
        tags = ctx.call(client, "ListQueueTags", kinds=(KIND,), resource_id=arn, absent=GONE, QueueUrl=url)
        if answer is None:
            ctx.add(Record(kind=KIND, id=arn, name=arn.rsplit(":", 1)[-1], shape=sqs_queue({}, {}, ctx.account, ctx.region),
                           region=ctx.region), "sqs:ListQueues")
            continue
        ctx.add(queue_record(answer.get("Attributes") or {}, ctx.account, ctx.region, url, (tags or {}).get("Tags")),
                "sqs:GetQueueAttributes")


def attributes_dump_record(item: dict, account: str, region: str) -> Record:
    return queue_record(item, account, region)


# `aws sqs get-queue-attributes --attribute-names All` prints {"Attributes": {...}}.
DUMPS = (DumpShape(key="Attributes", item_field="QueueArn", to_record=attributes_dump_record),)

SPEC = ServiceSpec(name="sqs", collect=collect, operations=OPERATIONS, kinds=(KIND,), dumps=DUMPS)
