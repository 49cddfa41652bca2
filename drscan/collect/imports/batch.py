"""What one import file yields, before merging: resources, references and gaps."""

from __future__ import annotations

from dataclasses import dataclass, field

from drscan.model import Gap, Reference, Resource


@dataclass(slots=True)
class ImportBatch:
    resources: list[Resource] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    # When the whole file's data was captured (ISO 8601 UTC) and how that is known, when the file
    # says so for all its records (a Cloud Asset readTime); records may carry their own instead.
    captured_at: str = ""
    captured_basis: str = ""

    def extend(self, other: "ImportBatch") -> None:
        self.resources.extend(other.resources)
        self.references.extend(other.references)
        self.gaps.extend(other.gaps)
