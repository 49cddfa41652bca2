"""Prometheus and Alertmanager durations ('1h30m', '5m', '1d', '500ms', '1w', '1y') -> seconds. Pure."""

from __future__ import annotations

import re
from typing import Any

_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def duration_seconds(value: Any) -> float | None:
    """Seconds, or None when the value is absent or not a duration. Numbers are seconds already
    (the HTTP API reports `duration` and `interval` as numbers)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text == "0":
        return 0.0
    position, total = 0, 0.0
    for match in _PART.finditer(text):
        if match.start() != position:
            return None
        total += int(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    return total if position == len(text) and position else None
