"""The terminal's progress display (the CLI's edge of collect -> ... -> report): api.Progress as
one line per stage on stderr. A finished stage shows a tick, "done" and the time it took (its
clock stops); a stage with a total shows N/M; one without shows what it has counted so far
(pages laid out) and a moving bar."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text


class StageCount(ProgressColumn):
    """'done' once a stage finished, 'N/M' while it has a total, the count so far without one."""

    def render(self, task: Task) -> Text:
        if task.finished:
            return Text("done", style="green")
        if task.total is None:
            return Text(f"{int(task.completed)}" if task.completed else "")
        return Text(f"{int(task.completed)}/{int(task.total)}")


class RichProgress:
    """api.Progress on a rich progress bar, one task per stage; starting a stage finishes the
    previous one (its count set to its total, its clock stopped)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = None
        self.name = ""

    def note(self, text: str) -> None:
        if self.task is not None:
            self.progress.update(self.task, description=f"{self.name} ({text})")

    def stage(self, name: str, total: int | None = None) -> None:
        self.finish()
        self.name = name
        self.task = self.progress.add_task(name, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is None:
            return
        task = self._current()
        if task.total is not None and task.completed + amount >= task.total:
            # rich stops a task's clock once its count reaches the total; a stage is done only when the
            # next one starts (work may report more than its total, e.g. the evaluator's chunks)
            amount = max(0, task.total - 1 - task.completed)
        self.progress.advance(self.task, amount)

    def _current(self) -> Task:
        return next(t for t in self.progress.tasks if t.id == self.task)

    def finish(self) -> None:
        """Mark the current stage done (the display keeps it, with its time)."""
        if self.task is None:
            return
        task = self._current()
        total = task.total if task.total is not None else max(task.completed, 1)
        self.progress.update(self.task, total=total, completed=total)
        self.progress.stop_task(self.task)
        self.task = None


def progress_bar(console: Console, disable: bool = False, get_time: Callable[[], float] | None = None,
                 auto_refresh: bool = True) -> Progress:
    extra = {"get_time": get_time} if get_time is not None else {}
    return Progress(SpinnerColumn(finished_text="✓"), TextColumn("{task.description}"), BarColumn(), StageCount(),
                    TimeElapsedColumn(), console=console, transient=True, disable=disable, auto_refresh=auto_refresh,
                    **extra)


@contextmanager
def progress_display(quiet: bool = False) -> Iterator[RichProgress]:
    """The stage display on stderr; off with --quiet and when stderr is not a terminal (CI logs:
    there it cannot be erased and leaves a blank line)."""
    console = Console(stderr=True)
    with progress_bar(console, disable=quiet or not console.is_terminal) as bar:
        display = RichProgress(bar)
        try:
            yield display
        finally:
            display.finish()
