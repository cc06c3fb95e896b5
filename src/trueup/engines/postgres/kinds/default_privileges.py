"""Default privileges (``ALTER DEFAULT PRIVILEGES``), one object per privilege that differs from
what the server would give anyway: path (schema or ``""`` for the whole database, role, kind of
object as the statement names it, grantee, privilege); ``action`` GRANT (given beyond the
built-in defaults, or in a schema) or REVOKE (a built-in default taken away: only for the whole
database)."""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import ident
from trueup.model import DbObject

#: pg_default_acl.defaclobjtype -> the word ALTER DEFAULT PRIVILEGES uses
OBJTYPES = {"r": "TABLES", "S": "SEQUENCES", "f": "FUNCTIONS", "T": "TYPES", "n": "SCHEMAS",
            "L": "LARGE OBJECTS"}


def _grantee(name: str) -> str:
    return name  # (as the catalog query writes it: PUBLIC, or the role's name quoted where needed)


class DefaultPrivilegeSQL(GeneratorBase):
    kind = "default_privilege"

    @staticmethod
    def _head(obj: DbObject) -> str:
        schema, role = obj.id.path[:2]
        # (the role as the catalog query writes it: quoted where needed)
        return f"ALTER DEFAULT PRIVILEGES FOR ROLE {role}" + (f" IN SCHEMA {ident(schema)}" if schema else "")

    def _give(self, obj: DbObject, grantable: bool) -> Statement:
        on, grantee, privilege = obj.id.path[2:]
        option = " WITH GRANT OPTION" if grantable else ""
        return stmt(f"{self._head(obj)} GRANT {privilege} ON {on} TO {_grantee(grantee)}{option}",
                    (Hazard.AUTHZ, f"new {on.lower()} give {grantee} {privilege}"))

    def _take(self, obj: DbObject, option_only: bool = False) -> Statement:
        on, grantee, privilege = obj.id.path[2:]
        what = f"GRANT OPTION FOR {privilege}" if option_only else privilege
        return stmt(f"{self._head(obj)} REVOKE {what} ON {on} FROM {_grantee(grantee)}",
                    (Hazard.AUTHZ, f"new {on.lower()} no longer give {grantee} {privilege}"))

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        if obj.attrs["action"] == "REVOKE":
            return [self._take(obj)]
        return [self._give(obj, obj.attrs["grantable"])]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        if obj.attrs["action"] == "REVOKE":
            return [self._give(obj, False)]  # the built-in default comes back
        return [self._take(obj)]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        if old.attrs["action"] != new.attrs["action"]:
            return None
        if new.attrs["grantable"]:
            return AlterResult([self._give(new, True)])
        return AlterResult([self._take(new, option_only=True)])
