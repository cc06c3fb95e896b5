"""Probes of earlier audits, each kept with the change token read just before it.

A probe (a target's schema fingerprint(s) and the rows of its reference tables) is what an
audit measures on every target. When the target's change token (see
:meth:`trueup.engines.interface.session.Session.change_token`) reads the same as when its last
probe was taken,
nothing the probe covers can have changed since, and the stored probe stands for a new one: the
audit of an unchanged target is a connection and one catalog-free query.

Only the parts of a probe that matched the group's desired state are reused; what had drifted
is measured (or inspected) again, so a repair made by hand shows at once, whatever the
statistics' flush delay.
Entries are kept per group, keyed by the target's name and location (without password), its
scope and reference tables, so two targets never share one: in ``cache/probes/`` beside the
desired-state cache, or with ``[state] url`` in that database (the engine's
:class:`~trueup.engines.interface.state.ProbeTable`), shared by every machine that audits the
fleet.
Entries written by other code of trueup (another fingerprint) are ignored. ``[state] cache =
false`` and ``trueup audit --rescan`` do without them.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from trueup.engines.interface.session import Token
from trueup.engines.interface.state import ProbeTable
from trueup.errors import TrueupError

#: entries not seen for this long are dropped when the file is written (a removed tenant)
FORGET_AFTER_S = 30 * 86400


@dataclass
class Probe:
    fingerprints: dict[str | None, str] = field(default_factory=dict)  # schema (None: whole db) -> fp
    rows: dict[tuple[str | None, str], list[dict[str, Any]] | None] = field(default_factory=dict)
    #: schemas whose fingerprint is the stored one of a drifted state, not measured now (the
    #: target is inspected anyway, and on its own); not stored
    unmeasured: set[str | None] = field(default_factory=set, compare=False)
    #: schemas whose (in sync) fingerprint came from the store; not stored
    recalled: set[str | None] = field(default_factory=set, compare=False)


class Unencodable(ValueError):
    """A reference row holds a value the store cannot write back exactly."""


# values as psycopg returns them, tagged so they read back as the same type: the reference-data
# comparison depends on it (a Decimal is not a float, a UUID not a str)
_TAGS: dict[type, tuple[str, Any]] = {
    Decimal: ("decimal", str),
    uuid.UUID: ("uuid", str),
    dt.datetime: ("datetime", dt.datetime.isoformat),
    dt.date: ("date", dt.date.isoformat),
    dt.time: ("time", dt.time.isoformat),
    dt.timedelta: ("timedelta", lambda v: [v.days, v.seconds, v.microseconds]),
    bytes: ("bytes", lambda v: base64.b64encode(v).decode()),
}
_UNTAG: dict[str, Any] = {
    "decimal": Decimal, "uuid": uuid.UUID, "datetime": dt.datetime.fromisoformat, "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat, "timedelta": lambda v: dt.timedelta(*v),
    "bytes": base64.b64decode, "json": lambda v: v,
}


def encode_value(value: Any) -> Any:
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, dict | list):
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise Unencodable(type(value).__name__) from None
        return {"$": "json", "v": value}
    tag = _TAGS.get(type(value))
    if tag is None:
        raise Unencodable(type(value).__name__)
    return {"$": tag[0], "v": tag[1](value)}


def decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        return _UNTAG[value["$"]](value["v"])
    return value


def _encode_probe(probe: Probe) -> dict[str, Any]:
    return {"fingerprints": [[s, fp] for s, fp in probe.fingerprints.items()],
            "rows": [[s, t, None if rows is None else [{k: encode_value(v) for k, v in r.items()} for r in rows]]
                     for (s, t), rows in probe.rows.items()]}


def _decode_probe(data: dict[str, Any]) -> Probe:
    return Probe({s: str(fp) for s, fp in data["fingerprints"]},
                 {(s, t): None if rows is None else [{k: decode_value(v) for k, v in r.items()} for r in rows]
                  for s, t, rows in data["rows"]})


def probe_key(target: str, scope: Sequence[str] | None, tables: Sequence[tuple[str, str]]) -> str:
    """What a stored probe answers for: the target (its name and location, without password),
    the schemas fingerprinted and the reference tables read."""
    return hashlib.sha256(json.dumps([target, list(scope) if scope else None, [list(t) for t in tables]]).encode()
                          ).hexdigest()[:40]


class ProbeStore:
    """One group's stored probes, read once when made and written back by :meth:`save`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._common: set[str] | None = None
        self._entries = self._read()
        self._changed: dict[str, dict[str, Any]] = {}

    def _read(self) -> dict[str, dict[str, Any]]:
        raise NotImplementedError

    def _write(self, changed: dict[str, dict[str, Any]]) -> None:
        """Store ``changed`` (an empty entry: forget it), dropping entries not seen for
        :data:`FORGET_AFTER_S`."""
        raise NotImplementedError

    def common_fingerprints(self) -> set[str]:
        """Whole-database fingerprints that more than one stored probe holds (a new release
        drifts every tenant alike: they are measured, so one inspection serves them all)."""
        with self._lock:
            if self._common is None:
                seen: set[str] = set()
                self._common = set()
                for entry in self._entries.values():
                    try:
                        fps = {s: fp for s, fp in entry["probe"]["fingerprints"]}
                    except (KeyError, TypeError, ValueError):
                        continue
                    fp = fps.get(None)
                    if isinstance(fp, str):
                        (self._common if fp in seen else seen).add(fp)
            return self._common

    def last_token(self, key: str) -> Token | None:
        """The token read when the stored probe was taken (its OIDs spare lookups)."""
        entry = self._entries.get(key)
        try:
            return Token(int(entry["db"]), str(entry["token"]),
                         tuple(None if t is None else int(t) for t in entry["tables"])) if entry else None
        except (KeyError, TypeError, ValueError):
            return None

    def get(self, key: str, token: Token) -> Probe | None:
        entry = self._entries.get(key)
        if not entry or entry.get("token") != token.value or entry.get("db") != token.database:
            return None
        try:
            probe = _decode_probe(entry["probe"])
        except (KeyError, TypeError, ValueError):
            return None
        with self._lock:
            self._changed[key] = {**entry, "seen": time.time()}
        return probe

    def put(self, key: str, token: Token, probe: Probe) -> None:
        try:
            encoded = _encode_probe(probe)
        except Unencodable:
            return self.forget(key)
        with self._lock:
            self._changed[key] = {"db": token.database, "token": token.value, "tables": list(token.tables),
                                  "probe": encoded, "seen": time.time()}
        return None

    def forget(self, key: str) -> None:
        with self._lock:
            self._changed[key] = {}

    def save(self) -> None:
        """Write this run's entries. A store that cannot be written only costs the next audit a
        full probe of every target."""
        with self._lock:
            changed, self._changed = self._changed, {}
        if changed:
            self._write(changed)


