"""The drills file (drscan.yaml `dr.drills`, usually drills.yaml): failover drills, restore tests,
chaos days and tabletop exercises the app owners attest to, with their follow-ups, and the
runbook attestations (who reviewed each app's runbook, when). Validated against a schema; every
error is one line naming the file and line. Files written for earlier drscan versions (`type:
drill|tabletop`, `scenario`) keep working."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drscan.errors import ConfigError, InputError
from drscan.redact import excerpt
from drscan.yamlfile import YamlDocument, load_yaml, validate

DRILL_TYPES: tuple[str, ...] = ("drill", "tabletop")  # the original `type` values
KINDS: tuple[str, ...] = ("tabletop", "failover", "restore", "chaos")
DISRUPTIONS: tuple[str, ...] = ("zone", "region", "provider", "data_corruption", "account_compromise")
OUTCOMES: tuple[str, ...] = ("pass", "fail", "partial")
# The DR engine's names (and `drscan dr runbook --disruption` short forms) are accepted too.
DISRUPTION_ALIASES = {"zone_loss": "zone", "region_loss": "region", "provider_loss": "provider",
                      "corruption": "data_corruption", "account": "account_compromise", "ransomware": "account_compromise"}
TYPE_KIND = {"drill": "failover", "tabletop": "tabletop"}

_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_DISRUPTION = {"enum": list(DISRUPTIONS) + sorted(DISRUPTION_ALIASES)}

DRILLS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["drills"]}, {"required": ["runbooks"]}],
    "properties": {
        "drills": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["app", "date"],
                "anyOf": [{"required": ["kind"]}, {"required": ["type"]}],
                "properties": {
                    "app": {"type": "string"},
                    "date": {},  # YAML date or "YYYY-MM-DD"; checked below
                    "kind": {"enum": list(KINDS)},
                    "type": {"enum": list(DRILL_TYPES)},
                    "disruption": _DISRUPTION,
                    "scenario": {"type": "string"},
                    "outcome": {"enum": list(OUTCOMES)},
                    "measured_rto": {"type": "string"},
                    "measured_rpo": {"type": "string"},
                    "participants": _STRINGS,
                    "follow_ups": {"type": "array", "items": {
                        "type": "object", "additionalProperties": False, "required": ["item", "owner", "due"],
                        "properties": {"item": {"type": "string", "minLength": 1}, "owner": {"type": "string", "minLength": 1},
                                       "due": {}, "done": {"type": "boolean"}}}},
                    "notes": {"type": "string"},
                },
            },
        },
        "runbooks": {
            "type": "array",
            "items": {
                "type": "object", "additionalProperties": False, "required": ["app", "reviewed_by", "reviewed_at"],
                "properties": {"app": {"type": "string"}, "reviewed_by": {"type": "string", "minLength": 1},
                               "reviewed_at": {}, "location": {"type": "string"}, "notes": {"type": "string"}},
            },
        },
    },
}


@dataclass(frozen=True)
class FollowUp:
    item: str
    owner: str
    due: dt.date
    done: bool = False
    source: str = ""  # file:line


@dataclass(frozen=True)
class Drill:
    """A DR drill or tabletop exercise someone attests to (from the drills YAML)."""

    app: str
    date: dt.date
    type: str  # "drill" | "tabletop" (kept for files and callers of earlier versions)
    scenario: str = ""
    measured_rto_seconds: int | None = None
    measured_rpo_seconds: int | None = None
    participants: tuple[str, ...] = ()
    notes: str = ""
    source: str = ""  # file:line
    kind: str = ""  # tabletop | failover | restore | chaos
    disruption: str | None = None  # zone | region | provider | data_corruption | account_compromise
    outcome: str = "pass"  # pass | fail | partial (absent: the exercise is attested as completed)
    follow_ups: tuple[FollowUp, ...] = ()


@dataclass(frozen=True)
class RunbookReview:
    """Who last reviewed an app's runbook, and when."""

    app: str
    reviewed_by: str
    reviewed_at: dt.date
    location: str = ""
    source: str = ""


