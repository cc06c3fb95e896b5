"""trueup's inspection and diff against schemainspect and migra, with the floors and the CPU
budget of this machine.

The inputs: :mod:`~bench.inspectbench.schema` (the generated schema and its drift),
:mod:`~bench.inspectbench.databases` (the two databases of each size),
:mod:`~bench.inspectbench.reference` (schemainspect and migra in a throw-away venv).
What the phases share: :mod:`~bench.inspectbench.context`; the floors that need trueup's catalog
queries: :mod:`~bench.inspectbench.catalog_floors`. One module per phase, interleaved in
:func:`bench.inspectbench.main.bench_size`: ``phase_inspect`` (a, c), ``phase_diff`` (b, d),
``phase_floors`` (e-k), ``phase_baseline`` (``--baseline``: the CLI with this checkout's code and
REF's); then :mod:`~bench.inspectbench.report`.
"""
