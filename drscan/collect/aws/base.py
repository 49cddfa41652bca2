"""The AWS collection unit: one (account, region, service) task, a plain function of its
inputs. A TaskContext gives service modules boto3 clients, read-only calls that turn API
errors into Gaps, and a place to put what they found."""

from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError
from botocore.retries import standard

from drscan.collect.aws.timings import ApiTimings, CallMeter
from drscan.model import Gap, Reference, Resource
from drscan.normalize.lookup import seen_attrs
from drscan.normalize.shape import Shape

# Operation names a collector may call: reads only (checked by a test on every recorded call).
READ_PREFIXES = ("List", "Describe", "Get", "BatchGet", "Search", "Lookup")

GLOBAL = "global"  # the region of account-wide resources (IAM, Route 53)


@dataclass(frozen=True)
class AwsAccount:
    """Where and how to call one account: a named profile (or the default chain), and for member
    accounts of an Organization the role to assume there. Never credentials: whoever runs the
    account's tasks (a local thread, a Dask worker) assumes the role with its own credentials."""

    id: str
    profile: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    name: str = ""


@dataclass(frozen=True)
class AwsTask:
    account: AwsAccount
    region: str  # API region; global services run once per account in their home region
    service: str  # key of drscan.collect.aws.registry.SERVICES
    regions: tuple[str, ...] = ()  # every region of the scan (S3 keeps only buckets in these)
    endpoint_url: str | None = None
    max_attempts: int = 8
    observed_at: str = ""
    home_region: str = "us-east-1"  # where a global service's API is called


@dataclass
class Collected:
    """What one task found."""

    resources: list[Resource] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)  # "service:Operation" -> count
    timings: ApiTimings = field(default_factory=ApiTimings)  # where the task's time went (--timings)

    def extend(self, other: "Collected") -> None:
        self.resources.extend(other.resources)
        self.references.extend(other.references)
        self.gaps.extend(other.gaps)
        self.calls.update(other.calls)
        self.timings.merge(other.timings)


@dataclass(frozen=True)
class Record:
    """One resource as a transform sees it, before it becomes a Resource."""

    kind: str
    id: str
    name: str
    shape: Shape
    region: str = ""
    account: str = ""
    tags: Mapping[str, str] = field(default_factory=dict)


def tags_of(items: Any) -> dict[str, str]:
    """[{"Key": k, "Value": v}, ...] (any case) or a plain dict -> {k: v}."""
    if isinstance(items, dict):
        return {str(k): str(v) for k, v in items.items()}
    result = {}
    for item in items or []:
        if isinstance(item, dict):
            key = item.get("Key", item.get("key", item.get("TagKey")))
            if key is not None:
                result[str(key)] = str(item.get("Value", item.get("value", item.get("TagValue", ""))))
    return result


def to_resource(record: Record, account: str, region: str, source: str, observed_at: str) -> tuple[Resource, list[Reference]]:
    resource = Resource(
        kind=record.kind, id=record.id, name=record.shape.name or record.name, provider="aws",
        account=record.account or account, region=record.region or region, zones=record.shape.zones,
        attrs=seen_attrs(record.shape.attrs), tags=dict(record.tags), source=source, observed_at=observed_at,
    )
    return resource, [Reference(record.id, target, relation) for relation, target in record.shape.refs]


# Error codes that mean "this account or region cannot answer", grouped for the report.
DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
                "AuthorizationError", "AuthFailure", "InvalidClientTokenId", "UnrecognizedClientException",
                "OptInRequired", "SubscriptionRequiredException", "ExpiredToken", "ExpiredTokenException"}
THROTTLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
                  "SlowDown", "ProvisionedThroughputExceededException", "RequestThrottled"}


_XML_ERROR = re.compile(r"<Code>([^<]+)</Code>.*?<Message>([^<]*)</Message>", re.S)


def error_code(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {}) or {}
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = str(error.get("Code") or status or "ClientError")
        text = str(error.get("Message") or "").strip()
        # Some endpoints answer a JSON-protocol call with an XML error body; botocore then
        # reports the HTTP status as the code and the XML as the message.
        embedded = _XML_ERROR.search(text) if code.isdigit() or text.startswith("<") else None
        if embedded:
            code, text = embedded.group(1), embedded.group(2)
        message = text.splitlines()[0] if text else f"HTTP {status}"
        return code, message[:300]
    return type(exc).__name__, str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__