@dataclass(frozen=True)
class DrillsFile:
    drills: tuple[Drill, ...] = ()
    runbooks: tuple[RunbookReview, ...] = ()


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def normalize_disruption(value: str | None) -> str | None:
    """'region_loss' / 'region' -> 'region'; anything else -> None."""
    if not value:
        return None
    text = str(value).strip().lower()
    text = DISRUPTION_ALIASES.get(text, text)
    return text if text in DISRUPTIONS else None


def _error(path: Path, document: YamlDocument, at: tuple, message: str) -> ConfigError:
    return ConfigError(f"{path}:{document.line_of(at)}: {message}")


def _date(path: Path, document: YamlDocument, at: tuple, value: Any, key: str) -> dt.date:
    """A date between 1970 and 2999 (config.parse_date), else an error naming file, line and key."""
    from drscan.config import parse_date as checked_date  # config imports this module

    try:
        return checked_date(value)
    except ValueError as exc:
        raise _error(path, document, at + (key,), f"{key}: {exc}") from None


def _duration(path: Path, document: YamlDocument, at: tuple, entry: dict, key: str) -> int | None:
    from drscan.config import parse_duration  # config imports this module; durations are parsed there

    if entry.get(key) is None:
        return None
    try:
        return parse_duration(entry[key])
    except ValueError as exc:
        raise _error(path, document, at + (key,), f"{key}: {exc}") from None


def _check_app(path: Path, document: YamlDocument, at: tuple, app: str, app_names: set[str], what: str) -> None:
    if app not in app_names:
        raise _error(path, document, at + ("app",), f"{what} for unknown app {excerpt(app)} "
                                                    f"(known: {', '.join(sorted(app_names)) or 'none'})")


def _drill(path: Path, document: YamlDocument, index: int, entry: dict, app_names: set[str]) -> Drill:
    at = ("drills", index)
    _check_app(path, document, at, entry["app"], app_names, "drill")
    date = _date(path, document, at, entry["date"], "date")
    kind = entry.get("kind") or TYPE_KIND[entry["type"]]
    if entry.get("type") and entry.get("kind") and TYPE_KIND[entry["type"]] != kind and entry["type"] == "tabletop":
        raise _error(path, document, at + ("kind",), f"kind {excerpt(kind)} contradicts type 'tabletop'")
    disruption = normalize_disruption(entry.get("disruption")) or normalize_disruption(entry.get("scenario"))
    follow_ups = []
    for n, item in enumerate(entry.get("follow_ups") or []):
        where = at + ("follow_ups", n)
        follow_ups.append(FollowUp(item=item["item"], owner=item["owner"], due=_date(path, document, where, item["due"], "due"),
                                   done=bool(item.get("done", False)), source=f"{path}:{document.line_of(where)}"))
    return Drill(app=entry["app"], date=date, type=entry.get("type") or ("tabletop" if kind == "tabletop" else "drill"),
                 scenario=entry.get("scenario", ""), measured_rto_seconds=_duration(path, document, at, entry, "measured_rto"),
                 measured_rpo_seconds=_duration(path, document, at, entry, "measured_rpo"),
                 participants=tuple(entry.get("participants") or ()), notes=entry.get("notes", ""),
                 source=f"{path}:{document.line_of(at)}", kind=kind, disruption=disruption,
                 outcome=entry.get("outcome", "pass"), follow_ups=tuple(follow_ups))


def load_drills_file(path: Path, app_names: set[str]) -> DrillsFile:
    """Read and validate the drills file; ConfigError naming file:line on any problem."""
    try:
        document = load_yaml(path)
        validate(document, DRILLS_SCHEMA, "drills file")
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    data = document.data
    drills = tuple(_drill(path, document, i, e, app_names) for i, e in enumerate(data.get("drills") or []))
    runbooks = []
    for index, entry in enumerate(data.get("runbooks") or []):
        at = ("runbooks", index)
        _check_app(path, document, at, entry["app"], app_names, "runbook review")
        runbooks.append(RunbookReview(app=entry["app"], reviewed_by=entry["reviewed_by"],
                                      reviewed_at=_date(path, document, at, entry["reviewed_at"], "reviewed_at"),
                                      location=entry.get("location", ""), source=f"{path}:{document.line_of(at)}"))
    return DrillsFile(drills=drills, runbooks=tuple(runbooks))
