"""drscan.yaml -> typed configuration: organization, scope, applications and their targets,
shared services, and the DR settings (assumption overrides, drill attestations)."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from drscan.dr.drills import Drill, RunbookReview, load_drills_file
from drscan.errors import ConfigError, InputError
from drscan.model import SEVERITIES
from drscan.redact import Redactor, excerpt
from drscan.yamlfile import YamlDocument, load_yaml, validate

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# Bounds on values that pass the schema but would overflow later (timedelta, date arithmetic,
# 64-bit columns): a duration, a day count or a date outside them is an error naming the line.
MAX_DURATION_SECONDS = 100 * 365 * 86400
MAX_DAYS = 100 * 365
EARLIEST_DATE, LATEST_DATE = dt.date(1970, 1, 1), dt.date(2999, 12, 31)
MAX_ASSUMPTION = 1e12  # larger than any assumed rate, size or duration (in its unit)

STRATEGIES: tuple[str, ...] = ("backup_restore", "pilot_light", "warm_standby", "active_active")
DEFAULT_DRILL_MAX_AGE_DAYS = 365
DEFAULT_RESTORE_TEST_MAX_AGE_DAYS = 90
DEFAULT_BACKUP_MAX_AGE_SECONDS = 86400  # a backup source no app claims must have a backup younger than this
DEFAULT_MIN_RETENTION_DAYS = 7
DEFAULT_RUNBOOK_MAX_AGE_DAYS = 180
# DR readiness score per tier: how long a passing test proves recovery, and the score below which
# the tier's dr-app-readiness-score rule fails (drscan/dr/score.py; README "DR readiness score").
DEFAULT_SCORE_TIERS: dict[int, tuple[int, int]] = {0: (90, 80), 1: (90, 70), 2: (180, 50), 3: (365, 30), 4: (365, 0),
                                                   5: (365, 0)}

_NAME = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$"}
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_MEMBERS = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "tags": {"type": "object", "additionalProperties": {"type": "string"}},
        "ids": {"type": "array", "items": {"type": "string"}},
        "namespaces": {"type": "array", "items": {"type": "string", "minLength": 1}},  # Kubernetes: name or cluster/name
    },
}

CONFIG_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "organization": {"type": "string"},
        "scope": {"type": "object", "additionalProperties": False, "properties": {"name": {"type": "string"}}},
        "fail_on": {"enum": list(SEVERITIES) + ["none"]},
        "evidence_ttl_days": {"type": "object", "additionalProperties": {"type": "number", "exclusiveMinimum": 0,
                                                                          "maximum": MAX_DAYS}},
        "aws": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "regions": {"type": "array", "items": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-\\d$"}},
                "assume_role": {"type": "string"},
            },
        },
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
                    "name": _NAME,
                    "tier": {"type": "integer", "minimum": 0, "maximum": 5},
                    "owner": {"type": "string"},
                    "contacts": _STRINGS,
                    "rpo": {"type": "string"},
                    "rto": {"type": "string"},
                    "strategy": {"enum": list(STRATEGIES)},
                    "members": _MEMBERS,
                    "entrypoints": _STRINGS,
                    "primary_region": {"type": "string", "minLength": 1},
                    "recovery_regions": _STRINGS,
                    "depends_on": _STRINGS,
                },
            },
        },
        "shared_services": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": _NAME,
                    "type": {"enum": ["internal", "third_party"]},
                    "owner": {"type": "string"},
                    "description": {"type": "string"},
                    "members": _MEMBERS,
                },
            },
        },
        "backups": {  # backup sources (pgBackRest stanzas, dump sets, Veeam jobs, ...) -> what they protect
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["source", "protects"],
                "properties": {
                    "source": {"type": "string", "minLength": 1},  # resource id or name, or export file (globs allowed)
                    "protects": {"anyOf": [{"type": "string", "minLength": 1}, _STRINGS]},  # resource id(s) or name(s)
                    "max_age": {"type": "string"},  # overrides the protected app's RPO for this source
                    "repository_region": {"type": "string", "minLength": 1},
                    "repository_host": {"type": "string", "minLength": 1},
                },
            },
        },
        "backup_defaults": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "max_age": {"type": "string"},  # for sources no app claims; 24h unless set
                "min_retention_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
            },
        },
        "dr": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "assumptions": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0,
                                                                           "maximum": MAX_ASSUMPTION}},
                "drills": {"type": "string", "minLength": 1},
                "drill_max_age_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                "restore_test_max_age_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                "runbook_max_age_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                "score": {"type": "object", "additionalProperties": False, "properties": {"tiers": {
                    "type": "array", "items": {
                        "type": "object", "additionalProperties": False, "required": ["tier"],
                        "properties": {"tier": {"type": "integer", "minimum": 0, "maximum": 5},
                                       "max_age_days": {"type": "integer", "minimum": 1, "maximum": MAX_DAYS},
                                       "floor": {"type": "integer", "minimum": 0, "maximum": 100}}}}}},
            },
        },
    },
}

def parse_duration(text: str) -> int:
    """'15m' -> 900 seconds. ValueError for anything else, or longer than 100 years."""
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"not a duration: {excerpt(text)} (use e.g. 30s, 15m, 4h, 1d)")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if not math.isfinite(seconds) or seconds > MAX_DURATION_SECONDS:
        raise ValueError(f"duration {excerpt(text)} is longer than 100 years")
    return int(seconds)


def parse_date(value: Any) -> dt.date:
    """A YAML date ('2026-10-14', also with a time of day) between 1970 and 2999; ValueError otherwise."""
    text = str(value).strip()
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {excerpt(value)}") from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"date {day.isoformat()} is outside {EARLIEST_DATE.year}-{LATEST_DATE.year}")
    return day


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
    member_namespaces: tuple[str, ...] = ()  # Kubernetes namespaces ("name" or "cluster/name"), with everything in them
    contacts: tuple[str, ...] = ()
    strategy: str | None = None  # declared DR strategy (one of STRATEGIES)
    entrypoints: tuple[str, ...] = ()  # resource ids or DNS names of records / load balancers
    primary_region: str | None = None
    recovery_regions: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()  # other apps or shared services, by name


@dataclass(frozen=True)
class SharedService:
    """Something apps depend on that is not an app of its own: a platform service (with members)
    or a third-party API (no members; it fails only when a simulation says so)."""

    name: str
    type: str = "internal"
    owner: str | None = None
    description: str = ""
    member_tags: Mapping[str, str] = field(default_factory=dict)
    member_ids: tuple[str, ...] = ()
    member_namespaces: tuple[str, ...] = ()


@dataclass(frozen=True)
class BackupSource:
    """A `backups:` entry: which backup source protects which resources (ids or names)."""

    source: str
    protects: tuple[str, ...]
    max_age_seconds: int | None = None
    repository_region: str | None = None
    repository_host: str | None = None
    line: str = ""  # file:line, for evidence


@dataclass(frozen=True)
class BackupDefaults:
    max_age_seconds: int = DEFAULT_BACKUP_MAX_AGE_SECONDS
    min_retention_days: int = DEFAULT_MIN_RETENTION_DAYS


@dataclass(frozen=True)
class DrSettings:
    assumptions: Mapping[str, float] = field(default_factory=dict)  # overrides of drscan/dr/assumptions.yaml
    drills_path: Path | None = None
    drills: tuple[Drill, ...] = ()
    drill_max_age_days: int = DEFAULT_DRILL_MAX_AGE_DAYS
    restore_test_max_age_days: int = DEFAULT_RESTORE_TEST_MAX_AGE_DAYS
    runbooks: tuple[RunbookReview, ...] = ()
    runbook_max_age_days: int = DEFAULT_RUNBOOK_MAX_AGE_DAYS
    score_tiers: Mapping[int, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_SCORE_TIERS))

    def score_policy(self, tier: int | None) -> tuple[int, int]:
        """(max age in days of a passing test, score floor) for an app of this tier (no tier: tier 3's)."""
        return self.score_tiers.get(3 if tier is None else tier, DEFAULT_SCORE_TIERS[3])


@dataclass(frozen=True)
class Config:
    organization: str = ""
    scope_name: str = ""
    fail_on: str = "high"
    excluded_rules: tuple[str, ...] = ()
    apps: tuple[App, ...] = ()
    evidence_ttl_days: Mapping[str, float] = field(default_factory=dict)  # framework id (or "default") -> days
    aws_regions: tuple[str, ...] = ()  # regions of a live AWS scan when --regions/--all-regions are not given
    aws_assume_role: str | None = None  # role assumed in member accounts with --org
    path: Path | None = None
    shared_services: tuple[SharedService, ...] = ()
    dr: DrSettings = field(default_factory=DrSettings)
    backups: tuple[BackupSource, ...] = ()
    backup_defaults: BackupDefaults = field(default_factory=BackupDefaults)

    def app(self, name: str) -> App | None:
        return next((a for a in self.apps if a.name == name), None)

    def shared_service(self, name: str) -> SharedService | None:
        return next((s for s in self.shared_services if s.name == name), None)


def _error(path: Path, document: YamlDocument, at: tuple, message: str) -> ConfigError:
    return ConfigError(f"{path}:{document.line_of(at)}: {message}")


def _durations(path: Path, document: YamlDocument, entry: dict, at: tuple, keys: tuple[str, ...]) -> dict[str, int]:
    durations = {}
    for key in keys:
        if entry.get(key) is not None:
            try:
                durations[key] = parse_duration(entry[key])
            except ValueError as exc:
                raise _error(path, document, at + (key,), f"{key}: {exc}") from None
    return durations


def _load_apps(path: Path, document: YamlDocument, data: dict) -> list[App]:
    apps = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("apps") or []):
        at = ("apps", index)
        if entry["name"] in seen:
            raise _error(path, document, at + ("name",), f"duplicate app name {excerpt(entry['name'])}")
        seen.add(entry["name"])
        durations = _durations(path, document, entry, at, ("rpo", "rto"))
        primary = entry.get("primary_region")
        recovery = tuple(entry.get("recovery_regions") or ())
        if primary and primary in recovery:
            raise _error(path, document, at + ("recovery_regions",),
                         f"app {excerpt(entry['name'])}: primary_region {excerpt(primary)} is also listed in recovery_regions")
        members = entry["members"]
        apps.append(App(
            name=entry["name"], tier=entry.get("tier"), owner=entry.get("owner"),
            rpo=entry.get("rpo"), rto=entry.get("rto"),
            rpo_seconds=durations.get("rpo"), rto_seconds=durations.get("rto"),
            member_tags=dict(members.get("tags") or {}),
            member_ids=tuple(members.get("ids") or ()),
            member_namespaces=tuple(members.get("namespaces") or ()),
            contacts=tuple(entry.get("contacts") or ()),
            strategy=entry.get("strategy"),
            entrypoints=tuple(entry.get("entrypoints") or ()),
            primary_region=primary,
            recovery_regions=recovery,
            depends_on=tuple(entry.get("depends_on") or ()),
        ))
    return apps


