"""The one table of operators, and the compiler that turns a rule's condition (YAML data)
into a function of (resource, context) -> (verdict, reason).

Three-valued (Kleene) logic: True, False, or None = cannot tell. An attribute that the
collector did not provide (absent, or None) makes its comparison None, so a rule never
PASSes on data it could not see. `all` is False if any part is False, else None if any part
is None; `any` is True if any part is True, else None if any part is None; `not` keeps None.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from drscan.errors import RuleError
from drscan.model import Evidence, Resource
from drscan.redact import excerpt

Verdict = bool | None


class _Missing:
    """'Not collected', told apart from a collected None by identity. Pickled as a reference to
    this module's one instance, so compiled rules shipped to other processes (Dask workers) keep
    comparing against the same object."""

    def __reduce__(self) -> str:
        return "_MISSING"

    def __repr__(self) -> str:
        return "<not collected>"


_MISSING = _Missing()


@dataclass
class EvalContext:
    """Per-evaluation state: the graph lookup, the scan's clock, and the evidence read so far."""

    related: Callable[[str, str, str], list[Resource]]
    now: datetime
    evidence: list[Evidence] = field(default_factory=list)
    self_resource: Resource | None = None  # the rule's subject while evaluating a related `where`
    previous: Callable[[str], Resource | None] = lambda _id: None  # the resource as the previous scan saw it
    # Why resources the graph does not hold may still be linked (a Terraform plan read without the
    # live estate): then too few neighbours is unknown, not false. None: the graph is complete.
    open_world: str | None = None


Compiled = Callable[[Resource, EvalContext], tuple[Verdict, str]]


def _age_days(value: Any, now: datetime) -> float:
    when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return (now - when).total_seconds() / 86400


# A `matches` value longer than this is not matched (NOT_ASSESSED, with the reason): a
# backtracking pattern on a megabyte-long attribute would stall the whole evaluation.
MAX_MATCH_CHARS = 4096


class _TooLong(ValueError):
    pass


def _regex(value: Any, pattern: Any) -> bool:
    text = str(value)
    if len(text) > MAX_MATCH_CHARS:
        raise _TooLong(f"is {len(text):,} characters long; values over {MAX_MATCH_CHARS:,} are not matched")
    if isinstance(pattern, re.Pattern):
        return pattern.search(text) is not None
    try:  # a pattern read from data (value_from_self / value_from_previous)
        return re.search(str(pattern), text) is not None
    except re.error as exc:
        raise ValueError(f"is not a valid regular expression ({exc})") from None


def compile_pattern(pattern: Any, where: str) -> re.Pattern:
    """A rule's `matches` pattern, compiled when the rule is loaded; RuleError naming file:line."""
    if not isinstance(pattern, str):
        raise RuleError(f"{where}: operator 'matches' needs a string pattern, got {type(pattern).__name__}")
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        shown = pattern if len(pattern) <= 60 else pattern[:57] + "..."
        raise RuleError(f"{where}: invalid regular expression {shown!r} for 'matches': {exc}") from None


