"""Fuzzing the importers through the CLI: realistic exports (from samples/acme and
tests/fixtures) with fields deleted, nulled or retyped, bytes garbled, files truncated or
gzipped, are scanned with `drscan scan --import`. Whatever the input: the exit code is one of the
documented ones, there is no traceback, an error is one line on stderr, and the database keeps
every scan stored before (it still loads, `drscan history` works)."""

from __future__ import annotations

import contextlib
import copy
import gzip
import io
import json
import sqlite3
import subprocess
import sys
import zlib
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drscan import api
from drscan.cli import main
from tests.conftest import REPO, SAMPLES

# 0 pass, 1 gate failed, 2 input error, 3 database error (README, "Exit codes"). An unexpected
# exception escapes main() and fails the test by itself.
EXIT_CODES = {0, 1, 2, 3}
FIXTURES = REPO / "tests" / "fixtures"
SLICE = 12  # records kept from each seed export: enough shapes, fast scans


@lru_cache(maxsize=1)
def seeds() -> tuple[tuple[str, str, object], ...]:
    """(file name, format, parsed content) of small realistic exports of every importer."""
    config = json.loads(gzip.decompress((SAMPLES / "aws/config-snapshot-111111111111-us-east-1.json.gz").read_bytes()))
    west = json.loads((SAMPLES / "aws/config-snapshot-111111111111-us-west-2.json").read_text())
    select = json.loads((SAMPLES / "aws/select-resource-config-222222222222.json").read_text())
    assets = [json.loads(line) for line in (SAMPLES / "gcp/cloud-asset-export.ndjson").read_text().splitlines()[:SLICE]]
    azure = json.loads((SAMPLES / "azure/resources-20261120T0600Z.json").read_text())
    rows = azure if isinstance(azure, list) else azure.get("data")
    report = (SAMPLES / "aws/credential-report-111111111111-20261120T0600Z.csv").read_text()
    velero = json.loads((SAMPLES / "k8s/prod-eks/velero-20261120T0600Z.json").read_text())
    cluster = json.loads((SAMPLES / "k8s/prod-eks/cluster-20261120T0600Z.json").read_text())
    return (
        ("config.json", "json", dict(config, configurationItems=config["configurationItems"][:SLICE])),
        ("west.json", "json", dict(west, configurationItems=west["configurationItems"][:SLICE])),
        ("select.json", "json", dict(select, Results=select["Results"][:SLICE])),
        ("assets.ndjson", "ndjson", assets),
        ("policies.json", "json", json.loads((SAMPLES / "gcp/iam-policies.json").read_text())[:SLICE]),
        ("graph.json", "json", {"data": rows[:SLICE]}),
        ("rds.json", "json", json.loads((FIXTURES / "aws_cli/dumps/123456789012/us-east-1/rds-describe-db-instances.json").read_text())),
        ("records.json", "json", json.loads((FIXTURES / "aws_api/route53/list_resource_record_sets.json").read_text())),
        ("gcp.json", "json", json.loads((FIXTURES / "gcp_api/resource.json").read_text())[:SLICE]),
        ("report.csv", "csv", report),
        ("velero.json", "json", velero),
        ("pg-main.pgbackrest.json", "json", json.loads((FIXTURES / "backups/pg-main.pgbackrest.json").read_text())),
        ("orders.walg.json", "json", json.loads((FIXTURES / "backups/orders.walg.json").read_text())),
        ("veeam-sessions.json", "json", json.loads((SAMPLES / "backups/veeam-sessions-20261120T0600Z.json").read_text())),
        ("promo-db.s3-dumps.json", "json", json.loads((SAMPLES / "backups/promo-db.s3-dumps-20261120T0600Z.json").read_text())),
        ("cluster.json", "json", dict(cluster, items=cluster["items"][:SLICE])),
    )


def paths(value, prefix=()):
    if isinstance(value, dict):
        for key, child in value.items():
            yield prefix + (key,)
            yield from paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield prefix + (index,)
            yield from paths(child, prefix + (index,))


ODD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                       st.text(max_size=30), st.lists(st.integers(), max_size=3),
                       st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
                       st.just("0.0.0.0/0"), st.just({"a": [[[[{"b": None}]]]]}), st.just("\u202e\x1b[2J"),
                       st.just([None]), st.just(""))


