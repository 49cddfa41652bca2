"""Typed results of the DR engine: evidence steps, copy locations, protection mechanisms,
figures (measured or assumed), and per-disruption estimates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DISRUPTIONS: tuple[str, ...] = ("zone_loss", "region_loss", "provider_loss", "data_corruption", "account_compromise")
STRATEGIES: tuple[str, ...] = ("backup_restore", "pilot_light", "warm_standby", "active_active", "none")
LAYERS: tuple[str, ...] = ("keys_network", "data", "compute", "traffic")

# rpo_status / rto_status values
ESTIMATED, DATA_LOST, NOT_ASSESSABLE, UNAFFECTED = "estimated", "data_lost", "not_assessable", "unaffected"
PASS, FAIL, NOT_ASSESSED = "PASS", "FAIL", "NOT_ASSESSED"


@dataclass(frozen=True)
class Step:
    """One link of an evidence chain: what was read where, and what drscan concluded from it."""

    resource_id: str
    attribute: str  # attribute path, or "relation:<type>"
    value: Any
    inference: str

    def as_dict(self) -> dict:
        return {"resource_id": self.resource_id, "attribute": self.attribute, "value": self.value,
                "inference": self.inference}


@dataclass(frozen=True)
class Location:
    """Where a copy of the data lives. `region` "" = not known; `zone_redundant` = spread over the
    zones of its region; `multi_region` = spread over several regions (GCS multi-region, GRS)."""

    provider: str
    account: str
    region: str
    zones: tuple[str, ...] = ()
    zone_redundant: bool = False
    multi_region: bool = False

    def describe(self) -> str:
        where = self.region or "unknown region"
        if self.multi_region:
            where += " (multi-region)"
        elif self.zones:
            where += f" {'/'.join(self.zones)}"
        elif self.zone_redundant:
            where += " (all zones)"
        return f"{self.provider}:{self.account or '?'}:{where}"


@dataclass(frozen=True)
class Figure:
    """A duration that enters an RTO: measured (restore job, drill), observed (a TTL read from the
    inventory) or assumed (a key of assumptions.yaml)."""

    label: str
    seconds: float
    basis: str  # "measured" | "observed" | "assumed"
    source: str  # assumption key, resource id or file:line

    def as_dict(self) -> dict:
        return {"label": self.label, "seconds": round(self.seconds, 1), "basis": self.basis, "source": self.source}


@dataclass(frozen=True)
class Mechanism:
    """One way a data store's data survives: a synchronous standby, an async replica, PITR,
    versioning, a scheduled backup (at one location), an existing recovery point...
    rpo_seconds None = the mechanism exists (or may exist) but its RPO cannot be told."""

    kind: str  # sync_replication | async_replica | pitr | versioning | backup | snapshot | unknown
    label: str
    store_id: str
    location: Location
    rpo_seconds: float | None
    rto: tuple[Figure, ...] | None  # None = cannot tell how long recovery takes
    point_in_time: bool  # keeps history, so it survives corruption and deletion
    immutable: bool = False  # cannot be deleted early, even by an administrator
    automatic: bool = False  # recovery needs no human decision
    action: str = ""  # runbook action key (see runbook.py)
    target_id: str | None = None  # the replica / recovery point / vault to act on
    depends_on: tuple[str, ...] = ()  # resources this copy needs (replica, vault, key)
    interval_seconds: float | None = None  # schedule interval, for scheduled copies
    latest_point_age_seconds: float | None = None
    stopped: bool = False  # schedule has not produced a point for longer than its interval
    evidence: tuple[Step, ...] = ()
    rpo_reason: str = ""
    rpo_measured_by: str = ""  # id of what measured the RPO (a backup source's restorable point); "" = estimated
    rpo_figure: Figure | None = None  # the RPO when it was observed or measured rather than assumed

    @property
    def rto_seconds(self) -> float | None:
        return None if self.rto is None else sum(f.seconds for f in self.rto)

    def depending_on(self, ids: tuple[str, ...]) -> "Mechanism":
        """This mechanism also needing `ids`: dataclasses.replace(self, depends_on=...) without
        re-running __init__ (a fifth of the cost; it runs for most mechanisms of an estate, and
        Mechanism has no __post_init__ to skip)."""
        copy = object.__new__(Mechanism)
        copy.__dict__.update(self.__dict__, depends_on=self.depends_on + ids)
        return copy


@dataclass(frozen=True)
class StoreEstimate:
    """One data store under one disruption."""

    store_id: str
    affected: bool
    rpo_seconds: float | None
    rpo_status: str  # unaffected | estimated | data_lost | not_assessable
    reason: str
    mechanism: Mechanism | None = None
    rto: tuple[Figure, ...] | None = None


@dataclass(frozen=True)
class Estimate:
    """An app under one disruption."""

    disruption: str
    scope: str  # e.g. "zone us-east-1a", "region us-east-1"
    rpo_seconds: float | None
    rpo_status: str
    rpo_reason: str
    rto_seconds: float | None
    rto_status: str
    rto_reason: str
    rpo_target_seconds: int | None
    rto_target_seconds: int | None
    rpo_verdict: str
    rto_verdict: str
    verdict: str
    figures: tuple[Figure, ...] = ()
    evidence: tuple[Step, ...] = ()
    stores: tuple[StoreEstimate, ...] = ()
    manual: bool = False

    def as_dict(self) -> dict:
        return {
            "disruption": self.disruption, "scope": self.scope,
            "rpo_seconds": _round(self.rpo_seconds), "rpo_status": self.rpo_status, "rpo_reason": self.rpo_reason,
            "rto_seconds": _round(self.rto_seconds), "rto_status": self.rto_status, "rto_reason": self.rto_reason,
            "rpo_target_seconds": self.rpo_target_seconds, "rto_target_seconds": self.rto_target_seconds,
            "rpo_verdict": self.rpo_verdict, "rto_verdict": self.rto_verdict, "verdict": self.verdict,
            **basis_of(self),
            "figures": {"measured": [f.as_dict() for f in self.figures if f.basis == "measured"],
                        "observed": [f.as_dict() for f in self.figures if f.basis == "observed"],
                        "assumed": [f.as_dict() for f in self.figures if f.basis == "assumed"]},
            "data_stores": [{"id": s.store_id, "affected": s.affected, "rpo_seconds": _round(s.rpo_seconds),
                             "rpo_status": s.rpo_status, "reason": s.reason,
                             "mechanism": s.mechanism.label if s.mechanism else None} for s in self.stores],
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class StrategyResult:
    declared: str | None
    detected: str
    matches: bool | None
    primary_region: str
    recovery_regions: tuple[str, ...]
    capacity_ratio: float | None
    evidence: tuple[Step, ...] = ()

    def as_dict(self) -> dict:
        return {"declared": self.declared, "detected": self.detected, "matches": self.matches,
                "primary_region": self.primary_region, "recovery_regions": list(self.recovery_regions),
                "recovery_capacity_ratio": None if self.capacity_ratio is None else round(self.capacity_ratio, 3),
                "evidence": [e.as_dict() for e in self.evidence]}


@dataclass(frozen=True)
class AppAssessment:
    name: str
    tier: int | None
    owner: str | None
    contacts: tuple[str, ...]
    rpo_target_seconds: int | None
    rto_target_seconds: int | None
    member_count: int
    providers: tuple[str, ...]
    strategy: StrategyResult
    estimates: dict[str, Estimate]
    checks: dict[str, Any]  # the dr.* attributes of the app resource
    single_points_of_failure: tuple[str, ...] = ()
    data_store_ids: tuple[str, ...] = ()
    mechanisms: dict[str, tuple[Mechanism, ...]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    readiness: Any = None  # drscan.dr.score.ReadinessScore

    @property
    def verdict(self) -> str:
        verdicts = [e.verdict for e in self.estimates.values()]
        if FAIL in verdicts:
            return FAIL
        if verdicts and all(v == PASS for v in verdicts):
            return PASS
        return NOT_ASSESSED


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def basis_of(estimate: "Estimate") -> dict:
    """Which of an estimate's figures were measured: `rpo_basis` (measured when every affected
    store's chosen copy has a measured RPO) and `rto_basis` (measured when every figure is), with
    the ids that measured them (backup sources, drills, restore jobs)."""
    chosen = [s.mechanism for s in estimate.stores if s.affected and s.mechanism is not None and s.rpo_seconds is not None]
    rpo_sources = sorted({m.rpo_measured_by for m in chosen if m.rpo_measured_by})
    rpo_basis = "measured" if chosen and len(rpo_sources) and all(m.rpo_measured_by for m in chosen) else \
        "partly measured" if rpo_sources else "estimated"
    bases = {f.basis for f in estimate.figures}
    rto_basis = "measured" if bases == {"measured"} else "partly measured" if "measured" in bases else "estimated"
    return {"rpo_basis": rpo_basis, "rpo_measured_by": rpo_sources, "rto_basis": rto_basis,
            "rto_measured_by": sorted({f.source for f in estimate.figures if f.basis == "measured"})}
