"""How a fleet-wide change proceeds: canaries first (stop if one fails), then the rest
concurrently, launching no new target after a failure budget is spent. Shared by ``apply`` and
``migrate up``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Protocol, TypeVar

from trueup.fleet.targets import Target

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


class _Outcome(Protocol):
    status: str  # "failed" counts against the budget; "unchanged" had nothing to do


OutcomeT = TypeVar("OutcomeT", bound=_Outcome)

#: why a target never ran
NOT_STARTED = "not started: a canary failed, or --max-failures was reached"


def over_targets(work: Sequence[Target], one: Callable[[Target], OutcomeT],
                 not_started: Callable[[Target], OutcomeT], *, concurrency: int, canary: int = 0,
                 max_failures: int | None = None,
                 progress: Callable[[int, int, str], None] | None = None) -> list[OutcomeT]:
    """:func:`schedule` over a fleet's targets: an outcome per target, in order (``not_started``
    for those never launched), ``progress(done, total, name)`` as each completes."""
    done = 0

    def finished(i: int, _o: OutcomeT) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(work), work[i].name)

    outcomes = schedule(len(work), lambda i: one(work[i]), concurrency=concurrency, canary=canary,
                        max_failures=max_failures, failed=lambda o: o.status == "failed",
                        tried=lambda o: o.status != "unchanged", finished=finished)
    return [outcomes[i] if i in outcomes else not_started(t) for i, t in enumerate(work)]
