"""``trueup migrate status``: every target's migration history checked against its group's
migrations folder and against what the database really contains (:mod:`trueup.history`).

Per group the folder is read and replayed once (cached); per target its history table is read
(one round trip) and its schema inspected, then judged. The result has the audit's shape
(findings of category ``migration_history``), so every audit renderer shows it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from trueup.config import Config
from trueup.engines.interface.session import Session
from trueup.errors import TrueupError
from trueup.fleet.desired import group_replay, migrations_folder, scope_model, scratch_server, template_schema
from trueup.fleet.execution import ProgressFn, describe_error
from trueup.fleet.findings import Finding
from trueup.fleet.ignore import apply_ignore
from trueup.fleet.results import AuditResult, TargetResult, sort_results
from trueup.fleet.targets import Target, select_targets
from trueup.history.files import MigrationsFolder
from trueup.history.replay import Replay
from trueup.history.status import Status, applied_index, judge
from trueup.history.tables import read_history
from trueup.model import Schema

#: targets judged side by side when the config does not say
DEFAULT_CONCURRENCY = 8


def history_groups(config: Config, groups: Sequence[str] | None) -> list[str]:
    """The groups (of ``groups``, else all) that declare migrations."""
    names = list(groups or config.groups)
    for g in names:
        if g not in config.groups:
            raise TrueupError(f"unknown group '{g}'", hint=f"groups in the config: {', '.join(config.groups)}")
    out = [g for g in names if config.groups[g].migrations is not None]
    if not out:
        raise TrueupError("no group declares migrations" + (f" (of {', '.join(names)})" if groups else ""),
                          'add migrations = { dir = "migrations" } to a group in trueup.toml (docs/history.md)')
    return out


def run_status(config: Config, *, groups: Sequence[str] | None = None, targets: Sequence[str] | None = None,
               concurrency: int | None = None, progress: ProgressFn | None = None) -> AuditResult:
    """Judge every target's history (see :mod:`trueup.history.status`)."""
    started = time.perf_counter()
    group_names, work, failed = select_targets(config, history_groups(config, groups), targets)
    results = [TargetResult(g, "(discovery)", "", "error", error=err.message, hint=err.hint) for g, err in failed]
    folders: dict[str, MigrationsFolder] = {}
    replays: dict[str, Replay | None] = {}
    for g in group_names:
        where = config.path(config.groups[g].migrations.dir)  # type: ignore[union-attr]
        try:
            folders[g] = migrations_folder(config, g)
        except TrueupError as err:
            results.append(TargetResult(g, "(migrations)", where, "error", error=err.message, hint=err.hint))
            continue
        try:
            replays[g] = group_states(config, g)
        except TrueupError as err:  # the histories are still checked against the files
            replays[g] = None
            results.append(TargetResult(g, "(migrations)", where, "error", error=err.message, hint=err.hint))
    work = [t for t in work if t.group in folders]
    done = [0]
    lock = threading.Lock()
    known = Known()

    def one(target: Target) -> TargetResult:
        result = TargetResult(target.group, target.name, target.location, target=target)
        t0 = time.perf_counter()
        try:
            status = judge_target(config, target, folders[target.group], replays[target.group], known)
            result.findings = [Finding("migration_history", p.problem, p.object, p.detail) for p in status.problems]
            result.status = "drift" if status.problems else "in_sync"
            result.history = history_json(status)
        except TrueupError as err:
            result.fail(*describe_error(err, target))
        result.seconds = time.perf_counter() - t0
        if progress is not None:
            with lock:
                done[0] += 1
                progress(done[0], len(work), target.name)
        return result

    with ThreadPoolExecutor(max(1, concurrency or config.settings.concurrency or DEFAULT_CONCURRENCY)) as pool:
        results.extend(pool.map(one, work))
    return AuditResult(sort_results(results, group_names), group_names, time.perf_counter() - started)


class Known:
    """Per group, the fingerprints of targets found consistent at each version: a target at that
    version with one of them is consistent too, without being inspected (its fingerprint and its
    history rows are its only queries)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_version: dict[tuple[str, int], set[str]] = {}

    def holds(self, group: str, index: int, fingerprint: str) -> bool:
        with self._lock:
            return fingerprint in self._by_version.get((group, index), set())

    def learn(self, group: str, index: int, fingerprint: str) -> None:
        with self._lock:
            self._by_version.setdefault((group, index), set()).add(fingerprint)


def history_schema(config: Config, target: Target) -> str:
    """Where ``target`` keeps its history table: the schema the group's ``migrations`` names,
    else the tenant's own schema (schema per tenant), else the default one."""
    migrations = config.groups[target.group].migrations
    assert migrations is not None
    return migrations.table_schema or target.schema or "public"


