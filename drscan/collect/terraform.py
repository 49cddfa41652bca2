"""Terraform JSON (`terraform show -json tfplan`, `terraform show -json` of a state, or a raw
.tfstate) -> drscan Resources, the plan's changes, and the DR regressions a plan would cause.

Collect stage, offline. Planned values become Resources with the attribute names the importers
give, so the same rules judge a plan before it is applied. The per-type mapping is in
drscan/normalize/terraform_{aws,gcp,azure}.py. Format: developer.hashicorp.com/terraform/internals/json-format
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Iterable


from drscan.collect.imports.files import parse_json, read_bytes
from drscan.errors import InputError
from drscan.model import Gap, Inventory, Reference, Resource
from drscan.normalize import terraform_aws, terraform_azure, terraform_gcp
from drscan.normalize.gcp import region_of as gcp_region_of
from drscan.normalize.lookup import as_bool, as_int, last_segment
from drscan.normalize.shape import Shape
from drscan.redact import excerpt

PROVIDERS = {"aws": terraform_aws, "gcp": terraform_gcp, "azure": terraform_azure}
_NOT_RESOURCES = {"var", "local", "data", "each", "count", "path", "terraform", "self", "module"}
_ROOT_VARIABLE = re.compile(r"^var\.([A-Za-z0-9_-]+)$")
FULL_ID_PREFIXES = ("arn:", "https://", "//", "/subscriptions/", "projects/")


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


@dataclass(frozen=True)
class Regression:
    address: str
    kind: str | None
    rule_id: str
    severity: str
    title: str
    reason: str


# ---------------------------------------------------------------- reading

def _read_json(path: Path) -> Any:
    """The file's JSON (gzip, depth and UTF-8 bounded as for imports), or an InputError naming it."""
    return parse_json(read_bytes(path), path)


def _bounded(load: Callable[[Path], Any]) -> Callable[[Path], Any]:
    """A document within JSON's depth limit can still nest past Python's recursion limit in the
    walk over modules and blocks: that is an input error naming the file, not a traceback."""

    @functools.wraps(load)
    def guarded(path: Path) -> Any:
        try:
            return load(path)
        except RecursionError:
            raise InputError(f"{path}: nested too deeply to read") from None

    return guarded


def _check_format(document: Any, path: Path) -> dict:
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected the JSON object `terraform show -json` prints, got {type(document).__name__}")
    version = document.get("format_version")
    if version is None and document.get("version") == 4 and "resources" in document:
        return document  # a raw .tfstate file
    if version is None:
        raise InputError(f"{path}: missing 'format_version': not `terraform show -json` output")
    if str(version).split(".")[0] != "1":
        raise InputError(f"{path}: unsupported Terraform JSON format_version {excerpt(version)} (drscan reads 1.x)")
    return document


# ---------------------------------------------------------------- addresses

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


def _name_and_key(part: str) -> tuple[str, Any]:
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


def _instance(address: str, type_: str, name: str, index: Any, module_address: str | None) -> Instance:
    parts = split_address(module_address or "")
    module_path = tuple(_name_and_key(parts[i + 1])[0] for i in range(0, len(parts) - 1, 2) if parts[i] == "module")
    if type_.startswith("aws_"):
        provider = "aws"
    elif type_.startswith("google_"):
        provider = "gcp"
    elif type_.startswith("azurerm_"):
        provider = "azure"
    else:
        provider = None
    return Instance(address, module_address or "", module_path, type_, name, index, provider)


