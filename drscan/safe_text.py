"""Untrusted text made inert for display, used by every sink that shows text to a person (the
terminal, HTML/PDF templates, CSV cells, SVG diagrams, error messages): control and bidi
characters become visible escapes, long values are cut. Machine outputs (JSON) keep full values."""

from __future__ import annotations

import re
from typing import Iterable

# C0 and C1 controls, DEL, the bidi embeddings/overrides/isolates and marks, and the Unicode line
# and paragraph separators. Tab and newline are kept where a sink allows multi-line text.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_INERT_MULTILINE = re.compile(f"[{_CONTROLS}\r]")
_INERT_ONE_LINE = re.compile(f"[{_CONTROLS}\t\n\r]")

DISPLAY_LIMIT = 512  # characters of one value shown in HTML, PDF and the terminal
EXCERPT_LIMIT = 40  # characters of a user value quoted in an error message
LIST_LIMIT = 50  # lines of a list of problems printed before "... and N more"


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralize(text: str, *, multiline: bool = False) -> str:
    """`text` with every control and bidi character replaced by a visible escape (`\\x1b`,
    `\\u202e`); `multiline` keeps tab and newline."""
    pattern = _INERT_MULTILINE if multiline else _INERT_ONE_LINE
    return pattern.sub(_visible, text) if pattern.search(text) else text


def truncate(text: str, limit: int = DISPLAY_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit} characters)"


def display(value: object, limit: int = DISPLAY_LIMIT, *, multiline: bool = False) -> str:
    """One value as a person should see it: neutralized, then cut to `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    return truncate(neutralize(text, multiline=multiline), limit)


def capped(lines: Iterable[str], limit: int = LIST_LIMIT) -> list[str]:
    """At most `limit` lines, then one "... and N more"."""
    shown: list[str] = []
    extra = 0
    for line in lines:
        if len(shown) < limit:
            shown.append(line)
        else:
            extra += 1
    if extra:
        shown.append(f"... and {extra} more")
    return shown


# Characters a spreadsheet may take as the start of a formula (OWASP CSV injection), with their
# full-width forms, which some spreadsheet applications normalize.
FORMULA_STARTERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def csv_cells(texts: list[str]) -> list[str]:
    """The cells of a CSV row, each one that stays data: controls and bidi characters neutralized
    (newlines kept, the csv module quotes them) and a leading formula character, even after
    spaces, made literal. One search for controls covers the whole row (most rows have none)."""
    guarded = ["'" + text if text.lstrip(" ")[:1] in FORMULA_STARTERS else text for text in texts]
    if _INERT_MULTILINE.search("".join(guarded)) is None:
        return guarded
    return [neutralize(text, multiline=True) for text in guarded]
