"""IAM credential report CSV -> MFA, console password and access-key facts for IAM users
and the root account (AWS Config records none of these).

Every row must have exactly the header's fields: a short, long or otherwise damaged row is a Gap
naming the file and line, never a user with defaults (a missing `mfa_active` read as false would
hide a console user without MFA). A column the header lacks, or a cell that is empty or unreadable,
leaves the facts it gives out, so rules on them are NOT_ASSESSED."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from functools import partial
from typing import Any

from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.records import Converted, RawRecord, RecordError, convert_records, record_gap
from drscan.errors import InputError
from drscan.model import Resource
from drscan.normalize.lookup import UNSEEN, any_known, as_bool, iso_time, seen_attrs
from drscan.redact import excerpt

HEADER_START = ("user", "arn", "user_creation_time")
REQUIRED = ("user", "arn", "password_enabled", "mfa_active", "access_key_1_active", "access_key_1_last_rotated")
ROOT_USER = "<root_account>"
USER_KIND, ROOT_KIND = "aws.iam.user", "aws.iam.root_account"
# Values the report writes for "does not apply" (no password: password_last_used is N/A, ...).
NOT_APPLICABLE = {"N/A", "not_supported", "no_information"}


def looks_like_credential_report(first_line: str) -> bool:
    return tuple(c.strip() for c in first_line.split(",")[:3]) == HEADER_START


def _flag(row: dict, column: str) -> Any:
    """A true/false cell; UNSEEN when the column is missing or the cell is empty or unreadable."""
    value = as_bool(row.get(column))
    return UNSEEN if value is None else value


def _time(row: dict, column: str) -> Any:
    """A time cell: the time, None for N/A (no such event), UNSEEN when missing or unreadable."""
    value = row.get(column)
    if value is None or not str(value).strip():
        return UNSEEN
    if str(value).strip() in NOT_APPLICABLE:
        return None
    return iso_time(value) or UNSEEN


def _key_facts(row: dict) -> tuple[Any, Any]:
    """(any active key, last-rotated time of the oldest active key), each UNSEEN when a cell it
    needs was not readable."""
    actives = [_flag(row, f"access_key_{n}_active") for n in (1, 2)]
    active = any_known(actives)
    rotated = []
    for n, key_active in zip((1, 2), actives):
        if key_active is True:
            rotated.append(_time(row, f"access_key_{n}_last_rotated"))
    if active is UNSEEN or UNSEEN in rotated:
        return active, UNSEEN
    known = [t for t in rotated if t]
    return active, min(known) if known else None


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def convert_report_row(row: Any, where: str) -> Converted:
    arn = str(row.get("arn") or "").strip()
    user = row.get("user")
    kind = ROOT_KIND if user == ROOT_USER else USER_KIND
    if not arn.startswith("arn:aws:iam::"):
        raise RecordError(f"{where}: not an IAM ARN: {excerpt(arn)}", provider="aws", kind=kind)
    account = _account(arn)
    keys_active, oldest_key = _key_facts(row)
    common = dict(
        mfa_active=_flag(row, "mfa_active"),
        access_keys_active=keys_active,
        oldest_active_access_key_rotated=oldest_key,
        password_last_used=_time(row, "password_last_used"),
    )
    if kind == ROOT_KIND:
        resource = Resource(kind=ROOT_KIND, id=arn, name="root", provider="aws", account=account,
                            region="global", attrs=seen_attrs(common), source=where)
    else:
        attrs = dict(common, user_name=user, password_enabled=_flag(row, "password_enabled"))
        resource = Resource(kind=USER_KIND, id=arn, name=user or arn, provider="aws",
                            account=account, region="global", attrs=seen_attrs(attrs), source=where)
    return Converted(resources=[resource])


def _malformed(cells: Any, where: str, why: str) -> Converted:
    arn = str(cells[1]).strip() if len(cells) > 1 else ""
    kind = ROOT_KIND if cells and cells[0] == ROOT_USER else USER_KIND
    account = _account(arn) if arn.startswith("arn:aws:iam::") else ""
    return Converted(gaps=[record_gap(where, why, provider="aws", kind=kind, account=account, region="global",
                                      resource_id=arn if account else None)])


def credential_report_records(text: str, path: str) -> tuple[list[RawRecord], ImportBatch]:
    """The report's rows as records (a row per user), and gaps about the file as a whole."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [c.strip() for c in next(reader, [])]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputError(f"{path}: line 1: credential report lacks columns: {', '.join(missing)}")
        duplicated = sorted({c for c in header if header.count(c) > 1})
        if duplicated:
            # Which of the two columns is right cannot be told: no row is trusted.
            gap = record_gap(f"{path}#line 1", f"the header repeats column(s) {', '.join(duplicated)}",
                             provider="aws", region="global")
            return [], ImportBatch(gaps=[replace(gap, kinds=(USER_KIND, ROOT_KIND),
                                                 message=gap.message.replace("record skipped", "file skipped"))])
        records = []
        for cells in reader:
            where = f"{path}#line {reader.line_num}"
            if not cells:
                continue
            if len(cells) != len(header):
                why = f"{len(cells)} fields where the header has {len(header)}"
                records.append(RawRecord(where, cells, partial(_malformed, why=why)))
                continue
            records.append(RawRecord(where, dict(zip(header, cells)), convert_report_row))
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: unreadable CSV: {exc}") from None
    return records, ImportBatch()


def import_credential_report(text: str, path: str) -> ImportBatch:
    records, batch = credential_report_records(text, path)
    batch.extend(convert_records(records))
    return batch
