"""GCP Cloud Asset Inventory exports (gcloud export NDJSON, gcloud list / REST JSON) -> Resources."""

from __future__ import annotations

import re
from typing import Any, Iterable

from drscan.collect.imports.records import Converted, RawRecord, RecordError, record_gap, type_name
from drscan.model import Reference, Resource
from drscan.normalize.gcp import region_of, zone_of
from drscan.normalize.gcp_types import ASSET_TYPES, READS_IAM, generic_kind
from drscan.normalize.lookup import as_dict, dig, field, iso_time, last_segment, seen_attrs, str_list, tags_dict, text

_PROJECT_IN_NAME = re.compile(r"/projects/([^/]+)")


def asset_type_of(asset: dict) -> str | None:
    kind = asset.get("assetType") or asset.get("asset_type")
    return kind if isinstance(kind, str) else None


def project_of(asset: dict, data: dict) -> str:
    """Project id where the name or data carry it, else the project number from ancestors, else the
    nearest ancestor (an organization or folder)."""
    match = _PROJECT_IN_NAME.search(text(asset.get("name")) or "")
    if match and not match.group(1).isdigit():
        return match.group(1)
    if text(field(data, "projectId")):
        return str(text(field(data, "projectId")))
    for ancestor in str_list(asset.get("ancestors")) or []:
        if ancestor.startswith("projects/"):
            return ancestor.split("/", 1)[1]
    if match:
        return match.group(1)
    # An organization, folder or org-level policy: its own place in the hierarchy (organizations/77).
    return text(field(data, "projectNumber")) or next(iter(str_list(asset.get("ancestors")) or []), "")


def asset_records(assets: list, path: str, label: str) -> list[RawRecord]:
    return [RawRecord(f"{path}#{label} {number}", asset, convert_asset) for number, asset in enumerate(assets, start=1)]


def _object(value: Any, what: str, unreadable: Any) -> dict:
    if value is None:
        return {}
    decoded = as_dict(value)
    if not decoded and not isinstance(value, dict):
        unreadable(f"{what} is {type_name(value)}, expected an object")
    return decoded


def convert_asset(asset: Any, where: str) -> Converted:
    if not isinstance(asset, dict):
        raise RecordError(f"{where}: expected an asset object, got {type_name(asset)}", provider="gcp")
    asset_type = asset_type_of(asset)
    name = text(asset.get("name"))
    if not asset_type or not name:
        raise RecordError(f"{where}: asset lacks name or assetType (or they are not text)", provider="gcp")
    known = ASSET_TYPES.get(asset_type)
    kind = known[0] if known else generic_kind(asset_type)
    out = Converted()

    def unreadable(why: str) -> None:
        out.gaps.append(record_gap(where, why, provider="gcp", kind=kind, resource_id=name, skipped=False))

    resource = _object(asset.get("resource"), "resource", unreadable)
    data = _object(resource.get("data"), "resource.data", unreadable)
    iam = _object(asset.get("iamPolicy") or asset.get("iam_policy"), "iamPolicy", unreadable)
    location = (text(resource.get("location")) or text(field(data, "location")) or last_segment(text(field(data, "zone")))
                or last_segment(text(field(data, "region"))) or "")
    shape = None
    # Without resource.data (null, or an IAM-only export) a transform would read every field
    # as missing: attributes derived from them are left out instead.
    if known and (data or (iam and known[1] in READS_IAM)):
        try:
            shape = known[1](data, iam, location)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            unreadable(f"unreadable resource data ({type(exc).__name__}: {exc})")
    attrs = seen_attrs(shape.attrs) if shape else ({} if known else {"source_type": asset_type})
    zones = shape.zones if shape and shape.zones else zone_of(location)
    out_resource = Resource(
        kind=kind,
        id=name,
        name=(shape.name if shape and shape.name else None) or text(field(data, "name")) or last_segment(name),
        provider="gcp",
        account=project_of(asset, data),
        region=region_of(location),
        zones=tuple(zones),
        attrs=attrs,
        # Most services keep labels in `labels`; Cloud SQL in settings.userLabels, GKE in resourceLabels.
        tags=tags_dict(field(data, "labels") or dig(data, "settings.userLabels") or field(data, "resourceLabels")),
        source=where,
    )
    out.resources.append(out_resource)
    out.references.extend(Reference(out_resource.id, target, relation) for relation, target in (shape.refs if shape else []))
    return out


def asset_updated(record: RawRecord) -> str:
    """A Cloud Asset record's updateTime (ISO 8601 UTC), "" when it is no asset or has none."""
    asset = record.value
    if record.convert is not convert_asset or not isinstance(asset, dict):
        return ""
    return iso_time(text(asset.get("updateTime")) or text(asset.get("update_time"))) or ""


NEWEST_UPDATE = "newest Cloud Asset updateTime in the file"


def asset_capture(records: Iterable[RawRecord], read_time: Any = None) -> tuple[str, str]:
    """When a file of assets was captured, and how that is known ("" when it does not say).
    `read_time`: the listing's readTime (gcloud list / REST), the time the assets were read.
    An export (NDJSON) carries none: its newest asset updateTime is the best bound it has (the
    export was taken no earlier than the last change it shows); an asset's own updateTime is
    when it last changed, not when it was read, so it never dates a single resource."""
    read = iso_time(read_time)
    if read:
        return read, "Cloud Asset readTime"
    newest = max((asset_updated(record) for record in records), default="")
    return (newest, NEWEST_UPDATE) if newest else ("", "")
