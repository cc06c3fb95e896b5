"""Probing a target: what an audit measures on every target, in as few round trips as it can.

A probe is the target's schema fingerprint (or, schema per tenant, one per schema) and the rows
of its reference tables. When the target's change token reads as at its last probe, the parts
of that probe that matched the desired state are reused (see :mod:`trueup.fleet.probe_store`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass

from trueup.engines.interface.session import Session, TableName
from trueup.fleet.desired import Desired
from trueup.fleet.probe_store import Probe, ProbeStore, probe_key
from trueup.fleet.refdata import RefTable, row_drifts
from trueup.fleet.targets import Target


@dataclass(frozen=True)
class Stored:
    """Where a target's probes are kept, and the target's identity there."""

    store: ProbeStore
    target: str

    @classmethod
    def of(cls, store: ProbeStore, target: Target) -> Stored:
        # (a unit of tenant schemas is one database: its location is its identity)
        who = target.engine.location(target.url) if target.schema else f"{target.name}\x1f{target.location}"
        return cls(store, who)


def probe_target(target: Target, desired: Desired, schemas: Sequence[str] | None, timeout: int,
                 connections: int = 1, stored: Stored | None = None) -> Probe:
    """Probe on a session of its own (or, for many tenant schemas, up to ``connections``
    sessions reading the catalog side by side)."""
    engine = target.engine
    with engine.connect(target.url, timeout=timeout) as session, ExitStack() as stack:
        more = [stack.enter_context(engine.connect(target.url, timeout=timeout))
                for _ in range(connections - 1)] if schemas else []
        return probe(session, desired, schemas, more, stored=stored)


def probe(session: Session, desired: Desired, schemas: Sequence[str] | None, more: Sequence[Session] = (),
          again: bool = False, stored: Stored | None = None, measure_drifted: bool = True) -> Probe:
    """:func:`probe_target` on sessions already open (``more``: to the same database; ``again``:
    ``session`` will be probed again, see :meth:`~trueup.engines.interface.session.Session.fingerprint`).

    ``stored``: where this target's last probe is kept. If the database's change token reads as
    it did then, the parts of that probe that matched the desired state are reused and only the
    rest is measured again; without ``measure_drifted``, a whole database that had drifted, alone
    with its fingerprint, keeps its stored fingerprint, marked unmeasured: it is inspected anyway
    (databases that drifted alike are measured, to share one inspection)."""
    scopes: list[str | None] = list(schemas) if schemas else [None]
    tables = [(s, t.in_schema(s) if s else t) for s in scopes for t in desired.reference]
    result, token = Probe(), None
    if stored is not None:
        names: list[TableName] = [t.qualified for _, t in tables]
        probes, key = stored.store, probe_key(stored.target, schemas or desired.schemas, names)
        last = probes.last_token(key)
        token = session.change_token(names, last)
        kept = probes.get(key, token) if token is not None else None
        if kept is None and last is not None and token is not None:
            # something changed: what is stored now must rest on identities looked up afresh (a
            # reference table created or replaced since has another, or now has one)
            token = session.change_token(names)
        if kept is not None:
            drifted_alone = kept.fingerprints.get(None) not in probes.common_fingerprints()
            result = still_true(kept, desired, scopes, tables,
                                keep_drifted=not measure_drifted and not schemas and drifted_alone)
    if schemas:
        stale = [s for s in schemas if s not in result.fingerprints]
        if stale:
            fps = session.schema_fingerprints(stale, more, again=again)
            result.fingerprints.update({s: fps.get(s, "") for s in stale})
    elif None not in result.fingerprints:
        result.fingerprints[None] = session.fingerprint(desired.schemas, again=again)
    read_rows(session, [(s, t) for s, t in tables if (s, t.table) not in result.rows], result)
    if stored is not None and token is not None:
        stored.store.put(key, token, result)
    return result


def still_true(stored: Probe, desired: Desired, scopes: Sequence[str | None],
               tables: Sequence[tuple[str | None, RefTable]], keep_drifted: bool = False) -> Probe:
    """The parts of a stored probe (of an unchanged database) that matched the desired state.
    The others are measured again, so a drifted target's repair shows at once, whatever the
    statistics' flush delay (``keep_drifted``: a drifted fingerprint is kept, marked unmeasured)."""
    kept = Probe()
    for s in scopes:
        fp = stored.fingerprints.get(s)
        if desired.in_sync(fp):
            kept.fingerprints[s] = fp or ""
            kept.recalled.add(s)
        elif fp is not None and keep_drifted:
            kept.fingerprints[s] = fp
            kept.unmeasured.add(s)
    for s, t in tables:
        rows = stored.rows.get((s, t.table))
        if rows is not None and not row_drifts(t, rows, ""):
            kept.rows[(s, t.table)] = rows
    return kept


def read_rows(session: Session, tables: Sequence[tuple[str | None, RefTable]], probe: Probe) -> None:
    """Every reference table's rows (``None``: no such table)."""
    if not tables:
        return
    got = session.read_rows([(t.qualified, t.columns) for _, t in tables])
    for (s, t), rows in zip(tables, got, strict=True):
        probe.rows[(s, t.table)] = rows
