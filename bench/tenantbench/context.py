"""What the phases of the tenant benchmark share: the options, the server, the two configs, the
concurrency of each command, timing of a phase (wall, CPU, peak memory) and the results the
verdict reads.

A phase is a module with ``run(bench: Bench) -> None`` listed in
:data:`bench.tenantbench.main.PHASES`; it calls trueup's library, not its CLI.
"""

from __future__ import annotations

import inspect
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common.floors import machine_cpu
from bench.common.parallel import Progress
from bench.common.report import Out
from bench.fleetbench.tenant import Tenant
from bench.tenantbench.server import Server

#: the issue's goals
TARGET_CREATE_PER_S = 10.0
TARGET_CHECK_TENANTS = 1000
TARGET_CHECK_SECONDS = 5.0


@dataclass
class Options:
    url: str
    tenants: int
    #: tenants created without the template (0: not measured)
    build_tenants: int
    #: registry check of this many tenants (0: none beyond --tenants)
    check_tenants: int
    tables: int
    create_concurrency: int | None
    check_concurrency: int | None
    rotate_concurrency: int | None


@dataclass
class Timed:
    """One measured run: wall seconds, how many items, CPU seconds of this process and of the
    whole machine (every process: the server's, this one's and any other work's; None off
    Linux), and this process's peak RSS after it."""

    seconds: float
    items: int
    cpu: float
    machine_cpu: float | None
    peak_rss_mb: float

    @property
    def rate(self) -> float:
        return self.items / self.seconds if self.seconds else float("inf")

    def machine_ms(self) -> float | None:
        """Machine CPU per item, ms."""
        return None if self.machine_cpu is None or not self.items else self.machine_cpu / self.items * 1000

    def line(self, what: str) -> str:
        """``what: N in S s = R/s``."""
        return f"{what}: {self.items} in {self.seconds:.2f} s = {self.rate:.{0 if self.rate >= 100 else 1}f}/s"

    def against(self, floor: Timed | None) -> str:
        """Wall time and machine CPU per item against the floor's, and this process's CPU."""
        parts = []
        if floor is not None and floor.items and self.items and self.rate:
            parts.append(f"{floor.rate / self.rate:.1f}x its floor's wall time per item")
        mine = self.machine_ms()
        if mine is not None:
            cpu = f"machine CPU {mine:.0f} ms each"
            theirs = floor.machine_ms() if floor is not None else None
            if theirs:
                cpu += f" ({mine / theirs:.1f}x the floor's {theirs:.0f} ms)"
            parts.append(cpu)
        if self.items:
            parts.append(f"this process's CPU {self.cpu / self.items * 1000:.1f} ms each")
        return "; ".join(parts)

    def busy(self) -> str:
        """The cores the machine kept busy, or nothing off Linux."""
        return "" if self.machine_cpu is None or not self.seconds else \
            f", {self.machine_cpu / self.seconds:.1f} cores busy"


@dataclass
class Results:
    template_seconds: float | None = None
    template_name: str | None = None
    clone_floor: Timed | None = None
    build_floor: Timed | None = None
    create: Timed | None = None
    build: Timed | None = None
    check: Timed | None = None
    login_floor: Timed | None = None
    rotate: Timed | None = None
    rotate_floor: Timed | None = None
    check_after_rotate: Timed | None = None
    many_create: Timed | None = None
    many_check: Timed | None = None
    many_login_floor: Timed | None = None
    #: what went wrong that a verdict line must show (failed tenants, inconsistent checks)
    problems: list[str] = field(default_factory=list)
    #: peak RSS (MB) of this process after each phase
    rss: list[tuple[str, float]] = field(default_factory=list)


def peak_rss_mb() -> float:
    """This process's peak RSS so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def library_default(fn: Callable[..., Any], parameter: str = "concurrency") -> int:
    """A parameter's default in trueup's function (what trueup does when not told otherwise)."""
    return int(inspect.signature(fn).parameters[parameter].default)


@dataclass
class Bench:
    opts: Options
    server: Server
    tenant: Tenant
    workdir: Path
    #: the config files: tenants copied from a template (trueup's default), and built one by one
    clone_config: Path
    build_config: Path
    create_concurrency: int
    check_concurrency: int
    rotate_concurrency: int
    say: Out
    results: Results = field(default_factory=Results)

    def names(self, prefix: str, start: int, n: int) -> list[str]:
        width = max(4, len(str(max(self.opts.tenants, self.opts.check_tenants, self.opts.build_tenants))))
        return [f"{prefix}{i:0{width}d}" for i in range(start, start + n)]

    @contextmanager
    def timed(self, items: int) -> Iterator[list[Timed]]:
        """Times the block: yields a list that holds the :class:`Timed` once the block ends."""
        holder: list[Timed] = []
        cpu0, machine0, t0 = time.process_time(), machine_cpu(), time.perf_counter()
        yield holder
        wall = time.perf_counter() - t0
        cpu, machine1 = time.process_time() - cpu0, machine_cpu()
        machine = None if machine0 is None or machine1 is None else machine1 - machine0
        holder.append(Timed(wall, items, cpu, machine, peak_rss_mb()))

    def mark_rss(self, phase: str) -> None:
        self.results.rss.append((phase, peak_rss_mb()))


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int, int, str], None] | None]:
    """On a terminal, a progress line, and the ``progress`` callback trueup's functions take for
    it; elsewhere (a log, a file) nothing: None."""
    if not sys.stdout.isatty():
        yield None
        return
    bar = Progress(label, total)

    def tick(done: int, total: int, name: str) -> None:
        bar.tick()

    yield tick
    bar.finish()