def record_calls(events: Any, calls: Counter) -> None:
    """Count every API operation, as "service:Operation", called through one client (`events` =
    client.meta.events) or through the clients a session creates after this (session.events)."""

    lock = threading.Lock()  # a task may read several resources at once (S3 buckets)

    def record(model: Any = None, **_: Any) -> None:
        if model is not None:
            with lock:
                calls[f"{model.service_model.service_name}:{model.name}"] += 1

    events.register("before-call", record)


# Per-resource reads in flight within one task, and at most (S3, whose buckets each need eight
# configuration calls); the client's connection pool below holds the most.
PER_RESOURCE_READERS = 4
MAX_READERS = 8


# Server errors (5xx, timeouts, dropped connections) are retried at most this often; throttling
# gets the whole --aws-retries budget. Throttling is expected in a large organization and passes;
# a service that fails three times running is down or lacks the API, and waiting out eight
# backoffs only delays the gap that reports it.
SERVER_ERROR_RETRIES = 2


def limit_server_error_retries(client: Any) -> None:
    """Wrap the client's botocore retry handler (standard/adaptive mode) so that only throttling
    is retried beyond SERVER_ERROR_RETRIES; backoff, retry quota and adaptive rate limiting stay
    botocore's own."""
    max_attempts = client.meta.config.retries.get("total_max_attempts")  # the first call and its retries
    if max_attempts is None or max_attempts <= SERVER_ERROR_RETRIES + 1:
        return
    event = f"needs-retry.{client.meta.service_model.service_id.hyphenize()}"
    unique_id = f"retry-config-{client.meta.service_model.service_id.hyphenize()}"
    client.meta.events.unregister(event, unique_id=unique_id)  # botocore's handler, made at client creation
    handler = standard.register_retry_handler(client, max_attempts=max_attempts)  # the same, handed back
    client.meta.events.unregister(event, unique_id=unique_id)
    adapter, throttled = standard.RetryEventAdapter(), standard.ThrottledRetryableChecker()

    def needs_retry(attempts: int = 1, **kwargs: Any) -> float | None:
        if attempts > SERVER_ERROR_RETRIES:
            context = adapter.create_retry_context(attempts=attempts, **kwargs)
            status = getattr(context.http_response, "status_code", None)
            if not (throttled.is_retryable(context) or status == 429):
                return None  # no more retries: the error becomes a gap now
        return handler.needs_retry(attempts=attempts, **kwargs)

    client.meta.events.register(event, needs_retry, unique_id=unique_id)


