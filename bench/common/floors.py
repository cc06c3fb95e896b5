"""Floors: what bounds a figure from below on this machine, whatever trueup's own code does.

* the connect-only floor: connect + ``SELECT 1`` + close on every database, as the audit
  connects (:func:`floor_seconds`);
* the catalog yardstick: the same with one join of three catalogs, the least a probe that reads
  the catalog does (:data:`MINIMAL_PROBE`);
* the machine's CPU: what every process on the machine used while a function ran
  (:func:`machine_cpu_of`, Linux only);
* start-up: a new interpreter importing trueup's CLI and psycopg (:func:`startup_command`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence

import psycopg

from bench.common.parallel import run_parallel

#: the least a probe that reads the catalog does: one join of three catalogs (the columns of the
#: tenant's tables), no deparsing, no hashing
MINIMAL_PROBE = ("SELECT count(*) FROM pg_catalog.pg_attribute a"
                 " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                 " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")


def floor_seconds(urls: Sequence[str], concurrency: int, sql: str = "SELECT 1") -> float:
    """Connect + ``sql`` + close on every database, as the audit connects (autocommit, timeout)."""

    def one(url: str) -> None:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql).fetchone()  # type: ignore[arg-type]

    t0 = time.perf_counter()
    run_parallel(one, urls, concurrency)
    return time.perf_counter() - t0


def machine_cpu() -> float | None:
    """CPU seconds every process on this machine has used (user, nice, system, irq, softirq:
    not idle, I/O wait nor time stolen by a hypervisor), or None off Linux."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 8:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def machine_cpu_of(fn: Callable[[], object]) -> float | None:
    """The machine's CPU seconds while ``fn`` runs (client and server alike), or None off Linux."""
    start = machine_cpu()
    fn()
    end = machine_cpu()
    return None if start is None or end is None else end - start


#: what every ``trueup`` command pays before it can send a query
STARTUP = "import trueup.cli.main, psycopg"


def startup_command() -> list[str]:
    """A new interpreter importing trueup's CLI and psycopg."""
    return [sys.executable, "-c", STARTUP]
