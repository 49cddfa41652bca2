"""Azure Resource Graph results (`az graph query -o json`, any table) -> Resources."""

from __future__ import annotations

from typing import Any

from drscan.collect.imports.batch import ImportBatch
from drscan.collect.imports.records import Converted, convert_records, RawRecord, RecordError, record_gap, type_name
from drscan.model import Reference, Resource
from drscan.normalize.azure_types import ARM_TYPES, generic_kind
from drscan.normalize.lookup import as_dict, as_list, field, seen_attrs, str_list, tags_dict, text


def row_records(rows: list, path: str) -> list[RawRecord]:
    return [RawRecord(f"{path}#row {number}", row, convert_row) for number, row in enumerate(rows, start=1)]


def convert_row(row: Any, where: str) -> Converted:
    if not isinstance(row, dict):
        raise RecordError(f"{where}: expected a resource row object, got {type_name(row)}", provider="azure")
    row_id, row_type = text(field(row, "id")), field(row, "type")
    row_type = row_type if isinstance(row_type, str) else None
    if not row_id or not row_type:
        raise RecordError(f"{where}: row lacks id or type (or they are not text)", provider="azure")
    known = ARM_TYPES.get(row_type.lower())
    kind = known[0] if known else generic_kind(row_type)
    # ARM child resources spell locations as display names ("West Europe"); Resource Graph as "westeurope".
    location = (text(field(row, "location")) or "global").lower().replace(" ", "")
    subscription = text(field(row, "subscriptionId")) or (row_id.split("/")[2] if row_id.count("/") > 2 else "")
    out = Converted()

    def unreadable(why: str) -> None:
        out.gaps.append(record_gap(where, why, provider="azure", kind=kind, account=subscription.lower(),
                                   region=location, resource_id=row_id.lower(), skipped=False))

    raw_props = field(row, "properties")
    props = as_dict(raw_props)
    if raw_props is not None and not props and not isinstance(raw_props, dict):
        unreadable(f"properties is {type_name(raw_props)}, expected an object")
    shape = None
    if known:
        try:
            shape = known[1](row, props)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            unreadable(f"unreadable properties ({type(exc).__name__}: {exc})")
    resource = Resource(
        kind=kind,
        id=row_id.lower(),
        name=text(field(row, "name")) or row_id,
        provider="azure",
        account=subscription.lower(),
        region=location,
        zones=tuple(f"{location}-{z}" for z in str_list(field(row, "zones")) or []),
        attrs=seen_attrs(shape.attrs) if shape else ({} if known else {"source_type": row_type.lower()}),
        tags=tags_dict(field(row, "tags")),
        source=where,
    )
    out.resources.append(resource)
    out.references.extend(Reference(resource.id, target, relation) for relation, target in (shape.refs if shape else []))
    return out


def import_graph_rows(rows: list, path: str) -> ImportBatch:
    return convert_records(row_records(rows, path))
