"""``trueup migrate repair`` and ``migrate baseline``: history made true again, safely.

``repair`` (per target, under its lock, with the journal, canaries and failure budget of
``migrate up``):

* by default, each ghost's missing objects are created again: planned by diffing the target
  against the state its own recorded migrations build, keeping only what creates a missing
  object (nothing is ever dropped), and run with the apply machinery; the history row stays;
* ``--unrecord`` instead deletes each ghost's history row, so the application's own tool runs the
  migration again (the first seed's manual fix, done safely and journalled);
* ``--accept-checksums`` records the files' current checksums for migrations whose file changed.

``baseline VERSION`` records migrations up to VERSION as applied without running them, after
checking that the database matches the state they build (refusing otherwise, naming the
differences).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trueup.config import Config
from trueup.diff.compare import diff_schemas
from trueup.engines.interface.sql import Statement
from trueup.engines.interface.state import Journal
from trueup.errors import TrueupError
from trueup.fleet.apply import acquire_lock, limits, lock_key
from trueup.fleet.desired import group_replay, load_desired, migrations_folder, scope_model, scratch_server
from trueup.fleet.execution import ProgressFn, describe_error
from trueup.fleet.history import for_target, group_states, history_groups, history_schema, target_model
from trueup.fleet.ignore import apply_ignore
from trueup.fleet.scheduling import NOT_STARTED, over_targets, schedule
from trueup.fleet.targets import Target, select_targets
from trueup.history import records
from trueup.history.files import MigrationsFolder, new_migration
from trueup.history.replay import Replay
from trueup.history.status import judge, roots, without_history_table
from trueup.history.tables import read_history
from trueup.model import Schema


@dataclass
class RepairOutcome:
    group: str
    name: str
    location: str = ""
    status: str = "not_started"  # repaired | unchanged | failed | not_started
    statements: list[str] = field(default_factory=list)
    migrations: list[str] = field(default_factory=list)  # the migrations it concerned
    error: str | None = None
    hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "name": self.name, "location": self.location, "status": self.status,
                "migrations": self.migrations, "statements": self.statements,
                **({"error": self.error, "hint": self.hint} if self.error else {})}


@dataclass
class RepairReport:
    command: str
    outcomes: list[RepairOutcome]
    run: int | None = None

    @property
    def exit_code(self) -> int:
        return 2 if any(o.status in ("failed", "not_started") for o in self.outcomes) else 0

    def to_json(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        return {"summary": {**counts, "run": self.run}, "targets": [o.to_json() for o in self.outcomes]}

    def text(self) -> str:
        lines = []
        for o in self.outcomes:
            if o.status == "repaired":
                what = "recorded as applied" if self.command == "migrate baseline" else \
                    f"{len(o.statements)} statement(s)"
                lines.append(f"{o.group}/{o.name}: {', '.join(o.migrations)}: {what}")
            elif o.status in ("failed", "not_started"):
                lines.append(f"{o.group}/{o.name}: {o.status.replace('_', ' ')}: {o.error}")
                if o.hint:
                    lines.append(f"  hint: {o.hint}")
        counts = self.to_json()["summary"]
        lines.append(f"{self.command}: {counts.get('repaired', 0)} repaired, {counts.get('unchanged', 0)} needed "
                     f"nothing, {counts.get('failed', 0)} failed, {counts.get('not_started', 0)} not started")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Group:
    folder: MigrationsFolder
    replay: Replay
    framework: str


def _groups(config: Config, groups: Sequence[str] | None) -> dict[str, _Group]:
    out = {}
    for g in history_groups(config, groups):
        group = config.groups[g]
        assert group.migrations is not None
        out[g] = _Group(migrations_folder(config, g), group_states(config, g), group.migrations.history)
    return out


def _plan_repair(config: Config, target: Target, g: _Group, mode: str, out: RepairOutcome,
                 session: Any) -> list[Statement]:
    schema = history_schema(config, target)
    history = read_history(session, g.framework, schema, g.folder, target.location)
    actual = target_model(session, config, target)
    replay = for_target(config, g.replay, target)  # (schema per tenant: moved into the tenant's schema)
    status = judge(g.folder, history, actual, lambda: replay)
    engine = target.engine
    if mode == "accept-checksums":
        changed = [p for p in status.problems if p.problem == "checksum_mismatch"]
        out.migrations = [p.object for p in changed]
        keys = [g.folder.migrations[[m.label for m in g.folder.migrations].index(p.object)] for p in changed]
        return [engine.row_statement(records.restamp(history.framework, schema, m.key,
                                                     m.checksum_as(history.framework) or "")) for m in keys]
    ghosts = [p for p in status.problems if p.problem == "ghost"]
    out.migrations = [p.object for p in ghosts]
    if not ghosts:
        return []
    if mode == "unrecord":
        by_label = {m.label: m for m in g.folder.migrations}
        return [engine.row_statement(records.unrecord(history.framework, schema, by_label[p.object].key))
                for p in ghosts]
    missing = {oid for p in ghosts for oid in p.objects}
    expected = replay.at(status.index)
    current = without_history_table(actual, history.table)
    wanted = Schema(current.engine, {**current.objects, **{o: expected.objects[o] for o in missing}},
                    current.server_version, current.meta)
    plan = diff_schemas(current, wanted, engine)
    return [s for c in plan.changes if c.action == "create" for s in c.statements]


def repair_target(config: Config, target: Target, g: _Group, mode: str) -> RepairOutcome:
    out = RepairOutcome(target.group, target.name, target.location)
    try:
        with target.engine.connect(target.url, timeout=config.settings.connect_timeout) as session:
            acquire_lock(session, lock_key(target), config.apply.wait_for_lock_s)
            todo = _plan_repair(config, target, g, mode, out, session)
            if not todo:
                out.status = "unchanged"
                return out
            session.execute(todo, limits(config.apply), lambda batch: out.statements.extend(s.sql for s in batch))
            out.status = "repaired"
    except TrueupError as err:
        out.status, out.error, out.hint = "failed", err.message, err.hint
    except Exception as err:  # reported, the others go on
        out.status = "failed"
        out.error, out.hint = describe_error(err, target)
    return out


def run_repair(config: Config, *, groups: Sequence[str] | None = None, targets: Sequence[str] | None = None,
               mode: str = "recreate", concurrency: int | None = None, canary: int = 0,
               max_failures: int | None = None, journal: Journal | None = None,
               progress: ProgressFn | None = None) -> RepairReport:
    """``mode``: "recreate" (the default), "unrecord" or "accept-checksums"."""
    prepared = _groups(config, groups)
    _, work, failed = select_targets(config, list(prepared), targets)
    for g, err in failed:
        raise TrueupError(f"group '{g}': {err.message}", err.hint)
    run = journal.start_run({"command": "migrate repair", "mode": mode}, [t.key for t in work]) if journal else None
    def one(t: Target) -> RepairOutcome:
        o = repair_target(config, t, prepared[t.group], mode)
        if journal is not None and run is not None:
            journal.record(run, t.group, t.name, o.status, o.error)
        return o

    result = over_targets(work, one, lambda t: RepairOutcome(t.group, t.name, t.location, error=NOT_STARTED),
                          concurrency=concurrency or config.settings.concurrency or 8, canary=canary,
                          max_failures=max_failures, progress=progress)
    if journal is not None and run is not None and all(o.status != "not_started" for o in result):
        journal.finish_run(run)
    return RepairReport("migrate repair", result, run)


def run_baseline(config: Config, version: str, *, groups: Sequence[str] | None = None,
                 targets: Sequence[str] | None = None, concurrency: int | None = None) -> RepairReport:
    """Record trueup migrations up to ``version`` as applied on targets that match its state."""
    prepared = _groups(config, groups)
    for name, g in prepared.items():
        if g.framework != "trueup":
            raise TrueupError(f"group '{name}' keeps {g.framework} history: `migrate baseline` records trueup's own",
                              hint=f"use {g.framework}'s own baseline command")
    _, work, failed = select_targets(config, list(prepared), targets)
    for g_name, err in failed:
        raise TrueupError(f"group '{g_name}': {err.message}", err.hint)

    def one(i: int) -> RepairOutcome:
        t = work[i]
        g = prepared[t.group]
        out = RepairOutcome(t.group, t.name, t.location)
        key = version[1:] if version[:1] in "Vv" else version
        try:
            if key not in g.folder.by_key:
                raise TrueupError(f"baseline {version}: no such migration in {g.folder.where}")
            upto = g.folder.index(key)
            schema = history_schema(config, t)
            with t.engine.connect(t.url, timeout=config.settings.connect_timeout) as session:
                acquire_lock(session, lock_key(t), config.apply.wait_for_lock_s)
                history = read_history(session, "trueup", schema, g.folder, t.location)
                if history.applied:
                    raise TrueupError(f"{t.location} already records {len(history.applied)} migration(s)",
                                      hint="a baseline is for a database without history; see `trueup migrate status`")
                actual = target_model(session, config, t)
                differences = _differences(for_target(config, g.replay, t).at(upto),
                                           without_history_table(actual, history.table))
                if differences:
                    raise TrueupError(f"{t.location} does not match {g.folder.migrations[upto].label}: "
                                      + "; ".join(differences), hint="bring it there first (trueup plan/apply), or "
                                      "baseline at the version `trueup migrate status` says it matches")
                todo = [t.engine.history_table(schema)] + [
                    t.engine.history_record(schema, int(m.key), m.description, m.checksum, True)
                    for m in g.folder.migrations[: upto + 1]]
                session.execute(todo, limits(config.apply), lambda _: None)
                out.statements = [s.sql for s in todo]
                out.migrations = [m.label for m in g.folder.migrations[: upto + 1]]
                out.status = "repaired"
        except TrueupError as err:
            out.status, out.error, out.hint = "failed", err.message, err.hint
        return out

    outcomes = schedule(len(work), one, concurrency=concurrency or config.settings.concurrency or 8,
                        failed=lambda o: o.status == "failed", tried=lambda o: True)
    return RepairReport("migrate baseline", [outcomes[i] for i in range(len(work))])


def _differences(expected: Schema, actual: Schema, limit: int = 8) -> list[str]:
    """What differs, a missing or extra table named once (not each of its columns)."""
    missing = set(expected.objects.keys() - actual.objects.keys())
    extra = set(actual.objects.keys() - expected.objects.keys())
    different = {o for o in expected.objects.keys() & actual.objects.keys()
                 if expected.objects[o].attrs != actual.objects[o].attrs}
    out = [f"missing {o}" for o in sorted(roots(missing, expected))]
    out += [f"not built by the migrations: {o}" for o in sorted(roots(extra, actual))]
    out += [f"different: {o}" for o in sorted(roots(different, expected))]
    return out[:limit] + ([f"and {len(out) - limit} more"] if len(out) > limit else [])



def next_migration(config: Config, group_name: str, name: str, *, allow_destructive: bool = False) -> Path | None:
    """``migrate diff``: the next migration file, from what the folder builds to ``desired``
    (None, nothing written, when they match). Destructive statements are written commented out
    unless ``allow_destructive``."""
    group = config.groups[group_name]
    assert group.migrations is not None and group.desired is not None
    desired = load_desired(config, group_name)
    r = group_replay(config, group_name, scratch_server(config, group_name))
    built = scope_model(apply_ignore(r.at(len(r.states) - 1), desired.ignore), desired.template_schema)
    plan = diff_schemas(built, desired.model, desired.engine)
    if not plan:
        return None
    path = new_migration(Path(config.path(group.migrations.dir)), name)
    path.write_text(f"-- {name}: written by `trueup migrate diff` from {group.desired}; review before applying\n"
                    + plan.to_sql(allow_destructive), encoding="utf-8")
    return path
