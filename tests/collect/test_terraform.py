"""Terraform plan and state JSON -> planned Resources, changes, DR regressions, and state
Resources whose ids match what the importers produce. Fixtures are shaped like
`terraform show -json` output of Terraform 1.9 (tests/fixtures/terraform/<provider>/)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from drscan.collect.inventory import import_inventory
from drscan.collect.terraform import dr_regressions, load_plan, load_state, split_address
from drscan.engine.evaluate import evaluate
from drscan.engine.loader import load_rules
from drscan.errors import InputError
from drscan.graph.build import build_graph
from drscan.model import Status
from drscan.paths import rules_dir
from tests.conftest import FIXED_NOW, SAMPLES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "terraform"


def by_id(inventory):
    return {r.id: r for r in inventory.resources}


def verdicts(inventory):
    """{(resource id, rule id): Status} from the real rules evaluated on the inventory."""
    findings = evaluate(build_graph(inventory), load_rules(rules_dir()), FIXED_NOW, inventory.gaps)
    return {(f.resource_id, f.rule_id): f.status for f in findings}


def regressions(name):
    return {(r.address, r.rule_id) for r in dr_regressions(load_plan(FIXTURES / name))}


@pytest.fixture(scope="module")
def aws_plan():
    return load_plan(FIXTURES / "aws" / "plan.json")


@pytest.fixture(scope="module")
def gcp_plan():
    return load_plan(FIXTURES / "gcp" / "plan.json")


@pytest.fixture(scope="module")
def azure_plan():
    return load_plan(FIXTURES / "azure" / "plan.json")


# ------------------------------------------------------------------ AWS plan

def test_aws_plan_maps_planned_resources_to_kinds_with_addresses_as_ids(aws_plan):
    resources = by_id(aws_plan.inventory)
    assert aws_plan.terraform_version == "1.9.8"
    assert resources["aws_ebs_volume.scratch"].kind == "aws.ec2.volume"
    assert resources["module.db.aws_db_instance.main"].kind == "aws.rds.db_instance"
    assert resources["aws_lb_listener.http"].kind == "aws.elbv2.listener"
    assert resources["aws_backup_selection.db"].kind == "aws.backup.selection"
    # settings resources are folded into their bucket, not resources of their own
    assert "module.storage.aws_s3_bucket_versioning.this" not in resources
    volume = resources["aws_ebs_volume.scratch"]
    assert volume.account == "terraform" and volume.provider == "aws"
    assert volume.source == f"{FIXTURES / 'aws' / 'plan.json'}#aws_ebs_volume.scratch"
    assert volume.attrs["terraform_type"] == "aws_ebs_volume" and volume.zones == ("us-east-1a",)
    assert volume.tags == {"app": "payments", "role": "scratch"}


def test_region_comes_from_the_resources_provider_block(aws_plan):
    resources = by_id(aws_plan.inventory)
    assert resources["module.db.aws_db_instance.main"].region == "us-east-1"
    assert resources["module.db.aws_db_instance.replica"].region == "us-west-2"  # provider = aws.dr
    assert resources["aws_backup_vault.dr"].region == "us-west-2"


def test_split_bucket_settings_fold_into_the_bucket_they_reference(aws_plan):
    bucket = by_id(aws_plan.inventory)["module.storage.aws_s3_bucket.this"]
    assert bucket.name == "acme-payments-receipts"
    assert bucket.attrs["encryption_algorithm"] == "aws:kms"
    # the key ARN is unknown until apply, but the configuration names the key (through a module input)
    assert bucket.attrs["encryption_kms_key_id"] == "aws_kms_key.data"
    assert bucket.attrs["versioning"] == "Enabled"
    assert bucket.attrs["public_access_blocked"] is True
    assert bucket.attrs["logging_enabled"] is True and bucket.attrs["logging_target"] == "acme-s3-access-logs-111111111111"


def test_values_unknown_until_apply_are_left_out(aws_plan):
    resources = by_id(aws_plan.inventory)
    batch = resources["aws_instance.batch"]  # metadata_options not configured: known only after apply
    assert "imds_tokens" not in batch.attrs
    assert resources["aws_instance.web"].attrs["imds_tokens"] == "required"
    bucket = resources["module.storage.aws_s3_bucket.this"]
    for attr in ("replication_enabled", "object_lock_enabled", "mfa_delete", "lifecycle_rule_count"):
        assert attr not in bucket.attrs
    scratch = resources["aws_ebs_volume.scratch"]
    assert scratch.attrs["encrypted"] is False and "kms_key_id" not in scratch.attrs and "snapshot_id" not in scratch.attrs
    assert set(batch.attrs) == {"instance_type", "terraform_type", "terraform_address"}


def test_unchanged_bucket_reads_its_current_inline_settings(aws_plan):
    legacy = by_id(aws_plan.inventory)["aws_s3_bucket.legacy"]
    assert legacy.attrs["encryption_algorithm"] == "AES256"
    assert legacy.attrs["encryption_kms_key_id"] is None  # the state's "" means not set
    assert legacy.attrs["versioning"] == "Off"
    assert legacy.attrs["replication_enabled"] is False


def test_references_between_planned_resources_become_references(aws_plan):
    references = {(r.source, r.type, r.target) for r in aws_plan.inventory.references}
    assert ("module.db.aws_db_instance.replica", "replica_of", "module.db.aws_db_instance.main") in references
    # resources = module.db.db_arn: followed through the module output
    assert ("aws_backup_selection.db", "protects", "module.db.aws_db_instance.main") in references
    assert ("aws_backup_selection.db", "selection_of", "aws_backup_plan.daily") in references
    assert ("aws_backup_plan.daily", "copies_to", "aws_backup_vault.dr") in references
    assert ("aws_lb_listener.http", "listener_of", "aws_lb.web") in references
    assert ("aws_ebs_volume.data", "encrypted_by", "aws_kms_key.data") in references
    assert aws_plan.inventory.gaps == ()


def test_backup_plan_copy_to_a_vault_in_another_region_is_cross_region(aws_plan):
    resources = by_id(aws_plan.inventory)
    plan = resources["aws_backup_plan.daily"]
    assert plan.attrs["copy_destinations"] == ["aws_backup_vault.dr"]
    assert plan.attrs["has_cross_region_copy"] is True and plan.attrs["min_retention_days"] == 35
    assert resources["aws_backup_vault.main"].attrs["locked"] is True  # aws_backup_vault_lock_configuration
    assert "locked" not in resources["aws_backup_vault.dr"].attrs     # no lock resource: not known
    assert resources["aws_efs_file_system.shared"].attrs["backup_policy_status"] == "ENABLED"


def test_network_resources(aws_plan):
    resources = by_id(aws_plan.inventory)
    assert resources["aws_security_group.web"].attrs["admin_ports_open_to_world"] == [22]
    assert resources["aws_security_group.web"].attrs["world_ingress_rules"] == 2
    assert resources["aws_lb.web"].attrs["az_count"] == 2  # two subnets
    assert resources["aws_lb_listener.http"].attrs["encrypted_in_transit"] is True  # redirects to HTTPS
    assert resources["aws_autoscaling_group.web"].attrs["az_count"] == 2


def test_planned_changes_carry_actions_and_the_objects_own_settings(aws_plan):
    changes = {c.address: c for c in aws_plan.changes}
    created = changes["aws_ebs_volume.scratch"]
    assert created.actions == ("create",) and created.before is None and created.after.kind == "aws.ec2.volume"
    assert created.file is None and created.line is None
    unchanged = changes["aws_s3_bucket.legacy"]
    assert unchanged.actions == ("no-op",) and unchanged.before.attrs["encryption_algorithm"] == "AES256"
    settings = changes["module.storage.aws_s3_bucket_versioning.this"]
    assert settings.kind == "aws.s3.bucket" and settings.after.attrs["versioning"] == "Enabled"
    assert settings.after.attrs["terraform_type"] == "aws_s3_bucket_versioning"


def test_settings_changes_name_the_resource_they_configure(aws_plan):
    change = next(c for c in aws_plan.changes if c.address == "module.storage.aws_s3_bucket_versioning.this")
    assert change.after.attrs["terraform_configures"] == "module.storage.aws_s3_bucket.this"


def test_deleting_a_settings_resource_makes_what_it_set_unknown_on_the_bucket():
    plan = load_plan(FIXTURES / "aws" / "plan-dr-regressions.json")
    bucket = by_id(plan.inventory)["module.storage.aws_s3_bucket.this"]
    # the bucket's inline mirror still shows replication; once the configuration is destroyed it is gone
    assert "replication_enabled" not in bucket.attrs and "replication_destinations" not in bucket.attrs
    assert bucket.attrs["versioning"] == "Suspended"
    removed = next(c for c in plan.changes if c.address.endswith("aws_s3_bucket_replication_configuration.this"))
    assert removed.after is None and removed.before.attrs["terraform_configures"] == "module.storage.aws_s3_bucket.this"


def test_real_rules_judge_the_planned_aws_resources(aws_plan):
    found = verdicts(aws_plan.inventory)
    assert found[("aws_ebs_volume.scratch", "aws-ec2-volume-encrypted")] is Status.FAIL
    assert found[("aws_ebs_volume.data", "aws-ec2-volume-encrypted")] is Status.PASS
    assert found[("module.storage.aws_s3_bucket.this", "aws-s3-bucket-encrypted-cmk")] is Status.PASS
    assert found[("aws_s3_bucket.legacy", "aws-s3-bucket-encrypted-cmk")] is Status.FAIL
    assert found[("aws_instance.web", "aws-ec2-instance-imdsv2")] is Status.PASS
    assert found[("aws_instance.batch", "aws-ec2-instance-imdsv2")] is Status.NOT_ASSESSED  # unknown, never PASS
    assert found[("aws_security_group.web", "aws-ec2-security-group-admin-ports")] is Status.FAIL
    assert found[("module.db.aws_db_instance.main", "aws-rds-instance-multi-az")] is Status.PASS
    assert found[("module.db.aws_db_instance.main", "aws-rds-instance-cross-region-replica")] is Status.PASS
    assert found[("aws_dynamodb_table.ledger", "aws-dynamodb-table-pitr")] is Status.PASS
    assert found[("aws_backup_plan.daily", "aws-backup-plan-cross-region-copy")] is Status.PASS
    assert found[("aws_backup_vault.main", "aws-backup-vault-locked")] is Status.PASS
    assert found[("aws_backup_vault.dr", "aws-backup-vault-locked")] is Status.NOT_ASSESSED
    assert found[("aws_kms_key.data", "aws-kms-key-rotation")] is Status.PASS


# ------------------------------------------------------------------ regressions

def test_plan_that_removes_cross_region_replica_disables_pitr_and_deletes_backups_is_flagged():
    assert regressions("aws/plan-dr-regressions.json") == {
        ("module.db.aws_db_instance.replica", "tf-dr-replica-removed"),
        ("aws_dynamodb_table.ledger", "tf-dr-pitr-disabled"),
        ("aws_backup_plan.daily", "tf-dr-backup-removed"),
        ("aws_backup_selection.db", "tf-dr-backup-removed"),
        ("module.storage.aws_s3_bucket_versioning.this", "tf-dr-versioning-disabled"),
        ("module.storage.aws_s3_bucket_replication_configuration.this", "tf-dr-replication-removed"),
        ("module.db.aws_db_instance.main", "tf-dr-deletion-protection-disabled"),
        ("module.db.aws_db_instance.main", "tf-dr-backup-retention-lowered"),
    }


def test_regression_reasons_name_the_attribute_and_its_values():
    found = {(r.address, r.rule_id): r for r in dr_regressions(load_plan(FIXTURES / "aws" / "plan-dr-regressions.json"))}
    pitr = found[("aws_dynamodb_table.ledger", "tf-dr-pitr-disabled")]
    assert pitr.severity == "high" and pitr.kind == "aws.dynamodb.table"
    assert pitr.reason == "point_in_time_recovery.enabled: true -> false"
    retention = found[("module.db.aws_db_instance.main", "tf-dr-backup-retention-lowered")]
    assert retention.severity == "medium" and retention.reason == "backup_retention_period: 14 -> 3"
    replica = found[("module.db.aws_db_instance.replica", "tf-dr-replica-removed")]
    assert "replicate_source_db" in replica.reason and "arn:aws:rds:us-east-1:111111111111:db:payments-db" in replica.reason
    versioning = found[("module.storage.aws_s3_bucket_versioning.this", "tf-dr-versioning-disabled")]
    assert versioning.reason == 'versioning_configuration.status: "Enabled" -> "Suspended"'


def test_plan_that_adds_encryption_yields_no_regression():
    plan = load_plan(FIXTURES / "aws" / "plan-add-encryption.json")
    assert dr_regressions(plan) == []
    bucket = by_id(plan.inventory)["aws_s3_bucket.legacy"]
    assert bucket.attrs["encryption_algorithm"] == "aws:kms"  # the updated settings resource wins over the inline mirror
    assert verdicts(plan.inventory)[("aws_s3_bucket.legacy", "aws-s3-bucket-encrypted-cmk")] is Status.PASS


def test_plans_that_only_create_have_no_regressions(aws_plan, gcp_plan, azure_plan):
    assert dr_regressions(aws_plan) == dr_regressions(gcp_plan) == dr_regressions(azure_plan) == []


def test_gcp_plan_regressions():
    assert regressions("gcp/plan-dr-regressions.json") == {
        ("google_sql_database_instance.reporting_east", "tf-dr-replica-removed"),
        ("google_sql_database_instance.reporting", "tf-dr-pitr-disabled"),
        ("google_sql_database_instance.reporting", "tf-dr-deletion-protection-disabled"),
        ("google_compute_disk_resource_policy_attachment.etl_daily", "tf-dr-snapshot-schedule-removed"),
        ("google_storage_bucket.curated", "tf-dr-versioning-disabled"),
    }


def test_azure_plan_regressions_include_replacing_a_geo_secondary():
    found = {(r.address, r.rule_id): r for r in dr_regressions(load_plan(FIXTURES / "azure" / "plan-dr-regressions.json"))}
    assert set(found) == {("azurerm_mssql_database.secondary", "tf-dr-replica-removed"),
                          ("azurerm_backup_protected_vm.web", "tf-dr-backup-removed")}
    assert "replaces" in found[("azurerm_mssql_database.secondary", "tf-dr-replica-removed")].reason
    assert "creation_source_database_id" in found[("azurerm_mssql_database.secondary", "tf-dr-replica-removed")].reason


# ------------------------------------------------------------------ GCP and Azure plans

def test_gcp_plan_maps_buckets_disks_sql_and_keys(gcp_plan):
    resources = by_id(gcp_plan.inventory)
    curated = resources["google_storage_bucket.curated"]
    assert curated.kind == "gcp.storage.bucket" and curated.region == "us"
    assert curated.attrs["location_type"] == "multi-region" and curated.attrs["versioning_enabled"] is True
    assert curated.attrs["cmek_key"] == "google_kms_crypto_key.bucket"
    raw = resources["google_storage_bucket.raw"]
    assert "uniform_access" not in raw.attrs and "public_access_prevention" not in raw.attrs  # unknown until apply
    assert raw.attrs["location_type"] == "region" and raw.region == "us-central1"
    disk = resources["google_compute_disk.etl_data"]
    assert disk.attrs["resource_policies"] == ["google_compute_resource_policy.daily"]  # from the attachment
    assert resources["google_compute_resource_policy.daily"].attrs["interval_hours"] == 24
    primary = resources["google_sql_database_instance.reporting"]
    replica = resources["google_sql_database_instance.reporting_east"]
    assert primary.attrs["is_replica"] is False and primary.attrs["pitr_enabled"] is True
    assert replica.attrs["is_replica"] is True and replica.region == "us-east1"
    assert resources["google_kms_crypto_key.bucket"].attrs["rotation_period_s"] == 7776000
    assert resources["google_container_cluster.shared"].attrs["regional"] is True


def test_real_rules_judge_the_planned_gcp_resources(gcp_plan):
    found = verdicts(gcp_plan.inventory)
    assert found[("google_compute_disk.etl_data", "gcp-compute-disk-snapshot-schedule")] is Status.PASS
    assert found[("google_sql_database_instance.reporting", "gcp-sql-cross-region-replica")] is Status.PASS
    assert found[("google_sql_database_instance.reporting", "gcp-sql-high-availability")] is Status.PASS
    assert found[("google_storage_bucket.curated", "gcp-storage-bucket-cmek")] is Status.PASS
    assert found[("google_storage_bucket.raw", "gcp-storage-bucket-versioning")] is Status.FAIL
    assert found[("google_storage_bucket.raw", "gcp-storage-bucket-uniform-access")] is Status.NOT_ASSESSED
    assert found[("google_kms_crypto_key.bucket", "gcp-kms-key-rotation")] is Status.PASS


def test_azure_plan_maps_storage_sql_vms_and_vaults(azure_plan):
    resources = by_id(azure_plan.inventory)
    data = resources["azurerm_storage_account.data"]
    assert data.attrs["cmk"] is True  # azurerm_storage_account_customer_managed_key, folded in
    assert data.attrs["sku"] == "Standard_GZRS" and data.attrs["geo_redundant"] is True
    assert data.attrs["https_only"] is True and data.attrs["blob_public_access"] is False
    assert resources["azurerm_linux_virtual_machine.web"].zones == ("westeurope-1",)
    secondary = resources["azurerm_mssql_database.secondary"]
    assert secondary.attrs["is_secondary"] is True and secondary.region == "northeurope"  # from its server
    assert resources["azurerm_managed_disk.data"].attrs["cmk"] is True
    assert resources["azurerm_recovery_services_vault.main"].attrs["immutability_state"] == "Locked"
    assert resources["azurerm_key_vault.main"].attrs["purge_protection"] is True


def test_real_rules_judge_the_planned_azure_resources(azure_plan):
    found = verdicts(azure_plan.inventory)
    assert found[("azurerm_storage_account.logs", "azure-storage-account-min-tls")] is Status.FAIL
    assert found[("azurerm_storage_account.logs", "azure-storage-account-no-public-blob")] is Status.FAIL
    assert found[("azurerm_storage_account.data", "azure-storage-account-cmk")] is Status.PASS
    assert found[("azurerm_linux_virtual_machine.web", "azure-vm-backup-protected")] is Status.PASS
    assert found[("azurerm_mssql_database.main", "azure-sql-database-tde")] is Status.PASS
    assert found[("azurerm_recovery_services_vault.main", "azure-recovery-vault-immutable")] is Status.PASS


# ------------------------------------------------------------------ state

@pytest.mark.parametrize("provider, state_file", [("aws", "state.json"), ("gcp", "state.json"),
                                                  ("azure", "terraform.tfstate")])
def test_state_ids_match_the_ids_importers_give_the_same_resources(provider, state_file):
    state = load_state(FIXTURES / provider / state_file)
    imported = by_id(import_inventory(SAMPLES / provider))
    for resource in state.resources:
        assert resource.id in imported, f"{resource.attrs['terraform_address']} -> {resource.id}"
        assert imported[resource.id].kind == resource.kind
        assert resource.region == imported[resource.id].region


def test_state_ids_are_arns_asset_names_and_lower_cased_arm_ids():
    aws = by_id(load_state(FIXTURES / "aws" / "state.json"))
    bucket = aws["arn:aws:s3:::acme-payments-receipts"]
    assert bucket.attrs["terraform_address"] == "module.storage.aws_s3_bucket.this"
    assert bucket.account == "111111111111"  # S3 ARNs name no account: the state's other resources do
    assert bucket.attrs["versioning"] == "Enabled" and bucket.attrs["public_access_blocked"] is True
    selection = aws["arn:aws:backup:us-east-1:111111111111:backup-plan:d1cb5c88-f90d-482c-bba8-1defe3be24ec"
                    "/selection/289fbfcf-539c-476b-bd41-f80b6775d40f"]
    assert selection.region == "us-east-1"
    gcp = by_id(load_state(FIXTURES / "gcp" / "state.json"))
    assert "//storage.googleapis.com/acme-analytics-curated" in gcp
    assert gcp["//storage.googleapis.com/acme-analytics-curated"].attrs["is_public"] is True  # bucket IAM member allUsers
    assert gcp["//cloudsql.googleapis.com/projects/acme-analytics/instances/reporting-pg-regional"].account == "acme-analytics"
    azure = by_id(load_state(FIXTURES / "azure" / "terraform.tfstate"))
    assert all(rid == rid.lower() for rid in azure)
    disk = azure["/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourcegroups/rg-checkout-prod"
                 "/providers/microsoft.compute/disks/vm-checkout-web-1-data-0"]
    assert disk.attrs["terraform_address"] == "azurerm_managed_disk.data[0]"


def test_state_references_use_cloud_ids():
    state = load_state(FIXTURES / "aws" / "state.json")
    references = {(r.source, r.type, r.target) for r in state.references}
    assert ("arn:aws:rds:us-west-2:111111111111:db:payments-db-replica-usw2", "replica_of",
            "arn:aws:rds:us-east-1:111111111111:db:payments-db") in references


def test_empty_state_is_an_empty_inventory(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text('{"format_version":"1.0"}')
    assert load_state(path).resources == ()


def test_gzipped_plan_is_read(tmp_path):
    path = tmp_path / "plan.json.gz"
    path.write_bytes(gzip.compress((FIXTURES / "azure" / "plan-dr-regressions.json").read_bytes()))
    assert len(load_plan(path).changes) == 2


# ------------------------------------------------------------------ matching settings to resources

def _plan_document(resource_changes, config_resources):
    return {"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {"root_module": {}},
            "resource_changes": resource_changes, "prior_state": {"format_version": "1.0", "values": {"root_module": {}}},
            "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                                                          "expressions": {"region": {"constant_value": "eu-west-1"}}}},
                              "root_module": {"resources": config_resources}}}


def _create(address, type_, name, after, unknown, index=None):
    change = {"address": address, "mode": "managed", "type": type_, "name": name,
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown,
                         "before_sensitive": False, "after_sensitive": {}}}
    if index is not None:
        change["index"] = index
    return change


def test_counted_settings_pair_with_the_bucket_of_the_same_index(tmp_path):
    changes, config = [], []
    for i, status in enumerate(["Enabled", "Suspended"]):
        changes.append(_create(f"aws_s3_bucket.logs[{i}]", "aws_s3_bucket", "logs", {"bucket": f"logs-{i}"},
                               {"id": True, "versioning": True}, index=i))
        changes.append(_create(f"aws_s3_bucket_versioning.logs[{i}]", "aws_s3_bucket_versioning", "logs",
                               {"versioning_configuration": [{"status": status}]}, {"bucket": True}, index=i))
    config.append({"address": "aws_s3_bucket.logs", "mode": "managed", "type": "aws_s3_bucket", "name": "logs",
                   "provider_config_key": "aws", "expressions": {}, "count_expression": {"constant_value": 2}})
    # Terraform lists `aws_s3_bucket.logs[count.index].id` as the bare resource: the index decides
    config.append({"address": "aws_s3_bucket_versioning.logs", "mode": "managed", "type": "aws_s3_bucket_versioning",
                   "name": "logs", "provider_config_key": "aws", "count_expression": {"constant_value": 2},
                   "expressions": {"bucket": {"references": ["aws_s3_bucket.logs"]}}})
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan_document(changes, config)))
    resources = by_id(load_plan(path).inventory)
    assert resources["aws_s3_bucket.logs[0]"].attrs["versioning"] == "Enabled"
    assert resources["aws_s3_bucket.logs[1]"].attrs["versioning"] == "Suspended"
    assert resources["aws_s3_bucket.logs[0]"].region == "eu-west-1"


def _update(address, type_, name, before, after):
    return {"address": address, "mode": "managed", "type": type_, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {"actions": ["update"], "before": before, "after": after, "after_unknown": {},
                       "before_sensitive": {}, "after_sensitive": {}}}


def test_backup_plan_update_regresses_only_when_a_copy_destination_goes(tmp_path):
    state = json.loads((FIXTURES / "aws" / "state.json").read_text())
    before = next(r["values"] for r in state["values"]["root_module"]["resources"] if r["address"] == "aws_backup_plan.daily")
    retagged = dict(before, tags={"app": "payments", "owner": "platform"})
    no_copy = dict(before, rule=[dict(before["rule"][0], copy_action=[])])
    config = [{"address": "aws_backup_plan.daily", "mode": "managed", "type": "aws_backup_plan", "name": "daily",
               "provider_config_key": "aws", "expressions": {"rule": [{"copy_action": [{"destination_vault_arn": {
                   "references": ["var.dr_vault_arn"]}}]}]}}]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan_document([_update("aws_backup_plan.daily", "aws_backup_plan", "daily", before, retagged)], config)))
    assert dr_regressions(load_plan(path)) == []
    path.write_text(json.dumps(_plan_document([_update("aws_backup_plan.daily", "aws_backup_plan", "daily", before, no_copy)], config)))
    [regression] = dr_regressions(load_plan(path))
    assert regression.rule_id == "tf-dr-replication-removed"
    assert regression.reason == ('rule.copy_action.destination_vault_arn: '
                                 '["arn:aws:backup:us-west-2:111111111111:backup-vault:payments-vault-dr"] -> []')


def test_settings_for_a_bucket_outside_the_plan_are_a_gap(tmp_path):
    changes = [_create("aws_s3_bucket_versioning.ext", "aws_s3_bucket_versioning", "ext",
                       {"bucket": "bucket-managed-elsewhere", "versioning_configuration": [{"status": "Enabled"}]},
                       {"id": True})]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan_document(changes, [])))
    plan = load_plan(path)
    assert plan.inventory.resources == ()
    assert [g.code for g in plan.inventory.gaps] == ["UnresolvedSettings"]
    assert "bucket-managed-elsewhere" in plan.inventory.gaps[0].message


def test_unknown_resource_types_are_changes_without_a_kind(tmp_path):
    changes = [_create("random_id.suffix", "random_id", "suffix", {"byte_length": 4}, {"hex": True})]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(_plan_document(changes, [])))
    plan = load_plan(path)
    assert plan.inventory.resources == ()
    assert [(c.address, c.kind, c.after) for c in plan.changes] == [("random_id.suffix", None, None)]


def test_addresses_split_outside_brackets_and_quotes():
    assert split_address('module.a["x.y"].aws_s3_bucket.b[0]') == ["module", 'a["x.y"]', "aws_s3_bucket", "b[0]"]


# ------------------------------------------------------------------ errors

def test_invalid_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format_version": "1.2",\n  "resource_changes": [\n    {"address": }\n  ]\n}\n')
    with pytest.raises(InputError, match=rf"{path.name}:4:17: invalid JSON"):
        load_plan(path)


def test_json_that_is_not_a_plan_says_what_is_missing(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"format_version": "1.0", "provider_schemas": {}}')
    with pytest.raises(InputError, match="not a Terraform plan: missing 'resource_changes' and 'planned_values'"):
        load_plan(path)
    path.write_text('{"configurationItems": []}')
    with pytest.raises(InputError, match="missing 'format_version'"):
        load_plan(path)


def test_state_given_as_plan_and_plan_given_as_state_are_named():
    with pytest.raises(InputError, match="this is Terraform state, not a plan"):
        load_plan(FIXTURES / "aws" / "state.json")
    with pytest.raises(InputError, match="this is a Terraform plan, not state"):
        load_state(FIXTURES / "aws" / "plan.json")


def test_unsupported_format_and_malformed_changes_are_input_errors(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": "2.0", "resource_changes": []}')
    with pytest.raises(InputError, match="unsupported Terraform JSON format_version '2.0'"):
        load_plan(path)
    path.write_text('{"format_version": "1.2", "resource_changes": [{"address": "aws_s3_bucket.a", "type": "aws_s3_bucket"}]}')
    with pytest.raises(InputError, match=r"resource_changes\[0\] \(aws_s3_bucket.a\): missing 'change.actions'"):
        load_plan(path)
    path.write_text("[1, 2]")
    with pytest.raises(InputError, match="got list"):
        load_plan(path)
