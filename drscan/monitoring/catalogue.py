"""Which exporter metrics mean what, as data: endpoint availability, backup age, replication lag.
Names verified in each exporter's source (see /docs/monitoring.md for the list and sources). An
alert drscan does not recognize can be classified with the annotation `drscan_check:
endpoint|backup_age|replica_lag`."""

from __future__ import annotations

# An alert on these says "the endpoint is down" (blackbox_exporter prober/handler.go; Prometheus' own `up`).
ENDPOINT_METRICS = frozenset({"probe_success", "up"})

BACKUP_AGE_METRICS = frozenset({
    "velero_backup_last_successful_timestamp",  # velero pkg/metrics/metrics.go (gauge, unix s, label schedule)
    "velero_backup_last_status",  # 1 success, 0 failure (velero >= 1.11)
    "pgbackrest_backup_since_last_completion_seconds",  # woblerr/pgbackrest_exporter
    "pg_stat_archiver_last_archive_age",  # postgres_exporter collector/pg_stat_archiver.go (WAL archive age)
    "cnpg_collector_last_available_backup_timestamp",  # CloudNativePG
    "cnpg_collector_first_recoverability_point",
    "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp",  # CloudNativePG Barman Cloud plugin
})
# cloudwatch_exporter names AWS/Backup metrics aws_backup_<metric>_<statistic>.
BACKUP_AGE_PREFIXES = ("aws_backup_number_of_backup_jobs_", "aws_backup_number_of_recovery_points_")

REPLICA_LAG_METRICS = frozenset({
    "pg_replication_lag_seconds",  # postgres_exporter >= 0.13 (collector/pg_replication.go)
    "pg_replication_lag",  # postgres_exporter example queries.yaml (Debian 12's 0.11)
    "mysql_slave_status_seconds_behind_master",  # mysqld_exporter collector/slave_status.go
    "mysql_slave_status_seconds_behind_source",  # mysqld_exporter >= 0.16 on MySQL 8.4
    "aws_rds_replica_lag_average", "aws_rds_replica_lag_maximum",  # cloudwatch_exporter (AWS/RDS ReplicaLag)
    "pg_stat_replication_pg_wal_lsn_diff",  # bytes behind, on the primary
})
# Replica lag in seconds, queried as max_over_time(...[7d]) for the observed RPO.
LAG_SECONDS_METRICS = ("pg_replication_lag_seconds", "pg_replication_lag", "mysql_slave_status_seconds_behind_master",
                       "mysql_slave_status_seconds_behind_source", "aws_rds_replica_lag_maximum")

# Labels that name the application an alert or series belongs to.
APP_LABELS = ("app", "application", "service", "app_kubernetes_io_name", "app_kubernetes_io_part_of")
# Labels that name what a series was scraped from or probed.
TARGET_LABELS = ("instance", "target", "url", "endpoint", "dbinstance_identifier", "schedule", "stanza")


def classify(metric: str) -> str | None:
    """endpoint | backup_age | replica_lag | None."""
    if metric in ENDPOINT_METRICS:
        return "endpoint"
    if metric in BACKUP_AGE_METRICS or metric.startswith(BACKUP_AGE_PREFIXES):
        return "backup_age"
    if metric in REPLICA_LAG_METRICS:
        return "replica_lag"
    return None
