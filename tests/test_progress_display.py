"""The terminal progress display tells the truth: finished stages show done with the time they
took (their clock stops), counted stages advance. Driven with a fake clock and rendered by rich
onto a terminal console; the assertions read the rendered text."""

from __future__ import annotations

import io
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from drscan.cli_progress import RichProgress, progress_bar

REPO = Path(__file__).resolve().parents[1]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def rendered(bar, console: Console) -> dict[str, str]:
    """Each stage's line as the terminal shows it, keyed by its description."""
    console.file.seek(0)
    console.file.truncate()
    console.print(bar.get_renderable())
    lines = [line.rstrip() for line in console.file.getvalue().splitlines() if line.strip()]
    return {name: next(line for line in lines if name in line) for name in [t.description for t in bar.tasks]}


def test_finished_stages_show_done_with_their_time_and_their_clock_stops():
    clock = Clock()
    console = Console(file=io.StringIO(), force_terminal=True, color_system=None, width=110)
    bar = progress_bar(console, get_time=clock, auto_refresh=False)
    progress = RichProgress(bar)
    progress.stage("Building dependency graph")  # no total: it used to stay "0/1" and keep counting
    clock.now += 2
    progress.stage("Storing scan")
    clock.now += 3
    progress.stage("Evaluating rules", total=10)
    progress.advance(5000)  # the evaluator advances in chunks larger than the stage
    clock.now += 1
    progress.stage("Laying out report.pdf pages")
    progress.advance(1)
    progress.advance(1)
    progress.advance(1)
    clock.now += 40  # a long stage later: the finished stages' clocks must not move

    lines = rendered(bar, console)
    assert re.search(r"✓ Building dependency graph .* done 0:00:02$", lines["Building dependency graph"])
    assert re.search(r"✓ Storing scan .* done 0:00:03$", lines["Storing scan"])
    assert re.search(r"✓ Evaluating rules .* done 0:00:01$", lines["Evaluating rules"])
    assert "0/1" not in "\n".join(lines.values())
    pages = lines["Laying out report.pdf pages"]
    assert "✓" not in pages and "done" not in pages
    assert re.search(r"Laying out report\.pdf pages .* 3 +0:00:40$", pages)  # the count advances, the clock runs


def test_drawing_stage_advances_page_by_page():
    clock = Clock()
    console = Console(file=io.StringIO(), force_terminal=True, color_system=None, width=110)
    bar = progress_bar(console, get_time=clock, auto_refresh=False)
    progress = RichProgress(bar)
    progress.stage("Drawing report.pdf pages", total=12)
    for _ in range(7):
        progress.advance(1)
    assert re.search(r"Drawing report\.pdf pages .* 7/12 ", rendered(bar, console)["Drawing report.pdf pages"])
    progress.finish()
    assert "done" in rendered(bar, console)["Drawing report.pdf pages"]


def test_scan_in_a_terminal_shows_each_finished_stage_done(tmp_path):
    """The real CLI under a pseudo-terminal: the last frame before the display is erased has every
    stage done (nothing left spinning at 0/1), including the PDF's pages."""
    main, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "140", "LINES": "40", "TERM": "xterm"}
    env.pop("CI", None)
    proc = subprocess.Popen([sys.executable, "-m", "drscan.cli", "scan", "--import", str(REPO / "samples" / "acme"),
                             "--config", str(REPO / "samples" / "acme" / "drscan.yaml"), "--db", str(tmp_path / "d.db"),
                             "--out", str(tmp_path / "out"), "--format", "json,pdf"],
                            stdin=child, stdout=subprocess.DEVNULL, stderr=child, env=env, cwd=tmp_path)
    os.close(child)
    chunks = []
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 1.0)
            if ready:
                try:
                    data = os.read(main, 65536)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
    finally:
        proc.kill() if proc.poll() is None else None
        proc.wait(timeout=30)
        os.close(main)
    assert proc.returncode == 1  # the sample fails its gate
    text = re.sub(r"\x1b\[[0-9;]*m", "", b"".join(chunks).decode("utf-8", "replace"))  # colours
    screen = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "\n", text)  # cursor moves and line erases end a line
    lines = [line.strip() for line in screen.replace("\r", "\n").splitlines() if line.strip()]
    for stage in ("Importing exports", "Building dependency graph", "Evaluating rules", "Storing scan",
                  "Writing findings.json", "Laying out report.pdf pages", "Drawing report.pdf pages"):
        shown = [line for line in lines if stage in line]
        assert shown, stage
        assert re.search(r"done \d+:\d\d:\d\d$", shown[-1]), shown[-1]  # its last state: done, with its time
    assert not any(re.search(r"(graph|Storing scan) .*0/1", line) for line in lines)
    drawn = [int(m.group(1)) for line in lines for m in [re.search(r"Drawing report\.pdf pages .* (\d+)/\d+ ", line)] if m]
    laid = [line for line in lines if "Laying out report.pdf pages" in line and "done" not in line]
    assert drawn or laid  # the PDF stage showed its pages advancing, not a frozen count