def _load_shared_services(path: Path, document: YamlDocument, data: dict, app_names: set[str]) -> list[SharedService]:
    services = []
    seen: set[str] = set()
    for index, entry in enumerate(data.get("shared_services") or []):
        at = ("shared_services", index, "name")
        name = entry["name"]
        if name in seen:
            raise _error(path, document, at, f"duplicate shared service name {excerpt(name)}")
        if name in app_names:
            raise _error(path, document, at, f"shared service {excerpt(name)} has the name of an app; names must be unique")
        seen.add(name)
        members = entry.get("members") or {}
        services.append(SharedService(name=name, type=entry.get("type", "internal"), owner=entry.get("owner"),
                                      description=entry.get("description", ""),
                                      member_tags=dict(members.get("tags") or {}),
                                      member_ids=tuple(members.get("ids") or ()),
                                      member_namespaces=tuple(members.get("namespaces") or ())))
    return services


def _check_dependencies(path: Path, document: YamlDocument, data: dict, names: set[str]) -> None:
    for index, entry in enumerate(data.get("apps") or []):
        for d, name in enumerate(entry.get("depends_on") or []):
            at = ("apps", index, "depends_on", d)
            if name == entry["name"]:
                raise _error(path, document, at, f"app {excerpt(entry['name'])} depends on itself")
            if name not in names:
                raise _error(path, document, at, f"app {excerpt(entry['name'])} depends on unknown app or shared service "
                                                  f"{excerpt(name)} (known: {', '.join(sorted(names)) or 'none'})")