# ---------------------------------------------------------------- configuration

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
                child = module_path + (_name_and_key(parts[1])[0],)
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
                name, key = _name_and_key(parts[1])
                nested = {(module_path, f"{head}.{name}"): None if key is None else {key}}
            for target, keys in nested.items():
                if keys is None:
                    plain.add(target)
                else:
                    keyed.setdefault(target, set()).update(keys)
        return {target: keyed.get(target) for target in plain | set(keyed)}

    def region(self, instance: Instance) -> str | None:
        """The static region of the provider block the resource uses (aliases included)."""
        key = self.resource(instance).get("provider_config_key") or ""
        provider = self.providers.get(key) or self.providers.get(key.rsplit(":", 1)[-1]) or {}
        expressions = provider.get("expressions") or {}
        for name in ("region", "zone"):
            value = self._static(expressions.get(name))
            if value:
                return gcp_region_of(value) if name == "zone" else value.lower()
        return None

    def _static(self, expression: Any) -> str | None:
        """A constant, or a bare root variable (`region = var.region`) whose value the plan records."""
        if not isinstance(expression, dict):
            return None
        if isinstance(expression.get("constant_value"), str):
            return expression["constant_value"]
        references = expression.get("references") or []
        match = _ROOT_VARIABLE.match(references[0]) if len(references) == 1 else None
        value = (self.variables.get(match.group(1)) or {}).get("value") if match else None
        return value if isinstance(value, str) and re.fullmatch(r"[a-z0-9-]+", value) else None


# ---------------------------------------------------------------- values

class _Unknown:
    """A value Terraform will only know after apply. Falsy, so Shape.ref() skips it."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<unknown until apply>"


UNKNOWN = _Unknown()


def _tokens(path: str) -> list[Any]:
    return [int(t) if t.isdigit() else t for t in path.split(".")] if path else []


def _expression_at(node: Any, tokens: list[Any]) -> Any:
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

    def __init__(self, context: "_Context", instance: Instance, data: dict, unknown: Any = None,
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
        tokens = list(self._prefix) + _tokens(path)
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
        return _expression_at(self._expressions, list(self._prefix) + _tokens(path)) is not None

    def _references(self, path: str) -> list[str]:
        tokens = list(self._prefix) + _tokens(path)
        expression = _expression_at(self._expressions, tokens)
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
        base = tuple(self._prefix) + tuple(_tokens(path))
        return [TerraformValues(self._context, self.instance, self._data, self._unknown, self._expressions, base + (i,))
                for i in range(len(value))]

    def tags(self, *paths: str) -> dict[str, str]:
        for path in paths:
            value = self.value(path)
            if isinstance(value, dict):
                return {str(k): "" if v is None else str(v) for k, v in value.items()}
        return {}


@dataclass
class _Object:
    """One instance's values as a change or state gives them."""

    instance: Instance
    data: dict
    unknown: Any = None
    expressions: dict | None = None


class _Context:
    """Everything a mapping may need to know about the other resources of the same file."""

    def __init__(self, path: Path, configuration: Configuration | None, objects: list[_Object]):
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


# ---------------------------------------------------------------- mapping

def _region(obj: _Object, values: TerraformValues, configuration: Configuration | None) -> str:
    """The resource's own location, else its provider block's static region, else 'unknown'."""
    provider = obj.instance.provider
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
    if configuration is not None:
        region = configuration.region(obj.instance)
        if region:
            return region
    return "unknown"


@dataclass
class _Mapped:
    obj: _Object
    kind: str | None
    shape: Shape | None
    fold: tuple | None = None   # (parent types, link attribute or function, transform, additive)

    def values(self, context: "_Context") -> TerraformValues:
        return TerraformValues(context, self.obj.instance, self.obj.data, self.obj.unknown, self.obj.expressions)


def _map(obj: _Object, context: _Context) -> _Mapped:
    provider = PROVIDERS.get(obj.instance.provider or "")
    if provider is None:
        return _Mapped(obj, None, None)
    values = TerraformValues(context, obj.instance, obj.data, obj.unknown, obj.expressions)
    try:
        if obj.instance.type in provider.TERRAFORM_TYPES:
            kind, transform = provider.TERRAFORM_TYPES[obj.instance.type]
            return _Mapped(obj, kind, transform(values))
        if obj.instance.type in provider.FOLDED_TYPES:
            fold = provider.FOLDED_TYPES[obj.instance.type]
            return _Mapped(obj, provider.TERRAFORM_TYPES[fold[0][0]][0], fold[2](values), fold)
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise InputError(f"{context.path}: {obj.instance.address} ({obj.instance.type}): unreadable values: {exc}") from None
    return _Mapped(obj, None, None)


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


