"""Which alerts a stored scan raises: findings that started failing (new or regressed) trigger,
findings that stopped failing resolve. Triggers whose delivery failed last time are retried
while the finding still fails, so a failed delivery is late, never lost."""

from __future__ import annotations

from drscan.engine.loader import RuleSet
from drscan.history import FindingChange, ScanDiff
from drscan.model import Scan, Status
from drscan.notify.payloads import Event
from drscan.store.db import fingerprint


def events_for_scan(scan: Scan, rules: RuleSet, diff: ScanDiff | None, retry_fingerprints: set[str] = frozenset(),
                    retry_resolves: set[str] = frozenset()) -> list[Event]:
    """`diff` is None on the first scan of a database: every failure is new. `retry_fingerprints`
    (triggers) and `retry_resolves` did not get through after the previous scan (failed, or still
    pending when that process died): they are sent again while still true."""
    assert scan.id is not None
    findings = {fingerprint(f.rule_id, f.resource_id): f for f in scan.findings}
    names = {r.id: r.name for r in scan.resources}
    rule_by_id = {r.id: r for r in rules.rules}
    if diff is None:
        triggers = [key for key, f in findings.items() if f.status is Status.FAIL]
        resolves: list[FindingChange] = []
    else:
        triggers = [c.fingerprint for c in diff.new + diff.regressed]
        resolves = list(diff.resolved)
    triggers += [key for key in sorted(retry_fingerprints) if key in findings and findings[key].status is Status.FAIL
                 and key not in set(triggers)]
    events = []
    for key in triggers:
        f = findings[key]
        rule = rule_by_id.get(f.rule_id)
        events.append(Event(action="trigger", fingerprint=key, rule_id=f.rule_id, title=rule.title if rule else f.rule_id,
                            severity=f.severity, resource_id=f.resource_id, resource_name=names.get(f.resource_id, f.resource_id),
                            provider=f.provider, account=f.account, region=f.region, reason=f.reason,
                            remediation=rule.remediation if rule else "", scan_id=scan.id, controls=f.controls))
    resolved = {c.fingerprint for c in resolves}
    for key in sorted(retry_resolves - resolved):
        current = findings.get(key)
        rule_id, _, resource_id = key.partition("|")
        rule = rule_by_id.get(rule_id)
        if rule is None or (current is not None and current.status is Status.FAIL):
            continue
        resolves.append(FindingChange(fingerprint=key, rule_id=rule_id, resource_id=resource_id, severity=rule.severity,
                                      before=Status.FAIL.value, after=current.status.value if current else None))
    for change in resolves:
        rule = rule_by_id.get(change.rule_id)
        current = findings.get(change.fingerprint)
        events.append(Event(action="resolve", fingerprint=change.fingerprint, rule_id=change.rule_id,
                            title=rule.title if rule else change.rule_id, severity=change.severity,
                            resource_id=change.resource_id, resource_name=names.get(change.resource_id, change.resource_id),
                            provider=current.provider if current else "", account=current.account if current else "",
                            region=current.region if current else "",
                            reason=current.reason if current else "the resource is no longer in the inventory",
                            remediation="", scan_id=scan.id, controls=current.controls if current else ()))
    return events
