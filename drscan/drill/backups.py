"""The backup a drill restores: read (never written), hashed, its format and age taken from the
file itself (drscan.collect.imports.dumps), and streamed in chunks to the restoring program with
the statements that would leave the scratch target (USE, CREATE DATABASE, \\connect) refused."""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from pathlib import Path
from typing import Iterator

from drscan.collect.imports.dumps import inspect_dump
from drscan.drill.model import BackupInfo
from drscan.drill.process import DrillStepError
from drscan.errors import InputError

CHUNK = 1 << 20
# Statements that switch to (or create) another database: restoring them would write outside
# the scratch target, possibly into the backup's own source.
_LEAVES_TARGET = re.compile(rb"^\s*(?:USE\s|CREATE\s+DATABASE\b|\\c(?:onnect)?\s)", re.IGNORECASE)


def inspect_backup_file(path: Path, engine: str) -> BackupInfo:
    """Format and time of a dump file, and its SHA-256 (the fetch phase reads it once, whole)."""
    if not path.is_file():
        raise InputError(f"--from {path}: no such file")
    facts = inspect_dump(path)
    method = facts.get("format")
    allowed = {"postgres": ("pg_dump custom", "pg_dump plain"), "mysql": ("mysqldump",)}[engine]
    if method not in allowed:
        raise InputError(f"--from {path}: not a {' or '.join(allowed)} file (found: {method or 'unknown format'})")
    if facts.get("complete") is False:
        raise InputError(f"--from {path}: the dump is incomplete (no end-of-dump footer); it cannot restore the whole database")
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise InputError(f"--from {path}: cannot read: {exc.strerror or exc}") from None
    return BackupInfo(description=str(path), method=method, taken_at=facts.get("created_at") or facts.get("modified_at"),
                      sha256=digest.hexdigest(), size_bytes=facts.get("size_bytes"))


def statements(path: Path) -> Iterator[bytes]:
    """The dump's lines in chunks (gunzipped when gzip), refusing any that leave the target."""
    with path.open("rb") as probe:
        opener = gzip.open if probe.read(2) == b"\x1f\x8b" else open
    pending: list[bytes] = []
    size = 0
    try:
        with opener(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                if line[:1] in (b"U", b"u", b"C", b"c", b"\\", b" ", b"\t") and _LEAVES_TARGET.match(line):
                    raise DrillStepError(f"{path}:{number}: the dump switches or creates a database "
                                         f"({line.strip()[:60].decode('utf-8', 'replace')}); a drill restores only into its "
                                         "scratch target: dump one database without --databases/--create")
                pending.append(line)
                size += len(line)
                if size >= CHUNK:
                    yield b"".join(pending)
                    pending, size = [], 0
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DrillStepError(f"{path}: damaged or truncated gzip stream: {exc}") from None
    if pending:
        yield b"".join(pending)
