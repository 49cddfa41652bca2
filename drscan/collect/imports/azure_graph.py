"""Azure Resource Graph results (`az graph query -o json`, any table) -> Resources."""

from __future__ import annotations

from typing import Any

from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Reference, Resource
from drscan.normalize.azure_types import ARM_TYPES, generic_kind
from drscan.normalize.lookup import as_dict, as_list, field, tags_dict


def convert_row(row: Any, where: str) -> tuple[Resource, list[Reference]]:
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected a resource row object, got {type(row).__name__}")
    row_id, row_type = field(row, "id"), field(row, "type")
    if not row_id or not row_type:
        raise InputError(f"{where}: row lacks id or type")
    props = as_dict(field(row, "properties"))
    known = ARM_TYPES.get(str(row_type).lower())
    try:
        if known:
            kind, transform = known
            shape = transform(row, props)
        else:
            kind, shape = generic_kind(row_type), None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise InputError(f"{where} ({row_type} {row_id}): unreadable properties: {exc}") from None
    # ARM child resources spell locations as display names ("West Europe"); Resource Graph as "westeurope".
    location = str(field(row, "location") or "global").lower().replace(" ", "")
    subscription = str(field(row, "subscriptionId") or (str(row_id).split("/")[2] if str(row_id).count("/") > 2 else ""))
    resource = Resource(
        kind=kind,
        id=str(row_id).lower(),
        name=str(field(row, "name") or row_id),
        provider="azure",
        account=subscription.lower(),
        region=location,
        zones=tuple(f"{location}-{z}" for z in as_list(field(row, "zones"))),
        attrs=dict(shape.attrs) if shape else {"source_type": str(row_type).lower()},
        tags=tags_dict(field(row, "tags")),
        source=where,
    )
    refs = [Reference(resource.id, target, relation) for relation, target in (shape.refs if shape else [])]
    return resource, refs


def import_graph_rows(rows: list, path: str) -> ImportBatch:
    batch = ImportBatch()
    for number, row in enumerate(rows, start=1):
        resource, refs = convert_row(row, f"{path}#row {number}")
        batch.resources.append(resource)
        batch.references.extend(refs)
    return batch
