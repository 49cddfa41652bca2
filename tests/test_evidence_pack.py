"""`drscan keygen` / `pack` / `verify` end to end on the sample estate, with attestations and
waivers: the pack verifies, any change to it is named, and the PDF reads control by control."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import SAMPLES
from tests.test_cli import drscan

ASSURANCE = SAMPLES / "assurance"


@pytest.fixture(scope="module")
def pack(sample_pack):
    """The session's sample pack (keygen, scan of the samples, pack with attestations and waivers)."""
    return sample_pack


def verify(work: Path, zip_path: Path, key: str = "signing.pub"):
    return drscan("verify", str(zip_path), "--public-key", str(work / key))


def rewrite(source: Path, target: Path, change) -> None:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        members = {info.filename: original.read(info) for info in original.infolist()}
        for name, data in change(members).items():
            copy.writestr(name, data)


def test_pack_layout_and_manifest(pack):
    with zipfile.ZipFile(pack / "evidence.zip") as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
    for required in ("report.pdf", "report.html", "findings.json", "findings.csv", "inventory.json", "gaps.json",
                     "manifest.json", "manifest.sig", "controls/iso27001-2022/A.8.13.json", "controls/soc2/A1.2.json",
                     "attestations/evidence/dr-tabletop-2026-10-14.md", "inputs/waivers.yaml"):
        assert required in names, required
    assert not any(n.startswith("controls/hipaa/") for n in names)  # only the selected frameworks
    listed = {f["path"] for f in manifest["files"]}
    assert listed == names - {"manifest.json", "manifest.sig"}
    assert manifest["scan"]["id"] == 1 and manifest["frameworks"].keys() == {"iso27001-2022", "soc2"}
    assert manifest["rule_versions"]["aws-s3-bucket-versioning"] == 1 and manifest["audit_period"]["start"]


def test_intact_pack_verifies(pack):
    result = verify(pack, pack / "evidence.zip")
    assert result.returncode == 0 and "intact" in result.stdout


@pytest.mark.parametrize("name", ["report.pdf", "findings.json", "controls/soc2/A1.2.json", "inventory.json"])
def test_flipping_one_byte_in_any_file_is_named(pack, tmp_path, name):
    def flip(members):
        data = bytearray(members[name])
        data[len(data) // 2] ^= 0x01
        return {**members, name: bytes(data)}
    rewrite(pack / "evidence.zip", tmp_path / "t.zip", flip)
    result = verify(pack, tmp_path / "t.zip")
    assert result.returncode == 1 and name in result.stderr and "altered" in result.stderr


def test_added_and_removed_files_are_named(pack, tmp_path):
    rewrite(pack / "evidence.zip", tmp_path / "added.zip", lambda m: {**m, "extra/note.txt": b"hi"})
    added = verify(pack, tmp_path / "added.zip")
    assert added.returncode == 1 and "extra/note.txt" in added.stderr and "added" in added.stderr
    rewrite(pack / "evidence.zip", tmp_path / "removed.zip", lambda m: {k: v for k, v in m.items() if k != "gaps.json"})
    removed = verify(pack, tmp_path / "removed.zip")
    assert removed.returncode == 1 and "gaps.json" in removed.stderr and "missing" in removed.stderr


def test_resigned_with_another_key_fails(pack, tmp_path):
    assert drscan("keygen", "--out", str(tmp_path / "other.key")).returncode == 0
    from drscan.pack.keys import load_private_key
    import base64
    other = load_private_key(tmp_path / "other.key")
    rewrite(pack / "evidence.zip", tmp_path / "resigned.zip",
            lambda m: {**m, "manifest.sig": base64.b64encode(other.sign(m["manifest.json"])) + b"\n"})
    result = verify(pack, tmp_path / "resigned.zip")
    assert result.returncode == 1 and "signature" in result.stderr


def test_pdf_reads_control_by_control_with_waivers_and_attestations(pack):
    with zipfile.ZipFile(pack / "evidence.zip") as archive:
        pdf = archive.read("report.pdf")
        controls = {n: json.loads(archive.read(n)) for n in archive.namelist() if n.startswith("controls/")}
        findings = json.loads(archive.read("findings.json"))["findings"]
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    squashed = text.replace(" ", "")
    for name, control in controls.items():
        assert control["id"].replace(" ", "") in squashed, name
    # Waived findings are WAIVED (never PASS), with the waiver's ticket; expired waivers no longer apply.
    waived = [f for f in findings if f["status"] == "WAIVED"]
    assert waived and all(f["waiver"]["ticket"] == "SEC-1042" for f in waived)
    assert all(f["original_status"] in ("FAIL", "NOT_ASSESSED") for f in waived)
    assert "SEC-1042" in text and "WAIVED" in text
    # Attested manual control vs expired attestation (counts as missing).
    assert controls["controls/iso27001-2022/A.5.29.json"]["status"] == "fail"  # automated rules fail here
    assert controls["controls/iso27001-2022/A.5.24.json"]["status"] == "manual_attested"
    assert controls["controls/soc2/CC1.1.json"]["status"] == "manual_missing"
    assert controls["controls/iso27001-2022/A.5.1.json"]["status"] == "manual_missing"


def test_raw_evidence_behind_every_verdict_is_in_the_pack(pack):
    """The PDF is short (summary detail); every failed and not-assessed result, with its evidence,
    is in findings.json and in the file of each control it maps to."""
    with zipfile.ZipFile(pack / "evidence.zip") as archive:
        document = json.loads(archive.read("findings.json"))
        controls = {n: json.loads(archive.read(n)) for n in archive.namelist() if n.startswith("controls/")}
    findings = document["findings"]
    assert sum(document["totals"].values()) == len(findings)
    in_control_files = {(f["rule_id"], f["resource_id"]) for c in controls.values() for f in c["findings"] if f["evidence"]}
    for f in findings:
        if f["status"] in ("FAIL", "NOT_ASSESSED", "WAIVED") and any(ref.split(":")[0] in ("iso27001-2022", "soc2")
                                                                       for ref in f["controls"]):
            assert (f["rule_id"], f["resource_id"]) in in_control_files or not f["evidence"], f["rule_id"]
    for name, control in controls.items():
        if control["status"] == "fail":
            assert any(f["status"] == "FAIL" and f["evidence"] for f in control["findings"]), name


def test_bad_attestations_file_names_the_line(pack, tmp_path):
    bad = tmp_path / "att.yaml"
    bad.write_text("attestations:\n  - control: iso27001-2022:A.9.99\n    statement: something long enough\n"
                   "    owner: x\n    date: 2026-01-01\n    expires: 2027-01-01\n")
    result = drscan("pack", "--db", str(pack / "drscan.db"), "--attestations", str(bad), "--sign", str(pack / "signing.key"),
                    "-o", str(tmp_path / "x.zip"))
    assert result.returncode == 2 and f"{bad}:2:" in result.stderr and "unknown control" in result.stderr
