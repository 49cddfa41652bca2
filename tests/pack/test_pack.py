"""The signed evidence pack: key files, building, and a verifier that names every altered,
added or missing file, a bad signature and unsafe entries. Real files in tmp_path throughout."""

from __future__ import annotations

import base64
import hashlib
import json
import stat
import struct
import warnings
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drscan.errors import InputError
from drscan.pack.archive import MANIFEST, SIGNATURE, build_pack, canonical_json
from drscan.pack.keys import fingerprint, generate_keypair, load_private_key, load_public_key
from drscan.pack.verify import verify_pack

METADATA = {"scan_id": "scan-2026-11-20", "tool": "drscan 0.1.0", "created": "2026-11-20T06:00:00Z"}
EVIDENCE = {
    "report.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "findings.json": b'{"findings": [{"rule_id": "aws-s3-versioning", "status": "FAIL"}]}\n',
    "resources/aws/s3.json": b"[" + b'{"id": "arn:aws:s3:::acme-backups"},' * 500 + b"{}]",
    "empty.txt": b"",
}
DATA_MEMBERS = sorted(EVIDENCE)


@pytest.fixture(scope="module")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def pack(tmp_path: Path, signing_key: Ed25519PrivateKey) -> Path:
    out = tmp_path / "evidence.zip"
    build_pack(out, EVIDENCE, METADATA, signing_key)
    return out


def rewrite_zip(src: Path, dst: Path, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None,
                ) -> None:
    """Copy a zip member by member, as an attacker with zipfile would: `change` returns new
    content, or None to drop the member; `extra` members are appended. CRCs are recomputed."""
    with zipfile.ZipFile(src) as source, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info))
            if content is not None:
                target.writestr(info, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)


def flip_middle_byte(content: bytes) -> bytes:
    middle = len(content) // 2
    return content[:middle] + bytes([content[middle] ^ 0x01]) + content[middle + 1:]


def read_member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


# --- keys -------------------------------------------------------------------------------------

def test_generate_keypair_writes_pkcs8_private_pem_0600_and_public_pem(tmp_path: Path) -> None:
    private_path, public_path = generate_keypair(tmp_path / "drscan-signing.key")

    assert public_path == tmp_path / "drscan-signing.pub"
    assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    assert private_path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_path.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    private_key, public_key = load_private_key(private_path), load_public_key(public_path)
    assert fingerprint(private_key.public_key()) == fingerprint(public_key)


def test_generate_keypair_refuses_to_overwrite_either_existing_file(tmp_path: Path) -> None:
    private_path, public_path = generate_keypair(tmp_path / "drscan-signing.key")
    before = private_path.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        generate_keypair(private_path)
    assert private_path.read_bytes() == before

    lone_public = tmp_path / "other.pub"
    lone_public.write_text("kept")
    with pytest.raises(InputError, match="other.pub already exists"):
        generate_keypair(tmp_path / "other.key")
    assert not (tmp_path / "other.key").exists()
    assert lone_public.read_text() == "kept"


def test_load_key_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.key"):
        load_private_key(tmp_path / "nope.key")
    garbage = tmp_path / "garbage.key"
    garbage.write_text("not a key")
    with pytest.raises(InputError, match="garbage.key"):
        load_private_key(garbage)
    ec_key = tmp_path / "ec.key"
    ec_key.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    with pytest.raises(InputError, match="ec.key.*not an Ed25519"):
        load_private_key(ec_key)
    private_path, _ = generate_keypair(tmp_path / "pair.key")
    with pytest.raises(InputError, match="pair.key"):
        load_public_key(private_path)  # a private PEM where a public one belongs


def test_fingerprint_is_unpadded_base64_sha256_of_raw_public_key(signing_key: Ed25519PrivateKey) -> None:
    raw = signing_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    expected = "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    assert fingerprint(signing_key.public_key()) == expected
    assert len(expected) == len("SHA256:") + 43 and "=" not in expected


# --- building and a clean verify ----------------------------------------------------------------

def test_built_pack_verifies_and_manifest_lists_every_file(pack: Path, signing_key: Ed25519PrivateKey) -> None:
    result = verify_pack(pack, signing_key.public_key())

    assert result.ok and result.signature_ok
    assert (result.altered, result.added, result.missing, result.problems) == ((), (), (), ())
    manifest = result.manifest
    assert manifest["manifest_version"] == 1 and manifest["scan_id"] == METADATA["scan_id"]
    assert manifest["files"] == [
        {"path": name, "sha256": hashlib.sha256(EVIDENCE[name]).hexdigest(), "size": len(EVIDENCE[name])}
        for name in DATA_MEMBERS
    ]
    assert manifest["signature"] == {"algorithm": "Ed25519", "public_key_fingerprint": fingerprint(signing_key)}


