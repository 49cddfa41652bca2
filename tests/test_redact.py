"""Credential-like values never reach the store or a report."""

from __future__ import annotations

import json
import sqlite3

from drscan import api
from drscan.model import Resource
from drscan.redact import REDACTED, redact_resource, redact_value


def test_secret_key_names_and_secret_looking_values_are_redacted():
    attrs = {
        "db_password": "hunter2", "api_key": "abc", "kms_key_id": "arn:aws:kms:us-east-1:1:key/k",
        "note": "creds AKIAIOSFODNN7EXAMPLE in here", "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
        "conn": "Server=tcp:x;Database=y;Password=S3cr3t!;", "nested": [{"client_secret": "zzz"}],
        "enabled": True, "token_count": 3,
    }
    out = redact_value(attrs)
    assert out["db_password"] == out["api_key"] == out["note"] == out["pem"] == out["conn"] == REDACTED
    assert out["nested"][0]["client_secret"] == REDACTED
    assert out["kms_key_id"] == attrs["kms_key_id"] and out["enabled"] is True and out["token_count"] == 3


def test_resource_tags_are_redacted_and_clean_resources_are_untouched():
    clean = Resource(kind="aws.s3.bucket", id="b", name="b", provider="aws", account="1", region="r", attrs={"x": 1}, tags={"app": "p"})
    assert redact_resource(clean) is clean
    dirty = Resource(kind="aws.s3.bucket", id="b", name="b", provider="aws", account="1", region="r", tags={"deploy_token": "ghp_" + "a" * 36})
    assert redact_resource(dirty).tags["deploy_token"] == REDACTED


def test_scan_never_stores_or_reports_a_secret(tmp_path):
    secret = "hunter2-very-secret"
    item = {"version": "1.3", "accountId": "111111111111", "resourceType": "AWS::S3::Bucket", "resourceId": "b",
            "arn": "arn:aws:s3:::b", "awsRegion": "us-east-1",
            "tags": {"db_password": secret, "note": "key AKIAIOSFODNN7EXAMPLE"}, "configuration": {}}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.json").write_text(json.dumps({"configurationItems": [item]}))
    api.scan(tmp_path / "in", db_path=tmp_path / "db.sqlite", out_dir=tmp_path / "out", formats=("json", "csv"))
    dump = "\n".join(sqlite3.connect(tmp_path / "db.sqlite").iterdump())
    for text in (dump, (tmp_path / "out" / "findings.json").read_text(), (tmp_path / "out" / "findings.csv").read_text()):
        assert secret not in text and "AKIAIOSFODNN7EXAMPLE" not in text
    assert REDACTED in dump
