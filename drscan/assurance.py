"""Manual assurance that cloud configuration cannot give: attestations for manual controls
(attestations.yaml) and time-boxed waivers for accepted findings (waivers.yaml). Both are
validated YAML with file:line errors; expiry is judged at the report's as-of time."""

from __future__ import annotations

import fnmatch
import hashlib
import stat
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from drscan.config import parse_date
from drscan.errors import InputError
from drscan.redact import excerpt
from drscan.safe_text import display
from drscan.yamlfile import load_yaml, validate

_DATE: dict = {}  # "YYYY-MM-DD" (yamlfile keeps dates as text): parsed and range-checked by parse_date

ATTESTATIONS_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["attestations"],
    "properties": {"attestations": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["control", "statement", "owner", "date", "expires"],
        "properties": {
            "control": {"type": "string", "pattern": "^[a-z0-9-]+:.+$"},
            "statement": {"type": "string", "minLength": 10},
            "owner": {"type": "string"},
            "date": _DATE, "expires": _DATE,
            "type": {"type": "string"},
            "evidence": {"type": "array", "items": {"type": "string"}},
        }}}},
}

WAIVERS_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["waivers"],
    "properties": {"waivers": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["rule", "resources", "owner", "reason", "ticket", "expires"],
        "properties": {
            "rule": {"type": "string"},
            "resources": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "owner": {"type": "string"}, "reason": {"type": "string", "minLength": 5},
            "ticket": {"type": "string"}, "expires": _DATE,
        }}}},
}


@dataclass(frozen=True)
class EvidenceFile:
    name: str  # path as written in attestations.yaml
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Attestation:
    control: str  # "framework:control-id"
    statement: str
    owner: str
    date: date
    expires: date
    type: str = ""
    evidence: tuple[EvidenceFile, ...] = ()
    line: int = 0

    def valid_on(self, day: date) -> bool:
        return self.date <= day <= self.expires


@dataclass(frozen=True)
class Waiver:
    rule: str
    resources: tuple[str, ...]  # glob patterns on resource id or name
    owner: str
    reason: str
    ticket: str
    expires: date
    line: int = 0

    def matches(self, rule_id: str, resource_id: str, resource_name: str) -> bool:
        return fnmatch.fnmatchcase(rule_id, self.rule) and any(
            fnmatch.fnmatchcase(resource_id, p) or fnmatch.fnmatchcase(resource_name, p) for p in self.resources)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "resources": list(self.resources), "owner": self.owner, "reason": self.reason,
                "ticket": self.ticket, "expires": self.expires.isoformat()}


def _hash(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), path.stat().st_size


def evidence_file(attestations: Path, name: str, line: int) -> Path:
    """The evidence file `name` of an attestation: a regular file inside the attestation file's
    directory, reached without a symbolic link (a link to /etc/shadow must not be packed and signed)."""
    base = attestations.absolute().parent
    where = f"{attestations}:{line}: evidence {display(name, 200)}"
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise InputError(f"{where}: must be a path inside {base}")
    current = base
    for part in relative.parts:
        current = current / part
        try:
            mode = current.lstat().st_mode
        except OSError:
            raise InputError(f"{where}: evidence file not found") from None
        if stat.S_ISLNK(mode):
            raise InputError(f"{where}: {display(str(current.relative_to(base)), 200)} is a symbolic link; "
                             "give the file itself")
    if not stat.S_ISREG(mode):
        raise InputError(f"{where}: not a regular file")
    resolved = current.resolve()
    if not resolved.is_relative_to(base.resolve()):
        raise InputError(f"{where}: resolves outside {base}")
    return resolved


def load_attestations(path: Path, known_controls: set[str]) -> list[Attestation]:
    document = load_yaml(path)
    validate(document, ATTESTATIONS_SCHEMA, "attestations file")
    out = []
    for index, entry in enumerate(document.data["attestations"]):
        line = document.line_of(("attestations", index))
        if entry["control"] not in known_controls:
            raise InputError(f"{path}:{document.line_of(('attestations', index, 'control'))}: unknown control "
                             f"{excerpt(entry['control'])} (write framework:control-id, e.g. iso27001-2022:A.5.29)")
        try:
            start, end = parse_date(entry["date"]), parse_date(entry["expires"])
        except ValueError as exc:
            raise InputError(f"{path}:{line}: {exc}") from None
        if end < start:
            raise InputError(f"{path}:{document.line_of(('attestations', index, 'expires'))}: expires before its date")
        files = []
        for i, name in enumerate(entry.get("evidence") or []):
            file = evidence_file(path, name, document.line_of(("attestations", index, "evidence", i)))
            sha, size = _hash(file)
            files.append(EvidenceFile(name, file, sha, size))
        out.append(Attestation(entry["control"], entry["statement"], entry["owner"], start, end,
                               entry.get("type", ""), tuple(files), line))
    return out


def load_waivers(path: Path, known_rules: set[str]) -> list[Waiver]:
    document = load_yaml(path)
    validate(document, WAIVERS_SCHEMA, "waivers file")
    out = []
    for index, entry in enumerate(document.data["waivers"]):
        if not any(fnmatch.fnmatchcase(rule, entry["rule"]) for rule in known_rules):
            raise InputError(f"{path}:{document.line_of(('waivers', index, 'rule'))}: "
                             f"no rule matches {excerpt(entry['rule'])}")
        try:
            expires = parse_date(entry["expires"])
        except ValueError as exc:
            raise InputError(f"{path}:{document.line_of(('waivers', index, 'expires'))}: {exc}") from None
        out.append(Waiver(entry["rule"], tuple(entry["resources"]), entry["owner"], entry["reason"], entry["ticket"],
                          expires, document.line_of(("waivers", index))))
    return out


@dataclass
class Assurance:
    """Attestations and waivers as they stand on `as_of`."""

    as_of: date = field(default_factory=lambda: datetime.now(timezone.utc).date())
    attestations: list[Attestation] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)

    def active_waivers(self) -> list[Waiver]:
        return [w for w in self.waivers if w.expires >= self.as_of]

    def expired_waivers(self) -> list[Waiver]:
        return [w for w in self.waivers if w.expires < self.as_of]

    def waiver_for(self, rule_id: str, resource_id: str, resource_name: str) -> Waiver | None:
        return next((w for w in self.active_waivers() if w.matches(rule_id, resource_id, resource_name)), None)

    def attested(self, control: str) -> list[Attestation]:
        return [a for a in self.attestations if a.control == control and a.valid_on(self.as_of)]
