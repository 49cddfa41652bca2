"""`drscan plan`: relations built from planned values as from live data (tag-based and explicit
AWS Backup selections, cross-region copy actions, GCP snapshot schedules, Azure protected items),
the plan read on top of the latest stored scan (--db), plans as users have them (format 0.1/0.2,
UTF-16 and UTF-8 byte order marks) and changes of unmapped types reported, not dropped."""

from __future__ import annotations

import json

import pytest

from drscan import api
from drscan.collect.terraform import load_plan
from drscan.errors import InputError
from tests.conftest import FIXED_NOW, REPO, SAMPLES
from tests.test_cli import drscan

TF = REPO / "tests" / "fixtures" / "terraform"
CONFIG = SAMPLES / "drscan.yaml"


def verdicts(result) -> dict[tuple[str, str], tuple[str, str]]:
    return {(f.resource_id, f.rule_id): (f.status.value, f.reason) for f in result.scan.findings}


def status(result, address: str, rule_id: str) -> str:
    return verdicts(result)[(address, rule_id)][0]


@pytest.fixture(scope="module")
def acme_db(tmp_path_factory):
    """The bundled estate scanned once into a database: the live estate plans are read against."""
    db = tmp_path_factory.mktemp("acme") / "drscan.db"
    api.scan(SAMPLES, config_path=CONFIG, db_path=db, fail_on="none", formats=(), as_of=FIXED_NOW)
    return db


@pytest.fixture(scope="module")
def aws_plan():
    return api.plan(TF / "aws" / "plan-backup-relations.json", config_path=CONFIG, fail_on="high", as_of=FIXED_NOW)


# ------------------------------------------------------------------ relations inside a plan

def test_tag_based_selection_protects_the_volume_it_selects_by_tag(aws_plan):
    assert status(aws_plan, "aws_ebs_volume.ledger", "aws-ec2-volume-backed-up") == "PASS"
    protects = {(r.source, r.target) for r in aws_plan.scan.relations if r.type == "protects"}
    assert ("aws_backup_selection.tagged", "aws_ebs_volume.ledger") in protects


def test_condition_blocks_and_arn_wildcards_select_planned_volumes(aws_plan):
    protects = {(r.source, r.target) for r in aws_plan.scan.relations if r.type == "protects"}
    # resources = ["arn:aws:ec2:*:*:volume/*"] AND string_equals component=reports AND string_not_equals env=dev
    assert ("aws_backup_selection.conditions", "aws_ebs_volume.reports") in protects
    assert ("aws_backup_selection.conditions", "aws_ebs_volume.scratch") not in protects  # env=dev excluded
    assert ("aws_backup_selection.conditions", "aws_ebs_volume.ledger") not in protects   # no component tag


def test_explicit_selection_by_reference_protects_the_referenced_volume(aws_plan):
    assert ("aws_backup_selection.explicit", "aws_ebs_volume.archive") in {
        (r.source, r.target) for r in aws_plan.scan.relations if r.type == "protects"}
    assert status(aws_plan, "aws_ebs_volume.archive", "aws-ec2-volume-backed-up") == "PASS"


def test_copy_action_to_another_region_than_the_providers_is_a_cross_region_copy(aws_plan):
    plan = {r.id: r for r in aws_plan.scan.resources}["aws_backup_plan.daily"]
    assert plan.region == "us-east-1" and plan.account == "111111111111"  # var.region, allowed_account_ids
    assert plan.attrs["has_cross_region_copy"] is True
    assert plan.attrs["has_cross_account_copy"] is False
    assert status(aws_plan, "aws_backup_plan.daily", "aws-backup-plan-cross-region-copy") == "PASS"


def test_without_the_live_estate_an_unselected_volume_is_not_assessed_with_the_reason(aws_plan):
    state, reason = verdicts(aws_plan)[("aws_ebs_volume.orphan", "aws-ec2-volume-backed-up")]
    assert state == "NOT_ASSESSED"
    assert "outside the plan" in reason and "--db" in reason
    assert aws_plan.exit_code == 0


def test_selection_whose_conditions_are_unknown_until_apply_selects_nothing(tmp_path):
    document = json.loads((TF / "aws" / "plan-backup-relations.json").read_text())
    for change in document["resource_changes"]:
        if change["address"] == "aws_backup_selection.conditions":
            del change["change"]["after"]["condition"]
            change["change"]["after_unknown"]["condition"] = True
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    result = api.plan(path, config_path=CONFIG, as_of=FIXED_NOW)
    assert not [r for r in result.scan.relations if r.source == "aws_backup_selection.conditions" and r.type == "protects"]
    assert status(result, "aws_ebs_volume.reports", "aws-ec2-volume-backed-up") == "NOT_ASSESSED"


def test_gcp_snapshot_schedules_from_disk_policies_and_attachments():
    result = api.plan(TF / "gcp" / "plan-backup-relations.json", config_path=CONFIG, as_of=FIXED_NOW)
    rule = "gcp-compute-disk-snapshot-schedule"
    assert status(result, "google_compute_disk.ledger", rule) == "PASS"    # resource_policies = [policy.id]
    assert status(result, "google_compute_disk.reports", rule) == "PASS"   # a policy attachment resource
    assert status(result, "google_compute_disk.orphan", rule) == "NOT_ASSESSED"
    assert status(result, "google_compute_disk.existing", rule) == "NOT_ASSESSED"  # the policy is outside the plan
    assert status(result, "google_compute_resource_policy.daily", "gcp-compute-snapshot-schedule-multi-region") == "PASS"


