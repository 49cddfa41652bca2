"""AWS Backup collector. Vaults and plans are served by moto. moto 5.2.5 does not implement backup
selections, recovery points, protected resources, restore jobs or copy jobs (see /work/shared/notes
section 4), so for those operations botocore's Stubber answers from JSON fixtures shaped as in the AWS
Backup API reference (tests/fixtures/aws_api/backup), timestamps parsed as botocore would."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore import xform_name
from botocore.stub import Stubber

from drscan.collect.aws import backup
from drscan.graph.aws_links import selection_targets
from drscan.collect.aws.base import SessionFactory, TaskContext
from drscan.engine.evaluate import evaluate
from drscan.graph.build import build_graph
from drscan.model import Inventory, Resource
from tests.collect.aws.conftest import ACCOUNT, as_botocore_parses, task
from tests.conftest import FIXED_NOW

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "aws_api" / "backup"
STUBBED = {"ListBackupSelections", "GetBackupSelection", "ListProtectedResources", "ListRecoveryPointsByBackupVault",
           "ListRestoreJobs", "ListCopyJobs", "ListRestoreTestingPlans"}
FIXTURE_PLAN_IDS = {"payments-daily-35d": "d1cb5c88-f90d-482c-bba8-1defe3be24ec",
                    "adhoc-3day-nocopy": "da70ebac-fc62-4043-81a9-4a907a697d77"}
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/c8580445-c5da-4a81-bacc-4964a02415fd"
DR_VAULT = "arn:aws:backup:us-west-2:222222222222:backup-vault:payments-dr"
VAULT = f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:payments-vault"
ADHOC_VAULT = f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:adhoc-vault"
VOL_A = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0a1f2e3d4c5b6a798"
VOL_B = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0b2e3f4a5b6c7d8e9"
VOL_C = f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0c3b4a5d6e7f8091a"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/payments-ledger"




def _seed() -> dict[str, str]:
    """Vaults and plans in moto; returns plan name -> moto's plan id."""
    client = boto3.client("backup", region_name="us-east-1")
    client.create_backup_vault(BackupVaultName="payments-vault", EncryptionKeyArn=KEY)
    client.put_backup_vault_lock_configuration(BackupVaultName="payments-vault", MinRetentionDays=7,
                                               MaxRetentionDays=365, ChangeableForDays=3)
    client.create_backup_vault(BackupVaultName="adhoc-vault")
    client.create_backup_vault(BackupVaultName="governance-vault")
    client.put_backup_vault_lock_configuration(BackupVaultName="governance-vault", MinRetentionDays=1)
    rule = {"ScheduleExpression": "cron(0 5 ? * * *)", "StartWindowMinutes": 60, "CompletionWindowMinutes": 180}
    plans = {}
    plans["payments-daily-35d"] = client.create_backup_plan(BackupPlan={"BackupPlanName": "payments-daily-35d", "Rules": [
        {"RuleName": "daily-0500", "TargetBackupVaultName": "payments-vault", "Lifecycle": {"DeleteAfterDays": 35},
         "CopyActions": [{"DestinationBackupVaultArn": DR_VAULT, "Lifecycle": {"DeleteAfterDays": 35}}], **rule}]})["BackupPlanId"]
    plans["adhoc-3day-nocopy"] = client.create_backup_plan(BackupPlan={"BackupPlanName": "adhoc-3day-nocopy", "Rules": [
        {"RuleName": "nightly", "TargetBackupVaultName": "adhoc-vault", "Lifecycle": {"DeleteAfterDays": 3}, **rule}]})["BackupPlanId"]
    return plans


