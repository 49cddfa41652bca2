"""SQL over the scan store for `drscan serve`: plain functions of a read-only connection that
return rows as dicts. No rendering here; filtering, sorting and pagination happen in SQL so a
100k-resource scan stays fast (the indexes used are the store's (scan_id, status) and
(scan_id, fingerprint) and the resources primary key)."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import orjson

from drscan.dr.assess import DR_APP_KIND
from drscan.model import SEVERITIES
from drscan.report.context import data_as_of
from drscan.store.db import SEVERITY_RANK_SQL

STATUSES = ("FAIL", "NOT_ASSESSED", "PASS")  # also their alphabetical order, which the index keeps
# The same expression as the store's idx_findings_explore, so ORDER BY can walk that index.
SEVERITY_RANK = "(" + SEVERITY_RANK_SQL + ")"
SORTS = {
    "status": f"f.status {{order}}, {SEVERITY_RANK} {{order}}, f.rule_id {{order}}, f.resource_id {{order}}",
    "severity": f"{SEVERITY_RANK} {{order}}, f.status, f.rule_id, f.resource_id",
    "rule": "f.rule_id {order}, f.resource_id",
    "resource": "f.resource_id {order}, f.rule_id",
    "provider": "f.provider {order}, f.account, f.region, f.rule_id, f.resource_id",
    "account": "f.account {order}, f.region, f.rule_id, f.resource_id",
    "region": "f.region {order}, f.rule_id, f.resource_id",
    "category": "f.category {order}, f.rule_id, f.resource_id",
}
MAX_PAGE_SIZE = 500
APP_PREFIX = "app:"


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 9


def rows(connection: sqlite3.Connection, sql: str, params: list | tuple = ()) -> list[dict[str, Any]]:
    cursor = connection.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def _scope_name(scope: str | None) -> str:
    try:
        return str((orjson.loads(scope or "{}") or {}).get("name") or "default")
    except orjson.JSONDecodeError:
        return "default"


def _as_of(scope: str | None, started_at: str) -> str:
    try:
        return str((orjson.loads(scope or "{}") or {}).get("as_of") or started_at)
    except orjson.JSONDecodeError:
        return started_at


def _data_as_of(scope: str | None, started_at: str) -> str:
    """When the scan's data was captured, worded as every report words it ("data as of")."""
    try:
        parsed = orjson.loads(scope or "{}") or {}
    except orjson.JSONDecodeError:
        parsed = {}
    return data_as_of(parsed if isinstance(parsed, dict) else {}, started_at)["text"]


def _scan_dict(row: dict) -> dict[str, Any]:
    return {"id": row["id"], "started_at": row["started_at"], "finished_at": row["finished_at"],
            "as_of": _as_of(row["scope"], row["started_at"]), "data_as_of": _data_as_of(row["scope"], row["started_at"]),
            "scope": _scope_name(row["scope"]),
            "drscan_version": row["drscan_version"], "resources": row["resource_count"], "relations": row["relation_count"],
            "pass": row["pass_count"], "fail": row["fail_count"], "not_assessed": row["not_assessed_count"],
            "gaps": row["gap_count"]}


def list_scans(connection: sqlite3.Connection, last: int | None = None) -> list[dict[str, Any]]:
    """Scans oldest first (the last `last` of them)."""
    sql = "select * from scans order by id desc" + (" limit ?" if last else "")
    found = rows(connection, sql, [last] if last else [])
    return [_scan_dict(r) for r in reversed(found)]


def get_scan(connection: sqlite3.Connection, scan_id: int) -> dict[str, Any] | None:
    found = rows(connection, "select * from scans where id = ?", [scan_id])
    return _scan_dict(found[0]) if found else None


def latest_scan_id(connection: sqlite3.Connection) -> int | None:
    return connection.execute("select max(id) from scans").fetchone()[0]


def latest_per_scope(connection: sqlite3.Connection) -> list[dict[str, Any]]:
    latest: dict[str, dict] = {}
    for row in rows(connection, "select * from scans order by id"):
        scan = _scan_dict(row)
        latest[scan["scope"]] = scan
    return sorted(latest.values(), key=lambda s: s["scope"])


