"""`drscan drill`: restore drills (restore a real backup into a scratch target, time and verify
it, store the record) and their history. A typer sub-app mounted by cli.py; the work is in
drscan.drill.

Exit codes: 0 the drill passed (restore and every --verify/--expect); 1 it failed (a check did
not meet its expectation, or a restore step failed); 2 bad input or a safety refusal (nothing
written); 3 database error; 130 interrupted (scratch target removed, record stored)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from drscan.collect.databases.dsn import scrub
from drscan.drill.model import PASSED, PHASES, Check, DrillRecord, DrillRequest, parse_expectation
from drscan.errors import InputError
from drscan.report.terminal import console as make_console, markup_safe, shown

drill_app = typer.Typer(help="Restore drills: restore a backup into a scratch target, time and verify it, keep the record.",
                        no_args_is_help=True, add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
ENGINES = ("postgres", "mysql")


def _checks(verify: list[str], expect: list[str]) -> tuple[Check, ...]:
    if len(expect) > len(verify):
        raise InputError(f"{len(expect)} --expect for {len(verify)} --verify: each --expect goes with the --verify before it")
    return tuple(Check(q, parse_expectation(expect[i]) if i < len(expect) else None) for i, q in enumerate(verify))


def _store(db: Path, record: DrillRecord) -> DrillRecord:
    from drscan.drill.records import save_drill
    from drscan.store.db import open_db

    handle = open_db(db)
    try:
        return dataclasses.replace(record, id=save_drill(handle, record))
    finally:
        handle.conn.close()


def _seconds(value: float | None) -> str:
    from drscan.dr.copies import human

    return "-" if value is None else human(round(value, 1)) if value >= 120 else f"{value:.2f} s"


def _print(record: DrillRecord) -> None:
    # Backup names, restored values and tool errors are not drscan's text: markup_safe() keeps them inert.
    console = make_console()
    mark = "[bold green]PASSED[/]" if record.status == PASSED else f"[bold red]{markup_safe(record.status.upper())}[/]"
    console.print(f"drill {record.id if record.id is not None else '-'}: {mark}  {markup_safe(record.method)} "
                  f"{markup_safe(record.backup)} -> {markup_safe(record.target)}")
    console.print(f"  backup taken {markup_safe(record.backup_taken_at or 'unknown')}; "
                  f"age {_seconds(record.backup_age_seconds)} (RPO achieved)")
    console.print("  phases: " + ", ".join(f"{p} {_seconds(record.phases[p])}" for p in PHASES if p in record.phases)
                  + f"; restore duration {_seconds(record.restore_duration_seconds)} (RTO measured)")
    for check in record.verification:
        console.print(f"  {'ok  ' if check.ok else 'FAIL'} {markup_safe(check.query)} -> {markup_safe(repr(check.actual))}"
                      + (f" (expected {markup_safe(check.expect)})" if check.expect else "")
                      + (f" {markup_safe(check.error, 1000)}" if check.error else ""))
    if record.error:
        console.print(f"  [red]{markup_safe(record.error, 2000)}[/]")
    console.print(f"  scratch target {'kept' if record.kept else 'removed'}")


@drill_app.command("restore")
def drill_restore(
    engine: str = typer.Argument(..., help="postgres or mysql."),
    source: str = typer.Option(..., "--from", help="Backup to restore: a pg_dump (custom or plain, .sql/.sql.gz/.dump) or mysqldump file, or pgbackrest:<stanza>[@<label>]."),
    target: Optional[str] = typer.Option(None, "--target", help="Scratch database DSN (postgresql://host/drscan_drill_x, mysql://user@host/drscan_drill_x); for pgBackRest a scratch directory (default: a new temporary one)."),
    verify: list[str] = typer.Option([], "--verify", help="Read-only SQL run on the restored data; its first value is compared with the matching --expect (repeatable)."),
    expect: list[str] = typer.Option([], "--expect", help="Expected value of the matching --verify: '>= 1000000', '= 42', '!= 0' (repeatable)."),
    app: Optional[str] = typer.Option(None, "--app", help="Application the drill is evidence for (as in drscan.yaml)."),
    db: Path = typer.Option(Path("drscan.db"), "--db", help="SQLite history the drill record is stored in."),
    allow_target_name: bool = typer.Option(False, "--allow-target-name", help="Allow a target whose name does not start with drscan_drill_."),
    replace: bool = typer.Option(False, "--replace", help="Drop and recreate the target if it already exists."),
    keep: bool = typer.Option(False, "--keep", help="Keep the restored scratch target (default: removed afterwards)."),
    os_user: Optional[str] = typer.Option(None, "--os-user", help="pgBackRest drills run as root: run pgbackrest and pg_ctl as this user (e.g. postgres)."),
    pgbackrest_config: Optional[Path] = typer.Option(None, "--pgbackrest-config", help="pgbackrest.conf of the stanza (default: pgBackRest's own)."),
    pg_bin: Optional[Path] = typer.Option(None, "--pg-bin", help="Directory of pg_restore/psql/pg_ctl (default: PATH, then the newest /usr/lib/postgresql/*/bin)."),
    timeout: float = typer.Option(21600, "--timeout", help="Upper bound in seconds for the restore step."),
    as_json: bool = typer.Option(False, "--json", help="Print the drill record as JSON."),
) -> None:
    """Restore a backup into a scratch target, time fetch/restore/start/verify, check --verify
    against --expect, store the record (backup age = RPO achieved, restore duration = RTO
    measured) and remove the scratch target."""
    from drscan.drill.run import DrillAborted, run_drill

    if engine not in ENGINES:
        raise InputError(f"engine must be postgres or mysql, got {engine!r}")
    if source.startswith("pgbackrest:") and engine != "postgres":
        raise InputError("pgbackrest: backups restore with `drscan drill restore postgres`")
    request = DrillRequest(engine=engine, source=source, target=target, checks=_checks(verify, expect), app=app,
                           allow_target_name=allow_target_name, replace=replace, keep=keep, os_user=os_user,
                           pgbackrest_config=pgbackrest_config, pg_bin=pg_bin, timeout_seconds=timeout)
    progress = make_console(stderr=True)
    try:
        record = run_drill(request, on_phase=None if as_json else lambda phase: progress.print(f"drill: {phase}...", style="dim"))
    except DrillAborted as aborted:
        stored = _store(db, _scrubbed(aborted.record, target))
        progress.print(f"drscan: drill interrupted; scratch target {'kept' if keep else 'removed'}; record {stored.id} stored")
        raise typer.Exit(130) from None
    record = _store(db, _scrubbed(record, target))
    if as_json:
        typer.echo(json.dumps(record.as_dict(), indent=2, default=str))
    else:
        _print(record)
    raise typer.Exit(0 if record.status == PASSED else 1)


def _scrubbed(record: DrillRecord, target: str | None) -> DrillRecord:
    if not target or not record.error:
        return record
    return dataclasses.replace(record, error=scrub(record.error, target))


@drill_app.command("list")
def drill_list(
    db: Path = typer.Option(Path("drscan.db"), "--db", help="SQLite history."),
    app: Optional[str] = typer.Option(None, "--app", help="Only drills of this app."),
    last: int = typer.Option(50, "--last", help="How many recent drills."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Past drills: when, which backup (and its age), phase timings, verification, status."""
    from drscan.drill.records import list_drills
    from drscan.store.db import reading

    if not db.exists():
        raise InputError(f"{db}: no such database (drscan drill restore --db {db} stores drills there)")
    with reading(db) as handle:  # read only; a schema 1 file has no drills yet
        rows = list_drills(handle, app, last) if handle["drills"].exists() else []
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=shown(f"{len(rows)} drills in {db}"))
    for column in ("Id", "Finished", "App", "Status", "Backup", "Backup age", *[p.title() for p in PHASES], "RTO measured", "Checks"):
        table.add_column(column, overflow="fold")
    for row in rows:
        phases = row["phases"] or {}
        checks = row["verification"] or []
        table.add_row(str(row["id"]), shown(row["finished_at"]), shown(row["app"] or "-"), shown(row["status"]), shown(row["backup"]),
                      _seconds(row["backup_age_seconds"]), *[_seconds(phases.get(p)) for p in PHASES],
                      _seconds(row["restore_duration_seconds"]),
                      f"{sum(1 for c in checks if c['ok'])}/{len(checks)} ok" if checks else "-")
    make_console(min_width=160).print(table)
