"""Command line: parse arguments, call drscan.api, print, and map errors to exit codes.

Exit codes: 0 nothing at or above --fail-on failed; 1 failing findings at or above --fail-on;
2 usage or input error (bad flag, malformed export, invalid config or rule, unwritable output
path); 3 database error; 70 internal error (a bug: one line, the traceback with --debug);
130 interrupted; 141 output pipe closed. The mapping is in cli_exit.run."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from rich.text import Text

from drscan import __version__, api
from drscan.cli_dr import dr_app
from drscan.cli_drill import drill_app
from drscan.cli_exit import run
from drscan.cli_progress import progress_display
from drscan.cli_serve import serve
from drscan.config import load_config
from drscan.collect.executor import scan_executor
from drscan.errors import InputError
from drscan.report.catalogue import catalogue_markdown
from drscan.report.coverage import control_statuses
from drscan.report.terminal import console as make_console, markup_safe, print_summary, shown
from drscan.safe_text import capped

app = typer.Typer(help="Compliance and disaster-recovery readiness auditor for AWS, GCP, Azure and Kubernetes.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  pretty_exceptions_enable=False)  # pretty tracebacks print local variables, which may hold secrets
rules_app = typer.Typer(help="Inspect the rule catalogue.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(dr_app, name="dr")
app.add_typer(drill_app, name="drill")
app.command("serve")(serve)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"drscan {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="On an internal error, print the Python traceback (also DRSCAN_DEBUG=1)."),
) -> None:
    """drscan: collect -> graph -> evaluate -> store -> report."""
    if debug:
        ctx.ensure_object(dict)["debug"] = True  # read by cli_exit.run when something fails


@app.command()
def scan(
    import_dir: Optional[list[Path]] = typer.Option(None, "--import", help="Directory (or file) of exports: AWS Config, IAM credential report, AWS CLI JSON output, GCP Cloud Asset, Azure Resource Graph, database backup tools, kubectl JSON (k8s/<cluster>/) (repeatable)."),
    aws: bool = typer.Option(False, "--aws", help="Scan live AWS with boto3 (standard credential chain)."),
    regions: Optional[str] = typer.Option(None, "--regions", help="AWS regions, comma-separated (default: the profile's region)."),
    all_regions: bool = typer.Option(False, "--all-regions", help="Every AWS region enabled for the account."),
    profile: Optional[str] = typer.Option(None, "--profile", help="AWS named profile."),
    org: bool = typer.Option(False, "--org", help="Every active account of the AWS Organization (needs --assume-role)."),
    assume_role: Optional[str] = typer.Option(None, "--assume-role", help="Role name (or ARN with {account}) assumed in each member account."),
    external_id: Optional[str] = typer.Option(None, "--external-id", help="ExternalId for --assume-role."),
    aws_services: Optional[str] = typer.Option(None, "--aws-services", help="Only these AWS service collectors, comma-separated (see drscan permissions aws)."),
    workers: int = typer.Option(16, "--workers", help="Concurrent collection tasks."),
    per_account: int = typer.Option(8, "--per-account", help="Concurrent tasks per AWS account (cluster-wide with --executor dask)."),
    executor: str = typer.Option("local", "--executor", help="Where collection tasks run: local (threads) or dask (a dask.distributed cluster)."),
    dask_scheduler: Optional[str] = typer.Option(None, "--dask-scheduler", help="Dask scheduler address, e.g. tcp://scheduler:8786 (default: $DASK_SCHEDULER_ADDRESS, else a local cluster of worker processes)."),
    gcp: bool = typer.Option(False, "--gcp", help="Scan live GCP with Cloud Asset Inventory (Application Default Credentials)."),
    gcp_scope: Optional[list[str]] = typer.Option(None, "--scope", help="GCP scope: organizations/ID, folders/ID or projects/ID (repeat or comma-separate)."),
    gcp_endpoint: Optional[str] = typer.Option(None, "--gcp-endpoint", help="Cloud Asset API endpoint (Private Service Connect, proxy)."),
    azure: bool = typer.Option(False, "--azure", help="Scan live Azure with Resource Graph (DefaultAzureCredential, or DRSCAN_AZURE_TOKEN)."),
    subscriptions: str = typer.Option("all", "--subscriptions", help="Azure subscription ids, comma-separated, or 'all'."),
    azure_endpoint: Optional[str] = typer.Option(None, "--azure-endpoint", help="Azure Resource Manager URL (sovereign clouds, proxy)."),
    postgres: Optional[list[str]] = typer.Option(None, "--postgres", help="PostgreSQL DSN to check live, read-only: WAL archiving, replication (repeatable)."),
    mysql: Optional[list[str]] = typer.Option(None, "--mysql", help="MySQL/MariaDB DSN (mysql://user@host/db) to check live, read-only: replica status (repeatable)."),
    k8s: bool = typer.Option(False, "--k8s", help="Scan live Kubernetes clusters from your kubeconfig (list calls only)."),
    kube_context: Optional[list[str]] = typer.Option(None, "--kube-context", help="kubeconfig context to scan (repeat; default: every context)."),
    kubeconfig: Optional[Path] = typer.Option(None, "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)."),
    prometheus: Optional[str] = typer.Option(None, "--prometheus", help="Read a Prometheus server (rules, targets, config, replica lag); GET only. Auth: DRSCAN_PROMETHEUS_TOKEN or _USERNAME/_PASSWORD."),
    alertmanager: Optional[str] = typer.Option(None, "--alertmanager", help="Read an Alertmanager's configuration (/api/v2/status); GET only. Auth: DRSCAN_ALERTMANAGER_TOKEN or _USERNAME/_PASSWORD."),
    monitoring_ca_bundle: Optional[Path] = typer.Option(None, "--monitoring-ca-bundle", help="CA bundle (PEM) to verify --prometheus/--alertmanager TLS."),
    config: Optional[Path] = typer.Option(None, "--config", help="drscan.yaml: organization, scope, applications."),
    db: Optional[Path] = typer.Option(None, "--db", help="SQLite database that keeps every scan."),
    out: Optional[Path] = typer.Option(None, "--out", help="Directory for findings.json, findings.csv, report.html, report.pdf."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 if a finding of this severity or worse fails: critical, high, medium, low, info, none. Default: config's fail_on, else high."),
    formats: str = typer.Option(",".join(api.REPORT_FORMATS), "--format", help="Comma-separated formats to write into --out: json, csv, html, pdf, sarif, junit, ocsf."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluate ages (key rotation, recovery points) as of this ISO time instead of now."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="findings.json (or list of fingerprints) of accepted failures: only failures not in it fail the gate."),
    metrics_file: Optional[Path] = typer.Option(None, "--metrics-file", help="Write Prometheus metrics here (atomically), e.g. for node_exporter's textfile collector."),
    sarif: Optional[Path] = typer.Option(None, "--sarif", help="Also write SARIF 2.1.0 here (code scanning)."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Also write JUnit XML here (CI test reports)."),
    ocsf: Optional[Path] = typer.Option(None, "--ocsf", help="Also write OCSF Compliance Finding JSON here (SIEM)."),
    notify: Optional[Path] = typer.Option(None, "--notify", help="notify.yaml: alert targets for new/regressed failures (and resolve fixed ones). Needs --db."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary; only errors."),
    pdf_detail: str = typer.Option("summary", "--pdf-detail", help="report.pdf: summary (each rule's first failing resources; every result is in findings.csv/.json) or full (every failed and not-assessed resource with all its evidence)."),
    timings: bool = typer.Option(False, "--timings", help="At the end, where the time went: stages, and per live AWS service and API operation the calls, retries, API wait, backoff and CPU (also a `timings` object in findings.json)."),
    aws_retries: int = typer.Option(8, "--aws-retries", help="Retries per AWS API call after the first attempt when throttled (5xx and dropped connections: at most 2; errors that cannot succeed, such as AccessDenied, are never retried)."),
) -> None:
    """Collect (exports and/or live clouds), evaluate every rule, store the scan and write reports."""
    console = make_console()
    settings = load_config(config)
    if aws and not regions and not all_regions and settings.aws_regions:
        regions = ",".join(settings.aws_regions)
    if aws and org and not assume_role:
        assume_role = settings.aws_assume_role
    sources = _sources(import_dir[0] if import_dir else None, aws=aws, regions=regions, all_regions=all_regions, profile=profile, org=org,
                       assume_role=assume_role, external_id=external_id, aws_services=aws_services, workers=workers,
                       per_account=per_account, gcp=gcp, gcp_scope=gcp_scope, gcp_endpoint=gcp_endpoint, azure=azure,
                       subscriptions=subscriptions, azure_endpoint=azure_endpoint, executor=executor,
                       dask_scheduler=dask_scheduler)
    if sources.aws is not None:
        if aws_retries < 0:
            raise InputError("--aws-retries must be 0 or more")
        sources = dataclasses.replace(sources, aws=dataclasses.replace(sources.aws, max_attempts=aws_retries))
    sources = dataclasses.replace(sources, postgres=tuple(postgres or ()), mysql=tuple(mysql or ()),
                                  more_imports=tuple(import_dir[1:]) if import_dir else ())
    sources = _with_kubernetes(sources, k8s, kube_context, kubeconfig, workers)
    if prometheus or alertmanager:
        from drscan.monitoring.live import MonitoringOptions

        sources = dataclasses.replace(sources, monitoring=MonitoringOptions(prometheus=prometheus, alertmanager=alertmanager,
                                                                    ca_bundle=monitoring_ca_bundle))
    elif monitoring_ca_bundle:
        raise InputError("--monitoring-ca-bundle needs --prometheus or --alertmanager")
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    with progress_display(quiet) as progress:
        with scan_executor(sources.executor) as cluster:
            result = api.scan(sources=sources, config_path=config, db_path=db, out_dir=out, fail_on=fail_on, formats=chosen,
                              as_of=api.parse_as_of(as_of), progress=progress, baseline_path=baseline,
                              metrics_path=metrics_file, notify_path=notify, outputs=_outputs(sarif, junit, ocsf),
                              executor=cluster, pdf_detail=pdf_detail, with_timings=timings)
    for warning in result.warnings:  # configuration problems: on stderr even with --quiet
        make_console(stderr=True, soft_wrap=True).print("[yellow]drscan: warning:[/]", shown(warning, 2000))
    failed = [d for d in result.deliveries if not d.ok]
    if failed:  # a failed delivery never fails the scan; it is retried on the next scan
        make_console(stderr=True).print(f"[yellow]drscan: {len(failed)} of {len(result.deliveries)} alert deliveries failed "
                                        f"(retried next scan):[/] ", shown("; ".join(sorted({f"{d.target}: {d.error}" for d in failed})), 500))
    if not quiet:
        print_summary(result.summary, console)  # aggregates and the worst failures: no DR chapter needed
        if result.deliveries:
            console.print(f"Alerts: {len(result.deliveries) - len(failed)} delivered, {len(failed)} failed")
        for name, path in result.reports.items():
            console.print(f"  wrote {name:<4}", shown(path))
    if timings:  # asked for: printed even with --quiet
        from drscan.report.timings_table import print_timings, timings_document

        print_timings(timings_document(result.timings, result.api_timings), make_console(min_width=130))
    raise typer.Exit(result.exit_code)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def _sources(import_dir: Path | None, *, aws: bool, regions: str | None, all_regions: bool, profile: str | None,
             org: bool, assume_role: str | None, external_id: str | None, aws_services: str | None, workers: int,
             per_account: int, gcp: bool, gcp_scope: list[str] | None, gcp_endpoint: str | None, azure: bool,
             subscriptions: str, azure_endpoint: str | None, executor: str = "local", dask_scheduler: str | None = None):
    from drscan.collect.executor import ExecutorOptions
    from drscan.collect.sources import Sources

    aws_flags = [name for name, given in (("--regions", regions), ("--all-regions", all_regions), ("--profile", profile),
                                          ("--org", org), ("--assume-role", assume_role)) if given]
    if aws_flags and not aws:
        raise InputError(f"{aws_flags[0]} needs --aws")
    if regions and all_regions:
        raise InputError("give --regions or --all-regions, not both")
    if (assume_role or external_id) and not org:
        raise InputError("--assume-role is used with --org (the role assumed in each member account)")
    if gcp_scope and not gcp:
        raise InputError("--scope needs --gcp")
    if workers < 1 or per_account < 1:
        raise InputError("--workers and --per-account must be at least 1")
    if dask_scheduler and executor != "dask":
        raise InputError("--dask-scheduler needs --executor dask")
    executor_options = ExecutorOptions(kind=executor, scheduler=dask_scheduler, workers=workers)
    aws_options = gcp_options = azure_options = None
    if aws:
        from drscan.collect.aws.collect import AwsOptions

        aws_options = AwsOptions(regions=_split(regions), all_regions=all_regions, profile=profile, org=org,
                                 assume_role=assume_role, external_id=external_id, services=_split(aws_services),
                                 workers=workers, per_account=per_account)
    if gcp:
        from drscan.collect.gcp.collect import GcpOptions

        scopes = tuple(s for value in gcp_scope or () for s in _split(value))
        if not scopes:
            raise InputError("--gcp needs --scope organizations/ID, folders/ID or projects/ID")
        gcp_options = GcpOptions(scopes=scopes, endpoint=gcp_endpoint, workers=workers)
    if azure:
        from drscan.collect.azure.collect import AzureOptions

        chosen = None if subscriptions.strip().lower() == "all" else _split(subscriptions)
        azure_options = AzureOptions(subscriptions=chosen, endpoint=azure_endpoint, workers=workers)
    return Sources(import_dir=import_dir, aws=aws_options, gcp=gcp_options, azure=azure_options, executor=executor_options)


def _with_kubernetes(sources, k8s: bool, contexts: list[str] | None, kubeconfig: Path | None, workers: int):
    if (contexts or kubeconfig) and not k8s:
        raise InputError("--kube-context and --kubeconfig need --k8s")
    if not k8s:
        return sources
    from dataclasses import replace

    from drscan.collect.kubernetes.collect import KubernetesOptions

    chosen = tuple(c for value in contexts or () for c in _split(value))
    return replace(sources, kubernetes=KubernetesOptions(contexts=chosen, kubeconfig=str(kubeconfig) if kubeconfig else None,
                                                         workers=min(workers, 8)))


def _outputs(sarif: Path | None, junit: Path | None, ocsf: Path | None) -> dict[str, Path]:
    return {name: path for name, path in (("sarif", sarif), ("junit", junit), ("ocsf", ocsf)) if path is not None}


@app.command()
def history(
    db: Path = typer.Option(Path("drscan.db"), "--db", help="The scan database."),
    last: int = typer.Option(20, "--last", help="How many recent scans to show."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Stored scans with their counts and trend, failures per framework and per app, longest-failing findings."""
    summary = api.history(db, last)
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    console = make_console(min_width=140)
    table = Table(title=shown(f"{len(summary['scans'])} scans in {db}"))
    for column in ("Scan", "Started", "Resources", "Pass", "Fail", "Δ fail", "Not assessed", "Gaps", "Fail by framework",
                   "Fail by app", "DR score by app"):
        table.add_column(column, justify="left" if column in ("Started", "Fail by framework", "Fail by app", "DR score by app")
                         else "right")
    for row in summary["scans"]:
        delta = row["fail_delta"]
        delta_text = "" if delta is None else (f"[red]+{delta}[/]" if delta > 0 else f"[green]{delta}[/]" if delta < 0 else "0")
        table.add_row(str(row["id"]), shown(row["started_at"]), str(row["resources"]), str(row["pass"]), str(row["fail"]),
                      delta_text, str(row["not_assessed"]), str(row["gaps"]),
                      shown(", ".join(f"{k} {v}" for k, v in sorted(row["fail_by_framework"].items()))),
                      shown(", ".join(f"{k} {v}" for k, v in sorted(row["fail_by_app"].items()))),
                      shown(", ".join(f"{k} {'-' if v is None else v}" for k, v in sorted(row["dr_score_by_app"].items()))))
    console.print(table)
    if summary["longest_failing"]:
        longest = Table(title="Longest-failing findings")
        for column in ("Rule", "Resource", "Failing since", "Days in violation", "Failing scans"):
            longest.add_column(column, overflow="fold")
        for row in summary["longest_failing"]:
            longest.add_row(shown(row["rule_id"]), shown(row["resource_id"]), shown(row["failing_since"]),
                            f"{row['violation_seconds'] / 86400:.1f}", str(row["failing_scans"]))
        console.print(longest)


