"""What one import file yields, before merging: resources, references and gaps."""

from __future__ import annotations

from dataclasses import dataclass, field

from drscan.model import Gap, Reference, Resource


@dataclass(slots=True)
class ImportBatch:
    resources: list[Resource] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    def extend(self, other: "ImportBatch") -> None:
        self.resources.extend(other.resources)
        self.references.extend(other.references)
        self.gaps.extend(other.gaps)
