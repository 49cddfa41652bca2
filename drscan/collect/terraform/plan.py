"""A Terraform plan (`terraform show -json tfplan`) -> the planned inventory (created, updated
and unchanged objects, ids = Terraform addresses) and the plan's changes with each object's
own settings before and after. Collect stage, offline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from drscan.collect.terraform.configuration import Configuration
from drscan.collect.terraform.document import bounded, check_format, read_json
from drscan.collect.terraform.resolve import build_inventory, FileContext, locate, map_object, TerraformObject, to_resource
from drscan.errors import InputError
from drscan.model import Inventory, Resource
from drscan.normalize.terraform_values import Instance, instance_of


@dataclass(frozen=True)
class PlannedChange:
    address: str              # e.g. module.db.aws_db_instance.main
    kind: str | None          # drscan kind (for settings resources, the kind they configure); None: type not mapped
    actions: tuple[str, ...]  # ("create",), ("update",), ("delete",), ("delete", "create") replace, ("no-op",)
    before: Resource | None   # the object's own normalized settings before (None on create)
    after: Resource | None    # ... and after (None on delete); values unknown until apply are left out
    file: str | None = None   # not in plan JSON
    line: int | None = None


@dataclass(frozen=True)
class TerraformPlan:
    inventory: Inventory      # planned resources (created, updated, unchanged), ids = Terraform addresses
    changes: tuple[PlannedChange, ...]
    terraform_version: str
    unmapped: tuple[tuple[str, int], ...] = ()  # (Terraform type, changes) of types drscan does not map
    cloud_ids: Mapping[str, str] = field(default_factory=dict)  # address -> ARN / asset name / ARM id, where known

    def unmapped_summary(self) -> str | None:
        """'12 changes of 5 types not evaluated: aws_ecs_service, ...', or None."""
        if not self.unmapped:
            return None
        count = sum(n for _, n in self.unmapped)
        types = [t for t, _ in self.unmapped]
        return (f"{count} change{'s' if count != 1 else ''} of {len(types)} type{'s' if len(types) != 1 else ''} "
                f"not evaluated: {', '.join(types)}")


def _unmapped(changes: list[PlannedChange], types: dict[str, str]) -> tuple[tuple[str, int], ...]:
    """Changes (not no-ops) of types no mapping covers, counted per type, most frequent first."""
    counts: dict[str, int] = {}
    for change in changes:
        if change.kind is None and change.actions not in (("no-op",), ("read",)):
            counts[types[change.address]] = counts.get(types[change.address], 0) + 1
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _change_objects(document: dict, path: Path) -> list[tuple[Instance, tuple[str, ...], dict]]:
    changes = document.get("resource_changes") or []
    if not isinstance(changes, list):
        raise InputError(f"{path}: 'resource_changes' is not a list")
    out = []
    for number, entry in enumerate(changes):
        where = f"{path}: resource_changes[{number}]"
        if not isinstance(entry, dict) or not entry.get("address") or not entry.get("type"):
            raise InputError(f"{where}: expected an object with 'address' and 'type'")
        change = entry.get("change")
        actions = change.get("actions") if isinstance(change, dict) else None
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise InputError(f"{where} ({entry['address']}): missing 'change.actions'")
        if entry.get("mode", "managed") != "managed" or entry.get("deposed"):
            continue  # data sources are read, not changed; deposed objects are leftovers of a replacement
        instance = instance_of(entry["address"], entry["type"], str(entry.get("name", "")), entry.get("index"),
                             entry.get("module_address"))
        out.append((instance, tuple(actions), change))
    return out


def _is_planned(actions: tuple[str, ...]) -> bool:
    """Objects that exist once the plan is applied ("forget" leaves Terraform's management)."""
    return "create" in actions or "update" in actions or actions == ("no-op",)


@bounded
def load_plan(path: Path) -> TerraformPlan:
    document = check_format(read_json(path), path)
    if "resource_changes" not in document and "planned_values" not in document:
        if "values" in document or "resources" in document:
            raise InputError(f"{path}: this is Terraform state, not a plan: it has no 'resource_changes' or "
                             f"'planned_values' (run `terraform show -json tfplan` on a saved plan, or load it as state)")
        raise InputError(f"{path}: not a Terraform plan: missing 'resource_changes' and 'planned_values' "
                         f"(expected the output of `terraform show -json tfplan`)")
    configuration = Configuration(document)
    entries = _change_objects(document, path)

    earlier = [TerraformObject(i, c["before"]) for i, _, c in entries if isinstance(c.get("before"), dict)]
    before_context = FileContext(path, None, earlier)
    before_ids = locate(earlier, before_context, configuration)
    before_of = {obj.instance.address: map_object(obj, before_context) for obj in earlier}

    planned = [TerraformObject(i, c.get("after") or {}, c.get("after_unknown"), configuration.resource(i).get("expressions"))
               for i, actions, c in entries if _is_planned(actions)]
    context = FileContext(path, configuration, planned)
    cloud_ids = locate(planned, context, configuration)
    after_of = {obj.instance.address: map_object(obj, context) for obj in planned}
    ids = {address: address for address in after_of}
    for address, cloud_id in cloud_ids.items():  # so a value naming an ARN or self link finds the planned resource
        ids.setdefault(cloud_id, address)
    removed = [m for address, m in before_of.items() if m.fold is not None and address not in after_of]
    inventory = build_inventory(list(after_of.values()), context, ids, path, removed)

    changes = []
    for instance, actions, _ in entries:
        before, after = before_of.get(instance.address), after_of.get(instance.address)
        kind = (after.kind if after else None) or (before.kind if before else None)
        configures = {"terraform_configures": context.configures[instance.address]} \
            if instance.address in context.configures else {}
        changes.append(PlannedChange(
            address=instance.address, kind=kind, actions=actions,
            before=to_resource(before, before_context, instance.address, f"{path}#{instance.address} (before)",
                             {**before.shape.attrs, **configures}) if before and before.kind else None,
            after=to_resource(after, context, instance.address, f"{path}#{instance.address}",
                            {**after.shape.attrs, **configures}) if after and after.kind else None,
        ))
    types = {instance.address: instance.type for instance, _, _ in entries}
    return TerraformPlan(inventory=inventory, changes=tuple(changes),
                         terraform_version=str(document.get("terraform_version") or ""),
                         unmapped=_unmapped(changes, types), cloud_ids={**before_ids, **cloud_ids})