@app.command()
def diff(
    old: Optional[int] = typer.Argument(None, help="Older scan id (default: the one before the latest)."),
    new: Optional[int] = typer.Argument(None, help="Newer scan id (default: the latest)."),
    db: Path = typer.Option(Path("drscan.db"), "--db", help="The scan database."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(20, "--limit", help="Rows shown per section in the terminal."),
) -> None:
    """New / resolved / regressed / still failing findings, and resources added, removed or changed."""
    if (old is None) != (new is None):
        raise InputError("give two scan ids (OLD NEW), or none for the latest against the previous")
    result = api.diff(db, old, new)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, default=str))
        return
    console = make_console(min_width=140)
    counts = result.as_dict()["counts"]
    console.print(f"[bold]scan {result.old_scan} → {result.new_scan}[/]: "
                  f"[red]{counts['new']} new[/], [red]{counts['regressed']} regressed[/], [green]{counts['resolved']} resolved[/], "
                  f"{counts['still_failing']} still failing; resources +{counts['resources_added']} "
                  f"-{counts['resources_removed']} ~{counts['resources_changed']}")
    for title, items in (("New failures", result.new), ("Regressed", result.regressed), ("Resolved", result.resolved)):
        if items:
            table = Table(title=f"{title} ({len(items)})", title_justify="left")
            for column in ("Severity", "Rule", "Resource", "Before", "After"):
                table.add_column(column, overflow="fold")
            for item in items[:limit]:
                table.add_row(shown(item.severity), shown(item.rule_id), shown(item.resource_id), shown(item.before or "—"),
                              shown(item.after or "gone"))
            console.print(table)
    if result.resources_changed:
        table = Table(title=f"Changed resources ({len(result.resources_changed)})", title_justify="left")
        for column in ("Resource", "Attribute", "Before", "After"):
            table.add_column(column, overflow="fold")
        for change in result.resources_changed[:limit]:
            for attribute in change.changes[:5]:
                table.add_row(shown(change.id), shown(attribute["path"]), shown(json.dumps(attribute["before"], default=str)),
                              shown(json.dumps(attribute["after"], default=str)))
        console.print(table)


