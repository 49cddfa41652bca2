"""The bundled estate (samples/acme) scanned end to end must find exactly what
samples/acme/EXPECTED.md lists: every planted violation FAILs, every compliant twin PASSes."""

from __future__ import annotations

import re

import pytest

from drscan import api
from drscan.config import load_config
from drscan.dr.assess import DR_APP_KIND
from tests.conftest import FIXED_NOW, SAMPLES

# EXPECTED.md names each planted violation by an intent slug; these are the rules that judge them.
INTENT_RULES = {
    "alb-http-redirect": "aws-elbv2-listener-tls", "alb-multi-az": "aws-elbv2-multi-az", "asg-multi-az": "aws-autoscaling-multi-az",
    "backup-coverage": "aws-ec2-volume-backed-up", "backup-plan-copy": "aws-backup-plan-cross-region-copy",
    "backup-plan-retention": "aws-backup-plan-retention", "backup-vault-lock": "aws-backup-vault-locked",
    "cloudtrail-log-validation": "aws-cloudtrail-log-validation", "cloudtrail-multi-region": "aws-cloudtrail-multi-region-logging",
    "dynamodb-cmk": "aws-dynamodb-table-cmk", "dynamodb-pitr": "aws-dynamodb-table-pitr", "ebs-encryption": "aws-ec2-volume-encrypted",
    "ec2-imdsv2": "aws-ec2-instance-imdsv2", "efs-backup-policy": "aws-efs-backup-policy", "efs-encryption": "aws-efs-encrypted",
    "iam-access-key-rotation": "aws-iam-user-access-key-age", "iam-policy-wildcard": "aws-iam-policy-no-full-admin",
    "iam-user-admin-policy": "aws-iam-user-no-admin-policy", "iam-user-mfa": "aws-iam-user-console-mfa",
    "kms-rotation": "aws-kms-key-rotation", "rds-backup-retention": "aws-rds-instance-backup-retention",
    "rds-cross-region-replica": "aws-rds-instance-cross-region-replica", "rds-deletion-protection": "aws-rds-instance-deletion-protection",
    "rds-multi-az": "aws-rds-instance-multi-az", "rds-public-access": "aws-rds-instance-not-public",
    "rds-storage-encrypted": "aws-rds-instance-encrypted", "root-access-keys": "aws-iam-root-no-access-keys",
    "root-mfa": "aws-iam-root-mfa", "s3-access-logging": "aws-s3-bucket-access-logging",
    "s3-default-encryption": "aws-s3-bucket-encrypted-cmk", "s3-sse-kms": "aws-s3-bucket-encrypted-cmk",
    "s3-public-access-block": "aws-s3-bucket-public-access-blocked", "s3-replication": "aws-s3-bucket-replicated",
    "s3-versioning": "aws-s3-bucket-versioning", "sg-ssh-open-world": "aws-ec2-security-group-admin-ports",
    "gcp-bucket-cmek": "gcp-storage-bucket-cmek", "gcp-bucket-multi-region": "gcp-storage-bucket-multi-region",
    "gcp-bucket-public": "gcp-storage-bucket-not-public", "gcp-bucket-uniform-access": "gcp-storage-bucket-uniform-access",
    "gcp-bucket-versioning": "gcp-storage-bucket-versioning", "gcp-disk-cmek": "gcp-compute-disk-cmek",
    "gcp-disk-snapshot-schedule": "gcp-compute-disk-snapshot-schedule", "gcp-gke-regional": "gcp-gke-cluster-regional",
    "gcp-kms-rotation": "gcp-kms-key-rotation", "gcp-mig-regional": "gcp-instance-group-regional",
    "gcp-project-audit-logging": "gcp-project-data-access-audit-logs",
    "gcp-project-primitive-roles": "gcp-iam-no-primitive-roles-for-service-accounts",
    "gcp-sa-key-rotation": "gcp-iam-service-account-key-age", "gcp-sql-backups": "gcp-sql-backups-enabled",
    "gcp-sql-cross-region-replica": "gcp-sql-cross-region-replica", "gcp-sql-ha": "gcp-sql-high-availability",
    "gcp-sql-pitr": "gcp-sql-pitr", "gcp-sql-ssl": "gcp-sql-require-ssl",
    "az-disk-cmk": "azure-disk-cmk", "az-flowlog-retention": "azure-flow-log-retention",
    "az-keyvault-purge-protection": "azure-keyvault-purge-protection", "az-owner-user-subscription": "azure-owner-assignment-not-user",
    "az-rsv-immutability": "azure-recovery-vault-immutable", "az-rsv-redundancy": "azure-recovery-vault-geo-redundant",
    "az-sql-geo-backup": "azure-sql-database-geo-backup", "az-sql-tls": "azure-sql-server-min-tls",
    "az-sql-zone-redundant": "azure-sql-database-zone-redundant", "az-storage-cmk": "azure-storage-account-cmk",
    "az-storage-geo-redundant": "azure-storage-account-geo-redundant", "az-storage-https-only": "azure-storage-account-https-only",
    "az-storage-public-blob": "azure-storage-account-no-public-blob", "az-storage-tls": "azure-storage-account-min-tls",
    "az-vm-backup": "azure-vm-backup-protected", "az-vm-zone-or-avset": "azure-vm-zonal-or-availability-set",
    # DR assessment of each app (drscan.dr.app resources, id app:<name>)
    "dr-strategy-matches": "dr-app-strategy-matches-declared", "dr-region-loss": "dr-app-region-loss-within-targets",
    "dr-zone-loss": "dr-app-zone-loss-within-targets", "dr-backup-coverage": "dr-app-backup-covers-data-stores",
    "dr-cross-region-copy": "dr-app-cross-region-copy", "dr-restore-tested": "dr-app-restore-tested",
    "dr-drill-recorded": "dr-app-drill-recorded", "dr-dns-failover": "dr-app-dns-failover",
    "dr-spof": "dr-app-tier1-no-single-point-of-failure",
    # database and enterprise backups (samples/acme/backups/)
    "backup-db-fresh": "backup-db-newest-restorable-within-rpo", "backup-repository-separate": "backup-db-repository-separate-location",
    "backup-job-succeeded": "backup-enterprise-job-succeeded-within-rpo", "backup-runs-without-errors": "backup-db-recent-runs-without-errors",
    # Kubernetes and Velero (samples/acme/k8s)
    "k8s-namespace-backed-up": "k8s-namespace-volumes-backed-up",
    "k8s-schedule-interval-within-rpo": "k8s-velero-schedule-interval-within-rpo",
    "k8s-schedule-last-backup-within-rpo": "k8s-velero-schedule-last-backup-within-rpo",
    "k8s-schedule-producing-backups": "k8s-velero-schedule-producing-backups",
    "k8s-schedule-ttl": "k8s-velero-schedule-ttl-meets-retention", "k8s-schedule-restore-tested": "k8s-velero-schedule-restore-tested",
    "k8s-backup-succeeded": "k8s-velero-backup-succeeded", "k8s-backup-volumes-captured": "k8s-velero-backup-volume-data-captured",
    "k8s-location-available": "k8s-velero-location-available", "k8s-location-offsite": "k8s-velero-location-offsite",
    "k8s-location-bucket-immutable": "k8s-velero-location-bucket-immutable",
    "k8s-tier1-replicas": "k8s-workload-tier1-replicas", "k8s-tier1-zone-spread": "k8s-workload-tier1-zone-spread",
    "k8s-tier1-disruption-budget": "k8s-workload-tier1-disruption-budget",
    "k8s-tier1-single-zone-copy": "k8s-pvc-tier1-single-zone-copy",
    "dr-readiness-score-tier1": "dr-app-readiness-score-tier1", "dr-runbook-reviewed": "dr-app-runbook-reviewed",
    "dr-follow-ups-on-time": "dr-app-follow-ups-on-time",
    "monitoring-entrypoints-probed": "monitoring-app-entrypoints-probed",
    "monitoring-entrypoint-alert": "monitoring-app-entrypoint-alert", "monitoring-alerts-page": "monitoring-app-alerts-page",
    "monitoring-backup-age-alert": "monitoring-app-backup-age-alert",
    "monitoring-detection-within-rto": "monitoring-app-detection-within-rto",
}
ROW = re.compile(r"^\|\s*([a-z0-9-]+)\s*\|\s*(\S+)\s*\|\s*(PASS|FAIL|NOT_ASSESSED)\s*\|\s*$")


