"""Plan and run AWS collection: accounts (the caller's, or every account of an Organization via
an assumed role) x regions x services, as independent tasks on an executor (local threads or a
Dask cluster, drscan.collect.executor), at most `per_account` tasks at once per account."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Callable

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from botocore.parsers import ResponseParserError

from drscan.collect.aws.base import (DENIED_CODES, GLOBAL, THROTTLE_CODES, AwsAccount, AwsTask, Collected, RoleRefused,
                                     ServiceSpec, SessionFactory, TaskContext, error_code, record_calls)
from drscan.collect.aws.registry import SERVICES
from drscan.collect.aws.timings import ApiTimings, CallMeter

from drscan.collect.executor import Executor, LocalExecutor, Outcome
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


def run_task(task: AwsTask, sessions: SessionFactory | None = None, spec: ServiceSpec | None = None) -> Collected:
    """One (account, region, service) unit: a plain function of its inputs, run by a local thread
    or a Dask worker (with that process's session factory)."""
    spec = spec or SERVICES[task.service]
    calls: Counter = Counter()
    try:
        session = (sessions or SessionFactory()).shared_session(task.account, calls, endpoint_url=task.endpoint_url,
                                                                region=task.home_region, max_attempts=task.max_attempts)
    except RoleRefused as refused:
        name = f" ({task.account.name})" if task.account.name else ""
        return Collected(gaps=[Gap("aws", task.account.id, GLOBAL, "sts", "AssumeRole", refused.code,
                                   f"account {task.account.id}{name} not scanned: {refused.message}", kinds=spec.kinds)],
                         calls=calls)
    ctx = TaskContext(task, session)
    ctx.out.calls.update(calls)
    try:
        ctx.meter.task(lambda: spec.collect(ctx))
    except (ClientError, BotoCoreError, ResponseParserError) as exc:  # a call the module did not route through ctx
        code, message = error_code(exc)
        ctx.gap(spec.name, "collect", code, message, spec.kinds)
    return ctx.out


def plan_tasks(accounts: list[AwsAccount], regions: tuple[str, ...], specs: list[ServiceSpec],
               endpoint_url: str | None, max_attempts: int, observed_at: str) -> list[AwsTask]:
    planned: list[tuple[tuple[bool, bool], AwsTask]] = []
    for account in accounts:
        for spec in specs:
            # Longest first, so no long task starts last and becomes the scan's tail: services that
            # read every resource with calls of their own (S3, KMS, DynamoDB, RDS, IAM), then
            # account-wide tasks (a whole service's work in one unit: Route 53, CloudFront, ...),
            # then the short regional ones.
            order = (not spec.reads_each, spec.scope != GLOBAL)
            if spec.scope == GLOBAL:
                home = spec.home_region if spec.home_region in regions or not regions else regions[0]
                planned.append((order, AwsTask(account, GLOBAL, spec.name, regions, endpoint_url, max_attempts,
                                               observed_at, home)))
            else:
                planned.extend((order, AwsTask(account, region, spec.name, regions, endpoint_url, max_attempts, observed_at))
                               for region in regions)
    return [task for _, task in sorted(planned, key=lambda pair: pair[0])]


def _caller(sessions: SessionFactory, options: AwsOptions, calls: Counter,
            meter: CallMeter | None = None) -> tuple[AwsAccount, str]:
    """The account the credentials belong to, and the session's default region."""
    account = AwsAccount(id="", profile=options.profile)
    try:
        session = sessions.session(account, endpoint_url=options.endpoint_url)
        record_calls(session.events, calls)
        if meter is not None:
            meter.attach(session.events)
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


def org_accounts(organizations, caller: AwsAccount, options: AwsOptions) -> list[AwsAccount]:
    """Every ACTIVE account of the Organization. Member accounts carry the role to assume there
    (the caller's own account uses the caller's credentials); whoever runs an account's tasks
    assumes it, and an account whose role is refused becomes a gap (see run_task)."""
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
        else:
            accounts.append(AwsAccount(id=entry["Id"], profile=options.profile, role_arn=_role_arn(role, entry["Id"]),
                                       external_id=options.external_id, name=entry.get("Name", "")))
    return accounts


def merge_role_gaps(gaps: list[Gap]) -> list[Gap]:
    """Every task of an account whose role was refused reports it; keep one gap per account,
    covering every kind those tasks would have produced."""
    refused: dict[str, Gap] = {}
    kinds: dict[str, list[str]] = defaultdict(list)
    others = []
    for gap in gaps:
        if gap.service == "sts" and gap.operation == "AssumeRole":
            refused.setdefault(gap.account, gap)
            kinds[gap.account].extend(gap.kinds)
        else:
            others.append(gap)
    return [replace(gap, kinds=tuple(dict.fromkeys(kinds[account]))) for account, gap in refused.items()] + others


def _interleave(tasks: list[AwsTask]) -> list[AwsTask]:
    by_account: dict[str, list[AwsTask]] = defaultdict(list)
    for task in tasks:
        by_account[task.account.id].append(task)
    lanes = list(by_account.values())
    return [lane[i] for i in range(max((len(l) for l in lanes), default=0)) for lane in lanes if i < len(lane)]


def failure_gap(task: AwsTask, failure) -> Gap:
    """A task that did not return (it raised, or the workers running it kept dying): everything it
    would have collected is NOT_ASSESSED, never silently missing."""
    spec = SERVICES[task.service]
    return Gap("aws", task.account.id, task.region, task.service, "collect", failure.error,
               f"{task.service} task did not finish: {failure.describe()}", kinds=spec.kinds)


def collect_aws(options: AwsOptions, on_task: Callable[[AwsTask], None] | None = None,
                on_plan: Callable[[int], None] | None = None, executor: Executor | None = None,
                on_note: Callable[[str], None] | None = None,
                on_timings: Callable[[ApiTimings], None] | None = None) -> tuple[Inventory, dict[str, int]]:
    """Collect every planned task; returns the inventory and the API call counts. `on_note` hears
    how many accounts have had errors so far (refused, throttled, failed tasks); `on_timings`, at
    the end, where the time went (every task's ApiTimings added up; the orchestrator's own calls
    under "setup")."""
    unknown = [s for s in options.services if s not in SERVICES]
    if unknown:
        raise InputError(f"unknown AWS service {unknown[0]!r}; choose from {', '.join(SERVICES)}")
    specs = [SERVICES[s] for s in (options.services or SERVICES)]
    sessions = SessionFactory()
    gaps: list[Gap] = []
    calls: Counter = Counter()
    setup = CallMeter(ApiTimings(), "setup")
    caller, home = _caller(sessions, options, calls, setup)
    session = sessions.session(caller, endpoint_url=options.endpoint_url)  # the orchestrator's own calls
    record_calls(session.events, calls)
    setup.attach(session.events)
    regions = _regions(session, caller, home, options, gaps)
    accounts = [caller]
    if options.org:
        accounts = org_accounts(session.client("organizations", region_name=home, endpoint_url=options.endpoint_url),
                                caller, options)
    observed = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    tasks = plan_tasks(accounts, regions, specs, options.endpoint_url, options.max_attempts, observed)
    if on_plan:
        on_plan(len(tasks))

    # Tasks are submitted interleaved by account so one large account does not hold every worker.
    ordered = _interleave(tasks)
    executor = executor or LocalExecutor(options.workers)
    state = (lambda: sessions) if isinstance(executor, LocalExecutor) else SessionFactory
    results: list[Collected | None] = [None] * len(ordered)
    troubled: Counter = Counter()  # account -> gaps that stopped a listing or a task
    outcome: Outcome
    for outcome in executor.run(run_task, ordered, state_factory=state, budget_key=_account_of, budget=options.per_account):
        result = outcome.result if outcome.failure is None else Collected(gaps=[failure_gap(outcome.task, outcome.failure)])
        results[outcome.index] = result
        serious = sum(1 for g in result.gaps if g.code in DENIED_CODES | THROTTLE_CODES or g.operation in ("collect", "AssumeRole"))
        if serious:
            troubled[outcome.task.account.id] += serious
            if on_note:
                on_note(f"{len(troubled)} of {len(accounts)} accounts with errors")
        if on_task:
            on_task(outcome.task)
    total = Collected(gaps=gaps, calls=calls, timings=setup.timings)
    for result in results:  # in plan order, whatever finished first: merging is deterministic
        if result is not None:
            total.extend(result)
    sources = tuple(sorted({f"aws:{t.account.id}/{t.region}" for t in tasks}))
    inventory = Inventory(resources=tuple(merge_resources(total.resources)), references=tuple(total.references),
                          gaps=tuple(merge_role_gaps(total.gaps)), sources=sources)
    if on_timings:
        on_timings(total.timings)
    return inventory, dict(total.calls)


def _account_of(task: AwsTask) -> str:
    return f"aws:{task.account.id}"