@app.command()
def plan(
    plan_file: Path = typer.Argument(..., help="`terraform show -json tfplan` output."),
    config: Optional[Path] = typer.Option(None, "--config", help="drscan.yaml (applications, fail_on, excluded rules)."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 if a finding of this severity or worse fails."),
    soft_fail: bool = typer.Option(False, "--soft-fail", help="Report, but always exit 0."),
    sarif: Optional[Path] = typer.Option(None, "--sarif", help="Write SARIF 2.1.0 here."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Write JUnit XML here."),
    ocsf: Optional[Path] = typer.Option(None, "--ocsf", help="Write OCSF JSON here."),
    out: Optional[Path] = typer.Option(None, "--out", help="Directory for reports (see --format)."),
    formats: str = typer.Option("json", "--format", help="Comma-separated formats to write into --out."),
    db: Optional[Path] = typer.Option(None, "--db", help="Read the plan on top of this database's latest scan, so relation rules see backup selections, replicas and keys outside the plan."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors."),
) -> None:
    """Gate a Terraform plan: rules on planned values of created/updated resources, and DR regressions."""
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    result = api.plan(plan_file, config_path=config, fail_on=fail_on, soft_fail=soft_fail, out_dir=out,
                      formats=chosen, outputs=_outputs(sarif, junit, ocsf), db_path=db)
    if not quiet:
        console = make_console(min_width=140)
        context = result.context
        failing = [f for f in context["findings"] if f["status"] != "PASS"]
        scope = result.scan.scope
        console.print(f"[bold]drscan plan[/] {markup_safe(plan_file)} ({markup_safe(scope.get('plan_context'))}): "
                      f"{len(result.scan.resources)} planned resources, [red]{context['totals']['FAIL']} failed[/], "
                      f"[yellow]{context['totals']['NOT_ASSESSED']} not assessed[/], "
                      f"[green]{context['totals']['PASS']} passed[/]", highlight=False)
        for notice in context.get("notices") or []:
            console.print(f"[yellow]note:[/] {markup_safe(notice)}", highlight=False)
        if failing:
            table = Table(title="Findings in the plan", title_justify="left")
            for column in ("Status", "Severity", "Rule", "Address", "Reason"):
                table.add_column(column, overflow="fold")
            for f in failing[:50]:
                table.add_row(shown(f["status"]), shown(f["severity"]), shown(f["rule_id"]), shown(f["address"]), shown(f["reason"]))
            if len(failing) > 50:
                table.add_row("", "", "", "", f"... and {len(failing) - 50} more (see --out / --sarif)")
            console.print(table)
        verdict = "[bold red]FAIL[/]" if result.exit_code else ("[bold green]PASS[/]" if not soft_fail else "soft-fail (exit 0)")
        console.print(f"Gate (--fail-on {markup_safe(result.fail_on)}): {verdict}")
    raise typer.Exit(result.exit_code)


@app.command()
def drift(
    terraform_state: list[Path] = typer.Option(..., "--terraform-state", help="`terraform show -json` state output (or .tfstate); repeat once per workspace."),
    db: Path = typer.Option(Path("drscan.db"), "--db", help="The scan database (its latest scan is 'live')."),
    account: list[str] = typer.Option([], "--account", help="Only this account / project / subscription (repeat for more)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Live (latest scan) against Terraform state: unmanaged, missing and changed resources. Exit 1 on drift."""
    report = api.terraform_drift(db, terraform_state, tuple(account))
    drifted = bool(report["unmanaged"] or report["missing"] or report["changed"])
    if as_json:
        typer.echo(json.dumps(report, indent=2, default=str))
        raise typer.Exit(int(drifted))
    console = make_console(min_width=140)
    names = ", ".join(s["path"] for s in report["states"])
    console.print(f"[bold]Terraform state {markup_safe(names)}[/] vs scan {report['scan_id']}: {report['managed']} managed, "
                  f"{len(report['unmanaged'])} unmanaged, {len(report['missing'])} missing, {len(report['changed'])} changed, "
                  f"{len(report['not_scanned'])} not in the scan, {len(report['ignored'])} never managed (AWS-managed, "
                  "service-linked, default)", highlight=False)
    for state in report["states"][:50]:
        accounts = ", ".join(state["accounts"]) or "no known account"
        console.print(f"  {markup_safe(state['path'])}: {state['managed']} resources in {markup_safe(accounts)}",
                      highlight=False)
    for title, rows in (("Unmanaged (live, in a state's accounts and kinds, in no state)", report["unmanaged"]),
                        ("Missing (in state, not live)", report["missing"])):
        if rows:
            table = Table(title=title, title_justify="left")
            table.add_column("Resource", overflow="fold")
            table.add_column("Kind")
            table.add_column("State" if rows is report["missing"] else "Account", overflow="fold")
            for row in rows[:50]:
                table.add_row(shown(row["id"]), shown(row["kind"]), shown(row.get("state") or row.get("account") or ""))
            if len(rows) > 50:
                table.add_row(f"... and {len(rows) - 50} more (--json lists all)", "", "")
            console.print(table)
    if report["changed"]:
        table = Table(title="Changed attributes", title_justify="left")
        for column in ("Resource", "Attribute", "Terraform", "Live"):
            table.add_column(column, overflow="fold")
        for row in report["changed"][:50]:
            for d in row["differences"]:
                table.add_row(shown(row["address"] or row["id"]), shown(d["attribute"]),
                              shown(json.dumps(d["terraform"], default=str)), shown(json.dumps(d["live"], default=str)))
        console.print(table)
    raise typer.Exit(int(drifted))


@app.command()
def keygen(out: Path = typer.Option(Path("drscan-signing.key"), "--out", help="Private key path; the public key is written next to it as .pub.")) -> None:
    """Create an Ed25519 key pair for signing evidence packs."""
    from drscan.pack.keys import fingerprint, generate_keypair, load_public_key

    private, public = generate_keypair(out)
    typer.echo(f"private key: {private} (keep it secret)\npublic key:  {public}\nfingerprint: {fingerprint(load_public_key(public))}")


@app.command("pack")
def pack_command(
    out: Path = typer.Option(..., "-o", "--output", help="The evidence pack to write (.zip)."),
    sign: Path = typer.Option(..., "--sign", help="Ed25519 private key (drscan keygen)."),
    db: Path = typer.Option(Path("drscan.db"), "--db", help="The scan database."),
    scan_ref: str = typer.Option("latest", "--scan", help="'latest' or a scan id."),
    framework: list[str] = typer.Option([], "--framework", help="Framework to include (repeat); default: all."),
    config: Optional[Path] = typer.Option(None, "--config", help="drscan.yaml (organization, apps, evidence_ttl_days)."),
    attestations: Optional[Path] = typer.Option(None, "--attestations", help="attestations.yaml for manual controls."),
    waivers: Optional[Path] = typer.Option(None, "--waivers", help="waivers.yaml: accepted, time-boxed findings."),
    period_start: Optional[str] = typer.Option(None, "--period-start", help="Audit period start (default: first stored scan)."),
    period_end: Optional[str] = typer.Option(None, "--period-end", help="Audit period end (default: this scan)."),
    pdf_detail: str = typer.Option("summary", "--pdf-detail", help="report.pdf: summary (each rule's first failing resources; every result is in the pack's JSON/CSV) or full (every resource)."),
) -> None:
    """Build a signed evidence pack (zip): PDF/HTML report, findings, inventory, gaps, per-control evidence, manifest."""
    with progress_display() as progress:
        manifest = api.pack(db, out, sign, scan_ref=scan_ref, frameworks=tuple(framework), config_path=config,
                            attestations_path=attestations, waivers_path=waivers, period_start=period_start,
                            period_end=period_end, pdf_detail=pdf_detail, progress=progress)
    typer.echo(f"wrote {out}: {len(manifest['files'])} files, scan {manifest['scan']['id']}, "
               f"signed by {manifest['signature']['public_key_fingerprint']}")


@app.command()
def verify(
    pack_file: Path = typer.Argument(..., help="The evidence pack (.zip)."),
    public_key: Path = typer.Option(..., "--public-key", help="The signer's Ed25519 public key (.pub)."),
) -> None:
    """Check an evidence pack: signature, every file's hash and size, nothing added or removed. Exit 1 if not intact."""
    from drscan.pack.keys import load_public_key
    from drscan.pack.verify import verify_pack

    result = verify_pack(pack_file, load_public_key(public_key))
    if result.ok:
        files = len(result.manifest["files"]) if result.manifest else 0
        typer.echo(f"OK: {pack_file} is intact ({files} files, signature valid)")
        return
    err = make_console(stderr=True)
    err.print("[bold red]NOT INTACT:[/]", shown(pack_file))
    for problem in capped(result.problems):
        err.print(Text("  ").append_text(shown(problem, 500)))
    raise typer.Exit(1)


@rules_app.command("list")
def rules_list(
    config: Optional[Path] = typer.Option(None, "--config", help="drscan.yaml (for excluded rules)."),
    kind: Optional[str] = typer.Option(None, "--kind", help="Only rules for this resource kind (e.g. aws.s3.bucket)."),
    category: Optional[str] = typer.Option(None, "--category", help="Only rules of this category."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the Markdown catalogue (as in the README)."),
) -> None:
    """List rules: id, title, severity, category, resource kinds, mapped controls."""
    ruleset = api.load_ruleset(load_config(config))
    chosen = [r for r in ruleset.rules if (not kind or kind in r.kinds) and (not category or r.category == category)]
    if markdown:
        typer.echo(catalogue_markdown(ruleset))
        return
    if as_json:
        typer.echo(json.dumps([{"id": r.id, "version": r.version, "title": r.title, "severity": r.severity,
                                "category": r.category, "kinds": list(r.kinds), "controls": list(r.controls),
                                "justification": dict(r.justification)}
                               for r in chosen], indent=2))
        return
    table = Table(title=f"{len(chosen)} rules")
    for column in ("ID", "Title", "Severity", "Category", "Kinds", "Controls"):
        table.add_column(column, overflow="fold")
    for r in chosen:
        table.add_row(shown(r.id), shown(r.title), shown(r.severity), shown(r.category), shown(", ".join(r.kinds)),
                      shown(", ".join(r.controls)))
    make_console(min_width=160).print(table)


@app.command()
def controls(
    framework: str = typer.Option(..., "--framework", help="Catalogue id: iso27001-2022, soc2, hipaa, gdpr, cis-aws-3.0, cis-gcp-3.0 or cis-azure-3.0 (a file of rules/controls)."),
    config: Optional[Path] = typer.Option(None, "--config", help="drscan.yaml (for excluded rules)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Every control of a framework and how drscan covers it: automated (by which rules), manual, or not covered."""
    ruleset = api.load_ruleset(load_config(config))
    catalogue = ruleset.catalogues.get(framework)
    if catalogue is None:
        raise InputError(f"unknown framework {framework!r}; known: {', '.join(sorted(ruleset.catalogues))}")
    statuses = control_statuses(catalogue, ruleset)
    if as_json:
        typer.echo(json.dumps([{"id": s.control.id, "title": s.control.title, "theme": s.control.theme_name,
                                "coverage": s.coverage, "rules": list(s.rules)} for s in statuses], indent=2))
        return
    counts = {c: sum(1 for s in statuses if s.coverage == c) for c in ("automated", "manual", "not_covered")}
    table = Table(title=f"{markup_safe(catalogue.title)}: {len(statuses)} controls · {counts['automated']} automated · "
                        f"{counts['manual']} manual · {counts['not_covered']} not covered")
    for column in ("Control", "Title", "Coverage", "Rules"):
        table.add_column(column, overflow="fold")
    for s in statuses:
        style = {"automated": "green", "manual": "cyan", "not_covered": "yellow"}[s.coverage]
        table.add_row(shown(s.control.id), shown(s.control.title), f"[{style}]{s.coverage}[/]", shown(", ".join(s.rules)))
    make_console(min_width=140).print(table)


PERMISSION_DOCUMENTS = {
    "aws": ("drscan.collect.aws.permissions", "policy_document"),
    "gcp": ("drscan.collect.gcp.permissions", "permissions_document"),
    "azure": ("drscan.collect.azure.permissions", "permissions_document"),
    "k8s": ("drscan.collect.kubernetes.permissions", "cluster_role_yaml"),
}


@app.command()
def permissions(
    provider: str = typer.Argument(..., help="aws, gcp, azure or k8s."),
) -> None:
    """Print the read-only permissions a live scan needs: an IAM policy (aws), a custom role (gcp, azure), a ClusterRole (k8s)."""
    import importlib

    if provider not in PERMISSION_DOCUMENTS:
        raise InputError(f"unknown provider {provider!r}; choose aws, gcp, azure or k8s")
    module, function = PERMISSION_DOCUMENTS[provider]
    document = getattr(importlib.import_module(module), function)()
    typer.echo(document if isinstance(document, str) else json.dumps(document, indent=2))  # k8s: ClusterRole YAML


def main(argv: list[str] | None = None) -> None:
    """Console entry point (drscan.cli:main): every outcome becomes an exit code (cli_exit.run)."""
    sys.exit(run(app, argv))


if __name__ == "__main__":
    main()