def expected_rows() -> list[tuple[str, str, str]]:
    rows = [m.groups() for line in (SAMPLES / "EXPECTED.md").read_text().splitlines() if (m := ROW.match(line))]
    assert len(rows) > 100, "EXPECTED.md table not found"
    return rows


@pytest.fixture(scope="module")
def sample_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("acme")
    return api.scan(SAMPLES, config_path=SAMPLES / "drscan.yaml", db_path=out / "drscan.db", as_of=FIXED_NOW)


def test_every_intent_maps_to_a_rule(ruleset):
    unknown = {intent for intent, _, _ in expected_rows()} - set(INTENT_RULES)
    assert not unknown, f"EXPECTED.md intents without a rule: {sorted(unknown)}"
    assert set(INTENT_RULES.values()) <= {r.id for r in ruleset.rules}


def test_scan_finds_what_expected_md_lists(sample_scan):
    verdicts = {(f.rule_id, f.resource_id.lower()): f for f in sample_scan.scan.findings}
    wrong = []
    for intent, resource_id, expected in expected_rows():
        finding = verdicts.get((INTENT_RULES[intent], resource_id.lower()))
        got = finding.status.value if finding else "no finding"
        if got != expected:
            wrong.append(f"{intent} {resource_id}: expected {expected}, got {got} ({finding.reason if finding else ''})")
    assert not wrong, "\n".join(wrong)


