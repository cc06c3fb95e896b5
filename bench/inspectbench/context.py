"""What the phases of one size share, the figures they leave (:class:`Row`), and what a phase is.

A phase is a class of its own module with :class:`Phase`'s methods; :func:`bench.inspectbench.main.bench_size`
warms every phase up, then runs them one after the other, ``--runs`` times, so that a change in the
machine's load weighs on each figure alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bench.common.report import Compared
from bench.inspectbench.reference import Reference

if TYPE_CHECKING:
    from trueup.model import Schema

TARGET = 5.0
TARGET_SIZE = 400


@dataclass
class Row:
    size: int
    trueup_inspect: float
    trueup_diff: float
    schemainspect: float | None = None
    migra: float | None = None
    notes: list[str] = field(default_factory=list)
    startup: float | None = None  # (e)
    server: float | None = None  # (f)
    fetch: float | None = None  # (g)
    model: float | None = None  # (h)
    cpu_trueup: float | None = None  # (i)
    cpu_schemainspect: float | None = None  # (i)
    cpu_deparse: float | None = None  # (j)
    bare_model: float | None = None  # (k)
    #: ``--baseline``: the CLI's figures with this checkout's code and the baseline's, medians
    compared: list[Compared] = field(default_factory=list)


@dataclass
class SizeRun:
    """One size: its two databases (``url_b`` drifted from ``url_a``) and what its phases share."""

    size: int
    url_a: str
    url_b: str
    ref: Reference | None
    row: Row
    #: each timed run's seconds, by figure; the run line prints the last of each, in this order
    times: dict[str, list[float]] = field(default_factory=lambda: {
        "inspect": [], "diff": [], "schemainspect": [], "migra": []})
    #: one inspection with schemainspect, timed inside its worker (set by the inspect phase)
    schemainspect: Callable[[], float] | None = None
    #: the model of the warm-up inspection, until the floors phase took its bare objects' time
    warm_model: Schema | None = None

    def log(self, text: str) -> None:
        print(f"[{self.size} tables] {text}", flush=True)


def trueup_inspect(url: str) -> Schema:
    """(a): connect + inspect, in this process."""
    from trueup.engines.postgres import ENGINE

    return ENGINE.inspect(url)


class Phase(Protocol):
    def warm_up(self) -> None:
        """Untimed runs that also check that each tool works on these databases."""

    def run(self, i: int) -> None:
        """The ``i``-th timed run of each of its figures."""

    def finish(self) -> None:
        """Its figures (medians) into the size's row."""

    def close(self) -> None:
        """Frees what it holds (connections, worker processes); also after an error."""
