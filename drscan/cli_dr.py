"""`drscan dr`: per-app DR readiness table, failure simulation, recovery runbooks and diagrams.
A typer sub-app (mounted by cli.py as `drscan dr`); the work is in drscan.dr.api.

Exit codes: 0 every app meets its targets (or cannot be assessed); 1 an app misses a target;
2 bad input (flag, drscan.yaml, unknown app or failure); 3 database error."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Callable, Optional, TypeVar

import orjson
import typer
from rich.table import Table

from drscan.cli_exit import print_error
from drscan.dr import api
from drscan.dr.copies import human
from drscan.dr.model import DISRUPTIONS, FAIL, PASS, basis_of
from drscan.dr.output import simulation_json, status_json
from drscan.errors import DrscanError, InputError
from drscan.report.terminal import console as make_console, markup_safe, shown
from drscan.safe_text import neutralize

dr_app = typer.Typer(help="DR readiness: per-app RPO/RTO per disruption, failure simulation, recovery runbooks.",
                     invoke_without_command=True, add_completion=False, rich_markup_mode=None,
                     pretty_exceptions_enable=False)

DEFAULT_CONFIG, DEFAULT_DB = Path("drscan.yaml"), Path("drscan.db")
SHORT = {"zone": "zone_loss", "region": "region_loss", "provider": "provider_loss", "corruption": "data_corruption",
         "account": "account_compromise"}
HEADINGS = {"zone_loss": "Zone loss", "region_loss": "Region loss", "provider_loss": "Provider loss",
            "data_corruption": "Corruption", "account_compromise": "Account compromise"}
T = TypeVar("T")

CONFIG_HELP = "drscan.yaml with the apps and their RPO/RTO targets (default: drscan.yaml)."
DB_HELP = "The scan database (default: drscan.db)."
SCAN_HELP = "Scan id to assess (default: the latest)."
AS_OF_HELP = "Measure ages (recovery points, drills) as of this ISO time (default: when the scan's inventory was taken)."


def _guard(work: Callable[[], T]) -> T:
    """Run `work`; a DrscanError becomes its message on stderr and its exit code."""
    try:
        return work()
    except DrscanError as exc:
        print_error(exc)
        raise typer.Exit(exc.exit_code) from None


def _common(ctx: typer.Context, config: Optional[Path], db: Optional[Path], scan: Optional[int], as_of: Optional[str]):
    parent = ctx.obj or {}
    return (config or parent.get("config") or DEFAULT_CONFIG, db or parent.get("db") or DEFAULT_DB,
            scan if scan is not None else parent.get("scan"), as_of or parent.get("as_of"))


def _format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputError(f"--format must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _cell(estimate) -> str:
    if estimate.rpo_status == "not_assessable" and estimate.rto_status == "not_assessable":
        return "[dim]n/a[/]"
    rpo = human(estimate.rpo_seconds) if estimate.rpo_seconds is not None else estimate.rpo_status.replace("_", " ")
    rto = human(estimate.rto_seconds) if estimate.rto_seconds is not None else estimate.rto_status.replace("_", " ")
    mark = {PASS: "[green]PASS[/]", FAIL: "[bold red]FAIL[/]"}.get(estimate.verdict, "[yellow]N/A[/]")
    basis = basis_of(estimate)  # which figures were measured (backup ages, drills, restore jobs)
    rpo += " (measured)" if basis["rpo_basis"] == "measured" and estimate.rpo_seconds is not None else ""
    rto += " (measured)" if basis["rto_basis"] == "measured" and estimate.rto_seconds is not None else ""
    return f"{mark}\nRPO {rpo}\nRTO {rto}"


def _print_status(report) -> None:
    console = make_console(min_width=160)
    table = Table(title=f"DR readiness - scan {report.scan.id} (as of {report.context.now.isoformat(timespec='minutes')})",
                  show_lines=True)
    table.add_column("App")
    table.add_column("Targets")
    table.add_column("Strategy")
    for disruption in DISRUPTIONS:
        table.add_column(HEADINGS[disruption])
    for assessment in report.assessments.values():
        strategy = assessment.strategy
        shown_strategy = markup_safe(strategy.detected.replace("_", " "))
        if strategy.declared and not strategy.matches:
            shown_strategy += f"\n[yellow](declared {markup_safe(strategy.declared.replace('_', ' '))})[/]"
        targets = f"RPO {human(assessment.rpo_target_seconds) if assessment.rpo_target_seconds is not None else '-'}\n" \
                  f"RTO {human(assessment.rto_target_seconds) if assessment.rto_target_seconds is not None else '-'}"
        table.add_row(f"{markup_safe(assessment.name)}\ntier {assessment.tier if assessment.tier is not None else '-'}", targets,
                      shown_strategy,
                      *[_cell(assessment.estimates[d]) for d in DISRUPTIONS])
    console.print(table)
    for assessment in report.assessments.values():
        failing = [(d, e) for d, e in assessment.estimates.items() if e.verdict == FAIL]
        for disruption, estimate in failing:
            reason = estimate.rpo_reason if estimate.rpo_verdict == FAIL else estimate.rto_reason
            console.print(f"[bold]{markup_safe(assessment.name)}[/] {HEADINGS[disruption].lower()}: {markup_safe(reason, 1000)}")
        if assessment.single_points_of_failure:
            names = ", ".join(s.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for s in assessment.single_points_of_failure[:5])
            console.print(f"[bold]{markup_safe(assessment.name)}[/] single points of failure: "
                          f"{len(assessment.single_points_of_failure)} ({markup_safe(names, 1000)}"
                          f"{', ...' if len(assessment.single_points_of_failure) > 5 else ''})")
        for note in assessment.notes:
            console.print(f"[yellow]{markup_safe(assessment.name)}: {markup_safe(note, 1000)}[/]")


@dr_app.callback(invoke_without_command=True)
def dr_status(
    ctx: typer.Context,
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    db: Optional[Path] = typer.Option(None, "--db", help=DB_HELP),
    scan: Optional[int] = typer.Option(None, "--scan", help=SCAN_HELP),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
    app: Optional[list[str]] = typer.Option(None, "--app", help="Only this app (repeatable)."),
) -> None:
    """Per-app DR readiness from the latest scan: detected strategy, and per disruption (zone,
    region, provider loss, data corruption, account compromise) the estimated RPO and RTO against
    the targets. Exit 1 when an app misses a target."""
    # A large estate is a few million small objects that all live until the command exits; with the
    # default young-generation threshold (700) the collector rescans them thousands of times
    # (about a quarter of the run time at 100k resources). This process-wide setting is made here,
    # at the command-line edge, never in library code.
    gc.set_threshold(100_000, 50, 100)
    ctx.obj = {"config": config, "db": db, "scan": scan, "as_of": as_of}
    if ctx.invoked_subcommand is not None:
        return
    config_path, db_path, scan_id, moment = _common(ctx, None, None, None, None)
    chosen = _guard(lambda: _format(fmt, ("table", "json")))
    report = _guard(lambda: api.status(config_path, db_path, scan_id, moment, apps=list(app) if app else None))
    code = 1 if report.missed_targets else 0
    if chosen == "json":
        typer.echo(_json(status_json(report, code)))
    else:
        _print_status(report)
    raise typer.Exit(code)


@dr_app.command("simulate")
def dr_simulate(
    ctx: typer.Context,
    fail: list[str] = typer.Option(..., "--fail", help="What fails (repeatable): zone:<z>, region:<r>, provider:<aws|gcp|azure>, "
                                                        "account:<id>, resource:<id>, kms:<key id or ARN>, service:<app or shared service>."),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    db: Optional[Path] = typer.Option(None, "--db", help=DB_HELP),
    scan: Optional[int] = typer.Option(None, "--scan", help=SCAN_HELP),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    """What goes down, how much data is lost and how long recovery takes when the given zones,
    regions, providers, accounts, resources or keys fail (failures cascade along dependencies)."""
    config_path, db_path, scan_id, moment = _common(ctx, config, db, scan, as_of)
    chosen = _guard(lambda: _format(fmt, ("table", "json")))
    scan_info, result = _guard(lambda: api.simulate(config_path, db_path, list(fail), scan_id, moment))
    code = 1 if result.missed_targets else 0
    if chosen == "json":
        typer.echo(_json(simulation_json(scan_info, result, code)))
        raise typer.Exit(code)
    console = make_console(min_width=160)
    table = Table(title=f"Simulated failure of {markup_safe(', '.join(f.spec for f in result.failures))}: "
                        f"{result.failed_resource_count} resource(s) fail (scan {scan_info.id})", show_lines=True)
    for column in ("App", "Outcome", "Data lost", "Back in", "Targets", "Verdict", "What to do"):
        table.add_column(column)
    for outcome in list(result.apps) + list(result.services):
        lost = "none" if outcome.data_loss_status == "none" else "data lost" if outcome.data_loss_status == "data_lost" \
            else human(outcome.data_loss_seconds)
        back = "-" if outcome.outcome == "keeps_serving" else human(outcome.recovery_seconds) \
            if outcome.recovery_seconds is not None else "unknown"
        targets = f"RPO {human(outcome.rpo_target_seconds) if outcome.rpo_target_seconds is not None else '-'} / " \
                  f"RTO {human(outcome.rto_target_seconds) if outcome.rto_target_seconds is not None else '-'}"
        verdict = {PASS: "[green]PASS[/]", FAIL: "[bold red]FAIL[/]"}.get(outcome.verdict, "[yellow]N/A[/]")
        actions = [markup_safe(a) for a in outcome.actions[:6]]
        table.add_row(shown(outcome.name), shown(outcome.outcome.replace("_", " ")), lost, back, targets, verdict,
                      "\n".join(actions) + (f"\n(+{len(outcome.actions) - 6} more)" if len(outcome.actions) > 6 else ""))
    console.print(table)
    raise typer.Exit(code)


@dr_app.command("score")
def dr_score(
    ctx: typer.Context,
    app: Optional[list[str]] = typer.Option(None, "--app", help="Only this app (repeatable)."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    db: Optional[Path] = typer.Option(None, "--db", help=DB_HELP),
    scan: Optional[int] = typer.Option(None, "--scan", help=SCAN_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    """DR readiness score (0-100) per app and disruption, with why: passing DR tests within the
    tier's maximum age score full marks, stale passes less, failures less again, never tested
    zero; capped when the estimate misses the target. Exit 1 when an app is below its tier's floor."""
    from drscan.dr.score_output import print_scores, scores_json

    config_path, db_path, scan_id, moment = _common(ctx, config, db, scan, as_of)
    chosen = _guard(lambda: _format(fmt, ("table", "json")))
    report = _guard(lambda: api.scores(config_path, db_path, scan_id, moment, apps=list(app) if app else None))
    code = 1 if any(s.below_floor for s in report.scores.values()) else 0
    if chosen == "json":
        typer.echo(_json(scores_json(report, code)))
    else:
        print_scores(report, make_console(min_width=140))
    raise typer.Exit(code)


