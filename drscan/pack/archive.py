"""Writes the evidence pack after a scan is stored (`drscan pack`): a zip of the evidence files
plus manifest.json (SHA-256 and size of each) and manifest.sig (Ed25519 over manifest.json)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import json
import re
import stat
import unicodedata
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drscan.errors import InputError
from drscan.outputs import atomic_file
from drscan.pack.keys import fingerprint

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MANIFEST_VERSION = 1
SIGNATURE_ALGORITHM = "Ed25519"
MAX_MEMBER_BYTES = 2 * 1024**3  # the verifier refuses larger members, so the builder does too
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the zip epoch: same input, same bytes
CHUNK_BYTES = 1024 * 1024
_RESERVED_METADATA = frozenset({"manifest_version", "files", "signature"})
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")


def unsafe_name_reason(name: str) -> str | None:
    """Why `name` is unsafe as a member path (absolute, '..', backslash, drive letter, empty
    or '.' component, control character), or None when it is a plain relative path."""
    if not name:
        return "empty name"
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "control character"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid Unicode"
    if "\\" in name:
        return "backslash"
    if name.startswith("/"):
        return "absolute path"
    if _DRIVE_LETTER.match(name):
        return "drive letter"
    parts = name.split("/")
    if "" in parts:
        return "empty path component"
    if ".." in parts:
        return "'..' component"
    if "." in parts:
        return "'.' component"
    return None


def collision_key(name: str) -> str:
    """Names with equal keys land on the same file when extracted on a case-insensitive or
    Unicode-normalising file system (Windows, macOS), so a pack never holds two of them."""
    return unicodedata.normalize("NFC", name).casefold()


def canonical_json(value: Any) -> bytes:
    """The one serialisation that is signed: sorted keys, UTF-8, indent 2, trailing newline."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False)
    return (text + "\n").encode("utf-8")


