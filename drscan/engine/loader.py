"""Load rules (rules/**/*.yaml) and control catalogues (rules/controls/*.yaml), validate them,
and index rules by resource kind."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from drscan.engine.predicates import Compiled, compile_condition, related_depth
from drscan.engine.schema import CATALOGUE, RULE_FILE
from drscan.errors import InputError, RuleError
from drscan.redact import excerpt
from drscan.yamlfile import load_yaml, validate


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    manual: bool
    theme_id: str
    theme_name: str


@dataclass(frozen=True)
class Catalogue:
    framework: str
    title: str
    version: str
    source: str
    controls: tuple[Control, ...]

    def control_ids(self) -> set[str]:
        return {c.id for c in self.controls}


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    title: str
    description: str
    severity: str
    category: str
    kinds: tuple[str, ...]
    controls: tuple[str, ...]  # "framework:control-id"
    remediation: str
    references: tuple[str, ...]
    condition: Compiled = field(repr=False, compare=False)
    when: Compiled | None = field(default=None, repr=False, compare=False)
    source: str = ""
    related_depth: int = 0  # `related` hops the rule reads (see predicates.related_depth)
    justification: Mapping[str, str] = field(default_factory=dict)  # "framework:control" -> reason


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    catalogues: dict[str, Catalogue]
    digest: str
    by_kind: dict[str, tuple[Rule, ...]] = field(default_factory=dict)

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _load_validated(path: Path, schema: dict, what: str):
    try:
        document = load_yaml(path)
        validate(document, schema, what)
    except InputError as exc:
        raise RuleError(str(exc)) from None
    return document


def load_catalogue(path: Path) -> Catalogue:
    document = _load_validated(path, CATALOGUE, "control catalogue")
    data = document.data
    controls = []
    seen: set[str] = set()
    for t, theme in enumerate(data["themes"]):
        for c, control in enumerate(theme["controls"]):
            if control["id"] in seen:
                line = document.line_of(("themes", t, "controls", c, "id"))
                raise RuleError(f"{path}:{line}: duplicate control id {excerpt(control['id'])}")
            seen.add(control["id"])
            controls.append(Control(control["id"], control["title"], bool(control.get("manual", False)),
                                    theme["id"], theme["name"]))
    return Catalogue(data["framework"], data["title"], str(data["version"]), data.get("source", ""), tuple(controls))


def _load_rule_file(path: Path, catalogues: dict[str, Catalogue]) -> list[Rule]:
    document = _load_validated(path, RULE_FILE, "rule file")
    rules = []
    for index, entry in enumerate(document.data["rules"]):
        at = ("rules", index)
        controls = []
        for framework, ids in entry["controls"].items():
            catalogue = catalogues.get(framework)
            if catalogue is None:
                raise RuleError(f"{path}:{document.line_of(at + ('controls', framework))}: rule {entry['id']}: "
                                f"unknown framework {excerpt(framework)} (known: {', '.join(sorted(catalogues))})")
            known = catalogue.control_ids()
            for i, control_id in enumerate(ids):
                if control_id not in known:
                    raise RuleError(f"{path}:{document.line_of(at + ('controls', framework, i))}: rule {entry['id']}: "
                                    f"{excerpt(control_id)} is not a control of {framework}")
                controls.append(f"{framework}:{control_id}")
        where = str(path)
        justification = dict(entry.get("justification") or {})
        for key in justification:
            if key not in controls:
                raise RuleError(f"{path}:{document.line_of(at + ('justification', key))}: rule {entry['id']}: "
                                f"justification for {key!r}, which is not one of the rule's controls")
        rules.append(Rule(
            id=entry["id"], version=entry["version"], title=entry["title"],
            description=entry.get("description", ""), severity=entry["severity"], category=entry["category"],
            kinds=tuple(entry["kinds"]), controls=tuple(controls), remediation=entry["remediation"].strip(),
            references=tuple(entry.get("references") or ()),
            condition=compile_condition(entry["condition"], where, document.line_of, at + ("condition",)),
            when=compile_condition(entry["when"], where, document.line_of, at + ("when",)) if "when" in entry else None,
            source=f"{path.name}:{document.line_of(at)}",
            related_depth=max(related_depth(entry["condition"]), related_depth(entry.get("when"))),
            justification=justification,
        ))
    return rules


def load_rules(root: Path, exclude: tuple[str, ...] = ()) -> RuleSet:
    if not root.is_dir():
        raise RuleError(f"{root}: rules directory not found")
    catalogue_files = sorted((root / "controls").glob("*.yaml"))
    catalogues: dict[str, Catalogue] = {}
    for path in catalogue_files:
        catalogue = load_catalogue(path)
        catalogues[catalogue.framework] = catalogue
    rule_files = sorted(p for p in root.rglob("*.yaml") if "controls" not in p.relative_to(root).parts)
    digest = hashlib.sha256()
    rules: list[Rule] = []
    origin: dict[str, str] = {}
    for path in rule_files:
        digest.update(path.read_bytes())
        for rule in _load_rule_file(path, catalogues):
            if rule.id in origin:
                raise RuleError(f"{path}: duplicate rule id {excerpt(rule.id)} (also in {origin[rule.id]})")
            origin[rule.id] = rule.source
            rules.append(rule)
    for path in catalogue_files:
        digest.update(path.read_bytes())
    unknown = set(exclude) - set(origin)
    if unknown:
        raise RuleError(f"excluded rules do not exist: {', '.join(sorted(unknown))}")
    kept = tuple(r for r in rules if r.id not in set(exclude))
    by_kind: dict[str, list[Rule]] = defaultdict(list)
    for rule in kept:
        for kind in rule.kinds:
            by_kind[kind].append(rule)
    return RuleSet(rules=kept, catalogues=catalogues, digest=digest.hexdigest(),
                   by_kind={k: tuple(v) for k, v in by_kind.items()})
