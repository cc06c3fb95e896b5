"""Judging a target: its findings (and with plans, the statements that repair it) from its
probe, inspecting it only when its fingerprint is not known to be in sync.

Shared by the fleet audit and by ``apply``, which judges every target on its own session,
under its lock, before and after applying.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from trueup.config import Config
from trueup.diff import diff_schemas
from trueup.engines.interface.generators import DiffOptions
from trueup.engines.interface.renames import merge, retarget
from trueup.engines.interface.session import Session
from trueup.engines.interface.sql import Statement
from trueup.fleet.desired import Desired, load_desired, scope_model
from trueup.fleet.findings import Finding, schema_findings
from trueup.fleet.ignore import apply_ignore
from trueup.fleet.layers import LayerOwners
from trueup.fleet.probe_store import Probe
from trueup.fleet.probing import probe
from trueup.fleet.refdata import refdata_findings
from trueup.fleet.results import TargetResult
from trueup.fleet.targets import Target
from trueup.model import Schema
from trueup.plan.policy import partition
from trueup.plan.script import Plan

#: stands for the target's name in the details of findings shared by several targets
WHERE = "\x00where\x00"


@dataclass
class _Shared:
    lock: threading.Lock = field(default_factory=threading.Lock)
    value: tuple[list[Finding], Plan | None] | None = None


class Auditor:
    """What judging a target needs: each group's desired state (loaded once), the layer owners,
    and the options of the plans it makes: ``diff_options``, whose USING expressions (the
    command line's ``--using``) go before those of each group's config.

    ``retyped``: the columns whose type a plan of the run changed (paths as the config names
    them: a tenant's as the template schema's), to tell a ``--using`` no plan needed."""

    def __init__(self, config: Config, group_names: Sequence[str], *, allow_destructive: bool = False,
                 diff_options: DiffOptions | None = None) -> None:
        self.desired = {g: load_desired(config, g) for g in group_names}
        self.owners = LayerOwners(config, self.desired)
        self.timeout = config.settings.connect_timeout
        self.allow_destructive = allow_destructive
        self.diff_options = diff_options
        self._using = {g: config.groups[g].using_paths() for g in group_names}
        self._renames = {g: config.groups[g].rename_list() for g in group_names}
        self.retyped: set[tuple[str, ...]] = set()
        self._lock = threading.Lock()
        self._shared: dict[tuple[str, str, int], _Shared] = {}

    def probe(self, session: Session, target: Target, again: bool = False) -> Probe:
        return probe(session, self.desired[target.group], [target.schema] if target.schema else None, again=again)

    def inspect(self, session: Session, target: Target, schemas: Sequence[str] | None) -> Schema:
        """The actual schema of a target, with its group's ignore rules applied."""
        return apply_ignore(session.inspect(schemas), self.desired[target.group].ignore)

    def compare(self, whole: Schema, target: Target, plans: bool) -> tuple[list[Finding], Plan | None]:
        """Findings (and with ``plans``, the plan) of ``target`` from ``whole`` (its database, or
        for a schema target, its schema): one diff gives both."""
        d = self.desired[target.group]
        actual, want = self._pair(whole, target, d)
        template, schema = d.template_schema or "public", target.schema
        plan = diff_schemas(actual, want, d.engine, self.options(target.group, template, schema))
        with self._lock:
            self.retyped.update((template, *p[1:]) if schema and p[0] == schema else p for p in plan.retyped)
        found = schema_findings(actual, want, plan, d.engine, where=WHERE,
                                layer_owners=self.owners.for_group(target.group))
        return found, (plan if plans else None)

    def options(self, group: str, template: str = "public", schema: str | None = None) -> DiffOptions:
        """The diff options of a target of ``group``; for a tenant ``schema``, the USING
        expressions the config and the command line give for the ``template`` schema's columns
        are that schema's."""
        given = self.diff_options or DiffOptions()
        using = {**self._using.get(group, {}), **given.using}
        renames = merge(given.renames, self._renames.get(group, ()))
        if schema:
            using = {(schema, *p[1:]) if p[0] == template else p: e for p, e in using.items()}
            renames = retarget(renames, template, schema)
        return replace(given, using=using, renames=renames)

    @staticmethod
    def _pair(whole: Schema, target: Target, d: Desired) -> tuple[Schema, Schema]:
        """The target's actual schema (cut out of its database's) and what it should be."""
        if not target.schema:
            return whole, d.model
        actual = scope_model(whole, target.schema)
        return actual, d.engine.rename_schema(d.model, d.template_schema or "public", target.schema)

    def judge(self, session: Session, target: Target, probed: Probe, plans: bool) -> TargetResult:
        """One target's verdict from its probe, inspecting it on ``session`` if its fingerprint
        is not known to be in sync. Whole databases with the same fingerprint share one
        inspection."""
        r = TargetResult(target.group, target.name, target.location, target=target)
        d = self.desired[target.group]
        fp = r.fingerprint = probed.fingerprints.get(target.schema, "")
        if not d.in_sync(fp):
            def inspect() -> tuple[list[Finding], Plan | None]:
                whole = self.inspect(session, target, [target.schema] if target.schema else d.schemas)
                found, plan = self.compare(whole, target, plans)
                if not found:
                    d.learn(fp)
                return found, plan

            shared = not target.schema and target.schema not in probed.unmeasured
            # (a plan is written for its server's major version: targets share one per version)
            key = (target.group, fp, session.server_version // 10000)
            found, plan = self.once(key, inspect, plans) if shared else inspect()
            self.record(r, found, plan)
        self.reference_findings(r, probed, plans)
        return r

    def once(self, key: tuple[str, str, int], make: Callable[[], tuple[list[Finding], Plan | None]],
             plans: bool) -> tuple[list[Finding], Plan | None]:
        """``make()``'s value, made once per key (targets with equal fingerprints)."""
        with self._lock:
            shared = self._shared.setdefault(key, _Shared())
        with shared.lock:
            if shared.value is None or (plans and shared.value[1] is None):
                shared.value = make()
            return shared.value

    def record(self, r: TargetResult, found: list[Finding], plan: Plan | None) -> None:
        r.findings.extend(Finding(f.category, f.problem, f.object, f.detail.replace(WHERE, r.name), f.hazards, f.fix)
                          for f in found)
        if plan is not None:
            self._add_statements(r, plan.preamble_statements() + plan.all_statements())
            r.notes.extend(plan.rename_notes())

    def _add_statements(self, r: TargetResult, statements: Sequence[Statement]) -> None:
        run, skipped = partition(statements, self.allow_destructive)
        r.statements.extend(run)
        r.skipped.extend(skipped)

    def reference_findings(self, r: TargetResult, probed: Probe, plans: bool) -> None:
        """Reference-data findings (and their repairs) of one probed target; sets its status."""
        t = r.target
        assert t is not None
        d = self.desired[t.group]
        for table in d.reference:
            rows = probed.rows.get((t.schema, table.table))
            found = refdata_findings(table.in_schema(t.schema) if t.schema else table, rows, t.name, d.engine)
            r.findings.extend(f for f, _ in found)
            if plans:
                self._add_statements(r, [s for _, s in found])
        r.status = "drift" if r.findings else "in_sync"
