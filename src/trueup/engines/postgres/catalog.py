"""Catalog queries: loaded from the ``queries/*.sql`` files beside this module.

The files use small macros, expanded here so each query stays readable SQL:
``:scope(n)`` keeps namespaces in scope, ``:not_ext(catalog, oid)`` drops objects that belong
to an extension, ``:acl(acl, type, owner)`` explodes privileges into a JSON list, and
``:since(version_num, new, old)`` is ``new`` on servers of that version or later, else ``old``
(``old`` when the version is not given), and ``:include(name)`` is the text of ``queries/name.sql``
(a clause two queries share), its comment lines left out. The fingerprint queries (``fp_*``) add two that
assume the row's namespace is aliased ``n``: ``:own(nspname)`` is ``$`` for that namespace itself,
else the quoted name, ``:unqualify(text)`` writes the namespace's own qualifier as ``$.``, and
``:oid_names(oids, catalog, name column, namespace column)`` writes an OID list (operator classes,
collations) with its members that are not built in by (own) schema and name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any

import psycopg

QUERY_NAMES = (
    "schemas", "extensions", "types", "relations", "columns", "constraints",
    "indexes", "functions", "triggers", "policies", "depend",
    "column_types",
    "foreign_data_wrappers", "foreign_servers", "user_mappings", "foreign_tables",
    "event_triggers", "publications", "default_privileges",
    "partition_constraints",
    "notnull_names",
    "ranges", "collations", "statistics", "rules",
)

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


def _scope(alias: str) -> str:
    return (
        f"({alias}.nspname NOT IN ('pg_catalog', 'information_schema')"
        f" AND {alias}.nspname !~ '^pg_(toast|temp_)'"
        f" AND (%(schemas)s::text[] IS NULL OR {alias}.nspname = ANY(%(schemas)s::text[])))"
    )


def _not_ext(catalog: str, oid: str) -> str:
    # an extension membership always references pg_extension: naming it lets the server read
    # those few rows through an index instead of scanning all of pg_depend
    return (
        "NOT EXISTS (SELECT 1 FROM pg_depend ext WHERE ext.refclassid = 'pg_catalog.pg_extension'::regclass"
        f" AND ext.classid = '{catalog}'::regclass AND ext.objid = {oid} AND ext.deptype = 'e')"
    )


def _acl(acl: str, typ: str, owner: str) -> str:
    return (
        "(SELECT json_agg(json_build_array("
        "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END,"
        " a.privilege_type, a.is_grantable))"
        f" FROM aclexplode(coalesce({acl}, acldefault(({typ})::\"char\", {owner}))) a"
        f" WHERE a.grantee <> {owner})"
    )


def _unqualify(text: str) -> str:
    return f"replace({text}, quote_ident(n.nspname) || '.', '$.')"


def _own(nspname: str) -> str:
    return f"CASE WHEN {nspname} = n.nspname THEN '$' ELSE quote_ident({nspname}) END"


def _oid_names(oids: str, catalog: str, name: str, namespace: str) -> str:
    # built-in members (below 10000) as numbers, fixed by the server's version; the list as
    # stored when none of its numbers has five digits (all built in), the common case
    return (f"CASE WHEN {oids}::text !~ '[0-9]{{5}}' THEN {oids}::text"
            f" ELSE (SELECT string_agg(CASE WHEN u.o < 10000 THEN u.o::text ELSE"
            f" (SELECT {_own('xn.nspname')} || '.' || quote_ident(x.{name})"
            f" FROM {catalog} x JOIN pg_namespace xn ON xn.oid = x.{namespace} WHERE x.oid = u.o) END,"
            f" ' ' ORDER BY u.k) FROM unnest({oids}::oid[]) WITH ORDINALITY u(o, k)) END")


# a macro call whose arguments hold parentheses up to two levels deep
_MACRO = re.compile(r":(scope|not_ext|acl|since|own|unqualify|oid_names)\(((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)")


_INCLUDE = re.compile(r":include\((\w+)\)")


def _read(name: str) -> str:
    return resources.files("trueup.engines.postgres").joinpath(f"queries/{name}.sql").read_text()


def _include(m: re.Match[str]) -> str:
    return "\n".join(ln for ln in _read(m.group(1)).splitlines() if not ln.startswith("--")).strip()


def _expand(sql: str, server_version: int | None = None) -> str:
    sql = _INCLUDE.sub(_include, sql)

    def repl(m: re.Match[str]) -> str:
        args = [a.strip() for a in _split_args(m.group(2))]
        if m.group(1) == "scope":
            return _scope(*args)
        if m.group(1) == "not_ext":
            return _not_ext(*args)
        if m.group(1) == "own":
            return _own(args[0])
        if m.group(1) == "oid_names":
            return _oid_names(*args)
        if m.group(1) == "unqualify":
            return _unqualify(args[0])
        if m.group(1) == "since":
            version, new, old = args
            return new if server_version is not None and server_version >= int(version) else old
        return _acl(*args)

    sql = _MACRO.sub(repl, sql)
    return sql.replace(":schemas::text[]", "%(schemas)s::text[]")


def _split_args(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur)
    return out


@cache
def query(name: str, server_version: int | None = None) -> str:
    """The query ``name``; ``server_version`` (``server_version_num``) picks the ``:since`` variants."""
    return _expand(_read(name), server_version)


@contextmanager
def catalog_session(conn: psycopg.Connection[Any], **settings: str) -> Iterator[None]:
    """One pipeline (one round trip) for catalog queries: names resolved in ``pg_catalog`` only,
    no JIT (compiling catalog queries costs more than it saves) and the extra ``settings``,
    all reset at the end."""
    names = {"search_path": "pg_catalog", "jit": "off", **settings}
    with conn.pipeline():
        for name, value in names.items():
            conn.execute(f"SET {name} = {value}")  # type: ignore[arg-type]
        yield
        for name in names:
            conn.execute(f"RESET {name}")  # type: ignore[arg-type]