class TaskContext:
    """Per task: boto3 clients of its own (from a session that may be shared with other tasks of
    the same account), read-only calls, results. The task's call counts and timings are hooked
    on each client it creates, so tasks sharing a session never count each other's calls."""

    def __init__(self, task: AwsTask, session: boto3.Session, now: datetime | None = None) -> None:
        self.task = task
        self.session = session
        self.account = task.account.id
        self.region = task.region
        self.now = now or datetime.now(timezone.utc)
        self.out = Collected()
        self._clients: dict[tuple[str, str], Any] = {}
        self.meter = CallMeter(self.out.timings, task.service)

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or (self.task.home_region if self.region == GLOBAL else self.region)
        key = (service, region)
        if key not in self._clients:
            config = Config(retries={"mode": "adaptive", "max_attempts": self.task.max_attempts},
                            connect_timeout=10, read_timeout=30, max_pool_connections=MAX_READERS,
                            # S3 Control and others prefix the host with the account id, which a
                            # local or private endpoint cannot resolve.
                            inject_host_prefix=self.task.endpoint_url is None)
            client = self.session.client(service, region_name=region, config=config, endpoint_url=self.task.endpoint_url)
            limit_server_error_retries(client)
            record_calls(client.meta.events, self.out.calls)
            self.meter.attach(client.meta.events)
            self._clients[key] = client
        return self._clients[key]

    # -- calls -------------------------------------------------------------------------------

    def gap(self, service: str, operation: str, code: str, message: str, kinds: Iterable[str] = (),
            resource_id: str | None = None, region: str | None = None) -> None:
        self.out.gaps.append(Gap(provider="aws", account=self.account, region=region or self.region, service=service,
                                 operation=operation, code=code, message=message, resource_id=resource_id,
                                 kinds=tuple(kinds)))

    def call(self, client: Any, operation: str, *, kinds: Iterable[str] = (), resource_id: str | None = None,
             absent: Iterable[str] = (), **params: Any) -> dict | None:
        """One read-only API call. Returns the response; {} when the error code is in `absent`
        (the API's way of saying "not configured"); None after recording a Gap."""
        method = getattr(client, _snake(operation))
        try:
            return method(**params)
        except ClientError as exc:
            code, message = error_code(exc)
            if code in set(absent):
                return {}
            self.gap(client.meta.service_model.service_name, operation, code, message, kinds, resource_id,
                     self._gap_region(client))
        except (BotoCoreError, ResponseParserError) as exc:  # transport errors; unparseable (HTML 5xx) answers
            code, message = error_code(exc)
            self.gap(client.meta.service_model.service_name, operation, code, message, kinds, resource_id,
                     self._gap_region(client))
        except NotImplementedError as exc:  # an in-process emulator (moto) without this API
            self.gap(client.meta.service_model.service_name, operation, "NotImplemented", str(exc)[:300] or operation,
                     kinds, resource_id, self._gap_region(client))
        return None

    def _gap_region(self, client: Any) -> str:
        # IAM, Route 53 and Organizations clients report their region as "aws-global".
        region = client.meta.region_name
        if self.region == GLOBAL and (region == self.task.home_region or region.endswith("-global")):
            return GLOBAL
        return region

    def pages(self, client: Any, operation: str, key: str, *, kinds: Iterable[str] = (),
              resource_id: str | None = None, absent: Iterable[str] = (), max_pages: int = 10_000,
              **params: Any) -> list | None:
        """Every item under `key` across all pages (botocore paginator when the API has one,
        else the operation's own token). None after recording a Gap."""
        items: list = []
        name = _snake(operation)
        try:
            if client.can_paginate(name):
                pages = client.get_paginator(name).paginate(**params)
                for number, page in enumerate(pages):
                    if number >= max_pages:
                        break
                    items.extend(_dig(page, key))
            else:
                page = getattr(client, name)(**params)
                items.extend(_dig(page, key))
        except ClientError as exc:
            code, message = error_code(exc)
            if code in set(absent):
                return []
            self.gap(client.meta.service_model.service_name, operation, code, message, kinds, resource_id,
                     self._gap_region(client))
            return None
        except (BotoCoreError, ResponseParserError) as exc:  # transport errors; unparseable (HTML 5xx) answers
            code, message = error_code(exc)
            self.gap(client.meta.service_model.service_name, operation, code, message, kinds, resource_id,
                     self._gap_region(client))
            return None
        except NotImplementedError as exc:  # an in-process emulator (moto) without this API
            self.gap(client.meta.service_model.service_name, operation, "NotImplemented", str(exc)[:300] or operation,
                     kinds, resource_id, self._gap_region(client))
            return None
        return items

    def tags_by_arn(self, resource_type: str) -> dict[str, list] | None:
        """The tags of this region's resources of one type ("s3:bucket") from the Resource Groups
        Tagging API: a few paginated GetResources calls instead of one tag call per resource. A
        resource it does not list was never tagged (the API lists "tagged or previously tagged"
        resources). None when the API cannot be read (denied, throttled, unsupported): the caller
        then asks each resource for its tags, so nothing is lost and no gap is recorded here."""
        client = self.client("resourcegroupstaggingapi")
        try:
            pages = client.get_paginator("get_resources").paginate(ResourceTypeFilters=[resource_type])
            return {mapping["ResourceARN"]: mapping.get("Tags") or []
                    for page in pages for mapping in page.get("ResourceTagMappingList") or []
                    if mapping.get("ResourceARN")}
        except (ClientError, BotoCoreError, ResponseParserError, NotImplementedError):
            return None

    def each(self, read: Callable[[Any], Any], items: Iterable[Any], readers: int = PER_RESOURCE_READERS) -> list[Any]:
        """read(item) for every item, up to `readers` at once, results in the items' order. For
        services that answer one resource per call (S3 buckets, KMS keys): a region with many of
        them would otherwise be the scan's longest chain of calls. `read` goes through call/pages,
        which are safe to use from several threads (boto3 clients are thread-safe)."""
        items = list(items)
        readers = min(readers, MAX_READERS)
        if len(items) < 2 or readers < 2:
            return [read(item) for item in items]
        with ThreadPoolExecutor(max_workers=readers, thread_name_prefix="drscan-aws-read") as pool:
            return list(pool.map(self.meter.metered(read), items))

    # -- results -----------------------------------------------------------------------------

    def add(self, record: Record, operation: str) -> Resource:
        resource, references = to_resource(record, self.account, self.region,
                                           f"api:{operation}@{record.region or self.region}", self.task.observed_at)
        self.out.resources.append(resource)
        self.out.references.extend(references)
        return resource


