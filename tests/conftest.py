"""Shared fixtures. The whole suite runs with sockets limited to localhost (pytest-socket,
see pyproject addopts), so a missing endpoint override fails instead of reaching a cloud."""

from __future__ import annotations

import os
import shutil
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
    """Once per session: a key pair, the samples scanned into drscan.db and a signed evidence pack
    with attestations and waivers. Tests copy what they change; they never modify these files."""
    work = tmp_path_factory.mktemp("sample-pack")
    assert run_drscan("keygen", "--out", str(work / "signing.key")).returncode == 0
    scan = run_drscan("scan", "--import", str(SAMPLES), "--config", str(SAMPLES / "drscan.yaml"), "--db",
                      str(work / "drscan.db"), "-q", "--as-of", SAMPLES_AS_OF)
    assert scan.returncode == 1, scan.stderr
    assurance = SAMPLES / "assurance"
    result = run_drscan("pack", "--db", str(work / "drscan.db"), "--scan", "latest", "--framework", "iso27001-2022",
                        "--framework", "soc2", "--config", str(SAMPLES / "drscan.yaml"),
                        "--attestations", str(assurance / "attestations.yaml"), "--waivers", str(assurance / "waivers.yaml"),
                        "--sign", str(work / "signing.key"), "-o", str(work / "evidence.zip"))
    assert result.returncode == 0, result.stderr
    return work


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
