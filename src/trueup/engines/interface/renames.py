"""Declared renames: an object the desired schema names anew, whose data must be kept.

A rename names the object by its old path and gives its new name (the last part of the path):
``public.orders=purchases`` (a table, view, index, sequence or function of schema ``public``),
``public.orders.total=amount`` (a column or constraint of table ``public.orders``). Parts are
written as ``--using`` writes them (a part holding a dot, a double quote, an equals sign or
white space in double quotes). They come from the command line (``--rename``), a group's
``renames = {...}`` in trueup.toml, and the desired ``.sql`` files' markers
(``-- trueup:renamed-from public.old_name``), which the model keeps in its ``meta``
(:data:`META_KEY`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trueup.engines.interface.sql import Change
from trueup.engines.interface.using import format_path, parse_parts
from trueup.errors import TrueupError
from trueup.model import Schema

#: how a rename is written on the command line
FORM = "SCHEMA.NAME=NEW_NAME or SCHEMA.TABLE.COLUMN=NEW_NAME"
#: where a model keeps the renames its source declared: ``[{"from": [path...], "to": name}]``
META_KEY = "renames"



class RenameError(TrueupError):
    """A ``--rename`` (or a config's ``renames`` entry) that cannot be read."""


@dataclass(frozen=True, order=True)
class Rename:
    """``path`` (schema, name) or (schema, table, column-or-constraint) is now called ``new``."""

    path: tuple[str, ...]
    new: str

    @property
    def new_path(self) -> tuple[str, ...]:
        return (*self.path[:-1], self.new)

    def __str__(self) -> str:
        return f"{format_path(self.path)}={format_path((self.new,))}"

    def to_json(self) -> dict[str, Any]:
        return {"from": list(self.path), "to": self.new}


def _split(text: str) -> tuple[str, str] | None:
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"':
            quoted = not quoted
        elif ch == "=" and not quoted:
            return text[:i], text[i + 1:]
    return None


def parse_rename(text: str, where: str = "--rename") -> Rename:
    """``schema.old=new`` or ``schema.table.old=new``; a one-line error naming ``text``, with a
    hint, when it is malformed."""
    halves = _split(text)
    path = parse_parts(halves[0]) if halves else None
    new = parse_parts(halves[1]) if halves else None
    if path is None or new is None or len(path) not in (2, 3) or len(new) != 1 or new[0] == path[-1]:
        raise RenameError(f"{where} {text!r}: expected {FORM}",
                          hint="name the object by its old qualified name and give only its new name, e.g. "
                               "--rename public.orders=purchases or --rename public.orders.total=amount")
    return Rename(path, new[0])


def parse_renames(values: Iterable[str], where: str = "--rename") -> tuple[Rename, ...]:
    """Several ``--rename`` values; one object renamed twice is an error naming it."""
    out: dict[tuple[str, ...], Rename] = {}
    for value in values:
        r = parse_rename(value, where)
        if r.path in out:
            raise RenameError(f"{where} renames {format_path(r.path)} twice",
                              hint="give one new name per object")
        out[r.path] = r
    return tuple(out.values())


def model_renames(schema: Schema) -> tuple[Rename, ...]:
    """The renames a model's source declared (its ``meta``)."""
    out = []
    for item in schema.meta.get(META_KEY) or ():
        try:
            out.append(Rename(tuple(str(p) for p in item["from"]), str(item["to"])))
        except (KeyError, TypeError):
            continue
    return tuple(out)


def merge(*sources: Sequence[Rename]) -> tuple[Rename, ...]:
    """Renames of several sources, the first naming an object winning."""
    out: dict[tuple[str, ...], Rename] = {}
    for renames in sources:
        for r in renames:
            out.setdefault(r.path, r)
    return tuple(out.values())


def retarget(renames: Iterable[Rename], template: str, schema: str) -> tuple[Rename, ...]:
    """The renames of a ``template`` schema's objects, as those of a tenant ``schema``."""
    return tuple(Rename((schema, *r.path[1:]), r.new) if r.path[0] == template else r for r in renames)


@dataclass
class RenameResult:
    """What an engine makes of the declared renames, against the current model: the current
    model as it will be once renamed, the changes that rename (they run first), the renames
    applied, and notes on those that do not apply (already done, nothing to rename...)."""

    schema: Schema
    changes: list[Change] = field(default_factory=list)
    applied: list[Rename] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the paths each note is about (a rename's old and new path), for the audit's findings
    noted: list[tuple[tuple[tuple[str, ...], ...], str]] = field(default_factory=list)

    def note(self, rename: Rename, text: str) -> None:
        """A note on ``rename``, which does not apply."""
        self.notes.append(text)
        self.noted.append(((rename.path, rename.new_path), text))


def config_renames(mapping: Mapping[str, str], where: str = "renames") -> tuple[Rename, ...]:
    """A config's ``renames = {"schema.old" = "new"}``."""
    return parse_renames((f"{k}={v}" for k, v in mapping.items()), where)
