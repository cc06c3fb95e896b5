"""How a fleet-wide change proceeds: canaries first (stop if one fails), then the rest
concurrently, launching no new target after a failure budget is spent. Shared by ``apply`` and
``migrate up``."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")


def schedule(count: int, one: Callable[[int], T], *, concurrency: int, canary: int = 0,
             max_failures: int | None = None, failed: Callable[[T], bool], tried: Callable[[T], bool],
             finished: Callable[[int, T], None] | None = None) -> dict[int, T]:
    """Run ``one(i)`` for items ``0..count-1``: up to ``canary`` items that had something to do
    (``tried``) first, one batch at a time, stopping there if one ``failed``; then the rest,
    ``concurrency`` at a time, launching none after ``max_failures`` failures. Returns the
    outcome of every item that ran (those never launched are absent); ``finished`` is called
    with each as it completes."""
    outcomes: dict[int, T] = {}
    failures = 0

    def finish(i: int, outcome: T) -> None:
        nonlocal failures
        outcomes[i] = outcome
        failures += failed(outcome)
        if finished is not None:
            finished(i, outcome)

    queue = list(range(count))
    width = max(1, concurrency)
    with ThreadPoolExecutor(max_workers=width) as pool:
        done_trying = 0
        while canary and queue and done_trying < canary and not failures:
            batch, queue = queue[:canary - done_trying], queue[canary - done_trying:]
            for i, o in zip(batch, pool.map(one, batch), strict=True):
                finish(i, o)
                done_trying += tried(o)
        if canary and failures:
            queue = []
        pending: dict[Future[T], int] = {}
        while queue or pending:
            while queue and len(pending) < width and (max_failures is None or failures < max_failures):
                i = queue.pop(0)
                pending[pool.submit(one, i)] = i
            if not pending:
                break
            complete, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in complete:
                finish(pending.pop(f), f.result())
    return outcomes
