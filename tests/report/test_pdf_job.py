"""report.pdf laid out in a forked process while the other reports are written: same PDF, the
child's progress replayed on the parent's display, failures reported by the parent, and no child
or temporary file left behind however the parent's work ends."""

from __future__ import annotations

import glob
import os
import tempfile
import time
from pathlib import Path

import pytest

from drscan.report.pdf_job import PdfJob, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs os.fork and two cores")


class Recorded:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def stage(self, name, total=None):
        self.calls.append(("stage", name, total))

    def advance(self, amount=1):
        self.calls.append(("advance", amount))

    def note(self, text):
        self.calls.append(("note", text))


def _leftovers() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "drscan-*.pdf")))


def test_the_pdf_is_made_in_another_process_and_its_progress_replayed_here():
    before = _leftovers()

    def render(progress):
        progress.stage("Laying out report.pdf pages")
        for _ in range(3):
            progress.advance(1)
        progress.stage("Drawing report.pdf pages", total=3)
        progress.advance(3)
        progress.note("tab\there\nnewline")
        return f"%PDF from {os.getpid()}".encode()

    job = PdfJob.start(render)
    assert job.forked
    child = job.pid
    shown = Recorded()
    data = job.result(shown)
    assert data.startswith(b"%PDF from ") and int(data.split()[-1]) != os.getpid()
    assert shown.calls == [("stage", "Laying out report.pdf pages", None), ("advance", 1), ("advance", 1),
                           ("advance", 1), ("stage", "Drawing report.pdf pages", 3), ("advance", 3),
                           ("note", "tab here newline")]
    assert _leftovers() == before
    assert job.pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # waited for: no zombie left


def test_a_child_that_fails_is_done_again_here_where_its_error_reaches_the_caller():
    parent = os.getpid()

    def fails_in_the_child(progress):
        if os.getpid() != parent:
            raise RuntimeError("font missing in the child")
        return b"%PDF made here"

    assert PdfJob.start(fails_in_the_child).result(Recorded()) == b"%PDF made here"

    def always_fails(progress):
        raise ValueError("template error: line 3")

    with pytest.raises(ValueError, match="template error: line 3"):
        PdfJob.start(always_fails).result()


def test_cancel_stops_a_child_whose_pdf_is_no_longer_wanted():
    before = _leftovers()
    job = PdfJob.start(lambda progress: time.sleep(60) or b"never")
    child = job.pid
    started = time.monotonic()
    job.cancel()
    job.cancel()  # twice is harmless
    assert time.monotonic() - started < 10
    assert _leftovers() == before
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)


def test_without_fork_the_pdf_is_rendered_in_this_process():
    job = PdfJob.start(lambda progress: str(os.getpid()).encode(), fork=False)
    assert not job.forked and job.result() == str(os.getpid()).encode()


def test_scan_reports_write_the_same_pdf_with_its_pages_shown(tmp_path, monkeypatch):
    """write_outputs lays the PDF out beside the HTML/JSON/CSV: its text is what rendering alone
    gives, the display shows its pages, and a failing other format leaves no PDF and no child."""
    import json

    from pypdf import PdfReader

    from drscan import api

    context = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "report_context.json").read_text())
    shown = Recorded()
    written = api.write_outputs(context, {"pdf": tmp_path / "a.pdf", "json": tmp_path / "f.json",
                                                 "csv": tmp_path / "f.csv"}, progress=shown)
    assert list(written) == ["pdf", "json", "csv"]
    alone = api.write_outputs(context, {"pdf": tmp_path / "b.pdf"})
    together, single = PdfReader(written["pdf"]), PdfReader(alone["pdf"])
    assert len(together.pages) == len(single.pages) > 3
    assert [p.extract_text() for p in together.pages] == [p.extract_text() for p in single.pages]
    stages = [call[1] for call in shown.calls if call[0] == "stage"]
    assert stages[:2] == ["Writing f.json", "Writing f.csv"]
    assert stages[2:] == ["Writing a.pdf", "Laying out report.pdf pages", "Drawing report.pdf pages"]
    drawn = shown.calls.index(("stage", "Drawing report.pdf pages", len(single.pages)))
    assert sum(call[1] for call in shown.calls[drawn:] if call[0] == "advance") == len(single.pages)

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a directory should be")
    started: list[PdfJob] = []
    real_start = PdfJob.start

    def recording(*args, **kwargs):
        started.append(real_start(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(PdfJob, "start", recording)
    with pytest.raises(Exception):
        api.write_outputs(context, {"pdf": tmp_path / "c.pdf", "csv": blocked / "f.csv"})
    assert not (tmp_path / "c.pdf").exists()
    assert len(started) == 1 and started[0].pid is None  # the child was stopped and waited for
