"""Terraform objects -> drscan Resources: each object mapped by its provider's transforms
(drscan/normalize/terraform_{aws,gcp,azure}.py), settings resources folded into the resource
they configure, references resolved to planned addresses or cloud ids, regions and accounts
located. Shared by plan and state reading. Collect stage, offline."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from drscan.collect.terraform.configuration import Configuration
from drscan.errors import InputError
from drscan.model import Gap, Inventory, Reference, Resource
from drscan.normalize import terraform_aws, terraform_azure, terraform_gcp
from drscan.normalize.shape import Shape
from drscan.normalize.terraform_values import UNKNOWN, Instance, TerraformValues, region_of

PROVIDERS = {"aws": terraform_aws, "gcp": terraform_gcp, "azure": terraform_azure}


@dataclass
class TerraformObject:
    """One instance's values as a change or state gives them."""

    instance: Instance
    data: dict
    unknown: Any = None
    expressions: dict | None = None


class FileContext:
    """Everything a mapping may need to know about the other resources of the same file."""

    def __init__(self, path: Path, configuration: Configuration | None, objects: list[TerraformObject]):
        self.path, self.configuration = path, configuration
        self.instances: dict[str, Instance] = {o.instance.address: o.instance for o in objects}
        self.by_config: dict[tuple, list[Instance]] = {}
        self.by_position: dict[tuple, Instance] = {}  # (config key, module instance, index) -> instance
        for obj in objects:
            key = (obj.instance.module_path, f"{obj.instance.type}.{obj.instance.name}")
            self.by_config.setdefault(key, []).append(obj.instance)
            self.by_position[(key, obj.instance.module_address, json.dumps(obj.instance.index))] = obj.instance
        self.regions: dict[str, str] = {}
        self.accounts: dict[str, str] = {}
        self.configures: dict[str, str] = {}  # settings resource address -> address of the resource it configures

    def addresses(self, references: list[str], instance: Instance) -> list[str]:
        if self.configuration is None:
            return []
        targets = self.configuration.targets(references, instance.module_path)
        if len(targets) == 1 and instance.index is not None:  # `x.this[count.index]`: the instance in the same position
            (key, keys), = targets.items()
            same = self.by_position.get((key, instance.module_address, json.dumps(instance.index)))
            if same is not None and (keys is None or same.index in keys):
                return [same.address]
        candidates: list[Instance] = []
        for key, keys in targets.items():
            for target in self.by_config.get(key, []):
                if keys is None or target.index in keys:
                    candidates.append(target)
        if len(candidates) > 1:  # `aws_s3_bucket.this[count.index]`, or the same module instance
            same_module = [c for c in candidates if c.module_address == instance.module_address]
            same_index = [c for c in same_module if instance.index is not None and c.index == instance.index]
            for narrowed in (same_index, same_module):
                if len(narrowed) == 1:
                    return [narrowed[0].address]
        return list(dict.fromkeys(c.address for c in candidates))



def _region(obj: TerraformObject, values: TerraformValues, configuration: Configuration | None) -> str:
    """The resource's own location, else its provider block's static region, else 'unknown'."""
    region = region_of(obj.instance, values)
    if region is None and configuration is not None:
        region = configuration.region(obj.instance)
    return region or "unknown"


@dataclass
class Mapped:
    obj: TerraformObject
    kind: str | None
    shape: Shape | None
    fold: tuple | None = None   # (parent types, link attribute or function, transform, additive)

    def values(self, context: "FileContext") -> TerraformValues:
        return TerraformValues(context, self.obj.instance, self.obj.data, self.obj.unknown, self.obj.expressions)


def map_object(obj: TerraformObject, context: FileContext) -> Mapped:
    provider = PROVIDERS.get(obj.instance.provider or "")
    if provider is None:
        return Mapped(obj, None, None)
    values = TerraformValues(context, obj.instance, obj.data, obj.unknown, obj.expressions)
    try:
        if obj.instance.type in provider.TERRAFORM_TYPES:
            kind, transform = provider.TERRAFORM_TYPES[obj.instance.type]
            return Mapped(obj, kind, transform(values))
        if obj.instance.type in provider.FOLDED_TYPES:
            fold = provider.FOLDED_TYPES[obj.instance.type]
            return Mapped(obj, provider.TERRAFORM_TYPES[fold[0][0]][0], fold[2](values), fold)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise InputError(f"{context.path}: {obj.instance.address} ({obj.instance.type}): unreadable values: {exc}") from None
    return Mapped(obj, None, None)


