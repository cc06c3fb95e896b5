"""``trueup audit``: which databases of the fleet drifted, how, and what fixes it.

Per group the desired state is loaded once, with its catalog fingerprint. Every target is
then probed concurrently with a single round trip (fingerprint, plus reference tables); only
targets whose fingerprint differs are inspected in full, and targets sharing a fingerprint
share one inspection, since equal fingerprints mean equal schemas.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import psycopg

from trueup.config import Config, IgnoreRules, SchemaDiscovery
from trueup.diff.changes import Hazard, Statement
from trueup.diff.compare import diff_schemas
from trueup.diff.generator import DiffOptions
from trueup.engines.postgres import ENGINE
from trueup.engines.postgres.change_token import change_token
from trueup.engines.postgres.driver import connect, connection, describe_target, error_message, redact
from trueup.engines.postgres.fingerprint import fingerprint, schema_fingerprints
from trueup.engines.postgres.inspect import inspect_connection
from trueup.engines.postgres.rename import rename_schema
from trueup.engines.postgres.scratch import apply_files, scratch_database
from trueup.errors import TrueupError
from trueup.fleet.findings import LAYER_KINDS, Finding, layer_key, schema_findings
from trueup.fleet.ignore import apply_ignore
from trueup.fleet.probe_store import FileProbeStore, PostgresProbeStore, Probe, ProbeStore, probe_key
from trueup.fleet.refdata import RefTable, load_reference_data, refdata_findings
from trueup.fleet.targets import DiscoveryError, Target, discover
from trueup.model import Schema
from trueup.plan.script import Plan
from trueup.sources import Source, load, parse_source
from trueup.sources import cache as desired_cache

_WHERE = "\x00where\x00"
#: schema-per-tenant probes of at least SCHEMA_WIDE_PROBE schemas share the kinds of objects
#: among this many connections to the database (see schema_fingerprints)
SCHEMA_PROBE_CONNECTIONS = 2
SCHEMA_WIDE_PROBE = 50


@dataclass
class TargetResult:
    group: str
    name: str
    location: str
    status: str = "in_sync"  # in_sync | drift | error
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    #: the schema fingerprint the probe saw (plans record it to refuse stale plans)
    fingerprint: str | None = None
    #: whether its schema was known unchanged by its change token (not measured again)
    recalled: bool = False
    #: with plans: the statements that bring this target to its desired state, and the
    #: destructive ones left out for want of --allow-destructive
    statements: list[Statement] = field(default_factory=list)
    skipped: list[Statement] = field(default_factory=list)
    target: Target | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"group": self.group, "name": self.name, "location": self.location,
                                "status": self.status}
        if self.error is not None:
            data["error"] = self.error
        data["findings"] = [f.to_json() for f in self.findings]
        return data


@dataclass
class AuditResult:
    results: list[TargetResult]
    groups: list[str]
    seconds: float = 0.0
    #: what judged the targets (desired states loaded), for a rollout to reuse
    auditor: Auditor | None = field(default=None, repr=False)

    @property
    def exit_code(self) -> int:
        if any(r.status == "error" for r in self.results):
            return 2
        return 1 if any(r.status == "drift" for r in self.results) else 0

    def summary(self) -> dict[str, Any]:
        by_status = {"in_sync": 0, "drift": 0, "error": 0}
        by_category: dict[str, int] = {}
        by_group: dict[str, dict[str, Any]] = {}
        for r in self.results:
            by_status[r.status] += 1
            g = by_group.setdefault(r.group, {"databases": 0, "in_sync": 0, "drift": 0, "error": 0,
                                              "categories": {}})
            g["databases"] += 1
            g[r.status] += 1
            for f in r.findings:
                by_category[f.category] = by_category.get(f.category, 0) + 1
                g["categories"][f.category] = g["categories"].get(f.category, 0) + 1
        return {"databases": len(self.results), **by_status, "findings": sum(by_category.values()),
                "categories": dict(sorted(by_category.items())), "groups": by_group,
                "seconds": round(self.seconds, 3)}

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "databases": [r.to_json() for r in self.results]}


@dataclass
class Desired:
    group: str
    model: Schema
    fingerprint: str
    schemas: list[str] | None
    template_schema: str | None
    reference: list[RefTable]
    ignore: IgnoreRules


def _server_candidates(config: Config, first_group: str) -> list[str]:
    out = []
    for name in [first_group, *config.groups]:
        group = config.groups[name]
        out += [t if isinstance(t, str) else t.url for t in group.targets]
        if group.discover is not None:
            out.append(group.discover.server)
    return out


def _scratch_server(config: Config, group_name: str) -> str:
    """Where .sql desired states are loaded: [scratch] url, TRUEUP_DEV_URL, else the first
    server of the fleet that answers (this group's first), else the embedded server."""
    if config.scratch is not None:
        return config.scratch.url
    env = os.environ.get("TRUEUP_DEV_URL")
    if env:
        return env
    for url in dict.fromkeys(_server_candidates(config, group_name)):
        try:
            with connection(url):
                return url
        except TrueupError:
            continue
    from trueup.engines.postgres.embedded import embedded_url

    return embedded_url()


def load_desired(config: Config, group_name: str) -> Desired:
    group = config.groups[group_name]
    template = group.discover.template_schema if isinstance(group.discover, SchemaDiscovery) else None
    scope = [template] if template else group.schemas
    source = parse_source(config.path(group.desired))

    def measure(url: str) -> tuple[Schema, str]:
        with connection(url) as conn:
            model = inspect_connection(conn, scope, second=url)  # (alone on its server: two connections)
            fp = schema_fingerprints(conn, [template]).get(template, "") if template else fingerprint(conn, scope)
        return model, fp

    if source.kind == "url":
        model, fp = measure(source.spec)
    else:
        model, fp = _scratch_load(config, group_name, source, scope, template, measure)
    model = _scope_model(apply_ignore(model, group.ignore), template)
    reference = load_reference_data(config.path(group.reference_data)) if group.reference_data else []
    return Desired(group_name, model, fp, scope, template, reference, group.ignore)


def _probe_store(config: Config, group: str) -> ProbeStore:
    code = desired_cache.code_digest()
    if config.state.url:
        return PostgresProbeStore(config.state.url, group, code)
    name = hashlib.sha256(group.encode()).hexdigest()[:16]
    return FileProbeStore(_cache_folder(config) / "probes" / f"{name}.json", code)


def _cache_folder(config: Config) -> Path:
    """Where the caches (desired states, stored probes) live: ``cache/`` beside the journal."""
    return Path(config.path(config.state.path)).parent / "cache"


def _scratch_load(config: Config, group_name: str, source: Source, scope: list[str] | None,
                  template: str | None, measure: Callable[[str], tuple[Schema, str]]) -> tuple[Schema, str]:
    """A .sql or snapshot desired state, loaded into a scratch database unless the cache holds
    the same input's model and fingerprint."""
    server = _scratch_server(config, group_name)

    def make() -> tuple[Schema, str]:
        with scratch_database(server) as url:
            if source.kind == "sql":
                apply_files(url, source.files)
                return measure(url)
            # a snapshot: the model as saved, the fingerprint of it rebuilt
            from trueup.api import render_schema

            model = load(source)
            with connection(url) as conn:
                conn.execute(render_schema(model))  # type: ignore[arg-type]
            return model, measure(url)[1]

    if not config.state.cache:
        return make()
    return desired_cache.cached_load(_cache_folder(config), source.files, scope, template,
                                     ENGINE.scratch_identity(server), make)


def _scope_model(model: Schema, template: str | None) -> Schema:
    """In schema-per-tenant mode only the template schema's contents are compared."""
    if template is None:
        return model
    return model.filtered(lambda o: o.kind not in ("schema", "extension") and o.schema_name == template
                          and not (o.kind in ("comment", "grant") and o.id.path[0] == "schema"))


def _probe(url: str, desired: Desired, schemas: Sequence[str] | None, timeout: int, connections: int = 1,
           store: tuple[ProbeStore, str] | None = None) -> Probe:
    """The fingerprint(s) and the reference tables, in as few round trips as possible: one
    connection, or for many tenant schemas up to ``connections`` reading the catalog side by side."""
    with connect(url, timeout=timeout) as conn, ExitStack() as stack:
        more = [stack.enter_context(connect(url, timeout=timeout)) for _ in range(connections - 1)] if schemas else []
        return _probe_on(conn, desired, schemas, more, store=store)


def _probe_on(conn: psycopg.Connection[Any], desired: Desired, schemas: Sequence[str] | None,
              more: Sequence[psycopg.Connection[Any]] = (), again: bool = False,
              store: tuple[ProbeStore, str] | None = None, measure_drifted: bool = True) -> Probe:
    """:func:`_probe` on connections already open (``more``: to the same database; ``again``:
    ``conn`` will be probed again, see :func:`~trueup.engines.postgres.fingerprint.fingerprint`).

    ``store``: where this target's last probe is kept, and the target's URL (without password).
    If the database's change token reads as it did then, the parts of that probe that matched
    the desired state are reused and only the rest is measured again (see
    :mod:`trueup.fleet.probe_store`); without ``measure_drifted``, a whole database that had
    drifted, alone with its fingerprint, keeps its stored fingerprint, marked unmeasured: it is
    inspected anyway (databases that drifted alike are measured, to share one inspection)."""
    scopes: list[str | None] = list(schemas) if schemas else [None]
    tables = [(s, t.in_schema(s) if s else t) for s in scopes for t in desired.reference]
    probe, token = Probe(), None
    if store is not None:
        names = [t.regclass for _, t in tables]
        probes, key = store[0], probe_key(store[1], schemas or desired.schemas, names)
        last = probes.last_token(key)
        token = change_token(conn, names, last)
        stored = probes.get(key, token) if token is not None else None
        if stored is None and last is not None and token is not None:
            # something changed: what is stored now must rest on OIDs looked up afresh (a
            # reference table created or replaced since has another, or now has one)
            token = change_token(conn, names)
        if stored is not None:
            drifted_alone = stored.fingerprints.get(None) not in probes.common_fingerprints()
            probe = _still_true(stored, desired, scopes, tables,
                                keep_drifted=not measure_drifted and not schemas and drifted_alone)
    if schemas:
        stale = [s for s in schemas if s not in probe.fingerprints]
        if stale:
            fps = schema_fingerprints(conn, stale, more, again=again)
            probe.fingerprints.update({s: fps.get(s, "") for s in stale})
    elif None not in probe.fingerprints:
        probe.fingerprints[None] = fingerprint(conn, desired.schemas, again=again)
    _read_rows(conn, [(s, t) for s, t in tables if (s, t.table) not in probe.rows], probe)
    if store is not None and token is not None:
        probes.put(key, token, probe)
    return probe


def _still_true(stored: Probe, desired: Desired, scopes: Sequence[str | None],
                tables: Sequence[tuple[str | None, RefTable]], keep_drifted: bool = False) -> Probe:
    """The parts of a stored probe (of an unchanged database) that matched the desired state.
    The others are measured again, so a drifted target's repair shows at once, whatever the
    statistics' flush delay (``keep_drifted``: a drifted fingerprint is kept, marked unmeasured)."""
    kept = Probe()
    for s in scopes:
        fp = stored.fingerprints.get(s)
        if fp == desired.fingerprint:
            kept.fingerprints[s] = fp
            kept.recalled.add(s)
        elif fp is not None and keep_drifted:
            kept.fingerprints[s] = fp
            kept.unmeasured.add(s)
    for s, t in tables:
        rows = stored.rows.get((s, t.table))
        if rows is not None and not refdata_findings(t, rows, ""):
            kept.rows[(s, t.table)] = rows
    return kept


def _read_rows(conn: psycopg.Connection[Any], tables: Sequence[tuple[str | None, RefTable]], probe: Probe) -> None:
    """Every reference table's rows (``None``: no such table) in two round trips."""
    if not tables:
        return
    names = [t.regclass for _, t in tables]
    exists = conn.execute("SELECT to_regclass(n) IS NOT NULL FROM unnest(%s::text[]) WITH ORDINALITY AS u(n, i)"
                          " ORDER BY i", (names,)).fetchall()
    present = []
    for (s, t), (ok,) in zip(tables, exists, strict=True):
        if ok:
            present.append((s, t))
        else:
            probe.rows[(s, t.table)] = None
    with conn.pipeline():  # every table's rows in one round trip
        curs = [conn.execute(t.select_sql()) for _, t in present]  # type: ignore[arg-type]
    for (s, t), cur in zip(present, curs, strict=True):
        cols = [c.name for c in cur.description or ()]
        probe.rows[(s, t.table)] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def describe_error(err: BaseException, url: str) -> str:
    if isinstance(err, TrueupError):
        return err.message  # already names the database
    if isinstance(err, psycopg.Error):
        return f"{describe_target(url)}: {error_message(err)}"
    text = str(err).strip()
    return f"{describe_target(url)}: {text.splitlines()[0] if text else type(err).__name__}"


def default_concurrency(url: str | None) -> int:
    """Sized to the machine and to the free connections of the server."""
    cpu = os.cpu_count() or 2
    want = max(4, cpu * 8)
    if url is None:
        return want
    try:
        with connection(url) as conn:
            row = conn.execute("SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity"
                               ).fetchone()
        free = int(str(row[0])) if row else want
    except (TrueupError, psycopg.Error):
        return want
    return max(1, min(want, free // 2))


ProgressFn = Callable[[int, int, str], None]


def select_targets(config: Config, groups: Sequence[str] | None = None, targets: Sequence[str] | None = None,
                   names: Sequence[tuple[str, str]] | None = None,
                   ) -> tuple[list[str], list[Target], list[TargetResult]]:
    """The groups to audit, their targets (discovered, then filtered by name patterns and by
    exact ``names``) and an error result for each group whose discovery failed."""
    group_names = list(groups or config.groups)
    if names is not None:
        group_names = [g for g in group_names if any(g == n[0] for n in names)]
    for g in group_names:
        if g not in config.groups:
            raise TrueupError(f"unknown group '{g}'", hint=f"groups in the config: {', '.join(config.groups)}")
    errors: list[TargetResult] = []
    work: list[Target] = []
    wanted = set(names) if names is not None else None
    for g in group_names:
        try:
            found = discover(config, g)
        except DiscoveryError as err:
            errors.append(TargetResult(g, "(discovery)", "", "error", error=err.message))
            continue
        if targets:
            found = [t for t in found if any(fnmatchcase(t.name, p) for p in targets)]
        if wanted is not None:
            found = [t for t in found if (t.group, t.name) in wanted]
        work.extend(found)
    return group_names, work, errors


def run_audit(config: Config, *, groups: Sequence[str] | None = None, targets: Sequence[str] | None = None,
              concurrency: int | None = None, progress: ProgressFn | None = None,
              plans: bool = False, allow_destructive: bool = False,
              names: Sequence[tuple[str, str]] | None = None,
              diff_options: DiffOptions | None = None, rescan: bool = False) -> AuditResult:
    """Audit the fleet. With ``plans``, every drifted target also gets the statements that
    repair it (``allow_destructive`` decides whether destructive ones are kept or skipped).
    ``names`` restricts the run to exact (group, target name) pairs. Unless ``rescan`` (or
    ``[state] cache = false``), a target whose change token reads as at its last audit reuses
    that audit's probe (see :mod:`trueup.fleet.probe_store`)."""
    started = time.perf_counter()
    group_names, work, results = select_targets(config, groups, targets, names)
    auditor = Auditor(config, group_names, allow_destructive=allow_destructive, diff_options=diff_options)
    conc = concurrency or config.settings.concurrency or default_concurrency(_scratch_server(config, group_names[0]))
    stores = {} if rescan or not config.state.cache else {g: _probe_store(config, g) for g in group_names}
    results.extend(_audit_targets(work, auditor, conc, progress, plans, stores))
    for store in stores.values():
        store.save()
    return AuditResult(sort_results(results, group_names), group_names, time.perf_counter() - started, auditor)


def sort_results(results: list[TargetResult], group_names: Sequence[str]) -> list[TargetResult]:
    order = {g: i for i, g in enumerate(group_names)}
    return sorted(results, key=lambda r: (order.get(r.group, 0), r.name))


class LayerOwners:
    """For each group, the objects that belong to the *other* groups' desired states.

    Computed on first use only: most audits find no unexpected object and never need it, and
    a group not being audited costs a load of its desired state.
    """

    def __init__(self, config: Config, desired: dict[str, Desired]) -> None:
        self._config, self._desired = config, desired
        self._owners: dict[str, dict[tuple[str, str], str]] | None = None
        self._lock = threading.Lock()

    def for_group(self, group: str) -> dict[tuple[str, str], str]:
        with self._lock:
            if self._owners is None:
                self._owners = self._compute()
        return self._owners.get(group, {})

    def _compute(self) -> dict[str, dict[tuple[str, str], str]]:
        loaded: dict[tuple[str, str | None], set[tuple[str, str]]] = {}
        everything: dict[str, set[tuple[str, str]]] = {}
        for g in self._config.groups:  # groups not audited now still define layers
            d = self._desired.get(g)
            if d is None:
                try:
                    d = load_desired(self._config, g)
                except TrueupError:
                    everything[g] = set()
                    continue
            key = (self._config.groups[g].desired, d.template_schema)
            if key not in loaded:
                loaded[key] = {layer_key(o.id) for o in d.model if o.kind in LAYER_KINDS}
            everything[g] = loaded[key]
        out: dict[str, dict[tuple[str, str], str]] = {}
        for g in self._desired:
            mine = everything.get(g, set())
            out[g] = {k: other for other, keys in everything.items() if other != g for k in keys if k not in mine}
        return out


class Auditor:
    """What judging a target needs: each group's desired state (loaded once), the layer owners,
    and the options of the plans it makes. Shared by the fleet audit and by ``apply``, which
    judges every target on its own connection, under its lock, before and after applying."""

    def __init__(self, config: Config, group_names: Sequence[str], *, allow_destructive: bool = False,
                 diff_options: DiffOptions | None = None) -> None:
        self.desired = {g: load_desired(config, g) for g in group_names}
        self.owners = LayerOwners(config, self.desired)
        self.timeout = config.settings.connect_timeout
        self.allow_destructive = allow_destructive
        self.diff_options = diff_options
        self._lock = threading.Lock()
        self._shared: dict[tuple[str, str], _Shared] = {}

    def probe(self, conn: psycopg.Connection[Any], target: Target, again: bool = False) -> Probe:
        return _probe_on(conn, self.desired[target.group], [target.schema] if target.schema else None, again=again)

    def compare(self, whole: Schema, targets: list[Target], plans: bool) -> tuple[list[Finding], Plan | None]:
        """Findings (and with ``plans``, the plan) of ``targets``, which share the inspected
        ``whole`` (one database, or for schema targets, the one schema each)."""
        d = self.desired[targets[0].group]
        actual, want = _compare_pair(whole, targets[0], d)
        found = schema_findings(actual, want, ENGINE, where=_WHERE,
                                layer_owners=self.owners.for_group(targets[0].group))
        return found, (diff_schemas(actual, want, ENGINE, self.diff_options) if plans else None)

    def judge(self, conn: psycopg.Connection[Any], target: Target, probe: Probe, plans: bool) -> TargetResult:
        """One target's verdict from its probe, inspecting it on ``conn`` if its fingerprint
        differs. Whole databases with the same fingerprint share one inspection."""
        r = TargetResult(target.group, target.name, target.location, target=target)
        d = self.desired[target.group]
        fp = r.fingerprint = probe.fingerprints.get(target.schema, "")
        if fp != d.fingerprint:
            def inspect() -> tuple[list[Finding], Plan | None]:
                whole = _inspect(conn, d, [target.schema] if target.schema else d.schemas)
                return self.compare(whole, [target], plans)

            shared = not target.schema and target.schema not in probe.unmeasured
            found, plan = self._once((target.group, fp), inspect, plans) if shared else inspect()
            self.record(r, found, plan)
        self.reference_findings(r, probe, plans)
        return r

    def _once(self, key: tuple[str, str], make: Callable[[], tuple[list[Finding], Plan | None]],
              plans: bool) -> tuple[list[Finding], Plan | None]:
        with self._lock:
            shared = self._shared.setdefault(key, _Shared())
        with shared.lock:
            if shared.value is None or (plans and shared.value[1] is None):
                shared.value = make()
            return shared.value

    def record(self, r: TargetResult, found: list[Finding], plan: Plan | None) -> None:
        r.findings.extend(Finding(f.category, f.problem, f.object, f.detail.replace(_WHERE, r.name), f.hazards, f.fix)
                          for f in found)
        if plan is not None:
            r.statements.extend(plan.preamble_statements() + plan.statements(self.allow_destructive))
            r.skipped.extend(plan.skipped(self.allow_destructive))

    def reference_findings(self, r: TargetResult, probe: Probe, plans: bool) -> None:
        """Reference-data findings (and their fixes) of one probed target; sets its status."""
        t = r.target
        assert t is not None
        for table in self.desired[t.group].reference:
            rows = probe.rows.get((t.schema, table.table))
            found = refdata_findings(table.in_schema(t.schema) if t.schema else table, rows, t.name)
            r.findings.extend(found)
            if plans:
                for f in found:
                    (r.statements if self.allow_destructive or not f.hazards else r.skipped).append(_fix_statement(f))
        r.status = "drift" if r.findings else "in_sync"


def _inspect(conn: psycopg.Connection[Any], d: Desired, schemas: Sequence[str] | None) -> Schema:
    """The actual schema of a target, with the group's ignore rules applied."""
    return apply_ignore(inspect_connection(conn, schemas), d.ignore)


@dataclass
class _Shared:
    lock: threading.Lock = field(default_factory=threading.Lock)
    value: tuple[list[Finding], Plan | None] | None = None


def _audit_targets(work: list[Target], auditor: Auditor, concurrency: int, progress: ProgressFn | None,
                   plans: bool = False, stores: dict[str, ProbeStore] | None = None) -> list[TargetResult]:
    """Whole databases are judged each on its own connection (those sharing a fingerprint share
    one inspection, see :meth:`Auditor.judge`). Tenant schemas of one database are probed
    together, on a few connections so that thousands of them still use more than one server
    core, then the drifted ones are inspected per database. ``stores``: per group, the probes
    of earlier audits."""
    desired = auditor.desired
    per_db: dict[tuple[str, str], list[Target]] = {}
    for t in work:
        per_db.setdefault((t.group, t.url if t.schema else f"{t.url}#{t.name}"), []).append(t)
    units = list(per_db.values())
    results: dict[tuple[str, str], TargetResult] = {
        (t.group, t.name): TargetResult(t.group, t.name, t.location, target=t) for t in work}
    probes: dict[tuple[str, str], Probe] = {}
    done = 0

    def run_unit(unit: list[Target]) -> None:
        t0 = time.perf_counter()
        first = unit[0]
        d = desired[first.group]
        schemas = [t.schema or "" for t in unit] if first.schema is not None else None
        store = (stores[first.group], redact(first.url)) if stores and first.group in stores else None
        try:
            if schemas is None:  # a whole database: a unit of one
                with connect(first.url, timeout=auditor.timeout) as conn:
                    # (a plan records the fingerprint it was made from: measured then)
                    probe = _probe_on(conn, d, None, store=store, measure_drifted=plans)
                    r = results[(first.group, first.name)] = auditor.judge(conn, first, probe, plans)
                    r.recalled = None in probe.recalled
            else:
                wide = len(schemas) >= SCHEMA_WIDE_PROBE
                probe = _probe(first.url, d, schemas, auditor.timeout,
                               max(1, min(concurrency, SCHEMA_PROBE_CONNECTIONS)) if wide else 1, store)
                for t in unit:
                    probes[(t.group, t.name)] = probe
                    results[(t.group, t.name)].recalled = t.schema in probe.recalled
        except Exception as err:  # one failing database never stops the run
            for t in unit:
                r = results[(t.group, t.name)]
                r.status, r.error = "error", describe_error(err, t.url)
        for t in unit:
            results[(t.group, t.name)].seconds = time.perf_counter() - t0

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for unit, _ in zip(units, pool.map(run_unit, units), strict=True):
            done += len(unit)
            if progress:
                progress(done, len(work), unit[0].name)

    # tenant schemas: full inspection only where fingerprints differ, one per database for all
    # its drifted schemas
    drifted: dict[tuple[str, str], list[Target]] = {}
    for t in work:
        probe = probes.get((t.group, t.name))
        if probe is None:
            continue
        fp = probe.fingerprints.get(t.schema, "")
        results[(t.group, t.name)].fingerprint = fp
        if fp != desired[t.group].fingerprint:
            drifted.setdefault((t.group, t.url), []).append(t)

    def inspect_unit(same: list[Target]) -> None:
        d = desired[same[0].group]
        try:
            # tenant schemas with equal fingerprints have equal contents: only one of each is
            # inspected, and its model, moved to each other schema, stands for theirs (a new
            # release drifts every tenant alike: one schema is read, not a thousand)
            alike: dict[str, list[tuple[str, Target]]] = {}
            for t in same:
                alike.setdefault(results[(t.group, t.name)].fingerprint or "", []).append((t.schema or "", t))
            with connection(same[0].url) as conn:
                whole = _inspect(conn, d, [ts[0][0] for ts in alike.values()])
            for ts in alike.values():
                first = ts[0][0]
                part = _scope_model(whole, first)
                for schema, t in ts:
                    found, plan = auditor.compare(part if schema == first else rename_schema(part, first, schema),
                                                  [t], plans)
                    auditor.record(results[(t.group, t.name)], found, plan)
        except Exception as err:
            for t in same:
                r = results[(t.group, t.name)]
                r.status, r.error = "error", describe_error(err, t.url)

    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, 8))) as pool:
        list(pool.map(inspect_unit, drifted.values()))

    for t in work:
        r = results[(t.group, t.name)]
        probe = probes.get((t.group, t.name))
        if probe is not None and r.status != "error":
            auditor.reference_findings(r, probe, plans)
    return list(results.values())


def _fix_statement(finding: Finding) -> Statement:
    """A reference-data finding's fix as a plan statement."""
    sql = "\n".join(ln for ln in finding.fix.splitlines() if not ln.startswith("--")).strip().rstrip(";")
    hazards = tuple(Hazard(h) for h in finding.hazards)
    return Statement(sql, hazards, tuple("" for _ in hazards))


def _compare_pair(whole: Schema, target: Target, d: Desired) -> tuple[Schema, Schema]:
    """The target's actual schema (cut out of its database's) and what it should be."""
    if not target.schema:
        return whole, d.model
    actual = _scope_model(whole, target.schema)
    return actual, rename_schema(d.model, d.template_schema or "public", target.schema)
