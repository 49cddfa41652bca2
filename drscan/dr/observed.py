"""Observed figures from monitoring, folded into the DR estimates (pure): the worst replica lag
Prometheus saw over 7 days replaces the assumed lag of an app's asynchronous replicas (an
observed RPO), and the time until an outage pages someone (alert `for:` + evaluation + scrape
interval) is added to the RTO of disruptions that need a human (an observed RTO figure)."""

from __future__ import annotations

from dataclasses import replace

from drscan.dr.copies import human
from drscan.dr.model import FAIL, NOT_ASSESSED, PASS, Estimate, Figure, Mechanism, Step
from drscan.dr.scope import AppScope, DrContext
from drscan.model import Resource
from drscan.monitoring.catalogue import APP_LABELS
from drscan.monitoring.prometheus import REPLICA_LAG

# Disruptions an endpoint alert detects (the app stops answering); corruption and compromise are
# noticed some other way, so no detection figure is added to them.
DETECTED_BY_ALERTS = ("zone_loss", "region_loss", "provider_loss")


def _names(resource: Resource) -> set[str]:
    return {n.lower() for n in (resource.name, resource.id.rsplit(":", 1)[-1].rsplit("/", 1)[-1]) if n}


def _series_names(lag: Resource, names: set[str]) -> bool:
    for value in (lag.attrs.get("labels") or {}).values():
        text = str(value).lower()
        host = text.split("://", 1)[-1].split(":", 1)[0]
        if text in names or host in names or any(host.startswith(n + ".") for n in names):
            return True
    return False


def _app_series(lag: Resource, app: str) -> bool:
    labels = lag.attrs.get("labels") or {}
    return any(str(labels.get(k, "")).lower() == app.lower() for k in APP_LABELS)


def with_observed_lag(ctx: DrContext, scope: AppScope, mechanisms: dict[str, tuple[Mechanism, ...]]
                      ) -> dict[str, tuple[Mechanism, ...]]:
    """Async replica mechanisms with the worst lag observed for that replica (series naming it)
    or, failing that, for the app (series labelled with the app); unchanged without such series."""
    series = ctx.index.kind(REPLICA_LAG)
    if not series:
        return mechanisms
    app_wide = [s for s in series if _app_series(s, scope.name)]
    out = {}
    for store_id, found in mechanisms.items():
        updated = []
        for mechanism in found:
            if mechanism.kind != "async_replica":
                updated.append(mechanism)
                continue
            replica = ctx.graph.resources.get(mechanism.target_id or "")
            matched = [s for s in series if replica is not None and _series_names(s, _names(replica))] or app_wide
            values = [(float(s.attrs["max_seconds"]), s) for s in matched if isinstance(s.attrs.get("max_seconds"), (int, float))]
            if not values:
                updated.append(mechanism)
                continue
            seconds, worst = max(values, key=lambda v: v[0])
            window = worst.attrs.get("window") or "7d"
            figure = Figure(f"replica lag of {replica.name if replica else mechanism.label} (max over {window})", seconds,
                            "observed", worst.id)
            step = Step(worst.id, "max_seconds", seconds, f"{worst.attrs.get('query')}: the worst lag over {window}")
            updated.append(replace(mechanism, rpo_seconds=seconds, rpo_figure=figure, evidence=mechanism.evidence + (step,),
                                   rpo_reason=f"asynchronous replication lag (max {human(seconds)} over {window}, observed)"))
        out[store_id] = tuple(updated)
    return out


def _verdict(value: float | None, status: str, target: int | None) -> str:
    if status in ("data_lost", "cannot_recover"):
        return FAIL
    if value is None or target is None:
        return NOT_ASSESSED
    return PASS if value <= target else FAIL


def with_observed_figures(estimate: Estimate, detection: tuple[Figure, ...]) -> Estimate:
    """Add the detection time to the RTO of a disruption someone must act on, and list observed
    RPO figures of the chosen copies."""
    figures = list(estimate.figures)
    for store in estimate.stores:
        if store.affected and store.mechanism is not None and store.mechanism.rpo_figure is not None:
            figures.append(store.mechanism.rpo_figure)
    rto, reason = estimate.rto_seconds, estimate.rto_reason
    if detection and estimate.disruption in DETECTED_BY_ALERTS and estimate.manual and rto is not None:
        seconds = sum(f.seconds for f in detection)
        rto = rto + seconds
        reason = f"detection {human(seconds)} (alert for: + evaluation + scrape) + {reason}"
        figures = list(detection) + figures
    if rto == estimate.rto_seconds and len(figures) == len(estimate.figures):
        return estimate
    rto_verdict = _verdict(rto, estimate.rto_status, estimate.rto_target_seconds)
    verdicts = (estimate.rpo_verdict, rto_verdict)
    verdict = FAIL if FAIL in verdicts else PASS if verdicts == (PASS, PASS) else NOT_ASSESSED
    return replace(estimate, rto_seconds=rto, rto_reason=reason, rto_verdict=rto_verdict, verdict=verdict,
                   figures=tuple(figures))
