"""The dashboard's memo: bounded, and a value asked for by several threads at once is computed once."""

from __future__ import annotations

import threading
import time

from drscan.serve.cache import Memo


def test_concurrent_requests_share_one_computation():
    memo = Memo(4)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return 42

    results = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("k", slow))) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [42] * 5 and len(calls) == 1


def test_oldest_entries_are_dropped_and_failures_are_not_kept():
    memo = Memo(2)
    for key in ("a", "b", "c"):
        memo.get(key, lambda key=key: key.upper())
    assert memo.get("a", lambda: "recomputed") == "recomputed"
    assert memo.get("c", lambda: "not again") == "C"

    def broken():
        raise ValueError("no")

    for _ in range(2):
        try:
            memo.get("x", broken)
        except ValueError:
            pass
    assert memo.get("x", lambda: "fine") == "fine"
