"""Merge what several sources said about the same resource into one Resource
(e.g. an IAM user from AWS Config plus its MFA facts from the credential report)."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from drscan.model import Resource


def _is_generic(resource: Resource) -> bool:
    return "source_type" in resource.attrs


def merge_two(first: Resource, second: Resource) -> Resource:
    primary, other = (second, first) if _is_generic(first) and not _is_generic(second) else (first, second)
    attrs = dict(other.attrs)
    attrs.update({k: v for k, v in primary.attrs.items() if v is not None or k not in attrs})
    if not _is_generic(primary):
        attrs.pop("source_type", None)
    return replace(
        primary,
        name=primary.name if primary.name != primary.id else other.name,
        account=primary.account or other.account,
        region=primary.region if primary.region not in ("", "global") else (other.region or primary.region),
        zones=primary.zones or other.zones,
        attrs=attrs,
        tags={**other.tags, **primary.tags},
        source="; ".join(s for s in (primary.source, other.source) if s),
        observed_at=min((t for t in (primary.observed_at, other.observed_at) if t), default=""),  # the older one bounds freshness
    )


def merge_resources(resources: Iterable[Resource]) -> list[Resource]:
    merged: dict[str, Resource] = {}
    for resource in resources:
        existing = merged.get(resource.id)
        merged[resource.id] = resource if existing is None else merge_two(existing, resource)
    return _gcp_project_ids(list(merged.values()))


def _gcp_project_ids(resources: list[Resource]) -> list[Resource]:
    """GCP exports name some projects by number; show the project id wherever we learnt it."""
    numbers = {r.attrs.get("project_number"): r.attrs.get("project_id") for r in resources
               if r.kind == "gcp.resourcemanager.project" and r.attrs.get("project_number") and r.attrs.get("project_id")}
    if not numbers:
        return resources
    return [replace(r, account=numbers[r.account]) if r.provider == "gcp" and r.account in numbers else r
            for r in resources]
