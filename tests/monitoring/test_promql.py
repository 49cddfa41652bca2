"""Vector selectors of PromQL expressions: metric names and label matchers, not functions,
aggregations, grouping labels, strings or durations."""

from __future__ import annotations

import pytest

from drscan.monitoring.promql import Matcher, PromqlError, selectors


def shapes(expression: str):
    return [(s.metric, [m.text() for m in s.matchers]) for s in selectors(expression)]


@pytest.mark.parametrize("expression,expected", [
    ('up{job="self"} == 0', [("up", ['job="self"'])]),
    ('sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum without(code) (rate(x[5m])) > 0.1',
     [("http_requests_total", ['code=~"5.."']), ("x", [])]),
    ('time() - velero_backup_last_successful_timestamp{schedule="payments-daily"} > 1.5 * 86400',
     [("velero_backup_last_successful_timestamp", ['schedule="payments-daily"'])]),
    ('avg_over_time(probe_success{instance=~"https://api\\\\.payments.*"}[5m] offset 1m) < 0.9',
     [("probe_success", ['instance=~"https://api\\.payments.*"'])]),
    ('label_replace(up, "dst", "$1", "src", "(.*)")', [("up", [])]),
    ('{__name__="up", job!="x"} unless on(instance) group_left(team) foo', [(None, ['__name__="up"', 'job!="x"']), ("foo", [])]),
    ("max(pg_replication_lag_seconds) by (instance) > 300 # comment {x=\"y\"}", [("pg_replication_lag_seconds", [])]),
    ("up == bool 0 and on() vector(1)", [("up", [])]),
])
def test_selectors(expression, expected):
    assert shapes(expression) == expected


def test_unbalanced_expressions_are_errors():
    with pytest.raises(PromqlError):
        selectors('up{job="x"')
    with pytest.raises(PromqlError):
        selectors('up{job="x}')


@pytest.mark.parametrize("matcher,labels,expected", [
    (Matcher("job", "=", "a"), {"job": "a"}, True),
    (Matcher("job", "=", ""), {}, True),
    (Matcher("job", "!=", "a"), {}, True),
    (Matcher("job", "=~", "a|b"), {"job": "b"}, True),
    (Matcher("job", "=~", "a"), {"job": "ab"}, False),  # anchored
    (Matcher("job", "!~", "a.*"), {"job": "abc"}, False),
    (Matcher("job", "=~", "("), {"job": "x"}, None),
])
def test_matchers(matcher, labels, expected):
    assert matcher.matches(labels) is expected