def _known(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if v is not UNKNOWN}


def _name(values: TerraformValues, instance: Instance) -> str:
    """The resource's name; else its Name tag, its short id (vol-0a1, a key id), or its address."""
    for field in NAMES:
        value = values.value(field)
        if isinstance(value, str) and value:
            return value
    name_tag = values.tags("tags").get("Name")
    short_id = values.value("id")
    if name_tag:
        return name_tag
    if isinstance(short_id, str) and short_id and not short_id.startswith(("arn:", "/", "projects/")):
        return short_id
    return instance.address


def to_resource(mapped: Mapped, context: FileContext, resource_id: str, source: str, attrs: dict | None = None) -> Resource:
    instance, shape = mapped.obj.instance, mapped.shape
    values = mapped.values(context)
    attrs = _known(shape.attrs if attrs is None else attrs)
    attrs.update(terraform_type=instance.type, terraform_address=instance.address)
    return Resource(
        kind=mapped.kind or "", id=resource_id,
        name=shape.name if isinstance(shape.name, str) and shape.name else _name(values, instance),
        provider=instance.provider or "", account=context.accounts.get(instance.address, "terraform"),
        region=context.regions.get(instance.address, "unknown"), zones=tuple(z for z in shape.zones if isinstance(z, str)),
        attrs=attrs, tags=values.tags("tags_all", "tags", "effective_labels", "labels", "settings.0.user_labels"),
        source=source,
    )


def _fold_into(parent: dict, attrs: dict, additive: bool) -> None:
    """Apply a settings resource's attributes to the resource it configures. An UNKNOWN setting
    makes the parent's attribute unknown too. Additive settings (rules, attachments) extend lists;
    onto an unknown list they still count when they add something (it can only make a rule fail)."""
    for name, value in attrs.items():
        if value is UNKNOWN:
            parent.pop(name, None)
        elif additive and isinstance(value, list):
            if isinstance(parent.get(name), list):
                parent[name] = sorted(set(parent[name]) | set(value), key=str)
            elif value:
                parent[name] = value
        elif additive and isinstance(value, int) and not isinstance(value, bool):
            if isinstance(parent.get(name), int):
                parent[name] += value
        else:
            parent[name] = value


def _id_key(value: str) -> str:
    return value.lower() if value.startswith("/subscriptions/") else value  # ARM ids are case-insensitive


IDENTIFIERS = ("arn", "id", "self_link")
NAMES = ("bucket", "name", "identifier", "cluster_identifier")


def _natural_keys(data: dict, fields: tuple[str, ...]) -> list[str]:
    """Values other resources may use to point at this one (ARN, id, self link; names)."""
    values = [data.get(field) for field in fields] if isinstance(data, dict) else []
    return [_id_key(v) for v in values if isinstance(v, str) and v]


