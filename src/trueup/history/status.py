"""A target's history checked against its files and against what the database really contains.

Problems (the findings' ``problem``, category ``migration_history``):

* ``ghost``: recorded as applied, but objects it created are missing (partly missing says so);
* ``pending``: file present, not recorded;
* ``checksum_mismatch``: the file changed after it was applied (frameworks that record checksums);
* ``unknown``: recorded, but no such file;
* ``failed``: recorded as failed or unfinished;
* ``drift_at_version``: the database differs from what its own recorded migrations build,
  compared with the state replayed up to that target's version (not the latest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from trueup.history.files import Migration, MigrationsFolder
from trueup.history.replay import Replay
from trueup.history.tables import History
from trueup.model import DbObject, ObjectId, Schema

PROBLEMS = ("ghost", "pending", "checksum_mismatch", "unknown", "failed", "drift_at_version")
#: objects listed in a finding's detail before "and N more"
_LISTED = 8


@dataclass(frozen=True)
class Problem:
    problem: str
    object: str  # the migration's label (drift: the version the target is at)
    detail: str
    #: the objects concerned (a ghost's missing ones, a drift's differing ones)
    objects: tuple[ObjectId, ...] = ()


@dataclass(frozen=True)
class Status:
    """A target's history, judged."""

    framework: str
    has_history: bool
    version: str | None  # the label of the last migration it records as applied (in file order)
    index: int  # its position in the folder (-1: none)
    problems: tuple[Problem, ...] = ()
    #: a target without history: the version its schema matches exactly, if any
    matches: str | None = None
    latest: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def consistent(self) -> bool:
        return not self.problems


def without_history_table(model: Schema, table: tuple[str, str] | None) -> Schema:
    """``model`` without a history table and what goes with it (its columns, constraints,
    indexes, comments, grants and the sequences it owns): bookkeeping, not schema."""
    if table is None:
        return model
    gone = {ObjectId("table", table)}
    changed = True
    while changed:
        changed = False
        for obj in model.objects.values():
            if obj.id in gone:
                continue
            owned = obj.attrs.get("owned_by")
            if ((obj.parent is not None and obj.parent in gone) or any(d in gone for d in obj.deps)
                    or (isinstance(owned, Sequence) and tuple(owned[:2]) == table)):
                gone.add(obj.id)
                changed = True
    return model.filtered(lambda o: o.id not in gone)


def _names(oids: Iterable[ObjectId]) -> str:
    items = sorted(oids)
    listed = ", ".join(str(o) for o in items[:_LISTED])
    return listed + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def roots(oids: set[ObjectId], model: Schema) -> set[ObjectId]:
    """The objects of ``oids`` whose parent is not among them (a missing table, not its columns)."""
    out = set()
    for oid in oids:
        obj = model.objects.get(oid)
        if obj is None or obj.parent is None or obj.parent not in oids:
            out.add(oid)
    return out


def _same(a: DbObject, b: DbObject) -> bool:
    return a.attrs == b.attrs


