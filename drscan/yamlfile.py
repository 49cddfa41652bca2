"""Load YAML keeping the line of every value, and validate it against a JSON Schema with
errors that name the file and line. The one YAML reader of drscan: drscan.yaml, rule files,
control catalogues, drills, attestations, waivers, notify.yaml, the DR assumptions.

Every file is untrusted and bounded: size, nesting depth, values after alias expansion
(a "billion laughs" file stops at MAX_NODES instead of eating the machine), recursive
aliases, explicit tags (only !!str, !!seq, !!map), integers beyond 64 bits, .nan/.inf and
bytes that are not UTF-8 are each an InputError naming the file and line. Dates stay strings
("2026-01-31"): the caller that wants a date parses and range-checks it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from yaml.resolver import Resolver

from drscan.errors import InputError
from drscan.redact import excerpt
from drscan.safe_text import display

try:
    from yaml._yaml import CParser as _LibyamlParser  # PyYAML's wheels include libyaml
except ImportError:  # pragma: no cover - a PyYAML built without it
    _LibyamlParser = None

PathKey = tuple[Any, ...]

MAX_FILE_BYTES = 2 * 1024**2  # ~10,000 apps in drscan.yaml; the largest bundled file is 30 KB
MAX_DEPTH = 64  # nesting of mappings and sequences, also after alias expansion
MAX_NODES = 200_000  # values after alias expansion; the largest bundled file has ~1,000
MAX_INT = 2**63 - 1  # what SQLite and the JSON writers can store

_TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, MERGE = (_TAG + name for name in ("str", "int", "float", "bool", "null", "merge"))
SEQ, MAP = _TAG + "seq", _TAG + "map"
ALLOWED_EXPLICIT_TAGS = {STR, SEQ, MAP}
# Implicit resolution keeps str/int/float/bool/null and merge keys; timestamps stay strings and
# the YAML 1.1 "=" value tag (which no constructor handles) is not resolved.
_KEPT_IMPLICIT = {INT, FLOAT, BOOL, NULL, MERGE}


def _implicit_resolvers() -> dict[Any, list]:
    kept = {first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_IMPLICIT]
            for first, resolvers in Resolver.yaml_implicit_resolvers.items()}
    return {first: resolvers for first, resolvers in kept.items() if resolvers}


class _Resolver(Resolver):
    yaml_implicit_resolvers = _implicit_resolvers()


class _Limit(Exception):
    """A bound was hit while composing; carries the 1-based line and the problem."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line, self.problem = line, problem


class _Bounded(yaml.composer.Composer, yaml.constructor.SafeConstructor, _Resolver):
    """PyYAML's safe composer with a depth bound, a check on explicit tags, and the line of
    every *alias (for errors inside an expansion). Events come from the parser mixed in."""

    def __init__(self) -> None:
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self.depth = 0
        self.alias_lines: dict[tuple[int, Any], int] = {}  # (id(parent node), index or id(key node)) -> line of *alias

    def single_node(self) -> yaml.Node | None:
        return yaml.composer.Composer.get_single_node(self)  # not libyaml's own (unbounded) composer

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and parent is not None:
            slot = index if isinstance(index, int) else id(index)
            self.alias_lines[(id(parent), slot)] = event.start_mark.line + 1
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in ALLOWED_EXPLICIT_TAGS:
            shown = tag.replace(_TAG, "!!") if tag.startswith(_TAG) else tag
            raise _Limit(event.start_mark.line + 1, f"tag {shown[:60]!r} is not allowed (only !!str, !!seq, !!map)")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Limit(event.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _PythonComposer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _Bounded):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _Bounded.__init__(self)


if _LibyamlParser is not None:
    class _LibyamlComposer(_LibyamlParser, _Bounded):  # libyaml scans and parses about 15x faster
        def __init__(self, stream: str) -> None:
            _LibyamlParser.__init__(self, stream)
            _Bounded.__init__(self)


def _composer(text: str) -> _Bounded:
    return _LibyamlComposer(text) if _LibyamlParser is not None else _PythonComposer(text)


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


