"""One export file as raw records: each with where it came from ("file#item 3") and the
converter that turns it into Resources. Importers work record by record, so a record drscan
cannot read becomes a Gap naming the file and the record, and the rest of the file still counts.
(Collect stage, offline: files.py finds and parses files, the format modules list their records.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from drscan.collect.imports.batch import ImportBatch
from drscan.errors import InputError
from drscan.model import Gap, Reference, Resource


# What reading a record of the wrong shape raises (a list where an object was expected, an object
# where text was): the record is unreadable, a Gap, not a crash.
UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError)


@dataclass
class Converted:
    """What one record gave: usually one resource; a Gap when part of it could not be read."""

    resources: list[Resource] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass(frozen=True)
class RawRecord:
    where: str  # "path#item 3": the file and the record, as findings' `source` and gaps name it
    value: Any  # the record as the file holds it (parsed JSON, or a credential-report row)
    convert: Callable[[Any, str], Converted]


class RecordError(InputError):
    """One record cannot be read at all (no identity, not an object): it is skipped with a Gap."""

    def __init__(self, message: str, *, provider: str = "import", kind: str | None = None,
                 account: str = "", region: str = "") -> None:
        super().__init__(message)
        self.provider, self.kind, self.account, self.region = provider, kind, account, region


def record_gap(where: str, why: str, *, provider: str = "import", kind: str | None = None, account: str = "",
               region: str = "", resource_id: str | None = None, skipped: bool = True) -> Gap:
    """A Gap about one record. `skipped`: the record gave no resource (else: it gave one whose
    unreadable attributes were left out)."""
    outcome = "record skipped" if skipped else "its attributes were not read"
    return Gap(provider=provider, account=account, region=region, service="import", operation=where,
               code="UnreadableRecord", message=f"{where}: {why}; {outcome}", resource_id=resource_id,
               kinds=(kind,) if kind else ())


def unreadable_gap(where: str, what: str, exc: Exception, *, provider: str, kind: str | None = None) -> Gap:
    """The Gap for a record whose reading raised one of UNREADABLE."""
    why = f"lacks {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
    return record_gap(where, f"unreadable {what} ({why})", provider=provider, kind=kind)


def type_name(value: Any) -> str:
    """JSON's name for a parsed value's type, for messages."""
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def convert_records(records: Iterable[RawRecord]) -> ImportBatch:
    batch = ImportBatch()
    for record in records:
        try:
            converted = record.convert(record.value, record.where)
        except RecordError as exc:
            batch.gaps.append(record_gap(record.where, str(exc).removeprefix(f"{record.where}: "), provider=exc.provider,
                                         kind=exc.kind, account=exc.account, region=exc.region))
            continue
        except RecursionError:  # within JSON's depth limit, past Python's: unreadable, not a crash
            batch.gaps.append(record_gap(record.where, "nested too deeply to read"))
            continue
        batch.resources.extend(converted.resources)
        batch.references.extend(converted.references)
        batch.gaps.extend(converted.gaps)
    return batch
