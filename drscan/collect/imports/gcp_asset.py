"""GCP Cloud Asset Inventory exports (gcloud export NDJSON, gcloud list / REST JSON) -> Resources."""

from __future__ import annotations

import re
from typing import Any, Iterable

from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Reference, Resource
from drscan.normalize.gcp import region_of, zone_of
from drscan.normalize.gcp_types import ASSET_TYPES, generic_kind
from drscan.normalize.lookup import as_dict, dig, field, iso_time, last_segment, tags_dict

_PROJECT_IN_NAME = re.compile(r"/projects/([^/]+)")


def asset_type_of(asset: dict) -> str | None:
    return asset.get("assetType") or asset.get("asset_type")


def project_of(asset: dict, data: dict) -> str:
    """Project id where the name or data carry it, else the project number from ancestors, else the
    nearest ancestor (an organization or folder)."""
    match = _PROJECT_IN_NAME.search(str(asset.get("name", "")))
    if match and not match.group(1).isdigit():
        return match.group(1)
    if field(data, "projectId"):
        return str(field(data, "projectId"))
    for ancestor in asset.get("ancestors") or []:
        if str(ancestor).startswith("projects/"):
            return str(ancestor).split("/", 1)[1]
    if match:
        return match.group(1)
    # An organization, folder or org-level policy: its own place in the hierarchy (organizations/77).
    return str(field(data, "projectNumber") or "") or next((str(a) for a in asset.get("ancestors") or []), "")


def convert_asset(asset: Any, where: str) -> tuple[Resource, list[Reference]]:
    if not isinstance(asset, dict):
        raise InputError(f"{where}: expected an asset object, got {type(asset).__name__}")
    asset_type = asset_type_of(asset)
    name = asset.get("name")
    if not asset_type or not name:
        raise InputError(f"{where}: asset lacks name or assetType")
    resource = as_dict(asset.get("resource"))
    data = as_dict(resource.get("data"))
    iam = as_dict(asset.get("iamPolicy") or asset.get("iam_policy"))
    location = str(resource.get("location") or field(data, "location") or last_segment(field(data, "zone"))
                   or last_segment(field(data, "region")) or "")
    known = ASSET_TYPES.get(asset_type)
    try:
        if known:
            kind, transform = known
            shape = transform(data, iam, location)
        else:
            kind, shape = generic_kind(asset_type), None
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        raise InputError(f"{where} ({asset_type} {name}): unreadable resource data: {exc}") from None
    attrs = dict(shape.attrs) if shape else {"source_type": asset_type}
    zones = shape.zones if shape and shape.zones else zone_of(location)
    out = Resource(
        kind=kind,
        id=str(name),
        name=str((shape.name if shape and shape.name else None) or field(data, "name") or last_segment(name)),
        provider="gcp",
        account=project_of(asset, data),
        region=region_of(location),
        zones=tuple(zones),
        attrs=attrs,
        # Most services keep labels in `labels`; Cloud SQL in settings.userLabels, GKE in resourceLabels.
        tags=tags_dict(field(data, "labels") or dig(data, "settings.userLabels") or field(data, "resourceLabels")),
        source=where,
    )
    refs = [Reference(out.id, target, relation) for relation, target in (shape.refs if shape else [])]
    return out, refs


def import_assets(assets: Iterable[tuple[str, Any]], read_time: Any = None) -> ImportBatch:
    """`read_time`: the listing's readTime (gcloud list / REST), the time the assets were read.
    An export (NDJSON) carries none: its newest asset updateTime is the best bound it has (the
    export was taken no earlier than the last change it shows); an asset's own updateTime is
    when it last changed, not when it was read, so it never dates a single resource."""
    batch = ImportBatch()
    newest = ""
    for where, asset in assets:
        resource, refs = convert_asset(asset, where)
        batch.resources.append(resource)
        batch.references.extend(refs)
        updated = asset.get("updateTime") or asset.get("update_time")
        if isinstance(updated, str) and updated > newest:
            newest = updated
    read = iso_time(read_time)
    if read:
        batch.captured_at, batch.captured_basis = read, "Cloud Asset readTime"
    elif iso_time(newest or None):
        batch.captured_at, batch.captured_basis = iso_time(newest) or "", "newest Cloud Asset updateTime in the file"
    return batch
