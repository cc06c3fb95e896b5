"""Where the benchmark reaches into trueup's code, in one place.

Everything else goes through the ``trueup`` CLI. trueup's modules move: each name is looked up
when it is used, and one that is not found is skipped (or replaced by the bench's own), never an
error. Re-point an entry here when a function moves.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any, cast

import psycopg

from bench.common.timing import first_found

#: the functions whose calls the in-process run times (``--no-in-process`` skips it), as
#: ``(module, function)``: the module whose attribute the *caller* reads, so a function that
#: ``trueup.fleet.audit`` imports with ``from ... import`` is wrapped there, not where it is
#: defined. Entries of the same name add up; list a function's old and new home while it moves.
PHASE_HOOKS: tuple[tuple[str, str], ...] = (
    ("trueup.fleet.judging", "load_desired"),  # each group's desired state
    ("trueup.fleet.targets", "discover"),
    ("trueup.fleet.audit", "default_concurrency"),
    ("trueup.fleet.execution", "probe"),  # the probe of one whole database
    ("trueup.fleet.execution", "probe_target"),  # the probe of one database's tenant schemas
    ("trueup.engines.postgres.fleet_ops.session", "fingerprint"),
    ("trueup.engines.postgres.fleet_ops.session", "schema_fingerprints"),
    ("trueup.engines.postgres.fleet_ops.session", "inspect_connection"),  # full inspections
    ("trueup.fleet.judging", "diff_schemas"),
    ("trueup.fleet.judging", "schema_findings"),
)

#: what the in-process run calls, first found first: ``load_config(path)`` and
#: ``run_audit(config, groups=[...], concurrency=N, rescan=True)``
LOAD_CONFIG: tuple[tuple[str, str], ...] = (("trueup.config", "load_config"),)
RUN_AUDIT: tuple[tuple[str, str], ...] = (("trueup.fleet.audit", "run_audit"),)
#: the concurrency ``trueup audit`` picks for a server URL
DEFAULT_CONCURRENCY: tuple[tuple[str, str], ...] = (("trueup.fleet.execution", "default_concurrency"),
                                                    ("trueup.fleet.audit", "default_concurrency"))


def bench_concurrency(url: str) -> int:
    """The bench's own default, as ``trueup audit`` sized it when this was written: eight per
    core (at least four), at most half the server's free connections."""
    want = max(4, (os.cpu_count() or 2) * 8)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            row = conn.execute("SELECT current_setting('max_connections')::int - count(*)"
                               " FROM pg_stat_activity").fetchone()
    except psycopg.Error:
        return want
    free = int(row[0]) if row else want
    return max(1, min(want, free // 2))


def audit_concurrency(url: str) -> tuple[int, bool]:
    """The concurrency ``trueup audit`` picks for ``url``, and whether trueup said so (False:
    the bench's own default, trueup's function was not found)."""
    fn = first_found(DEFAULT_CONCURRENCY)
    if fn is None:
        return bench_concurrency(url), False
    if next(iter(inspect.signature(fn).parameters), "") == "engine":  # (since the engine boundary)
        from trueup.engines import engine_for_url

        return int(cast(Callable[..., Any], fn)(engine_for_url(url), url)), True
    return int(cast(Callable[[str], Any], fn)(url)), True