# name -> (function(actual, expected, now), needs a value, description for reasons)
OPERATORS: dict[str, tuple[Callable[[Any, Any, datetime], bool], bool, str]] = {
    "eq": (lambda a, e, n: a == e, True, "{e}"),
    "ne": (lambda a, e, n: a != e, True, "anything but {e}"),
    "in": (lambda a, e, n: a in e, True, "one of {e}"),
    "not_in": (lambda a, e, n: a not in e, True, "none of {e}"),
    "gt": (lambda a, e, n: a > e, True, "> {e}"),
    "gte": (lambda a, e, n: a >= e, True, ">= {e}"),
    "lt": (lambda a, e, n: a < e, True, "< {e}"),
    "lte": (lambda a, e, n: a <= e, True, "<= {e}"),
    "contains": (lambda a, e, n: e in a, True, "to contain {e}"),
    "not_contains": (lambda a, e, n: e not in a, True, "not to contain {e}"),
    "len_gte": (lambda a, e, n: len(a) >= e, True, "at least {e} entries"),
    "len_lte": (lambda a, e, n: len(a) <= e, True, "at most {e} entries"),
    "matches": (lambda a, e, n: _regex(a, e), True, "to match /{e}/"),
    "age_days_lte": (lambda a, e, n: _age_days(a, n) <= e, True, "at most {e} days old"),
    "exists": (lambda a, e, n: a is not None, False, "a value"),
    "not_exists": (lambda a, e, n: a is None, False, "no value"),
}
# These two look at presence itself, so a None value is an answer, not "unknown".
PRESENCE_OPERATORS = {"exists", "not_exists"}
# Operators on one value, and on a list or object: an actual value of the other shape is data of
# the wrong type (a list where a string belongs), which answers nothing (None), never PASS.
SCALAR_OPERATORS = {"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "matches", "age_days_lte"}
COLLECTION_OPERATORS = {"len_gte", "len_lte"}


def _wrong_shape(op: str, actual: Any, want: Any) -> bool:
    container = isinstance(actual, (dict, list))
    if op in SCALAR_OPERATORS:
        return container and not (op in ("eq", "ne") and isinstance(want, (dict, list)))
    return op in COLLECTION_OPERATORS and not container


def read_path(resource: Resource, path: str) -> Any:
    """'@region', '@account', '@zones', '@name', '@kind', 'tags.<key>' or a dotted attribute path.
    (Rules may also write 'prev.<path>' for the previous scan's value; see _compile_attr.)"""
    if path.startswith("@"):
        return getattr(resource, path[1:], _MISSING)
    if path.startswith("tags."):
        return resource.tags.get(path[5:])  # tags are always collected: absent is a fact, not a gap
    value: Any = resource.attrs
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _show(value: Any) -> str:
    """JSON spelling (true, null, "x"), which auditors and the JSON report share."""
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 120 else text[:117] + "..."


def _compile_attr(node: dict, where: str) -> Compiled:
    path, op = node["attr"], node["op"]
    if op not in OPERATORS:
        raise RuleError(f"{where}: unknown operator {excerpt(op)} (known: {', '.join(sorted(OPERATORS))})")
    function, needs_value, text = OPERATORS[op]
    self_path = node.get("value_from_self")
    previous_path = node.get("value_from_previous")
    if needs_value and "value" not in node and not self_path and not previous_path:
        raise RuleError(f"{where}: operator {excerpt(op)} needs a value")
    expected = node.get("value")
    if op == "matches" and "value" in node:
        expected = compile_pattern(expected, where)
    label = path
    is_tag = path.startswith("tags.")
    from_previous = path.startswith("prev.")
    read = path[5:] if from_previous else path

    def evaluate(resource: Resource, ctx: EvalContext) -> tuple[Verdict, str]:
        subject = ctx.previous(resource.id) if from_previous else resource
        actual = read_path(subject, read) if subject is not None else _MISSING
        shown = None if actual is _MISSING else actual
        prefix = "" if ctx.self_resource is None else f"{resource.name}: "
        ctx.evidence.append(Evidence(prefix + label, shown))
        want = expected
        if self_path and ctx.self_resource is not None:
            want = read_path(ctx.self_resource, self_path)
            if want is _MISSING or want is None:
                return None, f"{self_path} was not collected"
        if previous_path:
            before = ctx.previous(resource.id)
            want = read_path(before, previous_path) if before is not None else _MISSING
            if want is _MISSING or want is None:
                return None, f"{previous_path} was not recorded in the previous scan"
            ctx.evidence.append(Evidence(f"prev.{previous_path}", want))
        if actual is None and is_tag and op not in PRESENCE_OPERATORS:
            return False, f"{prefix}resource has no tag {label[5:]!r}"
        if actual is _MISSING or (actual is None and op not in PRESENCE_OPERATORS):
            return None, f"{prefix}{label} was not collected"
        if _wrong_shape(op, actual, want):
            return None, f"{prefix}{label} = {_show(actual)} is not the kind of value {op!r} compares"
        try:
            result = bool(function(actual, want, ctx.now))
        except _TooLong as exc:
            return None, f"{prefix}{label} {exc}"
        except (TypeError, ValueError, OverflowError):
            return None, f"{prefix}{label} = {_show(actual)} cannot be compared ({op})"
        if result:
            return True, f"{prefix}{label} = {_show(actual)}"
        if isinstance(want, re.Pattern):
            want = want.pattern
        shown_want = want if isinstance(want, str) and op == "matches" else _show(want)
        return False, f"{prefix}{label} is {_show(actual)}, expected {text.format(e=shown_want)}"

    return evaluate


def _compile_related(spec: dict, where: str, line_of: Callable[[tuple], int], at: tuple) -> Compiled:
    relation = spec["relation"]
    direction = spec.get("direction", "out")
    kinds = set(spec.get("kinds") or ())
    minimum = spec.get("min", 1)
    inner = compile_condition(spec["where"], where, line_of, at + ("where",)) if "where" in spec else None
    arrow = f"{relation}{'<-' if direction == 'in' else '->'}"

    def evaluate(resource: Resource, ctx: EvalContext) -> tuple[Verdict, str]:
        neighbours = [n for n in ctx.related(resource.id, relation, direction) if not kinds or n.kind in kinds]
        yes = unknown = 0
        unknown_reason = ""
        outer_self = ctx.self_resource
        ctx.self_resource = resource
        try:
            for neighbour in neighbours:
                verdict, reason = inner(neighbour, ctx) if inner else (True, "")
                if verdict:
                    yes += 1
                elif verdict is None:
                    unknown += 1
                    unknown_reason = unknown_reason or reason
        finally:
            ctx.self_resource = outer_self
        ctx.evidence.append(Evidence(f"related[{arrow}]", [n.id for n in neighbours][:10]))
        what = f"{' or '.join(sorted(kinds)) or 'resource'} linked by '{relation}' ({'to' if direction == 'in' else 'from'} this one)"
        if yes >= minimum:
            return True, f"{yes} {what}"
        if yes + unknown >= minimum:
            return None, unknown_reason
        if ctx.open_world:
            return None, f"{yes} {what} among what was read; {ctx.open_world}"
        qualifier = " matching the rule" if inner and neighbours else ""
        return False, f"{yes} {what}{qualifier}; at least {minimum} required"

    return evaluate


def compile_condition(node: Any, where: str, line_of: Callable[[tuple], int], at: tuple) -> Compiled:
    """Compile and validate a condition; errors name `where` (file) and the line of `at`."""
    here = f"{where}:{line_of(at)}"
    if not isinstance(node, dict) or not node:
        raise RuleError(f"{here}: a condition must be a mapping")
    keys = set(node)
    if keys <= {"attr", "op", "value", "value_from_self", "value_from_previous"} and {"attr", "op"} <= keys:
        return _compile_attr(node, here)
    if len(keys) != 1:
        raise RuleError(f"{here}: unknown condition keys {sorted(keys)}; use all/any/not/related or attr+op[+value]")
    (key, value), = node.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"{here}: '{key}' needs a non-empty list")
        parts = [compile_condition(v, where, line_of, at + (key, i)) for i, v in enumerate(value)]
        return _all(parts) if key == "all" else _any(parts)
    if key == "not":
        inner = compile_condition(value, where, line_of, at + ("not",))
        return _not(inner)
    if key == "related":
        allowed = {"relation", "direction", "kinds", "where", "min"}
        if not isinstance(value, dict) or "relation" not in value or set(value) - allowed:
            raise RuleError(f"{here}: 'related' takes {sorted(allowed)} and needs 'relation'")
        if value.get("direction", "out") not in ("in", "out"):
            raise RuleError(f"{here}: related direction must be 'in' or 'out'")
        return _compile_related(value, where, line_of, at + ("related",))
    raise RuleError(f"{here}: unknown condition key {excerpt(key)}")


