"""Running an audit's work on many targets at once: concurrency sized to the machine and the
server, one unit of work per database, failures kept per target.

Whole databases are probed and judged each on its own session (those sharing a fingerprint
share one inspection). Tenant schemas of one database are probed together, on a few sessions so
that thousands of them still use more than one server core, then the drifted ones are inspected
per database, one schema per distinct fingerprint.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from trueup.engines.interface.engine import Engine
from trueup.errors import TrueupError
from trueup.fleet.desired import scope_model
from trueup.fleet.judging import Auditor
from trueup.fleet.probe_store import Probe, ProbeStore
from trueup.fleet.probing import Stored, probe, probe_target
from trueup.fleet.results import TargetResult
from trueup.fleet.targets import Target

ProgressFn = Callable[[int, int, str], None]

#: schema-per-tenant probes of at least SCHEMA_WIDE_PROBE schemas share the kinds of objects
#: among this many sessions on the database (see Session.schema_fingerprints)
SCHEMA_PROBE_CONNECTIONS = 2
SCHEMA_WIDE_PROBE = 50


def describe_error(err: BaseException, target: Target) -> tuple[str, str | None]:
    """A failure's one-line message (naming the database) and hint."""
    if isinstance(err, TrueupError):
        return err.message, err.hint  # (it names the database already)
    text = str(err).strip()
    first = text.splitlines()[0] if text else type(err).__name__
    return f"{target.engine.describe(target.url)}: {type(err).__name__}: {first}", \
        "rerun with TRUEUP_DEBUG=1 for the traceback and report it"


def default_concurrency(engine: Engine, url: str | None, timeout: int | None = None) -> int:
    """Sized to the machine and to the free connections of the server."""
    cpu = os.cpu_count() or 2
    want = max(4, cpu * 8)
    if url is None:
        return want
    try:
        with engine.connect(url, timeout=timeout) as session:
            free = session.free_connections()
    except TrueupError:
        return want
    return want if free is None else max(1, min(want, free // 2))


def audit_targets(work: list[Target], auditor: Auditor, concurrency: int, progress: ProgressFn | None,
                  plans: bool = False, stores: dict[str, ProbeStore] | None = None) -> list[TargetResult]:
    """Every target's result. ``stores``: per group, the probes of earlier audits."""
    units: dict[tuple[str, str], list[Target]] = {}
    for t in work:
        units.setdefault((t.group, t.url if t.schema else f"{t.url}#{t.name}"), []).append(t)
    results = {t.key: TargetResult(t.group, t.name, t.location, target=t) for t in work}
    probes: dict[tuple[str, str], Probe] = {}

    def fail(unit: Sequence[Target], err: Exception) -> None:
        for t in unit:
            results[t.key].fail(*describe_error(err, t))

    def run_unit(unit: list[Target]) -> None:
        t0 = time.perf_counter()
        first = unit[0]
        d = auditor.desired[first.group]
        stored = Stored.of(stores[first.group], first) if stores and first.group in stores else None
        try:
            if first.schema is None:  # a whole database: a unit of one
                with first.engine.connect(first.url, timeout=auditor.timeout) as session:
                    # (a plan records the fingerprint it was made from: measured then)
                    probed = probe(session, d, None, stored=stored, measure_drifted=plans)
                    r = results[first.key] = auditor.judge(session, first, probed, plans)
                    r.recalled = None in probed.recalled
            else:
                schemas = [t.schema or "" for t in unit]
                wide = len(schemas) >= SCHEMA_WIDE_PROBE
                probed = probe_target(first, d, schemas, auditor.timeout,
                                      max(1, min(concurrency, SCHEMA_PROBE_CONNECTIONS)) if wide else 1, stored)
                for t in unit:
                    probes[t.key] = probed
                    results[t.key].recalled = t.schema in probed.recalled
        except Exception as err:  # one failing database never stops the run
            fail(unit, err)
        for t in unit:
            results[t.key].seconds = time.perf_counter() - t0

    done = 0
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for unit, _ in zip(units.values(), pool.map(run_unit, units.values()), strict=True):
            done += len(unit)
            if progress:
                progress(done, len(work), unit[0].name)

    drifted: dict[tuple[str, str], list[Target]] = {}
    for t in work:
        probed = probes.get(t.key)
        if probed is None:
            continue
        fp = results[t.key].fingerprint = probed.fingerprints.get(t.schema, "")
        if not auditor.desired[t.group].in_sync(fp):
            drifted.setdefault((t.group, t.url), []).append(t)

    def inspect_unit(same: list[Target]) -> None:
        try:
            _inspect_schemas(same, auditor, results, plans)
        except Exception as err:
            fail(same, err)

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, 8))) as pool:
        list(pool.map(inspect_unit, drifted.values()))

    for t in work:
        r = results[t.key]
        probed = probes.get(t.key)
        if probed is not None and r.status != "error":
            auditor.reference_findings(r, probed, plans)
    return list(results.values())


def _inspect_schemas(same: list[Target], auditor: Auditor, results: dict[tuple[str, str], TargetResult],
                     plans: bool) -> None:
    """The drifted tenant schemas of one database. Schemas with equal fingerprints have equal
    contents: only one of each is inspected, and its model, moved to each other schema, stands
    for theirs (a new release drifts every tenant alike: one schema is read, not a thousand)."""
    first = same[0]
    d = auditor.desired[first.group]
    alike: dict[str, list[Target]] = {}
    for t in same:
        alike.setdefault(results[t.key].fingerprint or "", []).append(t)
    with first.engine.connect(first.url, timeout=auditor.timeout) as session:
        whole = auditor.inspect(session, first, [ts[0].schema or "" for ts in alike.values()])
    for fp, ts in alike.items():
        model_schema = ts[0].schema or ""
        part = scope_model(whole, model_schema)
        for t in ts:
            schema = t.schema or ""
            moved = part if schema == model_schema else d.engine.rename_schema(part, model_schema, schema)
            found, plan = auditor.compare(moved, t, plans)
            if not found:
                d.learn(fp)
            auditor.record(results[t.key], found, plan)