def build_pack(
    out_path: Path,
    files: Mapping[str, bytes | Path | Callable[[], bytes]],
    metadata: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    on_file: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Write the signed pack to `out_path` atomically and return its manifest.
    `files` maps archive name -> content (bytes), a file to copy (Path, streamed), or a callable
    returning the bytes, called when its turn comes (a report still being rendered elsewhere:
    the members before it are written meanwhile); `on_file` is called after each one is written
    (a progress display)."""
    if not isinstance(private_key, Ed25519PrivateKey):
        raise TypeError(f"private_key must be an Ed25519PrivateKey, not {type(private_key).__name__}")
    names = _check_names(files)
    sizes = {name: None if callable(files[name]) else _content_size(name, files[name]) for name in names}
    _check_metadata(metadata)
    with atomic_file(Path(out_path)) as handle:  # OSError -> OutputError; a failure keeps the previous pack
        manifest_bytes = _write_zip(handle, files, sizes, metadata, private_key, on_file)
    return json.loads(manifest_bytes)


def _check_names(files: Mapping[str, bytes | Path]) -> list[str]:
    """Every name safe, unique after normalisation, not reserved, not also a folder; sorted."""
    reserved = {collision_key(MANIFEST), collision_key(SIGNATURE)}
    by_key: dict[str, str] = {}
    for name in files:
        if not isinstance(name, str):
            raise InputError(f"evidence pack: file name {name!r} is not a string")
        reason = unsafe_name_reason(name)
        if reason:
            raise InputError(f"evidence pack: unsafe file name {name!r} ({reason})")
        key = collision_key(name)
        if key in reserved:
            raise InputError(f"evidence pack: {name!r} is reserved for the pack's own manifest")
        if key in by_key:
            raise InputError(f"evidence pack: {name!r} and {by_key[key]!r} would be the same file once extracted")
        by_key[key] = name
    folders = {key.rsplit("/", depth)[0] for key in by_key for depth in range(1, key.count("/") + 1)}
    for key, name in by_key.items():
        if key in folders:
            raise InputError(f"evidence pack: {name!r} is both a file and a folder")
    return sorted(by_key.values())


def _content_size(name: str, content: bytes | Path) -> int:
    if isinstance(content, (bytes, bytearray)):
        size = len(content)
    elif isinstance(content, Path):
        try:
            info = content.lstat()  # a symbolic link is refused, never followed
        except OSError as exc:
            raise InputError(f"evidence pack: cannot read {content} for {name!r}: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"evidence pack: {content} for {name!r} is not a regular file")
        size = info.st_size
    else:
        raise TypeError(f"evidence pack: content of {name!r} must be bytes or a Path, not {type(content).__name__}")
    if size > MAX_MEMBER_BYTES:
        raise InputError(f"evidence pack: {name!r} is {size} bytes; the limit per file is {MAX_MEMBER_BYTES}")
    return size


def _check_metadata(metadata: Mapping[str, Any]) -> None:
    clashes = sorted(_RESERVED_METADATA & set(metadata))
    if clashes:
        raise InputError(f"evidence pack: metadata may not set {', '.join(clashes)}; the pack writes those")
    try:
        canonical_json(dict(metadata))
    except (TypeError, ValueError) as exc:
        raise InputError(f"evidence pack: metadata is not plain JSON ({exc})") from exc


def _write_zip(
    handle: BinaryIO,
    files: Mapping[str, bytes | Path | Callable[[], bytes]],
    sizes: dict[str, int | None],
    metadata: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    on_file: Callable[[], None] | None = None,
) -> bytes:
    """Members in sorted order, then manifest.json and manifest.sig; returns the manifest bytes."""
    entries = []
    with zipfile.ZipFile(handle, "w") as archive:
        for name, size in sizes.items():
            content = files[name]
            if callable(content):
                content = content()
                size = _content_size(name, content)
            digest = _add_member(archive, name, content, size)
            entries.append({"path": name, "sha256": digest, "size": size})
            if on_file is not None:
                on_file()
        manifest = {
            "manifest_version": MANIFEST_VERSION,
            **metadata,
            "files": entries,
            "signature": {"algorithm": SIGNATURE_ALGORITHM, "public_key_fingerprint": fingerprint(private_key)},
        }
        manifest_bytes = canonical_json(manifest)
        signature = base64.b64encode(private_key.sign(manifest_bytes)) + b"\n"
        _add_member(archive, MANIFEST, manifest_bytes, len(manifest_bytes))
        _add_member(archive, SIGNATURE, signature, len(signature))
    return manifest_bytes


def _member_info(name: str, size: int) -> zipfile.ZipInfo:
    # Everything the zip records is fixed here, so nothing of the host (clock, OS, umask) leaks in.
    info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix, so external_attr below means a regular 0644 file everywhere
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    info.file_size = size  # lets zipfile decide on zip64 before it writes the local header
    return info


def _add_member(archive: zipfile.ZipFile, name: str, content: bytes | Path, size: int) -> str:
    """Stream `content` into the archive, hashing as it goes; returns the hex SHA-256."""
    if isinstance(content, Path):
        try:
            stream = os.fdopen(os.open(content, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb")
        except OSError as exc:
            raise InputError(f"evidence pack: cannot read {content} for {name!r}: {exc.strerror or exc}") from exc
        with stream:  # an OSError while copying is the pack's disk: build_pack reports it as a write error
            return _copy_stream(archive, name, stream, size, str(content))
    return _copy_stream(archive, name, io.BytesIO(content), size, name)


def _copy_stream(archive: zipfile.ZipFile, name: str, stream: BinaryIO, size: int, source: str) -> str:
    hasher = hashlib.sha256()
    remaining = size
    with archive.open(_member_info(name, size), "w") as member:
        while True:
            chunk = stream.read(min(CHUNK_BYTES, remaining + 1))  # +1 notices a file that grew
            if not chunk:
                break
            if len(chunk) > remaining:
                raise InputError(f"evidence pack: {source} grew while it was being packed")
            hasher.update(chunk)
            member.write(chunk)
            remaining -= len(chunk)
    if remaining:
        raise InputError(f"evidence pack: {source} shrank while it was being packed")
    return hasher.hexdigest()