@dataclass(frozen=True)
class ScanSummary:
    """One scan's results aggregated per rule (and per app): enough for every trend and the
    control matrix. Scans never change once stored, so a summary can be cached by scan id."""

    scan_id: int
    by_rule: tuple[dict[str, Any], ...]  # {rule_id, severity, category, controls[], status, count}
    by_app: dict[str, dict[str, int]]  # app -> status -> count
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)


def scan_summary(connection: sqlite3.Connection, scan_id: int) -> ScanSummary:
    """Counts per rule and status, per app and status, and the values the explorer's filters
    offer; read from the covering index (the controls of a rule, the same on all its findings
    of one scan, from one row each)."""
    groups = connection.execute(
        "select rule_id, status, severity, category, count(*) from findings where scan_id = ?"
        " group by rule_id, status, severity, category", [scan_id]).fetchall()
    controls: dict[str, tuple[str, ...]] = {}
    for rule_id, status, severity, _, _ in groups:
        if rule_id not in controls:
            row = connection.execute(f"select controls from findings where scan_id = ? and status = ? and {SEVERITY_RANK} = ?"
                                     " and rule_id = ? limit 1", [scan_id, status, _severity_rank(severity), rule_id]).fetchone()
            controls[rule_id] = tuple(orjson.loads(row[0] or "[]")) if row else ()
    by_rule = tuple({"rule_id": rule_id, "severity": severity, "category": category, "controls": controls[rule_id],
                     "status": status, "count": count} for rule_id, status, severity, category, count in groups)
    members: dict[str, list[str]] = defaultdict(list)
    for source, target in connection.execute(
            "select source, target from relations where scan_id = ? and type = 'member_of_app'", [scan_id]):
        members[source].append(target.removeprefix(APP_PREFIX))
    by_app: dict[str, Counter] = defaultdict(Counter)
    places: set[tuple[str, str, str]] = set()
    for resource_id, status, provider, account, region in connection.execute(
            "select resource_id, status, provider, account, region from findings where scan_id = ?", [scan_id]):
        places.add((provider, account, region))
        for app in members.get(resource_id, ()):
            by_app[app][status] += 1
    facets = {
        "provider": tuple(sorted({p for p, _, _ in places if p})),
        "account": tuple(sorted({a for _, a, _ in places if a})),
        "region": tuple(sorted({r for _, _, r in places if r})),
        "rule": tuple(sorted(controls)),
        "category": tuple(sorted({r["category"] for r in by_rule if r["category"]})),
        "framework": tuple(sorted({c.split(":", 1)[0] for r in by_rule for c in r["controls"]})),
        "app": tuple(sorted({app for apps in members.values() for app in apps})),
    }
    return ScanSummary(scan_id, by_rule, {app: {s: counts.get(s, 0) for s in STATUSES} for app, counts in sorted(by_app.items())},
                       facets)


