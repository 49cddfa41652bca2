"""The offline twin: AWS CLI JSON output of the collector's own List/Describe/Get calls, handed
over as files, goes through the collector's transforms (tests/fixtures/aws_cli/dumps is shaped
like `aws ... > file.json` output; account and region come from the directory names)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from drscan import api
from drscan.collect.imports.files import import_file
from drscan.collect.inventory import import_inventory
from drscan.collect.sources import Sources

DUMPS = Path(__file__).parents[1] / "fixtures" / "aws_cli" / "dumps"


def test_cli_dumps_become_the_same_resources_the_live_collector_makes():
    inventory = import_inventory(DUMPS)
    by_id = {r.id: r for r in inventory.resources}
    db = by_id["arn:aws:rds:us-east-1:123456789012:db:payments-db"]
    assert db.kind == "aws.rds.db_instance" and db.account == "123456789012" and db.region == "us-east-1"
    assert db.attrs["multi_az"] is True and db.attrs["backup_retention_days"] == 7 and db.tags == {"app": "payments"}
    assert by_id["arn:aws:rds::123456789012:global-cluster:ledger-global"].kind == "aws.rds.global_cluster"
    table = by_id["arn:aws:dynamodb:us-east-1:123456789012:table/payments-ledger"]  # {"Table": {...}}: one object
    assert table.attrs["replica_regions"] == ["us-west-2"] and table.attrs["pitr_enabled"] is None  # not in this call
    point = by_id["arn:aws:ec2:us-east-1::snapshot/snap-0a1b2c3d4e5f67890#recovery-point"]
    assert point.attrs["resource_type"] == "EBS" and point.attrs["created_at"] == "2026-11-24T05:00:00Z"
    primary = by_id["arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ/recordset/pay.acme.example./A/primary"]
    assert primary.region == "global" and primary.attrs["failover"] == "PRIMARY"  # zone id from the file name
    assert primary.attrs["zone_id"] == "Z0123456789ABCDEFGHIJ"
    assert not inventory.gaps


def test_rules_judge_cli_dumps_like_live_data(tmp_path):
    result = api.scan(sources=Sources(import_dir=DUMPS), as_of=datetime(2026, 11, 25, tzinfo=timezone.utc), fail_on="none")
    verdicts = {(f.rule_id, f.resource_id): f.status.value for f in result.scan.findings}
    assert verdicts[("aws-rds-instance-encrypted", "arn:aws:rds:us-east-1:123456789012:db:reports-db")] == "FAIL"
    assert verdicts[("aws-rds-instance-encrypted", "arn:aws:rds:us-east-1:123456789012:db:payments-db")] == "PASS"
    secondary = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ/recordset/pay.acme.example./A/secondary"
    assert verdicts[("aws-route53-failover-ttl", secondary)] == "FAIL"  # TTL 300 s > 60 s


def test_an_unrelated_json_file_is_still_a_gap_not_a_guess(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text('{"Something": [{"Else": 1}]}')
    batch = import_file(path)
    assert not batch.resources and batch.gaps[0].code == "UnrecognizedFormat"