def test_azure_protected_item_protects_the_planned_vm():
    result = api.plan(TF / "azure" / "plan-backup-relations.json", config_path=CONFIG, as_of=FIXED_NOW)
    assert status(result, "azurerm_linux_virtual_machine.api", "azure-vm-backup-protected") == "PASS"
    assert status(result, "azurerm_linux_virtual_machine.worker", "azure-vm-backup-protected") == "NOT_ASSESSED"


# ------------------------------------------------------------------ the plan on top of the live estate

def test_new_volume_tagged_for_an_existing_tag_based_selection_passes_with_db(acme_db):
    result = api.plan(TF / "aws" / "plan-live-selection.json", config_path=CONFIG, db_path=acme_db, as_of=FIXED_NOW)
    assert result.scan.scope["plan_context"] == "overlaid on scan 1"
    assert status(result, "aws_ebs_volume.payments_new", "aws-ec2-volume-backed-up") == "PASS"
    assert status(result, "aws_ebs_volume.payments_untagged", "aws-ec2-volume-backed-up") == "FAIL"
    assert result.exit_code == 1
    selection = next(r.source for r in result.scan.relations if r.target == "aws_ebs_volume.payments_new")
    assert selection.startswith("arn:aws:backup:us-east-1:111111111111:backup-plan:")
    assert {r.id for r in result.scan.resources} == {"aws_ebs_volume.payments_new", "aws_ebs_volume.payments_untagged"}


def test_same_plan_without_db_is_not_assessed_not_failed():
    result = api.plan(TF / "aws" / "plan-live-selection.json", config_path=CONFIG, as_of=FIXED_NOW)
    assert status(result, "aws_ebs_volume.payments_new", "aws-ec2-volume-backed-up") == "NOT_ASSESSED"
    assert result.exit_code == 0


def test_gcp_disk_on_a_schedule_outside_the_plan_passes_with_db(acme_db):
    result = api.plan(TF / "gcp" / "plan-backup-relations.json", config_path=CONFIG, db_path=acme_db, as_of=FIXED_NOW)
    assert status(result, "google_compute_disk.existing", "gcp-compute-disk-snapshot-schedule") == "PASS"
    assert status(result, "google_compute_disk.orphan", "gcp-compute-disk-snapshot-schedule") == "FAIL"


def test_plan_db_without_scans_is_an_input_error(tmp_path):
    from drscan.store.db import open_db

    open_db(tmp_path / "empty.db").conn.close()
    with pytest.raises(InputError, match="no scans yet"):
        api.plan(TF / "aws" / "plan-live-selection.json", db_path=tmp_path / "empty.db")


def test_plan_db_flag_on_the_command_line(acme_db, tmp_path):
    result = drscan("plan", str(TF / "aws" / "plan-live-selection.json"), "--config", str(CONFIG), "--db", str(acme_db),
                    "--sarif", str(tmp_path / "o.sarif"))
    assert result.returncode == 1, result.stderr
    assert "overlaid on scan 1" in result.stdout and "account 111111111111" in result.stdout


# ------------------------------------------------------------------ plan files as users have them

@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.2"])
def test_every_terraform_json_format_version_is_read(version, tmp_path):
    document = json.loads((TF / "aws" / "plan-backup-relations.json").read_text())
    document["format_version"] = version
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    assert len(load_plan(path).inventory.resources) == 11


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-8", b"\xef\xbb\xbf")])
def test_plans_with_a_byte_order_mark_are_read(encoding, bom, tmp_path):
    text = (TF / "aws" / "plan-backup-relations.json").read_text()
    path = tmp_path / "tfplan.json"
    path.write_bytes(bom + text.encode(encoding))  # what PowerShell's `terraform show -json tfplan > tfplan.json` writes
    assert len(load_plan(path).inventory.resources) == 11


def test_utf16_bom_with_broken_text_is_a_clear_error(tmp_path):
    path = tmp_path / "tfplan.json"
    path.write_bytes(b"\xff\xfe{\x00\x00\xd8")
    with pytest.raises(InputError, match="tfplan.json: .*UTF-16"):
        load_plan(path)


def test_changes_of_unmapped_types_are_reported_in_terminal_json_and_sarif(tmp_path):
    result = drscan("plan", str(TF / "aws" / "plan-backup-relations.json"), "--sarif", str(tmp_path / "o.sarif"),
                    "--out", str(tmp_path), "--format", "json")
    summary = "4 changes of 3 types not evaluated: aws_ecs_service, aws_cloudwatch_log_group, aws_sqs_queue"
    assert summary in result.stdout.replace("\n", " ")
    findings = json.loads((tmp_path / "findings.json").read_text())
    assert findings["notices"][0] == summary
    assert findings["scan"]["scope"]["unmapped_changes"]["by_type"] == {
        "aws_ecs_service": 2, "aws_cloudwatch_log_group": 1, "aws_sqs_queue": 1}
    notes = json.loads((tmp_path / "o.sarif").read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == summary and notes[0]["level"] == "warning"


def test_a_plan_of_only_unmapped_types_says_so_instead_of_zero_resources(tmp_path):
    document = json.loads((TF / "aws" / "plan-backup-relations.json").read_text())
    document["resource_changes"] = [c for c in document["resource_changes"] if c["type"] == "aws_ecs_service"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    result = drscan("plan", str(path))
    assert result.returncode == 0
    assert "2 changes of 1 type not evaluated: aws_ecs_service" in result.stdout