def counts_by(summary: ScanSummary, key: str) -> dict[str, dict[str, int]]:
    """status counts per severity, category or framework (a finding mapped to several controls of
    one framework counts once for it)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for row in summary.by_rule:
        if key == "framework":
            values = {c.split(":", 1)[0] for c in row["controls"]}
        else:
            values = {row[key] or "-"}
        for value in values:
            out[value][row["status"]] += row["count"]
    return {k: {s: v.get(s, 0) for s in STATUSES} for k, v in sorted(out.items())}


def control_counts(summary: ScanSummary, framework: str) -> dict[str, dict[str, Any]]:
    """Per control id of `framework`: status counts and the rules behind them, as stored with
    the findings (the mapping in force when the scan ran)."""
    prefix = framework + ":"
    out: dict[str, dict[str, Any]] = {}
    for row in summary.by_rule:
        for control in row["controls"]:
            if control.startswith(prefix):
                entry = out.setdefault(control[len(prefix):], {"counts": Counter(), "rules": set()})
                entry["counts"][row["status"]] += row["count"]
                entry["rules"].add(row["rule_id"])
    return out


@dataclass(frozen=True)
class FindingQuery:
    scan_id: int
    status: str = ""
    severity: str = ""
    category: str = ""
    framework: str = ""
    control: str = ""  # framework:control-id
    provider: str = ""
    account: str = ""
    region: str = ""
    app: str = ""
    rule: str = ""
    q: str = ""
    sort: str = "status"
    order: str = "asc"
    page: int = 1
    size: int = 50


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(query: FindingQuery) -> tuple[str, list]:
    clauses, params = ["f.scan_id = ?"], [query.scan_id]
    for column in ("status", "severity", "category", "provider", "account", "region"):
        value = getattr(query, column)
        if value:
            clauses.append(f"f.{column} = ?")
            params.append(value)
    if query.rule:
        clauses.append("f.rule_id = ?")
        params.append(query.rule)
    if query.control:
        clauses.append("f.controls like ? escape '\\'")
        params.append(_like(f'"{query.control}"'))
    elif query.framework:
        clauses.append("f.controls like ? escape '\\'")
        params.append(_like(f'"{query.framework}:'))
    if query.app:
        clauses.append("f.resource_id in (select source from relations where scan_id = ? and type = 'member_of_app' and target = ?)")
        params += [query.scan_id, APP_PREFIX + query.app]
    if query.q:
        clauses.append("(f.resource_id like ? escape '\\' or f.rule_id like ? escape '\\' or f.reason like ? escape '\\')")
        params += [_like(query.q)] * 3
    return " and ".join(clauses), params


def count_findings(connection: sqlite3.Connection, query: FindingQuery) -> int:
    where, params = _where(query)
    return connection.execute(f"select count(*) from findings f where {where}", params).fetchone()[0]


def find_findings(connection: sqlite3.Connection, query: FindingQuery, total: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    """(total matching, the requested page of findings), each with its resource name and apps.
    `total` may be given when the caller already knows it (a stored scan never changes)."""
    where, params = _where(query)
    if total is None:
        total = count_findings(connection, query)
    order = SORTS.get(query.sort, SORTS["status"]).format(order="desc" if query.order == "desc" else "asc")
    size = max(1, min(query.size, MAX_PAGE_SIZE))
    # Two steps: order row ids only (from the covering index when the filters allow), then read
    # the page's rows; sorting whole rows would read every finding of the scan from the table.
    chosen = [r[0] for r in connection.execute(f"select f.rowid from findings f where {where} order by {order} limit ? offset ?",
                                               params + [size, (max(1, query.page) - 1) * size])]
    page = []
    if chosen:
        found = {r["rowid"]: r for r in rows(
            connection, "select rowid, fingerprint, rule_id, resource_id, resource_kind, provider, account, region, status,"
                        f" severity, category, reason from findings where rowid in ({','.join('?' * len(chosen))})", chosen)}
        page = [found.pop(rowid) for rowid in chosen]
        for row in page:
            del row["rowid"]
    ids = sorted({r["resource_id"] for r in page})
    names: dict[str, str] = {}
    apps: dict[str, list[str]] = defaultdict(list)
    if ids:
        marks = ",".join("?" * len(ids))
        names = dict(connection.execute(f"select id, name from resources where scan_id = ? and id in ({marks})",
                                        [query.scan_id, *ids]).fetchall())
        for source, target in connection.execute(
                f"select source, target from relations where scan_id = ? and type = 'member_of_app' and source in ({marks})",
                [query.scan_id, *ids]):
            apps[source].append(target.removeprefix(APP_PREFIX))
    for row in page:
        row["resource_name"] = names.get(row["resource_id"], "")
        row["apps"] = sorted(apps.get(row["resource_id"], ()))
    return total, page


def get_finding(connection: sqlite3.Connection, scan_id: int, fingerprint: str) -> dict[str, Any] | None:
    found = rows(connection, "select * from findings where scan_id = ? and fingerprint = ?", [scan_id, fingerprint])
    if not found:
        return None
    finding = found[0]
    finding["controls"] = orjson.loads(finding["controls"] or "[]")
    finding["evidence"] = [{"path": p, "value": v} for p, v in orjson.loads(finding["evidence"] or "[]")]
    resource = rows(connection, "select * from resources where scan_id = ? and id = ?", [scan_id, finding["resource_id"]])
    if resource:
        r = resource[0]
        finding["resource"] = {"id": r["id"], "kind": r["kind"], "name": r["name"], "provider": r["provider"],
                               "account": r["account"], "region": r["region"], "zones": orjson.loads(r["zones"] or "[]"),
                               "tags": orjson.loads(r["tags"] or "{}"), "attrs": orjson.loads(r["attrs"] or "{}"),
                               "source": r["source"], "observed_at": r["observed_at"]}
    else:
        finding["resource"] = None
    finding["apps"] = [t.removeprefix(APP_PREFIX) for (t,) in connection.execute(
        "select target from relations where scan_id = ? and source = ? and type = 'member_of_app'", [scan_id, finding["resource_id"]])]
    return finding


def finding_history(connection: sqlite3.Connection, fingerprint: str) -> dict[str, Any]:
    """The finding_history row, this finding's status in every stored scan, and the changes."""
    summary = rows(connection, "select * from finding_history where fingerprint = ?", [fingerprint])
    per_scan = rows(connection, "select s.id as scan_id, s.started_at, f.status from scans s left join findings f"
                                " on f.scan_id = s.id and f.fingerprint = ? order by s.id", [fingerprint])
    changes = []
    previous = None
    for row in per_scan:
        status = row["status"] or "ABSENT"
        if status != previous:
            changes.append({"scan_id": row["scan_id"], "at": row["started_at"], "before": previous, "after": status})
            previous = status
    return {"summary": summary[0] if summary else None, "per_scan": per_scan, "changes": changes}


