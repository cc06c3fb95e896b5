"""``trueup audit`` and ``trueup apply`` on a fleet of tenant databases and tenant schemas.

The fleet: :mod:`~bench.fleetbench.tenant` (the tenant schema), :mod:`~bench.fleetbench.drift`
(which tenants drift and how), :mod:`~bench.fleetbench.build` (the databases, the manifest a
``--keep`` run leaves), :mod:`~bench.fleetbench.config` (``trueup.toml``).
What the phases share: :mod:`~bench.fleetbench.context` (options, the CLI runs of each side,
results), :mod:`~bench.fleetbench.hooks` (every name looked up in trueup's code),
:mod:`~bench.fleetbench.check` (the reports against the injected drift).
One module per phase, run in the order of :data:`bench.fleetbench.main.PHASES`: ``phase_floor``
(a), ``phase_audit_databases`` (b)-(d), ``phase_apply`` (e), ``phase_audit_schemas``,
``phase_in_process``; then :mod:`~bench.fleetbench.verdict`.
"""
