"""The `configuration` block of a Terraform plan: each resource's expressions (which other
resources an argument refers to, through module inputs and outputs) and the static region of
the provider block a resource uses. Collect stage, offline."""

from __future__ import annotations

import re
from typing import Any, Iterable

from drscan.normalize.gcp import region_of as gcp_region_of
from drscan.normalize.terraform_values import Instance, name_and_key, split_address

_NOT_RESOURCES = {"var", "local", "data", "each", "count", "path", "terraform", "self", "module"}
_ROOT_VARIABLE = re.compile(r"^var\.([A-Za-z0-9_-]+)$")


class Configuration:
    """The plan's `configuration` block: expressions per resource, module outputs and inputs, providers."""

    def __init__(self, document: dict):
        config = document.get("configuration") or {}
        self.providers: dict = config.get("provider_config") or {}
        self.variables: dict = document.get("variables") or {}
        self.modules: dict[tuple[str, ...], dict] = {}
        self.resources: dict[tuple[tuple[str, ...], str], dict] = {}  # (module path, 'type.name') -> resource
        self._add_module((), config.get("root_module") or {})

    def _add_module(self, path: tuple[str, ...], module: dict) -> None:
        self.modules[path] = module
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and resource.get("mode", "managed") == "managed":
                self.resources[(path, str(resource.get("address")))] = resource
        for call, spec in (module.get("module_calls") or {}).items():
            self._add_module(path + (call,), (spec or {}).get("module") or {})

    def resource(self, instance: Instance) -> dict:
        return self.resources.get((instance.module_path, f"{instance.type}.{instance.name}"), {})

    def targets(self, references: Iterable[str], module_path: tuple[str, ...], depth: int = 0) -> dict:
        """Resources an expression refers to, following module outputs and inputs:
        {(module path, 'type.name'): set of literal instance keys, or None for any instance}.
        Terraform lists `a.b[0].id`, `a.b[0]` and `a.b`; a literal key narrows, `a.b` alone does not."""
        keyed: dict[tuple, set] = {}
        plain: set[tuple] = set()
        for reference in references if depth <= 8 else ():
            parts = split_address(str(reference))
            head = parts[0]
            if head == "module" and len(parts) >= 3:
                child = module_path + (name_and_key(parts[1])[0],)
                output = (self.modules.get(child, {}).get("outputs") or {}).get(parts[2]) or {}
                nested = self.targets((output.get("expression") or {}).get("references") or [], child, depth + 1)
            elif head == "var" and len(parts) >= 2 and module_path:
                call = (self.modules.get(module_path[:-1], {}).get("module_calls") or {}).get(module_path[-1]) or {}
                expression = (call.get("expressions") or {}).get(parts[1])
                inner = expression.get("references") if isinstance(expression, dict) else None
                nested = self.targets(inner or [], module_path[:-1], depth + 1)
            elif head in _NOT_RESOURCES or len(parts) < 2 or "_" not in head:
                continue
            else:
                name, key = name_and_key(parts[1])
                nested = {(module_path, f"{head}.{name}"): None if key is None else {key}}
            for target, keys in nested.items():
                if keys is None:
                    plain.add(target)
                else:
                    keyed.setdefault(target, set()).update(keys)
        return {target: keyed.get(target) for target in plain | set(keyed)}

    def region(self, instance: Instance) -> str | None:
        """The static region of the provider block the resource uses (aliases included)."""
        expressions = self._provider(instance).get("expressions") or {}
        for name in ("region", "zone"):
            value = self._static(expressions.get(name))
            if value:
                return gcp_region_of(value) if name == "zone" else value.lower()
        return None

    def aws_account(self, instance: Instance) -> str | None:
        """The AWS account the resource's provider block pins: a single `allowed_account_ids`
        entry, else the account of a static `assume_role.role_arn`. None when the block says nothing."""
        expressions = self._provider(instance).get("expressions") or {}
        allowed = (expressions.get("allowed_account_ids") or {}).get("constant_value") \
            if isinstance(expressions.get("allowed_account_ids"), dict) else None
        if isinstance(allowed, list) and len(allowed) == 1 and str(allowed[0]).isdigit():
            return str(allowed[0])
        for block in expressions.get("assume_role") or []:
            role = self._static((block or {}).get("role_arn")) if isinstance(block, dict) else None
            parts = role.split(":") if isinstance(role, str) else []
            if len(parts) > 5 and parts[4].isdigit():
                return parts[4]
        return None

    def _provider(self, instance: Instance) -> dict:
        key = self.resource(instance).get("provider_config_key") or ""
        return self.providers.get(key) or self.providers.get(key.rsplit(":", 1)[-1]) or {}

    def _static(self, expression: Any) -> str | None:
        """A constant, or a bare root variable (`region = var.region`) whose value the plan records."""
        if not isinstance(expression, dict):
            return None
        if isinstance(expression.get("constant_value"), str):
            return expression["constant_value"]
        references = expression.get("references") or []
        match = _ROOT_VARIABLE.match(references[0]) if len(references) == 1 else None
        value = (self.variables.get(match.group(1)) or {}).get("value") if match else None
        return value if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9:/_+=,.@-]+", value) else None
