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
