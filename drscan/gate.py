"""Infrastructure-as-code gate: evaluate a Terraform plan before it is applied (rules on the
planned values of created and updated resources, plus DR regressions the plan would cause).
Terraform state against the latest scan is drscan/state_drift.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from drscan import __version__
from drscan.collect.terraform import TerraformPlan, dr_regressions, load_plan
from drscan.collect.terraform.overlay import overlay_plan
from drscan.config import Config
from drscan.engine.evaluate import evaluate
from drscan.engine.loader import RuleSet
from drscan.graph.build import build_graph
from drscan.model import Evidence, Finding, Inventory, Scan, Status
from drscan.redact import redact_inventory, redact_text, redact_value

CHANGING = {"create", "update"}
# DR regressions evidence backup, redundancy and continuity controls.
REGRESSION_CONTROLS = ("iso27001-2022:A.8.13", "iso27001-2022:A.8.14", "iso27001-2022:A.5.30", "soc2:A1.2", "soc2:CC8.1")


@dataclass
class PlanVerdict:
    scan: Scan
    plan: TerraformPlan
    regression_rules: list[dict[str, Any]] = field(default_factory=list)


OPEN_WORLD = ("resources outside the plan (backup selections, replicas, keys, schedules) are not visible: "
              "run `drscan plan PLAN --db drscan.db` to judge it against the latest scan")


def evaluate_plan(path: Path, config: Config, rules: RuleSet, now: datetime, started: str, finished: str,
                  live: tuple[int, Inventory] | None = None) -> PlanVerdict:
    """Rules on the planned values of created and updated resources, plus DR regressions.
    `live`: (scan id, inventory) of the latest stored scan, which the plan is overlaid on; without
    it, relation rules that find too few neighbours in the plan are NOT_ASSESSED (OPEN_WORLD)."""
    plan = load_plan(path)
    notices: list[str] = []
    scope: dict[str, Any] = {"name": config.scope_name, "terraform_plan": str(path),
                             "terraform_version": plan.terraform_version,
                             "planned_resources": len(plan.inventory.resources)}
    if live is None:
        inventory, open_world = plan.inventory, OPEN_WORLD
        scope["plan_context"] = "plan only"
    else:
        scan_id, live_inventory = live
        overlay = overlay_plan(plan, live_inventory, scan_id)
        inventory, open_world = overlay.inventory, None
        notices.extend(overlay.notices)
        scope.update(plan_context=f"overlaid on scan {scan_id}", live_scan=scan_id, live_resources_replaced=overlay.replaced)
    summary = plan.unmapped_summary()
    if summary:
        notices.insert(0, summary)
        scope["unmapped_changes"] = {"count": sum(n for _, n in plan.unmapped), "types": [t for t, _ in plan.unmapped],
                                     "by_type": dict(plan.unmapped)}
    inventory = redact_inventory(inventory)
    graph = build_graph(inventory, config.apps, open_world=open_world)
    changing = {redact_text(c.address) for c in plan.changes if CHANGING & set(c.actions)}
    # A changed settings resource (e.g. aws_s3_bucket_versioning) re-checks the resource it configures.
    changing |= {redact_text(c.after.attrs["terraform_configures"]) for c in plan.changes
                 if CHANGING & set(c.actions) and c.after is not None and c.after.attrs.get("terraform_configures")}
    gaps = list(inventory.gaps) + graph.gaps
    findings = [f for f in evaluate(graph, rules, now, gaps) if f.resource_id in changing]
    planned = redact_inventory(plan.inventory)  # ids and gaps as the redacted graph holds them
    planned_ids = {r.id for r in planned.resources}
    if live is not None:  # the plan's own gaps, and live ones about what it touches; the rest belong to the scan
        gaps = [g for g in gaps if g in planned.gaps or g.resource_id in planned_ids]
    regression_rules: dict[str, dict[str, Any]] = {}
    for regression in dr_regressions(plan):
        reason = redact_text(regression.reason)
        findings.append(Finding(
            rule_id=regression.rule_id, rule_version=1, resource_id=redact_text(regression.address),
            resource_kind=regression.kind or "terraform.resource", provider=(regression.kind or "terraform").split(".")[0],
            account="terraform", region="", status=Status.FAIL, severity=regression.severity, category="dr",
            controls=REGRESSION_CONTROLS, evidence=(Evidence("plan change", reason),), reason=reason))
        regression_rules[regression.rule_id] = {
            "id": regression.rule_id, "version": 1, "title": regression.title, "severity": regression.severity,
            "category": "dr", "kinds": [regression.kind or "terraform.resource"], "controls": list(REGRESSION_CONTROLS)}
    if notices:
        scope["notices"] = notices
    scan = Scan(id=None, started_at=started, finished_at=finished, scope=redact_value(scope),
                sources=(redact_value(str(path)),), resources=tuple(r for r in graph.resources.values() if r.id in planned_ids),
                relations=tuple(r for r in graph.relations if r.source in planned_ids or r.target in planned_ids),
                findings=tuple(findings), gaps=tuple(gaps), drscan_version=__version__, rules_digest=rules.digest)
    return PlanVerdict(scan=scan, plan=plan, regression_rules=list(regression_rules.values()))


def plan_context(context: dict[str, Any], verdict: PlanVerdict) -> dict[str, Any]:
    """Plan findings are located by Terraform address (SARIF logical locations, JUnit names)."""
    titles = {r["id"]: r["title"] for r in verdict.regression_rules}
    for finding in context["findings"]:
        finding["address"] = finding["resource_id"]
        if finding["rule_id"] in titles:
            finding["title"] = titles[finding["rule_id"]]
            finding["remediation"] = "Keep the replica, backup, schedule or protection in the plan, or record an approved exception."
    context["rules"] = context["rules"] + verdict.regression_rules
    context["notices"] = list(verdict.scan.scope.get("notices") or [])
    return context
