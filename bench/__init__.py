"""trueup's benchmarks, as a package that a new measurement extends by adding a module.

Entry points (from the repository root; the two scripts are thin and call into the package):

* ``python bench/fleet.py [flags]`` or ``python -m bench.fleet [flags]``: ``trueup audit`` and
  ``trueup apply`` on a fleet of tenant databases and schemas (:mod:`bench.fleetbench`);
* ``python bench/inspect.py [flags]`` or ``python -m bench.inspect [flags]``: inspection and diff
  against schemainspect and migra (:mod:`bench.inspectbench`);
* ``python bench/tenants.py [flags]`` or ``python -m bench.tenants [flags]``: tenant lifecycle
  (create with and without a template database, registry check, rotate-credentials) through
  trueup's library (:mod:`bench.tenantbench`).

The first two take ``--baseline REF``: the CLI-level figures measured in the same run, interleaved, with
the code of another commit too, side by side (:mod:`bench.common.baseline`).

Layout:

* :mod:`bench.common`: what both benchmarks share: server selection (:mod:`~bench.common.server`),
  thread pools and progress lines (:mod:`~bench.common.parallel`), timing, medians, the peak RSS
  of a subprocess and the phase timers (:mod:`~bench.common.timing`), the floors every figure is
  held against (:mod:`~bench.common.floors`), printing (:mod:`~bench.common.report`) and the
  baseline's checkout (:mod:`~bench.common.baseline`);
* :mod:`bench.fleetbench`: the fleet (``tenant``, ``drift``, ``build``, ``config``), what the
  phases share (``context``, ``hooks``, ``check``) and one module per phase (``phase_*``);
* :mod:`bench.inspectbench`: the generated schema (``schema``), its databases (``databases``), the
  reference tools (``reference``), what the phases share (``context``, ``catalog_floors``), one
  module per phase (``phase_*``) and the report (``report``);
* :mod:`bench.tenantbench`: the server's side (``server``: names, floors, cleanup), the configs
  (``config``), what the phases share (``context``, ``steps``), one module per phase
  (``phase_*``) and the ``verdict``.

A new measurement is a ``phase_*`` module: for the fleet a ``run(bench)`` function listed in
``bench.fleetbench.main.PHASES``; for inspect a class with the methods of
``bench.inspectbench.context.Phase``, added to the rounds of ``bench.inspectbench.main.bench_size``.

``bench/inspect.py`` shares its name with the standard library's ``inspect``: run as a file, it
takes its own folder off ``sys.path`` before importing anything, and the package's modules are
always imported as ``bench.*``, never from that folder.
"""
