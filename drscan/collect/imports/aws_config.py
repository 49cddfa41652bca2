"""AWS Config configuration items (snapshot files, get-resource-config-history,
batch-get-resource-config, select-resource-config) -> Resources."""

from __future__ import annotations

from typing import Any, Iterable

import orjson

from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Reference, Resource
from drscan.normalize.aws import generic_kind
from drscan.normalize.aws_config_types import config_type
from drscan.normalize.lookup import as_dict, field, iso_time, tags_dict

SKIPPED_STATUSES = {"ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded"}


def items_of(document: dict, path: str) -> Iterable[tuple[int, dict]]:
    """The configuration items of any of the Config export envelopes, numbered from 1."""
    if "Results" in document:  # select-resource-config: a list of JSON strings
        for number, text in enumerate(document["Results"], start=1):
            try:
                item = orjson.loads(text) if isinstance(text, str) else text
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{path}: Results[{number - 1}]: invalid JSON string: {exc.msg}") from None
            yield number, item
        return
    key = "configurationItems" if "configurationItems" in document else "baseConfigurationItems"
    for number, item in enumerate(document.get(key) or [], start=1):
        yield number, item


def convert_item(item: Any, path: str, number: int) -> tuple[Resource | None, list[Reference]]:
    where = f"{path}: item {number}"
    if not isinstance(item, dict):
        raise InputError(f"{where}: expected a configuration item object, got {type(item).__name__}")
    resource_type = field(item, "resourceType")
    if not resource_type:
        raise InputError(f"{where}: configuration item has no resourceType")
    if field(item, "configurationItemStatus") in SKIPPED_STATUSES:
        return None, []
    account = str(field(item, "awsAccountId") or field(item, "accountId") or "")
    region = str(field(item, "awsRegion") or "")
    resource_id = str(field(item, "resourceId") or "")
    arn = field(item, "ARN") or field(item, "arn") or f"aws:{account}:{region}:{resource_type}:{resource_id}"
    configuration = as_dict(field(item, "configuration"))
    supplementary = {k: v for k, v in as_dict(field(item, "supplementaryConfiguration")).items()}
    known = config_type(resource_type, configuration)
    try:
        if known:
            kind, transform = known
            shape = transform(configuration, supplementary, account, region)
        else:
            kind, shape = generic_kind(resource_type), None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise InputError(f"{where} ({resource_type} {resource_id}): unreadable configuration: {exc}") from None
    zone = field(item, "availabilityZone")
    zones = shape.zones if shape and shape.zones else ((zone,) if zone and zone[-1:].isalpha() and zone[:-1] == region else ())
    attrs = dict(shape.attrs) if shape else {"source_type": resource_type}
    resource = Resource(
        kind=kind,
        id=str(arn),
        name=str((shape.name if shape and shape.name else None) or field(item, "resourceName") or resource_id),
        provider="aws",
        account=account,
        region=region,
        zones=tuple(zones),
        attrs=attrs,
        tags=tags_dict(field(item, "tags")),
        source=f"{path}#item {number}",
        # The configuration item describes the resource as of its capture time, not the file's.
        observed_at=iso_time(field(item, "configurationItemCaptureTime")) or "",
    )
    references = [Reference(resource.id, target, relation) for relation, target in (shape.refs if shape else [])]
    return resource, references


def import_config_document(document: dict, path: str) -> ImportBatch:
    batch = ImportBatch()
    for number, item in items_of(document, path):
        resource, references = convert_item(item, path, number)
        if resource is not None:
            batch.resources.append(resource)
            batch.references.extend(references)
    return batch
