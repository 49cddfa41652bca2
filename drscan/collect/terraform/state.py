"""Terraform state (`terraform show -json`, or a raw .tfstate of format version 4) -> Resources
whose ids are the cloud ids the importers give the same resources (ARNs, asset names, ARM ids),
so state compares with a scan. Collect stage, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from drscan.collect.terraform.document import bounded, check_format, read_json
from drscan.collect.terraform.resolve import build_inventory, FileContext, locate, map_object, TerraformObject
from drscan.errors import InputError
from drscan.model import Inventory
from drscan.normalize.terraform_values import instance_of, split_address


def _state_resources(module: dict) -> Iterable[dict]:
    yield from module.get("resources") or []
    for child in module.get("child_modules") or []:
        yield from _state_resources(child)


def _raw_state_resources(document: dict) -> Iterable[dict]:
    """A .tfstate file (format version 4) in the shape of `terraform show -json`."""
    for resource in document.get("resources") or []:
        module = resource.get("module") or ""
        for instance in resource.get("instances") or []:
            key = instance.get("index_key")
            local = f"{resource.get('type')}.{resource.get('name')}" + ("" if key is None else f"[{json.dumps(key)}]")
            yield {"address": f"{module}.{local}" if module else local, "mode": resource.get("mode"),
                   "type": resource.get("type"), "name": resource.get("name"), "index": key,
                   "module_address": module, "values": instance.get("attributes") or {}}


@bounded
def load_state(path: Path) -> Inventory:
    document = check_format(read_json(path), path)
    if "resource_changes" in document or "planned_values" in document:
        raise InputError(f"{path}: this is a Terraform plan, not state; load it with load_plan")
    if document.get("version") == 4 and "resources" in document:
        entries = list(_raw_state_resources(document))
    elif "values" in document:
        entries = list(_state_resources((document.get("values") or {}).get("root_module") or {}))
    elif set(document) <= {"format_version", "terraform_version"}:
        entries = []  # `terraform show -json` of an empty state
    else:
        raise InputError(f"{path}: not Terraform state: missing 'values' (expected the output of `terraform show -json`)")
    objects = []
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("address") or not entry.get("type"):
            raise InputError(f"{path}: resource {number}: expected an object with 'address' and 'type'")
        if entry.get("mode", "managed") != "managed":
            continue
        module_address = entry.get("module_address")
        if module_address is None:
            module_address = ".".join(split_address(entry["address"])[:-2])
        instance = instance_of(entry["address"], entry["type"], str(entry.get("name", "")), entry.get("index"), module_address)
        objects.append(TerraformObject(instance, entry["values"] if isinstance(entry.get("values"), dict) else {}))
    context = FileContext(path, None, objects)
    cloud_ids = locate(objects, context, None)
    _fill_accounts(objects, context)
    ids = {obj.instance.address: cloud_ids.get(obj.instance.address, obj.instance.address) for obj in objects}
    return build_inventory([map_object(obj, context) for obj in objects], context, ids, path)


def _fill_accounts(objects: list[TerraformObject], context: FileContext) -> None:
    """Resources whose id names no account (S3 ARNs) take the account most others in the state name."""
    for provider in ("aws", "gcp", "azure"):
        mine = [o.instance.address for o in objects if o.instance.provider == provider]
        named = [context.accounts[a] for a in mine if context.accounts.get(a)]
        common = max(set(named), key=named.count) if named else "terraform"
        for address in mine:
            if not context.accounts.get(address):
                context.accounts[address] = common
