"""Exit codes mean one thing each: a crash is 70 with one redacted line (the traceback only with
--debug or DRSCAN_DEBUG=1), never 1 ("the gate failed"); usage errors stay 2, an interrupt 130;
and the entry point handles this for every command, `dr` subcommands included."""

from __future__ import annotations

import functools

import pytest
import typer.main

from drscan.cli import app
from drscan.cli_exit import DEBUG_HINT, MAX_INTERNAL_MESSAGE
from drscan.errors import INTERNAL_ERROR_EXIT, StoreError
from tests.conftest import invoke_drscan, run_drscan

SECRET = "AKIAIOSFODNN7EXAMPLE"


def _command_paths() -> list[tuple[str, ...]]:
    """Every command of the real CLI, with a placeholder for each required parameter."""
    paths = []

    def walk(command, path):
        subcommands = getattr(command, "commands", None)
        args = []
        for param in command.params:
            if param.required:
                args += ["x"] if param.param_type_name == "argument" else [param.opts[0], "x"]
        if path and command.callback is not None:  # `rules` alone only prints its help
            paths.append((*path, *args))
        for name, sub in (subcommands or {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def _callback_holder(path: tuple[str, ...]):
    """The typer info object whose .callback runs for `path` (the command, or the dr group callback)."""
    group, rest = app, list(path)
    while True:
        name = rest.pop(0)
        for info in group.registered_commands:
            if (info.name or info.callback.__name__.replace("_", "-")) == name or info.callback.__name__ == name:
                return info
        sub = next(g for g in group.registered_groups if g.name == name)
        if not rest or rest[0].startswith("-") or rest[0] == "x":
            return sub.typer_instance.registered_callback
        group = sub.typer_instance


def _crash_with(monkeypatch, path: tuple[str, ...], error: BaseException) -> None:
    holder = _callback_holder(path)
    original = holder.callback

    @functools.wraps(original)  # same signature, so the command parses its options as before
    def crashing(*args, **kwargs):
        raise error

    monkeypatch.setattr(holder, "callback", crashing)


COMMANDS = _command_paths()


def test_every_command_is_covered():
    names = {" ".join(p for p in path if p != "x" and not p.startswith("-")) for path in COMMANDS}
    assert {"scan", "history", "diff", "plan", "drift", "keygen", "pack", "verify", "controls", "permissions",
            "rules list", "dr", "dr simulate", "dr runbook", "dr diagram"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: "-".join(x for x in p if x != "x" and not x.startswith("-")))
def test_an_unforeseen_exception_in_any_command_exits_70_with_one_redacted_line(monkeypatch, path):
    monkeypatch.delenv("DRSCAN_DEBUG", raising=False)
    _crash_with(monkeypatch, path, TypeError(f"Integer exceeds 64-bit range\nkey {SECRET} " + "x" * 5000))
    code, _, err = invoke_drscan(*path)
    assert code == INTERNAL_ERROR_EXIT, err
    lines = err.splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert lines[0].startswith("drscan: internal error: TypeError: Integer exceeds 64-bit range key [REDACTED] x")
    assert lines[0].endswith(f"; {DEBUG_HINT}") and SECRET not in err
    assert len(lines[0]) < MAX_INTERNAL_MESSAGE + 100


@pytest.mark.parametrize("switch", ["option", "environment"])
def test_debug_prints_the_traceback_before_the_line(monkeypatch, switch):
    monkeypatch.delenv("DRSCAN_DEBUG", raising=False)
    if switch == "environment":
        monkeypatch.setenv("DRSCAN_DEBUG", "1")
    _crash_with(monkeypatch, ("dr", "simulate", "--fail", "x"), ZeroDivisionError("division by zero"))
    argv = ("--debug",) * (switch == "option") + ("dr", "simulate", "--fail", "zone:x")
    code, _, err = invoke_drscan(*argv)
    assert code == INTERNAL_ERROR_EXIT
    assert err.startswith("Traceback (most recent call last):") and "in crashing" in err
    assert err.rstrip().splitlines()[-1].startswith("drscan: internal error: ZeroDivisionError: division by zero;")


def test_a_drscan_error_keeps_its_own_code_and_one_line(monkeypatch):
    _crash_with(monkeypatch, ("history",), StoreError("drscan.db: the database is damaged\n(second line)"))
    code, _, err = invoke_drscan("history")
    assert code == 3 and err.splitlines() == ["drscan: error: drscan.db: the database is damaged (second line)"]


@pytest.mark.parametrize("path", [("dr", "runbook", "x"), ("scan",), ("verify", "x", "--public-key", "x")])
def test_keyboard_interrupt_exits_130(monkeypatch, path):
    _crash_with(monkeypatch, path, KeyboardInterrupt())
    code, _, err = invoke_drscan(*path)
    assert code == 130 and "interrupted" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ("scan", "--no-such-flag"), ("nosuchcommand",), ("dr", "simulate"), ("dr", "runbook"), ("history", "--last", "x"),
    ("verify",), ("dr", "--bogus"), ("rules", "list", "--kind"),
])
def test_usage_errors_stay_exit_2(argv):
    code, _, err = invoke_drscan(*argv)
    assert code == 2 and "Traceback" not in err and "Error: " in err


def test_a_closed_output_pipe_exits_141_without_a_traceback(monkeypatch):
    _crash_with(monkeypatch, ("history",), BrokenPipeError(32, "Broken pipe"))
    code, _, err = invoke_drscan("history")
    assert code == 141 and err == ""


def test_the_console_script_maps_a_crash_to_70_and_prints_the_traceback_with_debug(tmp_path):
    """The installed entry point, in a fresh interpreter: an exception from deep inside a command."""
    crash = ("import sys, drscan.api, drscan.cli\n"
             "def boom(*a, **k): raise RuntimeError('stored value password=' + 'hunter2hunter2')\n"
             "drscan.api.history = boom\n"
             "drscan.cli.main(sys.argv[1:])\n")
    script = tmp_path / "crash.py"
    script.write_text(crash)
    import subprocess
    import sys

    plain = subprocess.run([sys.executable, str(script), "history"], capture_output=True, text=True, timeout=120,
                           env={"PATH": "/usr/bin:/bin"})
    assert plain.returncode == 70
    assert plain.stderr.splitlines() == ["drscan: internal error: RuntimeError: stored value password=[REDACTED]; " + DEBUG_HINT]
    debug = subprocess.run([sys.executable, str(script), "history"], capture_output=True, text=True, timeout=120,
                           env={"PATH": "/usr/bin:/bin", "DRSCAN_DEBUG": "1"})
    assert debug.returncode == 70 and "Traceback" in debug.stderr and "in boom" in debug.stderr


def test_version_and_help_exit_0():
    assert run_drscan("--version").returncode == 0
    code, out, _ = invoke_drscan("--help")
    assert code == 0 and "--debug" in out
