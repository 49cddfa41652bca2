"""Tolerant readers for native JSON: exports spell the same field `dBInstanceIdentifier`,
`DBInstanceIdentifier` or `dbInstanceIdentifier`, and some values arrive JSON-encoded."""

from __future__ import annotations

from datetime import datetime, timezone
from sys import intern
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


def shared(text: str) -> str:
    """One copy of a short text that many resources repeat (tag keys and values, accounts,
    regions, capture times): a million resources otherwise hold a million copies of each."""
    return intern(text) if len(text) <= SHARED_MAX else text


SHARED_MAX = 64


def tags_dict(value: Any) -> dict[str, str]:
    """Tags as {"k": "v"} or [{"key"/"Key": k, "value"/"Value": v}]."""
    if isinstance(value, dict):
        return {shared(str(k)): "" if v is None else shared(str(v)) for k, v in value.items()}
    out: dict[str, str] = {}
    for entry in as_list(value):
        if isinstance(entry, dict):
            key = field(entry, "key")
            if key is not None:
                val = field(entry, "value")
                out[shared(str(key))] = "" if val is None else shared(str(val))
    return out


def iso_time(value: Any) -> str | None:
    """Normalize a timestamp (ISO string or epoch seconds/ms) to ISO 8601 UTC 'YYYY-MM-DDTHH:MM:SSZ'."""
    if value in (None, "", "N/A", "not_supported", "no_information"):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return intern(datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        except (OverflowError, OSError, ValueError):  # past year 9999, NaN: no time at all
            return None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return intern(parsed.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))


def last_segment(value: Any) -> str:
    """'https://.../zones/us-central1-a' -> 'us-central1-a'."""
    return str(value).rstrip("/").rsplit("/", 1)[-1] if value else ""


# -- "absent stays absent" -----------------------------------------------------------------------
# A normalizer that derives a value from a source field (a list of open ports, a boolean flag)
# must not invent one when the field was not in the export: it returns UNSEEN, and the attribute
# is left out of the Resource (see `seen_attrs`), so rules on it report NOT_ASSESSED. A field that
# is present but empty ([] / false) is a real answer and stays one. A field of the wrong JSON type
# (a string where a list belongs) was not understood either: UNSEEN too.


class _Unseen:
    """The value of a derived attribute whose source field was absent, null or of the wrong type."""

    __slots__ = ()

    def __bool__(self) -> bool:  # never let "not seen" pass for False
        raise TypeError("an unseen value has no truth value; test `is UNSEEN` first")

    def __repr__(self) -> str:
        return "<unseen>"


UNSEEN = _Unseen()


MAX_ATTR_DEPTH = 32  # normalized attributes are flat; a deeper value is raw input passed through


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_ATTR_DEPTH:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


def seen_attrs(attrs: dict) -> dict:
    """The attributes without the ones whose source was not seen (and without any nested so
    deeply that it can only be raw input passed through: later stages recurse into values)."""
    return {k: shared(v) if type(v) is str else v for k, v in attrs.items()
            if v is not UNSEEN and not (isinstance(v, (dict, list)) and v and _too_deep(v))}


def is_unseen(value: Any) -> bool:
    return value is UNSEEN


def need(obj: Any, path: str) -> Any:
    """A source field that a complete export always carries: its value, or UNSEEN when it is
    absent or null (a dotted path of case-insensitive keys)."""
    value = dig(obj, path, None) if "." in path else field(obj, path)
    return UNSEEN if value is None else value


def need_list(obj: Any, path: str) -> Any:
    """A list-valued source field: the list, or UNSEEN when absent, null or not a list."""
    value = need(obj, path)
    return value if isinstance(value, list) else UNSEEN


def need_dict(obj: Any, path: str) -> Any:
    """An object-valued source field (or a JSON string holding one): the dict, or UNSEEN."""
    value = need(obj, path)
    if isinstance(value, str):
        decoded = as_dict(value)
        return decoded if decoded or value.strip() in ("{}",) else UNSEEN
    return value if isinstance(value, dict) else UNSEEN


def need_bool(obj: Any, path: str) -> Any:
    """A boolean source field ("true", "Enabled", ...): True/False, or UNSEEN."""
    value = need(obj, path)
    flag = None if value is UNSEEN else as_bool(value)
    return UNSEEN if flag is None else flag


def need_int(obj: Any, path: str) -> Any:
    value = need(obj, path)
    number = None if value is UNSEEN else as_int(value)
    return UNSEEN if number is None else number


def need_text(obj: Any, path: str) -> Any:
    """A string source field: the string (numbers as text), or UNSEEN when absent, null or a
    container."""
    value = need(obj, path)
    if isinstance(value, bool) or isinstance(value, (dict, list)) or value is UNSEEN:
        return UNSEEN
    return str(value)


def derive(source: Any, function: Any) -> Any:
    """function(source), or UNSEEN when the source was not seen."""
    return UNSEEN if source is UNSEEN else function(source)


def any_known(values: Any) -> Any:
    """Kleene 'any': True if one value is True, else UNSEEN if one is UNSEEN, else False."""
    unknown = False
    for value in values:
        if value is UNSEEN:
            unknown = True
        elif value:
            return True
    return UNSEEN if unknown else False


def all_known(values: Any) -> Any:
    """Kleene 'all': False if one value is False, else UNSEEN if one is UNSEEN, else True."""
    unknown = False
    for value in values:
        if value is UNSEEN:
            unknown = True
        elif not value:
            return False
    return UNSEEN if unknown else True


def text(value: Any) -> str | None:
    """A JSON scalar as text for an identifier (numbers allowed), None for null, booleans and
    containers: importers read ids, names, types and regions through this, never str(x) on
    whatever the file holds."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def str_list(value: Any) -> list[str] | None:
    """A JSON list of scalars as strings (other items dropped); None when not a list."""
    if not isinstance(value, list):
        return None
    return [t for t in (text(v) for v in value) if t is not None]


def known_list(value: Any) -> list:
    """A derived list, or [] when it was not seen (for drawing references, never for attributes)."""
    return [] if value is UNSEEN or not isinstance(value, list) else value