class FixtureAnswers:
    """Answers the operations moto lacks from the fixture files (plan ids rewritten to moto's)."""

    def __init__(self, plans: dict[str, str], denied: set[str] = frozenset(), truncated: bool = False) -> None:
        self.plans, self.denied, self.truncated = plans, denied, truncated
        self.names = {plan_id: name for name, plan_id in plans.items()}

    def load(self, client, operation: str, name: str) -> dict:
        text = (FIXTURES / name).read_text()
        for plan_name, fixture_id in FIXTURE_PLAN_IDS.items():
            text = text.replace(fixture_id, self.plans[plan_name])
        return as_botocore_parses(client.meta.service_model.operation_model(operation).output_shape, json.loads(text))

    def pages(self, client, operation: str, params: dict) -> list[dict] | str:
        if operation in self.denied or f"{operation}:{params.get('BackupVaultName')}" in self.denied:
            return "AccessDeniedException"
        if operation == "ListBackupSelections":
            return [self.load(client, operation, f"list_backup_selections-{self.names[params['BackupPlanId']]}.json")]
        if operation == "GetBackupSelection":
            return [self.load(client, operation, f"get_backup_selection-{params['SelectionId']}.json")]
        if operation == "ListRecoveryPointsByBackupVault":
            vault = params["BackupVaultName"]
            if vault == "payments-vault":
                names = ["page1"] if self.truncated else ["page1", "page2"]
                return [self.load(client, operation, f"list_recovery_points_by_backup_vault-payments-vault-{n}.json") for n in names]
            if vault == "adhoc-vault":
                return [self.load(client, operation, "list_recovery_points_by_backup_vault-adhoc-vault.json")]
            return [{"RecoveryPoints": []}]
        return [self.load(client, operation, f"{xform_name(operation)}.json")]

    def install(self, ctx: TaskContext) -> None:
        """Route the unimplemented operations through a Stubber on the same client (as test_s3 does for errors)."""
        def routed(real):
            def run(client, operation, *args, **params):
                if operation not in STUBBED:
                    return real(client, operation, *args, **params)
                answer = self.pages(client, operation, params)
                with Stubber(client) as stub:
                    if isinstance(answer, str):
                        stub.add_client_error(xform_name(operation), answer, "not authorized", 400)
                    else:
                        for page in answer:
                            stub.add_response(xform_name(operation), page)
                    result = real(client, operation, *args, **params)
                    stub.assert_no_pending_responses()
                return result
            return run
        ctx.call, ctx.pages = routed(ctx.call), routed(ctx.pages)


def _collect(plans: dict[str, str], **options) -> TaskContext:
    spec_task = task("backup")
    ctx = TaskContext(spec_task, SessionFactory().session(spec_task.account))
    FixtureAnswers(plans, **options).install(ctx)
    backup.collect(ctx)
    return ctx


def _verdicts(ctx: TaskContext, ruleset) -> dict[tuple[str, str], str]:
    graph = build_graph(Inventory(resources=tuple(ctx.out.resources), references=tuple(ctx.out.references)))
    return {(f.rule_id, f.resource_id): f.status.value for f in evaluate(graph, ruleset, FIXED_NOW, ctx.out.gaps)}


