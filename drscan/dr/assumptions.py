"""The DR figures drscan assumes (drscan/dr/assumptions.yaml, each with its source), with the
overrides from drscan.yaml `dr.assumptions` applied."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from drscan.errors import ConfigError, InputError
from drscan.yamlfile import load_yaml, validate

DATA_FILE = Path(__file__).with_name("assumptions.yaml")

_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["assumptions"],
    "properties": {"assumptions": {"type": "object", "additionalProperties": {
        "type": "object", "additionalProperties": False, "required": ["value", "unit", "source"],
        "properties": {"value": {"type": "number", "minimum": 0}, "unit": {"type": "string"},
                       "source": {"type": "string", "pattern": "^https://"}, "note": {"type": "string"}},
    }}},
}


@dataclass(frozen=True)
class Assumption:
    key: str
    value: float
    unit: str
    source: str
    note: str = ""
    overridden: bool = False  # set from drscan.yaml instead of the data file

    def as_dict(self) -> dict:
        return {"key": self.key, "value": self.value, "unit": self.unit, "source": self.source, "note": self.note,
                "overridden": self.overridden}


@lru_cache(maxsize=1)
def _defaults() -> tuple[Assumption, ...]:
    try:
        document = load_yaml(DATA_FILE)
        validate(document, _SCHEMA, "DR assumptions file")
    except InputError as exc:  # a broken package data file is a packaging error, reported as such
        raise ConfigError(str(exc)) from None
    return tuple(Assumption(key=k, value=float(v["value"]), unit=v["unit"], source=v["source"], note=v.get("note", ""))
                 for k, v in document.data["assumptions"].items())


def default_keys() -> set[str]:
    return {a.key for a in _defaults()}


class Assumptions:
    """Lookup of assumption values by key; `get` raises KeyError for a key not in the data file
    (a programming error, caught by the tests)."""

    def __init__(self, items: Mapping[str, Assumption]):
        self._items = dict(items)

    def get(self, key: str) -> float:
        return self._items[key].value

    def item(self, key: str) -> Assumption:
        return self._items[key]

    def all(self) -> list[Assumption]:
        return [self._items[k] for k in sorted(self._items)]


def load_assumptions(overrides: Mapping[str, float] | None = None) -> Assumptions:
    items = {a.key: a for a in _defaults()}
    for key, value in (overrides or {}).items():
        if key not in items:
            raise ConfigError(f"unknown DR assumption {key!r} (see {DATA_FILE} for the keys)")
        base = items[key]
        items[key] = Assumption(key=key, value=float(value), unit=base.unit, source=base.source, note=base.note,
                                overridden=True)
    return Assumptions(items)
