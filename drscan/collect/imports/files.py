"""Find export files under a directory, read them (plain or gzipped), detect their format
and hand their records to the matching importer. Every parser here is bounded: gzip by
expanded size and ratio, JSON by nesting depth, CSV by field size; a bound hit, a corrupt
file or a file that is not UTF-8 is an InputError naming the file (and line); an empty file
is a Gap naming it."""

from __future__ import annotations

import io
import json
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

import orjson  # several times faster than json on large exports; errors carry line and column

from drscan.collect.imports.aws_cli import cli_records
from drscan.collect.imports.aws_config import ENVELOPE_KEYS, config_records
from drscan.collect.imports.aws_credential_report import credential_report_records, looks_like_credential_report
from drscan.collect.imports.azure_graph import row_records
from drscan.collect.imports.backups import import_backup_document
from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.gcp_asset import (NEWEST_UPDATE, asset_capture, asset_records, asset_type_of, asset_updated,
                                              convert_asset)
from drscan.collect.imports.kubernetes import import_kubernetes_document, looks_like_kubernetes
from drscan.collect.imports.records import UNREADABLE, RawRecord, convert_records, unreadable_gap
from drscan.collect.imports.streams import STREAM_AT, config_items, ndjson_lines, open_export
from drscan.errors import InputError
from drscan.model import Gap
from drscan.monitoring.imports import (YAML_SUFFIXES, import_monitoring_json, import_monitoring_yaml,
                                       looks_like_monitoring_yaml)

SUFFIXES = (".json", ".json.gz", ".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz", ".csv", ".csv.gz")

# A gzip export may expand to at most this much, and past RATIO_FLOOR to at most MAX_RATIO times
# its compressed size (a real Config snapshot compresses 10-30x; a gzip bomb 1000x).
MAX_EXPANDED = 2 * 1024 ** 3
MAX_RATIO = 200
RATIO_FLOOR = 64 * 1024 ** 2
_CHUNK = 1 << 20
JSON_MAX_DEPTH = 1024  # orjson's own limit, which the stdlib fallback must not exceed either


def find_export_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(f"{root}: no such file or directory")
    # YAML is read only when its content is a monitoring file (rule file, alertmanager.yml, ...):
    # drscan.yaml and manifests next to the exports are not exports.
    return sorted(p for p in root.rglob("*") if p.is_file() and (
        p.name.lower().endswith(SUFFIXES) or (p.name.lower().endswith(YAML_SUFFIXES) and looks_like_monitoring_yaml(p))))


def gunzip(raw: bytes, path: Path, max_expanded: int = MAX_EXPANDED, max_ratio: int = MAX_RATIO,
           ratio_floor: int = RATIO_FLOOR) -> bytes:
    """Decompress every gzip member of `raw`, streaming, and stop with an InputError as soon as
    the output passes `max_expanded` bytes, or `max_ratio` times the input read so far once past
    `ratio_floor`: an unbounded decompression never reaches memory."""
    out = bytearray()
    position = 0  # how much of `raw` the decompressors have been given
    while position < len(raw):
        decompressor = zlib.decompressobj(wbits=31)  # 31: a gzip header and trailer
        try:
            while not decompressor.eof:
                chunk = decompressor.unconsumed_tail
                if not chunk:
                    chunk = raw[position:position + _CHUNK]
                    position += len(chunk)
                piece = decompressor.decompress(chunk, _CHUNK)
                if not piece and not chunk and not decompressor.eof:
                    raise InputError(f"{path}: truncated gzip: the file ends before the compressed stream does")
                out += piece
                read = position - len(decompressor.unconsumed_tail)
                if len(out) > max_expanded or (len(out) > ratio_floor and len(out) > max_ratio * read):
                    raise InputError(f"{path}: gzip expands past {len(out) // 2 ** 20} MiB from {read // 1024} KiB "
                                     f"(limits: {max_expanded // 2 ** 20} MiB, or {max_ratio}x once past "
                                     f"{ratio_floor // 2 ** 20} MiB); not read")
        except zlib.error as exc:
            raise InputError(f"{path}: corrupt gzip: {exc}") from None
        position -= len(decompressor.unused_data)
        rest = raw[position:]
        if rest[:2] != b"\x1f\x8b":
            if rest.strip(b"\x00"):
                raise InputError(f"{path}: corrupt gzip: {len(rest)} bytes of trailing data that are not gzip")
            break  # zero padding (some copy tools add it), as gzip(1) accepts
    return bytes(out)


