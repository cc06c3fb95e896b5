"""Foreign-data wrappers, foreign servers, user mappings (without their secrets) and foreign tables.

A user mapping's options whose names look like secrets (:data:`SECRET_OPTION`: ``password``,
``passfile``, ``sslpassword``, ``sslkey``, ``odbc_PWD``, ``api_key``, ``secret``, ``token``,
``credentials``...) are read by name only: their values never leave the server, so they are
never in a model, a snapshot or a report, and two mappings whose secret values differ compare
equal. A statement that must give one (a mapping created with a password) carries a placeholder
and the ``needs_input`` hazard: it never runs, a person runs it with the real value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.kinds import options
from trueup.engines.postgres.quoting import ident, literal, qname
from trueup.model import DbObject

#: option names taken for secrets (the same pattern as queries/user_mappings.sql)
SECRET_OPTION = re.compile(r"(pass|pwd|secret|token|key|credential|auth)", re.I)


def placeholder(key: str) -> str:
    """What a statement holds in place of a secret option's value."""
    return f"{ident(key)} '<{key}: fill in>'"


class ForeignDataWrapperSQL(GeneratorBase):
    kind = "foreign_data_wrapper"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        sql = f"CREATE FOREIGN DATA WRAPPER {ident(obj.id.path[0])}"
        if a["handler"]:
            sql += f" HANDLER {a['handler']}"
        if a["validator"]:
            sql += f" VALIDATOR {a['validator']}"
        return [stmt(sql + options.render(a["options"]))]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP FOREIGN DATA WRAPPER {ident(obj.id.path[0])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        parts = []
        if o["handler"] != n["handler"]:
            parts.append(f"HANDLER {n['handler']}" if n["handler"] else "NO HANDLER")
        if o["validator"] != n["validator"]:
            parts.append(f"VALIDATOR {n['validator']}" if n["validator"] else "NO VALIDATOR")
        clause = options.alter_clause(o["options"], n["options"])
        if clause:
            parts.append(clause.strip())
        if not parts:
            return AlterResult([])
        hazards = [(Hazard.MAY_FAIL, "existing options may not pass the new validator")] if (
            o["validator"] != n["validator"] and n["validator"]) else []
        return AlterResult([stmt(f"ALTER FOREIGN DATA WRAPPER {ident(new.id.path[0])} {' '.join(parts)}",
                                 *hazards)])


class ForeignServerSQL(GeneratorBase):
    kind = "foreign_server"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        sql = f"CREATE SERVER {ident(obj.id.path[0])}"
        if a["type"] is not None:
            sql += f" TYPE {literal(a['type'])}"
        if a["version"] is not None:
            sql += f" VERSION {literal(a['version'])}"
        return [stmt(f"{sql} FOREIGN DATA WRAPPER {ident(a['wrapper'])}{options.render(a['options'])}")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP SERVER {ident(obj.id.path[0])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["wrapper"] != n["wrapper"] or o["type"] != n["type"]:
            return None
        sql = ""
        if o["version"] != n["version"]:
            sql += f" VERSION {literal(n['version']) if n['version'] is not None else 'NULL'}"
        sql += options.alter_clause(o["options"], n["options"])
        return AlterResult([stmt(f"ALTER SERVER {ident(new.id.path[0])}{sql}")] if sql else [])


class UserMappingSQL(GeneratorBase):
    """Path: (user or ``PUBLIC``, server). Attrs: ``options`` (not secret) and ``secret_keys``."""

    kind = "user_mapping"

    @staticmethod
    def _for(obj: DbObject) -> str:
        user, server = obj.id.path
        return f"FOR {user} SERVER {ident(server)}"  # (the user quoted where needed by the catalog query)

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        secrets = list(obj.attrs["secret_keys"] or ())
        sql = (f"CREATE USER MAPPING {self._for(obj)}"
               f"{options.render(obj.attrs['options'], [placeholder(k) for k in secrets])}")
        return [_needs_secret(sql, secrets)]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        secrets = obj.attrs["secret_keys"] or ()
        hazards = [(Hazard.DELETES_DATA, f"drops the mapping's {', '.join(secrets)}, which trueup cannot restore")
                   ] if secrets else []
        return [stmt(f"DROP USER MAPPING {self._for(obj)}", *hazards)]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        items = options.changes(o["options"], n["options"])
        old_secrets, new_secrets = set(o["secret_keys"] or ()), list(n["secret_keys"] or ())
        dropped = sorted(old_secrets - set(new_secrets))
        added = [k for k in new_secrets if k not in old_secrets]
        out = []
        if items or dropped:
            hazards = [(Hazard.DELETES_DATA, f"drops the mapping's {', '.join(dropped)}, which trueup cannot restore")
                       ] if dropped else []
            if o.get("hidden"):
                hazards.append((Hazard.MAY_FAIL, "the mapping's options could not be read (pg_user_mappings hides them"
                                                 " from this role): an option added may exist already"))
            out.append(stmt(f"ALTER USER MAPPING {self._for(new)} OPTIONS "
                            f"({', '.join(items + [f'DROP {ident(k)}' for k in dropped])})", *hazards))
        if added:
            sql = f"ALTER USER MAPPING {self._for(new)} OPTIONS ({', '.join('ADD ' + placeholder(k) for k in added)})"
            out.append(_needs_secret(sql, added))
        return AlterResult(out)


def _needs_secret(sql: str, secrets: Sequence[str]) -> Statement:
    if not secrets:
        return stmt(sql)
    return stmt(sql, (Hazard.NEEDS_INPUT, f"needs the value of {', '.join(secrets)}, which trueup never reads:"
                                          " run it by hand with the real value"))


def _column_sql(col: Sequence[Any]) -> str:
    name, typ, notnull, default, opts = col
    sql = f"{ident(name)} {typ}{options.render(opts)}"
    if notnull:
        sql += " NOT NULL"
    if default is not None:
        sql += f" DEFAULT {default}"
    return sql


class ForeignTableSQL(GeneratorBase):
    """Attrs: ``server``, ``options`` and ``columns`` ([name, type, not null, default, options] in order)."""

    kind = "foreign_table"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        cols = ",\n    ".join(_column_sql(c) for c in a["columns"] or ())
        return [stmt(f"CREATE FOREIGN TABLE {qname(*obj.id.path)} (\n    {cols}\n) SERVER {ident(a['server'])}"
                     f"{options.render(a['options'])}")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP FOREIGN TABLE {qname(*obj.id.path)}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["server"] != n["server"]:
            return None
        old_cols = {c[0]: c for c in o["columns"] or ()}
        new_cols = {c[0]: c for c in n["columns"] or ()}
        kept = [c for c in old_cols if c in new_cols]
        if list(new_cols)[:len(kept)] != kept:
            return None  # the columns' order changes: only a new table has it
        actions = [f"DROP COLUMN {ident(c)}" for c in old_cols if c not in new_cols]
        for name in kept:
            actions += _column_changes(old_cols[name], new_cols[name])
        actions += [f"ADD COLUMN {_column_sql(c)}" for name, c in new_cols.items() if name not in old_cols]
        clause = options.alter_clause(o["options"], n["options"])
        if clause:
            actions.append(clause.strip())
        name = qname(*new.id.path)
        # a view over a column whose type changes must leave first (and come back after)
        retyped = any(old_cols[c][1] != new_cols[c][1] for c in kept)
        return AlterResult([stmt(f"ALTER FOREIGN TABLE {name} {', '.join(actions)}")] if actions else [],
                           breaks_dependents=retyped)


def _column_changes(old: Sequence[Any], new: Sequence[Any]) -> list[str]:
    col = f"ALTER COLUMN {ident(new[0])}"
    out = []
    if old[1] != new[1]:
        out.append(f"{col} TYPE {new[1]}")
    if old[2] != new[2]:
        out.append(f"{col} {'SET' if new[2] else 'DROP'} NOT NULL")
    if old[3] != new[3]:
        out.append(f"{col} SET DEFAULT {new[3]}" if new[3] is not None else f"{col} DROP DEFAULT")
    clause = options.alter_clause(old[4], new[4])
    if clause:
        out.append(f"{col}{clause}")
    return out
