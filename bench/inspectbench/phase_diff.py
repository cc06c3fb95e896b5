"""(b) the whole ``trueup diff URL1 URL2`` command as a subprocess (Python start-up included),
and (d) the whole ``migra --unsafe URL1 URL2`` command as a subprocess."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from bench.common.baseline import trueup_command
from bench.common.timing import median, median_or_none, run_command, timed
from bench.inspectbench.context import SizeRun


class DiffPhase:
    def __init__(self, s: SizeRun) -> None:
        self.s = s
        self.diff = run_command([*trueup_command(), "diff", s.url_a, s.url_b], (0, 1, 3), "trueup diff")
        self.migra: Callable[[], str] | None = None

    def warm_up(self) -> None:
        s = self.s
        s.log(f"trueup diff prints {len(self.diff().splitlines())} lines")
        if s.ref is None:
            return
        migra = run_command([str(s.ref.migra), "--unsafe", s.url_a, s.url_b], (0, 2), "migra")
        try:
            s.log(f"migra prints {len(migra().splitlines())} lines")
            self.migra = migra
        except (RuntimeError, subprocess.TimeoutExpired) as err:
            s.row.notes.append(str(err))

    def run(self, i: int) -> None:
        self.s.times["diff"].append(timed(self.diff))
        if self.migra is not None:
            self.s.times["migra"].append(timed(self.migra))

    def finish(self) -> None:
        row, times = self.s.row, self.s.times
        row.trueup_diff = median(times["diff"])
        row.migra = median_or_none(times["migra"])

    def close(self) -> None:
        pass
