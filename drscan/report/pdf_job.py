"""report.pdf laid out in a forked process while this one goes on with the other reports.

WeasyPrint lays pages out in pure Python, so the PDF holds one core for most of a report's time.
With two or more cores, a fork renders it beside the HTML, JSON and CSV (and an evidence pack's
other files). The child reports its progress over a pipe, which this process replays on its own
display once its other work is done, and hands the PDF back in a temporary file. Where fork is
not available (Windows) or there is one core, the PDF is rendered in this process, as it is when
the child fails: rendering again here raises the real error where the caller handles it."""

from __future__ import annotations

import os
import queue
import signal
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any, Callable

Render = Callable[[Any], bytes]  # progress (api.Progress) -> the PDF
WAIT_S = 0.5  # how often a wait for the child's next message checks that the child is still alive


def can_fork() -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


class _PipeProgress:
    """The child's progress display: one line per call, replayed by the parent."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def _send(self, *parts: str) -> None:
        os.write(self.fd, ("\t".join(part.replace("\t", " ").replace("\n", " ") for part in parts) + "\n").encode())

    def stage(self, name: str, total: int | None = None) -> None:
        self._send("stage", name, "" if total is None else str(total))

    def advance(self, amount: int = 1) -> None:
        self._send("advance", str(amount))

    def note(self, text: str) -> None:
        self._send("note", text)


class PdfJob:
    """One PDF being rendered: `start` it, do other work, then `result(progress)` waits for its
    bytes. `cancel()` (always safe) stops a child whose result is no longer wanted."""

    def __init__(self, render: Render) -> None:
        self._render = render
        self._pid: int | None = None
        self._out: Path | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    @classmethod
    def start(cls, render: Render, *, fork: bool | None = None) -> "PdfJob":
        job = cls(render)
        if fork if fork is not None else can_fork():
            job._fork()
        return job

    @property
    def forked(self) -> bool:
        return self._pid is not None

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs (or has not been waited for); None otherwise."""
        return self._pid

    def _fork(self) -> None:
        handle, name = tempfile.mkstemp(prefix="drscan-", suffix=".pdf")
        os.close(handle)
        read_fd, write_fd = os.pipe()
        with warnings.catch_warnings():  # Python 3.12+ warns when a process with threads forks: the
            warnings.simplefilter("ignore", DeprecationWarning)  # child uses only this thread's state
            pid = os.fork()
        if pid == 0:  # the child: render, write the file, say so, and leave without running any cleanup
            code = 1
            try:
                os.close(read_fd)
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child; the parent reports it
                Path(name).write_bytes(self._render(_PipeProgress(write_fd)))
                os.write(write_fd, b"done\n")
                code = 0
            except BaseException:  # noqa: BLE001 - the parent renders again and reports the error itself
                pass
            finally:
                os._exit(code)
        os.close(write_fd)
        self._pid, self._out = pid, Path(name)
        threading.Thread(target=self._read, args=(read_fd,), name="drscan-pdf-progress", daemon=True).start()

    def _read(self, fd: int) -> None:
        """Collects the child's lines as they come, so its writes never block on a full pipe."""
        with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as pipe:
            for line in pipe:
                self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def result(self, progress: Any = None) -> bytes:
        """The PDF; with `progress` (api.Progress), the child's stages and pages shown on it."""
        if self._pid is None:
            return self._render(progress)
        done = False
        while True:
            try:
                line = self._lines.get(timeout=WAIT_S)
            except queue.Empty:
                continue  # the pipe closes when the child exits, however it exits
            if line is None:
                break
            kind, _, rest = line.partition("\t")
            if kind == "done":
                done = True
            elif progress is None:
                continue
            elif kind == "stage":
                name, _, total = rest.partition("\t")
                progress.stage(name, int(total) if total else None)
            elif kind == "advance":
                progress.advance(int(rest or 1))
            elif kind == "note":
                progress.note(rest)
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        out, self._out = self._out, None
        try:
            if done and os.waitstatus_to_exitcode(status) == 0:
                return out.read_bytes()
        finally:
            out.unlink(missing_ok=True)
        return self._render(progress)  # the child failed: the same work here raises its error

    def cancel(self) -> None:
        if self._pid is not None:
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self._pid, 0)
            self._pid = None
        if self._out is not None:
            self._out.unlink(missing_ok=True)
            self._out = None
