"""Plan and run AWS collection: accounts (the caller's, or every account of an Organization via
an assumed role) x regions x services, as independent tasks on a bounded thread pool."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from botocore.parsers import ResponseParserError

from drscan.collect.aws.base import (GLOBAL, AwsAccount, AwsTask, Collected, Credentials, ServiceSpec, SessionFactory,
                                     TaskContext, error_code, record_calls)
from drscan.collect.aws.registry import SERVICES
from drscan.collect.merge import merge_resources
from drscan.errors import InputError
from drscan.model import Gap, Inventory


@dataclass(frozen=True)
class AwsOptions:
    regions: tuple[str, ...] = ()  # empty: the session's default region
    all_regions: bool = False  # every region enabled for the account (ec2:DescribeRegions)
    profile: str | None = None
    org: bool = False  # every active account of the AWS Organization
    assume_role: str | None = None  # role name (or ARN template with {account}) assumed in each account
    external_id: str | None = None
    services: tuple[str, ...] = ()  # empty: all
    workers: int = 16  # tasks in flight across the scan
    per_account: int = 8  # tasks in flight per account
    endpoint_url: str | None = None  # None: botocore's default (honours AWS_ENDPOINT_URL)
    max_attempts: int = 8


def run_task(task: AwsTask, spec: ServiceSpec | None = None, sessions: SessionFactory | None = None) -> Collected:
    """One (account, region, service) unit: a plain function of its inputs, safe to ship to a
    worker process or a Dask/Ray cluster."""
    spec = spec or SERVICES[task.service]
    session = (sessions or SessionFactory()).session(task.account)
    ctx = TaskContext(task, session)
    try:
        spec.collect(ctx)
    except (ClientError, BotoCoreError, ResponseParserError) as exc:  # a call the module did not route through ctx
        code, message = error_code(exc)
        ctx.gap(spec.name, "collect", code, message, spec.kinds)
    return ctx.out


def plan_tasks(accounts: list[AwsAccount], regions: tuple[str, ...], specs: list[ServiceSpec],
               endpoint_url: str | None, max_attempts: int, observed_at: str) -> list[AwsTask]:
    tasks = []
    for account in accounts:
        for spec in specs:
            if spec.scope == GLOBAL:
                home = spec.home_region if spec.home_region in regions or not regions else regions[0]
                tasks.append(AwsTask(account, GLOBAL, spec.name, regions, endpoint_url, max_attempts, observed_at, home))
            else:
                tasks.extend(AwsTask(account, region, spec.name, regions, endpoint_url, max_attempts, observed_at)
                             for region in regions)
    return tasks


def _caller(sessions: SessionFactory, options: AwsOptions, calls: Counter) -> tuple[AwsAccount, str]:
    """The account the credentials belong to, and the session's default region."""
    account = AwsAccount(id="", profile=options.profile)
    try:
        session = sessions.session(account)
        record_calls(session, calls)
        region = session.region_name or "us-east-1"
        sts = session.client("sts", region_name=region, endpoint_url=options.endpoint_url)
        identity = sts.get_caller_identity()
    except ProfileNotFound as exc:
        raise InputError(f"--profile: {exc}") from None
    except NoCredentialsError:
        raise InputError("no AWS credentials found (standard boto3 chain: env vars, --profile, SSO, instance role)") from None
    except (ClientError, BotoCoreError) as exc:
        code, message = error_code(exc)
        raise InputError(f"AWS credentials do not work: {code}: {message}") from None
    return replace(account, id=identity["Account"]), region


def _regions(session, caller: AwsAccount, home: str, options: AwsOptions, gaps: list[Gap]) -> tuple[str, ...]:
    if options.regions:
        return tuple(dict.fromkeys(options.regions))
    if not options.all_regions:
        return (home,)
    ec2 = session.client("ec2", region_name=home, endpoint_url=options.endpoint_url)
    try:
        answer = ec2.describe_regions()  # without AllRegions: only the regions enabled for the account
    except (ClientError, BotoCoreError) as exc:
        code, message = error_code(exc)
        gaps.append(Gap("aws", caller.id, home, "ec2", "DescribeRegions", code,
                        f"{message}; scanning only {home}"))
        return (home,)
    return tuple(sorted(r["RegionName"] for r in answer.get("Regions", [])))


def _role_arn(template: str, account_id: str) -> str:
    if template.startswith("arn:"):
        return template.replace("{account}", account_id)
    return f"arn:aws:iam::{account_id}:role/{template}"


