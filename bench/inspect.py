"""Benchmark: trueup inspection and diff against schemainspect and migra.

Run as ``python bench/inspect.py [--url ADMIN_URL] [--runs N] [--sizes 40,400] [--no-reference]
[--baseline REF]`` (or ``python -m bench.inspect ...`` from the repository root). The code is in
the package ``bench.inspectbench``, one module per phase.

For each size N the script creates two databases named ``trueup_bench_*`` on the server:
one with a generated schema of N tables (varied column types, enums, primary and foreign
keys, unique, partial and expression indexes, trigger functions and triggers, row level
security with policies, views, a materialized view, functions, comments) and one with the
same schema and about 5% drift. Both are dropped at the end, also on Ctrl-C.

It times, as the median of ``--runs`` runs after one untimed warm-up run (the four figures'
runs are interleaved, so that other load on the machine weighs on each tool alike):

(a) ``trueup.engines.postgres.ENGINE.inspect(url)`` in this process (connect + inspect),
(b) the whole ``trueup diff URL1 URL2`` command as a subprocess (Python start-up included),
(c) schemainspect's ``get_inspector()`` in a throw-away venv (connect + inspect, timed by
    a small script inside that venv, so the interpreter start is not counted),
(d) the whole ``migra --unsafe URL1 URL2`` command as a subprocess.

In the same run it measures what bounds trueup's figures from below on this machine, whatever
trueup's own code does:

(e) start-up: a new interpreter importing trueup's CLI and psycopg (what every ``trueup``
    command pays before it can send a query);
(f) server time: the planning and execution time the server reports (``EXPLAIN ANALYZE``) for
    trueup's catalog queries on one database, summed;
(g) fetch time: the CPU time psycopg takes in this process to connect, send those queries and
    decode their rows (as plain tuples: the cheapest form), with no model built;
(h) model time: the CPU time of one in-process inspection, less (g): trueup's own Python code.

(i) CPU per inspection: what every process on this machine used while one inspection ran (from
    /proc/stat: client and server alike, so both tools are measured the same way), for trueup
    and for schemainspect; Linux only, and meaningful only when the server runs here;
(j) deparse CPU: the same, for a new connection that only calls the server's deparse functions
    (pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef,
    pg_get_triggerdef, pg_get_expr for defaults and policies, format_type for columns) once for
    each object that has a definition: what any tool that reports definitions as the server
    writes them pays (schemainspect and migra do), before it reads anything else;
(k) bare model: the CPU to make the model's immutable objects (identity, frozen definition,
    dependencies) from their finished parts, with nothing read, normalised or resolved: what
    building this model costs at least, however it is read.

Any inspection needs (f) and (g), on at most two cores: ``((f) + (g)) / 2``. A ``diff`` of two
databases needs (e), then (f) and (g) for each side, on the machine's cores: ``(e) + (2 * (f) +
2 * (g)) / cores``. Those floors hold even if trueup's own code took no time at all; the report
prints them and the best ratios they allow against the reference tools, and (h), so a missed
target can be told apart from a slow trueup.

At a ratio R against schemainspect, an inspection has schemainspect's time / R, so at most
cores x that of CPU: the report compares (i) and (j) with that budget.

When the reference venv cannot be built, (c) and (d) are skipped with a note.

With ``--baseline REF`` (a git commit), ``trueup inspect URL`` and ``trueup diff URL1 URL2`` are
also timed as subprocesses with this checkout's code and with REF's (checked out into a
temporary worktree, removed at the end), in the same rounds, each pair back to back; the report
ends with both side by side and new/old. The in-process figures are this checkout's only.
"""

# This file shares its name with the standard library's ``inspect`` module, which dataclasses
# and others import: run as a file, this folder comes off the module path (so they get the real
# one) and the repository root goes on it; everything is imported as ``bench.*``
# (``python -m bench.inspect`` needs none of this).
import os
import sys

if not __package__:
    _HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [os.path.dirname(_HERE)] + [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from bench.inspectbench.main import main

if __name__ == "__main__":
    sys.exit(main())
