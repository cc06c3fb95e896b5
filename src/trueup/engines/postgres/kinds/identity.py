"""An identity column's sequence options, changed in an order the server accepts.

``ALTER TABLE t ALTER COLUMN c SET ...`` applies all its options at once, then checks that the
sequence's current value lies within the new bounds (``RESTART value (2) cannot be less than
MINVALUE (100)``). That value is data, unknown when the plan is made, so when the new bounds
do not hold all of the old ones the options go in three steps: first the bounds widened to hold
both (and every other option), then the current value moved to the new start if it lies
behind the new bounds (below them for an ascending sequence, above for a descending one: no
value there has been issued, so none is issued twice; a sign change is such a move) or the
sequence was never used (still at its start, not called), then the bounds narrowed. A used
sequence that already went past a new bound in its own direction is not moved back (that would
issue values again): the last step fails, as its hazard says. (The move is undone with the
transaction: the first step gave the sequence a new file, which a rollback discards.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.engines.postgres.quoting import literal, qname

#: the options ``SET`` can change, in the order they are written
_WORDS = (("increment", "INCREMENT BY"), ("min", "MINVALUE"), ("max", "MAXVALUE"), ("start", "START WITH"),
          ("cache", "CACHE"))


def _sets(old: Any, new: Any) -> list[str]:
    """``SET ...`` for every option of ``new`` that differs from ``old``."""
    out = []
    if new["generation"] != old["generation"]:
        out.append(f"SET GENERATED {new['generation']}")
    for key, word in _WORDS:
        if new[key] != old[key]:
            out.append(f"SET {word} {new[key]}")
    if new["cycle"] != old["cycle"]:
        out.append("SET CYCLE" if new["cycle"] else "SET NO CYCLE")
    return out


def identity_changes(old: Any, new: Any, alter: Callable[..., Statement]) -> list[Statement]:
    """Statements turning identity options ``old`` into ``new``; ``alter(action, *hazards)``
    is the column's ``ALTER TABLE ... ALTER COLUMN c <action>``."""
    narrows = new["min"] > old["min"] or new["max"] < old["max"]
    seq = old.get("sequence")
    if not narrows or not seq:
        sets = _sets(old, new)
        return [alter(" ".join(sets))] if sets else []
    wide = {**new, "min": min(old["min"], new["min"]), "max": max(old["max"], new["max"])}
    out = []
    sets = _sets(old, wide)
    if sets:
        out.append(alter(" ".join(sets)))
    name = qname(*seq)
    behind = f"last_value < {new['min']}" if new["increment"] > 0 else f"last_value > {new['max']}"
    unused = (f"NOT is_called AND last_value = {old['start']}"
              f" AND (last_value < {new['min']} OR last_value > {new['max']})")
    out.append(stmt(f"SELECT setval({literal(name)}, {new['start']}, false) FROM {name} "
                    f"WHERE {behind} OR {unused}"))
    out.append(alter(" ".join(_sets(wide, new)),
                     (Hazard.MAY_FAIL, "fails if the sequence has already gone past the new bounds")))
    return out