def read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it is gzip (by magic number, not by name), without a BOM."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if raw[:2] == b"\x1f\x8b":
        raw = gunzip(raw, path)
    return raw[3:] if raw[:3] == b"\xef\xbb\xbf" else raw


def utf8_error(raw: bytes, path: Path, exc: UnicodeDecodeError, first_line: int = 1) -> InputError:
    """Where the bad byte is, as line and column (1-based, in bytes), not just its offset."""
    line = first_line + raw.count(b"\n", 0, exc.start)
    column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
    return InputError(f"{path}:{line}:{column}: not UTF-8 text (byte 0x{raw[exc.start]:02x}: {exc.reason})")


def decode(raw: bytes, path: Path, first_line: int = 1) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise utf8_error(raw, path, exc, first_line) from None


def json_error(raw: bytes, path: Path, error: orjson.JSONDecodeError, first_line: int = 1) -> InputError:
    """orjson is fast but vague about where; on failure the stdlib parser names line and column
    (it recurses, so depth is checked first: orjson stops at 1024 levels by itself)."""
    if "depth limit" in error.msg or "recursion" in error.msg:
        return InputError(f"{path}:{first_line + error.lineno - 1}:{error.colno}: JSON nested deeper than "
                          f"{JSON_MAX_DEPTH} levels; not read")
    try:
        json.loads(decode(raw, path, first_line))
    except json.JSONDecodeError as exc:
        return InputError(f"{path}:{first_line + exc.lineno - 1}:{exc.colno}: invalid JSON: {exc.msg}")
    except RecursionError:
        return InputError(f"{path}: JSON nested too deeply to read")
    return InputError(f"{path}:{first_line + error.lineno - 1}:{error.colno}: invalid JSON: {error.msg}")


def parse_json(raw: bytes, path: Path, first_line: int = 1) -> Any:
    """A JSON document, or an InputError naming the file, line and column."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise json_error(raw, path, exc, first_line) from None


def _first_line_is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw.split(b"\n", 1)[0])
    except orjson.JSONDecodeError:
        return False
    return True


def _ndjson_records(handle: BinaryIO, path: Path) -> Iterator[RawRecord]:
    """An NDJSON export's records, each parsed when the importer reaches it."""
    with handle:
        for number, line in ndjson_lines(handle):
            yield RawRecord(f"{path}#line {number}", parse_json(line, path, number), convert_asset)


def _is_asset(value: Any) -> bool:
    return isinstance(value, dict) and "name" in value and asset_type_of(value) is not None


