"""The command line's outer edge: run the typer app and turn every outcome into one exit code
and one line on stderr (plus the traceback with --debug). cli.main calls run(); the exit codes
are listed in README "Exit codes"."""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any, Mapping, Sequence

import typer

from drscan.errors import INTERNAL_ERROR_EXIT, DrscanError
from drscan.redact import redact_text
from drscan.report.terminal import console, shown
from drscan.safe_text import neutralize

USAGE_EXIT = 2
INTERRUPTED_EXIT = 130
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for `drscan history | head` without Python
MAX_INTERNAL_MESSAGE = 200
ERROR_LIMIT = 2000  # characters of a DrscanError message (they name files and keys, not values)
DEBUG_HINT = "rerun with --debug for the traceback"
_TRUE = {"1", "true", "yes", "on"}


def debug_from_environment(environ: Mapping[str, str]) -> bool:
    return environ.get("DRSCAN_DEBUG", "").strip().lower() in _TRUE


def one_line(text: str, limit: int | None = None) -> str:
    """`text` on one printable line: line breaks become spaces, control and bidi characters are
    shown as escapes (\\x1b, \\u202e), and the result is cut at `limit` characters."""
    flat = neutralize(" ".join(part.strip() for part in str(text).splitlines() if part.strip()))
    shown = "".join(char if char.isprintable() else f"\\u{ord(char):04x}" for char in flat)  # what neutralize keeps
    if limit is not None and len(shown) > limit:
        shown = shown[: limit - 3] + "..."
    return shown


def internal_error_line(exc: BaseException) -> str:
    """'drscan: internal error: TypeError: <message>; rerun with --debug ...'. The message may
    quote input (an exception text often does), so credential-like parts are redacted first."""
    message = one_line(redact_text(str(exc)), MAX_INTERNAL_MESSAGE)
    described = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return f"drscan: internal error: {described}; {DEBUG_HINT}"


def _click_types(name: str) -> tuple[type, ...]:
    """`name` (ClickException or Abort) from click and from the copy typer >= 0.20 vendors."""
    found = []
    for module in ("click.exceptions", "typer._click.exceptions"):
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def print_error(exc: DrscanError) -> None:
    """'drscan: error: <message>' on one line of stderr: inert (no markup, no control characters)
    and cut to ERROR_LIMIT characters."""
    console(stderr=True, soft_wrap=True).print("[bold red]drscan: error:[/]", shown(one_line(str(exc)), ERROR_LIMIT))


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run(app: Any, argv: Sequence[str] | None = None) -> int:
    """Run the typer `app` on `argv` (default sys.argv[1:]) and return the exit code:
    the command's own (0 or 1), 2 usage/input/output path, 3 database, 70 internal error,
    130 interrupted, 141 output pipe closed."""
    state: dict[str, Any] = {"debug": debug_from_environment(os.environ)}
    usage_errors, aborts = _click_types("ClickException"), (typer.Abort, *_click_types("Abort"))
    try:
        code = app(args=list(argv) if argv is not None else None, obj=state, standalone_mode=False, prog_name="drscan")
    except DrscanError as exc:
        if state["debug"]:
            traceback.print_exception(exc)
        print_error(exc)
        return exc.exit_code
    except (KeyboardInterrupt, *aborts):
        code = INTERRUPTED_EXIT
    except usage_errors as exc:
        exc.show()
        return exc.exit_code if exc.exit_code not in (0, 1) else USAGE_EXIT
    except BrokenPipeError:
        _silence_stdout()
        return BROKEN_PIPE_EXIT
    except SystemExit as exc:
        if isinstance(exc.__context__, BrokenPipeError):  # click turns EPIPE into sys.exit(1)
            _silence_stdout()
            return BROKEN_PIPE_EXIT
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else USAGE_EXIT)
    except Exception as exc:  # the one place every unforeseen failure ends up; noqa: BLE001
        if state["debug"]:
            traceback.print_exception(exc)
        print(internal_error_line(exc), file=sys.stderr)
        return INTERNAL_ERROR_EXIT
    if code == INTERRUPTED_EXIT:  # typer turns KeyboardInterrupt into Exit(130)
        print("drscan: interrupted; nothing of an unfinished scan is stored", file=sys.stderr)
    return code if isinstance(code, int) else 0
