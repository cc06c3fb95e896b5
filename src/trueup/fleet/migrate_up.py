"""``trueup migrate up``: trueup-history migrations applied to every target with the safety rules
``apply`` has: the target's advisory lock, lock and statement timeouts, the journal and
``--resume``, canaries and a failure budget (:mod:`trueup.fleet.scheduling`).

Each migration runs in a transaction of its own with its history row written in that same
transaction, so a migration and its record land together or not at all. A target stops at its
first failure, which is recorded (``success = false``) in a short transaction of its own; the
next run tries that migration again.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from trueup.config import Config
from trueup.engines.interface.session import Session
from trueup.engines.interface.sql import Statement
from trueup.engines.interface.state import Journal
from trueup.errors import StatementFailed, TrueupError
from trueup.fleet.apply import acquire_lock, limits, lock_key
from trueup.fleet.desired import migrations_folder
from trueup.fleet.execution import ProgressFn, describe_error
from trueup.fleet.history import history_groups, history_schema
from trueup.fleet.journal import resumable_run
from trueup.fleet.scheduling import NOT_STARTED, over_targets
from trueup.fleet.targets import Target, select_targets
from trueup.history.files import Migration, MigrationsFolder
from trueup.history.tables import read_history

COMMAND = "migrate up"


@dataclass
class MigrateOutcome:
    group: str
    name: str
    location: str = ""
    status: str = "not_started"  # migrated | unchanged | failed | not_started
    before: str | None = None  # the version it was at
    after: str | None = None  # the version it is at now
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # (dry run: what would run)
    error: str | None = None
    hint: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "name": self.name, "location": self.location, "status": self.status,
                "before": self.before, "after": self.after, "applied": self.applied, "pending": self.pending,
                **({"error": self.error, "hint": self.hint} if self.error else {})}


@dataclass
class MigrateReport:
    outcomes: list[MigrateOutcome]
    run: int | None = None
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 2 if any(o.status in ("failed", "not_started") for o in self.outcomes) else 0

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {"migrated": 0, "unchanged": 0, "failed": 0, "not_started": 0}
        for o in self.outcomes:
            counts[o.status] = counts.get(o.status, 0) + 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {"summary": {**self.summary(), "run": self.run, "dry_run": self.dry_run},
                "targets": [o.to_json() for o in self.outcomes]}


def _trueup_groups(config: Config, groups: Sequence[str] | None) -> list[str]:
    names = history_groups(config, groups)
    for g in names:
        history = config.groups[g].migrations.history  # type: ignore[union-attr]
        if history != "trueup":
            raise TrueupError(f"group '{g}' keeps {history} history: `migrate up` runs trueup's own migrations only",
                              hint=f"run {history}'s own command to migrate it; `trueup migrate status` checks it")
    return names


def _upto(folder: MigrationsFolder, to: str | None) -> int:
    """The index of the last migration to apply (``--to``: V7 or 7)."""
    if to is None:
        return len(folder.migrations) - 1
    key = to[1:] if to[:1] in "Vv" else to
    if key not in folder.by_key:
        raise TrueupError(f"--to {to}: no such migration in {folder.where}",
                          hint=f"the folder holds {folder.migrations[0].label} to {folder.migrations[-1].label}")
    return folder.index(key)


def migrate_target(config: Config, target: Target, folder: MigrationsFolder, upto: int, *, dry_run: bool = False,
                   on_started: Callable[[], None] | None = None,
                   on_landed: Callable[[Migration], None] | None = None) -> MigrateOutcome:
    """Bring one target up to migration ``upto`` (an index of ``folder``). Never raises for
    database errors: they become the outcome."""
    schema = history_schema(config, target)
    out = MigrateOutcome(target.group, target.name, target.location)
    t0 = time.perf_counter()
    try:
        with target.engine.connect(target.url, timeout=config.settings.connect_timeout) as session:
            if not dry_run:
                acquire_lock(session, lock_key(target), config.apply.wait_for_lock_s)
            history = read_history(session, "trueup", schema, folder, target.location)
            done = {a.key for a in history.applied if a.ok}
            unknown = sorted(done - folder.by_key.keys())
            if unknown:
                raise TrueupError(f"{target.location}: its history records migration(s) {', '.join(unknown)}, "
                                  f"which {folder.where} does not hold", hint="check `trueup migrate status`")
            at = max((folder.index(k) for k in done), default=-1)
            out.before = out.after = folder.migrations[at].label if at >= 0 else None
            todo = [m for m in folder.migrations[: upto + 1] if m.key not in done]
            out.pending = [m.label for m in todo]
            if not todo:
                out.status = "unchanged"
                return out
            if dry_run:
                out.status = "unchanged"
                return out
            if on_started:
                on_started()
            _run(session, target, schema, history.table is None, todo, config, out, on_landed)
    except TrueupError as err:
        out.status = "failed"
        out.error, out.hint = err.message, err.hint
    except Exception as err:  # a target the code could not handle: reported, the others go on
        out.status = "failed"
        out.error, out.hint = describe_error(err, target)
    finally:
        out.seconds = time.perf_counter() - t0
    return out


def _run(session: Session, target: Target, schema: str, create: bool, todo: Sequence[Migration], config: Config,
         out: MigrateOutcome, on_landed: Callable[[Migration], None] | None) -> None:
    engine = target.engine
    bounds = limits(config.apply)
    if target.schema:  # schema per tenant: the migrations (written for the template) build the tenant's schema
        session.execute([engine.use_schema(target.schema)], bounds, lambda _: None)
    if create:
        session.execute([engine.history_table(schema)], bounds, lambda _: None)
    for m in todo:
        record = engine.history_record(schema, int(m.key), m.description, m.checksum, True)
        body = Statement(m.sql, transactional=m.transactional)
        try:
            if m.transactional:
                session.execute([body, record], bounds, lambda _: None)
            else:  # (-- trueup:no-transaction) the migration on its own, then its record
                session.execute([body], bounds, lambda _: None)
                session.execute([record], bounds, lambda _: None)
        except StatementFailed as err:
            failed = engine.history_record(schema, int(m.key), m.description, m.checksum, False)
            with contextlib.suppress(TrueupError):  # (the failure itself is what the outcome reports)
                session.execute([failed], bounds, lambda _: None)
            out.status = "failed"
            out.error = (f"migration {m.label} ({m.source}) failed: {err.cause} (SQLSTATE {err.sqlstate}): "
                         f"{err.message}")
            out.hint = err.hint or "fix the migration (it is recorded as failed) and run `trueup migrate up` again"
            return
        out.applied.append(m.label)
        out.after = m.label
        if on_landed:
            on_landed(m)
    out.status = "migrated"


def run_up(config: Config, *, groups: Sequence[str] | None = None, targets: Sequence[str] | None = None,
           to: str | None = None, dry_run: bool = False, concurrency: int | None = None, canary: int = 0,
           max_failures: int | None = None, journal: Journal | None = None, resume: bool = False,
           progress: ProgressFn | None = None) -> MigrateReport:
    """``migrate up`` over the fleet (see the module's docstring)."""
    group_names = _trueup_groups(config, groups)
    names: list[tuple[str, str]] | None = None
    run: int | None = None
    notes: list[str] = []
    if resume:
        resumed = resumable_run(journal, COMMAND)
        run, names = resumed.run, resumed.unfinished
        to = to or resumed.args.get("to")
        notes.append(f"resuming run {run} of the journal: {len(names)} target(s) not finished")
    _, work, failed = select_targets(config, group_names, targets, names)
    for g, err in failed:
        raise TrueupError(f"group '{g}': {err.message}", err.hint)
    folders = {g: migrations_folder(config, g) for g in group_names}
    upto = {g: _upto(folders[g], to) for g in group_names}
    if journal is not None and not dry_run and run is None:
        run = journal.start_run({"command": COMMAND, "groups": list(groups or []), "targets": list(targets or []),
                                 "to": to}, [t.key for t in work])
    def record(t: Target, state: str, reason: str | None = None) -> None:
        if journal is not None and run is not None and not dry_run:
            journal.record(run, t.group, t.name, state, reason)

    def one(t: Target) -> MigrateOutcome:
        o = migrate_target(config, t, folders[t.group], upto[t.group], dry_run=dry_run,
                           on_started=lambda: record(t, "started"),
                           on_landed=lambda m: record(t, "started", f"at {m.label}"))
        record(t, "migrated" if o.status == "migrated" else o.status, o.error)
        return o

    result = over_targets(work, one, lambda t: MigrateOutcome(t.group, t.name, t.location, error=NOT_STARTED),
                          concurrency=concurrency or config.settings.concurrency or 8, canary=canary,
                          max_failures=max_failures, progress=progress)
    if journal is not None and run is not None and not dry_run and all(o.status != "not_started" for o in result):
        journal.finish_run(run)
    return MigrateReport(result, run, dry_run, notes)


def render_text(report: MigrateReport) -> str:
    """What ran where, one line per target that changed or failed, and the totals."""
    lines = list(report.notes)
    for o in report.outcomes:
        if report.dry_run and o.pending:
            lines.append(f"{o.group}/{o.name}: would apply {', '.join(o.pending)} (at {o.before or 'nothing'})")
        elif o.status == "migrated":
            lines.append(f"{o.group}/{o.name}: {o.before or 'nothing'} -> {o.after} ({', '.join(o.applied)})")
        elif o.status in ("failed", "not_started"):
            lines.append(f"{o.group}/{o.name}: {o.status.replace('_', ' ')} at {o.after or 'nothing'}: {o.error}")
            if o.hint:
                lines.append(f"  hint: {o.hint}")
    s = report.summary()
    head = "dry run: nothing applied; " if report.dry_run else ""
    lines.append(f"{head}{s['migrated']} migrated, {s['unchanged']} "
                 f"{'checked' if report.dry_run else 'already up to date'}, {s['failed']} failed, "
                 f"{s['not_started']} not started")
    return "\n".join(lines) + "\n"
