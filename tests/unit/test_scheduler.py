"""The parallel scheduler (lifecycle/scheduler.py) on plain callables: order, limit, failures."""

from __future__ import annotations

import threading
import time

import pytest

from sluice.lifecycle.scheduler import longest_path_first, run_in_parallel


def test_a_node_starts_only_after_what_it_waits_for_and_independent_ones_overlap():
    events: list[str] = []
    lock = threading.Lock()
    both_running = threading.Barrier(2, timeout=5)

    def work(node: str) -> None:
        with lock:
            events.append(f"start {node}")
        if node in ("b", "c"):
            both_running.wait()     # b and c wait for each other: they must run at once
        with lock:
            events.append(f"end {node}")

    run_in_parallel(["a", "b", "c", "d"], {"b": {"a"}, "c": {"a"}, "d": {"b", "c"}}, 2, work)
    assert events[:2] == ["start a", "end a"]
    assert set(events[2:4]) == {"start b", "start c"}
    assert events[-2:] == ["start d", "end d"]


def test_never_more_than_the_workers_at_once():
    running, peak, lock = [0], [0], threading.Lock()

    def work(node: int) -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.01)
        with lock:
            running[0] -= 1

    run_in_parallel(list(range(8)), {}, 3, work)
    assert peak[0] == 3


def test_after_a_failure_nothing_more_starts_and_the_first_failure_is_raised():
    started: list[str] = []

    def work(node: str) -> None:
        started.append(node)
        if node == "b":
            raise RuntimeError("b failed")

    with pytest.raises(RuntimeError, match="b failed"):
        run_in_parallel(["a", "b", "c"], {"b": {"a"}, "c": {"b"}}, 2, work)
    assert started == ["a", "b"]


def test_a_node_waiting_for_one_that_never_runs_is_an_error():
    with pytest.raises(ValueError, match="never run"):
        run_in_parallel(["a"], {"a": {"z"}}, 2, lambda node: None)


def test_the_start_of_the_longest_chain_comes_first_and_an_unknown_node_counts_as_the_mean():
    #  a -> b (1 s) -> c (5 s);  a -> d (2 s) -> e (1 s);  f unknown: the mean of the known
    waits = {"b": {"a"}, "c": {"a", "b"}, "d": {"a"}, "e": {"a", "d"}}
    seconds = {"a": 1.0, "b": 1.0, "c": 5.0, "d": 2.0, "e": 1.0}
    assert longest_path_first(["a", "b", "c", "d", "e", "f"], waits, seconds) == ["a", "b", "c", "d", "f", "e"]