def _load_dr(path: Path, document: YamlDocument, data: dict, app_names: set[str]) -> DrSettings:
    block = data.get("dr") or {}
    overrides = dict(block.get("assumptions") or {})
    if overrides:
        from drscan.dr.assumptions import default_keys  # the DR package reads config, never the reverse at import

        known = default_keys()
        for key in overrides:
            if key not in known:
                raise _error(path, document, ("dr", "assumptions", key),
                             f"unknown DR assumption {excerpt(key)} (see drscan/dr/assumptions.yaml for the keys)")
    drills_path = None
    drills: tuple[Drill, ...] = ()
    runbooks: tuple[RunbookReview, ...] = ()
    if block.get("drills"):
        drills_path = Path(block["drills"])
        if not drills_path.is_absolute():
            drills_path = path.parent / drills_path
        if not drills_path.exists():
            raise _error(path, document, ("dr", "drills"), f"drills file not found: {drills_path}")
        loaded = load_drills_file(drills_path, app_names)
        drills, runbooks = loaded.drills, loaded.runbooks
    tiers = dict(DEFAULT_SCORE_TIERS)
    for entry in (block.get("score") or {}).get("tiers") or []:
        age, floor = tiers[entry["tier"]]
        tiers[entry["tier"]] = (entry.get("max_age_days", age), entry.get("floor", floor))
    return DrSettings(assumptions=overrides, drills_path=drills_path, drills=drills,
                      drill_max_age_days=block.get("drill_max_age_days", DEFAULT_DRILL_MAX_AGE_DAYS),
                      restore_test_max_age_days=block.get("restore_test_max_age_days", DEFAULT_RESTORE_TEST_MAX_AGE_DAYS),
                      runbooks=runbooks, runbook_max_age_days=block.get("runbook_max_age_days", DEFAULT_RUNBOOK_MAX_AGE_DAYS),
                      score_tiers=tiers)


