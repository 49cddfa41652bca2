"""Terraform values as the normalizers read them (pure): addresses, the TerraformValues view of
one object's attributes (plan `after`, state `values`), UNKNOWN for values known only after apply,
and a resource's location from its own values. Used by normalize/terraform_{aws,gcp,azure}.py
and by drscan/collect/terraform/, which supplies the file-wide context."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from drscan.normalize.gcp import region_of as gcp_region_of
from drscan.normalize.lookup import as_bool, as_int, last_segment

FULL_ID_PREFIXES = ("arn:", "https://", "//", "/subscriptions/", "projects/")


def split_address(address: str) -> list[str]:
    """'module.a["x.y"].aws_s3_bucket.b[0]' -> ['module', 'a["x.y"]', 'aws_s3_bucket', 'b[0]']."""
    parts, current, depth, quoted = [], [], 0, False
    for char in address:
        if char == '"' and (not current or current[-1] != "\\"):
            quoted = not quoted
        elif not quoted and char == "[":
            depth += 1
        elif not quoted and char == "]":
            depth -= 1
        if char == "." and depth == 0 and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def name_and_key(part: str) -> tuple[str, Any]:
    """'b[0]' -> ('b', 0); 'b["eu"]' -> ('b', 'eu'); 'b' -> ('b', None); a non-literal key -> ('b', None)."""
    name, bracket, rest = part.partition("[")
    if not bracket:
        return name, None
    try:
        return name, json.loads(rest[:-1])
    except json.JSONDecodeError:
        return name, None


@dataclass
class Instance:
    """One resource instance of a plan or state, with where its configuration lives."""

    address: str
    module_address: str
    module_path: tuple[str, ...]  # module call names, without instance keys
    type: str
    name: str
    index: Any
    provider: str | None          # 'aws', 'gcp', 'azure', or None for other providers


def instance_of(address: str, type_: str, name: str, index: Any, module_address: str | None) -> Instance:
    parts = split_address(module_address or "")
    module_path = tuple(name_and_key(parts[i + 1])[0] for i in range(0, len(parts) - 1, 2) if parts[i] == "module")
    if type_.startswith("aws_"):
        provider = "aws"
    elif type_.startswith("google_"):
        provider = "gcp"
    elif type_.startswith("azurerm_"):
        provider = "azure"
    else:
        provider = None
    return Instance(address, module_address or "", module_path, type_, name, index, provider)


class ValueContext(Protocol):
    """What a TerraformValues view needs to know about the other objects of the same file."""

    configuration: Any                 # the plan's configuration, or None for state
    instances: dict[str, Instance]     # address -> instance
    regions: dict[str, str]            # address -> region ("unknown" when not known)
    accounts: dict[str, str]           # address -> account ("terraform" when not known)

    def addresses(self, references: list[str], instance: Instance) -> list[str]: ...


class _Unknown:
    """A value Terraform will only know after apply. Falsy, so Shape.ref() skips it."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<unknown until apply>"


UNKNOWN = _Unknown()


def path_tokens(path: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in path.split(".")] if path else []


def expression_at(node: Any, tokens: list[Any]) -> Any:
    for token in tokens:
        if isinstance(token, int):
            if isinstance(node, list):
                node = node[token] if token < len(node) else None
            # a single-nested block is an object; its index 0 is itself
        elif isinstance(node, dict):
            node = node.get(token)
        else:
            return None
    return node


