"""Find export files under a directory, read them (plain or gzipped), detect their format
and hand them to the matching importer."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import orjson  # several times faster than json on large exports; errors carry line and column

from drscan.collect.imports.aws_cli import import_cli_dump
from drscan.collect.imports.aws_config import import_config_document
from drscan.collect.imports.aws_credential_report import import_credential_report, looks_like_credential_report
from drscan.collect.imports.azure_graph import import_graph_rows
from drscan.collect.imports.backups import import_backup_document
from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.gcp_asset import asset_type_of, import_assets
from drscan.collect.imports.kubernetes import import_kubernetes_document, looks_like_kubernetes
from drscan.errors import InputError
from drscan.model import Gap
from drscan.monitoring.imports import (YAML_SUFFIXES, import_monitoring_json, import_monitoring_yaml,
                                       looks_like_monitoring_yaml)

SUFFIXES = (".json", ".json.gz", ".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz", ".csv", ".csv.gz")


def find_export_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError(f"{root}: no such file or directory")
    # YAML is read only when its content is a monitoring file (rule file, alertmanager.yml, ...):
    # drscan.yaml and manifests next to the exports are not exports.
    return sorted(p for p in root.rglob("*") if p.is_file() and (
        p.name.lower().endswith(SUFFIXES) or (p.name.lower().endswith(YAML_SUFFIXES) and looks_like_monitoring_yaml(p))))


def read_bytes(path: Path) -> bytes:
    """The file's content, gunzipped when it is gzip (by magic number, not by name), without a BOM."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    return raw[3:] if raw[:3] == b"\xef\xbb\xbf" else raw


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _json_error(path: Path, exc: json.JSONDecodeError) -> InputError:
    return InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}")


def _first_line_is_json(raw: bytes) -> bool:
    try:
        orjson.loads(raw.split(b"\n", 1)[0])
    except orjson.JSONDecodeError:
        return False
    return True


def _precise_json_error(raw: bytes, path: Path, fallback: json.JSONDecodeError) -> InputError:
    """orjson is fast but vague about where; on failure the stdlib parser names line and column."""
    try:
        json.loads(_decode(raw, path))
    except json.JSONDecodeError as exc:
        return _json_error(path, exc)
    return _json_error(path, fallback)


def _ndjson_assets(raw: bytes, path: Path) -> list[tuple[str, Any]]:
    assets = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            assets.append((f"{path}#line {number}", orjson.loads(line)))
        except orjson.JSONDecodeError as exc:
            precise = _precise_json_error(line, path, exc)
            raise InputError(str(precise).replace(f"{path}:1:", f"{path}:{number}:", 1)) from None
    return assets


def _is_asset(value: Any) -> bool:
    return isinstance(value, dict) and "name" in value and asset_type_of(value) is not None


def _is_arm_row(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "type" in value


def import_document(document: Any, path: Path) -> ImportBatch | None:
    """Dispatch a parsed JSON document by its shape; None when no format matches."""
    backup = import_backup_document(document, path)  # first: a Veeam {"data": [...]} page is no Azure result
    if backup is not None:
        return backup
    if isinstance(document, dict):
        if looks_like_kubernetes(document):  # kubectl get -o json, kubectl config view -o json
            return import_kubernetes_document(document, path)
        if "configurationItems" in document or "baseConfigurationItems" in document or (
                "Results" in document and "QueryInfo" in document):
            return import_config_document(document, str(path))
        if isinstance(document.get("data"), list):
            return import_graph_rows(document["data"], str(path))
        if isinstance(document.get("value"), list) and document["value"] and _is_arm_row(document["value"][0]):
            return import_graph_rows(document["value"], str(path))  # an ARM REST list (az rest)
        if isinstance(document.get("assets"), list):
            return import_assets(((f"{path}#asset {n}", a) for n, a in enumerate(document["assets"], start=1)),
                                 read_time=document.get("readTime"))
        if isinstance(document.get("results"), list) and all(_is_asset(r) for r in document["results"][:5]):
            return import_assets((f"{path}#result {n}", a) for n, a in enumerate(document["results"], start=1))
        if _is_asset(document):
            return import_assets([(f"{path}#asset 1", document)])
        monitoring = import_monitoring_json(document, path)
        if monitoring is not None:
            return monitoring
        cli_dump = import_cli_dump(document, path)
        if cli_dump is not None:
            return cli_dump
    if isinstance(document, list):
        if not document:
            return ImportBatch()
        if _is_asset(document[0]):
            return import_assets((f"{path}#asset {n}", a) for n, a in enumerate(document, start=1))
        if _is_arm_row(document[0]):
            return import_graph_rows(document, str(path))
    return None


def import_file(path: Path) -> ImportBatch:
    raw = read_bytes(path)
    head = raw[:512].lstrip()
    if not head:
        return ImportBatch()
    if looks_like_credential_report(head.split(b"\n", 1)[0].decode("utf-8", "replace")):
        return import_credential_report(_decode(raw, path).lstrip(), str(path))
    name = path.name.lower()
    if name.endswith(YAML_SUFFIXES):
        return import_monitoring_yaml(_decode(raw, path), path) or ImportBatch()
    if name.endswith((".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")):
        return import_assets(_ndjson_assets(raw, path))
    if name.endswith((".csv", ".csv.gz")):
        return _unrecognized(path, "CSV is not an IAM credential report (header must start 'user,arn,user_creation_time')")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if head.startswith(b"{") and _first_line_is_json(raw):  # NDJSON saved as .json
            return import_assets(_ndjson_assets(raw, path))
        raise _precise_json_error(raw, path, exc) from None
    batch = import_document(document, path)
    if batch is None:
        return _unrecognized(path, "JSON matches no supported export format")
    return batch


def _unrecognized(path: Path, why: str) -> ImportBatch:
    batch = ImportBatch()
    batch.gaps.append(Gap(provider="import", account="", region="", service="import", operation=str(path),
                          code="UnrecognizedFormat", message=f"{path}: {why}; file skipped"))
    return batch
