"""Policy-document facts (drscan/normalize/aws_policies.py) on the statement shapes AWS documents."""

from __future__ import annotations

import json
import urllib.parse

from drscan.normalize.aws_policies import (allows_public, denies_insecure_transport, external_accounts, parse_policy,
                                           s3_policy_and_lock, trust_facts)

OWN, OTHER = "111111111111", "222222222222"


def policy(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_encodings_and_unreadable_documents():
    document = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"})
    assert parse_policy(json.dumps(document)) == document
    assert parse_policy(urllib.parse.quote(json.dumps(document))) == document  # AWS Config and IAM encode them
    assert parse_policy(None) is None and parse_policy("{not json") is None
    assert allows_public(parse_policy("{not json")) is None  # unreadable is unknown, never "not public"


def test_wildcard_principal_is_public_unless_a_condition_narrows_it():
    open_statement = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "*"}
    assert allows_public(policy(open_statement)) is True
    narrowed = dict(open_statement, Condition={"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111111111111:t"}})
    assert allows_public(policy(narrowed)) is False
    assert allows_public(policy(dict(open_statement, Effect="Deny"))) is False


def test_external_accounts_in_every_spelling():
    document = policy({"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{OWN}:root", OTHER,
                                                                  "arn:aws:iam::333333333333:role/backup"]},
                       "Action": "kms:Decrypt", "Resource": "*"})
    assert external_accounts(document, OWN) == [OTHER, "333333333333"]


def test_deny_insecure_transport_needs_all_principals_all_s3_actions_and_the_condition():
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    assert denies_insecure_transport(policy(deny)) is True
    assert denies_insecure_transport(policy(dict(deny, Action="s3:GetObject"))) is False
    assert denies_insecure_transport(policy(dict(deny, Principal={"AWS": f"arn:aws:iam::{OWN}:root"}))) is False
    assert denies_insecure_transport(policy(dict(deny, Condition={}))) is False


def test_role_trust_facts():
    trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root", "Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole"})
    facts = trust_facts(trust, OWN)
    assert facts["trusted_accounts"] == [OTHER] and facts["trusted_services"] == ["ec2.amazonaws.com"]
    assert facts["cross_account_without_external_id"] is True and facts["trusts_any_principal"] is False
    guarded = policy({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"sts:ExternalId": "x-1"}}})
    assert trust_facts(guarded, OWN)["cross_account_without_external_id"] is False
    assert set(trust_facts(None, OWN).values()) == {None}


def test_bucket_policy_absent_field_is_unknown_but_null_text_is_no_policy():
    assert s3_policy_and_lock({}, OWN) == {}
    assert "policy_public" not in s3_policy_and_lock({"BucketPolicy": {}}, OWN)
    none = s3_policy_and_lock({"BucketPolicy": {"policyText": None}}, OWN)
    assert none["policy_public"] is False and none["policy_denies_insecure_transport"] is False
