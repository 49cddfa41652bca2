"""Tolerant readers for native JSON: exports spell the same field `dBInstanceIdentifier`,
`DBInstanceIdentifier` or `dbInstanceIdentifier`, and some values arrive JSON-encoded."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import orjson

_MISSING = object()


def field(obj: Any, name: str, default: Any = None) -> Any:
    """obj[name], falling back to a case-insensitive match of the key."""
    if not isinstance(obj, dict):
        return default
    value = obj.get(name, _MISSING)
    if value is not _MISSING:
        return value
    # Exports mostly differ in the case of the first letter (dBInstanceIdentifier / DBInstanceIdentifier).
    value = obj.get(name[:1].swapcase() + name[1:], _MISSING)
    if value is not _MISSING:
        return value
    lowered = name.lower()
    for key, value in obj.items():
        if key.lower() == lowered:
            return value
    return default


def dig(obj: Any, path: str, default: Any = None) -> Any:
    """Follow a dotted path of case-insensitive keys: dig(item, "BackupPlan.BackupPlanName")."""
    for part in path.split("."):
        obj = field(obj, part, _MISSING)
        if obj is _MISSING or obj is None:
            return default
    return obj


def as_dict(value: Any) -> dict:
    """A JSON object, or a JSON string holding one (the Config API returns strings)."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            decoded = orjson.loads(value)
        except orjson.JSONDecodeError:
            return {}
        return decoded if isinstance(decoded, dict) else {}
    return {}


def as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def as_bool(value: Any) -> bool | None:
    """true/false from booleans or the strings exports use ("true", "Enabled", "ENABLED")."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in {"true", "enabled", "enable", "on", "yes", "1"}:
        return True
    if text in {"false", "disabled", "disable", "off", "no", "0"}:
        return False
    return None


def as_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def tags_dict(value: Any) -> dict[str, str]:
    """Tags as {"k": "v"} or [{"key"/"Key": k, "value"/"Value": v}]."""
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for entry in as_list(value):
        if isinstance(entry, dict):
            key = field(entry, "key")
            if key is not None:
                val = field(entry, "value")
                out[str(key)] = "" if val is None else str(val)
    return out


def iso_time(value: Any) -> str | None:
    """Normalize a timestamp (ISO string or epoch seconds/ms) to ISO 8601 UTC 'YYYY-MM-DDTHH:MM:SSZ'."""
    if value in (None, "", "N/A", "not_supported", "no_information"):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def last_segment(value: Any) -> str:
    """'https://.../zones/us-central1-a' -> 'us-central1-a'."""
    return str(value).rstrip("/").rsplit("/", 1)[-1] if value else ""
