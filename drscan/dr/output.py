"""JSON documents of the DR engine (what `drscan dr --format json` prints and reports embed):
per app strategy, per-disruption estimates with evidence, readiness checks; simulations."""

from __future__ import annotations

from typing import Any

from drscan import __version__
from drscan.dr.model import AppAssessment, Mechanism
from drscan.dr.simulate import SimulationResult


def mechanism_json(mechanism: Mechanism) -> dict[str, Any]:
    return {"kind": mechanism.kind, "label": mechanism.label, "location": mechanism.location.describe(),
            "rpo_seconds": None if mechanism.rpo_seconds is None else round(mechanism.rpo_seconds, 1),
            "rpo_reason": mechanism.rpo_reason,
            "rto_seconds": None if mechanism.rto_seconds is None else round(mechanism.rto_seconds, 1),
            "rto_basis": sorted({f.basis for f in mechanism.rto}) if mechanism.rto else [],
            "point_in_time": mechanism.point_in_time, "immutable": mechanism.immutable, "automatic": mechanism.automatic,
            "interval_seconds": mechanism.interval_seconds, "latest_point_age_seconds": mechanism.latest_point_age_seconds,
            "stopped": mechanism.stopped, "target_id": mechanism.target_id}


def assessment_json(assessment: AppAssessment, resources: dict) -> dict[str, Any]:
    return {
        "name": assessment.name, "tier": assessment.tier, "owner": assessment.owner, "contacts": list(assessment.contacts),
        "targets": {"rpo_seconds": assessment.rpo_target_seconds, "rto_seconds": assessment.rto_target_seconds},
        "verdict": assessment.verdict, "members": assessment.member_count, "providers": list(assessment.providers),
        "strategy": assessment.strategy.as_dict(),
        "disruptions": {d: e.as_dict() for d, e in assessment.estimates.items()},
        "checks": assessment.checks,
        "single_points_of_failure": list(assessment.single_points_of_failure),
        "data_stores": [{"id": store_id, "kind": resources[store_id].kind, "region": resources[store_id].region,
                         "mechanisms": [mechanism_json(m) for m in assessment.mechanisms.get(store_id, ())]}
                        for store_id in assessment.data_store_ids],
        "notes": list(assessment.notes),
    }


def status_json(report, exit_code: int) -> dict[str, Any]:
    resources = report.context.graph.resources
    return {
        "drscan_version": __version__,
        "scan": {"id": report.scan.id, "started_at": report.scan.started_at, "as_of": report.scan.as_of},
        "as_of": report.context.now.isoformat(timespec="seconds"),
        "apps": [assessment_json(a, resources) for a in report.assessments.values()],
        "assumptions": [a.as_dict() for a in report.context.assumptions.all()],
        "exit_code": exit_code,
    }


def simulation_json(scan, result: SimulationResult, exit_code: int) -> dict[str, Any]:
    return {
        "drscan_version": __version__,
        "scan": {"id": scan.id, "started_at": scan.started_at, "as_of": scan.as_of},
        "failures": [f.spec for f in result.failures], "failed_resource_count": result.failed_resource_count,
        "apps": [a.as_dict() for a in result.apps], "shared_services": [s.as_dict() for s in result.services],
        "exit_code": exit_code,
    }