def test_pack_layout_is_canonical_and_signature_is_over_exact_manifest_bytes(
        pack: Path, signing_key: Ed25519PrivateKey) -> None:
    with zipfile.ZipFile(pack) as archive:
        infos = archive.infolist()
        manifest_bytes, signature_text = archive.read(MANIFEST), archive.read(SIGNATURE)
    assert [info.filename for info in infos] == [*DATA_MEMBERS, MANIFEST, SIGNATURE]
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) and info.compress_type == zipfile.ZIP_DEFLATED for info in infos)
    assert manifest_bytes == canonical_json(json.loads(manifest_bytes))
    assert manifest_bytes.endswith(b"}\n") and b'\n  "files": [' in manifest_bytes
    signing_key.public_key().verify(base64.b64decode(signature_text.strip(), validate=True), manifest_bytes)


def test_build_pack_is_deterministic_for_bytes_and_path_inputs(tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    first, second, from_paths = tmp_path / "a.zip", tmp_path / "b.zip", tmp_path / "c.zip"
    build_pack(first, EVIDENCE, METADATA, signing_key)
    build_pack(second, dict(reversed(EVIDENCE.items())), dict(reversed(METADATA.items())), signing_key)
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    as_paths: dict[str, bytes | Path] = {}
    for index, (name, content) in enumerate(EVIDENCE.items()):
        (source_dir / f"{index}.bin").write_bytes(content)
        as_paths[name] = source_dir / f"{index}.bin"
    build_pack(from_paths, as_paths, METADATA, signing_key)

    assert first.read_bytes() == second.read_bytes() == from_paths.read_bytes()


def test_build_pack_replaces_atomically_and_leaves_nothing_on_failure(
        tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    out = tmp_path / "evidence.zip"
    out.write_bytes(b"previous pack")
    with pytest.raises(InputError, match="gone.bin"):
        build_pack(out, {"a.txt": b"a", "b.txt": tmp_path / "gone.bin"}, METADATA, signing_key)
    assert out.read_bytes() == b"previous pack"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.zip"]

    build_pack(out, {"a.txt": b"a"}, METADATA, signing_key)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.zip"]
    assert verify_pack(out, signing_key.public_key()).ok


@pytest.mark.parametrize("name", [
    "", "/etc/x", "../evil", "a/../../b", "a\\b", "C:/x", "c:x", "a//b", "a/", "./a", "a/./b", "a\x00b",
    MANIFEST, SIGNATURE, "Manifest.JSON",
])
def test_build_pack_refuses_unsafe_or_reserved_names(tmp_path: Path, signing_key: Ed25519PrivateKey, name: str) -> None:
    with pytest.raises(InputError, match="evidence pack"):
        build_pack(tmp_path / "evidence.zip", {"ok.txt": b"x", name: b"y"}, METADATA, signing_key)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("names", [
    ["report.pdf", "REPORT.pdf"],  # one file on a case-insensitive file system
    ["caf\u00e9.txt", "cafe\u0301.txt"],  # the same name in NFC and NFD
    ["logs", "logs/a.txt"],  # a file and a folder of the same name
])
def test_build_pack_refuses_names_that_collide_once_extracted(
        tmp_path: Path, signing_key: Ed25519PrivateKey, names: list[str]) -> None:
    with pytest.raises(InputError, match="evidence pack"):
        build_pack(tmp_path / "evidence.zip", {name: b"x" for name in names}, METADATA, signing_key)


def test_build_pack_refuses_metadata_that_overrides_manifest_fields(
        tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    with pytest.raises(InputError, match="files"):
        build_pack(tmp_path / "evidence.zip", {"a.txt": b"a"}, {"files": []}, signing_key)
    with pytest.raises(InputError, match="metadata"):
        build_pack(tmp_path / "evidence.zip", {"a.txt": b"a"}, {"when": object()}, signing_key)


# --- tampering --------------------------------------------------------------------------------

@pytest.mark.parametrize("member", [*DATA_MEMBERS, MANIFEST, SIGNATURE])
def test_flipping_one_byte_of_any_member_fails_and_names_it(
        pack: Path, tmp_path: Path, signing_key: Ed25519PrivateKey, member: str) -> None:
    tampered = tmp_path / "tampered.zip"
    if member == "empty.txt":  # nothing to flip: the nearest tamper is one added byte
        rewrite_zip(pack, tampered, lambda name, data: b"\x00" if name == member else data)
    else:
        rewrite_zip(pack, tampered, lambda name, data: flip_middle_byte(data) if name == member else data)

    result = verify_pack(tampered, signing_key.public_key())

    assert not result.ok
    if member in (MANIFEST, SIGNATURE):
        assert not result.signature_ok
        assert any("signature" in problem or SIGNATURE in problem for problem in result.problems)
    else:
        assert result.signature_ok
        assert result.altered == (member,)
        assert (result.added, result.missing) == ((), ())
        assert result.problems == (f"altered: {member} ({'sha256 and size differ' if member == 'empty.txt' else 'sha256 differs'})",)


def test_flipped_compressed_byte_without_fixing_crc_names_the_file(
        pack: Path, signing_key: Ed25519PrivateKey) -> None:
    with zipfile.ZipFile(pack) as archive:
        info = archive.getinfo("report.pdf")
    raw = bytearray(pack.read_bytes())
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
    data_start = info.header_offset + 30 + name_length + extra_length
    raw[data_start + info.compress_size // 2] ^= 0xFF
    pack.write_bytes(bytes(raw))

    result = verify_pack(pack, signing_key.public_key())

    assert not result.ok and result.signature_ok
    assert result.altered == ("report.pdf",)
    assert result.problems[0].startswith("altered: report.pdf (unreadable")


def test_added_file_is_named(pack: Path, tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(pack, tampered, lambda name, data: data, extra={"resources/aws/extra.json": b"{}"})

    result = verify_pack(tampered, signing_key.public_key())

    assert not result.ok and result.signature_ok
    assert (result.added, result.altered, result.missing) == (("resources/aws/extra.json",), (), ())
    assert result.problems == ("added: resources/aws/extra.json",)


def test_removed_file_is_named_missing(pack: Path, tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(pack, tampered, lambda name, data: None if name == "findings.json" else data)

    result = verify_pack(tampered, signing_key.public_key())

    assert not result.ok and result.signature_ok
    assert (result.missing, result.altered, result.added) == (("findings.json",), (), ())
    assert result.problems == ("missing: findings.json",)


def test_manifest_edited_to_match_a_tampered_file_fails_the_signature(
        pack: Path, tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    forged_report = b"%PDF-1.7\nall controls pass\n"
    manifest = json.loads(read_member(pack, MANIFEST))
    for entry in manifest["files"]:
        if entry["path"] == "report.pdf":
            entry.update(sha256=hashlib.sha256(forged_report).hexdigest(), size=len(forged_report))
    forged_manifest = canonical_json(manifest)
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(pack, tampered, lambda name, data: {"report.pdf": forged_report, MANIFEST: forged_manifest}.get(name, data))

    result = verify_pack(tampered, signing_key.public_key())

    assert not result.ok and not result.signature_ok
    assert result.altered == ()  # the files match the forged manifest; only the signature catches it
    assert result.problems == (f"signature does not verify with key {fingerprint(signing_key)}",)


def test_manifest_resigned_with_another_key_fails_with_the_original_key(
        pack: Path, tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    attacker = Ed25519PrivateKey.generate()
    forged_report = b"%PDF-1.7\nall controls pass\n"
    manifest = json.loads(read_member(pack, MANIFEST))
    for entry in manifest["files"]:
        if entry["path"] == "report.pdf":
            entry.update(sha256=hashlib.sha256(forged_report).hexdigest(), size=len(forged_report))
    manifest["signature"]["public_key_fingerprint"] = fingerprint(attacker)
    forged_manifest = canonical_json(manifest)
    forged_signature = base64.b64encode(attacker.sign(forged_manifest)) + b"\n"
    replacements = {"report.pdf": forged_report, MANIFEST: forged_manifest, SIGNATURE: forged_signature}
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(pack, tampered, lambda name, data: replacements.get(name, data))

    result = verify_pack(tampered, signing_key.public_key())

    assert not result.ok and not result.signature_ok
    assert result.problems == (
        f"signature does not verify with key {fingerprint(signing_key)} (the manifest names key {fingerprint(attacker)})",
    )
    assert verify_pack(tampered, attacker.public_key()).ok  # self-consistent: only the key tells them apart


@pytest.mark.parametrize(("name", "reason"), [
    ("../evil", "'..' component"),
    ("/etc/x", "absolute path"),
    ("reports\\..\\..\\x", "backslash"),
    ("C:/Windows/x", "drive letter"),
])
def test_unsafe_entry_names_are_reported(
        pack: Path, tmp_path: Path, signing_key: Ed25519PrivateKey, name: str, reason: str) -> None:
    tampered = tmp_path / "tampered.zip"
    rewrite_zip(pack, tampered, lambda member, data: data, extra={name: b"payload"})

    result = verify_pack(tampered, signing_key.public_key())

    assert not result.ok and result.signature_ok
    assert result.problems == (f"unsafe path in archive: {name} ({reason})",)
    assert result.added == ()  # reported as unsafe, never as an ordinary file
    assert not (tmp_path.parent / "evil").exists()


def test_duplicate_and_symlink_entries_are_reported(pack: Path, tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    tampered = tmp_path / "tampered.zip"
    link = zipfile.ZipInfo("link-to-etc")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about the duplicate name
        rewrite_zip(pack, tampered, lambda name, data: data, extra={"findings.json": b"{}"})
        with zipfile.ZipFile(tampered, "a") as archive:
            archive.writestr(link, "/etc/passwd")

    result = verify_pack(tampered, signing_key.public_key())

    assert not result.ok and result.signature_ok
    assert result.altered == ("findings.json",)  # the second copy differs from the manifest
    assert result.added == ("link-to-etc",)
    assert "duplicate entry in archive: findings.json (2 copies)" in result.problems
    assert "symlink entry in archive: link-to-etc" in result.problems


# --- not a pack at all ------------------------------------------------------------------------

def test_a_file_that_is_not_a_zip_gives_a_reason_not_an_exception(tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    bogus = tmp_path / "evidence.zip"
    bogus.write_text("just text")

    result = verify_pack(bogus, signing_key.public_key())

    assert not result.ok and not result.signature_ok and result.manifest is None
    assert "not a readable zip archive" in result.problems[0]


def test_a_zip_without_manifest_or_signature_gives_a_reason(
        pack: Path, tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    no_manifest, no_signature = tmp_path / "no-manifest.zip", tmp_path / "no-signature.zip"
    rewrite_zip(pack, no_manifest, lambda name, data: None if name == MANIFEST else data)
    rewrite_zip(pack, no_signature, lambda name, data: None if name == SIGNATURE else data)

    without_manifest = verify_pack(no_manifest, signing_key.public_key())
    without_signature = verify_pack(no_signature, signing_key.public_key())

    assert not without_manifest.ok and without_manifest.problems == ("archive has no manifest.json",)
    assert not without_signature.ok and not without_signature.signature_ok
    assert without_signature.problems == ("archive has no manifest.sig",)
    assert without_signature.manifest is not None


def test_an_unreadable_path_raises_input_error(tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    with pytest.raises(InputError, match="missing.zip"):
        verify_pack(tmp_path / "missing.zip", signing_key.public_key())
    with pytest.raises(InputError):
        verify_pack(tmp_path, signing_key.public_key())  # a directory


# --- size -------------------------------------------------------------------------------------

def test_a_200_mb_file_is_streamed_into_the_pack_and_verifies(tmp_path: Path, signing_key: Ed25519PrivateKey) -> None:
    big = tmp_path / "inventory.jsonl"
    hasher = hashlib.sha256()
    with big.open("wb") as handle:
        for block in range(200):  # 200 x 1 MiB, written a block at a time
            line = b'{"block": %d, "id": "vol-%08d"}\n' % (block, block)
            chunk = (line * (1024 * 1024 // len(line) + 1))[:1024 * 1024]
            hasher.update(chunk)
            handle.write(chunk)
    out = tmp_path / "evidence.zip"

    manifest = build_pack(out, {"inventory.jsonl": big, "report.pdf": EVIDENCE["report.pdf"]}, METADATA, signing_key)
    result = verify_pack(out, signing_key.public_key())

    assert result.ok, result.problems
    assert manifest["files"][0] == {"path": "inventory.jsonl", "sha256": hasher.hexdigest(), "size": 200 * 1024 * 1024}
