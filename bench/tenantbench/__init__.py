"""trueup's tenant lifecycle: ``tenant create`` of N tenants with and without a template database,
``registry check`` over them, ``rotate-credentials --all``; each against its floor.

:mod:`~bench.tenantbench.server` (every name the bench makes, the floors, the cleanup),
:mod:`~bench.tenantbench.config` (the two ``trueup.toml``), :mod:`~bench.tenantbench.context`
(options, timing, results), :mod:`~bench.tenantbench.steps` (each step's time, from the
registry's event log); one module per phase, run in the order of
:data:`bench.tenantbench.main.PHASES`: ``phase_create`` (a), ``phase_check`` (b),
``phase_rotate`` (c), ``phase_check_many`` (d); then :mod:`~bench.tenantbench.verdict`.
The tenant schema and reference data are the fleet bench's (:mod:`bench.fleetbench.tenant`).
"""
