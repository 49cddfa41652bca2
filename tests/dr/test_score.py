"""The DR readiness score: the published formula on examples, and its properties (hypothesis)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings, strategies as st

from drscan.dr.score import disruption_score, readiness_score
from drscan.drtests.model import DrTest

NOW = datetime(2026, 11, 20, 6, tzinfo=timezone.utc)
DISRUPTIONS = ("zone", "region", "provider", "data_corruption", "account_compromise")


def drtest(kind="failover", outcome="pass", days=10, disruption="region", rto=None, app="payments"):
    return DrTest(app=app, disruption=disruption, kind=kind, date=NOW - timedelta(days=days), outcome=outcome,
                  source=f"t{days}{kind}{outcome}", measured_rto_seconds=rto)


def score(tests, **kw):
    return disruption_score("region", tests, NOW, 90, **kw)


def test_formula_examples():
    assert score([]).score == 0 and score([]).basis == "untested"
    assert score([drtest(days=10)]).score == 100
    assert score([drtest(days=91)]).score == 74 and score([drtest(days=91)]).basis == "stale"
    assert score([drtest(days=135)]).score == 50
    assert score([drtest(days=400)]).score == 25
    assert score([drtest(outcome="fail", days=5)]).score == 50
    assert score([drtest(outcome="fail", days=100)]).score == 25
    assert score([drtest(kind="tabletop", days=10)]).score == 40
    assert score([drtest(kind="tabletop", days=100)]).score == 0


def test_the_latest_conclusive_test_decides():
    assert score([drtest(days=30), drtest(outcome="fail", days=10)]).score == 50
    assert score([drtest(days=10), drtest(outcome="fail", days=30)]).score == 100
    assert score([drtest(days=30), drtest(outcome="inconclusive", days=1)]).score == 100


def test_a_pass_outside_the_rto_counts_as_a_fail():
    result = score([drtest(rto=7200)], rto_target=3600)
    assert result.score == 50 and "exceeds" in result.why


def test_a_missed_estimate_caps_the_score():
    result = score([drtest(days=1)], estimate_verdict="FAIL")
    assert result.score == 50 and result.capped


def test_app_score_is_the_mean_over_applicable_disruptions():
    tests = [drtest(disruption="region", days=1), drtest(disruption="zone", days=1, kind="chaos")]
    result = readiness_score("payments", 1, tests, NOW, max_age_days=90, floor=70, applicable={"provider": False})
    assert result.disruptions["provider"].score is None
    assert result.score == 50 and result.below_floor is True  # (100 + 100 + 0 + 0) / 4
    assert result.as_dict()["disruptions"]["zone"]["deciding_test"]["kind"] == "chaos"


tests_strategy = st.lists(st.builds(
    drtest, kind=st.sampled_from(("failover", "restore", "chaos", "tabletop")),
    outcome=st.sampled_from(("pass", "fail", "inconclusive")), days=st.integers(0, 900),
    disruption=st.sampled_from(DISRUPTIONS + (None,))), max_size=8)
verdicts = st.dictionaries(st.sampled_from(DISRUPTIONS), st.sampled_from(("PASS", "FAIL", "NOT_ASSESSED")))


@settings(max_examples=200, deadline=None)
@given(tests=tests_strategy, verdict=verdicts, days=st.integers(0, 90), disruption=st.sampled_from(DISRUPTIONS),
       kind=st.sampled_from(("failover", "restore", "chaos", "tabletop")), max_age=st.integers(1, 400))
def test_adding_a_passing_recent_test_never_lowers_a_score(tests, verdict, days, disruption, kind, max_age):
    days = min(days, max_age)
    before = readiness_score("payments", 1, tests, NOW, max_age_days=max_age, floor=70, verdicts=verdict)
    after = readiness_score("payments", 1, tests + [drtest(kind=kind, days=days, disruption=disruption)], NOW,
                            max_age_days=max_age, floor=70, verdicts=verdict)
    assert after.score >= before.score
    for name in DISRUPTIONS:
        assert after.disruptions[name].score >= before.disruptions[name].score


@settings(max_examples=200, deadline=None)
@given(tests=tests_strategy, verdict=verdicts, later=st.integers(0, 900), max_age=st.integers(1, 400))
def test_scores_only_decay_as_time_passes_and_stay_within_0_and_100(tests, verdict, later, max_age):
    now = readiness_score("payments", 2, tests, NOW, max_age_days=max_age, floor=50, verdicts=verdict)
    then = readiness_score("payments", 2, tests, NOW + timedelta(days=later), max_age_days=max_age, floor=50,
                           verdicts=verdict)
    assert 0 <= then.score <= now.score <= 100
    for name in DISRUPTIONS:
        assert 0 <= then.disruptions[name].score <= now.disruptions[name].score <= 100


@settings(max_examples=100, deadline=None)
@given(tests=tests_strategy, verdict=verdicts)
def test_a_missed_estimate_never_raises_a_score(tests, verdict):
    failing = {d: "FAIL" for d in DISRUPTIONS}
    assert readiness_score("payments", 1, tests, NOW, max_age_days=90, floor=70, verdicts=failing).score <= \
        readiness_score("payments", 1, tests, NOW, max_age_days=90, floor=70, verdicts=verdict).score <= 100
