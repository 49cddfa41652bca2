"""Shared fixtures. The whole suite runs with sockets limited to localhost (pytest-socket,
see pyproject addopts), so a missing endpoint override fails instead of reaching a cloud.

The suite runs in two pytest-xdist worker processes (pyproject addopts: `-n 2`).
Each module runs whole on one worker, so its module-scoped fixtures are built once; modules that
share a session fixture which cannot be shared between processes (a running server) form one
group; outputs that tests only read (the sample's scan and evidence pack) are built once per run
by whichever worker asks first (`built_once`)."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from drscan.engine.loader import load_rules
from drscan.paths import rules_dir
from tests.dbservers import mariadb_server, pgbackrest_stanza, postgres_server  # noqa: F401 (session servers)

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "acme"
SAMPLES_AS_OF = "2026-11-20T06:00:00Z"
FIXED_NOW = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


# Modules whose tests share a session fixture that lives in one process (a server, the serve
# history), run together on one worker: {group: path prefixes}.
SHARED_SESSION_GROUPS = {
    "serve": ("tests/serve/",),  # history (three scans and a pack), drscan serve processes
    "dbservers": ("tests/collect/test_backup_imports.py", "tests/collect/test_live_databases.py",
                  "tests/drill/test_drill.py", "tests/drill/test_drill_evidence.py"),  # PostgreSQL, pgBackRest, MariaDB
}
# The longest groups (minutes of rendering, scans and servers) start first, so no worker is left
# with one of them at the end while the other is idle. Everything else keeps collection order.
LONGEST_FIRST = ("serve", "tests/test_no_secret_in_outputs.py", "tests/test_evidence_pack.py", "tests/test_cli.py", "dbservers",
                 "tests/report/test_render_pdf.py", "tests/test_output_paths.py", "tests/collect/test_dask.py",
                 "tests/report/test_hostile_text.py", "tests/collect/azure/test_cli_e2e.py",
                 "tests/collect/aws/test_live_e2e.py", "tests/monitoring/test_live_servers.py")


def xdist_group_of(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    for group, prefixes in SHARED_SESSION_GROUPS.items():
        if path.startswith(prefixes):
            return group
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's scope scheduling with our groups as the scopes: a group runs whole on one worker.
    (pytest 9 ignores the node-id rewriting that xdist's own `loadgroup` relies on.)"""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

    return GroupScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """In an xdist worker, the longest groups first (every worker sorts alike, stable, so the
    scheduler's queue starts with them). Without xdist the order is the collection order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        rank = {group: index for index, group in enumerate(LONGEST_FIRST)}
        items.sort(key=lambda item: rank.get(xdist_group_of(item.nodeid), len(rank)))


def built_once(tmp_path_factory, name: str, build, timeout_s: float = 1800) -> Path:
    """The directory `name`, built by `build(directory)` once per test run: under xdist the first
    worker to ask builds it in the run's shared temporary directory (under a file lock) and the
    others wait for it (at most `timeout_s`). A failed build is not retried: later callers get its
    error, as a session fixture's error is repeated to every test that uses it. Only for outputs
    that tests read and never change."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    target, done, failed = root / name, root / f"{name}.done", root / f"{name}.failed"
    with (root / f"{name}.lock").open("w") as lock:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} was not built by another worker within {timeout_s} s") from None
                time.sleep(0.5)
        try:
            if failed.exists():
                raise AssertionError(f"building {name} failed in another worker: {failed.read_text()}")
            if not done.exists():
                shutil.rmtree(target, ignore_errors=True)
                target.mkdir()
                try:
                    build(target)
                except BaseException as exc:
                    failed.write_text(f"{type(exc).__name__}: {exc}"[:4000])
                    raise
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


@pytest.fixture(scope="session")
def ruleset():
    return load_rules(rules_dir())


def require_binary(name: str) -> str:
    """Path of a system tool the test needs. Skipped locally if absent; in CI (CI=true) a
    missing tool is a failure, because .ci/run installs it."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path:
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed; .ci/run must apt-get install it")
    pytest.skip(f"{name} not installed (apt-get install it to run this test)")


def run_drscan(*args: str, cwd: Path = REPO, timeout: int = 300, env: dict | None = None, **kwargs):
    """`drscan ARGS` as a user runs it: a subprocess on the console entry point (drscan.cli:main)."""
    import subprocess
    import sys

    # No .pyc writes: a test that limits file sizes (a full disk) would leave truncated ones behind.
    environment = {"PATH": "/usr/bin:/bin", "COLUMNS": "160", "HOME": str(cwd), "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "drscan.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=environment, **kwargs)


@pytest.fixture(scope="session")
def sample_pack(tmp_path_factory):
    """Once per run: a key pair, the samples scanned into drscan.db and a signed evidence pack
    with attestations and waivers. Tests copy what they change; they never modify these files."""
    return built_once(tmp_path_factory, "sample-pack", _build_sample_pack)


def _build_sample_pack(work: Path) -> None:
    assert run_drscan("keygen", "--out", str(work / "signing.key")).returncode == 0
    scan = run_drscan("scan", "--import", str(SAMPLES), "--config", str(SAMPLES / "drscan.yaml"), "--db",
                      str(work / "drscan.db"), "-q", "--as-of", SAMPLES_AS_OF)
    assert scan.returncode == 1, scan.stderr
    assurance = SAMPLES / "assurance"
    result = run_drscan("pack", "--db", str(work / "drscan.db"), "--scan", "latest", "--framework", "iso27001-2022",
                        "--framework", "soc2", "--config", str(SAMPLES / "drscan.yaml"),
                        "--attestations", str(assurance / "attestations.yaml"), "--waivers", str(assurance / "waivers.yaml"),
                        "--sign", str(work / "signing.key"), "-o", str(work / "evidence.zip"), timeout=600)
    assert result.returncode == 0, result.stderr


def invoke_drscan(*argv: str) -> tuple[int, str, str]:
    """drscan.cli.main(argv) in this process (the entry point, minus interpreter start-up):
    (exit code, stdout, stderr)."""
    import contextlib
    import io

    from drscan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(argv))
        except SystemExit as exc:
            code = exc.code
        else:
            code = 0
    return code, out.getvalue(), err.getvalue()
