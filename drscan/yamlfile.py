"""Load YAML keeping the line of every value, and validate it against a JSON Schema with
errors that name the file and line (used for rules, control catalogues and drscan.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from drscan.errors import InputError
from drscan.redact import excerpt
from drscan.safe_text import display

PathKey = tuple[Any, ...]


@dataclass(frozen=True)
class YamlDocument:
    path: Path
    data: Any
    lines: dict[PathKey, int]  # JSON path -> 1-based line

    def line_of(self, location: PathKey) -> int:
        location = tuple(location)
        while location and location not in self.lines:
            location = location[:-1]
        return self.lines.get(location, 1)


def _build(node: yaml.Node, at: PathKey, lines: dict[PathKey, int], source: Path) -> Any:
    lines[at] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = yaml.SafeLoader(key_node.value).get_single_data() if isinstance(key_node, yaml.ScalarNode) else None
            key = key_node.value if key is None else key
            if key in out:
                raise InputError(f"{source}:{key_node.start_mark.line + 1}: duplicate key {excerpt(key)}")
            out[key] = _build(value_node, at + (key,), lines, source)
            lines[at + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(child, at + (i,), lines, source) for i, child in enumerate(node.value)]
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def load_yaml(path: Path) -> YamlDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{path}:{line}: invalid YAML: {problem}") from None
    lines: dict[PathKey, int] = {}
    data = _build(node, (), lines, path) if node is not None else None
    return YamlDocument(path, data, lines)


def validate(document: YamlDocument, schema: dict, what: str) -> None:
    """Raise InputError naming the file, line and key of the first schema violation. The message
    never echoes the file: a value is shown only as a short, redacted excerpt (a config key
    pointed at a .env file must not print its passwords)."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document.data), key=lambda e: (document.line_of(e.absolute_path), str(e.message)))
    if errors:
        error = errors[0]
        at = tuple(error.absolute_path)
        location = "/".join(display(str(p), 60) for p in at) or "(top level)"
        message = schema_message(error)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            extra = sorted(str(k) for k in error.instance if k not in known)
            if extra:
                at = at + (extra[0],)
                message = f"unknown key {excerpt(extra[0])} (allowed: {', '.join(sorted(known))})"
        raise InputError(f"{document.path}:{document.line_of(at)}: invalid {what} at {location}: {message}")


_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "list"),
               (dict, "mapping"), (type(None), "null"))


def _type_name(value: Any) -> str:
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), type(value).__name__)


def schema_message(error: jsonschema.ValidationError) -> str:
    """What is wrong, from the schema's side; the offending value only as a redacted excerpt.
    (jsonschema's own messages embed the whole value.)"""
    kind, expected, value = error.validator, error.validator_value, error.instance
    key = str(error.absolute_path[-1]) if error.absolute_path else ""
    got = excerpt(value, key=key)
    if kind == "type":
        names = expected if isinstance(expected, list) else [expected]
        shown = got if isinstance(value, (dict, list)) else f"{_type_name(value)} {got}"
        return f"expected {' or '.join(str(n) for n in names)}, got {shown}"
    if kind in ("enum", "const"):
        choices = expected if kind == "enum" else [expected]
        return f"must be one of {', '.join(str(c) for c in choices)}; got {got}"
    if kind == "required":
        missing = [k for k in expected if isinstance(value, dict) and k not in value]
        return f"missing required key {', '.join(missing) or ', '.join(expected)}"
    if kind == "pattern":
        return f"does not match the pattern {expected}: {got}"
    if kind in ("minLength", "maxLength"):
        return f"must be {'at least' if kind == 'minLength' else 'at most'} {expected} characters long; got {got}"
    if kind in ("minItems", "maxItems", "minProperties", "maxProperties"):
        bound = "at least" if kind.startswith("min") else "at most"
        return f"must have {bound} {expected} {'items' if kind.endswith('Items') else 'keys'}; got {got}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        relation = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[kind]
        return f"must be {relation} {expected}; got {got}"
    if kind == "propertyNames":
        return f"invalid key {got}"
    return f"fails the schema's {kind!s} check; got {got}"
