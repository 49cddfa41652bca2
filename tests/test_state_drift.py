"""`drscan drift --terraform-state` scope: two workspaces' states (accounts 111111111111 and
222222222222) against an AWS Config export of three accounts with IAM users, roles, groups and
policies, AWS-managed and customer keys, and a DynamoDB global table whose replica Terraform
manages through the table's `replica` block (tests/fixtures/terraform/drift/)."""

from __future__ import annotations

import json

import pytest

from drscan import api
from drscan.collect.terraform import load_state
from drscan.state_drift import TerraformState, compare_states, never_managed
from tests.conftest import FIXED_NOW, REPO
from tests.test_cli import drscan

DRIFT = REPO / "tests" / "fixtures" / "terraform" / "drift"
PROD, SHARED = DRIFT / "state-prod.json", DRIFT / "state-shared.json"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("drift") / "drscan.db"
    api.scan(DRIFT / "live", db_path=path, fail_on="none", formats=(), as_of=FIXED_NOW)
    return path


@pytest.fixture(scope="module")
def report(db):
    return api.terraform_drift(db, [PROD, SHARED])


def ids(rows):
    return {row["id"].rsplit(":", 1)[-1] for row in rows}


def test_iam_users_created_by_hand_are_unmanaged_and_deleted_ones_missing(report):
    assert ids(report["unmanaged"]) == {"user/mallory", "user/dave"}
    (bob,) = report["missing"]
    assert bob["address"] == "aws_iam_user.bob" and bob["state"] == str(PROD) and bob["kind"] == "aws.iam.user"


def test_resources_of_accounts_no_state_covers_are_not_unmanaged(report):
    assert not [row for row in report["unmanaged"] if ":333333333333:" in row["id"]]
    assert [s["accounts"] for s in report["states"]] == [["aws:111111111111"], ["aws:222222222222"]]


def test_aws_managed_keys_and_service_linked_roles_are_never_unmanaged(report):
    reasons = {row["reason"] for row in report["ignored"]}
    assert reasons == {"AWS-managed KMS key", "service-linked role"}
    assert not [row for row in report["unmanaged"] if row["kind"] in ("aws.kms.key", "aws.iam.role")]


def test_global_table_replica_is_managed_through_the_tables_replica_block(report):
    replica = "arn:aws:dynamodb:us-west-2:111111111111:table/orders"
    assert replica not in {row["id"] for row in report["unmanaged"]}
    assert {"id": replica, "kind": "aws.dynamodb.table", "state": str(PROD),
            "address": "aws_dynamodb_table.orders (replica block)"} in report["managed_by"]


def test_each_state_says_what_it_manages(report):
    by_id = {row["id"]: row for row in report["managed_by"]}
    assert by_id["arn:aws:iam::222222222222:group/admins"]["state"] == str(SHARED)
    assert by_id["arn:aws:iam::111111111111:role/app"]["address"] == "aws_iam_role.app"
    assert report["managed"] == 9 and report["state"] == str(PROD)  # the field scripts read: the first state
    assert not report["changed"] and not report["not_scanned"]


def test_a_kind_one_state_manages_is_not_claimed_for_another_states_account(report):
    groups = [s["kinds"] for s in report["states"]]
    assert "aws.iam.group" in groups[1] and "aws.iam.group" not in groups[0]
    # a hand-made group in 111111111111 would be outside every state's scope: only 222222222222 manages groups
    states = [TerraformState(str(PROD), load_state(PROD).resources)]
    from drscan.model import Resource
    group = Resource(kind="aws.iam.group", id="arn:aws:iam::111111111111:group/ops", name="ops", provider="aws",
                     account="111111111111", region="global")
    assert compare_states(states, {group.id: group})["unmanaged"] == []


def test_account_narrows_both_sides(db):
    narrowed = api.terraform_drift(db, [PROD, SHARED], accounts=("222222222222",))
    assert ids(narrowed["unmanaged"]) == {"user/dave"} and narrowed["missing"] == []
    assert narrowed["managed"] == 3 and narrowed["accounts"] == ["222222222222"]


def test_state_resources_the_scan_did_not_cover_are_not_scanned_not_missing(db):
    from drscan.store.db import latest_scan_id, load_resources, open_db

    handle = open_db(db)
    try:
        scanned = {rid: r for rid, r in load_resources(handle, latest_scan_id(handle)).items() if r.account != "222222222222"}
    finally:
        handle.conn.close()
    result = compare_states([TerraformState(str(SHARED), load_state(SHARED).resources)], scanned)
    assert result["missing"] == [] and len(result["not_scanned"]) == 3


def test_default_security_group_is_never_managed():
    from drscan.model import Resource

    default = Resource(kind="aws.ec2.security_group", id="arn:aws:ec2:us-east-1:1:security-group/sg-1", name="default",
                       provider="aws", account="1", region="us-east-1", attrs={"group_name": "default"})
    assert never_managed(default) == "default security group"


def test_drift_cli_takes_several_states_and_an_account(db):
    result = drscan("drift", "--db", str(db), "--terraform-state", str(PROD), "--terraform-state", str(SHARED),
                    "--account", "111111111111", "--json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert ids(report["unmanaged"]) == {"user/mallory"} and ids(report["missing"]) == {"user/bob"}
    text = drscan("drift", "--db", str(db), "--terraform-state", str(PROD), "--terraform-state", str(SHARED))
    shown = " ".join(text.stdout.split())  # the terminal wraps long lines (paths) at its width
    assert "2 unmanaged, 1 missing" in shown and "state-shared.json: 3 resources in aws:222222222222" in shown
