"""What changed between scans: per-scan trend (history) and the difference between two
scans (diff). Reads only the store; pure apart from its queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlite_utils

from drscan.errors import InputError

FAIL = "FAIL"


@dataclass
class FindingChange:
    fingerprint: str
    rule_id: str
    resource_id: str
    severity: str
    before: str | None  # status in the older scan (None: not evaluated there)
    after: str | None  # status in the newer scan (None: gone)
    reason: str = ""


@dataclass
class ResourceChange:
    id: str
    kind: str
    changes: list[dict[str, Any]]  # [{"path", "before", "after"}]


@dataclass
class ScanDiff:
    old_scan: int
    new_scan: int
    new: list[FindingChange] = field(default_factory=list)  # FAIL now, not evaluated before
    regressed: list[FindingChange] = field(default_factory=list)  # FAIL now, PASS/NOT_ASSESSED before
    resolved: list[FindingChange] = field(default_factory=list)  # FAIL before, not FAIL now (or gone)
    still_failing: list[FindingChange] = field(default_factory=list)
    resources_added: list[dict[str, str]] = field(default_factory=list)
    resources_removed: list[dict[str, str]] = field(default_factory=list)
    resources_changed: list[ResourceChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def changes(items: list[FindingChange]) -> list[dict]:
            return [vars(i) for i in items]
        return {
            "old_scan": self.old_scan, "new_scan": self.new_scan,
            "counts": {"new": len(self.new), "regressed": len(self.regressed), "resolved": len(self.resolved),
                       "still_failing": len(self.still_failing), "resources_added": len(self.resources_added),
                       "resources_removed": len(self.resources_removed), "resources_changed": len(self.resources_changed)},
            "findings": {"new": changes(self.new), "regressed": changes(self.regressed), "resolved": changes(self.resolved),
                         "still_failing": changes(self.still_failing)},
            "resources": {"added": self.resources_added, "removed": self.resources_removed,
                          "changed": [vars(c) for c in self.resources_changed]},
        }


def scan_ids(db: sqlite_utils.Database) -> list[int]:
    return [row["id"] for row in db.query("select id from scans order by id")]


def resolve_pair(db: sqlite_utils.Database, old: int | None, new: int | None) -> tuple[int, int]:
    """Defaults: the latest scan against the one before it."""
    ids = scan_ids(db)
    if new is None and old is None:
        if len(ids) < 2:
            raise InputError(f"diff needs two scans; the database has {len(ids)}")
        return ids[-2], ids[-1]
    for scan_id in (old, new):
        if scan_id not in ids:
            raise InputError(f"scan {scan_id} not found (scans: {ids[0] if ids else '-'}..{ids[-1] if ids else '-'})")
    assert old is not None and new is not None
    return old, new


def _findings(db: sqlite_utils.Database, scan_id: int) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in db.execute(
        "select fingerprint, rule_id, resource_id, severity, status, reason from findings where scan_id = ?", [scan_id])}


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def attribute_changes(before: dict, after: dict) -> list[dict[str, Any]]:
    old, new = _flatten(before), _flatten(after)
    return [{"path": path, "before": old.get(path), "after": new.get(path)}
            for path in sorted(set(old) | set(new)) if old.get(path) != new.get(path)]


def diff_scans(db: sqlite_utils.Database, old: int, new: int, include_resources: bool = True) -> ScanDiff:
    """Findings and (unless include_resources is False) resources that differ between two scans."""
    result = ScanDiff(old_scan=old, new_scan=new)
    before, after = _findings(db, old), _findings(db, new)
    for key, (rule_id, resource_id, severity, status, reason) in after.items():
        previous = before.get(key)
        change = FindingChange(key, rule_id, resource_id, severity, previous[3] if previous else None, status, reason)
        if status == FAIL:
            if previous is None:
                result.new.append(change)
            elif previous[3] == FAIL:
                result.still_failing.append(change)
            else:
                result.regressed.append(change)
        elif previous is not None and previous[3] == FAIL:
            result.resolved.append(change)
    for key, (rule_id, resource_id, severity, status, reason) in before.items():
        if key not in after and status == FAIL:
            result.resolved.append(FindingChange(key, rule_id, resource_id, severity, status, None, reason))

    if include_resources:
        _diff_resources(db, old, new, result)
    for items in (result.new, result.regressed, result.resolved, result.still_failing):
        items.sort(key=lambda c: (c.rule_id, c.resource_id))
    return result


def _diff_resources(db: sqlite_utils.Database, old: int, new: int, result: ScanDiff) -> None:
    # Attributes are stored as canonical (sorted-key) JSON, so equal text means equal resource.
    old_resources = {r[0]: (r[1], r[2], r[3]) for r in db.execute(
        "select id, kind, name, attrs from resources where scan_id = ?", [old])}
    for rid, kind, name, attrs in db.execute("select id, kind, name, attrs from resources where scan_id = ?", [new]):
        previous = old_resources.pop(rid, None)
        if previous is None:
            result.resources_added.append({"id": rid, "kind": kind, "name": name})
        elif previous[2] != attrs:
            result.resources_changed.append(ResourceChange(rid, kind, attribute_changes(orjson.loads(previous[2]), orjson.loads(attrs))))
    result.resources_removed = [{"id": rid, "kind": kind, "name": name} for rid, (kind, name, _) in old_resources.items()]


def history_summary(db: sqlite_utils.Database, last: int = 20) -> dict[str, Any]:
    """Per scan: counts, and failing findings per framework and per application (the trend)."""
    scans = list(db.query("select * from scans order by id desc limit ?", [last]))[::-1]
    ids = [s["id"] for s in scans]
    frameworks: dict[int, Counter] = defaultdict(Counter)
    apps: dict[int, Counter] = defaultdict(Counter)
    if ids:
        marks = ",".join("?" * len(ids))
        for scan_id, controls in db.execute(f"select scan_id, controls from findings where status = 'FAIL' and scan_id in ({marks})", ids):
            for framework in {c.split(":", 1)[0] for c in orjson.loads(controls)}:
                frameworks[scan_id][framework] += 1
        for scan_id, app, count in db.execute(
                f"select f.scan_id, r.target, count(*) from findings f join relations r on r.scan_id = f.scan_id"
                f" and r.source = f.resource_id and r.type = 'member_of_app' where f.status = 'FAIL' and f.scan_id in ({marks})"
                f" group by f.scan_id, r.target", ids):
            apps[scan_id][app.removeprefix("app:")] = count
    rows = []
    previous_fail = None
    for scan in scans:
        rows.append({
            "id": scan["id"], "started_at": scan["started_at"], "resources": scan["resource_count"],
            "pass": scan["pass_count"], "fail": scan["fail_count"], "not_assessed": scan["not_assessed_count"],
            "gaps": scan["gap_count"], "fail_delta": None if previous_fail is None else scan["fail_count"] - previous_fail,
            "fail_by_framework": dict(frameworks.get(scan["id"], {})), "fail_by_app": dict(apps.get(scan["id"], {})),
        })
        previous_fail = scan["fail_count"]
    from drscan.store.scores import score_trend

    scores = score_trend(db, ids)
    for row in rows:
        row["dr_score_by_app"] = {app: v["score"] for app, v in scores.get(row["id"], {}).items()}
    longest = list(db.query(
        "select fingerprint, rule_id, resource_id, failing_since, violation_seconds, failing_scans from finding_history"
        " where last_status = 'FAIL' order by failing_since asc limit 10"))
    return {"scans": rows, "longest_failing": longest}
