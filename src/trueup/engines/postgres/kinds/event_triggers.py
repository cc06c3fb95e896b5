"""Event triggers: event, tag filter, function and enabled state."""

from __future__ import annotations

from trueup.engines.interface.generators import AlterResult, Context, GeneratorBase
from trueup.engines.interface.sql import Statement, stmt
from trueup.engines.postgres.quoting import ident, literal
from trueup.model import DbObject

_STATE = {"O": "ENABLE", "D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}


class EventTriggerSQL(GeneratorBase):
    kind = "event_trigger"

    def _state(self, obj: DbObject) -> Statement:
        return stmt(f"ALTER EVENT TRIGGER {ident(obj.id.path[0])} {_STATE[obj.attrs['enabled']]}")

    def create(self, obj: DbObject, ctx: Context) -> list[Statement]:
        a = obj.attrs
        sql = f"CREATE EVENT TRIGGER {ident(obj.id.path[0])} ON {ident(a['event'])}"
        if a["tags"]:
            sql += f" WHEN TAG IN ({', '.join(literal(t) for t in a['tags'])})"
        out = [stmt(f"{sql} EXECUTE FUNCTION {a['function']}()")]
        if a["enabled"] != "O":
            out.append(self._state(obj))
        return out

    def drop(self, obj: DbObject, ctx: Context) -> list[Statement]:
        return [stmt(f"DROP EVENT TRIGGER {ident(obj.id.path[0])}")]

    def alter(self, old: DbObject, new: DbObject, ctx: Context) -> AlterResult | None:
        if any(old.attrs[k] != new.attrs[k] for k in ("event", "tags", "function")):
            return None
        return AlterResult([self._state(new)])
