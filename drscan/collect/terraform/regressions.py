"""DR regressions a Terraform plan would cause: deleting or replacing replicas, backups,
snapshot schedules and replication, and updates that turn off PITR, versioning or deletion
protection or lower backup retention (`tf-dr-*` findings of `drscan plan`). Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from drscan.collect.terraform.plan import PlannedChange, TerraformPlan
from drscan.collect.terraform.resolve import PROVIDERS
from drscan.model import Resource


@dataclass(frozen=True)
class Regression:
    address: str
    kind: str | None
    rule_id: str
    severity: str
    title: str
    reason: str



REGRESSION_RULES: dict[str, tuple[str, str]] = {
    "tf-dr-replica-removed": ("high", "Plan removes a replica"),
    "tf-dr-backup-removed": ("high", "Plan removes backups"),
    "tf-dr-snapshot-schedule-removed": ("high", "Plan removes a snapshot schedule"),
    "tf-dr-replication-removed": ("high", "Plan removes cross-region copy or replication"),
    "tf-dr-pitr-disabled": ("high", "Plan disables point-in-time recovery"),
    "tf-dr-versioning-disabled": ("high", "Plan disables object versioning"),
    "tf-dr-deletion-protection-disabled": ("high", "Plan disables deletion protection"),
    "tf-dr-backup-retention-lowered": ("medium", "Plan lowers backup retention"),
}
BACKUP_KINDS = {"aws.backup.plan", "aws.backup.selection", "aws.backup.vault", "azure.recoveryservices.vault",
                "azure.recoveryservices.backup_policy", "azure.recoveryservices.protected_item"}
SCHEDULE_ATTACHMENTS = {"google_compute_disk_resource_policy_attachment", "google_compute_region_disk_resource_policy_attachment"}
REPLICA_FLAGS = ("is_read_replica", "is_replica", "is_secondary")


def _show(value: Any) -> str:
    return json.dumps(value, default=str)


def _attribute(resource: Resource, attr: str) -> str:
    """The Terraform argument behind a normalized attribute, for reasons a Terraform author reads."""
    provider = PROVIDERS.get(resource.provider)
    names = getattr(provider, "TERRAFORM_ARGUMENTS", {}) if provider else {}
    return names.get((resource.attrs.get("terraform_type"), attr), attr)


def dr_regressions(plan: TerraformPlan) -> list[Regression]:
    found: dict[tuple[str, str], Regression] = {}

    def report(change: PlannedChange, rule_id: str, reason: str) -> None:
        severity, title = REGRESSION_RULES[rule_id]
        found.setdefault((change.address, rule_id), Regression(change.address, change.kind, rule_id, severity, title, reason))

    for change in plan.changes:
        before, after = change.before, change.after
        if before is None:
            continue
        attrs, ttype = before.attrs, before.attrs.get("terraform_type")
        if "delete" in change.actions:
            verb = "replaces" if after is not None else "deletes"
            for flag in REPLICA_FLAGS:
                if attrs.get(flag) is True:
                    source = attrs.get("replica_source") or attrs.get("replica_of")
                    argument = _attribute(before, "replica_source")
                    report(change, "tf-dr-replica-removed",
                           f"{change.address} is a replica ({argument} = {_show(source)}); the plan {verb} it")
            if before.kind in BACKUP_KINDS:
                report(change, "tf-dr-backup-removed", f"the plan {verb} {ttype} {change.address}")
            schedule = before.kind == "gcp.compute.resource_policy" and attrs.get("snapshot_schedule") is True
            if schedule or ttype in SCHEDULE_ATTACHMENTS:
                report(change, "tf-dr-snapshot-schedule-removed", f"the plan {verb} {ttype} {change.address}"
                       + (f" (resource policy {_show(attrs.get('resource_policies'))})" if ttype in SCHEDULE_ATTACHMENTS else ""))
            if ttype == "aws_s3_bucket_replication_configuration" and attrs.get("replication_enabled") is True:
                report(change, "tf-dr-replication-removed", f"the plan {verb} {change.address} (replication to "
                       f"{_show(attrs.get('replication_destinations'))})")
            if ttype == "aws_s3_bucket_versioning" and attrs.get("versioning") == "Enabled" and after is None:
                report(change, "tf-dr-versioning-disabled", f"versioning_configuration.status: \"Enabled\" -> destroyed "
                       f"(destroying {ttype} suspends versioning on the bucket)")
        if after is not None:
            _update_regressions(change, before, after, report)
    order = {name: rank for rank, name in enumerate(("critical", "high", "medium", "low", "info"))}
    return sorted(found.values(), key=lambda r: (order.get(r.severity, 9), r.address, r.rule_id))


def _update_regressions(change: PlannedChange, before: Resource, after: Resource, report) -> None:
    old, new = before.attrs, after.attrs

    def turned_off(attr: str, rule_id: str) -> None:
        if old.get(attr) is True and new.get(attr) is False:
            report(change, rule_id, f"{_attribute(before, attr)}: true -> false")

    def lost(attr: str, rule_id: str) -> None:
        gone = [x for x in old.get(attr) or [] if x not in (new.get(attr) or [])]
        if gone and attr in new:
            report(change, rule_id, f"{_attribute(before, attr)}: {_show(old.get(attr))} -> {_show(new.get(attr))}")

    turned_off("pitr_enabled", "tf-dr-pitr-disabled")
    turned_off("versioning_enabled", "tf-dr-versioning-disabled")
    if old.get("versioning") == "Enabled" and new.get("versioning") not in (None, "Enabled"):
        report(change, "tf-dr-versioning-disabled",
               f"{_attribute(before, 'versioning')}: \"Enabled\" -> {_show(new.get('versioning'))}")
    turned_off("deletion_protection", "tf-dr-deletion-protection-disabled")
    turned_off("terraform_deletion_protection", "tf-dr-deletion-protection-disabled")
    for flag in REPLICA_FLAGS:
        if old.get(flag) is True and new.get(flag) is False:
            report(change, "tf-dr-replica-removed", f"{_attribute(before, 'replica_source')}: "
                   f"{_show(old.get('replica_source'))} -> null (the replica is promoted and stops replicating)")
    lost("replica_regions", "tf-dr-replica-removed")
    turned_off("backups_enabled", "tf-dr-backup-removed")
    turned_off("snapshot_schedule", "tf-dr-snapshot-schedule-removed")
    lost("resource_policies", "tf-dr-snapshot-schedule-removed")
    turned_off("replication_enabled", "tf-dr-replication-removed")
    lost("copy_destinations", "tf-dr-replication-removed")
    lost("replication_regions", "tf-dr-replication-removed")
    old_days, new_days = old.get("backup_retention_days"), new.get("backup_retention_days")
    if isinstance(old_days, int) and isinstance(new_days, int) and new_days < old_days:
        report(change, "tf-dr-backup-retention-lowered",
               f"{_attribute(before, 'backup_retention_days')}: {old_days} -> {new_days}")