def group_states(config: Config, group_name: str) -> Replay:
    """What the group's migrations build, as its targets are judged against it: with the
    group's ignore rules applied (the targets are read with them) and, schema per tenant, only
    the template schema's contents (see :func:`for_target`)."""
    group = config.groups[group_name]
    r = group_replay(config, group_name, scratch_server(config, group_name))
    template = template_schema(group)
    return Replay(r.folder, tuple(scope_model(apply_ignore(s, group.ignore), template) for s in r.states))


def for_target(config: Config, replay: Replay, target: Target) -> Replay:
    """The group's states (:func:`group_states`) as they should be in ``target``: schema per
    tenant, moved from the template schema into the tenant's (as the audit moves a desired
    state), so each object is named where the tenant has it."""
    if not target.schema:
        return replay
    template = template_schema(config.groups[target.group]) or "public"
    return Replay(replay.folder, tuple(target.engine.rename_schema(s, template, target.schema)
                                       for s in replay.states))


def target_model(session: Session, config: Config, target: Target) -> Schema:
    """What ``target`` contains, read as it is judged: with its group's ignore rules applied; a
    tenant's schema without the schema itself (the template's states hold its contents only)."""
    group = config.groups[target.group]
    if target.schema:
        return scope_model(apply_ignore(session.inspect([target.schema]), group.ignore), target.schema)
    return apply_ignore(session.inspect(group.schemas), group.ignore)


def judge_target(config: Config, target: Target, folder: MigrationsFolder, replay: Replay | None,
                 known: Known | None = None) -> Status:
    """``replay``: the group's states (:func:`group_states`), None where they could not be made."""
    group = config.groups[target.group]
    assert group.migrations is not None
    with target.engine.connect(target.url, timeout=config.settings.connect_timeout) as session:
        history = read_history(session, group.migrations.history, history_schema(config, target), folder,
                               target.location)
        index = applied_index(folder, history)
        fingerprint = None
        if known is not None and history.table is not None:  # (a tenant's own name left out: alike tenants
            fingerprint = session.schema_fingerprints([target.schema]).get(target.schema, "") \
                if target.schema else session.fingerprint(group.schemas)  # share one judgement)
        if fingerprint is not None and known is not None and known.holds(target.group, index, fingerprint):
            return judge(folder, history, Schema(target.engine.name), None)
        actual = target_model(session, config, target)
    status = judge(folder, history, actual, None if replay is None else lambda: for_target(config, replay, target))
    if fingerprint is not None and known is not None and replay is not None and not any(
            p.problem in ("ghost", "drift_at_version") for p in status.problems):
        known.learn(target.group, index, fingerprint)
    return status


def history_json(status: Status) -> dict[str, object]:
    return {"framework": status.framework, "has_history": status.has_history, "version": status.version,
            "latest": status.latest, "matches": status.matches}


def summary(result: AuditResult) -> list[str]:
    """One line per group: its targets summed by version ("982 at V41, 17 at V40, 1 failed at V41")."""
    lines = []
    for g in result.groups:
        counts: dict[str, int] = {}
        for r in result.results:
            if r.group != g or r.history is None:
                continue
            failed = next((f.object for f in r.findings if f.problem == "failed"), None)
            where = r.history["version"] or (f"no history (matches {r.history['matches']})"
                                             if r.history["matches"] else "no history")
            key = f"failed at {failed}" if failed else f"at {where}"
            counts[key] = counts.get(key, 0) + 1
        errors = sum(1 for r in result.results if r.group == g and r.status == "error")
        parts = [f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        if errors:
            parts.append(f"{errors} not checked (errors)")
        latest = next((r.history["latest"] for r in result.results if r.group == g and r.history), None)
        lines.append(f"{g}: " + (", ".join(parts) or "no targets") + (f" (latest: {latest})" if latest else ""))
    return lines


def add_history(results: list[TargetResult], history: AuditResult) -> None:
    """Merge a history check into an audit's results (`trueup audit` on groups with migrations):
    each target's history findings join its audit findings."""
    by_key = {(r.group, r.name): r for r in results}
    for h in history.results:
        r = by_key.get((h.group, h.name))
        if r is None:
            results.append(h)
            continue
        if r.status == "error":
            continue
        if h.status == "error":
            r.fail(h.error or "history not checked", h.hint)
            continue
        r.findings.extend(h.findings)
        r.history = h.history
        if h.findings and r.status == "in_sync":
            r.status = "drift"
