"""The vector selectors of a PromQL expression (metric name and label matchers), found by a small
scanner rather than a full parser: enough to tell which series an alert watches. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

OPERATORS = ("=~", "!~", "!=", "=")
# Words that are followed by a label list rather than being metric names.
GROUPING = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "atan2", "inf", "nan", "start", "end"})
# Aggregation operators may be followed by `by (...)` before their parentheses.
AGGREGATIONS = frozenset({"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
                          "topk", "quantile", "limitk", "limit_ratio"})
_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_LABEL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9.][0-9A-Za-z_.+-]*")


@dataclass(frozen=True)
class Matcher:
    """A label matcher as Prometheus and Alertmanager write it: name, operator (= != =~ !~), value.
    Regular expressions are anchored at both ends, as in both tools."""

    name: str
    op: str
    value: str

    def matches(self, labels: dict[str, str]) -> bool | None:
        """Against a label set (an absent label is the empty string). None: an invalid regex."""
        actual = str(labels.get(self.name, ""))
        if self.op == "=":
            return actual == self.value
        if self.op == "!=":
            return actual != self.value
        pattern = _anchored(self.value)
        if pattern is None:
            return None
        found = pattern.fullmatch(actual) is not None
        return found if self.op == "=~" else not found

    def as_list(self) -> list[str]:
        return [self.name, self.op, self.value]

    def text(self) -> str:
        return f'{self.name}{self.op}"{self.value}"'


@lru_cache(maxsize=2048)
def _anchored(expression: str) -> re.Pattern[str] | None:
    try:
        return re.compile(f"(?:{expression})", re.S)
    except re.error:
        return None


@dataclass(frozen=True)
class Selector:
    """`metric{matchers}`; metric None for a bare `{__name__=~...}` selector."""

    metric: str | None
    matchers: tuple[Matcher, ...] = ()

    def metric_names(self) -> tuple[str, ...]:
        if self.metric:
            return (self.metric,)
        return tuple(m.value for m in self.matchers if m.name == "__name__" and m.op == "=")

    def as_dict(self) -> dict:
        # Sorted, as Prometheus prints them (/api/v1/rules), so a file and the API agree.
        return {"metric": self.metric, "matchers": sorted(m.as_list() for m in self.matchers)}

    @staticmethod
    def from_dict(data: dict) -> "Selector":
        return Selector(data.get("metric"), tuple(Matcher(*m) for m in data.get("matchers") or ()))


class PromqlError(ValueError):
    """An expression drscan's scanner cannot read (unbalanced braces or quotes)."""


def _skip_string(text: str, at: int) -> int:
    quote = text[at]
    at += 1
    while at < len(text):
        if text[at] == "\\" and quote != "`":
            at += 2
            continue
        if text[at] == quote:
            return at + 1
        at += 1
    raise PromqlError(f"unterminated string at offset {at}")


def _read_string(text: str, at: int) -> tuple[str, int]:
    end = _skip_string(text, at)
    raw = text[at + 1:end - 1]
    if text[at] == "`":
        return raw, end
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw), end


def _skip_space(text: str, at: int) -> int:
    while at < len(text):
        if text[at].isspace():
            at += 1
        elif text[at] == "#":
            newline = text.find("\n", at)
            at = len(text) if newline < 0 else newline + 1
        else:
            break
    return at


def parse_matchers(text: str, at: int = 0, closing: str = "}") -> tuple[tuple[Matcher, ...], int]:
    """Matchers from `at` (just after `{`) to the closing brace; returns (matchers, offset after it).
    Values may be quoted ("x", 'x', `x`) or, as Alertmanager allows, bare words."""
    found: list[Matcher] = []
    while True:
        at = _skip_space(text, at)
        if at >= len(text):
            if closing:
                raise PromqlError("unterminated label matchers")
            return tuple(found), at
        if closing and text[at] == closing:
            return tuple(found), at + 1
        if text[at] == ",":
            at += 1
            continue
        if text[at] in "\"'":
            name, at = _read_string(text, at)
        else:
            match = _LABEL.match(text, at)
            if not match:
                raise PromqlError(f"expected a label name at offset {at}: {text[at:at + 20]!r}")
            name, at = match.group(0), match.end()
        at = _skip_space(text, at)
        op = next((o for o in OPERATORS if text.startswith(o, at)), None)
        if op is None:
            raise PromqlError(f"expected =, !=, =~ or !~ after {name!r}")
        at = _skip_space(text, at + len(op))
        if at < len(text) and text[at] in "\"'`":
            value, at = _read_string(text, at)
        else:
            end = at
            while end < len(text) and text[end] not in ",}" and not (closing == "" and text[end] == ","):
                end += 1
            value, at = text[at:end].strip(), end
        found.append(Matcher(name, op, value))


def selectors(expression: str) -> tuple[Selector, ...]:
    """Every vector selector in the expression, in order of appearance."""
    text = str(expression)
    found: list[Selector] = []
    at = 0
    while True:
        at = _skip_space(text, at)
        if at >= len(text):
            return tuple(found)
        char = text[at]
        if char in "\"'`":
            at = _skip_string(text, at)
        elif char == "{":
            matchers, at = parse_matchers(text, at + 1)
            found.append(Selector(None, matchers))
        elif char == "[":
            end = text.find("]", at)
            if end < 0:
                raise PromqlError("unterminated range")
            at = end + 1
        elif char.isdigit() or (char == "." and text[at + 1:at + 2].isdigit()):
            at = _NUMBER.match(text, at).end()
        elif (match := _IDENT.match(text, at)) is not None:
            word, at = match.group(0), match.end()
            after = _skip_space(text, at)
            lowered = word.lower()
            if lowered in GROUPING:
                if after < len(text) and text[after] == "(":
                    end = text.find(")", after)
                    if end < 0:
                        raise PromqlError("unterminated label list")
                    at = end + 1
            elif after < len(text) and text[after] == "(":
                at = after  # a function or an aggregation
            elif lowered in KEYWORDS or lowered in AGGREGATIONS:
                pass
            elif after < len(text) and text[after] == "{":
                matchers, at = parse_matchers(text, after + 1)
                found.append(Selector(word, matchers))
            else:
                found.append(Selector(word))
        else:
            at += 1
