"""notify.yaml -> NotifyConfig: which alert targets to call, the minimum severity to send,
timeout and retries. ${VAR} in target values is expanded from the environment."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

from drscan.errors import InputError
from drscan.model import SEVERITIES
from drscan.redact import excerpt
from drscan.yamlfile import YamlDocument, load_yaml, validate

KINDS: tuple[str, ...] = ("webhook", "pagerduty", "opsgenie", "slack")
PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
OPSGENIE_API_URL = "https://api.opsgenie.com"  # EU accounts use https://api.eu.opsgenie.com

_ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# RFC 9110 token characters: what a header name may be made of.
_HEADER_NAME = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"

_COMMON = {
    "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"},
    "kind": {"enum": list(KINDS)},
}
_URL = {"type": "string", "minLength": 1}
_SECRET = {"type": "string", "minLength": 1}
# Keys each kind accepts beside name and kind; the first of `required` must be present.
_KIND_PROPERTIES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "webhook": ({"url": _URL, "headers": {
        "type": "object", "propertyNames": {"pattern": _HEADER_NAME},
        "additionalProperties": {"type": "string"},
    }}, ["url"]),
    "pagerduty": ({"routing_key": _SECRET, "url": _URL}, ["routing_key"]),
    "opsgenie": ({"api_key": _SECRET, "base_url": _URL}, ["api_key"]),
    "slack": ({"url": _URL}, ["url"]),
}

NOTIFY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["targets"],
    "properties": {
        "min_severity": {"enum": list(SEVERITIES)},
        "timeout_s": {"type": "number", "exclusiveMinimum": 0, "maximum": 120},
        "retries": {"type": "integer", "minimum": 0, "maximum": 10},
        "targets": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "kind"],
                "properties": _COMMON,
                "allOf": [
                    {
                        "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                        "then": {
                            "additionalProperties": False,
                            "required": required,
                            "properties": {**_COMMON, **properties},
                        },
                    }
                    for kind, (properties, required) in _KIND_PROPERTIES.items()
                ],
            },
        },
    },
}


@dataclass(frozen=True)
class Target:
    """One place alerts go. `url` is the full endpoint (webhook, slack, pagerduty);
    `base_url` the API root (opsgenie). Secrets are kept out of repr so they never reach a log."""

    name: str
    kind: str
    url: str = field(default="", repr=False)
    base_url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    routing_key: str = field(default="", repr=False)
    api_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class NotifyConfig:
    targets: tuple[Target, ...] = ()
    min_severity: str = "high"
    timeout_s: float = 5.0
    retries: int = 3
    path: Path | None = None


def _expand(value: str, document: YamlDocument, at: tuple[Any, ...]) -> str:
    """Replace each ${VAR} with the environment's value; an unset variable is an error naming the line."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            location = "/".join(str(p) for p in at)
            raise InputError(f"{document.path}:{document.line_of(at)}: environment variable {name!r} "
                             f"is not set (used in {location})")
        return os.environ[name]

    return _ENV_VAR.sub(substitute, value)


def _check_url(raw: str, value: str, document: YamlDocument, at: tuple[Any, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Show the value only when it was written in the file: an expanded one may be a secret (Slack URLs are).
        shown = f" (after expanding {excerpt(raw)})" if "${" in raw else f": {excerpt(value)}"
        raise InputError(f"{document.path}:{document.line_of(at)}: {at[-1]} must be an http or https URL "
                         f"with a host{shown}")
    return value


def _load_target(entry: dict[str, Any], index: int, document: YamlDocument) -> Target:
    at = ("targets", index)
    kind = entry["kind"]
    values: dict[str, Any] = {"name": entry["name"], "kind": kind}
    for key in ("url", "base_url", "routing_key", "api_key"):
        if key not in entry:
            continue
        value = _expand(entry[key], document, at + (key,))
        if not value.strip():
            raise InputError(f"{document.path}:{document.line_of(at + (key,))}: {key} is empty after expanding "
                             f"environment variables")
        if key in ("url", "base_url"):
            value = _check_url(entry[key], value, document, at + (key,))
        values[key] = value
    headers = {}
    for name, raw in (entry.get("headers") or {}).items():
        value = _expand(raw, document, at + ("headers", name))
        if "\r" in value or "\n" in value:
            raise InputError(f"{document.path}:{document.line_of(at + ('headers', name))}: header {excerpt(name)} "
                             f"contains a line break")
        headers[name] = value
    values["headers"] = headers
    if kind == "pagerduty":
        values.setdefault("url", PAGERDUTY_EVENTS_URL)
    if kind == "opsgenie":
        values["base_url"] = values.get("base_url", OPSGENIE_API_URL).rstrip("/")
    return Target(**values)


def load_notify_config(path: Path) -> NotifyConfig:
    """Read and validate notify.yaml. Raises InputError naming file:line on any problem."""
    document = load_yaml(path)
    validate(document, NOTIFY_SCHEMA, "notify configuration")
    data = document.data
    targets = []
    seen: set[str] = set()
    for index, entry in enumerate(data["targets"]):
        if entry["name"] in seen:
            raise InputError(f"{path}:{document.line_of(('targets', index, 'name'))}: duplicate target name "
                             f"{excerpt(entry['name'])}")
        seen.add(entry["name"])
        targets.append(_load_target(entry, index, document))
    return NotifyConfig(
        targets=tuple(targets),
        min_severity=data.get("min_severity", "high"),
        timeout_s=float(data.get("timeout_s", 5)),
        retries=int(data.get("retries", 3)),
        path=path,
    )