def _load_backups(path: Path, document: YamlDocument, data: dict) -> tuple[tuple[BackupSource, ...], BackupDefaults]:
    sources = []
    for index, entry in enumerate(data.get("backups") or []):
        at = ("backups", index)
        protects = entry["protects"]
        durations = _durations(path, document, entry, at, ("max_age",))
        sources.append(BackupSource(source=entry["source"], protects=(protects,) if isinstance(protects, str) else tuple(protects),
                                    max_age_seconds=durations.get("max_age"), repository_region=entry.get("repository_region"),
                                    repository_host=entry.get("repository_host"), line=f"{path}:{document.line_of(at)}"))
    block = data.get("backup_defaults") or {}
    max_age = _durations(path, document, block, ("backup_defaults",), ("max_age",)).get("max_age")
    defaults = BackupDefaults(max_age_seconds=max_age if max_age is not None else DEFAULT_BACKUP_MAX_AGE_SECONDS,
                              min_retention_days=block.get("min_retention_days", DEFAULT_MIN_RETENTION_DAYS))
    return tuple(sources), defaults


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
    apps = _load_apps(path, document, data)
    app_names = {a.name for a in apps}
    services = _load_shared_services(path, document, data, app_names)
    _check_dependencies(path, document, data, app_names | {s.name for s in services})
    backups, backup_defaults = _load_backups(path, document, data)
    config = Config(
        organization=data.get("organization", ""),
        scope_name=(data.get("scope") or {}).get("name", ""),
        fail_on=data.get("fail_on", "high"),
        excluded_rules=tuple((data.get("rules") or {}).get("exclude") or ()),
        apps=tuple(apps),
        evidence_ttl_days=dict(data.get("evidence_ttl_days") or {}),
        aws_regions=tuple((data.get("aws") or {}).get("regions") or ()),
        aws_assume_role=(data.get("aws") or {}).get("assume_role"),
        path=path,
        shared_services=tuple(services),
        dr=_load_dr(path, document, data, app_names),
        backups=backups,
        backup_defaults=backup_defaults,
    )
    return redact_config(config)


def redact_config(config: Config) -> Config:
    """The free text of drscan.yaml that reaches reports (organization, scope, apps, shared
    services, drills, backups) with credentials removed, the same way as the inventory, so tag selectors
    and ids still match the redacted resources. AWS settings are used for API calls, not shown."""
    redactor = Redactor()
    dr = replace(config.dr, drills=tuple(redactor.dataclass(d) for d in config.dr.drills))
    return replace(config, organization=redactor.value(config.organization), scope_name=redactor.value(config.scope_name),
                   apps=tuple(redactor.dataclass(a) for a in config.apps),
                   shared_services=tuple(redactor.dataclass(s) for s in config.shared_services), dr=dr,
                   backups=tuple(redactor.dataclass(b) for b in config.backups))
