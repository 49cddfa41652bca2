"""Reading Terraform JSON files: `terraform show -json` of a plan or state, or a raw .tfstate,
as the bytes users have them, checked for the format drscan reads. Collect stage, offline.
Format: developer.hashicorp.com/terraform/internals/json-format"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable, TypeVar

from drscan.collect.imports.files import parse_json, read_bytes
from drscan.errors import InputError
from drscan.redact import excerpt, redact_text
from drscan.safe_text import display

Loaded = TypeVar("Loaded")


# `terraform show -json` prints the same structure, for everything drscan reads, in format 0.1
# (Terraform 0.12-0.14), 0.2 (0.15) and 1.x (1.0 onwards).
FORMAT_VERSIONS = ("0.1", "0.2", "1")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Windows PowerShell 5 redirection (`>`) writes UTF-16 LE with a BOM


def read_json(path: Path) -> Any:
    """The file's JSON (gzip, depth and UTF-8 bounded as for imports; UTF-16 with a BOM
    accepted), or an InputError naming the file, line and column."""
    raw = read_bytes(path)  # gunzipped, without a UTF-8 BOM
    if raw[:2] in UTF16_BOMS:
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: starts with a UTF-16 byte order mark but is not UTF-16 text (byte {exc.start})") from None
    return parse_json(raw, path)


# What walking a document of the wrong shape raises (a number where modules, resources or
# instances belong, a list where an address does): the file is unreadable, not drscan broken.
UNREADABLE = (TypeError, AttributeError, KeyError, ValueError, IndexError)


def bounded(load: Callable[[Path], Loaded]) -> Callable[[Path], Loaded]:
    """A document within JSON's depth limit can still nest past Python's recursion limit in the
    walk over modules and blocks, and a value of the wrong JSON type can sit anywhere in it:
    either is an input error naming the file, not a traceback."""

    @functools.wraps(load)
    def guarded(path: Path) -> Loaded:
        try:
            return load(path)
        except RecursionError:
            raise InputError(f"{path}: nested too deeply to read") from None
        except UNREADABLE as exc:
            detail = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            why = display(redact_text(str(detail)), 80)
            why = f"lacks {why}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {why}"
            raise InputError(f"{path}: a value has the wrong JSON type or shape for `terraform show -json` "
                             f"output ({why})") from None

    return guarded


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
        raise InputError(f"{path}: unsupported Terraform JSON format_version {excerpt(version)} (drscan reads 0.1, 0.2 and 1.x)")
    return document


