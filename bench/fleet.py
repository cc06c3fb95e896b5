"""Benchmark: ``trueup audit`` on a fleet of 1000 tenant databases and 1000 tenant schemas.

Run as ``python bench/fleet.py [--url ADMIN_URL] [--databases 1000] [--schemas 1000] [--tables 40]
[--drift 0.02] [--concurrency N] [--keep] [--skip-create] [--no-apply] [--no-in-process]
[--baseline REF]`` (or ``python -m bench.fleet ...`` from the repository root). The code is in the
package ``bench.fleetbench``, one module per phase.

It builds, on the server of ``--url``:

* ``trueup_bench_tpl``: one tenant (``--tables`` tables with varied column types, primary and
  foreign keys, unique, partial and expression indexes, trigger functions and triggers, row level
  security and policies, views, reference rows in ``roles``), and ``trueup_bench_t0000`` ...
  cloned from it with ``CREATE DATABASE ... TEMPLATE``;
* ``trueup_bench_schemas``: the same tenant once per schema ``tenant_0000`` ...;

and drifts about ``--drift`` of each (a deterministic choice): every drifted tenant gets one of a
dropped table, a dropped index, a changed column default, an extra column, a dropped trigger, a
dropped policy or a missing reference row. The desired state, the reference data and a
``trueup.toml`` with the groups ``databases`` and ``schemas`` go to a temporary folder.

It then measures, in one run:

(a) the floor: connect + ``SELECT 1`` + close on every tenant database, with the audit's
    concurrency and its connection options (the median of three passes: timings on this
    machine vary by about 20% from pass to pass);
(b) ``trueup audit --group databases`` and ``trueup audit --group schemas`` as subprocesses (wall
    time, Python start-up included), each three times: the first run (nothing cached: the
    desired state is loaded into a scratch database and every target fingerprinted), again with
    ``--rescan`` (desired state from the cache, every target fingerprinted) and a repeat run
    (desired state cached, unchanged targets known by their change tokens; for the databases
    the median of three); then each group
    once more in this process through ``run_audit(rescan=True)``, timed per phase;
(c) the peak RSS of each audit process;
(d) audit / floor for the databases, first and repeat run;
(e) ``trueup apply --yes --allow-destructive`` of a 3-statement change (a column with a default,
    an index, a policy) to every tenant database, the drifted ones repaired on the way: wall
    time, targets applied and verified in sync, peak RSS (skip with ``--no-apply``); the fleet is
    then put back as built (the change taken away, the repaired drift injected again);
(h) ``trueup migrate status`` of the tenant databases split into 40 migrations, against the
    audit with ``--rescan``;
(i) ``trueup migrate up --yes`` of one new migration (a table and an index) to the databases at
    V40, against ``trueup apply --yes`` of the same change to them in the same state, and the
    ratio (skip with ``--no-apply``),

checks the JSON reports of the first and the repeat runs (every injected drift found in the right
tenant with the right category, every other tenant in sync) and prints a verdict. Every ``trueup_bench_*`` database this script
creates is dropped at the end, also on Ctrl-C, unless ``--keep`` is given; with ``--keep`` a later
run reuses a fleet of the same shape.

With ``--baseline REF`` (a git commit), every ``trueup audit`` and ``trueup apply`` run of (b)-(e)
is also made with REF's code (checked out into a temporary worktree, removed at the end; its own
configuration folder and caches), each pair back to back, the order swapped every other pair;
the report then shows both side by side with new/old, peak RSS and exit codes. The floor and
the in-process runs are this checkout's only.
"""


# bench/inspect.py shadows the standard library's ``inspect`` module, which dataclasses and others
# import: run as a file, this folder comes off the module path and the repository root goes on it,
# and everything is imported as ``bench.*`` (``python -m bench.fleet`` needs none of this).
import os
import sys

if not __package__:
    _HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [os.path.dirname(_HERE)] + [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from bench.fleetbench.main import main

if __name__ == "__main__":
    sys.exit(main())