def build_inventory(mapped: list[Mapped], context: FileContext, ids: dict[str, str], path: Path,
                     removed: list[Mapped] = ()) -> Inventory:
    """Resources of mapped types, with their settings resources folded in, and their references.
    `removed`: settings resources the plan deletes; what they set becomes unknown on their parent
    (the parent's inline values still show the old setting until it is refreshed after apply)."""
    attrs: dict[str, dict] = {}                  # address -> attributes, folds applied
    parents: dict[tuple[str, str], str] = {}     # (type, key) -> address: what settings resources name
    owners: dict[str, str] = {}                  # id, ARN or self link -> resource id: what references name
    refs: dict[str, list[tuple[str, str]]] = {}
    for item in mapped:
        address = item.obj.instance.address
        if item.fold is None and item.kind:
            attrs[address], refs[address] = dict(_known(item.shape.attrs)), list(item.shape.refs)
            identifiers = [ids[address]] + _natural_keys(item.obj.data, IDENTIFIERS)
            for key in [address] + identifiers + _natural_keys(item.obj.data, NAMES):
                parents.setdefault((item.obj.instance.type, key), address)
            for key in identifiers:  # names are not unique across types: only settings resources match by name
                owners.setdefault(key, ids[address])
    gaps: list[Gap] = []

    def parent_of(item: Mapped) -> tuple[Any, str | None]:
        parent_types, link = item.fold[0], item.fold[1]
        values = item.values(context)
        target = link(values) if callable(link) else values.ref(link)
        return target, next((parents[(t, target)] for t in parent_types
                             if isinstance(target, str) and (t, target) in parents), None)

    for item in removed:
        parent = parent_of(item)[1]
        if parent is not None:
            context.configures[item.obj.instance.address] = parent
            for name in item.shape.attrs:
                attrs[parent].pop(name, None)
    for item in mapped:
        if item.fold is None:
            continue
        parent_types, _, _, additive = item.fold
        target, parent = parent_of(item)
        if parent is None:
            instance = item.obj.instance
            gaps.append(Gap(provider=instance.provider or "", account=context.accounts.get(instance.address, "terraform"),
                            region=context.regions.get(instance.address, ""), service="terraform", operation=instance.type,
                            code="UnresolvedSettings", resource_id=instance.address, kinds=(item.kind,) if item.kind else (),
                            message=f"{instance.address}: the {' or '.join(parent_types)} it configures ("
                                    f"{target if isinstance(target, str) else 'unknown until apply'}) is not in {path}"))
            continue
        context.configures[item.obj.instance.address] = parent
        _fold_into(attrs[parent], item.shape.attrs, additive)
        refs[parent].extend(item.shape.refs)
    resources, references = [], []
    for item in mapped:
        address = item.obj.instance.address
        if item.fold is not None or address not in attrs:
            continue
        resource = to_resource(item, context, ids[address], f"{path}#{address}", attrs[address])
        resources.append(resource)
        for relation, target in dict.fromkeys(refs[address]):
            if target in context.instances and target not in attrs:
                continue  # a resource of a type drscan does not map: nothing to link to
            target = ids.get(target) or owners.get(_id_key(target)) or _id_key(target)
            if target != resource.id:
                references.append(Reference(resource.id, target, relation))
    return Inventory(resources=tuple(_inherit_regions(resources, references)), references=tuple(dict.fromkeys(references)),
                     gaps=tuple(gaps), sources=(str(path),))


def _inherit_regions(resources: list[Resource], references: list[Reference]) -> list[Resource]:
    """A child resource without a location (an Azure SQL database) takes its parent's region."""
    by_id = {r.id: r for r in resources}
    parent_of = {ref.source: ref.target for ref in references if ref.type == "child_of"}
    out = []
    for resource in resources:
        parent = by_id.get(parent_of.get(resource.id, ""))
        if resource.region == "unknown" and parent is not None and parent.region != "unknown":
            resource = replace(resource, region=parent.region)
        out.append(resource)
    return out


def locate(objects: list[TerraformObject], context: FileContext, configuration: Configuration | None) -> dict[str, str]:
    """Regions, accounts and cloud ids of every object (ids: None where the values give none)."""
    by_type: dict[str, list[dict]] = {}
    for obj in objects:
        by_type.setdefault(obj.instance.type, []).append(obj.data)
    cloud_ids: dict[str, str] = {}
    for obj in objects:
        values = TerraformValues(context, obj.instance, obj.data, obj.unknown, obj.expressions)
        context.regions[obj.instance.address] = _region(obj, values, configuration)
        account = configuration.aws_account(obj.instance) if configuration is not None and obj.instance.provider == "aws" else None
        if account:
            context.accounts[obj.instance.address] = account
        provider = PROVIDERS.get(obj.instance.provider or "")
        cloud_id = provider.cloud_id(obj.instance.type, values, by_type) if provider else None
        if cloud_id:
            cloud_ids[obj.instance.address] = cloud_id
            parts = cloud_id.split(":")
            if context.regions[obj.instance.address] == "unknown" and cloud_id.startswith("arn:") and parts[3]:
                context.regions[obj.instance.address] = parts[3]
            if configuration is None:  # state: the account the id names (plans keep "terraform")
                context.accounts[obj.instance.address] = provider.account_of(cloud_id, values) or ""
    return cloud_ids


