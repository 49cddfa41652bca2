"""IAM collector against moto: users' console passwords, MFA, access keys and policies, the
root user, the password policy and customer-managed policies; rules on the result; honest gaps.

moto cannot backdate an access key, so botocore's Stubber answers one ListAccessKeys from
tests/fixtures/aws_api/iam/list_access_keys_old.json (shaped as the IAM API reference
documents it); everything else is moto."""

from __future__ import annotations

import json

import boto3
import pytest

from drscan.collect.aws import iam
from drscan.collect.aws.collect import run_task
from drscan.normalize.lookup import UNSEEN

from tests.collect.aws.conftest import ACCOUNT, global_task
from tests.collect.aws.test_ec2 import Error, load_fixture, status, stubbed_context, verdicts

PASSWORD = "Corr3ct-Horse-Battery-Staple"
STAR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


def user(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def policy(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{name}"


ROOT = f"arn:aws:iam::{ACCOUNT}:root"
PASSWORD_POLICY = f"arn:aws:iam::{ACCOUNT}:account-password-policy"


@pytest.fixture
def seeded(aws) -> dict[str, str]:
    """Four users and three customer policies. (moto loads AWS managed policies only on request,
    at ~4 s a test; AdministratorAccess is covered by the dump test instead.)"""
    client = boto3.client("iam", region_name="us-east-1")
    for name in ("alice", "bob", "carol", "ci-bot"):
        client.create_user(UserName=name, Tags=[{"Key": "team", "Value": "platform"}])
    for name in ("alice", "bob"):
        client.create_login_profile(UserName=name, Password=PASSWORD)
    device = client.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    client.enable_mfa_device(UserName="alice", SerialNumber=device, AuthenticationCode1="123456", AuthenticationCode2="654321")
    secret = client.create_access_key(UserName="alice")["AccessKey"]["SecretAccessKey"]
    client.create_group(GroupName="operators")
    client.add_user_to_group(GroupName="operators", UserName="alice")
    legacy = client.create_policy(PolicyName="legacy-full-access", PolicyDocument=json.dumps(STAR))["Policy"]["Arn"]
    reader = client.create_policy(PolicyName="s3-reader", PolicyDocument=json.dumps(READ))["Policy"]["Arn"]
    client.create_policy(PolicyName="unused-star", PolicyDocument=json.dumps(STAR))
    client.attach_user_policy(UserName="carol", PolicyArn=legacy)
    client.attach_user_policy(UserName="alice", PolicyArn=reader)
    client.put_user_policy(UserName="ci-bot", PolicyName="deploy", PolicyDocument=json.dumps(STAR))
    return {"secret": secret}


def _collect(**answers):
    answers.setdefault("ListAccessKeys", lambda p: load_fixture("iam", "list_access_keys_old") if p["UserName"] == "bob" else None)
    ctx = stubbed_context(global_task("iam"), answers)
    iam.collect(ctx)
    return ctx.out


def test_users_credentials_and_policies(seeded):
    out = _collect()
    by_id = {r.id: r for r in out.resources}
    alice, bob, carol, bot = (by_id[user(n)] for n in ("alice", "bob", "carol", "ci-bot"))
    assert alice.kind == "aws.iam.user" and alice.region == "global" and alice.tags == {"team": "platform"}
    assert alice.attrs["password_enabled"] is True and alice.attrs["mfa_active"] is True
    assert alice.attrs["access_keys_active"] is True and alice.attrs["active_access_key_count"] == 1
    assert alice.attrs["groups"] == ["operators"] and alice.attrs["has_admin_policy"] is False
    assert bob.attrs["password_enabled"] is True and bob.attrs["mfa_active"] is False
    assert bob.attrs["has_admin_policy"] is False
    assert bob.attrs["oldest_active_access_key_rotated"] == "2025-01-10T09:00:00Z"  # the inactive older key does not count
    assert carol.attrs["has_admin_policy"] is True  # a customer policy allowing "*" on "*"
    assert carol.attrs["password_enabled"] is False and carol.attrs["access_keys_active"] is False
    assert bot.attrs["has_admin_policy"] is True and bot.attrs["inline_policy_count"] == 1
    legacy, reader, unused = by_id[policy("legacy-full-access")], by_id[policy("s3-reader")], by_id[policy("unused-star")]
    assert legacy.kind == "aws.iam.policy" and legacy.attrs["allows_full_admin"] is True and legacy.attrs["attached"] is True
    assert reader.attrs["allows_full_admin"] is False and unused.attrs["attached"] is False
    root = by_id[ROOT]
    assert root.kind == "aws.iam.root_account" and root.attrs["mfa_active"] is False
    assert root.attrs["access_keys_present"] is False and root.attrs["access_keys_active"] is False
    password_policy = by_id[PASSWORD_POLICY]
    assert password_policy.attrs["exists"] is False and password_policy.attrs["minimum_length"] == 8
    # No credential report exists: a gap saying how to create one; drscan never generates it.
    (gap,) = out.gaps
    assert (gap.operation, gap.code, gap.kinds) == ("GetCredentialReport", "ReportNotPresent", ("aws.iam.root_account",))
    assert "generate-credential-report" in gap.message
    assert "iam:GenerateCredentialReport" not in out.calls and set(out.calls) <= set(iam.OPERATIONS)
    dumped = json.dumps([(r.attrs, r.tags) for r in out.resources], default=str)
    for secret in (seeded["secret"], PASSWORD, "AKIAIOSFODNN7EXAMPLE"):
        assert secret not in dumped


def test_roles_and_groups_are_collected_and_service_linked_roles_marked(seeded):
    client = boto3.client("iam", region_name="us-east-1")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    client.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(trust))
    client.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")
    by_id = {r.id: r for r in _collect().resources}
    app = by_id[f"arn:aws:iam::{ACCOUNT}:role/app"]
    assert app.kind == "aws.iam.role" and app.attrs["service_linked"] is False and app.region == "global"
    (linked,) = [r for r in by_id.values() if r.kind == "aws.iam.role" and r.attrs["service_linked"]]
    assert "/aws-service-role/autoscaling.amazonaws.com/" in linked.id
    operators = by_id[f"arn:aws:iam::{ACCOUNT}:group/operators"]
    assert operators.kind == "aws.iam.group" and operators.attrs["group_name"] == "operators"


def test_rules_judge_the_collected_account(seeded):
    found = verdicts(_collect())
    assert status(found, "aws-iam-user-console-mfa", user("alice")) == "PASS"
    assert status(found, "aws-iam-user-console-mfa", user("bob")) == "FAIL"
    assert ("aws-iam-user-console-mfa", user("carol")) not in found  # no console password
    assert status(found, "aws-iam-user-access-key-age", user("bob")) == "FAIL"
    assert status(found, "aws-iam-user-access-key-age", user("alice")) == "PASS"
    for name in ("carol", "ci-bot"):
        assert status(found, "aws-iam-user-no-admin-policy", user(name)) == "FAIL", name
    assert status(found, "aws-iam-user-no-admin-policy", user("alice")) == "PASS"
    assert status(found, "aws-iam-policy-no-full-admin", policy("legacy-full-access")) == "FAIL"
    assert status(found, "aws-iam-policy-no-full-admin", policy("s3-reader")) == "PASS"
    assert status(found, "aws-iam-root-mfa", ROOT) == "FAIL"
    assert status(found, "aws-iam-root-no-access-keys", ROOT) == "PASS"
    assert status(found, "aws-iam-password-policy-length", PASSWORD_POLICY) == "FAIL"
    assert status(found, "aws-iam-password-policy-reuse", PASSWORD_POLICY) == "FAIL"


def test_strong_password_policy_and_a_credential_report(aws):
    client = boto3.client("iam", region_name="us-east-1")
    client.update_account_password_policy(MinimumPasswordLength=16, PasswordReusePrevention=24, RequireSymbols=True,
                                          MaxPasswordAge=90)
    client.create_user(UserName="dave")
    client.generate_credential_report()  # what the account owner runs once; drscan only reads it
    out = run_task(global_task("iam"), spec=iam.SPEC)
    by_id = {r.id: r for r in out.resources}
    assert by_id[PASSWORD_POLICY].attrs["exists"] is True and by_id[PASSWORD_POLICY].attrs["reuse_prevention"] == 24
    assert by_id[user("dave")].attrs["password_enabled"] is False
    assert not out.gaps and out.calls["iam:GetCredentialReport"] == 1
    found = verdicts(out)
    assert status(found, "aws-iam-password-policy-length", PASSWORD_POLICY) == "PASS"
    assert status(found, "aws-iam-password-policy-reuse", PASSWORD_POLICY) == "PASS"


def test_denied_calls_are_gaps_and_not_assessed(seeded):
    out = _collect(GetLoginProfile=lambda p: Error("AccessDenied", "not authorized", 403) if p["UserName"] == "bob" else None,
                   GetAccountSummary=lambda p: Error("AccessDenied", "not authorized", 403),
                   GetAccountPasswordPolicy=lambda p: Error("AccessDenied", "not authorized", 403))
    by_id = {r.id: r for r in out.resources}
    assert by_id[user("bob")].attrs["password_enabled"] is None
    assert by_id[ROOT].attrs["mfa_active"] is None and by_id[ROOT].attrs["access_keys_active"] is None
    assert by_id[PASSWORD_POLICY].attrs["exists"] is None
    gaps = {(g.operation, g.code, g.resource_id) for g in out.gaps}
    assert ("GetLoginProfile", "AccessDenied", user("bob")) in gaps
    assert ("GetAccountSummary", "AccessDenied", ROOT) in gaps and ("GetAccountPasswordPolicy", "AccessDenied", PASSWORD_POLICY) in gaps
    found = verdicts(out)
    for rule, resource in (("aws-iam-user-console-mfa", user("bob")), ("aws-iam-root-mfa", ROOT),
                           ("aws-iam-root-no-access-keys", ROOT), ("aws-iam-password-policy-length", PASSWORD_POLICY)):
        assert status(found, rule, resource) == "NOT_ASSESSED", rule



def test_not_assessed_findings_cite_the_denied_call(seeded):
    out = _collect(GetLoginProfile=lambda p: Error("AccessDenied", "not authorized", 403) if p["UserName"] == "bob" else None)
    assert {g.region for g in out.gaps} == {"global"}
    assert "GetLoginProfile" in verdicts(out)[("aws-iam-user-console-mfa", user("bob"))].reason


def test_unreadable_customer_policies_leave_admin_unknown_for_users_attaching_them(seeded):
    out = _collect(GetAccountAuthorizationDetails=lambda p: Error("AccessDenied", "no", 403)
                   if p["Filter"] == ["LocalManagedPolicy"] else None)
    by_id = {r.id: r for r in out.resources}
    assert "has_admin_policy" not in by_id[user("carol")].attrs  # attaches a policy drscan could not read
    assert "has_admin_policy" not in by_id[user("alice")].attrs
    assert by_id[user("bob")].attrs["has_admin_policy"] is False  # attaches no customer policy
    assert by_id[user("ci-bot")].attrs["has_admin_policy"] is True  # its inline policy was read


def test_root_account_from_the_credential_report():
    """When keys exist, only the report tells whether one is active (pure transform)."""
    summary = {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 1}}
    row = {"mfa_active": True, "access_keys_active": True, "oldest_active_access_key_rotated": "2019-05-01T00:00:00Z",
           "password_last_used": "2026-11-01T10:00:00Z"}
    record = iam.root_record(ACCOUNT, summary, row)
    assert record.shape.attrs["access_keys_active"] is True and record.shape.attrs["mfa_active"] is True
    assert record.shape.attrs["oldest_active_access_key_rotated"] == "2019-05-01T00:00:00Z"
    assert iam.root_record(ACCOUNT, summary, None).shape.attrs["access_keys_active"] is None


def test_cli_dumps_use_the_same_transforms():
    shapes = {d.key: d for d in iam.DUMPS}
    listed = shapes["Users"].to_record({"UserName": "eve", "Arn": user("eve"), "Path": "/"}, ACCOUNT, "")
    assert listed.shape.attrs["has_admin_policy"] is UNSEEN and listed.shape.attrs["password_enabled"] is None
    detail = shapes["UserDetailList"].to_record({"UserName": "eve", "Arn": user("eve"), "AttachedManagedPolicies": [
        {"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]}, ACCOUNT, "")
    assert detail.shape.attrs["has_admin_policy"] is True and detail.region == "global"  # AWS managed, known by ARN
