"""The local executor: tasks start in the order planned (longest first) within each key's budget,
and a task queued early is never overtaken by later tasks of its key."""

from __future__ import annotations

import threading
import time

from drscan.collect.executor import LocalExecutor


def _run(tasks: list[tuple[str, float]], workers: int, budget: int) -> tuple[list[int], dict[str, int]]:
    started: list[int] = []
    in_flight: dict[str, int] = {}
    most: dict[str, int] = {}
    lock = threading.Lock()

    def work(task: tuple[int, str, float], state: object) -> int:
        index, key, seconds = task
        with lock:
            started.append(index)
            in_flight[key] = in_flight.get(key, 0) + 1
            most[key] = max(most.get(key, 0), in_flight[key])
        time.sleep(seconds)
        with lock:
            in_flight[key] -= 1
        return index

    numbered = [(index, key, seconds) for index, (key, seconds) in enumerate(tasks)]
    outcomes = list(LocalExecutor(workers).run(work, numbered, state_factory=object, budget_key=lambda t: t[1],
                                               budget=budget))
    assert sorted(o.result for o in outcomes) == list(range(len(tasks)))  # every task ran once
    return started, most


def test_one_account_starts_its_tasks_in_plan_order_within_its_budget():
    # two long tasks first, then many short ones: the short ones must not overtake queued long ones
    tasks = [("acct", 0.2), ("acct", 0.2), ("acct", 0.2)] + [("acct", 0.01)] * 20
    started, most = _run(tasks, workers=8, budget=2)
    assert started[:2] == [0, 1] and started.index(2) == 2  # the third long task waited for a slot, first in line
    assert started == list(range(len(tasks)))
    assert most["acct"] == 2


def test_accounts_share_the_workers_and_each_keeps_its_order_and_budget():
    tasks = [("a", 0.05)] * 6 + [("b", 0.05)] * 6 + [("c", 0.01)] * 3
    started, most = _run(tasks, workers=4, budget=2)
    for key, indices in (("a", range(0, 6)), ("b", range(6, 12)), ("c", range(12, 15))):
        assert [i for i in started if i in indices] == list(indices), key
        assert most[key] <= 2
    assert set(started[:4]) == {0, 1, 6, 7}  # a's budget is full, so b's first tasks start next


def test_without_a_budget_the_workers_bound_what_runs_at_once():
    started, most = _run([("k", 0.01)] * 30, workers=3, budget=0)
    assert started == list(range(30)) and most["k"] == 3
