"""Importers on realistic export documents, in each envelope users really have."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from drscan.collect.inventory import import_inventory
from drscan.errors import InputError

BUCKET_ITEM = {
    "configurationItemVersion": "1.3", "configurationItemCaptureTime": "2026-11-19T22:10:04.113Z",
    "configurationStateId": 1700000000001, "awsAccountId": "111111111111", "configurationItemStatus": "OK",
    "resourceType": "AWS::S3::Bucket", "resourceId": "acme-exports", "resourceName": "acme-exports",
    "ARN": "arn:aws:s3:::acme-exports", "awsRegion": "us-east-1", "availabilityZone": "Regional",
    "tags": {"app": "payments", "db_password": "hunter2-very-secret"}, "relationships": [],
    "configuration": {"name": "acme-exports", "owner": {"displayName": None, "id": "abc"}, "creationDate": "2024-01-01T00:00:00.000Z"},
    # The Config API returns supplementaryConfiguration values as JSON strings.
    "supplementaryConfiguration": {
        "ServerSideEncryptionConfiguration": json.dumps({"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256", "kmsMasterKeyID": None}, "bucketKeyEnabled": False}]}),
        "BucketVersioningConfiguration": {"status": "Enabled", "isMfaDeleteEnabled": None},
        "PublicAccessBlockConfiguration": {"blockPublicAcls": True, "ignorePublicAcls": True, "blockPublicPolicy": True, "restrictPublicBuckets": True},
        "BucketLoggingConfiguration": {"destinationBucketName": None, "logFilePrefix": None},
    },
}
VOLUME_ITEM = {
    "version": "1.3", "accountId": "111111111111", "configurationItemStatus": "ResourceDiscovered",
    "resourceType": "AWS::EC2::Volume", "resourceId": "vol-0a1", "arn": "arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1",
    "awsRegion": "us-east-1", "availabilityZone": "us-east-1a", "tags": [{"key": "app", "value": "payments"}],
    "configuration": json.dumps({"volumeId": "vol-0a1", "size": 100, "availabilityZone": "us-east-1a", "encrypted": False,
                                 "attachments": [{"instanceId": "i-0b2", "state": "attached"}], "volumeType": "gp3"}),
}
INSTANCE_ITEM = {
    "version": "1.3", "accountId": "111111111111", "resourceType": "AWS::EC2::Instance", "resourceId": "i-0b2",
    "arn": "arn:aws:ec2:us-east-1:111111111111:instance/i-0b2", "awsRegion": "us-east-1",
    "configuration": {"instanceId": "i-0b2", "placement": {"availabilityZone": "us-east-1a"}, "metadataOptions": {"httpTokens": "optional"}},
}
CREDENTIAL_REPORT = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,"
    "access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,"
    "cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n"
    "<root_account>,arn:aws:iam::111111111111:root,2019-01-01T00:00:00+00:00,not_supported,2026-01-02T00:00:00+00:00,not_supported,not_supported,false,"
    "true,2020-05-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
    "alice,arn:aws:iam::111111111111:user/alice,2023-01-01T00:00:00+00:00,true,2026-11-01T00:00:00+00:00,2023-01-01T00:00:00+00:00,N/A,false,"
    "true,2025-01-10T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
)
USER_ITEM = {
    "version": "1.3", "accountId": "111111111111", "resourceType": "AWS::IAM::User", "resourceId": "AIDAEXAMPLE",
    "resourceName": "alice", "arn": "arn:aws:iam::111111111111:user/alice", "awsRegion": "global",
    "configuration": {"userName": "alice", "attachedManagedPolicies": [{"policyName": "AdministratorAccess", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]},
}
GCP_DISK = {"name": "//compute.googleapis.com/projects/acme-analytics/zones/us-central1-a/disks/etl-data",
            "resource": {"version": "v1", "discoveryName": "Disk", "location": "us-central1-a", "data": {
                "name": "etl-data", "zone": "https://www.googleapis.com/compute/v1/projects/acme-analytics/zones/us-central1-a",
                "sizeGb": "500", "users": ["https://www.googleapis.com/compute/v1/projects/acme-analytics/zones/us-central1-a/instances/etl-1"],
                "resourcePolicies": ["https://www.googleapis.com/compute/v1/projects/acme-analytics/regions/us-central1/resourcePolicies/daily"],
                "labels": {"app": "analytics"}}},
            "ancestors": ["projects/410000000001", "organizations/770000000000"]}


def write(tmp: Path, name: str, content) -> Path:
    path = tmp / name
    data = content if isinstance(content, str) else json.dumps(content)
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(data.encode()))
    else:
        path.write_text(data)
    return path


def by_id(inventory):
    return {r.id: r for r in inventory.resources}


def test_s3_snapshot_gzipped_with_string_supplementary(tmp_path):
    write(tmp_path, "snap.json.gz", {"fileVersion": "1.0", "configSnapshotId": "x", "configurationItems": [BUCKET_ITEM]})
    bucket = by_id(import_inventory(tmp_path))["arn:aws:s3:::acme-exports"]
    assert bucket.kind == "aws.s3.bucket" and bucket.account == "111111111111" and bucket.region == "us-east-1"
    assert bucket.attrs["encryption_algorithm"] == "AES256"
    assert bucket.attrs["versioning"] == "Enabled"
    assert bucket.attrs["public_access_blocked"] is True
    assert bucket.attrs["logging_enabled"] is False
    assert bucket.source.endswith("snap.json.gz#item 1")


def test_history_envelope_with_string_configuration_and_relations(tmp_path):
    write(tmp_path, "history.json", {"configurationItems": [VOLUME_ITEM, INSTANCE_ITEM]})
    inventory = import_inventory(tmp_path)
    volume = by_id(inventory)["arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1"]
    assert volume.attrs["encrypted"] is False and volume.zones == ("us-east-1a",)
    assert volume.tags == {"app": "payments"}
    assert ("arn:aws:ec2:us-east-1:111111111111:instance/i-0b2", "attached_to") in {(r.target, r.type) for r in inventory.references}


def test_select_resource_config_results_are_json_strings(tmp_path):
    write(tmp_path, "select.json", {"Results": [json.dumps(VOLUME_ITEM)], "QueryInfo": {"SelectFields": [{"Name": "*"}]}})
    assert "arn:aws:ec2:us-east-1:111111111111:volume/vol-0a1" in by_id(import_inventory(tmp_path))


def test_batch_get_envelope(tmp_path):
    write(tmp_path, "batch.json", {"baseConfigurationItems": [INSTANCE_ITEM], "unprocessedResourceKeys": []})
    instance = by_id(import_inventory(tmp_path))["arn:aws:ec2:us-east-1:111111111111:instance/i-0b2"]
    assert instance.attrs["imds_tokens"] == "optional"


def test_credential_report_merges_into_config_user_and_creates_root(tmp_path):
    write(tmp_path, "users.json", {"configurationItems": [USER_ITEM]})
    write(tmp_path, "credential-report.csv", CREDENTIAL_REPORT)
    resources = by_id(import_inventory(tmp_path))
    alice = resources["arn:aws:iam::111111111111:user/alice"]
    assert alice.attrs["has_admin_policy"] is True  # from Config
    assert alice.attrs["password_enabled"] is True and alice.attrs["mfa_active"] is False  # from the report
    assert alice.attrs["oldest_active_access_key_rotated"] == "2025-01-10T00:00:00Z"
    root = resources["arn:aws:iam::111111111111:root"]
    assert root.kind == "aws.iam.root_account" and root.attrs["access_keys_active"] is True


def test_gcp_export_snake_case_and_list_camel_case_give_the_same_resource(tmp_path):
    snake = dict(GCP_DISK, asset_type="compute.googleapis.com/Disk", update_time="2026-11-19T10:00:00Z")
    camel = dict(GCP_DISK, assetType="compute.googleapis.com/Disk", updateTime="2026-11-19T10:00:00Z")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write(tmp_path / "a", "export.ndjson", json.dumps(snake) + "\n")
    write(tmp_path / "b", "list.json", [camel])
    first = by_id(import_inventory(tmp_path / "a"))[GCP_DISK["name"]]
    second = by_id(import_inventory(tmp_path / "b"))[GCP_DISK["name"]]
    assert first.attrs == second.attrs
    assert first.attrs["size_gb"] == 500 and first.region == "us-central1" and first.zones == ("us-central1-a",)
    assert first.account == "acme-analytics" and first.tags == {"app": "analytics"}


def test_azure_resource_graph_rows_lowercase_ids(tmp_path):
    rows = {"count": 1, "data": [{
        "id": "/subscriptions/0B1F/resourceGroups/RG-Checkout/providers/Microsoft.Storage/storageAccounts/acmeco",
        "name": "acmeco", "type": "microsoft.storage/storageaccounts", "location": "westeurope",
        "resourceGroup": "rg-checkout", "subscriptionId": "0b1f", "sku": {"name": "Standard_LRS", "tier": "Standard"},
        "tags": {"app": "checkout"}, "zones": None,
        "properties": {"minimumTlsVersion": "TLS1_0", "supportsHttpsTrafficOnly": True, "allowBlobPublicAccess": True,
                       "encryption": {"keySource": "Microsoft.Storage"}}}], "skip_token": None, "total_records": 1}
    write(tmp_path, "resources.json", rows)
    account = by_id(import_inventory(tmp_path))["/subscriptions/0b1f/resourcegroups/rg-checkout/providers/microsoft.storage/storageaccounts/acmeco"]
    assert account.kind == "azure.storage.account"
    assert account.attrs["geo_redundant"] is False and account.attrs["cmk"] is False
    assert account.attrs["min_tls_version"] == "TLS1_0" and account.attrs["blob_public_access"] is True


def test_unknown_types_are_kept_as_generic_resources(tmp_path):
    item = {"version": "1.3", "accountId": "1", "resourceType": "AWS::Kinesis::Stream", "resourceId": "t",
            "arn": "arn:aws:kinesis:us-east-1:1:stream/t", "awsRegion": "us-east-1", "configuration": {}}
    write(tmp_path, "x.json", {"configurationItems": [item]})
    stream = by_id(import_inventory(tmp_path))["arn:aws:kinesis:us-east-1:1:stream/t"]
    assert stream.kind == "aws.kinesis.stream" and stream.attrs == {"source_type": "AWS::Kinesis::Stream"}


def test_deleted_items_are_skipped(tmp_path):
    write(tmp_path, "x.json", {"configurationItems": [dict(BUCKET_ITEM, configurationItemStatus="ResourceDeleted")]})
    assert import_inventory(tmp_path).resources == ()


def test_malformed_json_names_file_and_line(tmp_path):
    write(tmp_path, "bad.json", '{\n  "configurationItems": [\n    {"resourceType": }\n  ]\n}')
    with pytest.raises(InputError, match=r"bad\.json:3:\d+: invalid JSON"):
        import_inventory(tmp_path)


def test_malformed_ndjson_names_the_line(tmp_path):
    write(tmp_path, "x.ndjson", json.dumps(dict(GCP_DISK, asset_type="compute.googleapis.com/Disk")) + "\n{not json\n")
    with pytest.raises(InputError, match=r"x\.ndjson:2:"):
        import_inventory(tmp_path)


def test_item_without_resource_type_is_a_gap_naming_the_record_and_the_rest_is_read(tmp_path):
    write(tmp_path, "x.json", {"configurationItems": [BUCKET_ITEM, {"resourceId": "oops"}]})
    inventory = import_inventory(tmp_path)
    assert [r.id for r in inventory.resources] == ["arn:aws:s3:::acme-exports"]
    (gap,) = inventory.gaps
    assert gap.code == "UnreadableRecord"
    assert gap.message.endswith("x.json#item 2: configuration item has no resourceType; record skipped")


def test_unrecognized_file_becomes_a_gap_not_silence(tmp_path):
    write(tmp_path, "notes.json", {"hello": "world"})
    inventory = import_inventory(tmp_path)
    assert inventory.resources == ()
    assert [g.code for g in inventory.gaps] == ["UnrecognizedFormat"]


def test_missing_directory_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or directory"):
        import_inventory(tmp_path / "nope")