def _dig(page: dict, key: str) -> list:
    value: Any = page
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return list(value or [])


def _snake(operation: str) -> str:
    """'DescribeDBInstances' -> 'describe_db_instances' (botocore's own conversion)."""
    from botocore import xform_name

    return xform_name(operation)


# -- sessions ------------------------------------------------------------------------------------
# Built where a task runs (a local thread or a Dask worker process). One factory per process:
# sessions share botocore's read-only data loader, and member-account roles are assumed once per
# process and account, with the process's own credential chain, and reused until shortly before
# they expire.

SESSION_NAME = "drscan-audit"
ROLE_SECONDS = 3600
RENEW_BEFORE_S = 300  # assume again when the credentials have less than this left
REFUSAL_TTL_S = 300  # a refused role is not asked again for this long (per process)


class RoleRefused(Exception):
    """The member account's role could not be assumed: its tasks become gaps."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass(frozen=True)
class _Grant:
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    renew_at: float  # time.monotonic() after which to assume again


class SharedLoader(botocore.loaders.Loader):
    """botocore's data loader, shared by all of a process's sessions, so each service's model is
    parsed once per process. botocore caches what a loader has read but does not stop several
    threads from reading the same file at once: tasks of one service in three regions start
    together and would each parse its model (EC2's takes 0.2 s). Here the first reader of a file
    reads it and the others wait for its copy."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._guard = threading.Lock()
        self._reading: dict[tuple, threading.RLock] = {}

    def _single(self, key: tuple) -> threading.RLock:
        with self._guard:
            return self._reading.setdefault(key, threading.RLock())

    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        with self._single(("model", service_name, type_name, api_version)):
            return super().load_service_model(service_name, type_name, api_version=api_version)

    def load_data_with_path(self, name: str) -> Any:
        with self._single(("data", name)):
            return super().load_data_with_path(name)


class SharedSession(boto3.Session):
    """A session that several tasks' threads use at once: boto3 sessions are not thread-safe but
    their clients are, so only making a client is one thread at a time. A new botocore session
    costs about as much CPU as a client (its ~200 built-in event handlers); sharing one per
    account's credentials saves that for each of the scan's tasks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._making = threading.Lock()

    def client(self, *args: Any, **kwargs: Any) -> Any:
        with self._making:
            return super().client(*args, **kwargs)


class SessionFactory:
    """Thread-safe; one per scan locally, one per worker process on Dask."""

    def __init__(self) -> None:
        self._loader: SharedLoader | None = None
        self._lock = threading.Lock()
        self._role_locks: dict[tuple, threading.Lock] = defaultdict(threading.Lock)
        self._grants: dict[tuple, _Grant] = {}
        self._refusals: dict[tuple, tuple[RoleRefused, float]] = {}
        self._shared: dict[tuple, tuple[str | None, SharedSession]] = {}

    def _core(self, profile: str | None) -> botocore.session.Session:
        core = botocore.session.Session(profile=profile)
        with self._lock:
            if self._loader is None:  # botocore's own search path (AWS_DATA_PATH, ~/.aws/models)
                paths = core.get_config_variable("data_path")
                extra = [os.path.expanduser(os.path.expandvars(path)) for path in paths.split(os.pathsep)] if paths else []
                self._loader = SharedLoader(extra_search_paths=extra)
        core.register_component("data_loader", self._loader)
        return core

    def session(self, account: AwsAccount, calls: Counter | None = None, *, endpoint_url: str | None = None,
                region: str = "us-east-1", max_attempts: int = 8) -> boto3.Session:
        """A fresh session for one task. For an account with a role, the role's temporary
        credentials (raises RoleRefused when they cannot be had)."""
        core = self._core(account.profile)
        if account.role_arn:
            grant = self._grant(account, calls, endpoint_url, region, max_attempts)
            core.set_credentials(grant.access_key_id, grant.secret_access_key, grant.session_token)
        return boto3.Session(botocore_session=core)

    def shared_session(self, account: AwsAccount, calls: Counter | None = None, *, endpoint_url: str | None = None,
                       region: str = "us-east-1", max_attempts: int = 8) -> SharedSession:
        """The process's session for the account's credentials, for tasks (which hook their
        accounting on their own clients, never on the session). A renewed role grant gets a new
        session, so no client is made with expired credentials."""
        key = (account.profile, account.role_arn, account.external_id)
        grant = self._grant(account, calls, endpoint_url, region, max_attempts) if account.role_arn else None
        credentials = grant.access_key_id if grant else None
        with self._lock:
            held = self._shared.get(key)
            if held is not None and held[0] == credentials:
                return held[1]
        core = self._core(account.profile)
        if grant is not None:
            core.set_credentials(grant.access_key_id, grant.secret_access_key, grant.session_token)
        session = SharedSession(botocore_session=core)
        with self._lock:
            held = self._shared.get(key)
            if held is not None and held[0] == credentials:
                return held[1]  # another task made it meanwhile
            self._shared[key] = (credentials, session)
        return session

    def _grant(self, account: AwsAccount, calls: Counter | None, endpoint_url: str | None, region: str,
               max_attempts: int) -> _Grant:
        key = (account.profile, account.role_arn, account.external_id)
        with self._lock:
            lock = self._role_locks[key]
        with lock:  # one AssumeRole per account and process, however many tasks ask at once
            now = time.monotonic()
            refused = self._refusals.get(key)
            if refused is not None and now < refused[1]:
                raise refused[0]
            grant = self._grants.get(key)
            if grant is not None and now < grant.renew_at:
                return grant
            base = boto3.Session(botocore_session=self._core(account.profile))
            if calls is not None:
                record_calls(base.events, calls)
            sts = base.client("sts", region_name=region, endpoint_url=endpoint_url,
                              config=Config(retries={"mode": "adaptive", "max_attempts": max_attempts}))
            params = {"RoleArn": account.role_arn, "RoleSessionName": SESSION_NAME, "DurationSeconds": ROLE_SECONDS}
            if account.external_id:
                params["ExternalId"] = account.external_id
            try:
                granted = sts.assume_role(**params)["Credentials"]
            except (ClientError, BotoCoreError) as exc:
                refusal = RoleRefused(*error_code(exc))
                self._refusals[key] = (refusal, now + REFUSAL_TTL_S)
                raise refusal from None
            grant = _Grant(granted["AccessKeyId"], granted["SecretAccessKey"], granted["SessionToken"],
                           now + ROLE_SECONDS - RENEW_BEFORE_S)
            self._grants[key] = grant
            return grant


Collect = Callable[[TaskContext], None]


@dataclass(frozen=True)
class DumpShape:
    """One List/Describe/Get response shape as the AWS CLI prints it ({"DBInstances": [...]}),
    and the same transform the live collector applies to each item. Lets `drscan scan --import`
    read CLI dumps handed over by someone without live access."""

    key: str  # top-level key of the response
    item_field: str  # a field every item has, to tell apart shapes sharing a key
    to_record: Callable[[dict, str, str], "Record | list[Record] | None"]  # (item, account, region)
    # (field, regex): a fact the output lacks but users put in the file name, e.g. the hosted zone
    # of `aws route53 list-resource-record-sets --hosted-zone-id Z123 > Z123.json`.
    path_field: tuple[str, str] | None = None


@dataclass(frozen=True)
class ServiceSpec:
    """One service module's contract: its collect function, whether it is regional or runs once
    per account, the kinds it produces, and the IAM action behind every API operation it calls
    (the single list the shipped read-only policy is generated from)."""

    name: str
    collect: Collect
    operations: Mapping[str, str]  # "boto3 service:Operation" -> IAM action
    kinds: tuple[str, ...]
    scope: str = "regional"  # or "global"
    home_region: str = "us-east-1"
    dumps: tuple[DumpShape, ...] = ()
    # Reads every resource it lists with calls of its own (S3 buckets, KMS keys): its time grows
    # with the resources it finds, so its tasks are started first and do not become the tail.
    reads_each: bool = False
