"""The one normalized form of a DR test: which app, which disruption it proves recovery from,
what kind of test, when, the outcome, measured RTO/RPO where measured, and its source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from drscan.dr.drills import DISRUPTIONS, KINDS, normalize_disruption

OUTCOMES: tuple[str, ...] = ("pass", "fail", "inconclusive")
# The DR engine's disruption names <-> the DR test names.
ENGINE_DISRUPTION = {"zone": "zone_loss", "region": "region_loss", "provider": "provider_loss",
                     "data_corruption": "data_corruption", "account_compromise": "account_compromise"}
TEST_DISRUPTION = {v: k for k, v in ENGINE_DISRUPTION.items()}


@dataclass(frozen=True)
class DrTest:
    app: str
    disruption: str | None  # zone | region | provider | data_corruption | account_compromise; None: not attributable
    kind: str  # tabletop | failover | restore | chaos
    date: datetime  # when it ran (UTC)
    outcome: str  # pass | fail | inconclusive
    source: str  # file:line, resource id
    measured_rto_seconds: float | None = None
    measured_rpo_seconds: float | None = None
    title: str = ""
    detail: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.outcome not in OUTCOMES or (
                self.disruption is not None and self.disruption not in DISRUPTIONS):
            raise ValueError(f"invalid DR test {self}")

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.app, "disruption": self.disruption, "kind": self.kind,
                "date": self.date.isoformat(timespec="seconds").replace("+00:00", "Z"), "outcome": self.outcome,
                "measured_rto_seconds": self.measured_rto_seconds, "measured_rpo_seconds": self.measured_rpo_seconds,
                "source": self.source, "title": self.title, "detail": self.detail}


def utc(moment: Any) -> datetime | None:
    """An ISO 8601 string, datetime or date -> aware UTC datetime (None when it is none of those)."""
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    if hasattr(moment, "year") and hasattr(moment, "day"):
        return datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if not moment:
        return None
    try:
        parsed = datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


__all__ = ["DrTest", "OUTCOMES", "DISRUPTIONS", "KINDS", "ENGINE_DISRUPTION", "TEST_DISRUPTION", "normalize_disruption", "utc"]
