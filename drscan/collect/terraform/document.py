"""Reading Terraform JSON files: `terraform show -json` of a plan or state, or a raw .tfstate,
as the bytes users have them, checked for the format drscan reads. Collect stage, offline.
Format: developer.hashicorp.com/terraform/internals/json-format"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson

from drscan.collect.imports.files import read_bytes
from drscan.errors import InputError


# `terraform show -json` prints the same structure, for everything drscan reads, in format 0.1
# (Terraform 0.12-0.14), 0.2 (0.15) and 1.x (1.0 onwards).
FORMAT_VERSIONS = ("0.1", "0.2", "1")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Windows PowerShell 5 redirection (`>`) writes UTF-16 LE with a BOM


def read_json(path: Path) -> Any:
    raw = read_bytes(path)  # gunzipped, without a UTF-8 BOM
    if raw[:2] in UTF16_BOMS:
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: starts with a UTF-16 byte order mark but is not UTF-16 text (byte {exc.start})") from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:  # orjson is fast but vague about where; the stdlib parser names line and column
        json.loads(raw.decode("utf-8", "replace"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    raise InputError(f"{path}: invalid JSON")


def check_format(document: Any, path: Path) -> dict:
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected the JSON object `terraform show -json` prints, got {type(document).__name__}")
    version = document.get("format_version")
    if version is None and document.get("version") == 4 and "resources" in document:
        return document  # a raw .tfstate file
    if version is None:
        raise InputError(f"{path}: missing 'format_version': not `terraform show -json` output")
    text = str(version)
    if not any(text == known or text.startswith(known + ".") for known in FORMAT_VERSIONS):
        raise InputError(f"{path}: unsupported Terraform JSON format_version {version!r} (drscan reads 0.1, 0.2 and 1.x)")
    return document


