"""Load YAML keeping the line of every value, and validate it against a JSON Schema with
errors that name the file and line (used for rules, control catalogues and drscan.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from drscan.errors import InputError

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
                raise InputError(f"{source}:{key_node.start_mark.line + 1}: duplicate key {key!r}")
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
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document.data), key=lambda e: (document.line_of(e.absolute_path), str(e.message)))
    if errors:
        error = errors[0]
        at = tuple(error.absolute_path)
        location = "/".join(str(p) for p in at) or "(top level)"
        message = error.message
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            extra = sorted(str(k) for k in error.instance if k not in known)
            if extra:
                at = at + (extra[0],)
                message = f"unknown key {extra[0]!r} (allowed: {', '.join(sorted(known))})"
        raise InputError(f"{document.path}:{document.line_of(at)}: invalid {what} at {location}: {message}")