def judge(folder: MigrationsFolder, history: History, actual: Schema,
          replay: Callable[[], Replay] | None) -> Status:
    """Judge one target. ``actual``: its model (history table left out by the caller or not:
    it is left out here); ``replay``: gives the folder's replay when a comparison needs it
    (None: files and history only)."""
    actual = without_history_table(actual, history.table)
    migrations = folder.migrations
    latest = migrations[-1].label if migrations else None
    problems: list[Problem] = []
    if history.table is None:
        matches = None
        if replay is not None:
            r = replay()
            matches = next((migrations[i].label for i in range(len(migrations) - 1, -1, -1)
                            if _equal(r.at(i), actual)), None)
            if matches is None and _equal(r.at(-1), actual):
                matches = "nothing applied"
        problems.append(Problem("pending", migrations[0].label if migrations else "-",
                                f"no {folder.framework} history table: {len(migrations)} migrations not recorded"
                                + (f" (the schema matches {matches})" if matches else "")))
        return Status(history.framework, False, None, -1, tuple(problems), matches, latest)

    recorded = {a.key: a for a in history.applied}
    for a in history.applied:
        m = folder.by_key.get(a.key)
        if m is None:
            what = "version" if folder.framework in ("trueup", "flyway") else "name"
            problems.append(Problem("unknown", a.key, f"recorded as applied, but no migration in {folder.where} "
                                    f"has this {what}"))
            continue
        if not a.ok:
            when = f" ({a.at})" if a.at else ""
            problems.append(Problem("failed", m.label, f"recorded as failed or unfinished{when}"))
        elif a.checksum is not None and not a.baseline and m.checksum_as(history.framework) not in (None, a.checksum):
            problems.append(Problem("checksum_mismatch", m.label, f"the file changed after it was applied: recorded "
                                    f"checksum {a.checksum}, {m.source} now {m.checksum_as(history.framework)}"))
    applied_ok = [i for i, m in enumerate(migrations) if m.key in recorded and recorded[m.key].ok]
    index = applied_index(folder, history)
    for i, m in enumerate(migrations):
        if m.key not in recorded:
            later = index > i
            problems.append(Problem("pending", m.label, "not recorded as applied"
                                    + (f", though later migrations are ({migrations[index].label})" if later else "")))
    if replay is not None:
        problems.extend(_against_replay(replay(), index, applied_ok, actual))
    version = migrations[index].label if index >= 0 else None
    return Status(history.framework, True, version, index, tuple(problems), None, latest)


def applied_index(folder: MigrationsFolder, history: History) -> int:
    """The position of the last migration the history records as applied (-1: none)."""
    ok = {a.key for a in history.applied if a.ok}
    return max((i for i, m in enumerate(folder.migrations) if m.key in ok), default=-1)


def _equal(expected: Schema, actual: Schema) -> bool:
    if expected.objects.keys() != actual.objects.keys():
        return False
    return all(_same(o, actual.objects[k]) for k, o in expected.objects.items())


def _against_replay(r: Replay, index: int, applied: Sequence[int], actual: Schema) -> list[Problem]:
    """Ghosts (objects recorded migrations made that are missing) and drift at the target's
    version (anything else that differs from the state replayed up to it)."""
    expected = r.at(index)
    problems: list[Problem] = []
    missing = {oid for oid in expected.objects if oid not in actual.objects}
    applied_set = set(applied)
    by_migration: dict[int, set[ObjectId]] = {}
    for oid in missing:
        made = r.created[index][oid] if index >= 0 else -1
        if made in applied_set:
            by_migration.setdefault(made, set()).add(oid)
    ghosts: set[ObjectId] = set()
    for i, oids in sorted(by_migration.items()):
        m = r.folder.migrations[i]
        created = [oid for oid, at in r.created[index].items() if at == i]
        top = roots(oids, expected)
        whole = len(oids) == len(created)
        problems.append(Problem("ghost", m.label,
                                ("recorded as applied, but everything it created is missing: " if whole else
                                 f"recorded as applied, but {len(oids)} of the {len(created)} objects it created are "
                                 "missing (partly missing): ") + _names(top), tuple(sorted(oids))))
        ghosts |= oids
    extra = {oid for oid in actual.objects if oid not in expected.objects}
    different = {oid for oid in expected.objects
                 if oid in actual.objects and not _same(expected.objects[oid], actual.objects[oid])}
    drifted = (missing - ghosts) | extra | different
    if drifted and index >= 0:
        parts = []
        if different:
            changed = roots(different, expected)
            parts.append("different: " + ", ".join(
                f"{oid} (as {r.changed_by(index, oid).label} left it)" for oid in sorted(changed)[:_LISTED])
                + (f" and {len(changed) - _LISTED} more" if len(changed) > _LISTED else ""))
        if extra:
            parts.append("not made by any recorded migration: " + _names(roots(extra, actual)))
        if missing - ghosts:
            parts.append("missing: " + _names(roots(missing - ghosts, expected)))
        problems.append(Problem("drift_at_version", r.folder.migrations[index].label,
                                f"differs from what its migrations up to {r.folder.migrations[index].label} build: "
                                + "; ".join(parts), tuple(sorted(drifted))))
    return problems


def label_of(migration: Migration | None) -> str | None:
    return migration.label if migration is not None else None