def app_assessments(connection: sqlite3.Connection, scan_ids: list[int]) -> dict[int, dict[str, dict]]:
    """The stored `drscan.dr.app` resources (each app's DR checks) of the given scans:
    scan id -> app name -> attributes."""
    out: dict[int, dict[str, dict]] = defaultdict(dict)
    if not scan_ids:
        return out
    marks = ",".join("?" * len(scan_ids))
    # App ids are "app:<name>": a primary-key range, not a scan of every resource.
    for scan_id, name, attrs in connection.execute(
            f"select scan_id, name, attrs from resources where scan_id in ({marks}) and id >= 'app:' and id < 'app;'"
            f" and kind = ?", [*scan_ids, DR_APP_KIND]):
        out[scan_id][name] = orjson.loads(attrs or "{}")
    return out


def gap_counts(connection: sqlite3.Connection, scan_id: int) -> list[dict[str, Any]]:
    return rows(connection, "select provider, service, code, count(*) as count from gaps where scan_id = ?"
                            " group by provider, service, code order by count desc, provider, service, code", [scan_id])


def list_gaps(connection: sqlite3.Connection, scan_id: int, page: int, size: int) -> tuple[int, list[dict[str, Any]]]:
    total = connection.execute("select count(*) from gaps where scan_id = ?", [scan_id]).fetchone()[0]
    found = rows(connection, "select provider, account, region, service, operation, code, message, resource_id, kinds"
                             " from gaps where scan_id = ? order by provider, account, region, service, operation, rowid"
                             " limit ? offset ?", [scan_id, size, (max(1, page) - 1) * size])
    for row in found:
        row["kinds"] = orjson.loads(row["kinds"] or "[]")
    return total, found


def not_assessed_by_rule(connection: sqlite3.Connection, scan_id: int, limit: int = 100) -> list[dict[str, Any]]:
    """What could not be assessed, per rule and reason (the most frequent first)."""
    return rows(connection, "select rule_id, reason, count(*) as count from findings where scan_id = ? and status = 'NOT_ASSESSED'"
                            " group by rule_id, reason order by count desc, rule_id limit ?", [scan_id, limit])
