"""Backup schedule expressions -> worst-case seconds between runs."""

from __future__ import annotations

import pytest

from drscan.dr.schedules import hours_to_seconds, schedule_interval_seconds


@pytest.mark.parametrize("expression,seconds", [
    ("cron(0 5 ? * * *)", 86400),  # daily
    ("cron(30 1,13 * * ? *)", 43200),  # twice a day
    ("cron(0 */4 * * ? *)", 14400),
    ("cron(0 3 ? * MON-FRI *)", 3 * 86400),  # Friday night to Monday night
    ("cron(0 2 1 * ? *)", 31 * 86400),  # monthly: the longest month
    ("rate(12 hours)", 43200),
    ("rate(1 day)", 86400),
    ("rate(30 minutes)", 1800),
])
def test_schedule_interval(expression, seconds):
    assert schedule_interval_seconds(expression) == seconds


@pytest.mark.parametrize("expression", [None, "", "cron(0 5 L * ? *)", "cron(bad)", "every day", "rate(2 fortnights)"])
def test_unreadable_schedules_are_unknown(expression):
    assert schedule_interval_seconds(expression) is None


def test_hours():
    assert hours_to_seconds(12) == 43200 and hours_to_seconds(None) is None and hours_to_seconds(0) is None
