"""AWS Config configuration items (snapshot files, get-resource-config-history,
batch-get-resource-config, select-resource-config) -> Resources."""

from __future__ import annotations

from typing import Any

import orjson

from drscan.collect.imports.records import Converted, RawRecord, RecordError, record_gap, type_name
from drscan.errors import InputError
from drscan.model import Reference, Resource
from drscan.normalize.aws import generic_kind
from drscan.normalize.aws_config_types import config_type
from drscan.normalize.lookup import as_dict, field, iso_time, seen_attrs, tags_dict, text

SKIPPED_STATUSES = {"ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded"}
ENVELOPE_KEYS = ("configurationItems", "baseConfigurationItems", "Results")


def config_records(document: dict, path: str) -> list[RawRecord]:
    """The configuration items of any of the Config export envelopes, numbered from 1. An
    envelope whose item list is not a list is an InputError for the file."""
    if "Results" in document:  # select-resource-config: a list of JSON strings
        key, convert = "Results", convert_result
    else:
        key = "configurationItems" if "configurationItems" in document else "baseConfigurationItems"
        convert = convert_item
    items = document.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        raise InputError(f"{path}: '{key}' is {type_name(items)}, expected a list of configuration items")
    return [RawRecord(f"{path}#item {number}", item, convert) for number, item in enumerate(items, start=1)]


def convert_result(value: Any, where: str) -> Converted:
    """A select-resource-config result: the configuration item as a JSON string."""
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError as exc:
            raise RecordError(f"{where}: invalid JSON string: {exc}", provider="aws") from None
    return convert_item(value, where)


def convert_item(item: Any, where: str) -> Converted:
    if not isinstance(item, dict):
        raise RecordError(f"{where}: expected a configuration item object, got {type_name(item)}", provider="aws")
    raw_type = field(item, "resourceType")
    resource_type = raw_type if isinstance(raw_type, str) else None
    if not resource_type:
        why = "has no resourceType" if raw_type in (None, "") else f"resourceType is {type_name(raw_type)}, expected text"
        raise RecordError(f"{where}: configuration item {why}", provider="aws")
    if field(item, "configurationItemStatus") in SKIPPED_STATUSES:
        return Converted()
    account = text(field(item, "awsAccountId")) or text(field(item, "accountId")) or ""
    region = text(field(item, "awsRegion")) or ""
    resource_id = text(field(item, "resourceId")) or ""
    arn = text(field(item, "ARN")) or text(field(item, "arn")) or f"aws:{account}:{region}:{resource_type}:{resource_id}"
    known = config_type(resource_type, {})
    kind = known[0] if known else generic_kind(resource_type)
    out = Converted()

    def unreadable(why: str) -> None:
        out.gaps.append(record_gap(where, why, provider="aws", kind=kind, account=account, region=region,
                                   resource_id=arn, skipped=False))

    configuration = _object(item, "configuration", unreadable)
    supplementary = _object(item, "supplementaryConfiguration", unreadable)
    if known:  # an RDS cluster's engine may make it a DocumentDB or Neptune cluster
        known = config_type(resource_type, configuration)
        kind = known[0] if known else kind
    shape = None
    # `configuration: null` (or {} with no supplementary data) carries nothing to derive from:
    # the attributes are left out, not computed from missing fields.
    if known and (configuration or supplementary):
        try:
            shape = known[1](configuration, supplementary, account, region)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            unreadable(f"unreadable configuration ({type(exc).__name__}: {exc})")
    zone = text(field(item, "availabilityZone"))
    zones = shape.zones if shape and shape.zones else ((zone,) if zone and zone[-1:].isalpha() and zone[:-1] == region else ())
    attrs = seen_attrs(shape.attrs) if shape else ({} if known else {"source_type": resource_type})
    resource = Resource(
        kind=kind,
        id=arn,
        name=(shape.name if shape and shape.name else None) or text(field(item, "resourceName")) or resource_id or arn,
        provider="aws",
        account=account,
        region=region,
        zones=tuple(zones),
        attrs=attrs,
        tags=tags_dict(field(item, "tags")),
        source=where,
        # The configuration item describes the resource as of its capture time, not the file's.
        observed_at=iso_time(field(item, "configurationItemCaptureTime")) or "",
    )
    out.resources.append(resource)
    out.references.extend(Reference(resource.id, target, relation) for relation, target in (shape.refs if shape else []))
    return out


def _object(item: dict, key: str, unreadable: Any) -> dict:
    """The item's `configuration` / `supplementaryConfiguration`: an object, or a JSON string of
    one (the Config API returns strings). Anything else is reported and read as nothing."""
    value = field(item, key)
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    decoded = as_dict(value)
    if not decoded and not (isinstance(value, str) and value.strip() in ("", "{}")):
        unreadable(f"{key} is {type_name(value)}, expected an object")
    return decoded
