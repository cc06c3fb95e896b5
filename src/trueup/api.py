"""The library entry points the CLI is a thin shell around."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from trueup.diff.compare import diff_schemas
from trueup.engines import default_engine, engine_by_name
from trueup.engines.interface.generators import DiffOptions
from trueup.errors import TrueupError
from trueup.model import Schema
from trueup.plan.script import Plan
from trueup.sources import Source, load, parse_source
from trueup.sources import cache as source_cache


def scratch_server_for(dev_url: str | None, *others: Source) -> str:
    """The server where ``.sql`` sources are loaded.

    In order: ``--dev-url``; the server of a live URL among the other sources;
    ``TRUEUP_DEV_URL``; the embedded PostgreSQL server.
    """
    if dev_url:
        return dev_url
    for other in others:
        if other.url:
            return other.url
    env = os.environ.get("TRUEUP_DEV_URL")
    if env:
        return env
    return default_engine().default_server()


def _cache_folder(cache: bool) -> Path | None:
    """Where the models of ``.sql`` sources are kept (``cache``), see :mod:`trueup.sources.cache`."""
    return source_cache.user_folder() if cache else None


def inspect_source(spec: str, *, schemas: Sequence[str] | None = None, dev_url: str | None = None,
                   cache: bool = False) -> Schema:
    """The model of a source. ``cache``: keep (and reuse) the model of a ``.sql`` source."""
    source = parse_source(spec)
    return load(source, schemas=schemas, scratch_server=lambda: scratch_server_for(dev_url),
                cache=_cache_folder(cache))


def diff_sources(from_spec: str, to_spec: str, *, schemas: Sequence[str] | None = None,
                 dev_url: str | None = None, options: DiffOptions | None = None, cache: bool = False) -> Plan:
    """The plan that turns FROM into TO. Both specs are validated before any server is touched.
    ``cache``: keep (and reuse) the models of ``.sql`` sources."""
    src_from, src_to = parse_source(from_spec), parse_source(to_spec)
    folder = _cache_folder(cache)
    # both sides are read at once: each waits mostly on its server, and when both keep a server
    # busy, each is read on one connection (a second one per side only adds contention)
    each = 1 if src_from.kind != "snapshot" and src_to.kind != "snapshot" else 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        old_f = pool.submit(load, src_from, schemas=schemas, connections=each, cache=folder,
                            scratch_server=lambda: scratch_server_for(dev_url, src_to))
        new_f = pool.submit(load, src_to, schemas=schemas, connections=each, cache=folder,
                            scratch_server=lambda: scratch_server_for(dev_url, src_from))
        old, new = old_f.result(), new_f.result()
    return diff_models(old, new, options)


def diff_models(old: Schema, new: Schema, options: DiffOptions | None = None) -> Plan:
    if old.engine != new.engine:
        raise TrueupError(f"cannot compare a {old.engine} schema with a {new.engine} schema")
    return diff_schemas(old, new, engine_by_name(new.engine), options)


def render_schema(schema: Schema) -> str:
    """The schema as an ordered DDL script that builds it in an empty database."""
    plan = diff_models(Schema(schema.engine, {}, schema.server_version), schema)
    return plan.to_sql(allow_destructive=True)
