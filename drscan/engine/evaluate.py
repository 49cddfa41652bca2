"""Run the rules that apply to each resource's kind and produce Findings with evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

from drscan.engine.loader import Rule, RuleSet
from drscan.engine.predicates import EvalContext
from drscan.graph.build import ResourceGraph
from drscan.model import Finding, Gap, Resource, Status, data_time


def _gap_note(resource: Resource, gaps_by_kind: dict[str, list[Gap]]) -> str:
    """Why data about this resource may be missing: its own failed calls first, else the first
    failed call covering its kind in its account and region."""
    relevant = [g for g in gaps_by_kind.get(resource.kind, ()) if g.resource_id in (None, resource.id)
                and g.account in ("", resource.account) and g.region in ("", resource.region, "global")]
    own = [g for g in relevant if g.resource_id == resource.id]
    if own:
        calls = ", ".join(dict.fromkeys(f"{g.code} on {g.operation}" for g in own))
        return f" ({calls})"
    if relevant:
        gap = relevant[0]
        return f" ({gap.code} on {gap.operation}: {gap.message})"
    return ""


DRIFT = "drift"
PROGRESS_EVERY = 5000  # on_progress(n) after every n resources evaluated


def _no_previous(_resource_id: str) -> Resource | None:
    return None


def evaluate_resource(resource: Resource, rule: Rule, graph: ResourceGraph, now: datetime,
                      gap_note: str = "", previous: Callable[[str], Resource | None] = _no_previous) -> Finding | None:
    # Drift rules compare with the previous scan; a resource it did not see has no drift to judge.
    if rule.category == DRIFT and previous(resource.id) is None:
        return None
    ctx = EvalContext(related=graph.related, now=now, previous=previous, open_world=graph.open_world)
    if rule.when is not None:
        applies, reason = rule.when(resource, ctx)
        if applies is False:
            return None
        if applies is None:
            return _finding(resource, rule, Status.NOT_ASSESSED, ctx, f"cannot tell whether the rule applies: {reason}{gap_note}")
    verdict, reason = rule.condition(resource, ctx)
    if verdict is True:
        return _finding(resource, rule, Status.PASS, ctx, reason)
    if verdict is False:
        return _finding(resource, rule, Status.FAIL, ctx, reason)
    return _finding(resource, rule, Status.NOT_ASSESSED, ctx, reason + gap_note)


def _finding(resource: Resource, rule: Rule, status: Status, ctx: EvalContext, reason: str) -> Finding:
    evidence = tuple({item.path: item for item in ctx.evidence}.values())  # each path once
    return Finding(
        rule_id=rule.id, rule_version=rule.version, resource_id=resource.id, resource_kind=resource.kind,
        provider=resource.provider, account=resource.account, region=resource.region, status=status,
        severity=rule.severity, category=rule.category, controls=rule.controls, evidence=evidence, reason=reason,
    )


def gaps_by_kind_of(gaps: Iterable[Gap]) -> dict[str, list[Gap]]:
    index: dict[str, list[Gap]] = {}
    for gap in gaps:
        for kind in gap.kinds:
            index.setdefault(kind, []).append(gap)
    return index


def evaluate_resources(graph: ResourceGraph, rules: RuleSet, now: datetime, subjects: Iterable[Resource],
                       gaps_by_kind: dict[str, list[Gap]], previous: Callable[[str], Resource | None] = _no_previous,
                       on_progress: Callable[[int], None] | None = None, per_resource_time: bool = False) -> list[Finding]:
    """The findings of the rules that apply to each subject's kind (the subjects may be the whole
    graph, or one partition of it whose neighbours the graph also holds). Ages are measured as of
    `now`, or, with per_resource_time, as of when each resource's data was captured (its
    observed_at; `now` for resources without one): an old export is judged as of its capture."""
    findings: list[Finding] = []
    count = 0
    for count, resource in enumerate(subjects, start=1):
        applicable = rules.by_kind.get(resource.kind)
        if applicable:
            note = _gap_note(resource, gaps_by_kind) if gaps_by_kind else ""
            moment = data_time(resource, now) if per_resource_time else now
            for rule in applicable:
                finding = evaluate_resource(resource, rule, graph, moment, note, previous)
                if finding is not None:
                    findings.append(finding)
        if on_progress and count % PROGRESS_EVERY == 0:
            on_progress(PROGRESS_EVERY)  # resources done since the last call
    if on_progress and count % PROGRESS_EVERY:
        on_progress(count % PROGRESS_EVERY)
    return findings


def evaluate(graph: ResourceGraph, rules: RuleSet, now: datetime, gaps: Iterable[Gap] = (),
             on_progress: Callable[[int], None] | None = None,
             previous: dict[str, Resource] | None = None, per_resource_time: bool = False) -> list[Finding]:
    gaps_by_kind = gaps_by_kind_of(gaps)
    findings = evaluate_resources(graph, rules, now, graph.resources.values(), gaps_by_kind,
                                  previous.get if previous else _no_previous, on_progress, per_resource_time)
    findings.extend(unseen_scope_findings(graph, rules, gaps_by_kind))
    return findings


def scope_id(gap: Gap, kind: str) -> str:
    """The stand-in resource id of 'every <kind> in this account and region', which a failed
    listing kept drscan from seeing: e.g. `unseen:aws/123456789012/eu-west-1/aws.s3.bucket`."""
    return f"unseen:{gap.provider}/{gap.account or '*'}/{gap.region or '*'}/{kind}"


def unseen_scope_findings(graph: ResourceGraph, rules: RuleSet, gaps_by_kind: dict[str, list[Gap]]) -> list[Finding]:
    """A listing that failed (AccessDenied, throttled, region not enabled, ...) hides resources
    drscan cannot even name. Every rule on those kinds is NOT_ASSESSED for that account and region,
    so coverage shows the hole instead of silently passing over it."""
    if not gaps_by_kind:
        return []
    seen: set[tuple[str, str, str]] = set()
    for resource in graph.resources.values():
        if resource.kind in gaps_by_kind:
            seen.add((resource.kind, resource.account, resource.region))
    findings: dict[tuple[str, str], Finding] = {}
    for kind, gaps in gaps_by_kind.items():
        for gap in gaps:
            if gap.resource_id is not None:
                continue  # a gap about one resource: that resource's own findings carry the note
            if any(k == kind and gap.account in ("", account) and gap.region in ("", region, "global")
                   for k, account, region in seen):
                continue  # the data reached drscan from elsewhere (another source or region)
            resource_id = scope_id(gap, kind)
            for rule in rules.by_kind.get(kind, ()):
                if rule.category == DRIFT:
                    continue
                findings.setdefault((rule.id, resource_id), Finding(
                    rule_id=rule.id, rule_version=rule.version, resource_id=resource_id, resource_kind=kind,
                    provider=gap.provider, account=gap.account, region=gap.region, status=Status.NOT_ASSESSED,
                    severity=rule.severity, category=rule.category, controls=rule.controls, evidence=(),
                    reason=f"{kind} could not be listed: {gap.code} on {gap.service}:{gap.operation}: {gap.message}"))
    return list(findings.values())
