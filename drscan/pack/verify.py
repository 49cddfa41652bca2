"""Checks an evidence pack written by archive.py (`drscan verify`): the Ed25519 signature over
manifest.json, then every member against it. Members are read in memory; nothing is extracted."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from drscan.errors import InputError
from drscan.pack.archive import (
    CHUNK_BYTES,
    MANIFEST,
    MANIFEST_VERSION,
    MAX_MEMBER_BYTES,
    SIGNATURE,
    collision_key,
    unsafe_name_reason,
)
from drscan.pack.keys import fingerprint
from drscan.redact import excerpt

MAX_MANIFEST_BYTES = 256 * 1024**2
MAX_SIGNATURE_BYTES = 4096
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
# What zipfile raises for a corrupt, truncated, encrypted or exotic member.
_READ_ERRORS = (zipfile.BadZipFile, EOFError, zlib.error, RuntimeError, NotImplementedError, ValueError)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    signature_ok: bool
    altered: tuple[str, ...]  # hash or size differs (or the member cannot be read)
    added: tuple[str, ...]  # in the zip, not in the manifest
    missing: tuple[str, ...]  # in the manifest, not in the zip
    problems: tuple[str, ...]  # one human-readable line per issue
    manifest: dict[str, Any] | None


class _UnreadableMember(Exception):
    """A member that cannot be read back as its declared size; the message says why."""


def verify_pack(
    zip_path: Path, public_key: Ed25519PublicKey, *, max_member_bytes: int = MAX_MEMBER_BYTES
) -> VerifyResult:
    """Check the pack at `zip_path` against `public_key`. A damaged or tampered pack gives
    ok=False with every reason; only a path that cannot be read raises InputError."""
    if not isinstance(public_key, Ed25519PublicKey):
        raise TypeError(f"public_key must be an Ed25519PublicKey, not {type(public_key).__name__}")
    zip_path = Path(zip_path)
    try:
        with zip_path.open("rb") as handle:
            try:
                archive = zipfile.ZipFile(handle)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
                return _failed([f"{zip_path} is not a readable zip archive ({exc})"])
            with archive:
                return _verify_archive(archive, public_key, max_member_bytes)
    except OSError as exc:
        raise InputError(f"cannot read evidence pack {zip_path}: {exc.strerror or exc}") from exc


def _failed(problems: list[str]) -> VerifyResult:
    return VerifyResult(False, False, (), (), (), tuple(problems), None)


def _verify_archive(archive: zipfile.ZipFile, public_key: Ed25519PublicKey, max_member_bytes: int) -> VerifyResult:
    entries, structure_problems = _index_entries(archive)
    manifest_bytes, problem = _read_small_member(archive, entries, MANIFEST, MAX_MANIFEST_BYTES)
    if manifest_bytes is None:
        return _failed([problem, *structure_problems])
    signature_bytes, signature_problem = _read_small_member(archive, entries, SIGNATURE, MAX_SIGNATURE_BYTES)

    manifest, manifest_problems, expected = _parse_manifest(manifest_bytes)
    signature_ok, signature_problems = _check_signature(public_key, manifest_bytes, signature_bytes, manifest)
    if signature_bytes is None:
        signature_problems.insert(0, signature_problem)

    altered: list[str] = []
    missing: list[str] = []
    file_problems: list[str] = []
    if manifest is not None:
        # Compared even when the signature fails, so the user sees everything that changed.
        for path in sorted(expected):
            infos = entries.get(path)
            if not infos:
                missing.append(path)
                file_problems.append(f"missing: {path}")
                continue
            want_sha256, want_size = expected[path]
            for info in infos:
                difference = _compare_member(archive, info, want_sha256, want_size, max_member_bytes)
                if difference:
                    altered.append(path)
                    file_problems.append(f"altered: {path} ({difference})")
                    break
    added = sorted(name for name in entries if name not in expected and name not in (MANIFEST, SIGNATURE))
    if manifest is not None:
        file_problems.extend(f"added: {name}" for name in added)
    else:
        added = []  # without a readable manifest nothing can be called added

    problems = [*signature_problems, *manifest_problems, *file_problems, *structure_problems]
    return VerifyResult(
        ok=signature_ok and not problems,
        signature_ok=signature_ok,
        altered=tuple(altered),
        added=tuple(added),
        missing=tuple(missing),
        problems=tuple(problems),
        manifest=manifest,
    )


def _index_entries(archive: zipfile.ZipFile) -> tuple[dict[str, list[zipfile.ZipInfo]], list[str]]:
    """Entries with safe names, by name (duplicates kept, to be checked too), and a problem
    for each unsafe name, directory, link, special file, encrypted entry or collision."""
    entries: dict[str, list[zipfile.ZipInfo]] = {}
    problems: list[str] = []
    for info in archive.infolist():
        name = info.filename
        reason = unsafe_name_reason(name.rstrip("/") if info.is_dir() else name)
        if reason:
            problems.append(f"unsafe path in archive: {name} ({reason})")
            continue
        if info.is_dir():
            problems.append(f"unexpected directory entry in archive: {name}")
            continue
        file_type = stat.S_IFMT(info.external_attr >> 16)
        if file_type == stat.S_IFLNK:
            problems.append(f"symlink entry in archive: {name}")
        elif file_type not in (0, stat.S_IFREG):
            problems.append(f"special file entry in archive: {name}")
        if info.flag_bits & 0x1:
            problems.append(f"encrypted entry in archive: {name}")
        entries.setdefault(name, []).append(info)
    by_key: dict[str, list[str]] = {}
    for name, infos in entries.items():
        if len(infos) > 1:
            problems.append(f"duplicate entry in archive: {name} ({len(infos)} copies)")
        by_key.setdefault(collision_key(name), []).append(name)
    for names in by_key.values():
        if len(names) > 1:
            problems.append(f"entries would overwrite each other when extracted: {', '.join(sorted(names))}")
    return entries, problems


def _read_small_member(
    archive: zipfile.ZipFile, entries: dict[str, list[zipfile.ZipInfo]], name: str, limit: int
) -> tuple[bytes | None, str]:
    """manifest.json or manifest.sig in memory, or None and the reason."""
    infos = entries.get(name, [])
    if not infos:
        return None, f"archive has no {name}"
    if len(infos) > 1:
        return None, f"archive has {len(infos)} copies of {name}; cannot tell which one to check"
    try:
        return _read_member(archive, infos[0], limit), ""
    except _UnreadableMember as exc:
        return None, f"{name} is unreadable ({exc})"


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    chunks = []
    _stream_member(archive, info, limit, chunks.append)
    return b"".join(chunks)


def _stream_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, sink: Any) -> int:
    """Feed the member's bytes to `sink` chunk by chunk; refuse one over `limit` or one that
    does not decompress to exactly its declared size (a zip bomb or a forged header)."""
    if info.file_size > limit:
        raise _UnreadableMember(f"declares {info.file_size} bytes; the limit is {limit}")
    size = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK_BYTES):
                size += len(chunk)
                if size > info.file_size:
                    raise _UnreadableMember(f"decompresses to more than its declared {info.file_size} bytes")
                sink(chunk)
    except _READ_ERRORS as exc:
        raise _UnreadableMember(str(exc) or type(exc).__name__) from exc
    if size != info.file_size:
        raise _UnreadableMember(f"decompresses to {size} bytes, not its declared {info.file_size}")
    return size


def _compare_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, want_sha256: str, want_size: int, limit: int
) -> str | None:
    """None when the member matches the manifest, else what differs."""
    hasher = hashlib.sha256()
    try:
        size = _stream_member(archive, info, limit, hasher.update)
    except _UnreadableMember as exc:
        return f"unreadable: {exc}"
    differs = [label for label, same in (("sha256", hasher.hexdigest() == want_sha256), ("size", size == want_size))
               if not same]
    if not differs:
        return None
    return f"{' and '.join(differs)} {'differs' if len(differs) == 1 else 'differ'}"


def _parse_manifest(data: bytes) -> tuple[dict[str, Any] | None, list[str], dict[str, tuple[str, int]]]:
    """The manifest, its problems, and path -> (sha256, size) for each well-formed file entry."""
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [f"{MANIFEST} is not valid UTF-8 JSON ({exc})"], {}
    except RecursionError:  # the parser recurses per level: a crafted manifest is a failed check, not a crash
        return None, [f"{MANIFEST} is not valid JSON: nested too deeply to read"], {}
    if not isinstance(manifest, dict):
        return None, [f"{MANIFEST} is not a JSON object"], {}
    problems: list[str] = []
    if manifest.get("manifest_version") != MANIFEST_VERSION:
        problems.append(f"{MANIFEST} has unsupported manifest_version {excerpt(manifest.get('manifest_version'))}")
    files = manifest.get("files")
    if not isinstance(files, list):
        return manifest, [*problems, f"{MANIFEST} has no files list"], {}
    expected: dict[str, tuple[str, int]] = {}
    for index, entry in enumerate(files):
        if not _is_file_entry(entry):
            problems.append(f"{MANIFEST} files[{index}] is malformed")
            continue
        path = entry["path"]
        reason = unsafe_name_reason(path)
        if reason:
            problems.append(f"unsafe path in manifest: {path} ({reason})")
        elif path in (MANIFEST, SIGNATURE):
            problems.append(f"{MANIFEST} lists its own reserved name {path}")
        elif path in expected:
            problems.append(f"{MANIFEST} lists {path} more than once")
        else:
            expected[path] = (entry["sha256"], entry["size"])
    return manifest, problems, expected


def _is_file_entry(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("path"), str)
        and isinstance(entry.get("sha256"), str)
        and bool(_SHA256_HEX.match(entry["sha256"]))
        and type(entry.get("size")) is int
        and entry["size"] >= 0
    )


def _check_signature(
    public_key: Ed25519PublicKey, manifest_bytes: bytes, signature_bytes: bytes | None, manifest: dict[str, Any] | None
) -> tuple[bool, list[str]]:
    """Ed25519 over the exact manifest.json bytes; a failure names the expected key and, when
    the manifest says which key signed it, that one too."""
    if signature_bytes is None:
        return False, []
    try:
        signature = base64.b64decode(signature_bytes.strip(), validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if len(signature) != 64:
        return False, [f"{SIGNATURE} is not a base64-encoded 64-byte Ed25519 signature"]
    expected = fingerprint(public_key)
    claimed = _claimed_fingerprint(manifest)
    try:
        public_key.verify(signature, manifest_bytes)
    except InvalidSignature:
        hint = f" (the manifest names key {claimed})" if claimed and claimed != expected else ""
        return False, [f"signature does not verify with key {expected}{hint}"]
    if claimed != expected:
        return True, [f"{MANIFEST} names signing key {excerpt(claimed)} but was signed by {expected}"]
    return True, []


def _claimed_fingerprint(manifest: dict[str, Any] | None) -> str | None:
    block = manifest.get("signature") if manifest else None
    value = block.get("public_key_fingerprint") if isinstance(block, dict) else None
    return value if isinstance(value, str) else None
