"""AWS CLI JSON output of the List/Describe/Get calls the live collector makes
(`aws rds describe-db-instances > rds.json`) -> Resources, through the collector's own
transforms. Recognized by the response's top-level key and a field its items carry.

The CLI output does not say which account and region it came from; drscan takes them from
ARNs in the items, then from the file's path (a 12-digit directory name is the account, a
region-shaped one the region: dumps/123456789012/eu-west-1/rds.json), then from fields such
as OwnerId and AvailabilityZone."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from drscan.collect.aws.base import GLOBAL, DumpShape, to_resource
from drscan.collect.imports.aws_shapes import conform, item_shape
from drscan.collect.imports.records import Converted, RawRecord, RecordError, record_gap, type_name
from drscan.normalize.lookup import text

ACCOUNT = re.compile(r"^\d{12}$")
REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$")


def dump_shapes() -> dict[str, list[tuple[str, DumpShape]]]:
    """Top-level key -> (service, shape) for every service module's DUMPS."""
    from drscan.collect.aws.registry import SERVICES

    shapes: dict[str, list[tuple[str, DumpShape]]] = {}
    for spec in SERVICES.values():
        for shape in spec.dumps:
            shapes.setdefault(shape.key, []).append((spec.name, shape))
    return shapes


def match_dump(document: Any) -> list[tuple[str, str, DumpShape]]:
    """(key, service, shape) for each top-level list of a recognized response shape."""
    if not isinstance(document, dict):
        return []
    known = dump_shapes()
    matches = []
    for key, value in document.items():
        if key not in known or not isinstance(value, (list, dict)):
            continue
        if isinstance(value, dict):  # describe-table, describe-key: {"Table": {...}}
            value = [value]
        first = next((item for item in value if isinstance(item, dict)), None)
        for service, shape in known[key]:
            if first is None or shape.item_field in first:
                matches.append((key, service, shape))
                break
    return matches


def _from_arns(item: dict) -> tuple[str, str]:
    for value in item.values():
        if isinstance(value, str) and value.startswith("arn:aws"):
            parts = value.split(":")
            if len(parts) > 5 and (parts[4] or parts[3]):
                return parts[4], parts[3]
    return "", ""


def _from_path(path: Path) -> tuple[str, str]:
    account = next((p for p in reversed(path.parts[:-1]) if ACCOUNT.match(p)), "")
    region = next((p for p in reversed(path.parts[:-1]) if REGION.match(p)), "")
    if not region:
        region = next((m.group(0) for m in re.finditer(r"[a-z]{2}-[a-z]+-\d", path.name)), "")
    return account, region


def _from_fields(item: dict) -> tuple[str, str]:
    account = text(item.get("OwnerId")) or text(item.get("AccountId")) or ""
    placement = item.get("Placement")
    zone = text(item.get("AvailabilityZone")) or text(placement.get("AvailabilityZone") if isinstance(placement, dict) else None) or ""
    return (account if ACCOUNT.match(account) else ""), (zone[:-1] if zone and zone[-1].isalpha() else "")


def locate(item: dict, path: Path) -> tuple[str, str]:
    account, region = _from_arns(item)
    path_account, path_region = _from_path(path)
    field_account, field_region = _from_fields(item)
    return account or path_account or field_account or "unknown", region or path_region or field_region or "unknown"


def cli_records(document: dict, path: Path) -> list[RawRecord] | None:
    """One record per item of each recognized top-level list; None when nothing is recognized."""
    matches = match_dump(document)
    if not matches:
        return None
    from drscan.collect.aws.registry import SERVICES

    records = []
    for key, service, shape in matches:
        items = document[key] if isinstance(document[key], list) else [document[key]]
        hint = None
        if shape.path_field:
            found = re.search(shape.path_field[1], path.name)
            hint = (shape.path_field[0], found.group(0)) if found else None
        convert = partial(_convert_item, path=path, key=key, service=service, shape=shape, hint=hint,
                          global_service=SERVICES[service].scope == GLOBAL,
                          model=item_shape(tuple(SERVICES[service].operations), key))
        records += [RawRecord(f"{path}#{key}[{number}]", item, convert) for number, item in enumerate(items)]
    return records


def _convert_item(item: Any, where: str, *, path: Path, key: str, service: str, shape: DumpShape,
                  hint: tuple[str, str] | None, global_service: bool, model: Any = None) -> Converted:
    if not isinstance(item, dict):
        raise RecordError(f"{where}: expected an object, got {type_name(item)}", provider="aws")
    misfits: list[str] = []
    if model is not None:  # fields of the wrong type are left out, as if absent, and named
        item = conform(item, model, "", misfits)[1]
    account, region = locate(item, path)
    if hint and hint[0] not in item:
        item = {**item, hint[0]: hint[1]}
    try:
        produced = shape.to_record(item, account, region)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        why = f"lacks {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        why += "".join(f"; {m}" for m in misfits[:5])
        raise RecordError(f"{where}: unreadable {service} item ({why})", provider="aws", account=account,
                          region=region) from None
    out = Converted()
    for record in produced if isinstance(produced, list) else [produced] if produced is not None else []:
        # Account-wide services (IAM, Route 53) are "global" unless the record names a region.
        resource, references = to_resource(record, account, GLOBAL if global_service else region, where, "")
        out.resources.append(resource)
        out.references.extend(references)
    if misfits:
        first = out.resources[0] if out.resources else None
        out.gaps.append(record_gap(where, "fields of the wrong type were left out: " + "; ".join(misfits[:5]),
                                   provider="aws", kind=first.kind if first else None, account=account,
                                   region=region, resource_id=first.id if first else None, skipped=first is None))
    return out
