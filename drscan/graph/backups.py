"""Backup sources in the graph: link each source (pgBackRest stanza, WAL-G set, Barman server,
XtraBackup set, dump set, Veeam or Bacula job) to what it protects, and judge it against the
age it must not exceed. Pure functions of the inventory, drscan.yaml and the scan's clock.

Links come from `backups: [{source, protects}]` in drscan.yaml, or from the data: a PostgreSQL
system identifier shared with a live `database.postgres.server`, a host name equal to a
resource's name (Bacula's `<host>-fd` client names included), a dump set's S3 bucket. A source
is judged against `max_age` of its mapping, else the smallest RPO of the apps of what it
protects, else the default maximum age (backup_defaults.max_age, 24 h): never skipped."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any, Iterable

from drscan.config import BackupSource, Config
from drscan.model import Gap, Inventory, Relation, Resource, data_time
from drscan.normalize.dump_names import stem_of

SOURCE_KINDS = frozenset({
    "backup.pgbackrest.stanza", "backup.walg.backup_set", "backup.barman.server", "backup.xtrabackup.backup_set",
    "backup.dump.set", "backup.veeam.job", "backup.bacula.job",
})
LIVE_POSTGRES = "database.postgres.server"
LIVE_KINDS = frozenset({LIVE_POSTGRES, "database.mysql.server"})
WAL_VERIFY = "backup.walg.wal_verify"
DRILL = "drscan.drill.restore"


def _parse(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=None)


def _source_matches(entry: BackupSource, resource: Resource) -> bool:
    pattern = entry.source
    files = [part.split("#", 1)[0].split(":", 1)[0] for part in resource.source.split("; ")]
    names = [resource.id, resource.name] + files + [f.rsplit("/", 1)[-1] for f in files]
    return any(fnmatchcase(name, pattern) for name in names if name)


def _resolve(ref: str, by_id: dict[str, Resource], by_name: dict[str, list[str]], lower: dict[str, str]) -> list[str]:
    if ref in by_id:
        return [ref]
    if ref.lower() in lower:
        return [lower[ref.lower()]]
    return by_name.get(ref, [])


def _host_names(resource: Resource) -> set[str]:
    names = {resource.name}
    for key in ("host", "private_dns_name", "hostname", "endpoint_address", "address"):
        value = resource.attrs.get(key)
        if isinstance(value, str) and value:
            names.add(value)
    names |= {v for k, v in resource.tags.items() if k in ("Name", "hostname") and v}
    return {n.lower().split(".")[0] for n in names if n}


def link_backups(inventory: Inventory, config: Config) -> Inventory:
    """The inventory plus `protects` relations (backup source -> database, VM, ...) and `stored_in`
    (dump set -> S3 bucket); a mapping naming nothing in the inventory is a gap."""
    sources = [r for r in inventory.resources if r.kind in SOURCE_KINDS or r.kind == WAL_VERIFY]
    if not sources and not config.backups:
        return inventory
    by_id = {r.id: r for r in inventory.resources}
    by_name: dict[str, list[str]] = {}
    for resource in inventory.resources:
        by_name.setdefault(resource.name, []).append(resource.id)
    lower = {i.lower(): i for i in by_id}
    relations: list[Relation] = []
    gaps: list[Gap] = []
    for entry in config.backups:
        matched = [s for s in sources if _source_matches(entry, s)]
        if not matched:
            gaps.append(Gap(provider="backup", account="", region="", service="config", operation="backups",
                            code="UnmatchedBackupSource", message=f"{entry.line}: source {entry.source!r} matches no imported backup source"))
        for ref in entry.protects:
            targets = _resolve(ref, by_id, by_name, lower)
            if not targets:
                gaps.append(Gap(provider="backup", account="", region="", service="config", operation="backups",
                                code="UnresolvedBackupTarget", message=f"{entry.line}: protects {ref!r}: no such resource id or name in the inventory"))
            relations.extend(Relation(s.id, t, "protects") for s in matched for t in targets if t != s.id)
    live = [r for r in inventory.resources if r.kind == LIVE_POSTGRES and r.attrs.get("system_identifier")]
    hosts: dict[str, list[str]] = {}
    for resource in inventory.resources:
        if resource.kind not in SOURCE_KINDS and resource.kind != WAL_VERIFY:
            for name in _host_names(resource):
                hosts.setdefault(name, []).append(resource.id)
    for source in sources:
        system = source.attrs.get("system_identifier")
        if system:
            relations.extend(Relation(source.id, server.id, "protects") for server in live
                             if str(server.attrs["system_identifier"]) == str(system))
        host = str(source.attrs.get("host") or "").lower()
        if host:
            host = host[:-3] if host.endswith("-fd") else host  # Bacula client (file daemon) naming
            relations.extend(Relation(source.id, target, "protects") for target in hosts.get(host.split(".")[0], ()))
        bucket = source.attrs.get("bucket_arn")
        if bucket and bucket in by_id:
            relations.append(Relation(source.id, bucket, "stored_in"))
    relations.extend(_drill_links(inventory, sources, relations))
    return replace(inventory, relations=tuple(dict.fromkeys(tuple(inventory.relations) + tuple(relations))),
                   gaps=tuple(inventory.gaps) + tuple(gaps))


def _drill_source(drill: Resource, sources: list[Resource]) -> list[Resource]:
    """The backup source a drill restored from: the pgBackRest stanza it names, or the dump set
    holding its file (same directory and name stem)."""
    backup = str(drill.attrs.get("backup") or "")
    if backup.startswith("pgbackrest:"):
        stanza = backup.split(":", 1)[1].split("@", 1)[0]
        return [s for s in sources if s.kind == "backup.pgbackrest.stanza" and s.attrs.get("stanza") == stanza]
    path = backup.replace("\\", "/")
    directory, _, name = path.rpartition("/")
    return [s for s in sources if s.kind == "backup.dump.set" and (
        any(run.get("id") == backup for run in s.attrs.get("runs") or [])
        or (s.name == stem_of(name) and str(s.attrs.get("location") or "").rstrip("/").endswith(directory.rstrip("/") or "/")))]


def _drill_links(inventory: Inventory, sources: list[Resource], found: list[Relation]) -> list[Relation]:
    """A drill -restore_of-> what the backup it restored protects (its measured restore time is theirs)."""
    drills = [r for r in inventory.resources if r.kind == DRILL]
    if not drills:
        return []
    protects: dict[str, set[str]] = {}
    for relation in list(inventory.relations) + found:
        if relation.type == "protects":
            protects.setdefault(relation.source, set()).add(relation.target)
    links = []
    for drill in drills:
        for source in _drill_source(drill, sources):
            links.extend(Relation(drill.id, target, "restore_of") for target in sorted(protects.get(source.id, ())))
    return links


def _entries_for(source: Resource, config: Config) -> list[BackupSource]:
    return [e for e in config.backups if _source_matches(e, source)]


def _max_age(source: Resource, protected: list[Resource], apps_of: dict[str, tuple[str, ...]], config: Config,
             entries: list[BackupSource]) -> tuple[int, str, list[str]]:
    apps = sorted({a for p in protected for a in apps_of.get(p.id, ())} | set(apps_of.get(source.id, ())))
    explicit = [e.max_age_seconds for e in entries if e.max_age_seconds is not None]
    if explicit:
        return min(explicit), f"max_age of the backups mapping ({entries[0].line})", apps
    targets = [(config.app(a).rpo_seconds, a) for a in apps if config.app(a) and config.app(a).rpo_seconds is not None]
    if targets:
        seconds, app = min(targets)
        return seconds, f"RPO of app {app}", apps
    why = "no app claims this source" if not apps else "its apps declare no RPO"
    return config.backup_defaults.max_age_seconds, f"default maximum age (backup_defaults.max_age; {why})", apps


def restorable_point(source: Resource, protected: list[Resource]) -> tuple[str | None, str]:
    """The newest point this source can restore to, and what it is: the last archived WAL of the
    live server it protects when WAL archiving feeds it (PITR), else the newest successful backup."""
    if source.attrs.get("pitr"):
        for server in protected:
            if server.kind == LIVE_POSTGRES and server.attrs.get("last_archived_time") and server.attrs.get("archiving_failing") is False:
                return server.attrs["last_archived_time"], f"last archived WAL of {server.name} (pg_stat_archiver)"
    if source.attrs.get("last_success_at"):
        return source.attrs["last_success_at"], "newest successful backup (its stop time)"
    return None, "no successful backup in the export"


def _seconds_since(value: Any, now: datetime) -> float | None:
    moment = _parse(value)
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return max(0.0, (now - moment).total_seconds())


def judge_source(source: Resource, protected: list[Resource], apps_of: dict[str, tuple[str, ...]], config: Config,
                 now: datetime, bucket: Resource | None = None) -> Resource:
    """The source with its judgement attributes (absent when the data cannot tell)."""
    entries = _entries_for(source, config)
    max_age, max_age_source, apps = _max_age(source, protected, apps_of, config, entries)
    point, basis = restorable_point(source, protected)
    age = _seconds_since(point, now)
    judged: dict[str, Any] = {"protects": [p.id for p in protected], "claimed_by_apps": apps, "max_age_seconds": max_age,
                              "max_age_source": max_age_source, "restorable_at": point, "restorable_basis": basis,
                              "restorable_age_seconds": None if age is None else round(age)}
    if age is not None:
        judged["restorable_within_max_age"] = age <= max_age
    elif source.attrs.get("success_count") == 0:
        judged["restorable_within_max_age"] = False  # every run failed: nothing to restore
    region = next((e.repository_region for e in entries if e.repository_region), None) or (bucket.region if bucket else None)
    host = next((e.repository_host for e in entries if e.repository_host), None)
    judged["repository_region"], judged["repository_host"] = region, host
    where = [p for p in protected if p.kind not in LIVE_KINDS or p.region]
    if protected and region and all(p.region for p in where) and where:
        judged["repository_separate"] = all(p.region != region for p in where)
    elif protected and host:
        judged["repository_separate"] = all(host.lower().split(".")[0] not in _host_names(p) for p in protected)
    configured = source.attrs.get("retention_days_configured")
    oldest = _seconds_since(source.attrs.get("oldest_success_at"), now)
    retention = configured if configured is not None else (None if oldest is None else round(oldest / 86400, 1))
    judged["retention_days"] = retention
    judged["min_retention_days"] = config.backup_defaults.min_retention_days
    if retention is not None:
        judged["retention_meets_minimum"] = retention >= config.backup_defaults.min_retention_days
    attrs = {**source.attrs, **{k: v for k, v in judged.items() if v is not None}}
    return replace(source, attrs=attrs)


def judge_live_server(server: Resource, protected_by: list[Resource], apps_of: dict[str, tuple[str, ...]], config: Config,
                      now: datetime) -> Resource:
    """WAL archiving of a live PostgreSQL server: on, not failing, and recent (within the max age)."""
    if server.kind != LIVE_POSTGRES or server.attrs.get("in_recovery") is True:
        return server
    apps = sorted(set(apps_of.get(server.id, ())))
    targets = [config.app(a).rpo_seconds for a in apps if config.app(a) and config.app(a).rpo_seconds is not None]
    max_age = min(targets) if targets else config.backup_defaults.max_age_seconds
    attrs = dict(server.attrs)
    mode = attrs.get("archive_mode")
    age = _seconds_since(attrs.get("last_archived_time"), now)
    attrs["wal_archive_max_age_seconds"] = max_age
    if age is not None:
        attrs["last_archived_age_seconds"] = round(age)
    if mode is not None and mode not in ("on", "always"):
        attrs["wal_archiving_healthy"] = False
    elif attrs.get("archiving_failing") is True:
        attrs["wal_archiving_healthy"] = False
    elif attrs.get("archiving_failing") is False and age is not None:
        attrs["wal_archiving_healthy"] = age <= max_age
    elif attrs.get("archiving_failing") is False and (attrs.get("archiver") or {}).get("archived_count") == 0:
        attrs["wal_archiving_healthy"] = False  # archive_mode on, nothing ever archived
    return replace(server, attrs=attrs)


def judge_backups(resources: dict[str, Resource], related, apps_of: dict[str, tuple[str, ...]], config: Config,
                  now: datetime, per_resource_time: bool = False) -> Iterable[Resource]:
    """Judged copies of every backup source and live PostgreSQL server in the graph. Ages are
    measured as of `now`, or, with per_resource_time, as of when each one's data was captured
    (a backup export read months later is judged as of its capture)."""
    for resource in list(resources.values()):
        moment = data_time(resource, now) if per_resource_time else now
        if resource.kind in SOURCE_KINDS:
            buckets = related(resource.id, "stored_in", "out")
            yield judge_source(resource, related(resource.id, "protects", "out"), apps_of, config, moment,
                               buckets[0] if buckets else None)
        elif resource.kind == LIVE_POSTGRES:
            yield judge_live_server(resource, related(resource.id, "protects", "in"), apps_of, config, moment)
