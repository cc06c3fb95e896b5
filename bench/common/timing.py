"""Timing: timed runs, medians, subprocesses (their wall time and peak RSS) and phase timers
that wrap functions of trueup by name."""

from __future__ import annotations

import importlib
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


def timed(fn: Callable[[], object]) -> float:
    """Wall seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cpu_seconds(fn: Callable[[], object]) -> float:
    """CPU seconds this process uses during one call."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def median_or_none(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def middle(items: Sequence[T], key: Callable[[T], float]) -> tuple[T, list[T]]:
    """The median item by ``key`` (the upper one of an even count) and all of them, sorted."""
    ordered = sorted(items, key=key)
    return ordered[len(ordered) // 2], ordered


def last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "(no output)"


def run_command(cmd: Sequence[str], ok_codes: tuple[int, ...], what: str,
                env: Mapping[str, str] | None = None) -> Callable[[], str]:
    """A callable that runs ``cmd`` and returns its output; an exit code not in ``ok_codes`` is
    an error naming ``what``."""
    def run() -> str:
        proc = subprocess.run(list(cmd), capture_output=True, text=True, timeout=3600,
                              env=None if env is None else dict(env))
        if proc.returncode not in ok_codes:
            raise RuntimeError(f"{what} exited {proc.returncode}: {last_line(proc.stderr)}")
        return proc.stdout

    return run


#: runs a command, then prints its exit code, wall time and the peak RSS of its process tree (KiB)
MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t0
print(rc, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""


@dataclass
class Measured:
    exit_code: int
    seconds: float
    rss_mb: float
    stderr: str


def measure(cmd: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 3600) -> Measured:
    """Run ``cmd`` (stdout discarded) from a small Python process that reports its exit code,
    wall time and peak RSS: the figures of the command alone, not of this process."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True,
                          timeout=timeout, env=None if env is None else dict(env))
    stderr = proc.stderr.strip()
    last = stderr.splitlines()[-1] if stderr else ""
    try:
        rc, wall, rss = last.split()
        return Measured(int(rc), float(wall), int(rss) / 1024, stderr)
    except ValueError:
        raise RuntimeError(f"{' '.join(cmd[:3])} ... failed: {stderr[-2000:]}") from None


# -- phase timers ----------------------------------------------------------------------------------


def lookup(module: str, name: str) -> Any | None:
    """``module.name`` if both exist (and it is callable), else None: code that moved is skipped,
    not an error."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    found = getattr(mod, name, None)
    return found if callable(found) else None


def first_found(candidates: Sequence[tuple[str, str]]) -> Any | None:
    """The first of ``(module, name)`` that :func:`lookup` finds."""
    for module, name in candidates:
        found = lookup(module, name)
        if found is not None:
            return found
    return None


@dataclass
class Phase:
    calls: int = 0
    busy: float = 0.0  # summed over threads
    first: float = float("inf")
    last: float = 0.0

    @property
    def span(self) -> float:
        return max(0.0, self.last - self.first) if self.calls else 0.0


@contextmanager
def phase_timers(hooks: Sequence[tuple[str, str]]) -> Iterator[dict[str, Phase]]:
    """Time the calls of each ``(module, function)`` of ``hooks`` that exists, by the function's
    name (entries of the same name add up), by replacing the module's attribute for the
    duration: a call is timed when its caller reads the function from that module. Missing
    modules and functions are skipped."""
    phases: dict[str, Phase] = {}
    lock = threading.Lock()
    saved: list[tuple[Any, str, Callable[..., Any]]] = []
    for module, name in hooks:
        fn = lookup(module, name)
        if fn is not None:
            saved.append((importlib.import_module(module), name, fn))

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                t1 = time.perf_counter()
                with lock:
                    p = phases.setdefault(name, Phase())
                    p.calls += 1
                    p.busy += t1 - t0
                    p.first = min(p.first, t0)
                    p.last = max(p.last, t1)
        return timed_call

    for mod, name, fn in saved:  # every original is read before any is replaced
        setattr(mod, name, wrap(name, fn))
    try:
        yield phases
    finally:
        for mod, name, fn in reversed(saved):
            setattr(mod, name, fn)


def fmt_phases(total: float, phases: dict[str, Phase]) -> str:
    parts = [f"total {total:.2f} s"]
    for name, p in phases.items():
        parts.append(f"{name.strip('_')} x{p.calls}: {p.span:.2f} s wall" + (
            f" ({p.busy / p.calls * 1000:.1f} ms each)" if p.calls > 1 else ""))
    return "; ".join(parts)