def test_without_as_of_the_sample_is_judged_as_of_its_capture_not_the_wall_clock(sample_scan, tmp_path):
    """The exports say when they were captured (Config capture times, Cloud Asset update times, a
    time in the other files' names): the README demo, run any day, gives the verdicts listed."""
    as_captured = api.scan(SAMPLES, config_path=SAMPLES / "drscan.yaml", formats=(), fail_on="none")
    assert as_captured.scan.scope["as_of_basis"] == "capture time of the data"
    span = as_captured.scan.scope["data_as_of"]
    assert span["oldest"] < span["newest"] and span["newest"].startswith("2026-11-20")
    fixed = {(f.rule_id, f.resource_id): f.status for f in sample_scan.scan.findings}
    assert {(f.rule_id, f.resource_id): f.status for f in as_captured.scan.findings} == fixed


def test_sample_estate_is_a_few_hundred_resources_across_three_clouds(sample_scan):
    clouds = [r for r in sample_scan.scan.resources if r.provider not in ("drscan", "backup", "monitoring")]
    assert {r.provider for r in clouds} == {"aws", "gcp", "azure"}
    monitoring = {r.kind for r in sample_scan.scan.resources if r.provider == "monitoring"}
    assert monitoring == {"monitoring.prometheus.alert_rule", "monitoring.prometheus.server", "monitoring.prometheus.target",
                          "monitoring.alertmanager.config"}
    assert 250 <= len(clouds) <= 600
    # plus one DR assessment per app of drscan.yaml
    apps = sorted(r.id for r in sample_scan.scan.resources if r.provider == "drscan")
    assert apps == sorted(f"app:{a.name}" for a in load_config(SAMPLES / "drscan.yaml").apps)
    assert {r.kind for r in sample_scan.scan.resources if r.provider == "drscan"} == {DR_APP_KIND}
    assert sample_scan.exit_code == 1  # the sample has failing high-severity findings


def test_honest_not_assessed_on_the_sample(sample_scan):
    """Facts the exports cannot carry are NOT_ASSESSED with a reason, never PASS."""
    tde = [f for f in sample_scan.scan.findings if f.rule_id == "azure-sql-database-tde"]
    assert tde and all(f.status.value == "NOT_ASSESSED" and "not collected" in f.reason for f in tde)