class TerraformValues:
    """One object's attribute values as Terraform reports them. The mappings read it by dotted
    path ('metadata_options.0.http_tokens'); a value unknown until apply (or absent from this
    provider version's schema) reads as UNKNOWN, a null as None."""

    UNKNOWN = UNKNOWN

    def __init__(self, context: "ValueContext", instance: Instance, data: dict, unknown: Any = None,
                 expressions: dict | None = None, prefix: tuple = ()):
        self._context, self.instance = context, instance
        self._data, self._unknown, self._expressions = data, unknown or {}, expressions or {}
        self._prefix = prefix

    @property
    def address(self) -> str:
        return self.instance.address

    @property
    def account(self) -> str:
        return self._context.accounts.get(self.instance.address, "terraform")

    @property
    def region(self) -> str:
        return self._context.regions.get(self.instance.address, "unknown")

    def region_of(self, target: Any) -> str | None:
        """The region of a planned resource (by address) or of an ARN."""
        if not isinstance(target, str):
            return None
        if target in self._context.regions:
            region = self._context.regions[target]
            return None if region == "unknown" else region
        parts = target.split(":")
        return parts[3] or None if target.startswith("arn:") and len(parts) > 5 else None

    def is_address(self, value: Any) -> bool:
        return isinstance(value, str) and value in self._context.instances

    def value(self, path: str, convert: Any = None, null: Any = None) -> Any:
        tokens = list(self._prefix) + path_tokens(path)
        value, unknown = self._data, self._unknown
        for token in tokens:
            if unknown is True:
                return UNKNOWN
            if value is None:
                return null
            if isinstance(token, int):
                if not isinstance(value, list):
                    return UNKNOWN
                if token >= len(value):
                    return null  # a block that is not there: its settings are not configured
                value = value[token]
                unknown = unknown[token] if isinstance(unknown, list) and token < len(unknown) else False
            else:
                if not isinstance(value, dict):
                    return UNKNOWN
                unknown = unknown.get(token, False) if isinstance(unknown, dict) else False
                if token not in value:
                    return UNKNOWN  # unknown values are omitted from `after`; absent ones are not in the schema
                value = value[token]
        if unknown is True:
            return UNKNOWN
        if value is None or value == "":  # SDKv2 providers store an unset string as ""
            return null
        return convert(value) if convert else value

    def flag(self, path: str, default: bool | None = None) -> Any:
        return self.value(path, as_bool, null=default)

    def number(self, path: str) -> Any:
        return self.value(path, as_int)

    def known(self, path: str) -> bool:
        return self.value(path) is not UNKNOWN

    def configured(self, path: str) -> bool | None:
        """Whether the configuration sets the argument (None: no configuration, as in state)."""
        if self._context.configuration is None:
            return None
        return expression_at(self._expressions, list(self._prefix) + path_tokens(path)) is not None

    def _references(self, path: str) -> list[str]:
        tokens = list(self._prefix) + path_tokens(path)
        expression = expression_at(self._expressions, tokens)
        if not isinstance(expression, dict) or "references" not in expression:
            return []
        return self._context.addresses(expression["references"], self.instance)

    def ref(self, path: str) -> Any:
        """A reference to another resource: a known full id (ARN, self link, ARM id) as it is, so
        it compares with the state's; else the address of the planned resource the configuration
        names (exact even before apply); else the value (a name or short id) or UNKNOWN."""
        value = self.value(path)
        if isinstance(value, str) and value.startswith(FULL_ID_PREFIXES):
            return value
        addresses = self._references(path)
        return addresses[0] if len(addresses) == 1 else value

    def refs(self, path: str) -> Any:
        """A list of references: the known values, plus the addresses of the planned resources the
        configuration names when some values are unknown until apply."""
        value = self.value(path)
        if isinstance(value, list) and None not in value:
            return [str(v) for v in value]
        addresses = self._references(path)
        if value is UNKNOWN and not addresses:
            return UNKNOWN
        known = [str(v) for v in (value if isinstance(value, list) else []) if v is not None]
        return list(dict.fromkeys(known + addresses))

    def blocks(self, path: str) -> Any:
        value = self.value(path)
        if value is UNKNOWN:
            return UNKNOWN
        if not isinstance(value, list):
            return []
        base = tuple(self._prefix) + tuple(path_tokens(path))
        return [TerraformValues(self._context, self.instance, self._data, self._unknown, self._expressions, base + (i,))
                for i in range(len(value))]

    def tags(self, *paths: str) -> dict[str, str]:
        for path in paths:
            value = self.value(path)
            if isinstance(value, dict):
                return {str(k): "" if v is None else str(v) for k, v in value.items()}
        return {}




def region_of(instance: Instance, values: TerraformValues) -> str | None:
    """The resource's own location from its values (region, location, zone, key ring, ARN), else None."""
    provider = instance.provider
    for name in ("region", "location", "zone", "availability_zone"):
        value = values.value(name)
        if isinstance(value, str) and value:
            if provider == "azure":
                return value.replace(" ", "").lower()
            if provider == "aws":
                return value[:-1] if name == "availability_zone" and value[-1:].isalpha() else value
            return gcp_region_of(last_segment(value))
    key_ring = values.value("key_ring")  # Cloud KMS: projects/p/locations/l/keyRings/r
    if isinstance(key_ring, str) and "/locations/" in key_ring:
        return key_ring.split("/locations/")[1].split("/")[0]
    arn = values.value("arn")
    if isinstance(arn, str) and arn.count(":") >= 5 and arn.split(":")[3]:
        return arn.split(":")[3]
    return None
