"""Baselines: accepted, already-known failures that should not fail a CI gate again.

A baseline file is any findings.json drscan wrote (its FAIL findings are the baseline), or a
JSON list of {"rule_id", "resource_id"} objects or "rule_id|resource_id" fingerprints."""

from __future__ import annotations

from pathlib import Path

import orjson

from drscan.errors import InputError


def load_baseline(path: Path) -> set[str]:
    try:
        document = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read baseline: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    entries = document.get("findings") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise InputError(f"{path}: a baseline is a findings.json or a list of findings/fingerprints")
    fingerprints: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if isinstance(entry, str) and "|" in entry:
            fingerprints.add(entry)
        elif isinstance(entry, dict) and entry.get("rule_id") and entry.get("resource_id"):
            if entry.get("status", "FAIL") == "FAIL":
                fingerprints.add(f"{entry['rule_id']}|{entry['resource_id']}")
        else:
            raise InputError(f"{path}: entry {number}: expected rule_id and resource_id, or a 'rule|resource' fingerprint")
    return fingerprints