def _resource(mapped: _Mapped, context: _Context, resource_id: str, source: str, attrs: dict | None = None) -> Resource:
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


def _build_inventory(mapped: list[_Mapped], context: _Context, ids: dict[str, str], path: Path,
                     removed: list[_Mapped] = ()) -> Inventory:
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

    def parent_of(item: _Mapped) -> tuple[Any, str | None]:
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
        resource = _resource(item, context, ids[address], f"{path}#{address}", attrs[address])
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


def _locate(objects: list[_Object], context: _Context, configuration: Configuration | None) -> dict[str, str]:
    """Regions, accounts and cloud ids of every object (ids: None where the values give none)."""
    by_type: dict[str, list[dict]] = {}
    for obj in objects:
        by_type.setdefault(obj.instance.type, []).append(obj.data)
    cloud_ids: dict[str, str] = {}
    for obj in objects:
        values = TerraformValues(context, obj.instance, obj.data, obj.unknown, obj.expressions)
        context.regions[obj.instance.address] = _region(obj, values, configuration)
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


# ---------------------------------------------------------------- plans

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
        instance = _instance(entry["address"], entry["type"], str(entry.get("name", "")), entry.get("index"),
                             entry.get("module_address"))
        out.append((instance, tuple(actions), change))
    return out


def _is_planned(actions: tuple[str, ...]) -> bool:
    """Objects that exist once the plan is applied ("forget" leaves Terraform's management)."""
    return "create" in actions or "update" in actions or actions == ("no-op",)


@_bounded
def load_plan(path: Path) -> TerraformPlan:
    document = _check_format(_read_json(path), path)
    if "resource_changes" not in document and "planned_values" not in document:
        if "values" in document or "resources" in document:
            raise InputError(f"{path}: this is Terraform state, not a plan: it has no 'resource_changes' or "
                             f"'planned_values' (run `terraform show -json tfplan` on a saved plan, or load it as state)")
        raise InputError(f"{path}: not a Terraform plan: missing 'resource_changes' and 'planned_values' "
                         f"(expected the output of `terraform show -json tfplan`)")
    configuration = Configuration(document)
    entries = _change_objects(document, path)

    earlier = [_Object(i, c["before"]) for i, _, c in entries if isinstance(c.get("before"), dict)]
    before_context = _Context(path, None, earlier)
    _locate(earlier, before_context, configuration)
    before_of = {obj.instance.address: _map(obj, before_context) for obj in earlier}

    planned = [_Object(i, c.get("after") or {}, c.get("after_unknown"), configuration.resource(i).get("expressions"))
               for i, actions, c in entries if _is_planned(actions)]
    context = _Context(path, configuration, planned)
    cloud_ids = _locate(planned, context, configuration)
    after_of = {obj.instance.address: _map(obj, context) for obj in planned}
    ids = {address: address for address in after_of}
    for address, cloud_id in cloud_ids.items():  # so a value naming an ARN or self link finds the planned resource
        ids.setdefault(cloud_id, address)
    removed = [m for address, m in before_of.items() if m.fold is not None and address not in after_of]
    inventory = _build_inventory(list(after_of.values()), context, ids, path, removed)

    changes = []
    for instance, actions, _ in entries:
        before, after = before_of.get(instance.address), after_of.get(instance.address)
        kind = (after.kind if after else None) or (before.kind if before else None)
        configures = {"terraform_configures": context.configures[instance.address]} \
            if instance.address in context.configures else {}
        changes.append(PlannedChange(
            address=instance.address, kind=kind, actions=actions,
            before=_resource(before, before_context, instance.address, f"{path}#{instance.address} (before)",
                             {**before.shape.attrs, **configures}) if before and before.kind else None,
            after=_resource(after, context, instance.address, f"{path}#{instance.address}",
                            {**after.shape.attrs, **configures}) if after and after.kind else None,
        ))
    return TerraformPlan(inventory=inventory, changes=tuple(changes),
                         terraform_version=str(document.get("terraform_version") or ""))


