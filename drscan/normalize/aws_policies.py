"""IAM policy documents (bucket, key, queue and topic policies, role trust policies) -> the few
facts rules judge: who outside the account is allowed in, whether anyone at all is, and whether
plain-HTTP access is denied. Pure functions shared by the live collector and the importers;
each returns None when it was handed no document to read (absent stays absent)."""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

from drscan.normalize.lookup import as_int, as_list

ACCOUNT_ID = re.compile(r"^\d{12}$")
ARN_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):")
# Condition keys that pin a wildcard principal to known callers (an organization, an account,
# a source resource or network endpoint), so the statement is not open to the world.
NARROWING_KEYS = {"aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:principalorgid", "aws:principalorgpaths",
                  "aws:principalaccount", "aws:sourcevpce", "aws:sourcevpc", "aws:principalarn", "aws:sourceip",
                  "kms:calleraccount", "kms:viaservice", "aws:resourceorgid", "aws:userid"}


def parse_policy(value: Any) -> dict | None:
    """A policy as a dict: already one, a JSON string, or a URL-encoded JSON string (AWS Config and
    the IAM API encode them). None when there is no document or it cannot be read (unknown)."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return value
    text = str(value)
    if text.lstrip().startswith("%7B") or "%22" in text:
        text = urllib.parse.unquote(text)
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def statements(policy: dict) -> list[dict]:
    return [s for s in as_list(policy.get("Statement")) if isinstance(s, dict)]


def _principal_values(statement: dict) -> tuple[list[str], bool]:
    """(principal strings of every type, is the principal "*" for AWS accounts?)."""
    principal = statement.get("Principal")
    if principal is None:
        return [], False
    if principal == "*":
        return ["*"], True
    values: list[str] = []
    wildcard = False
    if isinstance(principal, dict):
        for kind, entries in principal.items():
            for entry in as_list(entries):
                values.append(str(entry))
                if kind == "AWS" and str(entry) == "*":
                    wildcard = True
    return values, wildcard


def _condition_keys(statement: dict) -> set[str]:
    keys: set[str] = set()
    for block in (statement.get("Condition") or {}).values() if isinstance(statement.get("Condition"), dict) else ():
        if isinstance(block, dict):
            keys.update(str(k).lower() for k in block)
    return keys


def principal_account(value: str) -> str | None:
    """'123456789012', 'arn:aws:iam::123456789012:root' or a role/user ARN -> the account id."""
    if ACCOUNT_ID.match(value):
        return value
    found = ARN_ACCOUNT.match(value)
    return found.group(1) if found else None


def allows_public(policy: dict | None) -> bool | None:
    """True when an Allow statement lets any AWS principal in ("*") without a condition that
    narrows it to known callers."""
    if policy is None:
        return None
    for statement in statements(policy):
        if statement.get("Effect") != "Allow":
            continue
        _, wildcard = _principal_values(statement)
        if wildcard and not (_condition_keys(statement) & NARROWING_KEYS):
            return True
    return False


def external_accounts(policy: dict | None, account: str) -> list[str] | None:
    """Account ids other than `account` that Allow statements name as principals."""
    if policy is None:
        return None
    found: set[str] = set()
    for statement in statements(policy):
        if statement.get("Effect") != "Allow":
            continue
        principals = statement.get("Principal")
        aws = principals.get("AWS") if isinstance(principals, dict) else None
        for entry in as_list(aws):
            other = principal_account(str(entry))
            if other and other != account:
                found.add(other)
    return sorted(found)


def _covers_all_s3(actions: Any) -> bool:
    return any(str(a) in ("*", "s3:*") for a in as_list(actions))


def denies_insecure_transport(policy: dict | None) -> bool | None:
    """True when a Deny statement for every principal and every S3 action applies when
    aws:SecureTransport is false (the statement CIS AWS 2.1.1 asks for)."""
    if policy is None:
        return None
    for statement in statements(policy):
        if statement.get("Effect") != "Deny" or not _covers_all_s3(statement.get("Action")):
            continue
        values, wildcard = _principal_values(statement)
        if not (wildcard or values == ["*"]):
            continue
        condition = statement.get("Condition") if isinstance(statement.get("Condition"), dict) else {}
        for operator, block in condition.items():
            if not isinstance(block, dict) or str(operator).lower() not in ("bool", "boolifexists"):
                continue
            for key, value in block.items():
                if str(key).lower() == "aws:securetransport" and any(str(v).lower() == "false" for v in as_list(value)):
                    return True
    return False


def trust_facts(policy: dict | None, account: str) -> dict[str, Any]:
    """Who may assume a role: other accounts, services, identity providers; whether anyone may;
    and whether another account may without the sts:ExternalId condition third-party access needs."""
    if policy is None:
        return dict(trusted_accounts=None, trusted_services=None, trusted_federated=None, trusts_any_principal=None,
                    cross_account_without_external_id=None)
    accounts: set[str] = set()
    services: set[str] = set()
    federated: set[str] = set()
    anyone = False
    without_external_id = False
    for statement in statements(policy):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        keys = _condition_keys(statement)
        entries = {"AWS": ["*"]} if principal == "*" else principal if isinstance(principal, dict) else {}
        for kind, values in entries.items():
            for value in as_list(values):
                value = str(value)
                if kind == "Service":
                    services.add(value)
                elif kind == "Federated":
                    federated.add(value)
                elif value == "*":
                    anyone = anyone or not (keys & NARROWING_KEYS)
                else:
                    other = principal_account(value)
                    if other and other != account:
                        accounts.add(other)
                        if "sts:externalid" not in keys and not (keys & NARROWING_KEYS):
                            without_external_id = True
    return dict(trusted_accounts=sorted(accounts), trusted_services=sorted(services),
                trusted_federated=sorted(federated), trusts_any_principal=anyone,
                cross_account_without_external_id=without_external_id)


def s3_policy_and_lock(supp: dict, account: str) -> dict[str, Any]:
    """Bucket-policy and Object Lock retention facts from a bucket's supplementary configuration
    (Config's names; the live collector writes the API answers under the same names). Keys whose
    source is absent are left out, so the attributes stay absent."""
    from drscan.normalize.lookup import dig, field

    out: dict[str, Any] = {}
    bucket_policy = supp.get("BucketPolicy")
    if isinstance(bucket_policy, str):
        bucket_policy = {"policyText": bucket_policy}
    if isinstance(bucket_policy, dict) and any(str(k).lower() == "policytext" for k in bucket_policy):
        # {"policyText": null} is how Config records a bucket without a policy.
        text = field(bucket_policy, "policyText")
        policy = parse_policy(text) if text else {"Statement": []}  # an unreadable text stays unknown (None)
        out.update(policy_denies_insecure_transport=denies_insecure_transport(policy), policy_public=allows_public(policy),
                   policy_external_accounts=external_accounts(policy, account))
    lock = supp.get("ObjectLockConfiguration")
    if isinstance(lock, dict):
        retention = dig(lock, "rule.defaultRetention") or {}
        days = as_int(dig(retention, "days"))
        years = as_int(dig(retention, "years"))
        out.update(object_lock_mode=field(retention, "mode"),
                   object_lock_retention_days=days if days is not None else (years * 365 if years is not None else None))
    return out