class FileProbeStore(ProbeStore):
    """Stored probes in a JSON file (missing, damaged or written by other code: empty)."""

    def __init__(self, path: Path, code: str) -> None:
        self.path, self._code = path, code
        super().__init__()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("code") != self._code:
                return {}
            entries = data["entries"]
            return entries if isinstance(entries, dict) else {}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def _write(self, changed: dict[str, dict[str, Any]]) -> None:
        # merged into the file as it is now (another audit may have written it meanwhile), then
        # replaced atomically
        entries = {**self._read(), **changed}
        cutoff = time.time() - FORGET_AFTER_S
        kept = {k: e for k, e in entries.items() if e and float(e.get("seen", 0)) >= cutoff}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".json")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:  # (dumps: C-encoded whole, 5x dump's speed)
                out.write(json.dumps({"code": self._code, "entries": kept}, separators=(",", ":")))
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


class DatabaseProbeStore(ProbeStore):
    """Stored probes in the state database (``[state] url``, where the apply journal lives),
    shared by every machine that audits the fleet: CI runners start without local files. An
    unreachable state database reads as empty and is not written."""

    def __init__(self, table: ProbeTable, group: str, code: str) -> None:
        self._table, self._store, self._group = table, f"{group}\x1f{code}", group
        self._reachable = True  # (an unreachable one is not tried again to write)
        super().__init__()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            return self._table.read(self._store)
        except TrueupError:
            self._reachable = False
            return {}

    def _write(self, changed: dict[str, dict[str, Any]]) -> None:
        if not self._reachable:
            return
        try:
            self._table.write(self._store, {k: e for k, e in changed.items() if e},
                              [k for k, e in changed.items() if not e], stale_prefix=f"{self._group}\x1f",
                              forget_after_s=FORGET_AFTER_S)
        except TrueupError:
            return