@dr_app.command("runbook")
def dr_runbook(
    ctx: typer.Context,
    app: str = typer.Argument(..., help="The app to write the runbook for."),
    disruption: str = typer.Option("region_loss", "--disruption", help="zone_loss, region_loss, provider_loss, data_corruption, "
                                                                       "account_compromise (or zone, region, provider, corruption, account)."),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    db: Optional[Path] = typer.Option(None, "--db", help=DB_HELP),
    scan: Optional[int] = typer.Option(None, "--scan", help=SCAN_HELP),
    fmt: str = typer.Option("md", "--format", help="md (Markdown) or json."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    """Ordered recovery steps for one app (dependencies, keys and network, data, compute, traffic)
    with the command per resource, the expected RPO/RTO and the contacts. Exit 1 when the app
    misses a target for this disruption."""
    config_path, db_path, scan_id, moment = _common(ctx, config, db, scan, as_of)
    chosen = _guard(lambda: _format(fmt, ("md", "json")))
    book = _guard(lambda: api.runbook(config_path, db_path, app, SHORT.get(disruption, disruption), scan_id, moment))
    typer.echo(_json(book.as_dict()) if chosen == "json" else neutralize(book.to_markdown(), multiline=True))
    raise typer.Exit(1 if book.estimate.verdict == FAIL else 0)


@dr_app.command("diagram")
def dr_diagram(
    ctx: typer.Context,
    app: str = typer.Argument(..., help="The app to draw."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write the SVG here (default: stdout)."),
    fail: Optional[list[str]] = typer.Option(None, "--fail", help="Highlight what this simulated failure takes down."),
    config: Optional[Path] = typer.Option(None, "--config", help=CONFIG_HELP),
    db: Optional[Path] = typer.Option(None, "--db", help=DB_HELP),
    scan: Optional[int] = typer.Option(None, "--scan", help=SCAN_HELP),
    as_of: Optional[str] = typer.Option(None, "--as-of", help=AS_OF_HELP),
) -> None:
    """The app's dependency graph as SVG (keys/network, data, compute, traffic; failed and
    at-risk nodes highlighted)."""
    config_path, db_path, scan_id, moment = _common(ctx, config, db, scan, as_of)
    svg = _guard(lambda: api.diagram(config_path, db_path, app, scan_id, moment, list(fail) if fail else None))
    if out is None:
        typer.echo(svg, nl=False)
    else:
        _guard(lambda: _write(out, svg))


def _json(document: dict) -> str:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS, default=str).decode()


def _write(path: Path, text: str) -> None:
    from drscan.outputs import write_atomic

    write_atomic(path, text)
