"""The task runner's honesty: errors that outlast retries become gaps with the service, region,
operation and code, and the task still returns what it could see."""

from __future__ import annotations

from dataclasses import replace

from botocore.stub import Stubber

from drscan.collect.aws import s3
from drscan.collect.aws.base import SessionFactory, TaskContext, error_code
from drscan.collect.aws.collect import run_task

from tests.collect.aws.conftest import task
from tests.collect.aws.server import free_port


def test_unreachable_endpoint_is_a_gap_not_an_empty_region(aws):
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    out = run_task(replace(task("s3"), endpoint_url=closed, max_attempts=1))
    assert out.resources == []
    (gap,) = out.gaps
    assert (gap.service, gap.operation, gap.code, gap.region) == ("s3", "ListBuckets", "EndpointConnectionError", "us-east-1")
    assert gap.kinds == ("aws.s3.bucket",)


def test_throttling_that_outlasts_retries_is_a_gap(aws):
    one = task("s3")
    ctx = TaskContext(one, SessionFactory().session(one.account))
    client = ctx.client("s3")
    with Stubber(client) as stub:  # botocore gave up after its retries: the last error reaches drscan
        stub.add_client_error("list_buckets", "SlowDown", "Please reduce your request rate.", 503)
        assert ctx.pages(client, "ListBuckets", "Buckets", kinds=("aws.s3.bucket",)) is None
    (gap,) = ctx.out.gaps
    assert (gap.code, gap.message, gap.operation) == ("SlowDown", "Please reduce your request rate.", "ListBuckets")


def test_xml_error_body_on_a_json_api_is_read_for_its_code():
    from botocore.exceptions import ClientError

    body = ("<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>AccessDenied</Code>"
            "<Message>User: x is not authorized to perform: kms:ListKeys</Message></Error></Errors></ErrorResponse>")
    exc = ClientError({"Error": {"Code": "403", "Message": body}, "ResponseMetadata": {"HTTPStatusCode": 403}}, "ListKeys")
    assert error_code(exc) == ("AccessDenied", "User: x is not authorized to perform: kms:ListKeys")


def test_not_configured_is_a_value_not_a_gap(aws):
    import boto3

    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="plain-bucket")
    out = run_task(task("s3"))
    (bucket,) = out.resources
    assert bucket.attrs["encryption_algorithm"] in ("none", "AES256")  # moto may default to SSE-S3
    assert bucket.attrs["replication_enabled"] is False and not out.gaps
    assert s3.KIND == bucket.kind


def test_each_reads_concurrently_and_keeps_the_items_order():
    """Per-resource reads (S3 buckets, KMS keys) run on a few threads; results come back in the
    listing's order however the reads finish."""
    import threading
    import time

    ctx = TaskContext(task("s3"), SessionFactory().session(task("s3").account))
    seen: set[str] = set()

    def read(n: int) -> int:
        seen.add(threading.current_thread().name)
        time.sleep(0.01 * (5 - n))  # later items finish first
        return n * n

    assert ctx.each(read, range(5), readers=4) == [0, 1, 4, 9, 16]
    assert len(seen) > 1
    assert ctx.each(read, [3]) == [9]  # a single item is read in the task's own thread


def test_tasks_that_read_each_resource_are_planned_first_then_account_wide_then_the_rest():
    """Longest first: a region's S3 or KMS task started last would be the scan's tail."""
    from drscan.collect.aws.base import AwsAccount
    from drscan.collect.aws.collect import plan_tasks
    from drscan.collect.aws.registry import SERVICES

    specs = [SERVICES[name] for name in ("vpc", "route53", "s3", "iam", "kms")]
    planned = plan_tasks([AwsAccount("111111111111")], ("us-east-1", "eu-west-1"), specs, None, 1, "2026-12-07T00:00:00Z")
    assert [(t.service, t.region) for t in planned] == [
        ("iam", "global"), ("s3", "us-east-1"), ("s3", "eu-west-1"), ("kms", "us-east-1"), ("kms", "eu-west-1"),
        ("route53", "global"), ("vpc", "us-east-1"), ("vpc", "eu-west-1")]
    assert {name for name, spec in SERVICES.items() if spec.reads_each} == {"s3", "kms", "dynamodb", "rds", "iam"}


def test_tasks_sharing_a_session_count_only_their_own_calls(aws):
    """Tasks of one account share the process's session (a new session per task cost as much CPU
    as its client); each task's call counts and timings are hooked on its own clients, so two
    tasks running at once never count each other's calls."""
    import boto3
    from concurrent.futures import ThreadPoolExecutor

    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="one-bucket")
    boto3.client("kms", region_name="us-east-1").create_key(Description="one key")
    sessions = SessionFactory()
    assert sessions.shared_session(task("s3").account) is sessions.shared_session(task("kms").account)
    assert sessions.session(task("s3").account) is not sessions.session(task("s3").account)  # private ones stay private
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda service: run_task(task(service), sessions), ["s3", "kms", "s3", "kms"]))
    for service, out in zip(["s3", "kms", "s3", "kms"], outs):
        counted = {name.split(":")[0] for name in out.calls}
        timed = set(out.timings.operations)
        assert timed == {service}
        assert counted <= {service, "resourcegroupstaggingapi"} and service in counted
        assert sum(t.calls for t in out.timings.operations[service].values()) == sum(out.calls.values())
    assert outs[0].calls == outs[2].calls and outs[1].calls == outs[3].calls


def test_a_service_model_is_read_once_however_many_tasks_ask_at_once(aws, monkeypatch):
    """Tasks of one service start together in every account (each with its own session: its own
    role's credentials); botocore's loader caches what it has read but let each of them parse the
    model (EC2's takes 0.2 s) until one had finished. The process's sessions share one loader
    that reads each file once."""
    import threading
    from collections import Counter

    import botocore.loaders

    reads: Counter = Counter()
    real = botocore.loaders.JSONFileLoader.load_file

    def counting(self, path):
        reads[path] += 1
        return real(self, path)

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", counting)
    sessions = SessionFactory()
    start = threading.Barrier(4)

    def make(region: str) -> None:
        start.wait(timeout=10)
        TaskContext(task("ec2", region), sessions.session(task("ec2").account)).client("ec2")

    threads = [threading.Thread(target=make, args=(region,)) for region in
               ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    models = {path: n for path, n in reads.items() if path.rstrip("/").endswith("ec2/2016-11-15/service-2")}
    assert list(models.values()) == [1], reads
