"""Child processes of a drill (pg_restore, psql, mysql, pgbackrest, pg_ctl): bounded in time,
fed from a stream when needed, and killed when the drill is interrupted so the scratch target
can be dropped."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Iterable

from drscan.errors import DrscanError, InputError


class DrillStepError(DrscanError):
    """A restore step failed (the drill is recorded as an error)."""

    exit_code = 1


class Children:
    """The running child processes; `terminate_all` is called when the drill stops early."""

    def __init__(self, os_user: str | None = None):
        self.os_user = os_user
        self._running: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def command(self, argv: list[str], as_os_user: bool = False) -> list[str]:
        if as_os_user and self.os_user and os.geteuid() == 0:
            return ["runuser", "-u", self.os_user, "--"] + argv
        return argv

    def run(self, argv: list[str], *, env: dict | None = None, stdin: Iterable[bytes] | None = None, timeout: float = 600,
            what: str = "", as_os_user: bool = False) -> str:
        """Run to completion (stdin streamed from an iterable of chunks); stdout text. Non-zero exit:
        DrillStepError with the end of stderr."""
        argv = self.command(argv, as_os_user)
        try:
            process = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise InputError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
        with self._lock:
            self._running.append(process)
        out: list[bytes] = []
        err: list[bytes] = []
        readers = [threading.Thread(target=lambda: out.append(process.stdout.read()), daemon=True),
                   threading.Thread(target=lambda: err.append(process.stderr.read()), daemon=True)]
        for reader in readers:
            reader.start()
        deadline = time.monotonic() + timeout
        try:
            if stdin is not None:
                try:
                    for chunk in stdin:
                        if time.monotonic() > deadline:
                            raise DrillStepError(f"{what or argv[0]}: timed out after {timeout:g} s")
                        process.stdin.write(chunk)
                except BrokenPipeError:
                    pass  # the program stopped reading: its exit status and stderr say why
                finally:
                    try:
                        process.stdin.close()
                    except BrokenPipeError:
                        pass
            try:
                process.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise DrillStepError(f"{what or argv[0]}: timed out after {timeout:g} s") from None
        except BaseException:
            self._kill(process)
            raise
        finally:
            for reader in readers:
                reader.join(timeout=10)
            with self._lock:
                if process in self._running:
                    self._running.remove(process)
        if process.returncode != 0:
            tail = b"".join(err).decode("utf-8", "replace").strip()[-800:]
            raise DrillStepError(f"{what or argv[0]} exited {process.returncode}: {tail}")
        return b"".join(out).decode("utf-8", "replace")

    @staticmethod
    def _kill(process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def terminate_all(self) -> None:
        with self._lock:
            running = list(self._running)
        for process in running:
            self._kill(process)


def find_program(name: str, pg_bin: Path | None = None) -> str:
    """A client program: in --pg-bin, on PATH, or in the newest /usr/lib/postgresql/*/bin."""
    if pg_bin is not None:
        candidate = pg_bin / name
        if candidate.exists():
            return str(candidate)
        raise InputError(f"--pg-bin {pg_bin}: no {name} there")
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[4]) if p.parts[4].isdigit() else 0)
    if versions:
        return str(versions[-1])
    raise InputError(f"{name} not found: install the database client tools (or give --pg-bin)")


def version_of(argv: list[str]) -> str:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (result.stdout or result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr).strip() else "unknown"
