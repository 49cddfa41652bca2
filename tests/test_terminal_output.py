"""Terminal output cannot be turned against the person reading it: text drscan did not write
(zip entry names, resource names and ids, reasons, error messages) is printed with its escape
sequences and control characters as visible escapes, rich markup (`[red]`) and emoji codes
(`:x:`) as literal text, and long lists of problems capped."""

from __future__ import annotations

import json
import zipfile

import pytest

from drscan.pack.keys import generate_keypair
from tests.conftest import REPO
from tests.test_cli import drscan
from tests.test_history import bucket, write_estate

HOSTILE = "evil\x1b[2J\x1b[H\x1b]0;pwned\x07[red]red[/red]:x:\u202eexe.txt"
SHOWN = "evil\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07[red]red[/red]:x:\\u202eexe.txt"
RAW = ("\x1b", "\x07", "\u202e", "\u274c")  # ESC, BEL, RLO, and the emoji rich makes of :x:


def assert_inert(output: str) -> None:
    for char in RAW:
        assert char not in output, f"{char!r} reached the terminal"


def _evil_pack(path, extra: int):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"manifest_version": 1, "files": []}))
        archive.writestr("manifest.sig", "AAAA")
        archive.writestr(HOSTILE, b"x")  # unsafe: control characters
        archive.writestr("[red]added[/red]:x:.txt", b"x")
        for number in range(extra):
            archive.writestr(f"extra/{number:04d}.txt", b"x")
    return path


def test_verify_prints_hostile_entry_names_inert(tmp_path):
    _, public = generate_keypair(tmp_path / "k.key")
    result = drscan("verify", str(_evil_pack(tmp_path / "evil.zip", 0)), "--public-key", str(public))
    assert result.returncode == 1
    assert_inert(result.stderr)
    assert SHOWN in result.stderr and "added: [red]added[/red]:x:.txt" in result.stderr


def test_verify_caps_a_long_list_of_problems(tmp_path):
    _, public = generate_keypair(tmp_path / "k.key")
    result = drscan("verify", str(_evil_pack(tmp_path / "evil.zip", 3000)), "--public-key", str(public))
    assert result.returncode == 1
    assert_inert(result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 52 and lines[-1].strip() == f"... and {3003 - 50} more", lines[-3:]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """Two stored scans of a public bucket with a hostile name (a critical failure, so it is
    listed in the summary, the diff and the history)."""
    root = tmp_path_factory.mktemp("terminal")
    item = dict(bucket(HOSTILE, "Enabled"))
    item["supplementaryConfiguration"] = dict(item["supplementaryConfiguration"],
                                              PublicAccessBlockConfiguration={"blockPublicAcls": False})
    db = root / "drscan.db"
    first = drscan("scan", "--import", str(write_estate(root / "1", [bucket("calm", "Enabled")])), "--db", str(db))
    second = drscan("scan", "--import", str(write_estate(root / "2", [item])), "--db", str(db))
    return db, first, second


def test_scan_summary_prints_hostile_names_inert(hostile_db):
    _, _, result = hostile_db
    assert result.returncode == 1, result.stderr
    assert_inert(result.stdout + result.stderr)
    assert "[red]red[/red]:x:" in "".join(result.stdout.split())  # literal, maybe wrapped over lines


@pytest.mark.parametrize("command", [("diff",), ("history",)])
def test_diff_and_history_print_hostile_ids_inert(hostile_db, command):
    db, _, _ = hostile_db
    result = drscan(*command, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout)
    assert "\\x1b[2J" in "".join(result.stdout.split())


def test_plan_prints_hostile_addresses_inert(tmp_path):
    plan = (REPO / "tests" / "fixtures" / "terraform" / "aws" / "plan-dr-regressions.json").read_text()
    hostile = json.dumps(HOSTILE)[1:-1]
    (tmp_path / "plan.json").write_text(plan.replace("aws_db_instance.main", f"aws_db_instance.main{hostile}"))
    result = drscan("plan", str(tmp_path / "plan.json"))
    assert result.returncode == 1, result.stderr
    assert_inert(result.stdout)
    assert "\\x1b[2J" in "".join(result.stdout.split())


def test_error_messages_print_hostile_paths_inert(tmp_path):
    result = drscan("scan", "--import", str(tmp_path / HOSTILE))
    assert result.returncode == 2
    assert_inert(result.stderr)
    assert SHOWN in "".join(result.stderr.split())
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
