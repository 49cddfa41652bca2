"""The normalized data model every stage shares: collectors and importers produce Resources,
Relations and Gaps; the engine produces Findings; a Scan bundles one run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from functools import lru_cache
from typing import Any, Mapping


class Status(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    NOT_ASSESSED = "NOT_ASSESSED"


SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}

CATEGORIES: tuple[str, ...] = (
    "encryption", "mfa", "access", "backup", "redundancy",
    "multi_region", "logging", "monitoring", "drift", "dr",
)


@dataclass(frozen=True, slots=True)
class Resource:
    """One cloud resource, normalized. `kind` is `provider.service.type` in lower case;
    `id` is globally unique (ARN, CAI full resource name, lower-cased ARM id)."""

    kind: str
    id: str
    name: str
    provider: str
    account: str
    region: str
    zones: tuple[str, ...] = ()
    attrs: Mapping[str, Any] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    source: str = ""  # where it came from: "file#record" or "api:Operation@region"
    observed_at: str = ""  # when this state was collected (export file time, or API call time), ISO 8601 UTC


DATA_TIME_BASIS = "capture time of the data"  # scope["as_of_basis"] when ages were measured per resource


@lru_cache(maxsize=1024)
def parse_moment(text: str) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime; None when empty or unreadable."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def data_time(resource: Resource, fallback: datetime) -> datetime:
    """When the resource's data was captured (its observed_at), else `fallback`: the moment its
    ages (key rotation, recovery points) are measured against when no --as-of is given."""
    return parse_moment(resource.observed_at) or fallback


@dataclass(frozen=True, slots=True)
class Relation:
    """A directed edge `source --type--> target`, e.g. volume --attached_to--> instance."""

    source: str
    target: str
    type: str


@dataclass(frozen=True, slots=True)
class Reference:
    """A relation whose target may not be in the inventory yet; resolved by the graph stage."""

    source: str
    target: str
    type: str


@dataclass(frozen=True, slots=True)
class Gap:
    """Something drscan could not see, and why. Rules needing it report NOT_ASSESSED."""

    provider: str
    account: str
    region: str
    service: str
    operation: str
    code: str
    message: str
    resource_id: str | None = None
    kinds: tuple[str, ...] = ()  # resource kinds whose data this gap affects (empty: none known)


@dataclass(frozen=True, slots=True)
class Evidence:
    path: str
    value: Any


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    rule_version: int
    resource_id: str
    resource_kind: str
    provider: str
    account: str
    region: str
    status: Status
    severity: str
    category: str
    controls: tuple[str, ...]  # "framework:control-id"
    evidence: tuple[Evidence, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class Inventory:
    """What collection produced: resources, relations between them, references still to resolve, gaps."""

    resources: tuple[Resource, ...]
    relations: tuple[Relation, ...] = ()
    references: tuple[Reference, ...] = ()
    gaps: tuple[Gap, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scan:
    """One complete run, as stored."""

    id: int | None
    started_at: str
    finished_at: str
    scope: Mapping[str, Any]
    sources: tuple[str, ...]
    resources: tuple[Resource, ...]
    relations: tuple[Relation, ...]
    findings: tuple[Finding, ...]
    gaps: tuple[Gap, ...]
    drscan_version: str = ""
    rules_digest: str = ""
