"""Remove credential-like values before anything reaches the store or a report.

Two nets: keys whose names say "secret" (password, token, private key, ...) have their
string values replaced, and any string value that looks like a credential (AWS access key
id, PEM private key, JWT, bearer token, connection string with a password) is replaced
wherever it appears."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from drscan.model import Inventory, Resource

REDACTED = "[REDACTED]"

SECRET_KEY_NAME = re.compile(
    r"(?i)(pass(word|wd|phrase)?|secret|token|credential|private[_-]?key|api[_-]?key|apikey|"
    r"access[_-]?key[_-]?secret|connection[_-]?string|sas[_-]?key|auth[_-]?key|client[_-]?secret)$"
)
SECRET_VALUE = re.compile(
    r"(?:\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b"  # AWS access key ids
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"  # PEM private keys
    r"|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # JWTs
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/-]{20,}"
    r"|(?i:(?:password|pwd|accountkey|sharedaccesskey)=)[^;\s]+"  # connection strings
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|\bxox[abprs]-[A-Za-z0-9-]{10,})"  # Slack tokens
)


# Every SECRET_VALUE match contains one of these; checking them first is much cheaper than the regex.
_MARKERS = ("AKIA", "ASIA", "AIDA", "AROA", "PRIVATE KEY", "eyJ", "earer", "EARER", "=", "gh", "xox")


def looks_secret(value: str) -> bool:
    return len(value) >= 16 and any(m in value for m in _MARKERS) and SECRET_VALUE.search(value) is not None


def redact_value(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        if key and value and SECRET_KEY_NAME.search(key):
            return REDACTED
        return REDACTED if looks_secret(value) else value
    if isinstance(value, dict):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, key) for v in value]
    return value


def redact_resource(resource: Resource) -> Resource:
    attrs = redact_value(dict(resource.attrs))
    tags = {k: redact_value(v, k) for k, v in resource.tags.items()}
    if attrs == resource.attrs and tags == resource.tags:
        return resource
    return replace(resource, attrs=attrs, tags=tags)


def redact_inventory(inventory: Inventory) -> Inventory:
    return replace(inventory, resources=tuple(redact_resource(r) for r in inventory.resources))