def related_depth(node: Any) -> int:
    """How many `related` hops a condition reads at most (nested `where` blocks add one each):
    a partition of the graph evaluates correctly when it holds every resource that many hops away."""
    if not isinstance(node, dict):
        return 0
    if "related" in node and isinstance(node["related"], dict):
        return 1 + related_depth(node["related"].get("where"))
    children = [v for key in ("all", "any") if isinstance(node.get(key), list) for v in node[key]]
    if "not" in node:
        children.append(node["not"])
    return max((related_depth(child) for child in children), default=0)


def _all(parts: list[Compiled]) -> Compiled:
    def evaluate(resource: Resource, ctx: EvalContext) -> tuple[Verdict, str]:
        unknown_reason = None
        reasons = []
        for part in parts:
            verdict, reason = part(resource, ctx)
            if verdict is False:
                return False, reason
            if verdict is None and unknown_reason is None:
                unknown_reason = reason
            reasons.append(reason)
        if unknown_reason is not None:
            return None, unknown_reason
        return True, "; ".join(reasons)
    return evaluate


def _any(parts: list[Compiled]) -> Compiled:
    def evaluate(resource: Resource, ctx: EvalContext) -> tuple[Verdict, str]:
        unknown_reason = None
        reasons = []
        for part in parts:
            verdict, reason = part(resource, ctx)
            if verdict is True:
                return True, reason
            if verdict is None and unknown_reason is None:
                unknown_reason = reason
            reasons.append(reason)
        if unknown_reason is not None:
            return None, unknown_reason
        return False, " and ".join(reasons)
    return evaluate


def _not(inner: Compiled) -> Compiled:
    def evaluate(resource: Resource, ctx: EvalContext) -> tuple[Verdict, str]:
        verdict, reason = inner(resource, ctx)
        if verdict is None:
            return None, reason
        return (not verdict), ("not: " + reason)
    return evaluate
