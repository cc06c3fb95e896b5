"""Generic ``OPTIONS (...)`` lists (foreign-data wrappers, servers, user mappings, foreign
tables and their columns), kept in the model as sorted ``name=value`` strings."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from trueup.engines.postgres.quoting import ident, literal


def as_dict(options: Iterable[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for o in options or ():
        key, _, value = o.partition("=")
        out[key] = value
    return out


def render(options: Sequence[str] | None, extra: Iterable[str] = ()) -> str:
    """`` OPTIONS (a 'x', b 'y')`` (with ``extra`` items written as they are), or nothing."""
    items = [f"{ident(k)} {literal(v)}" for k, v in as_dict(options).items()] + list(extra)
    return f" OPTIONS ({', '.join(items)})" if items else ""


def changes(old: Sequence[str] | None, new: Sequence[str] | None) -> list[str]:
    """The ``ADD``/``SET``/``DROP`` items that turn ``old`` options into ``new``."""
    o, n = as_dict(old), as_dict(new)
    out = [f"DROP {ident(k)}" for k in o if k not in n]
    out += [f"SET {ident(k)} {literal(v)}" for k, v in n.items() if k in o and o[k] != v]
    out += [f"ADD {ident(k)} {literal(v)}" for k, v in n.items() if k not in o]
    return out


def alter_clause(old: Sequence[str] | None, new: Sequence[str] | None) -> str:
    """`` OPTIONS (SET a 'x', DROP b)``, or nothing when they are equal."""
    items = changes(old, new)
    return f" OPTIONS ({', '.join(items)})" if items else ""
