"""Credential-like values never reach the store or a report: the pattern set, one kind at a
time, and what the redactor does to every field of the model (ids stay stable and joinable)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from drscan import api
from drscan.model import Gap, Inventory, Reference, Relation, Resource
from drscan.redact import REDACTED, excerpt, redact_inventory, redact_resource, redact_text, redact_value

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

# kind -> (text holding the secret, the part that must disappear)
SECRETS = {
    "aws access key id": ("creds AKIAIOSFODNN7EXAMPLE in here", "AKIAIOSFODNN7EXAMPLE"),
    "aws session key id": ("ASIAY34FZKBOKMUTVV7A", "ASIAY34FZKBOKMUTVV7A"),
    "aws key id with its secret": (f"AKIAIOSFODNN7EXAMPLE {AWS_SECRET}", AWS_SECRET),
    "bare aws secret access key": (AWS_SECRET, AWS_SECRET),
    "aws secret access key alone in free text": (f"rotated to {AWS_SECRET}.", AWS_SECRET),
    "aws secret access key inside a name": (f"backup-{AWS_SECRET}-old", AWS_SECRET),
    "aws_secret_access_key=": (f"aws_secret_access_key={AWS_SECRET}", AWS_SECRET),
    "aws secret after ': '": (f"secret_key: {AWS_SECRET}", AWS_SECRET),
    "aws secret in a credentials file": (f"[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
                                         f"aws_secret_access_key = {AWS_SECRET}\n", AWS_SECRET),
    "rsa private key": ("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7yn3bRHQ5FHMQ\n-----END RSA PRIVATE KEY-----",
                        "MIIEpAIBAAKCAQEA7yn3bRHQ5FHMQ"),
    "openssh private key": ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
                            "b3BlbnNzaC1rZXktdjEAAAAA"),
    "truncated private key": ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF", "MIIEvQIBADANBgkqhkiG9w0BAQEF"),
    "gcp service account json": ('{"type": "service_account", "private_key_id": "1f2e3d4c5b6a", "private_key": '
                                 '"-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADANBgkqhkiG9w0\\n-----END PRIVATE KEY-----\\n"}',
                                 "MIIEvgIBADANBgkqhkiG9w0"),
    "jwt": ("token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"),
    "bare jwt": ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXZhbHVl", "c2lnbmF0dXJlLXZhbHVl"),
    "github token": ("ghp_16C7e42F292c6912E7710c838347Ae178B4a", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
    "github oauth token": ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "gho_16C7e42F292c6912E7710c838347Ae178B4a"),
    "github app token": ("ghs_16C7e42F292c6912E7710c838347Ae178B4a", "ghs_16C7e42F292c6912E7710c838347Ae178B4a"),
    "github fine-grained token": ("github_pat_11ABCDEFG0_abcdefghijklmnopqrstuvwxyz0123", "abcdefghijklmnopqrstuvwxyz0123"),
    "gitlab token": ("glpat-xY9vQ2mT7kLp3nR8sW4z", "xY9vQ2mT7kLp3nR8sW4z"),
    "slack bot token": ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOp", "AbCdEfGhIjKlMnOp"),
    "slack webhook url": ("https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX", "XXXXXXXXXXXXXXXXXXXXXXXX"),
    "bearer token": ("curl -H 'Authorization: Bearer 4f9a1c2e7b3d5f6a8c0e' x", "4f9a1c2e7b3d5f6a8c0e"),
    "basic auth header": ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
    "password=": ("user=bob password=hunter2-xyz mode=rw", "hunter2-xyz"),
    "password: (yaml)": ("db:\n  password: correct horse battery\n", "correct horse battery"),
    "passwd in json": ('{"passwd": "s3cr3t-pw"}', "s3cr3t-pw"),
    "DB_PASSWORD env": ("DB_PASSWORD=Tr0ub4dor&3", "Tr0ub4dor"),
    "api_key=": ("api_key=9b2c4d6e8f0a1b3c", "9b2c4d6e8f0a1b3c"),
    "token:": ("token: 7d1e4c2a9f", "7d1e4c2a9f"),
    "client_secret=": ("client_secret=Zq8~kP2.mN5", "Zq8~kP2.mN5"),
    "postgres url": ("postgres://admin:Sup3rS3cret@db.internal:5432/app", "Sup3rS3cret"),
    "https url with user and token": ("https://deploy:tok_4Gx9@git.example.com/repo.git", "tok_4Gx9"),
    "https url with a token as user": ("https://x7Hq2Lm9Rt4Vw8Zk3Np6Bc1D@github.com/o/r", "x7Hq2Lm9Rt4Vw8Zk3Np6Bc1D"),
    "azure storage connection string": ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey="
                                        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
                                        "EndpointSuffix=core.windows.net", "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6"),
    "azure storage key alone": ("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
                                "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6"),
    "azure sas signature": ("https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=kR3%2Fz9QW8vYxT%3D&se=2030",
                            "kR3%2Fz9QW8vYxT"),
    "sql connection string": ("Server=tcp:x;Database=y;User ID=app;Password=S3cr3t!;", "S3cr3t!"),
}

# Look-alikes that are not credentials: hashes, ids, ARNs (also of secrets), settings.
NOT_SECRETS = [
    "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-AbCdEf",
    "arn:aws:iam::111111111111:role/DrscanAuditRoleForProductionAccountX",
    "arn:aws:kms:us-east-1:111111111111:key/bfd88ad9-2398-4e31-81f4-843668179b93",
    "commit=da39a3ee5e6b4b0d3255bfef95601890afd80709",  # SHA-1, hex only
    "192fb28ef5f4fd7fa789d2c2a80489ab3da478a8fe66f56b958f7f441626c19d",
    "minimum_password_length", "password_policy=strict", "token_count: 3", "bypass: true", "secret:name",
    "/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-pw",
    "//storage.googleapis.com/acme-analytics-gcs-logs", "us-east-1", "high", "global", "Standard_GRS",
    "https://events.pagerduty.com/v2/enqueue", "ssh://git@github.com/o/r.git",
    # 40 characters of the secret-key alphabet that do not look random (words, CamelCase, paths),
    # or are part of a longer run, or have no digit
    "/subscriptions/0b1f6471/providers/Microsoft.Compute/virtualMachineScaleSets/vmssweb1",
    "arn:aws:iam::111111111111:role/SomeRoleNameWithMixedCase123456789", "logs/SomeRoleNameWithMixedCase1234567890x",
    "ABCDEFGHIJabcdefghij0123456789ABCDEFGHIJ-suffix", "ABCDEFGHIJabcdefghij0123456789ABCDEFGHIJ.example.com",
    "DrscanAuditRoleForProductionAccountXyzAb",
]


@pytest.mark.parametrize("text, secret", SECRETS.values(), ids=list(SECRETS))
def test_each_kind_of_credential_is_redacted_from_free_text(text, secret):
    out = redact_text(text)
    assert secret not in out and REDACTED in out, out


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_look_alikes_are_left_alone(text):
    assert redact_text(text) == text


def test_only_the_credential_part_of_a_string_goes_and_the_rest_stays_readable():
    assert redact_text("postgres://admin:Sup3rS3cret@db.internal:5432/app") == "postgres://admin:[REDACTED]@db.internal:5432/app"
    assert redact_text("user=bob password=hunter2 mode=rw") == "user=bob password=[REDACTED] mode=rw"
    assert redact_text("https://hooks.slack.com/services/T1/B2/XXXX") == "https://hooks.slack.com/services/[REDACTED]"
    assert redact_text("creds AKIAIOSFODNN7EXAMPLE in here") == "creds [REDACTED] in here"


def test_secret_key_names_redact_their_whole_value():
    attrs = {
        "db_password": "hunter2", "api_key": "abc", "kms_key_id": "arn:aws:kms:us-east-1:1:key/k",
        "note": "creds AKIAIOSFODNN7EXAMPLE in here", "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE...",
        "conn": "Server=tcp:x;Database=y;Password=S3cr3t!;", "nested": [{"client_secret": "zzz"}],
        "aws_secret_access_key": AWS_SECRET, "enabled": True, "token_count": 3,
    }
    out = redact_value(attrs)
    assert out["db_password"] == out["api_key"] == out["pem"] == out["aws_secret_access_key"] == REDACTED
    assert out["note"] == "creds [REDACTED] in here" and out["conn"] == "Server=tcp:x;Database=y;Password=[REDACTED];"
    assert out["nested"][0]["client_secret"] == REDACTED
    assert out["kms_key_id"] == attrs["kms_key_id"] and out["enabled"] is True and out["token_count"] == 3


def test_every_field_of_a_resource_is_redacted_and_ids_stay_joinable():
    key = "AKIAIOSFODNN7EXAMPLE"
    bucket = f"arn:aws:s3:::logs-{key}"
    resource = Resource(kind="aws.s3.bucket", id=bucket, name=f"logs-{key}", provider="aws", account="111111111111",
                        region="us-east-1", zones=("us-east-1a",),
                        attrs={"public_access_block": {f"note {key}": "x", "ok": True},
                               "env_var_names": ["LOG_LEVEL", "password=hunter2"], "logging_target": f"arn:aws:s3:::{key}"},
                        tags={f"owner-{key}": "team", "deploy_token": "ghp_" + "a" * 36, "cost": "postgres://u:pw@h"},
                        source=f"exports/{key}.json#item 3")
    inventory = redact_inventory(Inventory(
        resources=(resource,), relations=(Relation(bucket, f"arn:aws:s3:::{key}", "logs_to"),),
        references=(Reference(bucket, f"arn:aws:s3:::{key}", "logs_to"),),
        gaps=(Gap("aws", "111111111111", "us-east-1", "s3", "GetBucketLogging", "AccessDenied",
                  f"denied for {key}", resource_id=bucket),),
        sources=(f"exports/{key}.json",)))
    assert key not in repr(inventory) and "hunter2" not in repr(inventory) and ":pw@" not in repr(inventory)
    redacted = inventory.resources[0]
    assert redacted.id == "arn:aws:s3:::logs-[REDACTED]" and redacted.name == "logs-[REDACTED]"
    # the same id gives the same result wherever it appears, so relations, references and gaps still join
    assert inventory.relations[0].source == inventory.references[0].source == inventory.gaps[0].resource_id == redacted.id
    assert redacted.attrs["public_access_block"] == {"note [REDACTED]": "x", "ok": True}
    assert redacted.attrs["env_var_names"] == ["LOG_LEVEL", "password=[REDACTED]"]
    assert redacted.tags == {"owner-[REDACTED]": "team", "deploy_token": REDACTED, "cost": "postgres://u:[REDACTED]@h"}
    assert redact_resource(resource) == redacted


def test_two_keys_that_differ_only_in_a_secret_are_both_kept():
    out = redact_value({"ghp_" + "a" * 36: "one", "ghp_" + "b" * 36: "two"})
    assert sorted(out.values()) == ["one", "two"] and all(REDACTED in k for k in out)


def test_error_excerpts_are_short_redacted_and_inert():
    dotenv = f"DB_PASSWORD=hunter2\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\nOTHER=" + "x" * 200
    shown = excerpt(dotenv)
    assert "hunter2" not in shown and AWS_SECRET not in shown and len(shown) < 80
    assert excerpt("hunter2", key="password") == REDACTED
    assert excerpt("\x1b[2J\u202eevil") == "'\\x1b[2J\\u202eevil'"
    assert excerpt({"a": 1, "b": 2}) == "a mapping of 2 keys"


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


def test_the_prefilter_finds_every_marker_and_assignment():
    from drscan.redact import _ASSIGNMENTS, _MARKERS, _PREFILTER

    for marker in _MARKERS + _ASSIGNMENTS:
        assert _PREFILTER.search(f"..{marker}..") is not None, marker
