"""Naming of database dump files, shared by the dump importer (collect: files grouped into sets by
directory and stem) and the graph (a restore drill's dump file -> the dump set it came from):
`orders-2026-12-01.dump` -> `orders`. Pure functions of a file name."""

from __future__ import annotations

import re

DUMP_SUFFIXES = (".sql", ".sql.gz", ".dump", ".dump.gz")
_STEM_DATE = re.compile(r"[-_.]?(?:\d{4}-?\d{2}-?\d{2}|\d{8}T?\d*)(?:[-_T.]?\d{2}[-:]?\d{2}(?:[-:]?\d{2})?Z?)?$")


def is_dump_name(name: str) -> bool:
    return name.lower().endswith(DUMP_SUFFIXES)


def stem_of(name: str) -> str:
    base = name
    for suffix in sorted(DUMP_SUFFIXES, key=len, reverse=True):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
            break
    return _STEM_DATE.sub("", base) or base
