"""A group's desired state: its model, the fingerprints known to mean "in sync", its scope,
reference data and ignore rules, loaded once per run.

A ``.sql`` source is loaded into a scratch database and fingerprinted there (both cached, see
:mod:`trueup.sources.cache`); a live URL is inspected and fingerprinted where it is. A ``.json``
snapshot is read as saved and has no fingerprint to start with: the audit learns one (see
:meth:`Desired.learn`). So does any desired state on targets whose server fingerprints
differently from the scratch server (another major version): a target whose fingerprint is not
known is inspected, and targets sharing a fingerprint share that one inspection.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from trueup.config import Config, GroupConfig, IgnoreRules
from trueup.engines import default_engine, engine_by_name, engine_for_url
from trueup.engines.interface.engine import Engine
from trueup.engines.interface.renames import META_KEY
from trueup.errors import TrueupError
from trueup.fleet.ignore import apply_ignore
from trueup.fleet.refdata import RefTable, load_reference_data
from trueup.history import tables as history_tables
from trueup.history.files import MigrationsFolder, read_folder
from trueup.history.replay import Replay, replay
from trueup.model import Schema
from trueup.sources import Source, load, parse_source
from trueup.sources import cache as source_cache


@dataclass
class Desired:
    group: str
    engine: Engine
    model: Schema
    #: fingerprints known to mean "in sync": measured where the desired state was loaded, and
    #: learned from targets found in sync
    fingerprints: set[str]
    schemas: list[str] | None
    template_schema: str | None
    reference: list[RefTable]
    ignore: IgnoreRules
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def in_sync(self, fingerprint: str | None) -> bool:
        """Whether a target with this fingerprint has the desired schema."""
        with self._lock:
            return fingerprint is not None and fingerprint in self.fingerprints

    def learn(self, fingerprint: str | None) -> None:
        """A target with this fingerprint was inspected and found in sync: so is any other."""
        if fingerprint:
            with self._lock:
                self.fingerprints.add(fingerprint)


def cache_folder(config: Config) -> Path:
    """Where the caches (desired states, stored probes) live: ``cache/`` beside the journal."""
    return Path(config.path(config.state.path)).parent / "cache"


def _server_candidates(config: Config, first_group: str) -> list[str]:
    out = []
    for name in [first_group, *config.groups]:
        group = config.groups[name]
        out += [t if isinstance(t, str) else t.url for t in group.targets]
        if group.provision is not None:
            out.append(group.provision.server)
        server = getattr(group.discover, "server", None)  # (trueup's registry names no server)
        if server:
            out.append(server)
    return out


def scratch_server(config: Config, group_name: str) -> str:
    """Where .sql desired states are loaded: [scratch] url, TRUEUP_DEV_URL, else the first
    server of the fleet that answers (this group's first), else the embedded server."""
    if config.scratch is not None:
        return config.scratch.url
    env = os.environ.get("TRUEUP_DEV_URL")
    if env:
        return env
    first_engine: Engine | None = None
    for url in dict.fromkeys(_server_candidates(config, group_name)):
        try:
            engine = engine_for_url(url)
            first_engine = first_engine or engine
            engine.connect(url, timeout=config.settings.connect_timeout).close()
            return url
        except TrueupError:
            continue
    return (first_engine or default_engine()).default_server()


def template_schema(group: GroupConfig) -> str | None:
    """Schema per tenant: the schema of the desired state (and of the migrations) that stands
    for each tenant's schema; None for other groups."""
    return group.template_schema


def scope_model(model: Schema, template: str | None) -> Schema:
    """In schema-per-tenant mode only the template schema's contents are compared."""
    if template is None:
        return model
    return model.filtered(lambda o: o.kind not in ("schema", "extension") and o.schema_name == template
                          and not (o.kind in ("comment", "grant") and o.id.path[0] == "schema"))


def load_desired(config: Config, group_name: str) -> Desired:
    group = config.groups[group_name]
    template = template_schema(group)
    scope = [template] if template else group.schemas
    fingerprints: set[str] = set()
    ignore = group.ignore
    if group.migrations is not None:  # the history tables are bookkeeping, not schema
        # (schema per tenant: each tenant's in its own schema, unless the config names one)
        where = group.migrations.table_schema or ("*" if template else "public")
        extra = history_tables.bookkeeping(group.migrations.history, where)
        ignore = ignore.model_copy(update={"objects": [*ignore.objects, *extra]})
    if group.desired is None:
        server = scratch_server(config, group_name)
        engine = engine_for_url(server)
        model = migrations_model(config, group_name, server)
        model = scope_model(apply_ignore(model, ignore), template)
        reference = load_reference_data(config.path(group.reference_data)) if group.reference_data else []
        return Desired(group_name, engine, model, fingerprints, scope, template, reference, ignore)
    source = parse_source(config.path(group.desired))
    if source.kind == "snapshot":
        model = load(source)
        engine = engine_by_name(model.engine)
    else:
        server = source.spec if source.kind == "url" else scratch_server(config, group_name)
        engine = engine_for_url(server)
        model, fp = _measure(config, engine, source, server, scope, template)
        fingerprints.add(fp)
    model = scope_model(apply_ignore(model, ignore), template)
    reference = load_reference_data(config.path(group.reference_data)) if group.reference_data else []
    return Desired(group_name, engine, model, fingerprints, scope, template, reference, ignore)


def migrations_folder(config: Config, group_name: str) -> MigrationsFolder:
    """The group's migrations folder, read in its framework's layout."""
    migrations = config.groups[group_name].migrations
    assert migrations is not None
    return read_folder(Path(config.path(migrations.dir)), migrations.layout)


def group_replay(config: Config, group_name: str, server: str | None = None) -> Replay:
    """What the group's migrations build, one migration at a time (cached like .sql sources), in
    the group's schemas; schema per tenant: in the template schema, where each migration runs
    as it runs in a tenant's (unqualified names in that schema alone)."""
    group = config.groups[group_name]
    template = template_schema(group)
    return replay(migrations_folder(config, group_name), server or scratch_server(config, group_name),
                  [template] if template else group.schemas, cache_folder(config) if config.state.cache else None,
                  schema=template)


def migrations_model(config: Config, group_name: str, server: str) -> Schema:
    """A group without ``desired``: the state its whole migrations folder builds."""
    r = group_replay(config, group_name, server)
    return r.at(len(r.states) - 1)


def _measure(config: Config, engine: Engine, source: Source, server: str, scope: list[str] | None,
             template: str | None) -> tuple[Schema, str]:
    """The model and fingerprint of a live or ``.sql`` desired state; the latter loaded into a
    scratch database unless the cache holds the same input's."""
    timeout = config.settings.connect_timeout

    def measure(url: str) -> tuple[Schema, str]:
        with engine.connect(url, timeout=timeout) as session:
            model = session.inspect(scope, alone=True)
            fp = session.schema_fingerprints([template]).get(template, "") if template \
                else session.fingerprint(scope)
        return model, fp

    if source.kind == "url":
        return measure(source.spec)

    def make() -> tuple[Schema, str]:
        with engine.scratch_database(server) as url:
            engine.apply_files(url, [str(f) for f in source.files])
            model, fp = measure(url)
        renames = engine.declared_renames([str(f) for f in source.files])
        if renames:  # (kept in the model's meta, so the cache keeps them too)
            model = Schema(model.engine, model.objects, model.server_version,
                           {**model.meta, META_KEY: [r.to_json() for r in renames]})
        return model, fp

    if not config.state.cache:
        return make()
    return source_cache.cached_load(cache_folder(config), source.files, scope, template,
                                    engine.scratch_identity(server), make)
