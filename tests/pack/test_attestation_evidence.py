"""Attestation evidence is packed and signed only when it is a regular file inside the
attestation file's directory reached without a symbolic link: a link to /etc/passwd, a linked
folder, `..` or an absolute path is a one-line input error naming the file, line and path."""

from __future__ import annotations

import os

import pytest

from drscan.assurance import load_attestations
from drscan.errors import InputError
from tests.test_cli import drscan
from tests.test_history import bucket, write_estate

CONTROL = "iso27001-2022:A.5.29"


def _attestations(directory, evidence: str):
    path = directory / "attestations.yaml"
    path.write_text(f"attestations:\n  - control: {CONTROL}\n    statement: Tabletop exercise held and minuted.\n"
                    f"    owner: ciso@acme.example\n    date: 2026-10-14\n    expires: 2027-10-14\n"
                    f"    evidence:\n      - {evidence}\n")
    return path


@pytest.fixture
def assurance(tmp_path):
    directory = tmp_path / "assurance"
    (directory / "evidence").mkdir(parents=True)
    (directory / "evidence" / "minutes.md").write_text("minutes\n")
    (tmp_path / "outside.md").write_text("not in the attestation directory\n")
    os.symlink("/etc/passwd", directory / "evidence" / "passwd.md")
    os.symlink("/etc", directory / "etc")
    os.symlink(directory / "evidence" / "minutes.md", directory / "evidence" / "minutes-link.md")
    return directory


def test_a_regular_file_inside_the_directory_is_accepted(assurance):
    [attestation] = load_attestations(_attestations(assurance, "evidence/minutes.md"), {CONTROL})
    assert attestation.evidence[0].path == (assurance / "evidence" / "minutes.md").resolve()


@pytest.mark.parametrize("evidence, why", [
    ("evidence/passwd.md", "evidence/passwd.md is a symbolic link"),
    ("etc/passwd", "etc is a symbolic link"),
    ("evidence/minutes-link.md", "evidence/minutes-link.md is a symbolic link"),  # even one pointing inside
    ("../outside.md", "must be a path inside"),
    ("/etc/passwd", "must be a path inside"),
    ("evidence", "not a regular file"),
    ("evidence/missing.md", "evidence file not found"),
])
def test_links_and_paths_leaving_the_directory_are_refused(assurance, evidence, why):
    path = _attestations(assurance, evidence)
    with pytest.raises(InputError) as caught:
        load_attestations(path, {CONTROL})
    message = str(caught.value)
    assert message.startswith(f"{path}:8: evidence {evidence}: ") and why in message and "\n" not in message


def test_drscan_pack_refuses_a_symlinked_evidence_file_with_one_line(tmp_path, assurance):
    db = tmp_path / "drscan.db"
    assert drscan("scan", "--import", str(write_estate(tmp_path / "estate", [bucket("b", "Enabled")])),
                  "--db", str(db), "--fail-on", "none").returncode == 0
    assert drscan("keygen", "--out", str(tmp_path / "k.key")).returncode == 0
    path = _attestations(assurance, "evidence/passwd.md")
    result = drscan("pack", "--db", str(db), "--sign", str(tmp_path / "k.key"), "-o", str(tmp_path / "pack.zip"),
                    "--attestations", str(path))
    assert result.returncode == 2 and not (tmp_path / "pack.zip").exists()
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert f"{path}:8: evidence evidence/passwd.md" in line and "symbolic link" in line
    assert "root:" not in result.stdout + result.stderr