# ---------------------------------------------------------------- state

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


@_bounded
def load_state(path: Path) -> Inventory:
    document = _check_format(_read_json(path), path)
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
        instance = _instance(entry["address"], entry["type"], str(entry.get("name", "")), entry.get("index"), module_address)
        objects.append(_Object(instance, entry["values"] if isinstance(entry.get("values"), dict) else {}))
    context = _Context(path, None, objects)
    cloud_ids = _locate(objects, context, None)
    _fill_accounts(objects, context)
    ids = {obj.instance.address: cloud_ids.get(obj.instance.address, obj.instance.address) for obj in objects}
    return _build_inventory([_map(obj, context) for obj in objects], context, ids, path)


def _fill_accounts(objects: list[_Object], context: _Context) -> None:
    """Resources whose id names no account (S3 ARNs) take the account most others in the state name."""
    for provider in ("aws", "gcp", "azure"):
        mine = [o.instance.address for o in objects if o.instance.provider == provider]
        named = [context.accounts[a] for a in mine if context.accounts.get(a)]
        common = max(set(named), key=named.count) if named else "terraform"
        for address in mine:
            if not context.accounts.get(address):
                context.accounts[address] = common


# ---------------------------------------------------------------- regressions

REGRESSION_RULES: dict[str, tuple[str, str]] = {
    "tf-dr-replica-removed": ("high", "Plan removes a replica"),
    "tf-dr-backup-removed": ("high", "Plan removes backups"),
    "tf-dr-snapshot-schedule-removed": ("high", "Plan removes a snapshot schedule"),
    "tf-dr-replication-removed": ("high", "Plan removes cross-region copy or replication"),
    "tf-dr-pitr-disabled": ("high", "Plan disables point-in-time recovery"),
    "tf-dr-versioning-disabled": ("high", "Plan disables object versioning"),
    "tf-dr-deletion-protection-disabled": ("high", "Plan disables deletion protection"),
    "tf-dr-backup-retention-lowered": ("medium", "Plan lowers backup retention"),
}
BACKUP_KINDS = {"aws.backup.plan", "aws.backup.selection", "aws.backup.vault", "azure.recoveryservices.vault",
                "azure.recoveryservices.backup_policy", "azure.recoveryservices.protected_item"}
SCHEDULE_ATTACHMENTS = {"google_compute_disk_resource_policy_attachment", "google_compute_region_disk_resource_policy_attachment"}
REPLICA_FLAGS = ("is_read_replica", "is_replica", "is_secondary")


def _show(value: Any) -> str:
    return json.dumps(value, default=str)


def _attribute(resource: Resource, attr: str) -> str:
    """The Terraform argument behind a normalized attribute, for reasons a Terraform author reads."""
    provider = PROVIDERS.get(resource.provider)
    names = getattr(provider, "TERRAFORM_ARGUMENTS", {}) if provider else {}
    return names.get((resource.attrs.get("terraform_type"), attr), attr)


