"""Read large export files a record at a time (collect stage, offline): an NDJSON export line by
line, and a big AWS Config snapshot (`configurationItems`, `baseConfigurationItems`) item by item
through ijson, so a 1 GB file never becomes one tree of Python objects. files.py decides which
files stream; a record is parsed only when the importer asks for it, and dropped once converted.
A syntax error stops the file with an InputError naming it (line and column when the file is
small enough to read again for them, else the byte offset)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

import ijson

from drscan.collect.imports.aws_config import convert_item
from drscan.collect.imports.records import RawRecord
from drscan.errors import InputError

# A JSON file at least this big (after gunzip) is read item by item when it is a Config snapshot;
# smaller ones are parsed whole by orjson, which is several times faster.
STREAM_AT = 32 * 1024 ** 2
# On a syntax error in a streamed file up to this size, the file is read again for line and column.
RELOCATE_AT = 256 * 1024 ** 2
_ITEM_KEYS = ("configurationItems", "baseConfigurationItems")
_SCALARS = frozenset({"string", "number", "boolean", "null"})
_BOM = b"\xef\xbb\xbf"


def open_export(path: Path, read_bytes: Callable[[Path], bytes]) -> tuple[BinaryIO, int]:
    """A binary stream of the file's content without a BOM, and its size: the file itself when it
    is plain, its gunzipped bytes (read_bytes: bounded) in memory when it is gzip."""
    try:
        handle = path.open("rb")
        magic = handle.read(3)
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if magic[:2] == b"\x1f\x8b":
        handle.close()
        raw = read_bytes(path)
        return io.BytesIO(raw), len(raw)
    start = 3 if magic == _BOM else 0
    handle.seek(start)
    return handle, size - start


def ndjson_lines(handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of every non-blank line, read as it is needed."""
    for number, line in enumerate(handle, start=1):
        if line.strip():
            yield number, line


def config_items(handle: BinaryIO, path: Path, relocate: Callable[[bytes], InputError | None]) -> Iterator[RawRecord] | None:
    """The configuration items of a Config snapshot (or batch-get answer) as they are read, when
    the document is an object whose item list comes after nothing but scalar fields (as Config
    writes them); None otherwise, with the handle back where it was (the caller parses it whole).
    `relocate(raw)`: the InputError for the whole file's bytes, naming line and column (None
    when they parse)."""
    start = handle.tell()
    events = ijson.parse(handle, use_float=True)
    key = None
    try:
        for prefix, event, value in events:
            if prefix == "" and event == "start_map":
                continue
            if prefix == "" and event == "map_key":
                key = value
                continue
            if prefix == key and key in _ITEM_KEYS and event == "start_array":
                return _items(events, key, handle, path, start, relocate)
            if prefix == key and event in _SCALARS:
                continue
            break  # not an object, or a nested field first: not the layout streamed here
    except ijson.JSONError:
        pass  # the whole-file parse names the error
    handle.seek(start)
    return None


def _items(events, key: str, handle: BinaryIO, path: Path, start: int,
           relocate: Callable[[bytes], InputError | None]) -> Iterator[RawRecord]:
    where = f"{path}#item "
    try:
        for number, item in enumerate(ijson.items(events, f"{key}.item"), start=1):
            yield RawRecord(f"{where}{number}", item, convert_item)
    except ijson.JSONError as exc:
        offset = handle.tell()
        reason = " ".join(str(exc).split("\n", 1)[0].split())
        handle.seek(0, io.SEEK_END)
        located = None
        if handle.tell() - start <= RELOCATE_AT:
            handle.seek(start)
            located = relocate(handle.read())
        raise located or InputError(f"{path}: invalid JSON before byte {offset}: {reason}") from None
    finally:
        handle.close()
