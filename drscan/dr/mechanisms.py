"""Every mechanism that keeps a data store's data, per resource kind and cloud: synchronous
standbys and zone-redundant storage, async replicas, point-in-time recovery, versioning, plus
the backup copies found by drscan.dr.copies. Attributes the inventory lacks yield mechanisms
with an unknown RPO (never a silent "protected")."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from drscan.dr.copies import (assumed, backup_copies, human, location_of, recovery_points, regional_copy,
                              restore_figures, scheduled_copy)
from drscan.dr.database_backups import database_backup_copies
from drscan.dr.kubernetes import pvc_mechanisms
from drscan.dr.model import Location, Mechanism, Step
from drscan.dr.scope import DrContext
from drscan.model import Resource
from drscan.normalize.aws import arn_account, arn_region


def _sync(ctx: DrContext, store: Resource, label: str, failover_key: str, step: Step, *, automatic: bool = True,
          action: str = "verify_automatic_failover") -> Mechanism:
    return Mechanism(kind="sync_replication", label=label, store_id=store.id,
                     location=location_of(store, zone_redundant=True, zones=()), rpo_seconds=0.0,
                     rto=(assumed(ctx, failover_key, label + " failover"),), point_in_time=False, automatic=automatic,
                     action=action, evidence=(step,), rpo_reason="synchronous copy in other zones")


def _unknown(store: Resource, label: str, step: Step, *, point_in_time: bool, location: Location | None = None) -> Mechanism:
    return Mechanism(kind="unknown", label=label, store_id=store.id, location=location or location_of(store),
                     rpo_seconds=None, rto=None, point_in_time=point_in_time, evidence=(step,),
                     rpo_reason=step.inference)


def _replica(ctx: DrContext, store: Resource, replica: Resource | None, *, label: str, lag_key: str, promote_key: str,
             location: Location, step: Step, action: str, automatic: bool = False) -> Mechanism:
    """An asynchronous copy elsewhere. `automatic`: the copy already serves reads and writes
    (DynamoDB global tables, GCS dual/multi-region), so nobody has to promote it."""
    lag = ctx.assumptions.get(lag_key)
    return Mechanism(kind="async_replica", label=label, store_id=store.id, location=location, rpo_seconds=lag,
                     rto=(assumed(ctx, promote_key, label + ": promote / switch"),), point_in_time=False, automatic=automatic,
                     action=action, target_id=replica.id if replica else None,
                     depends_on=(replica.id,) if replica else (), evidence=(step,),
                     rpo_reason=f"asynchronous replication lag (~{human(lag)}, assumed)")


def _pitr(ctx: DrContext, store: Resource, *, label: str, rpo_key: str, step: Step, action: str,
          location: Location | None = None) -> Mechanism:
    rto, rto_steps, _ = restore_figures(ctx, store)
    return Mechanism(kind="pitr", label=label, store_id=store.id,
                     location=location or regional_copy(store.provider, store.account, store.region),
                     rpo_seconds=ctx.assumptions.get(rpo_key), rto=rto, point_in_time=True, action=action,
                     evidence=(step,) + rto_steps, rpo_reason=f"point-in-time recovery ({human(ctx.assumptions.get(rpo_key))})")


def _replicas_in(ctx: DrContext, store: Resource) -> list[Resource]:
    return [r for r in ctx.graph.related(store.id, "replica_of", "in") if r.kind == store.kind]


# ---------------------------------------------------------------------------- AWS

def aws_rds_instance(ctx: DrContext, store: Resource) -> list[Mechanism]:
    found = []
    multi_az = store.attrs.get("multi_az")
    if multi_az is True:
        found.append(_sync(ctx, store, "RDS Multi-AZ standby", "failover_seconds.rds_multi_az",
                           Step(store.id, "multi_az", True, "synchronous standby in another zone; automatic failover")))
    elif multi_az is None:
        found.append(_unknown(store, "Multi-AZ setting not collected",
                              Step(store.id, "multi_az", None, "whether a synchronous standby exists is not known"),
                              point_in_time=False, location=location_of(store, zone_redundant=True, zones=())))
    found.extend(_rds_pitr(ctx, store, "pitr_rpo_seconds.rds", "rds_pitr"))
    found.extend(_replicated_automated_backups(ctx, store))
    seen = set()
    for replica in _replicas_in(ctx, store):
        seen.add(replica.id)
        found.append(_replica(ctx, store, replica, label=f"read replica {replica.name} ({replica.region})",
                              lag_key="replication_lag_seconds.rds_read_replica", promote_key="promote_seconds.rds_read_replica",
                              location=location_of(replica), action="rds_promote_replica",
                              step=Step(replica.id, "relation:replica_of", store.id,
                                        f"asynchronous read replica in {replica.account}/{replica.region}")))
    for arn in store.attrs.get("read_replica_ids") or []:
        if str(arn) in seen or not str(arn).startswith("arn:"):
            continue
        found.append(_replica(ctx, store, None, label=f"read replica {str(arn).rsplit(':', 1)[-1]} (not in inventory)",
                              lag_key="replication_lag_seconds.rds_read_replica", promote_key="promote_seconds.rds_read_replica",
                              location=Location("aws", arn_account(arn), arn_region(arn)), action="rds_promote_replica",
                              step=Step(store.id, "read_replica_ids", arn,
                                        "replica listed by the primary but not in the inventory; location from its ARN")))
    return found


def _rds_pitr(ctx: DrContext, store: Resource, rpo_key: str, action: str) -> list[Mechanism]:
    retention = store.attrs.get("backup_retention_days")
    if retention is None:
        return [_unknown(store, "automated backups not collected",
                         Step(store.id, "backup_retention_days", None, "whether automated backups (PITR) run is not known"),
                         point_in_time=True, location=regional_copy(store.provider, store.account, store.region))]
    if not retention:
        return []
    step = Step(store.id, "backup_retention_days", retention,
                f"automated backups kept {retention} days: point-in-time restore (transaction logs every 5 minutes)")
    mechanism = _pitr(ctx, store, label="automated backups / point-in-time restore", rpo_key=rpo_key, step=step, action=action)
    location = mechanism.location
    automated = [p for p in recovery_points(ctx, store).get((location.provider, location.account, location.region), [])
                 if p.resource.attrs.get("snapshot_type") == "automated"]
    if automated:
        daily = ctx.assumptions.get("backup_interval_seconds.rds_automated")
        check = scheduled_copy(ctx, store, kind="pitr", label=mechanism.label, location=location, interval=daily, lag=0.0,
                               immutable=False, points=automated, evidence=[], action=action, rto=mechanism.rto)
        if check.stopped:
            return [replace(mechanism, rpo_seconds=check.rpo_seconds, stopped=True,
                            latest_point_age_seconds=check.latest_point_age_seconds,
                            evidence=mechanism.evidence + check.evidence,
                            rpo_reason="automated backups stopped: " + check.rpo_reason)]
        return [replace(mechanism, latest_point_age_seconds=check.latest_point_age_seconds)]
    return [mechanism]


def _replicated_automated_backups(ctx: DrContext, store: Resource) -> list[Mechanism]:
    """RDS cross-region automated backups: snapshots and transaction logs replicated to another region."""
    regions = store.attrs.get("cross_region_automated_backup_regions") or []
    if not regions or not store.attrs.get("backup_retention_days"):
        return []
    rto, rto_steps, _ = restore_figures(ctx, store)
    rpo = ctx.assumptions.get("pitr_rpo_seconds.rds") + ctx.assumptions.get("replication_lag_seconds.rds_automated_backup")
    return [Mechanism(kind="pitr", label=f"automated backups replicated to {region}", store_id=store.id,
                      location=regional_copy("aws", store.account, str(region)), rpo_seconds=rpo, rto=rto, point_in_time=True,
                      action="rds_pitr_replicated",
                      evidence=(Step(store.id, "cross_region_automated_backup_regions", regions,
                                     f"automated backups and transaction logs are replicated to {region}"),) + rto_steps,
                      rpo_reason=f"replicated point-in-time recovery (~{human(rpo)}, assumed)") for region in regions]


def aws_rds_cluster(ctx: DrContext, store: Resource) -> list[Mechanism]:
    members = store.attrs.get("member_ids") or []
    found = [_sync(ctx, store, "Aurora cluster storage (six copies over three zones)",
                   "failover_seconds.aurora" if len(members) >= 2 else "compute_seconds.replace_instance",
                   Step(store.id, "member_ids", members, "cluster storage spans three zones; "
                        + ("a reader takes over automatically" if len(members) >= 2 else "no reader: a new writer must start")),
                   automatic=len(members) >= 2)]
    found.extend(_rds_pitr(ctx, store, "pitr_rpo_seconds.rds", "rds_cluster_pitr"))
    seen_regions = set()
    for replica in _replicas_in(ctx, store):
        seen_regions.add(replica.region)
        found.append(_replica(ctx, store, replica, label=f"replica cluster {replica.name} ({replica.region})",
                              lag_key="replication_lag_seconds.aurora_global_database",
                              promote_key="promote_seconds.aurora_global_database", location=location_of(replica),
                              action="aurora_failover_global", step=Step(replica.id, "relation:replica_of", store.id,
                                                                        f"replica cluster in {replica.region}")))
    for region in store.attrs.get("global_cluster_regions") or []:
        if region == store.region or region in seen_regions:
            continue
        secondary = next((c for c in ctx.index.global_clusters().get((store.attrs.get("global_cluster_id"),), ())
                          if c.region == region and c.id != store.id), None)
        found.append(_replica(ctx, store, secondary, label=f"Aurora global database secondary in {region}",
                              lag_key="replication_lag_seconds.aurora_global_database",
                              promote_key="promote_seconds.aurora_global_database",
                              location=location_of(secondary) if secondary else Location("aws", store.account, str(region)),
                              action="aurora_failover_global",
                              step=Step(store.id, "global_cluster_regions", store.attrs.get("global_cluster_regions"),
                                        f"global database: a secondary cluster in {region}")))
    return found


def aws_dynamodb_table(ctx: DrContext, store: Resource) -> list[Mechanism]:
    found = [_sync(ctx, store, "DynamoDB regional storage", "failover_seconds.zone_redundant_service",
                   Step(store.id, "kind", store.kind, "DynamoDB replicates every table across the zones of its region"))]
    pitr = store.attrs.get("pitr_enabled")
    if pitr is True:
        found.append(_pitr(ctx, store, label="DynamoDB point-in-time recovery", rpo_key="pitr_rpo_seconds.dynamodb",
                           action="dynamodb_pitr", step=Step(store.id, "pitr_enabled", True, "continuous backups (PITR)")))
    elif pitr is None:
        found.append(_unknown(store, "PITR setting not collected",
                              Step(store.id, "pitr_enabled", None, "whether point-in-time recovery is on is not known"),
                              point_in_time=True, location=regional_copy("aws", store.account, store.region)))
    name = store.id.rsplit("/", 1)[-1]
    for region in store.attrs.get("replica_regions") or []:
        replica = ctx.graph.resources.get(f"arn:aws:dynamodb:{region}:{store.account}:table/{name}")
        found.append(_replica(ctx, store, replica, label=f"global table replica in {region}",
                              lag_key="replication_lag_seconds.dynamodb_global_table", promote_key="promote_seconds.global_table",
                              location=Location("aws", store.account, str(region), (), True), action="dynamodb_global_table",
                              automatic=True,
                              step=Step(store.id, "replica_regions", store.attrs.get("replica_regions"),
                                        f"global table: a writable replica in {region}")))
    return found


def aws_s3_bucket(ctx: DrContext, store: Resource) -> list[Mechanism]:
    found = [_sync(ctx, store, "S3 regional storage", "failover_seconds.zone_redundant_service",
                   Step(store.id, "kind", store.kind, "S3 Standard stores objects across at least three zones"))]
    versioning = store.attrs.get("versioning")
    locked = store.attrs.get("object_lock_enabled") is True
    if versioning == "Enabled":
        rto, rto_steps, _ = restore_figures(ctx, store)
        found.append(Mechanism(kind="versioning", label="S3 versioning" + (" with Object Lock" if locked else ""),
                               store_id=store.id, location=regional_copy("aws", store.account, store.region), rpo_seconds=0.0,
                               rto=rto, point_in_time=True, immutable=locked, action="s3_restore_versions",
                               evidence=(Step(store.id, "versioning", versioning, "every overwrite and delete keeps the previous version"),
                                         Step(store.id, "object_lock_enabled", store.attrs.get("object_lock_enabled"),
                                              "Object Lock: versions cannot be deleted before retention ends" if locked
                                              else "no Object Lock: an administrator can delete old versions")) + rto_steps,
                               rpo_reason="previous object versions kept"))
    elif versioning is None:
        found.append(_unknown(store, "versioning not collected", Step(store.id, "versioning", None,
                                                                      "whether versioning is on is not known"),
                              point_in_time=True, location=regional_copy("aws", store.account, store.region)))
    replication = store.attrs.get("replication_enabled")
    if replication is None:
        found.append(_unknown(store, "replication not collected", Step(store.id, "replication_enabled", None,
                                                                       "whether the bucket replicates is not known"),
                              point_in_time=False, location=Location("aws", store.account, "")))
    targets = {t.id: t for t in ctx.graph.related(store.id, "replicates_to")}
    for destination in store.attrs.get("replication_destinations") or []:
        arn = destination if str(destination).startswith("arn:") else f"arn:aws:s3:::{destination}"
        target = targets.get(arn)
        location = location_of(target, zone_redundant=True, zones=()) if target else Location("aws", "", "")
        found.append(_replica(ctx, store, target, label=f"replication to {arn.rsplit(':', 1)[-1]}",
                              lag_key="replication_lag_seconds.s3_replication", promote_key="promote_seconds.s3_replica",
                              location=location, action="s3_use_replica",
                              step=Step(store.id, "replication_destinations", destination,
                                        f"objects replicate to {location.describe()}" if target else
                                        "replication destination not in the inventory: its region is unknown")))
    return found


def aws_efs(ctx: DrContext, store: Resource) -> list[Mechanism]:
    found = []
    one_zone = store.attrs.get("one_zone")
    if one_zone is False:
        found.append(_sync(ctx, store, "EFS regional storage", "failover_seconds.zone_redundant_service",
                           Step(store.id, "one_zone", False, "regional file system: data in several zones")))
    elif one_zone is None:
        found.append(_unknown(store, "storage class not collected", Step(store.id, "one_zone", None, "one-zone or regional is not known"),
                              point_in_time=False, location=location_of(store, zone_redundant=True, zones=())))
    for region in store.attrs.get("replication_regions") or []:
        found.append(_replica(ctx, store, None, label=f"EFS replication to {region}",
                              lag_key="replication_lag_seconds.efs_replication", promote_key="promote_seconds.efs_replication",
                              location=Location("aws", store.account, str(region), (), True), action="efs_failover",
                              step=Step(store.id, "replication_regions", store.attrs.get("replication_regions"),
                                        f"replicated to a read-only file system in {region}")))
    if str(store.attrs.get("backup_policy_status") or "").upper() == "ENABLED" and not any(
            s.kind == "aws.backup.selection" for s in ctx.graph.related(store.id, "protects", "in")):
        found.append(scheduled_copy(ctx, store, kind="backup", label="EFS automatic backups",
                                    location=regional_copy("aws", store.account, store.region),
                                    interval=ctx.assumptions.get("backup_interval_seconds.efs_automatic"), lag=0.0,
                                    immutable=False, points=[], action="aws_backup_restore",
                                    evidence=[Step(store.id, "backup_policy_status", "ENABLED", "daily automatic backups")],
                                    rto=restore_figures(ctx, store)[0]))
    return found


def aws_volume(ctx: DrContext, store: Resource) -> list[Mechanism]:
    return []  # an EBS volume lives in one zone; its copies are snapshots and backups (copies.py)


# ---------------------------------------------------------------------------- GCP

def gcp_sql(ctx: DrContext, store: Resource) -> list[Mechanism]:
    found = []
    availability = store.attrs.get("availability_type")
    if availability == "REGIONAL":
        found.append(_sync(ctx, store, "Cloud SQL high availability", "failover_seconds.cloudsql_ha",
                           Step(store.id, "availability_type", availability, "regional instance: synchronous standby in another zone")))
    for replica in _replicas_in(ctx, store):
        found.append(_replica(ctx, store, replica, label=f"read replica {replica.name} ({replica.region})",
                              lag_key="replication_lag_seconds.cloudsql_replica", promote_key="promote_seconds.cloudsql_replica",
                              location=location_of(replica), action="cloudsql_promote_replica",
                              step=Step(replica.id, "relation:replica_of", store.id, f"read replica in {replica.region}")))
    if store.attrs.get("pitr_enabled"):
        found.append(_pitr(ctx, store, label="Cloud SQL point-in-time recovery", rpo_key="pitr_rpo_seconds.cloudsql",
                           action="cloudsql_pitr", step=Step(store.id, "pitr_enabled", True, "write-ahead / binary logs archived")))
    if store.attrs.get("backups_enabled"):
        where = store.attrs.get("backup_location")
        location = regional_copy("gcp", store.account, str(where)) if where else \
            Location("gcp", store.account, f"multi-region near {store.region}", (), True, True)
        found.append(scheduled_copy(
            ctx, store, kind="backup", label="Cloud SQL automated backups", location=location,
            interval=ctx.assumptions.get("backup_interval_seconds.cloudsql_automated"), lag=0.0, immutable=False, points=[],
            action="cloudsql_restore_backup", rto=restore_figures(ctx, store)[0],
            evidence=[Step(store.id, "backups_enabled", True, "daily automated backups"),
                      Step(store.id, "backup_location", where, f"backups kept in {location.describe()}"
                           + ("" if where else " (the default: the multi-region nearest the instance)"))]))
    return found


def gcp_disk(ctx: DrContext, store: Resource) -> list[Mechanism]:
    if store.attrs.get("regional"):
        return [_sync(ctx, store, "regional persistent disk", "failover_seconds.gcp_regional_disk",
                      Step(store.id, "regional", True, "synchronously replicated to a second zone"), automatic=False,
                      action="gcp_force_attach")]
    return []


def gcp_bucket(ctx: DrContext, store: Resource) -> list[Mechanism]:
    found = []
    location_type = store.attrs.get("location_type")
    if location_type is None:
        found.append(_unknown(store, "bucket location type not collected",
                              Step(store.id, "location_type", None, "region, dual-region or multi-region is not known"),
                              point_in_time=False))
    else:
        found.append(_sync(ctx, store, f"Cloud Storage {location_type} bucket", "failover_seconds.zone_redundant_service",
                           Step(store.id, "location_type", location_type, "objects are stored in at least two zones")))
        if location_type in ("multi-region", "dual-region"):
            found.append(_replica(ctx, store, None, label=f"{location_type} replication",
                                  lag_key="replication_lag_seconds.gcs_multi_region", promote_key="promote_seconds.global_table",
                                  location=Location("gcp", store.account, f"{store.region} ({location_type})", (), True, True),
                                  action="gcs_multi_region", automatic=True,
                                  step=Step(store.id, "location_type", location_type,
                                            "objects are copied to a second region (default replication)")))
    versioning = store.attrs.get("versioning_enabled")
    locked = store.attrs.get("retention_locked") is True
    if versioning or locked:
        rto, rto_steps, _ = restore_figures(ctx, store)
        found.append(Mechanism(kind="versioning", label="object versioning" + (" + locked retention policy" if locked else ""),
                               store_id=store.id, location=regional_copy("gcp", store.account, store.region), rpo_seconds=0.0,
                               rto=rto, point_in_time=True, immutable=locked, action="gcs_restore_versions",
                               evidence=(Step(store.id, "versioning_enabled", versioning, "noncurrent versions are kept"),
                                         Step(store.id, "retention_locked", store.attrs.get("retention_locked"),
                                              "locked retention: objects cannot be deleted early" if locked
                                              else "retention not locked")) + rto_steps,
                               rpo_reason="previous object versions kept"))
    elif versioning is None:
        found.append(_unknown(store, "versioning not collected", Step(store.id, "versioning_enabled", None, "not known"),
                              point_in_time=True))
    return found


# ---------------------------------------------------------------------------- Azure

def azure_sql(ctx: DrContext, store: Resource) -> list[Mechanism]:
    found = []
    if store.attrs.get("zone_redundant"):
        found.append(_sync(ctx, store, "zone-redundant database", "failover_seconds.azure_sql_zone_redundant",
                           Step(store.id, "zone_redundant", True, "replicas in several zones, automatic failover")))
    for replica in _replicas_in(ctx, store):
        found.append(_replica(ctx, store, replica, label=f"geo-replica {replica.name} ({replica.region})",
                              lag_key="replication_lag_seconds.azure_sql_geo_replication",
                              promote_key="promote_seconds.azure_sql_geo_replica", location=location_of(replica),
                              action="azure_sql_geo_failover",
                              step=Step(replica.id, "relation:replica_of", store.id, f"geo-secondary in {replica.region}")))
    redundancy = store.attrs.get("backup_redundancy")
    zone_safe = str(redundancy or "").lower() in ("zone", "geozone", "geo")
    step = Step(store.id, "backup_redundancy", redundancy,
                "automated backups (always on for Azure SQL Database): point-in-time restore; backup storage "
                + ("survives a zone loss" if zone_safe else "is locally redundant" if redundancy else "redundancy not known"))
    location = Location("azure", store.account, store.region, () if zone_safe else tuple(store.zones), zone_redundant=zone_safe)
    found.append(_pitr(ctx, store, label="automated backups / point-in-time restore", rpo_key="pitr_rpo_seconds.azure_sql",
                       step=step, action="azure_sql_pitr", location=location))
    if store.attrs.get("geo_backup"):
        rto, rto_steps, _ = restore_figures(ctx, store)
        found.append(Mechanism(kind="backup", label="geo-redundant backups (geo-restore)", store_id=store.id,
                               location=Location("azure", store.account, f"paired region of {store.region}", (), True),
                               rpo_seconds=ctx.assumptions.get("rpo_seconds.azure_sql_geo_restore"), rto=rto,
                               point_in_time=True, action="azure_sql_geo_restore",
                               evidence=(Step(store.id, "geo_backup", True, "backups replicated to the paired region"),) + rto_steps,
                               rpo_reason="geo-restore RPO (assumed)"))
    return found


def azure_storage(ctx: DrContext, store: Resource) -> list[Mechanism]:
    sku = str(store.attrs.get("sku") or "")
    found = []
    if not sku:
        found.append(_unknown(store, "redundancy (SKU) not collected", Step(store.id, "sku", None, "LRS/ZRS/GRS is not known"),
                              point_in_time=False))
    if "ZRS" in sku.upper():
        found.append(_sync(ctx, store, f"{sku} storage", "failover_seconds.zone_redundant_service",
                           Step(store.id, "sku", sku, "synchronous copies in three zones")))
    if store.attrs.get("geo_redundant"):
        secondary = store.attrs.get("secondary_location") or f"paired region of {store.region}"
        found.append(_replica(ctx, store, None, label=f"geo-replication to {secondary}",
                              lag_key="replication_lag_seconds.azure_storage_geo", promote_key="promote_seconds.azure_storage_failover",
                              location=Location("azure", store.account, str(secondary), (), False), action="azure_storage_failover",
                              step=Step(store.id, "sku", sku, f"asynchronous geo-replication to {secondary}")))
    found.append(_unknown(store, "blob versioning / soft delete not collected",
                          Step(store.id, "blob_versioning", None, "blob versioning, soft delete and point-in-time restore "
                               "settings are not in the inventory"), point_in_time=True,
                          location=regional_copy("azure", store.account, store.region)))
    return found


def azure_disk(ctx: DrContext, store: Resource) -> list[Mechanism]:
    if store.attrs.get("zone_redundant"):
        return [_sync(ctx, store, "zone-redundant disk", "failover_seconds.zone_redundant_service",
                      Step(store.id, "zone_redundant", True, "ZRS disk: synchronous copies in three zones"))]
    return []


HANDLERS: dict[str, Callable[[DrContext, Resource], list[Mechanism]]] = {
    "aws.rds.db_instance": aws_rds_instance, "aws.rds.db_cluster": aws_rds_cluster, "aws.dynamodb.table": aws_dynamodb_table,
    "aws.s3.bucket": aws_s3_bucket, "aws.efs.file_system": aws_efs, "aws.ec2.volume": aws_volume,
    "gcp.sql.instance": gcp_sql, "gcp.compute.disk": gcp_disk, "gcp.storage.bucket": gcp_bucket,
    "azure.sql.database": azure_sql, "azure.storage.account": azure_storage, "azure.compute.disk": azure_disk,
    "k8s.core.persistentvolumeclaim": pvc_mechanisms,
}


def mechanisms_for(ctx: DrContext, store: Resource) -> tuple[Mechanism, ...]:
    """All mechanisms protecting one data store, in a stable order (found once per context: a
    store that belongs to several apps is assessed once)."""
    known = ctx.memo.get(("mechanisms", store.id))
    if known is not None and known[0] is store:
        return known[1]
    found = _mechanisms_for(ctx, store)
    ctx.memo[("mechanisms", store.id)] = (store, found)
    return found


def _mechanisms_for(ctx: DrContext, store: Resource) -> tuple[Mechanism, ...]:
    handler = HANDLERS.get(store.kind)
    found = list(handler(ctx, store)) if handler else []
    found.extend(backup_copies(ctx, store))
    found.extend(database_backup_copies(ctx, store))  # pgBackRest, WAL-G, Barman, dumps, Veeam, Bacula (measured ages)
    keys = tuple(k.id for k in ctx.graph.related(store.id, "encrypted_by"))
    if keys:
        # Local copies (PITR logs, snapshots, versions, same-account backups) are encrypted with the
        # store's own key: disabling that key makes them unusable too.
        found = [m.depending_on(keys)
                 if m.kind != "async_replica" and m.location.account == store.account and m.location.region == store.region
                 else m for m in found]
    return tuple(found)
