"""The tenant benchmark's command line and the order of its phases (see ``bench/tenants.py``)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from bench.common.report import Out
from bench.common.server import default_url, interrupt_on_sigterm, pick_server
from bench.fleetbench.tenant import tenant_schema
from bench.tenantbench import phase_check, phase_check_many, phase_create, phase_rotate
from bench.tenantbench.config import write_config
from bench.tenantbench.context import Bench, Options, library_default
from bench.tenantbench.server import (
    BUILD_CONTROL_DB,
    CONTROL_DB,
    GROUP_BUILD,
    GROUP_CLONE,
    Server,
)
from bench.tenantbench.verdict import memory, verdict
from trueup.tenants.check import check_registry
from trueup.tenants.create import create_tenants
from trueup.tenants.rotate import rotate_all
from trueup.tenants.secrets import ENV, new_key

#: the measured phases, in this order; each is a module with ``run(bench)``
PHASES: tuple[ModuleType, ...] = (phase_create, phase_check, phase_rotate, phase_check_many)


def parse_args(argv: Sequence[str] | None) -> Options:
    p = argparse.ArgumentParser(prog="bench/tenants.py", description="Benchmark trueup's tenant lifecycle: create,"
                                " registry check, rotate-credentials --all.")
    p.add_argument("--url", default=default_url(),
                   help="admin URL of the server (default: $TRUEUP_BENCH_PG_URL or the local server)")
    p.add_argument("--tenants", type=int, default=200, help="tenants created, checked and rotated (default 200)")
    p.add_argument("--build-tenants", type=int, default=None,
                   help="tenants also created without the template, for comparison (default: --tenants; 0: skip)")
    p.add_argument("--check-tenants", type=int, default=0,
                   help="also measure registry check on this many tenants, creating the ones beyond --tenants"
                   " (e.g. 1000; default: none, the check of 1000 is extrapolated from --tenants)")
    p.add_argument("--tables", type=int, default=40, help="tables per tenant (default 40)")
    p.add_argument("--create-concurrency", type=int, default=None, help="default: trueup's (create_tenants)")
    p.add_argument("--check-concurrency", type=int, default=None, help="default: trueup's (check_registry)")
    p.add_argument("--rotate-concurrency", type=int, default=None, help="default: trueup's (rotate_all)")
    args = p.parse_args(argv)
    if args.tenants < 1 or args.tables < 8:
        p.error("--tenants must be >= 1, --tables >= 8")
    build = args.tenants if args.build_tenants is None else args.build_tenants
    if build < 0 or args.check_tenants < 0:
        p.error("--build-tenants and --check-tenants must be >= 0")
    for c in (args.create_concurrency, args.check_concurrency, args.rotate_concurrency):
        if c is not None and not 1 <= c <= 40:
            p.error("a concurrency must be 1..40 (a tenant uses several connections; the server allows 100)")
    return Options(args.url, args.tenants, build, args.check_tenants, args.tables, args.create_concurrency,
                   args.check_concurrency, args.rotate_concurrency)


def main(argv: Sequence[str] | None = None) -> int:
    opts = parse_args(argv)
    # a new key for the bench's new registries (never printed)
    os.environ[ENV] = new_key()
    with interrupt_on_sigterm():
        opts.url = pick_server(opts.url)
        server = Server(opts.url)
        workdir = Path(tempfile.mkdtemp(prefix="trueup_bench_tenants_"))
        try:
            return run(opts, server, workdir)
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        finally:
            try:
                cleanup(server)
            except KeyboardInterrupt:  # a second Ctrl-C: once more, without stopping
                cleanup(server)
            shutil.rmtree(workdir, ignore_errors=True)


def cleanup(server: Server) -> None:
    dbs, roles = server.drop_all()
    left = server.databases() + server.roles()
    print(f"cleanup: dropped {dbs} database(s) and {roles} role(s) of this bench; "
          + (f"LEFT OVER: {', '.join(left)}" if left else "none left"), flush=True)


def run(opts: Options, server: Server, workdir: Path) -> int:
    dbs, roles = server.drop_all()
    if dbs or roles:
        print(f"dropped {dbs} database(s) and {roles} role(s) an earlier run left", flush=True)
    tenant = tenant_schema(opts.tables)
    server.create_database(CONTROL_DB)
    if opts.build_tenants:
        server.create_database(BUILD_CONTROL_DB)
    b = Bench(opts, server, tenant, workdir,
              write_config(workdir, "clone.toml", opts.url, CONTROL_DB, GROUP_CLONE, True, tenant),
              write_config(workdir, "build.toml", opts.url, BUILD_CONTROL_DB, GROUP_BUILD, False, tenant),
              opts.create_concurrency or library_default(create_tenants),
              opts.check_concurrency or library_default(check_registry),
              opts.rotate_concurrency or library_default(rotate_all), Out())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    b.say(f"server {opts.url} (PostgreSQL {server.version()}): {opts.tenants} tenants of {len(tenant.tables)} tables"
          f" and reference rows; {os.cpu_count()} cores" + (f", load average {load:.1f} at the start" if load else ""))
    b.say("concurrency: create " + _conc(opts.create_concurrency, b.create_concurrency)
          + ", registry check " + _conc(opts.check_concurrency, b.check_concurrency)
          + ", rotate-credentials " + _conc(opts.rotate_concurrency, b.rotate_concurrency))
    b.say("machine CPU: what every process on the machine used meanwhile (the server's, this one's and any other"
          " work's), from /proc/stat; a checkpoint before each measured run")
    t0 = time.perf_counter()
    for phase in PHASES:
        phase.run(b)
    memory(b)
    b.say(f"the bench's phases took {time.perf_counter() - t0:.0f} s (floors, checkpoints and drops between"
          " the measured runs included)")
    return 0 if verdict(b) else 1


def _conc(given: int | None, used: int) -> str:
    return f"{used}" + ("" if given else " (trueup's default)")
