"""Row level security, policies, privileges and comments."""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import ident, literal, qname
from trueup.model import DbObject

_AUTHZ = (Hazard.AUTHZ, "changes who can see or change rows")


class RlsSQL(GeneratorBase):
    kind = "rls"

    def _set(self, obj: DbObject, enabled: bool, forced: bool) -> list[Statement]:
        table = qname(*obj.id.path)
        return [stmt(f"ALTER TABLE {table} {'ENABLE' if enabled else 'DISABLE'} ROW LEVEL SECURITY", _AUTHZ),
                stmt(f"ALTER TABLE {table} {'FORCE' if forced else 'NO FORCE'} ROW LEVEL SECURITY", _AUTHZ)]

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [s for s in self._set(obj, obj.attrs["enabled"], obj.attrs["forced"])
                if "DISABLE" not in s.sql and "NO FORCE" not in s.sql]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [s for s, was in zip(self._set(obj, False, False), (obj.attrs["enabled"], obj.attrs["forced"]),
                                    strict=True) if was]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        both = self._set(new, new.attrs["enabled"], new.attrs["forced"])
        keep = (old.attrs["enabled"] != new.attrs["enabled"], old.attrs["forced"] != new.attrs["forced"])
        return AlterResult([s for s, k in zip(both, keep, strict=True) if k])


class PolicySQL(GeneratorBase):
    kind = "policy"

    def _on(self, obj: DbObject) -> str:
        return f"{ident(obj.id.path[2])} ON {qname(*obj.id.path[:2])}"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        sql = (f"CREATE POLICY {self._on(obj)} AS {'PERMISSIVE' if a['permissive'] else 'RESTRICTIVE'}"
               f" FOR {a['command']} TO {', '.join(a['roles'])}")
        if a["using"] is not None:
            sql += f" USING ({a['using']})"
        if a["check"] is not None:
            sql += f" WITH CHECK ({a['check']})"
        return [stmt(sql, _AUTHZ)]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP POLICY {self._on(obj)}", _AUTHZ)]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        o, n = old.attrs, new.attrs
        if o["permissive"] != n["permissive"] or o["command"] != n["command"]:
            return None
        if (o["using"] is not None and n["using"] is None) or (o["check"] is not None and n["check"] is None):
            return None  # ALTER POLICY cannot remove an expression
        sql = f"ALTER POLICY {self._on(new)} TO {', '.join(n['roles'])}"
        if n["using"] is not None:
            sql += f" USING ({n['using']})"
        if n["check"] is not None:
            sql += f" WITH CHECK ({n['check']})"
        return AlterResult([stmt(sql, _AUTHZ)])


class GrantSQL(GeneratorBase):
    kind = "grant"

    @staticmethod
    def _what(obj: DbObject) -> str:
        a = obj.attrs
        col = f" ({ident(a['column'])})" if a.get("column") else ""
        return f"{a['privilege']}{col} ON {a['on']}"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        option = " WITH GRANT OPTION" if a["grantable"] else ""
        return [stmt(f"GRANT {self._what(obj)} TO {a['grantee']}{option}",
                     (Hazard.AUTHZ, f"gives {a['grantee']} {a['privilege']}"))]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        return [stmt(f"REVOKE {self._what(obj)} FROM {a['grantee']}",
                     (Hazard.AUTHZ, f"takes {a['privilege']} from {a['grantee']}"))]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        if new.attrs["grantable"]:
            return AlterResult(self.create(new, ctx))
        a = new.attrs
        return AlterResult([stmt(f"REVOKE GRANT OPTION FOR {self._what(new)} FROM {a['grantee']}", Hazard.AUTHZ)])


class CommentSQL(GeneratorBase):
    kind = "comment"

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"COMMENT ON {obj.attrs['on']} IS {literal(obj.attrs['text'])}")]

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"COMMENT ON {obj.attrs['on']} IS NULL")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        return AlterResult(self.create(new, ctx))
