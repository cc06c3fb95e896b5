"""Benchmark: trueup's tenant lifecycle (issue "Tenant lifecycle"): create, registry check,
rotate-credentials --all.

Run as ``python bench/tenants.py [--url ADMIN_URL] [--tenants 200] [--build-tenants N]
[--check-tenants 1000] [--tables 40] [--create-concurrency N] [--check-concurrency N]
[--rotate-concurrency N]`` (or ``python -m bench.tenants ...`` from the repository root). The code
is in the package ``bench.tenantbench``, one module per phase; it calls trueup's library
(``trueup.tenants``), not its CLI, and runs each command with the concurrency trueup's function
defaults to unless told otherwise.

On the server of ``--url`` (the local server, else the embedded one), with a new secret key in
``TRUEUP_SECRET_KEY`` and a registry (control database) of its own, it measures in one run:

(a) ``tenant create`` of ``--tenants`` tenants (the fleet bench's 40-table schema and reference
    rows): with trueup's template database (``provision.template = true``, the default: the
    template built once, timed apart) and, for comparison, ``--build-tenants`` tenants without it
    (``template = false``, dropped again before the rest); tenants/s, each against its floor (the
    server alone: ``CREATE DATABASE ... TEMPLATE`` of the same template, or ``CREATE DATABASE``
    plus the tenant's script, with the same concurrency), the machine's CPU, and each step's
    median time from the registry's event log;
(b) ``registry check`` over them: tenants/s, against its floor (logging in as every tenant);
(c) ``rotate-credentials --all``: tenants/s, against its floor (a login role made, logged in
    with and dropped per tenant), each step's time, and a registry check after it;
(d) with ``--check-tenants M`` (M > N): M - N more tenants created, then ``registry check`` over
    all M; without it, the check of 1,000 tenants in the verdict is extrapolated from (b) and
    labelled so;

and this process's peak RSS after each phase, then a verdict against the issue's goals (10
tenants/s created, a check of 1,000 tenants under 5 s) and correctness (every tenant active,
every rotation done, every check consistent). Everything it creates is dropped at the end, also
on Ctrl-C or SIGTERM: the tenant databases ``trueup_bench_t_*``, the template
``trueup_tpl_trueup_bench_*``, the floors' ``trueup_bench_f_*``, the control databases
``trueup_bench_tenants_ctl*``, and the roles ``trueup_bench_r_*`` and ``trueup_bench_fr_*``.
"""


# bench/inspect.py shadows the standard library's ``inspect`` module, which dataclasses and others
# import: run as a file, this folder comes off the module path and the repository root goes on it,
# and everything is imported as ``bench.*`` (``python -m bench.tenants`` needs none of this).
import os
import sys

if not __package__:
    _HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [os.path.dirname(_HERE)] + [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from bench.tenantbench.main import main

if __name__ == "__main__":
    sys.exit(main())
