"""Command line: parse arguments, call drscan.api, print, and map errors to exit codes.

Exit codes: 0 nothing at or above --fail-on failed; 1 failing findings at or above --fail-on;
2 usage or input error (bad flag, malformed export, invalid config or rule); 3 database error;
130 interrupted."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from drscan import __version__, api
from drscan.config import load_config
from drscan.errors import DrscanError, InputError
from drscan.report.catalogue import catalogue_markdown
from drscan.report.coverage import control_statuses
from drscan.report.terminal import print_summary

app = typer.Typer(help="Compliance and disaster-recovery readiness auditor for AWS, GCP and Azure.",
                  no_args_is_help=True, add_completion=False, rich_markup_mode=None,
                  pretty_exceptions_enable=False)  # pretty tracebacks print local variables, which may hold secrets
rules_app = typer.Typer(help="Inspect the rule catalogue.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


class RichProgress:
    """api.Progress on a rich progress bar (stderr), one task per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self.task is not None:
            current = self.progress.tasks[self.task]
            self.progress.update(self.task, completed=current.total or current.completed, total=current.total or current.completed or 1)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"drscan {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """drscan: collect -> graph -> evaluate -> store -> report."""


@app.command()
def scan(
    import_dir: Path = typer.Option(..., "--import", help="Directory (or file) of exports: AWS Config, IAM credential report, GCP Cloud Asset, Azure Resource Graph."),
    config: Optional[Path] = typer.Option(None, "--config", help="drscan.yaml: organization, scope, applications."),
    db: Optional[Path] = typer.Option(None, "--db", help="SQLite database that keeps every scan."),
    out: Optional[Path] = typer.Option(None, "--out", help="Directory for findings.json, findings.csv, report.html, report.pdf."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 if a finding of this severity or worse fails: critical, high, medium, low, info, none. Default: config's fail_on, else high."),
    formats: str = typer.Option(",".join(api.REPORT_FORMATS), "--format", help="Comma-separated report formats to write with --out."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Evaluate ages (key rotation, recovery points) as of this ISO time instead of now."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress or summary; only errors."),
) -> None:
    """Import exports, evaluate every rule, store the scan and write reports."""
    console = Console(stderr=False)
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True, disable=quiet) as bar:
        result = api.scan(import_dir, config_path=config, db_path=db, out_dir=out, fail_on=fail_on, formats=chosen,
                          as_of=api.parse_as_of(as_of), progress=RichProgress(bar))
    if not quiet:
        print_summary(result.context, console)
        for name, path in result.reports.items():
            console.print(f"  wrote {name:<4} {path}")
    raise typer.Exit(result.exit_code)


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
                                "category": r.category, "kinds": list(r.kinds), "controls": list(r.controls)}
                               for r in chosen], indent=2))
        return
    table = Table(title=f"{len(chosen)} rules")
    for column in ("ID", "Title", "Severity", "Category", "Kinds", "Controls"):
        table.add_column(column, overflow="fold")
    for r in chosen:
        table.add_row(r.id, r.title, r.severity, r.category, ", ".join(r.kinds), ", ".join(r.controls))
    Console(width=max(Console().width, 160)).print(table)


@app.command()
def controls(
    framework: str = typer.Option(..., "--framework", help="Catalogue id, e.g. iso27001-2022 or soc2."),
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
    table = Table(title=f"{catalogue.title}: {len(statuses)} controls · {counts['automated']} automated · "
                        f"{counts['manual']} manual · {counts['not_covered']} not covered")
    for column in ("Control", "Title", "Coverage", "Rules"):
        table.add_column(column, overflow="fold")
    for s in statuses:
        style = {"automated": "green", "manual": "cyan", "not_covered": "yellow"}[s.coverage]
        table.add_row(s.control.id, s.control.title, f"[{style}]{s.coverage}[/]", ", ".join(s.rules))
    Console(width=max(Console().width, 140)).print(table)


def main() -> None:
    """Console entry point. Usage errors exit 2 (click); drscan errors exit with their code."""
    try:
        app()
    except DrscanError as exc:
        console = Console(stderr=True, soft_wrap=True, highlight=False)
        console.print("[bold red]drscan: error:[/]", str(exc).replace("[", "\\["))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        Console(stderr=True).print("drscan: interrupted; nothing was stored for this scan")
        sys.exit(130)


if __name__ == "__main__":
    main()
