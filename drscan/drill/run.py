"""Run one restore drill: fetch -> (prepare scratch target) -> restore -> start -> verify, each
phase timed; the scratch target is removed in `finally` (also on failure, Ctrl-C and SIGTERM)
unless --keep. Returns the DrillRecord; storing it is the caller's (drill.records)."""

from __future__ import annotations

import signal
import socket
import time
from datetime import datetime, timezone
from typing import Any, Callable

from drscan.drill.model import ERROR, FAILED, INTERRUPTED, PASSED, BackupInfo, CheckResult, DrillRecord, DrillRequest
from drscan.drill.process import Children, DrillStepError
from drscan.errors import DrscanError, InputError


class DrillInterrupted(KeyboardInterrupt):
    """SIGTERM / SIGHUP during a drill: unwind like Ctrl-C so the scratch target is removed."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_drill(request: DrillRequest, children: Children):
    if request.engine == "postgres":
        from drscan.drill.postgres import PgBackRestDrill, PostgresDumpDrill

        return PgBackRestDrill(request, children) if request.source.startswith("pgbackrest:") else PostgresDumpDrill(request, children)
    if request.engine == "mysql":
        from drscan.drill.mysql import MysqlDumpDrill

        return MysqlDumpDrill(request, children)
    raise InputError(f"unknown engine {request.engine!r}: postgres or mysql")


def _age(backup: BackupInfo | None, at: datetime) -> float | None:
    if backup is None or not backup.taken_at:
        return None
    taken = datetime.fromisoformat(backup.taken_at.replace("Z", "+00:00"))
    return max(0.0, (at - taken).total_seconds())


def _verify(drill: Any, request: DrillRequest) -> tuple[CheckResult, ...]:
    results = []
    for check in request.checks:
        mark = time.perf_counter()
        try:
            actual = drill.query(check.query)
        except DrscanError:
            raise
        except Exception as exc:  # noqa: BLE001 (the query's failure is the check's result, recorded)
            results.append(CheckResult(check.query, str(check.expect) if check.expect else None, None, False,
                                       f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"[:300],
                                       time.perf_counter() - mark))
            continue
        ok = check.expect.check(actual) if check.expect else True
        results.append(CheckResult(check.query, str(check.expect) if check.expect else None, actual, ok, None,
                                   time.perf_counter() - mark))
    return tuple(results)


def run_drill(request: DrillRequest, on_phase: Callable[[str], None] | None = None) -> DrillRecord:
    """Safety refusals (target name, existing target, bad backup) raise InputError before anything
    is written; everything after that yields a record, whose status says how it went."""
    children = Children(request.os_user)
    drill = make_drill(request, children)
    phases: dict[str, float] = {}
    started = _now()
    backup: BackupInfo | None = None
    results: tuple[CheckResult, ...] = ()
    status, error, versions = PASSED, None, {}
    previous = {}
    leftover: list[str] = []  # a scratch target that could not be removed is said loudly in the record

    def interrupted(signum, _frame):
        raise DrillInterrupted(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[sig] = signal.signal(sig, interrupted)
        except ValueError:
            pass  # not the main thread (library use): Ctrl-C and finally still clean up

    def timed(name: str, work: Callable[[], Any]) -> Any:
        if on_phase:
            on_phase(name)
        mark = time.perf_counter()
        try:
            return work()
        finally:
            phases[name] = time.perf_counter() - mark

    try:
        try:
            backup = timed("fetch", drill.fetch)
            drill.prepare()  # refusals (existing target) are input errors: nothing written, nothing recorded
            timed("restore", lambda: drill.restore(backup))
            timed("start", drill.start)
            results = timed("verify", lambda: _verify(drill, request))
            versions = drill.versions()
            if not all(r.ok for r in results):
                status = FAILED
        except InputError:
            raise
        except DrillStepError as exc:
            status, error = ERROR, str(exc)
        except KeyboardInterrupt:
            status, error = INTERRUPTED, "interrupted; scratch target removed" if not request.keep else "interrupted"
            raise
        finally:
            children.terminate_all()
            if not request.keep:
                try:
                    drill.cleanup()
                except Exception as exc:  # noqa: BLE001 (must not hide the drill's own outcome)
                    leftover.append(f"scratch target {drill.target_description} NOT removed: {type(exc).__name__}: {exc}"[:400])
    except KeyboardInterrupt:
        record = _record(request, drill, backup, started, phases, results, INTERRUPTED,
                         "; ".join([error or "interrupted"] + leftover), versions)
        raise DrillAborted(record) from None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if leftover:
        status, error = ERROR, "; ".join(([error] if error else []) + leftover)
    return _record(request, drill, backup, started, phases, results, status, error, versions)


class DrillAborted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM: the scratch target was removed; `record` is what the drill got to."""

    def __init__(self, record: DrillRecord):
        super().__init__("drill interrupted")
        self.record = record


def _record(request: DrillRequest, drill: Any, backup: BackupInfo | None, started: datetime, phases: dict[str, float],
            results: tuple[CheckResult, ...], status: str, error: str | None, versions: dict[str, str]) -> DrillRecord:
    complete = status in (PASSED, FAILED)
    return DrillRecord(
        app=request.app, engine=request.engine, method=backup.method if backup else "", backup=backup.description if backup else request.source,
        backup_sha256=backup.sha256 if backup else None, backup_taken_at=backup.taken_at if backup else None,
        backup_age_seconds=_age(backup, started), started_at=_iso(started), finished_at=_iso(_now()), status=status,
        phases=phases, restore_duration_seconds=sum(phases.values()) if complete else None, verification=results,
        tool_versions=versions, host=socket.gethostname(), target=drill.target_description, kept=request.keep, error=error)
