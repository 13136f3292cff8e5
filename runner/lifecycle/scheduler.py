"""Running a plan's phases on several threads, each once the phases it waits for have finished.

`parallel_modules` in sluice.yml sets how many run at once: modules with no path between them
in the lifecycle graph (rs_sessions and rs_activity_sessions, both waiting for rs_identity)
then overlap, each on a session of its own, while the warehouse has cores to spare.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

Node = TypeVar("Node")


def run_in_parallel(nodes: Sequence[Node], waits_for: Mapping[Node, Collection[Node]], workers: int,
                    work: Callable[[Node], None]) -> None:
    """Call `work` on each node once every node it waits for has returned, at most `workers` at
    a time, ready ones in the order given. After a failure nothing more starts: the running
    ones finish, then the first failure is raised (a later module never runs past a failed
    one it may depend on, as in a run one module after another)."""
    waiting, done = list(nodes), set()
    running: dict[Future, Node] = {}
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sluice-module") as pool:
        while True:
            ready = [n for n in waiting if set(waits_for.get(n, ())) <= done] if failure is None else []
            for node in ready[:workers - len(running)]:
                waiting.remove(node)
                running[pool.submit(work, node)] = node
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                node = running.pop(future)
                if future.exception() is None:
                    done.add(node)
                elif failure is None:
                    failure = future.exception()
    if failure is not None:
        raise failure
    if waiting:
        raise ValueError(f"nodes waiting for nodes that never run: {waiting}")


def longest_path_first(nodes: Sequence[Node], waits_for: Mapping[Node, Collection[Node]],
                       seconds: Mapping[Node, float]) -> list[Node]:
    """`nodes` (in an order where each comes after what it waits for) reordered by the longest
    chain of seconds from each to the end, longest first, ties as given: the scheduler then
    starts the start of the longest chain first. A node without seconds counts as the mean."""
    default = sum(seconds.values()) / len(seconds) if seconds else 1.0
    longest: dict[Node, float] = {}
    for node in reversed(nodes):
        after = [longest[n] for n in nodes if node in waits_for.get(n, ()) and n in longest]
        longest[node] = seconds.get(node, default) + max(after, default=0.0)
    return sorted(nodes, key=lambda node: -longest[node])