class _Builder:
    """Node graph -> plain data (dict, list, str, int, float, bool, None) with the line of every
    value, expanding aliases under a budget of MAX_NODES values and MAX_DEPTH levels."""

    def __init__(self, source: Path | str, constructor: _Bounded, max_nodes: int = MAX_NODES) -> None:
        self.source, self.constructor, self.max_nodes = source, constructor, max_nodes
        self.lines: dict[PathKey, int] = {}
        self.count = 0
        self.active: set[int] = set()  # ids of the collection nodes being built (recursion check)
        self.alias_lines = constructor.alias_lines
        self.expanding: list[int] = []  # lines of the *aliases being expanded, outermost first

    def error(self, node: yaml.Node, problem: str) -> InputError:
        # Inside an expansion, name the outermost *alias: the line the reader has to change.
        line = self.expanding[0] if self.expanding else node.start_mark.line + 1
        return InputError(f"{self.source}:{line}: invalid YAML: {problem}")

    def child(self, parent: yaml.Node, slot: Any, node: yaml.Node, at: PathKey, depth: int) -> Any:
        alias_line = self.alias_lines.get((id(parent), slot))
        if alias_line is None:
            return self.build(node, at, depth)
        self.expanding.append(alias_line)
        try:
            return self.build(node, at, depth)
        finally:
            self.expanding.pop()

    def build(self, node: yaml.Node, at: PathKey, depth: int = 1) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise self.error(node, f"more than {self.max_nodes:,} values (each alias counted as often as it is expanded)")
        if depth > MAX_DEPTH:
            raise self.error(node, f"nested more than {MAX_DEPTH} levels deep once aliases are expanded")
        self.lines[at] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if id(node) in self.active:
            raise self.error(node, "an alias refers to a value that contains it (recursive alias)")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.child(node, i, item, at + (i,), depth + 1) for i, item in enumerate(node.value)]
            return self.mapping(node, at, depth)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, at: PathKey, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:  # `<<: *defaults` first: keys written here win
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == MERGE:
                self.merge(node, key_node, value_node, out, at, depth)
        written: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, "a mapping key must be a plain value, not a list or mapping")
            if key_node.tag == MERGE:
                continue
            key = key_node.value  # keys are text, as in JSON: `1:`, `on:` and `2026-01-01:` stay strings
            if key in written:
                raise InputError(f"{self.source}:{key_node.start_mark.line + 1}: duplicate key {excerpt(key)}")
            written.add(key)
            out[key] = self.child(node, id(key_node), value_node, at + (key,), depth + 1)
            self.lines[at + (key,)] = key_node.start_mark.line + 1
        return out

    def merge(self, parent: yaml.MappingNode, key_node: yaml.Node, node: yaml.Node, out: dict[str, Any], at: PathKey,
              depth: int) -> None:
        line = self.lines.get(at)
        if isinstance(node, yaml.SequenceNode):
            if id(node) in self.active:
                raise self.error(node, "an alias refers to a value that contains it (recursive alias)")
            sources = [(node, i, item) for i, item in enumerate(node.value)]
        else:
            sources = [(parent, id(key_node), node)]
        for holder, slot, source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise self.error(source, "a merge key (<<) takes a mapping or a list of mappings")
            for key, value in self.child(holder, slot, source, at, depth).items():
                out.setdefault(key, value)  # the first mapping listed wins
        if line is not None:
            self.lines[at] = line

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag == INT:
            digits = node.value.replace("_", "").lstrip("+-")
            if len(digits) > 40:  # also keeps int() away from Python's 4,300-digit limit
                raise self.error(node, f"integer out of range (more than 64 bits): {node.value[:20]}...")
            value = yaml.constructor.SafeConstructor.construct_yaml_int(self.constructor, node)
            if abs(value) > MAX_INT:
                raise self.error(node, f"integer out of range (more than 64 bits): {node.value[:40]}")
            return value
        if tag == FLOAT:
            value = yaml.constructor.SafeConstructor.construct_yaml_float(self.constructor, node)
            if not math.isfinite(value):
                raise self.error(node, f"{node.value[:40]} is not a finite number (.nan and .inf are not allowed)")
            return value
        if tag == BOOL:
            return yaml.constructor.SafeConstructor.construct_yaml_bool(self.constructor, node)
        if tag == NULL:
            return None
        return node.value  # !!str, and any plain text the resolver left as a string


# What YAML allows in a stream (YAML 1.1 printable characters); anything else is named by line.
_NOT_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _read_text(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{path}: larger than {MAX_FILE_BYTES // 1024**2} MB; not read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte 0x{data[start]:02x} at column {column})") from None
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"{path}:{line}: invalid YAML: control character U+{ord(bad.group()):04X} is not allowed")
    return text


def _compose(text: str, path: Path) -> tuple[yaml.Node | None, _Bounded]:
    loader = _composer(text)
    try:
        return loader.single_node(), loader
    except _Limit as exc:
        raise InputError(f"{path}:{exc.line}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        if context and problem.startswith("but "):  # "expected a single document ... but found another document"
            problem = f"{context} {problem}"
        raise InputError(f"{path}:{line}: invalid YAML: {problem}") from None
    except RecursionError:  # MAX_DEPTH stops composing first; this is the last line of defence
        raise InputError(f"{path}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()


def load_yaml(path: Path) -> YamlDocument:
    """Read one YAML document from `path` within the bounds above; InputError naming file:line."""
    path = Path(path)
    node, constructor = _compose(_read_text(path), path)
    if node is None:
        return YamlDocument(path, None, {})
    builder = _Builder(path, constructor)
    data = builder.build(node, ())
    return YamlDocument(path, data, builder.lines)


def parse_yaml_text(text: str, where: str, max_nodes: int = MAX_NODES) -> Any:
    """YAML that is not a file of its own (an API answer's field, a file another importer has
    read) -> plain data, within the same bounds (depth, alias expansion up to `max_nodes` values,
    tags, numbers); InputError naming `where` and the line."""
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise InputError(f"{where}:{line}: invalid YAML: control character U+{ord(bad.group()):04X} is not allowed")
    node, constructor = _compose(text, where)
    return None if node is None else _Builder(where, constructor, max_nodes).build(node, ())


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
