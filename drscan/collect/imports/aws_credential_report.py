"""IAM credential report CSV -> MFA, console password and access-key facts for IAM users
and the root account (AWS Config records none of these)."""

from __future__ import annotations

import csv
import io

from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Resource
from drscan.normalize.lookup import as_bool, iso_time
from drscan.redact import excerpt

HEADER_START = ("user", "arn", "user_creation_time")
REQUIRED = ("user", "arn", "password_enabled", "mfa_active", "access_key_1_active", "access_key_1_last_rotated")
ROOT_USER = "<root_account>"


def looks_like_credential_report(first_line: str) -> bool:
    return tuple(c.strip() for c in first_line.split(",")[:3]) == HEADER_START


def _key_facts(row: dict) -> tuple[bool, str | None]:
    """(any active key, last-rotated time of the oldest active key)."""
    rotated = []
    active = False
    for n in (1, 2):
        if as_bool(row.get(f"access_key_{n}_active")):
            active = True
            when = iso_time(row.get(f"access_key_{n}_last_rotated"))
            if when:
                rotated.append(when)
    return active, min(rotated) if rotated else None


def import_credential_report(text: str, path: str) -> ImportBatch:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}: line 1: credential report lacks columns: {', '.join(missing)}")
    batch = ImportBatch()
    for line, row in enumerate(reader, start=2):
        arn = (row.get("arn") or "").strip()
        if not arn.startswith("arn:aws:iam::"):
            raise InputError(f"{path}: line {line}: not an IAM ARN: {excerpt(arn)}")
        account = arn.split(":")[4]
        keys_active, oldest_key = _key_facts(row)
        password = row.get("password_enabled")
        common = dict(
            mfa_active=as_bool(row.get("mfa_active")),
            access_keys_active=keys_active,
            oldest_active_access_key_rotated=oldest_key,
            password_last_used=iso_time(row.get("password_last_used")),
        )
        if row.get("user") == ROOT_USER:
            resource = Resource(kind="aws.iam.root_account", id=arn, name="root", provider="aws", account=account,
                                region="global", attrs=common, source=f"{path}#line {line}")
        else:
            attrs = dict(common, user_name=row.get("user"), password_enabled=bool(as_bool(password)))
            resource = Resource(kind="aws.iam.user", id=arn, name=row.get("user") or arn, provider="aws",
                                account=account, region="global", attrs=attrs, source=f"{path}#line {line}")
        batch.resources.append(resource)
    return batch
