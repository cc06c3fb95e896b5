"""The fleet benchmark's command line and the order of its phases (see ``bench/fleet.py``)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType

from bench.common.baseline import BaselineError, Side, baseline_side, current_side, describe
from bench.common.report import Out
from bench.common.server import default_url, interrupt_on_sigterm, pick_server
from bench.fleetbench import (
    phase_apply,
    phase_audit_databases,
    phase_audit_schemas,
    phase_floor,
    phase_history,
    phase_in_process,
    phase_migrate_up,
)
from bench.fleetbench.build import Fleet, fleet_key
from bench.fleetbench.config import write_config
from bench.fleetbench.context import Bench, Options, SideSetup
from bench.fleetbench.hooks import audit_concurrency
from bench.fleetbench.tenant import Tenant, tenant_schema
from bench.fleetbench.verdict import correctness, side_by_side, verdict

#: the measured phases, in this order; each is a module with ``run(bench)``
PHASES: tuple[ModuleType, ...] = (phase_floor, phase_audit_databases, phase_apply, phase_audit_schemas,
                                  phase_in_process, phase_history, phase_migrate_up)


def parse_args(argv: Sequence[str] | None) -> Options:
    p = argparse.ArgumentParser(prog="bench/fleet.py", description="Benchmark trueup audit on a fleet of tenant"
                                " databases and schemas.")
    p.add_argument("--url", default=default_url(),
                   help="admin URL of the server (default: $TRUEUP_BENCH_PG_URL or the local server)")
    p.add_argument("--databases", type=int, default=1000, help="tenant databases (default 1000)")
    p.add_argument("--schemas", type=int, default=1000, help="tenant schemas in one database (default 1000)")
    p.add_argument("--tables", type=int, default=40, help="tables per tenant (default 40)")
    p.add_argument("--drift", type=float, default=0.02, help="share of drifted tenants (default 0.02)")
    p.add_argument("--concurrency", type=int, default=None,
                   help="audit and floor concurrency (default: what trueup audit picks)")
    p.add_argument("--keep", action="store_true", help="keep the fleet; a later run reuses it if it fits")
    p.add_argument("--skip-create", action="store_true", help="use the fleet a --keep run left")
    p.add_argument("--no-apply", action="store_true", help="skip the apply phases (e) and (i)")
    p.add_argument("--no-in-process", action="store_true", help="skip the in-process, per-phase audit runs")
    p.add_argument("--baseline", metavar="REF", default=None,
                   help="also run every trueup audit/apply command with the code of git commit REF,"
                   " interleaved, and print both side by side")
    args = p.parse_args(argv)
    if args.databases < 0 or args.schemas < 0 or args.tables < 8:
        p.error("--databases and --schemas must be >= 0, --tables >= 8")
    if args.concurrency is not None and not 1 <= args.concurrency <= 90:
        p.error("--concurrency must be 1..90 (the server allows 100 connections)")
    return Options(args.url, args.databases, args.schemas, args.tables, args.drift, args.concurrency,
                   args.keep, args.skip_create, args.no_apply, args.no_in_process, args.baseline)


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    with interrupt_on_sigterm(), ExitStack() as stack:
        sides = [current_side()]
        if opts.baseline is not None:
            try:
                sides.append(stack.enter_context(baseline_side(opts.baseline)))
            except BaselineError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
        opts.url = pick_server(opts.url)
        fleet = Fleet(opts.url)
        tenant = tenant_schema(opts.tables)
        workdir = Path(tempfile.mkdtemp(prefix="trueup_bench_fleet_"))
        try:
            return run(opts, fleet, tenant, workdir, sides)
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        finally:
            try:
                if not opts.keep:
                    fleet.drop_all()
            except KeyboardInterrupt:  # a second Ctrl-C: once more, without the progress
                fleet.drop_all()
            shutil.rmtree(workdir, ignore_errors=True)


def run(opts: Options, fleet: Fleet, tenant: Tenant, workdir: Path, sides: list[Side]) -> int:
    print(f"server {opts.url}: {opts.databases} databases and {opts.schemas} schemas of {len(tenant.tables)}"
          f" tables, drift {opts.drift:.0%}", flush=True)
    key = fleet_key(opts.tables, opts.drift, tenant)
    manifest = fleet.reusable(key, opts.databases, opts.schemas) if (opts.keep or opts.skip_create) else None
    if manifest is not None:
        print("reusing the fleet left by an earlier --keep run", flush=True)
    elif opts.skip_create:
        print("--skip-create: no fleet of this shape exists (run once with --keep)", file=sys.stderr)
        return 2
    else:
        t0 = time.perf_counter()
        manifest = fleet.create(tenant, key, opts.databases, opts.schemas, opts.drift)
        print(f"fleet built in {time.perf_counter() - t0:.0f} s", flush=True)

    default, from_trueup = audit_concurrency(opts.url)
    # each side its own folder: its configuration, and the caches trueup keeps beside it
    setups = [SideSetup(side, workdir / "baseline" if i else workdir) for i, side in enumerate(sides)]
    for s in setups:
        s.folder.mkdir(parents=True, exist_ok=True)
        write_config(s.folder, opts.url, tenant, max(1, opts.databases))
    b = Bench(opts, fleet, tenant, manifest, workdir, opts.concurrency or default, setups, Out())
    b.say("")
    b.say(f"concurrency {b.concurrency} ("
          + (f"trueup audit's default: {default}" if from_trueup
             else f"the bench's default: {default}; trueup's default_concurrency was not found")
          + f"); config {b.config}")
    if b.baseline is not None:
        for line in describe(sides[0], b.baseline):
            b.say(line)
    for phase in PHASES:
        phase.run(b)
    correctness(b)
    side_by_side(b)
    return 0 if verdict(b) else 1
