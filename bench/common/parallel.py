"""A bounded thread pool that stops cleanly on an error or Ctrl-C, and a progress line."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def run_parallel(fn: Callable[[T], object], items: Sequence[T], workers: int,
                 stop: Callable[[], None] | None = None) -> None:
    """``fn`` on every item, ``workers`` at a time. On an error or Ctrl-C the items not started
    are dropped, ``stop`` tells the running ones to finish early, and the error is raised."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        for f in [pool.submit(fn, item) for item in items]:
            f.result()
    except BaseException:
        if stop is not None:
            stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


class Progress:
    """One line rewritten in place on a terminal, a line per 10% otherwise."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = time.perf_counter()
        self.lock = threading.Lock()
        self.tty = sys.stdout.isatty()
        self.last_decile = -1

    def tick(self, n: int = 1) -> None:
        with self.lock:
            self.done += n
            elapsed = time.perf_counter() - self.started
            if self.tty:
                print(f"\r  {self.label}: {self.done}/{self.total} ({elapsed:.0f} s)", end="", flush=True)
            else:
                decile = self.done * 10 // max(1, self.total)
                if decile != self.last_decile:
                    self.last_decile = decile
                    print(f"  {self.label}: {self.done}/{self.total} ({elapsed:.0f} s)", flush=True)

    def finish(self) -> float:
        elapsed = time.perf_counter() - self.started
        if self.tty:
            print(f"\r  {self.label}: {self.done}/{self.total} in {elapsed:.1f} s", flush=True)
        else:
            print(f"  {self.label}: done in {elapsed:.1f} s", flush=True)
        return elapsed
