"""``--baseline REF``: ``trueup inspect URL`` and ``trueup diff URL1 URL2`` as subprocesses (Python
start-up included) with this checkout's code and with REF's, each pair back to back, the order
swapped every other run. These are runs of their own: (b) stays as measured by the diff phase."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

from bench.common.baseline import Side
from bench.common.report import Compared
from bench.common.timing import median, median_or_none, run_command, timed
from bench.inspectbench.context import SizeRun

#: the commands compared: (figure, trueup's arguments after the URLs are known, exit codes)
COMMANDS: tuple[tuple[str, Callable[[SizeRun], list[str]], tuple[int, ...]], ...] = (
    ("inspect", lambda s: ["inspect", s.url_a], (0,)),
    ("diff", lambda s: ["diff", s.url_a, s.url_b], (0, 1, 3)),
)


class BaselinePhase:
    def __init__(self, s: SizeRun, new: Side, old: Side) -> None:
        self.s, self.new, self.old = s, new, old
        self.old_ok = True
        self.runs: dict[tuple[str, str], Callable[[], str]] = {}
        for figure, args, codes in COMMANDS:
            for side in (new, old):
                self.runs[figure, side.label] = run_command(
                    [*side.command, *args(s)], codes, f"trueup {figure} ({side.label})", side.env)
                s.times[self.key(figure, side)] = []

    def key(self, figure: str, side: Side) -> str:
        return f"cli {figure}" + ("" if side is self.new else f" {side.label}")

    def warm_up(self) -> None:
        s = self.s
        for figure, _, _ in COMMANDS:
            lines = [len(self.runs[figure, self.new.label]().splitlines())]
            try:
                lines.append(len(self.runs[figure, self.old.label]().splitlines()))
            except (RuntimeError, subprocess.TimeoutExpired) as err:
                s.row.notes.append(f"--baseline {self.old.label}: {err}")
                self.old_ok = False
                return
            s.log(f"trueup {figure} prints {lines[0]} lines, with {self.old.label}'s code {lines[1]}")

    def run(self, i: int) -> None:
        sides = [self.new, self.old] if self.old_ok else [self.new]
        if i % 2 == 1:
            sides.reverse()
        for figure, _, _ in COMMANDS:
            for side in sides:
                self.s.times[self.key(figure, side)].append(timed(self.runs[figure, side.label]))

    def finish(self) -> None:
        s = self.s
        for figure, _, _ in COMMANDS:
            s.row.compared.append(Compared(
                f"{s.size} tables: trueup {figure}", median(s.times[self.key(figure, self.new)]),
                median_or_none(s.times[self.key(figure, self.old)])))

    def close(self) -> None:
        pass
