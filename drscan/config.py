"""drscan.yaml -> typed configuration: organization, scope, applications and their targets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from drscan.errors import ConfigError, InputError
from drscan.model import SEVERITIES
from drscan.yamlfile import load_yaml, validate

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

CONFIG_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "organization": {"type": "string"},
        "scope": {"type": "object", "additionalProperties": False, "properties": {"name": {"type": "string"}}},
        "fail_on": {"enum": list(SEVERITIES) + ["none"]},
        "evidence_ttl_days": {"type": "object", "additionalProperties": {"type": "number", "exclusiveMinimum": 0}},
        "rules": {
            "type": "object", "additionalProperties": False,
            "properties": {"exclude": {"type": "array", "items": {"type": "string"}}},
        },
        "apps": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "members"],
                "properties": {
                    "name": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"},
                    "tier": {"type": "integer", "minimum": 0, "maximum": 5},
                    "owner": {"type": "string"},
                    "rpo": {"type": "string"},
                    "rto": {"type": "string"},
                    "members": {
                        "type": "object", "additionalProperties": False, "minProperties": 1,
                        "properties": {
                            "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                            "ids": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                },
            },
        },
    },
}


def parse_duration(text: str) -> int:
    """'15m' -> 900 seconds."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 15m, 4h, 1d)")
    return int(float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass(frozen=True)
class App:
    name: str
    tier: int | None = None
    owner: str | None = None
    rpo: str | None = None
    rto: str | None = None
    rpo_seconds: int | None = None
    rto_seconds: int | None = None
    member_tags: Mapping[str, str] = field(default_factory=dict)
    member_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    organization: str = ""
    scope_name: str = ""
    fail_on: str = "high"
    excluded_rules: tuple[str, ...] = ()
    apps: tuple[App, ...] = ()
    evidence_ttl_days: Mapping[str, float] = field(default_factory=dict)  # framework id (or "default") -> days
    path: Path | None = None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    try:
        document = load_yaml(path)
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    data = document.data or {}
    try:
        validate(document, CONFIG_SCHEMA, "configuration")
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    apps = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("apps") or []):
        if entry["name"] in seen:
            raise ConfigError(f"{path}:{document.line_of(('apps', index, 'name'))}: duplicate app name {entry['name']!r}")
        seen.add(entry["name"])
        durations = {}
        for key in ("rpo", "rto"):
            if entry.get(key) is not None:
                try:
                    durations[key] = parse_duration(entry[key])
                except ValueError as exc:
                    raise ConfigError(f"{path}:{document.line_of(('apps', index, key))}: {key}: {exc}") from None
        members = entry["members"]
        apps.append(App(
            name=entry["name"], tier=entry.get("tier"), owner=entry.get("owner"),
            rpo=entry.get("rpo"), rto=entry.get("rto"),
            rpo_seconds=durations.get("rpo"), rto_seconds=durations.get("rto"),
            member_tags=dict(members.get("tags") or {}),
            member_ids=tuple(members.get("ids") or ()),
        ))
    return Config(
        organization=data.get("organization", ""),
        scope_name=(data.get("scope") or {}).get("name", ""),
        fail_on=data.get("fail_on", "high"),
        excluded_rules=tuple((data.get("rules") or {}).get("exclude") or ()),
        apps=tuple(apps),
        evidence_ttl_days=dict(data.get("evidence_ttl_days") or {}),
        path=path,
    )
