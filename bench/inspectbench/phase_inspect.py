"""(a) ``trueup.engines.postgres.ENGINE.inspect(url)`` in this process (connect + inspect), and
(c) schemainspect's ``get_inspector()`` in the reference venv (connect + inspect, timed inside a
worker of that venv, so the interpreter start is not counted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.common.timing import median, median_or_none, timed
from bench.inspectbench.context import SizeRun, trueup_inspect

if TYPE_CHECKING:
    from trueup.model import Schema
from bench.inspectbench.reference import SchemainspectWorker


class InspectPhase:
    def __init__(self, s: SizeRun) -> None:
        self.s = s
        self.worker: SchemainspectWorker | None = None

    def inspect(self) -> Schema:
        return trueup_inspect(self.s.url_a)

    def warm_up(self) -> None:
        s = self.s
        model = self.inspect()
        s.log(f"trueup sees {len(model.of_kind('table'))} tables, {len(model)} objects")
        s.warm_model = model
        if s.ref is None:
            return
        self.worker = SchemainspectWorker(s.ref, s.url_a)
        try:
            self.worker.run()
            s.log(f"schemainspect sees {self.worker.tables} tables")
            s.schemainspect = self.worker.run
        except RuntimeError as err:
            s.row.notes.append(str(err))
            self.close()

    def run(self, i: int) -> None:
        self.s.times["inspect"].append(timed(self.inspect))
        if self.worker is not None:
            self.s.times["schemainspect"].append(self.worker.run())

    def finish(self) -> None:
        row, times = self.s.row, self.s.times
        row.trueup_inspect = median(times["inspect"])
        row.schemainspect = median_or_none(times["schemainspect"])

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
            self.s.schemainspect = None
