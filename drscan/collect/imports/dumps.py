"""Database dumps -> `backup.dump.set` resources: a directory of `*.sql`, `*.sql.gz`, `*.dump`
files, or `aws s3api list-objects-v2` output for a dump prefix. Files are grouped into sets by
directory (or prefix) and name stem (`orders-2026-12-01.dump` -> `orders`); each dump is a run.

A dump's content is never loaded whole: the head says the format and, for pg_dump's custom
format, when it was made; the tail says whether it is complete. mysqldump ends a complete dump
with `-- Dump completed on YYYY-MM-DD hh:mm:ss` (client/mysqldump.cc write_footer, or just
`-- Dump completed` with --skip-dump-date); a plain pg_dump ends with `-- PostgreSQL database dump
complete`. A custom-format pg_dump has no footer: its completeness cannot be told from the file."""

from __future__ import annotations

import gzip
import re
import zlib
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from drscan.collect.imports.backup_runs import BACKUP_PROVIDER, Run, iso, parse_when, summarize
from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Resource
from drscan.normalize.dump_names import is_dump_name, stem_of  # noqa: F401 (is_dump_name: used through this module)

KIND = "backup.dump.set"
TAIL_BYTES = 4096
HEAD_BYTES = 4096
CHUNK = 1 << 20
_MYSQL_FOOTER = re.compile(rb"-- Dump completed(?: on (\d{4}-\d{2}-\d{2} +\d{1,2}:\d{2}:\d{2}))?\s*$")
_PG_FOOTER = re.compile(rb"-- PostgreSQL database dump complete\s*(?:--\s*)?(?:\\unrestrict \S+\s*)?$")


def _read_int(data: bytes, offset: int, size: int) -> tuple[int, int]:
    """pg_backup_archiver.c ReadInt: a sign byte, then `size` bytes little-endian."""
    if offset + 1 + size > len(data):
        raise ValueError("header truncated")
    sign = data[offset]
    value = int.from_bytes(data[offset + 1: offset + 1 + size], "little")
    return (-value if sign else value), offset + 1 + size


def pg_custom_header(head: bytes) -> dict[str, Any]:
    """Version and creation time of a pg_dump custom-format archive (ReadHead)."""
    vmaj, vmin, vrev = head[5], head[6], head[7]
    int_size, offset = head[8], 9
    version = (vmaj, vmin, vrev)
    if version >= (1, 7, 0):
        offset += 1  # offSize
    offset += 1  # format
    if version >= (1, 15, 0):
        offset += 1  # compression algorithm (one byte)
    elif version >= (1, 4, 0):
        _, offset = _read_int(head, offset, int_size)  # compression level
    facts: dict[str, Any] = {"archive_version": f"{vmaj}.{vmin}.{vrev}"}
    if version >= (1, 4, 0):
        fields = []
        for _ in range(7):  # sec, min, hour, mday, mon, year, isdst
            value, offset = _read_int(head, offset, int_size)
            fields.append(value)
        sec, minute, hour, mday, mon, year, _ = fields
        try:
            facts["created_at"] = iso(datetime(year + 1900, mon + 1, mday, hour, minute, min(sec, 59), tzinfo=timezone.utc))
        except ValueError:
            pass
    return facts


def _tail_of(path: Path, gz: bool) -> tuple[bytes, bool]:
    """The last TAIL_BYTES of the (decompressed) content, streamed; (tail, stream was whole)."""
    if not gz:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - TAIL_BYTES))
            return handle.read(), True
    tail = b""
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                tail = (tail + chunk)[-TAIL_BYTES:]
    except (EOFError, gzip.BadGzipFile, zlib.error):
        return tail, False  # truncated or damaged: the dump did not finish writing
    return tail, True


