"""Backup schedule expressions -> the longest gap between two runs, in seconds: AWS Backup and
DLM `cron(...)` / `rate(...)` expressions, DLM interval hours, GCP / Azure interval hours."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$", re.IGNORECASE)
_CRON = re.compile(r"^cron\((.+)\)$", re.IGNORECASE)
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}
_DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_MONTH_NAMES = {m: i for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT",
                                            "NOV", "DEC"), start=1)}
_HORIZON_DAYS = 800  # long enough to see yearly schedules twice; bounded


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int] | None:
    """One cron field -> the set of values it allows (None: unsupported syntax such as L, W or #)."""
    text = text.strip().upper()
    if text in ("*", "?"):
        return set(range(low, high + 1))
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
            if start is None or end is None:
                return None
        else:
            start = _value(part, names)
            if start is None:
                return None
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high) or start > end:
            return None
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, names: dict[str, int] | None) -> int | None:
    text = text.strip()
    if text.isdigit():
        return int(text)
    if names and text in names:
        return names[text]
    return None


@lru_cache(maxsize=256)
def cron_interval_seconds(expression: str) -> int | None:
    """AWS 6-field cron (minutes hours day-of-month month day-of-week year) -> the longest gap
    between consecutive runs, or None when the expression cannot be read."""
    match = _CRON.match(expression.strip())
    if not match:
        return None
    fields = match.group(1).split()
    if len(fields) not in (5, 6):
        return None
    minutes, hours = _field(fields[0], 0, 59), _field(fields[1], 0, 23)
    days, months = _field(fields[2], 1, 31), _field(fields[3], 1, 12, _MONTH_NAMES)
    weekdays = _field(fields[4], 1, 7, _DAY_NAMES)
    if None in (minutes, hours, days, months, weekdays):
        return None
    day_any = fields[2].strip() in ("*", "?")
    weekday_any = fields[4].strip() in ("*", "?")
    times = sorted(h * 60 + m for h in hours for m in minutes)
    start = dt.date(2026, 1, 1)
    runs: list[int] = []  # minutes since start
    for offset in range(_HORIZON_DAYS):
        day = start + dt.timedelta(days=offset)
        if day.month not in months:
            continue
        aws_weekday = (day.isoweekday() % 7) + 1  # SUN=1 .. SAT=7
        if day_any and weekday_any:
            ok = True
        elif day_any:
            ok = aws_weekday in weekdays
        elif weekday_any:
            ok = day.day in days
        else:
            ok = day.day in days or aws_weekday in weekdays
        if ok:
            runs.extend(offset * 1440 + t for t in times)
    if len(runs) < 2:
        return None
    return max(b - a for a, b in zip(runs, runs[1:])) * 60


def schedule_interval_seconds(expression: str | None) -> int | None:
    """`rate(12 hours)`, `cron(0 5 ? * * *)` -> seconds between runs (worst case); None if unknown."""
    if not expression:
        return None
    text = str(expression).strip()
    rate = _RATE.match(text)
    if rate:
        unit = rate.group(2).lower().rstrip("s")
        return int(rate.group(1)) * _UNIT[unit]
    return cron_interval_seconds(text)


def hours_to_seconds(hours) -> int | None:
    try:
        value = float(hours)
    except (TypeError, ValueError):
        return None
    return int(value * 3600) if value > 0 else None
