"""What the phases of the fleet benchmark share: the options, the fleet, each side's folder and
configuration, the CLI runs, and the results a phase leaves for the later ones and the verdict.

A phase is a module with ``run(bench: Bench) -> None`` listed in :data:`bench.fleetbench.main.PHASES`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common.baseline import Side
from bench.common.report import Compared, Out
from bench.common.timing import last_line, measure
from bench.fleetbench.build import Fleet, Manifest
from bench.fleetbench.check import Check
from bench.fleetbench.drift import Drift
from bench.fleetbench.tenant import Tenant

TARGET_RATIO = 2.0
TARGET_SCHEMAS_SECONDS = 5.0
TARGET_RSS_MB = 300.0
TARGET_APPLY_SECONDS = 60.0


@dataclass
class Options:
    url: str
    databases: int
    schemas: int
    tables: int
    drift: float
    concurrency: int | None
    keep: bool
    skip_create: bool
    no_apply: bool
    no_in_process: bool
    baseline: str | None = None


@dataclass
class Run:
    """One ``trueup audit`` or ``trueup apply`` process: wall time (start-up included), peak RSS,
    exit code and its JSON report."""

    seconds: float
    rss_mb: float
    exit_code: int
    report: dict[str, Any]


@dataclass
class Pair:
    """A command's run with this checkout's code, and with the baseline's (None: no baseline, or
    its run failed)."""

    new: Run
    old: Run | None = None


@dataclass
class Results:
    floor: float | None = None
    #: audit / floor of the databases, repeat run and first run
    ratio: float | None = None
    first_ratio: float | None = None
    #: the databases' audit with --rescan (every target fingerprinted, desired state cached)
    rescan_seconds: float | None = None
    db_run: Run | None = None
    schema_run: Run | None = None
    repeat_schemas: Run | None = None
    db_check: Check | None = None
    repeat_db_check: Check | None = None
    schema_check: Check | None = None
    repeat_schema_check: Check | None = None
    verdict: list[tuple[str, bool]] = field(default_factory=list)
    #: the CLI-level figures of ``--baseline``
    compared: list[Compared] = field(default_factory=list)


@dataclass
class SideSetup:
    """A version of trueup's code and the folder of its configuration and caches."""

    side: Side
    folder: Path

    @property
    def config(self) -> Path:
        return self.folder / "trueup.toml"


@dataclass
class Bench:
    opts: Options
    fleet: Fleet
    tenant: Tenant
    manifest: Manifest
    workdir: Path
    concurrency: int
    #: this checkout's code first, then the baseline's (if any)
    sides: list[SideSetup]
    say: Out
    results: Results = field(default_factory=Results)
    calls: int = 0

    @property
    def config(self) -> Path:
        return self.sides[0].config

    @property
    def baseline(self) -> Side | None:
        return self.sides[1].side if len(self.sides) > 1 else None

    @property
    def db_drift(self) -> dict[str, Drift]:
        return self.manifest.drifts("databases")

    @property
    def schema_drift(self) -> dict[str, Drift]:
        return self.manifest.drifts("schemas")

    def cli(self, group: str, out: str, *, target: str | None = None, command: Sequence[str] = ("audit",),
            extra: Sequence[str] = (), after: Callable[[SideSetup], None] | None = None,
            sides: Sequence[SideSetup] | None = None) -> Pair:
        """The same command with each side's code (``sides``: other folders for them). With a
        baseline the two runs follow each other, the order swapped on every other call so that
        neither side always runs second; a failed baseline run is a note, not an error.
        ``after`` runs after each run."""
        setups = list(sides or self.sides)
        order = list(range(len(setups)))
        if self.calls % 2 == 1:
            order.reverse()
        self.calls += 1
        runs: dict[int, Run | None] = {}
        for i in order:
            s = setups[i]
            try:
                runs[i] = run_cli(s, group, s.folder / out, self.concurrency, target, command, extra)
            except RuntimeError as err:
                if i == 0:
                    raise
                print(f"    note: {last_line(str(err))}", flush=True)
                runs[i] = None
            finally:
                if after is not None:
                    after(s)
        new = runs[0]
        assert new is not None
        return Pair(new, runs.get(1))

    def first_run(self, group: str, out: str) -> tuple[Run, Pair]:
        """The first run of ``group``: this checkout's, as the report prints it, and the pair to
        compare. The first audit after the fleet was built also pays for the server's cold
        caches (3.4 s against 1.5 s at 30 databases, on this machine), so with a baseline both
        sides' first runs are made after it: this checkout's in a copy of its folder as it was
        before its first run, the baseline's in its own folder, which has seen the same runs."""
        if self.baseline is None:
            new = self.cli(group, out, sides=self.sides[:1]).new
            return new, Pair(new)
        first = self.sides[0]
        fresh = SideSetup(first.side, self.workdir / f"first_{group}")
        shutil.copytree(first.folder, fresh.folder, ignore=shutil.ignore_patterns("baseline", "first_*"))
        new = self.cli(group, out, sides=[first]).new
        return new, self.cli(group, out, sides=[fresh, self.sides[1]])

    def compare(self, label: str, pair: Pair) -> None:
        """Record a figure for the side-by-side table of ``--baseline`` (nothing without one)."""
        if self.baseline is None:
            return
        new, old = pair.new, pair.old
        self.results.compared.append(Compared(label, new.seconds, None if old is None else old.seconds, extra=[
            ("peak RSS MB", f"{new.rss_mb:.0f}", "-" if old is None else f"{old.rss_mb:.0f}"),
            ("exit", str(new.exit_code), "-" if old is None else str(old.exit_code))]))


def run_cli(s: SideSetup, group: str, out: Path, concurrency: int, target: str | None = None,
            command: Sequence[str] = ("audit",), extra: Sequence[str] = ()) -> Run:
    cmd = [*s.side.command, *command, "-c", str(s.config), "--group", group, "--format", "json", "-o", str(out),
           "--concurrency", str(concurrency), *extra]
    if target is not None:
        cmd += ["--target", target]
    what = f"trueup {command[0]} --group {group}" + ("" if s.side.label == "new" else f" ({s.side.label})")
    try:
        m = measure(cmd, s.side.env)
    except RuntimeError as err:
        raise RuntimeError(f"{what} failed: {err}") from None
    if m.exit_code not in (0, 1, 2) or not out.exists():
        raise RuntimeError(f"{what} exited {m.exit_code}: {m.stderr[-2000:]}")
    return Run(m.seconds, m.rss_mb, m.exit_code, json.loads(out.read_text(encoding="utf-8")))
