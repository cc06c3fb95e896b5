"""The inspect benchmark's command line, the reference venv, and the phases of each size (see
``bench/inspect.py``)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from bench.common.baseline import BaselineError, Side, baseline_side, current_side, describe
from bench.common.server import default_url, interrupt_on_sigterm, pick_server
from bench.inspectbench.context import Phase, Row, SizeRun
from bench.inspectbench.databases import Databases
from bench.inspectbench.phase_baseline import BaselinePhase
from bench.inspectbench.phase_diff import DiffPhase
from bench.inspectbench.phase_floors import FloorsPhase
from bench.inspectbench.phase_inspect import InspectPhase
from bench.inspectbench.reference import Reference, build_reference
from bench.inspectbench.report import baseline_block, report
from bench.inspectbench.schema import generate_schema


def bench_size(size: int, dbs: Databases, ref: Reference | None, runs: int, sides: list[Side]) -> Row:
    """Time the figures for one size; their runs are interleaved so that a change in the
    machine's load (other processes) weighs on each tool alike."""
    schema = generate_schema(size)
    t0 = time.perf_counter()
    url_a = dbs.create(f"{size}_a", schema.base_sql)
    url_b = dbs.create(f"{size}_b", schema.base_sql + schema.drift_sql)
    s = SizeRun(size, url_a, url_b, ref, Row(size, 0.0, 0.0))
    s.log(f"created two databases in {time.perf_counter() - t0:.1f}s "
          f"({schema.drift_ops} drift statements in the second)")
    inspect, diff = InspectPhase(s), DiffPhase(s)
    floors = FloorsPhase(s)
    # warm-up runs, not counted; they also check that every tool works on these databases. The
    # floors come last (they use the others' warm-up), and run first in each round
    warm_up: list[Phase] = [inspect, diff, floors]
    rounds: list[Phase] = [floors, inspect, diff]
    if len(sides) > 1:
        baseline = BaselinePhase(s, sides[0], sides[1])
        warm_up.append(baseline)
        rounds.append(baseline)
    try:
        for p in warm_up:
            p.warm_up()
        for i in range(runs):
            for p in rounds:
                p.run(i)
            s.log(f"run {i + 1}/{runs}: " + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in s.times.items() if v))
        for p in rounds:
            p.finish()
    finally:
        for p in rounds:
            p.close()
    return s.row


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/inspect.py",
                                     description="Benchmark: trueup inspection and diff against schemainspect"
                                     " and migra.")
    parser.add_argument("--url", default=default_url(),
                        help="admin URL of the server (default: $TRUEUP_BENCH_PG_URL or %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default: %(default)s)")
    parser.add_argument("--sizes", default="40,400", help="table counts (default: %(default)s)")
    parser.add_argument("--no-reference", action="store_true", help="skip schemainspect and migra")
    parser.add_argument("--baseline", metavar="REF", default=None,
                        help="also time trueup inspect and trueup diff with the code of git commit REF,"
                        " interleaved, and print both side by side")
    args = parser.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.runs < 1 or not args.sizes or min(args.sizes) < 1:
        parser.error("--runs and every size must be at least 1")
    return args


def reference_tools(tmp: Path, skip: bool) -> Reference | None:
    if skip:
        print("note: --no-reference: schemainspect and migra are skipped", flush=True)
        return None
    print("building the reference venv (migra, schemainspect) ...", flush=True)
    t0 = time.perf_counter()
    ref, why = build_reference(tmp)
    if ref is None:
        print(f"note: reference tools unavailable, their columns are skipped: {why}", flush=True)
    else:
        print(f"reference venv ready in {time.perf_counter() - t0:.1f}s", flush=True)
    return ref


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    warnings.filterwarnings("ignore", module="platformdirs")
    rows: list[Row] = []
    with interrupt_on_sigterm(), ExitStack() as stack, tempfile.TemporaryDirectory(prefix="trueup_bench_") as tmp:
        sides = [current_side()]
        if args.baseline is not None:
            try:
                sides.append(stack.enter_context(baseline_side(args.baseline)))
            except BaselineError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
            for line in describe(sides[0], sides[1]):
                print(line, flush=True)
        admin = pick_server(args.url)
        dbs = Databases(admin)
        try:
            ref = reference_tools(Path(tmp), args.no_reference)
            for size in args.sizes:
                rows.append(bench_size(size, dbs, ref, args.runs, sides))
                dbs.drop_all()
        except KeyboardInterrupt:
            print("\ninterrupted: dropping the benchmark databases", file=sys.stderr, flush=True)
            return 130
        finally:
            dbs.drop_all()
        print()
        print(report(rows, args.runs))
        if len(sides) > 1:
            print()
            print(baseline_block(rows, args.runs, sides[1].label))
    return 0