def test_vaults_plans_selections_points_and_jobs(aws, ruleset):
    plans = _seed()
    ctx = _collect(plans)
    out = ctx.out
    by_id = {r.id: r for r in out.resources}
    edges = {(r.source, r.type, r.target) for r in out.references}
    assert not out.gaps
    assert out.calls["backup:ListBackupVaults"] == 1 and out.calls["backup:DescribeBackupVault"] == 3
    assert out.calls["backup:GetBackupPlan"] == 2 and set(out.calls) <= set(backup.OPERATIONS)

    vault, adhoc = by_id[VAULT], by_id[ADHOC_VAULT]
    governance = by_id[f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-vault:governance-vault"]
    assert vault.kind == "aws.backup.vault" and vault.name == "payments-vault"
    assert (vault.attrs["locked"], vault.attrs["lock_mode"], vault.attrs["min_retention_days"], vault.attrs["max_retention_days"]) == (
        True, "compliance", 7, 365)
    assert vault.attrs["lock_date"] and vault.attrs["encryption_key_arn"] == KEY and (VAULT, "encrypted_by", KEY) in edges
    assert (adhoc.attrs["locked"], adhoc.attrs["lock_mode"]) == (False, "none")
    assert (governance.attrs["locked"], governance.attrs["lock_mode"]) == (True, "governance")

    payments_plan = by_id[f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-plan:{plans['payments-daily-35d']}"]
    adhoc_plan = by_id[f"arn:aws:backup:us-east-1:{ACCOUNT}:backup-plan:{plans['adhoc-3day-nocopy']}"]
    assert payments_plan.name == "payments-daily-35d" and payments_plan.attrs["min_retention_days"] == 35
    assert payments_plan.attrs["copy_regions"] == ["us-west-2"] and payments_plan.attrs["copy_accounts"] == ["222222222222"]
    assert payments_plan.attrs["has_cross_region_copy"] is True and payments_plan.attrs["has_cross_account_copy"] is True
    assert (payments_plan.id, "stores_in", VAULT) in edges and (payments_plan.id, "copies_to", DR_VAULT) in edges
    assert adhoc_plan.attrs["has_cross_region_copy"] is False and adhoc_plan.attrs["min_retention_days"] == 3

    selections = {r.name: r for r in out.resources if r.kind == "aws.backup.selection"}
    assert set(selections) == {"payments-resources", "payments-tagged-volumes", "adhoc-reports"}
    tagged = selections["payments-tagged-volumes"]
    assert tagged.id == f"{payments_plan.id}/selection/2ba21b49-d87d-4f65-84e0-a0eefe1d12eb"
    assert tagged.attrs["conditions"]["string_equals"] == [{"key": "backup", "value": "daily"}]
    assert tagged.attrs["conditions"]["string_not_equals"] == [{"key": "env", "value": "dev"}]
    assert (tagged.id, "selection_of", payments_plan.id) in edges
    assert not [e for e in edges if e[0] == tagged.id and e[1] == "protects"]  # conditions: decided by the graph stage
    assert {e[2] for e in edges if e[0] == selections["payments-resources"].id and e[1] == "protects"} == {VOL_A, TABLE}

    protected = {r.attrs["resource_arn"]: r for r in out.resources if r.kind == "aws.backup.protected_resource"}
    assert set(protected) == {VOL_A, TABLE} and protected[VOL_A].attrs["last_backup_time"] == "2026-11-19T05:12:00Z"
    assert (protected[VOL_A].id, "protects", VOL_A) in edges

    points = {r.attrs["resource_arn"]: r for r in out.resources if r.kind == "aws.backup.recovery_point"}
    assert set(points) == {VOL_A, VOL_B, TABLE, VOL_C}  # only the newest per resource and vault is kept
    newest_a = points[VOL_A]
    assert newest_a.id == "arn:aws:ec2:us-east-1::snapshot/snap-0aa3c4d5e6f708192#recovery-point" and newest_a.attrs["recovery_point_count"] == 3
    assert newest_a.attrs["is_latest"] is True and newest_a.attrs["created_at"] == "2026-11-19T05:00:00Z"
    assert newest_a.attrs["delete_at"] == "2026-12-24T05:00:00Z" and newest_a.attrs["copy_destination_vault_arns"] == [DR_VAULT]
    assert newest_a.attrs["copied_to_other_region"] is True and newest_a.attrs["copied_to_other_account"] is True
    assert (newest_a.attrs["last_restore_status"], newest_a.attrs["last_restore_at"]) == ("COMPLETED", "2026-10-01T10:25:00Z")
    assert points[VOL_B].id.endswith("snap-0bb1c2d3e4f5a6b7c#recovery-point") and points[VOL_B].attrs["recovery_point_count"] == 2  # not the PARTIAL one
    assert points[TABLE].attrs["copied_to_other_region"] is False and points[TABLE].attrs["last_restore_status"] == "FAILED"
    assert points[VOL_C].attrs["status"] == "EXPIRED" and points[VOL_C].attrs["last_completed_at"] is None
    assert points[VOL_C].attrs["last_restore_status"] == "NONE" and points[VOL_C].attrs["vault_name"] == "adhoc-vault"
    assert (newest_a.id, "recovery_point_of", VOL_A) in edges and (newest_a.id, "stored_in", VAULT) in edges

    restores = {r.name: r for r in out.resources if r.kind == "aws.backup.restore_job"}
    tested = restores["8b1f2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"]
    assert tested.attrs["source_resource_arn"] == VOL_A and tested.attrs["duration_seconds"] == 1500  # via the point index
    assert (tested.id, "restore_of", VOL_A) in edges and tested.attrs["is_latest_for_resource"] is True
    assert restores["0d3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"].attrs["is_latest_for_resource"] is False
    running = restores["1e4c5d6e-7f8a-4b9c-0d1e-2f3a4b5c6d7e"]
    assert running.attrs["source_resource_arn"] is None and not [e for e in edges if e[0] == running.id]

    copies = {r.attrs["resource_arn"]: r for r in out.resources if r.kind == "aws.backup.copy_job"}
    assert set(copies) == {VOL_A, TABLE}  # newest per resource and destination vault
    assert (copies[VOL_A].attrs["status"], copies[VOL_A].attrs["job_count"], copies[VOL_A].attrs["failed_count"]) == ("COMPLETED", 2, 1)
    assert copies[VOL_A].attrs["cross_region"] is True and copies[VOL_A].attrs["cross_account"] is True
    assert (copies[TABLE].id, "copy_of", TABLE) in edges

    verdicts = _verdicts(ctx, ruleset)
    assert verdicts[("aws-backup-vault-locked", VAULT)] == "PASS" and verdicts[("aws-backup-vault-locked", ADHOC_VAULT)] == "FAIL"
    assert verdicts[("aws-backup-vault-lock-compliance-mode", VAULT)] == "PASS"
    assert verdicts[("aws-backup-vault-lock-compliance-mode", governance.id)] == "FAIL"
    assert ("aws-backup-vault-lock-compliance-mode", ADHOC_VAULT) not in verdicts
    for rule in ("aws-backup-plan-cross-region-copy", "aws-backup-plan-cross-account-copy", "aws-backup-plan-retention"):
        assert (verdicts[(rule, payments_plan.id)], verdicts[(rule, adhoc_plan.id)]) == ("PASS", "FAIL"), rule
    assert verdicts[("aws-backup-restore-job-completed", tested.id)] == "PASS"
    assert verdicts[("aws-backup-restore-job-completed", restores["9c2a3b4c-5d6e-4f7a-8b9c-0d1e2f3a4b5c"].id)] == "FAIL"
    assert ("aws-backup-restore-job-completed", running.id) not in verdicts
    assert verdicts[("aws-backup-copy-job-completed", copies[VOL_A].id)] == "PASS"
    assert verdicts[("aws-backup-copy-job-completed", copies[TABLE].id)] == "FAIL"


def test_recovery_points_are_bounded_per_vault_and_the_bound_is_a_gap(aws, monkeypatch):
    plans = _seed()
    monkeypatch.setattr(backup, "MAX_RECOVERY_POINTS_PER_VAULT", 2)
    ctx = _collect(plans, truncated=True)
    (gap,) = ctx.out.gaps
    assert (gap.code, gap.operation, gap.resource_id, gap.kinds) == (
        "Truncated", "ListRecoveryPointsByBackupVault", VAULT, ("aws.backup.recovery_point",))
    kept = [r for r in ctx.out.resources if r.kind == "aws.backup.recovery_point" and r.attrs["vault_name"] == "payments-vault"]
    assert [(r.id.rsplit("/", 1)[-1], r.attrs["recovery_point_count"]) for r in kept] == [("snap-0aa2b3c4d5e6f7081#recovery-point", 2)]


def test_denied_listings_are_gaps_and_leave_what_they_feed_unknown(aws, ruleset):
    plans = _seed()
    ctx = _collect(plans, denied={"ListRecoveryPointsByBackupVault:adhoc-vault", "ListRestoreJobs"})
    gaps = {(g.operation, g.resource_id): g for g in ctx.out.gaps}
    assert set(gaps) == {("ListRecoveryPointsByBackupVault", ADHOC_VAULT), ("ListRestoreJobs", None)}
    assert gaps[("ListRestoreJobs", None)].kinds == ("aws.backup.restore_job",)
    points = {r.attrs["resource_arn"]: r for r in ctx.out.resources if r.kind == "aws.backup.recovery_point"}
    assert VOL_C not in points and "last_restore_status" not in points[VOL_A].attrs
    assert not [r for r in ctx.out.resources if r.kind == "aws.backup.restore_job"]


def _resource(kind: str, arn: str, tags: dict, region: str = "us-east-1") -> Resource:
    return Resource(kind=kind, id=arn, name=arn.rsplit("/", 1)[-1], provider="aws", account=ACCOUNT, region=region, tags=tags)


def test_selection_targets_apply_resources_tags_not_resources_and_conditions(aws):
    plans = _seed()
    selections = {r.name: r for r in _collect(plans).out.resources if r.kind == "aws.backup.selection"}
    daily = _resource("aws.ec2.volume", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-daily", {"backup": "daily", "env": "prod"})
    dev = _resource("aws.ec2.volume", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-dev", {"backup": "daily", "env": "dev"})
    excluded = _resource("aws.ec2.volume", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-0e9d8c7b6a5f4e3d2", {"backup": "daily"})
    west = _resource("aws.ec2.volume", f"arn:aws:ec2:us-west-2:{ACCOUNT}:volume/vol-west", {"backup": "daily"}, "us-west-2")
    table = _resource("aws.dynamodb.table", f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/daily", {"backup": "daily"})
    user = _resource("aws.iam.user", f"arn:aws:iam::{ACCOUNT}:user/daily", {"backup": "daily"})
    adhoc_tagged = _resource("aws.ec2.volume", f"arn:aws:ec2:us-east-1:{ACCOUNT}:volume/vol-adhoc", {"backup": "adhoc"})
    listed = _resource("aws.ec2.volume", VOL_C, {})
    candidates = [daily, dev, excluded, west, table, user, adhoc_tagged, listed]
    assert selection_targets(selections["payments-tagged-volumes"], candidates) == [daily.id]
    assert selection_targets(selections["adhoc-reports"], candidates) == [adhoc_tagged.id, listed.id]


@pytest.mark.parametrize("record,unknown", [
    (backup.plan_record({"BackupPlanId": "p1", "BackupPlanName": "nightly"}, ACCOUNT, "us-east-1"), "has_cross_region_copy"),
    (backup.selection_record({"BackupPlanId": "p1", "SelectionId": "s1", "SelectionName": "all"}, ACCOUNT, "us-east-1"), "resources"),
])
def test_listing_entries_alone_leave_their_details_unknown(record, unknown):
    """What `aws backup list-backup-plans` / `list-backup-selections` dumps carry: names, not contents."""
    assert unknown not in record.shape.attrs  # absent: rules on it are NOT_ASSESSED