def org_accounts(organizations, sts, caller: AwsAccount, options: AwsOptions, gaps: list[Gap]) -> list[AwsAccount]:
    """Every ACTIVE account of the Organization, each with credentials of the assumed role
    (the caller's own account uses the caller's credentials). An account whose role cannot be
    assumed becomes a Gap covering every kind, and the scan goes on without it."""
    try:
        listed = [a for page in organizations.get_paginator("list_accounts").paginate() for a in page.get("Accounts", [])]
    except (ClientError, BotoCoreError) as exc:
        code, message = error_code(exc)
        raise InputError(f"--org: cannot list the Organization's accounts: {code}: {message}") from None
    role = options.assume_role
    if not role:
        raise InputError("--org needs --assume-role ROLE: the read-only role drscan assumes in each member account")
    accounts = []
    for entry in sorted(listed, key=lambda a: a["Id"]):
        if entry.get("Status", "ACTIVE") != "ACTIVE":
            continue
        if entry["Id"] == caller.id:
            accounts.append(replace(caller, name=entry.get("Name", "")))
            continue
        params = {"RoleArn": _role_arn(role, entry["Id"]), "RoleSessionName": "drscan-audit", "DurationSeconds": 3600}
        if options.external_id:
            params["ExternalId"] = options.external_id
        try:
            granted = sts.assume_role(**params)["Credentials"]
        except (ClientError, BotoCoreError) as exc:
            code, message = error_code(exc)
            gaps.append(Gap("aws", entry["Id"], GLOBAL, "sts", "AssumeRole", code,
                            f"account {entry['Id']} ({entry.get('Name', '')}) not scanned: {message}",
                            kinds=tuple(k for spec in SERVICES.values() for k in spec.kinds)))
            continue
        accounts.append(AwsAccount(id=entry["Id"], name=entry.get("Name", ""), credentials=Credentials(
            granted["AccessKeyId"], granted["SecretAccessKey"], granted["SessionToken"])))
    return accounts


def _interleave(tasks: list[AwsTask]) -> list[AwsTask]:
    by_account: dict[str, list[AwsTask]] = defaultdict(list)
    for task in tasks:
        by_account[task.account.id].append(task)
    lanes = list(by_account.values())
    return [lane[i] for i in range(max((len(l) for l in lanes), default=0)) for lane in lanes if i < len(lane)]


def collect_aws(options: AwsOptions, on_task: Callable[[AwsTask], None] | None = None,
                on_plan: Callable[[int], None] | None = None) -> tuple[Inventory, dict[str, int]]:
    """Collect every planned task; returns the inventory and the API call counts."""
    unknown = [s for s in options.services if s not in SERVICES]
    if unknown:
        raise InputError(f"unknown AWS service {unknown[0]!r}; choose from {', '.join(SERVICES)}")
    specs = [SERVICES[s] for s in (options.services or SERVICES)]
    sessions = SessionFactory()
    gaps: list[Gap] = []
    calls: Counter = Counter()
    caller, home = _caller(sessions, options, calls)
    session = sessions.session(caller)  # the orchestrator's own calls, in this thread only
    record_calls(session, calls)
    regions = _regions(session, caller, home, options, gaps)
    accounts = [caller]
    if options.org:
        accounts = org_accounts(session.client("organizations", region_name=home, endpoint_url=options.endpoint_url),
                                session.client("sts", region_name=home, endpoint_url=options.endpoint_url),
                                caller, options, gaps)
    observed = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    tasks = plan_tasks(accounts, regions, specs, options.endpoint_url, options.max_attempts, observed)
    if on_plan:
        on_plan(len(tasks))

    budgets: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(options.per_account))
    for account in accounts:
        budgets[account.id]  # create before threads start: defaultdict is not thread-safe to fill

    def run(task: AwsTask) -> Collected:
        with budgets[task.account.id]:
            return run_task(task, SERVICES[task.service], sessions)

    total = Collected(gaps=gaps, calls=calls)
    # Tasks are submitted interleaved by account so one large account does not hold every worker.
    ordered = _interleave(tasks)
    with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="drscan-aws") as pool:
        for task, result in zip(ordered, pool.map(run, ordered)):
            total.extend(result)
            if on_task:
                on_task(task)
    sources = tuple(sorted({f"aws:{t.account.id}/{t.region}" for t in tasks}))
    inventory = Inventory(resources=tuple(merge_resources(total.resources)), references=tuple(total.references),
                          gaps=tuple(total.gaps), sources=sources)
    return inventory, dict(total.calls)
