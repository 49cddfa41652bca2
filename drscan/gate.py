"""Infrastructure-as-code gates: evaluate a Terraform plan before it is applied (rules on the
planned values of created and updated resources, plus DR regressions the plan would cause), and
compare Terraform state with the latest live scan (drift)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from drscan import __version__
from drscan.collect.terraform import TerraformPlan, dr_regressions, load_plan, load_state
from drscan.config import Config
from drscan.engine.evaluate import evaluate
from drscan.engine.loader import RuleSet
from drscan.graph.build import build_graph
from drscan.model import Evidence, Finding, Resource, Scan, Status
from drscan.redact import redact_inventory, redact_text, redact_value

CHANGING = {"create", "update"}
# DR regressions evidence backup, redundancy and continuity controls.
REGRESSION_CONTROLS = ("iso27001-2022:A.8.13", "iso27001-2022:A.8.14", "iso27001-2022:A.5.30", "soc2:A1.2", "soc2:CC8.1")


@dataclass
class PlanVerdict:
    scan: Scan
    plan: TerraformPlan
    regression_rules: list[dict[str, Any]] = field(default_factory=list)


def evaluate_plan(path: Path, config: Config, rules: RuleSet, now: datetime, started: str, finished: str) -> PlanVerdict:
    plan = load_plan(path)
    inventory = redact_inventory(plan.inventory)
    graph = build_graph(inventory, config.apps)
    changing = {redact_text(c.address) for c in plan.changes if CHANGING & set(c.actions)}
    # A changed settings resource (e.g. aws_s3_bucket_versioning) re-checks the resource it configures.
    changing |= {redact_text(c.after.attrs["terraform_configures"]) for c in plan.changes
                 if CHANGING & set(c.actions) and c.after is not None and c.after.attrs.get("terraform_configures")}
    findings = [f for f in evaluate(graph, rules, now, list(inventory.gaps) + graph.gaps) if f.resource_id in changing]
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
    scan = Scan(id=None, started_at=started, finished_at=finished,
                scope=redact_value({"name": config.scope_name, "terraform_plan": str(path),
                                    "terraform_version": plan.terraform_version}),
                sources=(redact_value(str(path)),), resources=tuple(graph.resources.values()),
                relations=tuple(graph.relations),
                findings=tuple(findings), gaps=tuple(list(inventory.gaps) + graph.gaps), drscan_version=__version__,
                rules_digest=rules.digest)
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
    return context


def terraform_drift(state_path: Path, scanned: dict[str, Resource]) -> dict[str, Any]:
    """Live (latest scan) against Terraform state, for the kinds the state manages."""
    state = {r.id: r for r in redact_inventory(load_state(state_path)).resources}
    managed_kinds = {r.kind for r in state.values()}
    providers = {r.provider for r in state.values()}
    in_scope = {rid: r for rid, r in scanned.items() if r.kind in managed_kinds and r.provider in providers}
    unmanaged = [{"id": rid, "kind": r.kind, "name": r.name} for rid, r in sorted(in_scope.items()) if rid not in state]
    missing = [{"id": rid, "kind": r.kind, "address": r.attrs.get("terraform_address")}
               for rid, r in sorted(state.items()) if rid not in scanned]
    changed = []
    for rid, declared in sorted(state.items()):
        live = scanned.get(rid)
        if live is None:
            continue
        differences = [{"attribute": key, "terraform": declared.attrs[key], "live": live.attrs[key]}
                       for key in sorted(set(declared.attrs) & set(live.attrs))
                       if key != "terraform_address" and declared.attrs[key] is not None and declared.attrs[key] != live.attrs[key]]
        if differences:
            changed.append({"id": rid, "kind": live.kind, "address": declared.attrs.get("terraform_address"),
                            "differences": differences})
    return {"state": redact_value(str(state_path)), "managed": len(state), "unmanaged": unmanaged, "missing": missing,
            "changed": changed}