def inspect_dump(path: Path) -> dict[str, Any]:
    """Format, creation time and completeness of one dump file (head and tail only)."""
    try:
        stat = path.stat()
        gz = False
        with path.open("rb") as handle:
            gz = handle.read(2) == b"\x1f\x8b"
        if gz:
            try:
                with gzip.open(path, "rb") as handle:
                    head = handle.read(HEAD_BYTES)
            except (EOFError, gzip.BadGzipFile, zlib.error):
                head = b""
        else:
            with path.open("rb") as handle:
                head = handle.read(HEAD_BYTES)
        facts: dict[str, Any] = {"file": str(path), "size_bytes": stat.st_size, "compressed": gz,
                                 "modified_at": iso(datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc))}
        if head.startswith(b"PGDMP"):
            facts["format"], facts["tool"] = "pg_dump custom", "pg_dump"
            try:
                facts.update(pg_custom_header(head))
            except (ValueError, IndexError):
                raise InputError(f"{path}: byte 5: pg_dump custom-format header is truncated") from None
            return facts
        text_head = head[:HEAD_BYTES].decode("utf-8", "replace")
        if "-- MySQL dump" in text_head or "-- MariaDB dump" in text_head:
            facts["format"], facts["tool"] = "mysqldump", "mysqldump"
            tail, whole = _tail_of(path, gz)
            match = _MYSQL_FOOTER.search(tail.rstrip(b"\x00"))
            facts["complete"] = bool(match) and whole
            if match and match.group(1):  # "%04d-%02d-%02d %2d:%02d:%02d": the hour is space-padded
                stamp = " ".join(match.group(1).decode().split())
                facts["created_at"] = iso(datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc))
        elif "PostgreSQL database dump" in text_head:
            facts["format"], facts["tool"] = "pg_dump plain", "pg_dump"
            tail, whole = _tail_of(path, gz)
            facts["complete"] = bool(_PG_FOOTER.search(tail)) and whole
        elif stat.st_size == 0 or (gz and not head):
            facts["complete"] = False
        return facts
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _run(facts: dict[str, Any]) -> Run:
    complete = facts.get("complete")
    when = facts.get("created_at") or facts.get("modified_at")
    return Run(id=facts.get("file") or facts.get("key") or "?", kind=facts.get("format"), started_at=None, finished_at=when,
               # A dump that exists counts as a backup unless it is known to be cut short (see module doc).
               ok=complete is not False, status="complete" if complete else "incomplete" if complete is False else "present",
               size_bytes=facts.get("size_bytes"))


def _set_resource(rid: str, name: str, location: str, dumps: list[dict[str, Any]], source: str, extra: dict) -> Resource:
    runs = [_run(f) for f in dumps]
    newest = max(dumps, key=lambda f: (f.get("created_at") or f.get("modified_at") or "", f.get("file") or f.get("key") or ""))
    tools = sorted({f["tool"] for f in dumps if f.get("tool")})
    attrs: dict[str, Any] = {"tool": tools[0] if len(tools) == 1 else ("+".join(tools) or None), "location": location,
                             **summarize(runs), "dump_count": len(dumps),
                             "incomplete_count": sum(1 for f in dumps if f.get("complete") is False),
                             "latest_dump": newest.get("file") or newest.get("key"), "latest_format": newest.get("format"),
                             **extra}
    if "complete" in newest:
        attrs["latest_complete"] = newest["complete"]
    elif newest.get("size_bytes") == 0:
        attrs["latest_complete"] = False
    return Resource(kind=KIND, id=rid, name=name, provider=BACKUP_PROVIDER, account="", region="",
                    attrs={k: v for k, v in attrs.items() if v is not None}, source=source)


def import_dump_files(paths: list[Path]) -> ImportBatch:
    groups: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    for path in paths:
        groups[(path.parent, stem_of(path.name))].append(path)
    batch = ImportBatch()
    for (directory, stem), files in sorted(groups.items()):
        dumps = [inspect_dump(p) for p in sorted(files)]
        batch.resources.append(_set_resource(f"dumps:{directory / stem}", stem, str(directory), dumps, str(sorted(files)[0]), {}))
    return batch


def looks_like_s3_listing(document: Any) -> bool:
    contents = document.get("Contents") if isinstance(document, dict) else None
    return (isinstance(contents, list) and bool(contents) and isinstance(contents[0], dict) and "Key" in contents[0]
            and any(isinstance(c, dict) and is_dump_name(str(c.get("Key", ""))) for c in contents))


def import_s3_listing(document: dict, path: str) -> ImportBatch:
    bucket = document.get("Name")
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for number, item in enumerate(document["Contents"], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("Key"), str):
            raise InputError(f"{path}#Contents {number}: an object must have a Key")
        key = item["Key"]
        if not is_dump_name(key):
            continue
        prefix, _, name = key.rpartition("/")
        size = item.get("Size")
        groups[(prefix, stem_of(name))].append({
            "key": key, "size_bytes": size if isinstance(size, int) else None,
            "created_at": parse_when(item.get("LastModified"), f"{path}#Contents {number}.LastModified"),
            **({"complete": False} if size == 0 else {})})
    batch = ImportBatch()
    where = f"s3://{bucket}" if bucket else "s3://?"
    for (prefix, stem), dumps in sorted(groups.items()):
        location = f"{where}/{prefix}" if prefix else where
        extra = {"bucket": bucket, "bucket_arn": f"arn:aws:s3:::{bucket}" if bucket else None}
        batch.resources.append(_set_resource(f"dumps:{location}/{stem}", stem, location, dumps, f"{path}#Contents", extra))
    return batch