def dr_regressions(plan: TerraformPlan) -> list[Regression]:
    found: dict[tuple[str, str], Regression] = {}

    def report(change: PlannedChange, rule_id: str, reason: str) -> None:
        severity, title = REGRESSION_RULES[rule_id]
        found.setdefault((change.address, rule_id), Regression(change.address, change.kind, rule_id, severity, title, reason))

    for change in plan.changes:
        before, after = change.before, change.after
        if before is None:
            continue
        attrs, ttype = before.attrs, before.attrs.get("terraform_type")
        if "delete" in change.actions:
            verb = "replaces" if after is not None else "deletes"
            for flag in REPLICA_FLAGS:
                if attrs.get(flag) is True:
                    source = attrs.get("replica_source") or attrs.get("replica_of")
                    argument = _attribute(before, "replica_source")
                    report(change, "tf-dr-replica-removed",
                           f"{change.address} is a replica ({argument} = {_show(source)}); the plan {verb} it")
            if before.kind in BACKUP_KINDS:
                report(change, "tf-dr-backup-removed", f"the plan {verb} {ttype} {change.address}")
            schedule = before.kind == "gcp.compute.resource_policy" and attrs.get("snapshot_schedule") is True
            if schedule or ttype in SCHEDULE_ATTACHMENTS:
                report(change, "tf-dr-snapshot-schedule-removed", f"the plan {verb} {ttype} {change.address}"
                       + (f" (resource policy {_show(attrs.get('resource_policies'))})" if ttype in SCHEDULE_ATTACHMENTS else ""))
            if ttype == "aws_s3_bucket_replication_configuration" and attrs.get("replication_enabled") is True:
                report(change, "tf-dr-replication-removed", f"the plan {verb} {change.address} (replication to "
                       f"{_show(attrs.get('replication_destinations'))})")
            if ttype == "aws_s3_bucket_versioning" and attrs.get("versioning") == "Enabled" and after is None:
                report(change, "tf-dr-versioning-disabled", f"versioning_configuration.status: \"Enabled\" -> destroyed "
                       f"(destroying {ttype} suspends versioning on the bucket)")
        if after is not None:
            _update_regressions(change, before, after, report)
    order = {name: rank for rank, name in enumerate(("critical", "high", "medium", "low", "info"))}
    return sorted(found.values(), key=lambda r: (order.get(r.severity, 9), r.address, r.rule_id))


def _update_regressions(change: PlannedChange, before: Resource, after: Resource, report) -> None:
    old, new = before.attrs, after.attrs

    def turned_off(attr: str, rule_id: str) -> None:
        if old.get(attr) is True and new.get(attr) is False:
            report(change, rule_id, f"{_attribute(before, attr)}: true -> false")

    def lost(attr: str, rule_id: str) -> None:
        gone = [x for x in old.get(attr) or [] if x not in (new.get(attr) or [])]
        if gone and attr in new:
            report(change, rule_id, f"{_attribute(before, attr)}: {_show(old.get(attr))} -> {_show(new.get(attr))}")

    turned_off("pitr_enabled", "tf-dr-pitr-disabled")
    turned_off("versioning_enabled", "tf-dr-versioning-disabled")
    if old.get("versioning") == "Enabled" and new.get("versioning") not in (None, "Enabled"):
        report(change, "tf-dr-versioning-disabled",
               f"{_attribute(before, 'versioning')}: \"Enabled\" -> {_show(new.get('versioning'))}")
    turned_off("deletion_protection", "tf-dr-deletion-protection-disabled")
    turned_off("terraform_deletion_protection", "tf-dr-deletion-protection-disabled")
    for flag in REPLICA_FLAGS:
        if old.get(flag) is True and new.get(flag) is False:
            report(change, "tf-dr-replica-removed", f"{_attribute(before, 'replica_source')}: "
                   f"{_show(old.get('replica_source'))} -> null (the replica is promoted and stops replicating)")
    lost("replica_regions", "tf-dr-replica-removed")
    turned_off("backups_enabled", "tf-dr-backup-removed")
    turned_off("snapshot_schedule", "tf-dr-snapshot-schedule-removed")
    lost("resource_policies", "tf-dr-snapshot-schedule-removed")
    turned_off("replication_enabled", "tf-dr-replication-removed")
    lost("copy_destinations", "tf-dr-replication-removed")
    lost("replication_regions", "tf-dr-replication-removed")
    old_days, new_days = old.get("backup_retention_days"), new.get("backup_retention_days")
    if isinstance(old_days, int) and isinstance(new_days, int) and new_days < old_days:
        report(change, "tf-dr-backup-retention-lowered",
               f"{_attribute(before, 'backup_retention_days')}: {old_days} -> {new_days}")
