"""Output files: a path that cannot be written is exit 2 with one line naming it, found before
the scan runs; a write that fails halfway (full disk, simulated with RLIMIT_FSIZE) leaves the
previous file as it was and no half-written or temporary file behind."""

from __future__ import annotations

import hashlib
import json
import resource
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from drscan.errors import OutputError
from tests.conftest import REPO, SAMPLES, SAMPLES_AS_OF, invoke_drscan, run_drscan

CONTEXT = REPO / "tests" / "fixtures" / "report_context.json"
TEMPLATES = REPO / "templates"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def file_size_limit(limit: int):
    """This process may not grow a file past `limit` bytes (a full disk, for the writer): writes
    fail with EFBIG (Python ignores SIGXFSZ). The previous limit is restored afterwards."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # a module imported meanwhile must not leave a truncated .pyc
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        sys.dont_write_bytecode = bytecode


def _scan(*args: str) -> tuple[int, str, str]:
    return invoke_drscan("scan", "--import", str(SAMPLES / "aws"), "-q", *args)


@pytest.mark.parametrize("option, target, words", [
    ("--out", "blocker/reports", "not a directory"),
    ("--metrics-file", "existing-dir", "is a directory"),
    ("--sarif", "existing-dir", "is a directory"),
    ("--junit", "blocker/junit.xml", "not a directory"),
    ("--ocsf", "blocker/deeper/findings.ocsf.json", "not a directory"),
])
def test_an_unwritable_output_path_is_exit_2_before_the_scan_runs(tmp_path, option, target, words):
    (tmp_path / "blocker").write_text("a file where a directory is expected")
    (tmp_path / "existing-dir").mkdir()
    code, _, err = _scan(option, str(tmp_path / target), "--db", str(tmp_path / "drscan.db"))
    assert code == 2, err
    assert err.splitlines() == [err.strip()] and err.startswith(f"drscan: error: {tmp_path / target}") and words in err.lower()
    assert not (tmp_path / "drscan.db").exists()  # refused before collecting and storing anything


@pytest.mark.parametrize("db, words", [("blocker/sub/drscan.db", "cannot create the directory"),
                                       ("existing-dir", "is a directory")])
def test_an_uncreatable_database_path_is_exit_3(tmp_path, db, words):
    (tmp_path / "blocker").write_text("a file where a directory is expected")
    (tmp_path / "existing-dir").mkdir()
    code, _, err = _scan("--db", str(tmp_path / db))
    assert code == 3 and err.splitlines() == [err.strip()] and words in err.lower(), err


def test_pack_and_diagram_to_bad_paths_are_exit_2(tmp_path, sample_pack):
    (tmp_path / "blocker").write_text("x")
    code, _, err = invoke_drscan("pack", "--db", str(sample_pack / "drscan.db"), "--sign", str(sample_pack / "signing.key"),
                                 "-o", str(tmp_path / "blocker" / "evidence.zip"))
    assert code == 2 and "not a directory" in err.lower() and len(err.splitlines()) == 1, err
    code, _, err = invoke_drscan("dr", "--config", str(SAMPLES / "drscan.yaml"), "--db", str(sample_pack / "drscan.db"),
                                 "diagram", "payments", "--out", str(tmp_path))
    assert code == 2 and "is a directory" in err and len(err.splitlines()) == 1, err


# --- a full disk: every writer is atomic ------------------------------------------------------

def _writers():
    from drscan.report.formats.ci import write_junit, write_ocsf, write_sarif
    from drscan.report.formats.metrics import metrics_text, write_metrics
    from drscan.report.formats.tabular import write_csv, write_json
    from drscan.report.render import write_html, write_pdf

    return {
        "findings.json": write_json, "findings.csv": write_csv, "findings.sarif": write_sarif,
        "junit.xml": write_junit, "findings.ocsf.json": write_ocsf,
        "report.html": lambda context, path: write_html(context, TEMPLATES, path),
        "report.pdf": lambda context, path: write_pdf(context, TEMPLATES, path),
        "drscan.prom": lambda context, path: write_metrics(metrics_text(context, 0.0, 1.0) + "#" * 20000, path),
    }


@pytest.mark.parametrize("name", list(_writers()))
def test_a_full_disk_leaves_the_previous_report_and_no_partial_file(tmp_path, name):
    context = json.loads(CONTEXT.read_text())
    target = tmp_path / name
    _writers()[name](context, target)
    assert target.stat().st_size > 4096
    before = _digest(target)
    with file_size_limit(2048), pytest.raises(OutputError) as error:
        _writers()[name](context, target)
    assert str(error.value) == f"{target}: cannot write: File too large"
    assert _digest(target) == before
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_a_full_disk_while_packing_keeps_the_previous_pack(tmp_path, sample_pack):
    out = tmp_path / "evidence.zip"
    out.write_bytes((sample_pack / "evidence.zip").read_bytes())
    before = _digest(out)
    with file_size_limit(64 * 1024):
        code, _, err = invoke_drscan("pack", "--db", str(sample_pack / "drscan.db"), "--sign",
                                     str(sample_pack / "signing.key"), "-o", str(out), "--framework", "soc2")
    assert code == 2 and err.splitlines() == [f"drscan: error: {out}: cannot write: File too large"], err
    assert _digest(out) == before and [p.name for p in tmp_path.iterdir()] == ["evidence.zip"]


def test_a_scan_on_a_full_disk_exits_2_with_one_line_and_keeps_old_reports(tmp_path):
    """The whole command in a fresh process under the limit."""
    reports = tmp_path / "reports"
    first = run_drscan("scan", "--import", str(SAMPLES / "aws"), "-q", "--out", str(reports), "--format", "json,csv,sarif",
                       "--as-of", SAMPLES_AS_OF)
    assert first.returncode == 1, first.stderr
    before = {p.name: _digest(p) for p in reports.iterdir()}

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    result = run_drscan("scan", "--import", str(SAMPLES / "aws"), "-q", "--out", str(reports), "--format", "json,csv,sarif",
                        "--as-of", SAMPLES_AS_OF, preexec_fn=limit)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"drscan: error: {reports / 'findings.json'}: cannot write: File too large"]
    assert {p.name: _digest(p) for p in reports.iterdir()} == before


def test_a_scan_on_a_full_disk_exits_3_and_the_database_keeps_its_history(tmp_path, sample_pack):
    db = tmp_path / "drscan.db"
    db.write_bytes((sample_pack / "drscan.db").read_bytes())
    before = _digest(db)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = run_drscan("scan", "--import", str(SAMPLES / "aws"), "-q", "--db", str(db), preexec_fn=limit)
    assert result.returncode == 3, result.stderr
    assert result.stderr.splitlines() == [f"drscan: error: {db}: cannot write scan: disk I/O error "
                                          f"(a full disk, a file size limit or a failing disk)"]
    assert _digest(db) == before
    assert sqlite3.connect(db).execute("select count(*) from scans").fetchone() == (1,)
