"""What bounds trueup's figures from below on this machine, and the CPU budget:

(e) start-up: a new interpreter importing trueup's CLI and psycopg;
(f) server time: the planning and execution time the server reports for trueup's catalog
    queries on one database, summed;
(g) fetch time: the CPU time psycopg takes in this process to connect, send those queries and
    decode their rows as plain tuples, with no model built;
(h) model time: the CPU time of one in-process inspection, less (g);
(i) CPU per inspection: what every process on this machine used while one inspection ran, for
    trueup and for schemainspect (Linux only);
(j) deparse CPU: the same for a new connection that only calls the server's deparse functions;
(k) bare model: the CPU to make the model's immutable objects from their finished parts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg

from bench.common.floors import machine_cpu_of, startup_command
from bench.common.timing import cpu_seconds, median, median_or_none, run_command, timed
from bench.inspectbench.catalog_floors import bare_model_seconds, deparse_only, fetch_rows, server_seconds
from bench.inspectbench.context import SizeRun, trueup_inspect

if TYPE_CHECKING:
    from trueup.model import Schema


class FloorsPhase:
    def __init__(self, s: SizeRun) -> None:
        self.s = s
        self.floors: dict[str, list[float]] = {"startup": [], "server": [], "fetch": [], "inspect": []}
        self.cpu: dict[str, list[float]] = {"trueup": [], "schemainspect": [], "deparse": []}
        self.startup = run_command(startup_command(), (0,), "start-up")
        self.conn: psycopg.Connection[Any] | None = None

    def inspect(self) -> Schema:
        return trueup_inspect(self.s.url_a)

    def warm_up(self) -> None:
        s = self.s
        model = s.warm_model if s.warm_model is not None else self.inspect()
        s.warm_model = None
        s.row.bare_model = bare_model_seconds(model)
        del model
        self.conn = psycopg.connect(s.url_a, autocommit=True)
        server_seconds(self.conn)  # warm-up

    def on_machine(self, key: str, fn: Callable[[], object]) -> None:
        used = machine_cpu_of(fn)
        if used is not None:
            self.cpu[key].append(used)

    def run(self, i: int) -> None:
        s, floors = self.s, self.floors
        assert self.conn is not None
        floors["startup"].append(timed(self.startup))
        floors["server"].append(server_seconds(self.conn))
        floors["fetch"].append(cpu_seconds(lambda: fetch_rows(s.url_a)))
        floors["inspect"].append(cpu_seconds(self.inspect))
        self.on_machine("trueup", self.inspect)
        self.on_machine("deparse", lambda: deparse_only(s.url_a))
        if s.schemainspect is not None:
            self.on_machine("schemainspect", s.schemainspect)

    def finish(self) -> None:
        row, floors, cpu = self.s.row, self.floors, self.cpu
        row.startup, row.server, row.fetch = (median(floors[k]) for k in ("startup", "server", "fetch"))
        row.model = max(0.0, median(floors["inspect"]) - row.fetch)
        row.cpu_trueup, row.cpu_schemainspect, row.cpu_deparse = (
            median_or_none(cpu[k]) for k in ("trueup", "schemainspect", "deparse"))

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