def _is_arm_row(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "type" in value


def document_records(document: Any, path: Path) -> list[RawRecord] | None:
    """The records of a parsed JSON document, by its shape; None when no format matches."""
    if isinstance(document, dict):
        if any(key in document for key in ENVELOPE_KEYS[:2]) or ("Results" in document and "QueryInfo" in document):
            return config_records(document, str(path))
        if isinstance(document.get("data"), list):
            return row_records(document["data"], str(path))
        if isinstance(document.get("value"), list) and document["value"] and _is_arm_row(document["value"][0]):
            return row_records(document["value"], str(path))  # an ARM REST list (az rest)
        if isinstance(document.get("assets"), list):
            return asset_records(document["assets"], str(path), "asset")
        if isinstance(document.get("results"), list) and all(_is_asset(r) for r in document["results"][:5]):
            return asset_records(document["results"], str(path), "result")
        if _is_asset(document):
            return asset_records([document], str(path), "asset")
        return cli_records(document, path)
    if isinstance(document, list):
        if not document:
            return []
        if _is_asset(document[0]):
            return asset_records(document, str(path), "asset")
        if _is_arm_row(document[0]):
            return row_records(document, str(path))
    return None


def file_records(path: Path, stream_at: int | None = None) -> tuple[Iterable[RawRecord], ImportBatch]:
    """Read one export file: its records, and what needs no records (gaps about the file itself,
    such as empty or unrecognized; backup-tool and Kubernetes exports, which their importers read
    whole). NDJSON exports, and Config snapshots of `stream_at` bytes or more, give their records
    lazily (drscan.collect.imports.streams): parsed one at a time as they are converted."""
    stream_at = STREAM_AT if stream_at is None else stream_at
    handle, size = open_export(path, read_bytes)
    start = handle.tell()
    head = handle.read(512).lstrip()
    handle.seek(start)
    name = path.name.lower()
    if head and name.endswith((".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")):
        batch = ImportBatch()
        return _capturing(_ndjson_records(handle, path), batch), batch
    if head[:1] == b"{" and size >= stream_at and name.endswith((".json", ".json.gz")):
        records = config_items(handle, path, lambda raw: _relocated(raw, path))
        if records is not None:
            return records, ImportBatch()
    with handle:
        raw = handle.read()
    if not head:
        return [], _file_gap(path, "EmptyFile", "the file is empty (or only whitespace)")
    if looks_like_credential_report(head.split(b"\n", 1)[0].decode("utf-8", "replace")):
        return credential_report_records(decode(raw, path).lstrip(), str(path))
    if name.endswith(YAML_SUFFIXES):  # find_export_files keeps only monitoring YAML
        return [], _whole_file(path, "monitoring YAML", lambda: import_monitoring_yaml(decode(raw, path), path)) or ImportBatch()
    if name.endswith((".csv", ".csv.gz")):
        return [], _file_gap(path, "UnrecognizedFormat",
                             "CSV is not an IAM credential report (header must start 'user,arn,user_creation_time')")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if head.startswith(b"{") and "depth limit" not in exc.msg and _first_line_is_json(raw):  # NDJSON saved as .json
            batch = ImportBatch()
            return _capturing(_ndjson_records(io.BytesIO(raw), path), batch), batch
        raise json_error(raw, path, exc) from None
    backup = import_backup_document(document, path)  # first: a Veeam {"data": [...]} page is no Azure result
    if backup is not None:
        return [], backup
    if looks_like_kubernetes(document):  # kubectl get -o json, kubectl config view -o json
        return [], import_kubernetes_document(document, path)
    monitoring = _whole_file(path, "Prometheus/Alertmanager API answer", lambda: import_monitoring_json(document, path))
    if monitoring is not None:
        return [], monitoring
    records = document_records(document, path)
    if records is None:
        return [], _file_gap(path, "UnrecognizedFormat", "JSON matches no supported export format")
    listing = isinstance(document, dict) and isinstance(document.get("assets"), list)
    return _with_capture(records, document.get("readTime") if listing else None)


def _relocated(raw: bytes, path: Path) -> InputError | None:
    """The InputError (line and column) for a file whose streamed parse failed; None if it parses."""
    try:
        orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return json_error(raw, path, exc)
    return None


def _with_capture(records: list[RawRecord], read_time: Any = None) -> tuple[list[RawRecord], ImportBatch]:
    """Records and an empty batch dated when the file says its data was captured (Cloud Asset
    files: a readTime, else their newest updateTime); other records carry their own time or none."""
    batch = ImportBatch()
    if any(record.convert is convert_asset for record in records):
        batch.captured_at, batch.captured_basis = asset_capture(records, read_time)
    return records, batch


def _capturing(records: Iterable[RawRecord], batch: ImportBatch) -> Iterator[RawRecord]:
    """The records, passed on as they come, dating `batch` by the newest Cloud Asset updateTime
    among them once they are all read (asset_capture, without holding them)."""
    newest = ""
    for record in records:
        updated = asset_updated(record)
        if updated > newest:
            newest = updated
        yield record
    if newest:
        batch.captured_at, batch.captured_basis = newest, NEWEST_UPDATE


def import_file(path: Path) -> ImportBatch:
    records, batch = file_records(path)
    batch.extend(convert_records(records))
    return batch


def _whole_file(path: Path, what: str, read: Callable[[], ImportBatch | None]) -> ImportBatch | None:
    """An importer that reads a file whole (its resources depend on each other): fields of types
    it cannot read make the file one Gap, never a crash."""
    try:
        return read()
    except UNREADABLE as exc:
        return ImportBatch(gaps=[unreadable_gap(str(path), what, exc, provider="monitoring")])


def _file_gap(path: Path, code: str, why: str) -> ImportBatch:
    return ImportBatch(gaps=[Gap(provider="import", account="", region="", service="import", operation=str(path),
                                 code=code, message=f"{path}: {why}; file skipped")])
