"""What a transform returns: normalized attributes, zones and outgoing references."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Shape:
    attrs: dict[str, Any] = field(default_factory=dict)
    zones: tuple[str, ...] = ()
    refs: list[tuple[str, str]] = field(default_factory=list)  # (relation type, target id)
    name: str | None = None

    def ref(self, relation: str, target: Any) -> None:
        if target:
            self.refs.append((relation, str(target)))