@st.composite
def mutated_export(draw):
    """One seed export with 1-3 field mutations, then maybe byte damage and gzip."""
    name, kind, content = draw(st.sampled_from(seeds()))
    if kind == "csv":
        text = content
        lines = text.splitlines()
        row = draw(st.integers(0, len(lines) - 1))
        cells = lines[row].split(",")
        cell = draw(st.integers(0, len(cells) - 1))
        action = draw(st.sampled_from(["drop", "blank", "garble", "add"]))
        if action == "drop":
            cells.pop(cell)
        elif action == "blank":
            cells[cell] = ""
        elif action == "garble":
            cells[cell] = draw(st.text(max_size=12))
        else:
            cells.append("x")
        lines[row] = ",".join(cells)
        data = ("\n".join(lines) + "\n").encode()
    else:
        document = copy.deepcopy(content)
        all_paths = list(paths(document))
        for _ in range(draw(st.integers(1, 3))):
            if not all_paths:
                break
            path = draw(st.sampled_from(all_paths))
            parent = document
            try:
                for step in path[:-1]:
                    parent = parent[step]
                action = draw(st.sampled_from(["delete", "null", "retype"]))
                if action == "delete" and isinstance(parent, dict):
                    del parent[path[-1]]
                elif action == "null":
                    parent[path[-1]] = None
                else:
                    parent[path[-1]] = draw(ODD_VALUES)
            except (KeyError, IndexError, TypeError):
                pass  # an earlier mutation removed or retyped this path
        if kind == "ndjson":
            data = "\n".join(json.dumps(a) for a in document).encode() + b"\n"
        else:
            data = json.dumps(document).encode()
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip", "utf8", "empty"]))
    if damage == "truncate":
        data = data[:draw(st.integers(0, len(data)))]
    elif damage == "flip":
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
    elif damage == "utf8":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff\xfe" + data[at:]
    elif damage == "empty":
        data = b" \n" if draw(st.booleans()) else b""
    if draw(st.booleans()):
        data = gzip.compress(data, mtime=0)
        if draw(st.booleans()):
            data = data[:draw(st.integers(0, len(data)))]
        name += ".gz"
    return name, data


def run_cli(*args: str) -> tuple[int, str, str]:
    """drscan's console entry point in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["drscan", *args]
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
            else:
                code = 0
    finally:
        sys.argv = argv
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module", autouse=True)
def rules_once():
    """The rule files are not what is fuzzed: load them once instead of once per scan."""
    loaded = {}
    real = api.load_ruleset

    def cached(config, rules_path=None):
        key = (config.excluded_rules, rules_path)
        if key not in loaded:
            loaded[key] = real(config, rules_path)
        return loaded[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api, "load_ruleset", cached)
        yield


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> tuple[Path, int]:
    """A database holding one good scan before any fuzzing."""
    work = tmp_path_factory.mktemp("fuzzdb")
    good = work / "good"
    good.mkdir()
    name, _, content = seeds()[0]
    (good / name).write_text(json.dumps(content))
    db = work / "drscan.db"
    code, _, err = run_cli("scan", "--import", str(good), "--db", str(db), "--quiet", "--fail-on", "none")
    assert code == 0, err
    return db, api.history(db)["scans"][0]["id"]


def assert_database_intact(db: Path, first_scan: int) -> None:
    assert first_scan in [s["id"] for s in api.history(db, last=5000)["scans"]]
    connection = sqlite3.connect(db)
    try:
        assert connection.execute("pragma quick_check").fetchone() == ("ok",)
    finally:
        connection.close()


def check(code: int, err: str) -> None:
    assert code in EXIT_CODES, (code, err)
    assert "Traceback" not in err, err
    if code in (2, 3):
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("drscan: error:"), err


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(export=mutated_export())
def test_mutated_exports_exit_cleanly_and_keep_the_database(export, database, tmp_path_factory):
    db, first_scan = database
    folder = tmp_path_factory.mktemp("fuzz")
    name, data = export
    (folder / name).write_bytes(data)
    code, _, err = run_cli("scan", "--import", str(folder), "--db", str(db), "--quiet")
    check(code, err)
    assert_database_intact(db, first_scan)


@pytest.mark.parametrize("case", ["deep", "bomb", "types"])
def test_hostile_exports_in_a_subprocess_exit_cleanly(case, database, tmp_path):
    db, first_scan = database
    if case == "deep":
        (tmp_path / "deep.json").write_text('{"configurationItems": ' + "[" * 10_000 + "]" * 10_000 + "}")
    elif case == "bomb":
        compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
        spaces = b" " * (1 << 20)
        (tmp_path / "bomb.json.gz").write_bytes(compressor.compress(b"[") + b"".join(
            compressor.compress(spaces) for _ in range(80)) + compressor.compress(b"]") + compressor.flush())
    else:
        (tmp_path / "x.json").write_text(json.dumps({"configurationItems": [{"resourceType": ["x"]}, 42, None]}))
    result = subprocess.run([sys.executable, "-m", "drscan.cli", "scan", "--import", str(tmp_path), "--db", str(db),
                             "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "100"})
    check(result.returncode, result.stderr)
    assert result.returncode == 2 and str(tmp_path) in result.stderr
    history = subprocess.run([sys.executable, "-m", "drscan.cli", "history", "--db", str(db), "--json"], cwd=REPO,
                             capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert history.returncode == 0 and first_scan in [s["id"] for s in json.loads(history.stdout)["scans"]]
