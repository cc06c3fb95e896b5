"""The apply journal: every target's progress, recorded durably, so a crashed or interrupted
rollout can be resumed (``trueup apply --resume``).

Two stores behind one interface (:class:`~trueup.engines.interface.state.Journal`): a local
SQLite file (default), or with ``[state] url`` a ``trueup`` schema in that database, kept by
its engine.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trueup.config import Config
from trueup.engines import engine_for_url
from trueup.engines.interface.state import Journal
from trueup.errors import TrueupError

STATES = ("planned", "started", "applied", "verified", "failed", "skipped", "drift")
#: the commands ``--resume`` continues, each with the journal states of a target of its run that
#: needs nothing more (a run records its command in its args; one without is an apply's)
FINISHED: dict[str, frozenset[str]] = {
    "apply": frozenset({"verified"}),
    "migrate up": frozenset({"migrated", "unchanged"}),
}


@dataclass(frozen=True)
class Resumable:
    """The journal's last unfinished run, as ``--resume`` continues it."""

    run: int
    #: its targets that did not finish, as (group, name)
    unfinished: list[tuple[str, str]]
    #: the arguments it was started with
    args: dict[str, Any]


def resumable_run(journal: Journal | None, command: str) -> Resumable:
    """The run ``trueup COMMAND --resume`` continues: the journal's last unfinished run, which
    must be one of ``command``'s (an error naming the command that would resume it otherwise)."""
    if journal is None:
        raise TrueupError("--resume needs the journal")
    last = journal.resume_run()
    if last is None:
        raise TrueupError(f"nothing to resume: every run in the journal finished (the last `trueup {command}` too)",
                          hint=f"run `trueup {command}` without --resume")
    run, states = last
    args = journal.run_args(run)
    started = str(args.get("command") or "apply")
    if started != command:
        how = (f"resume it with `trueup {started} --resume`" if started in FINISHED
               else f"`trueup {started}` has no --resume: run it again")
        raise TrueupError(f"the last unfinished run ({run}) is a `trueup {started}`, not {_a(command)} {command}",
                          hint=f"{how}, or run `trueup {command}` without --resume")
    done = FINISHED[command]
    return Resumable(run, [k for k, v in states.items() if v not in done], args)


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def open_journal(config: Config) -> Journal:
    if config.state.url:
        return engine_for_url(config.state.url).open_journal(config.state.url)
    return SqliteJournal(config.path(config.state.path))


class SqliteJournal:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # survives a killed process; fsync batched
        self._db.executescript("""
            CREATE TABLE IF NOT EXISTS runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT, started REAL NOT NULL, finished REAL, args TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS targets (
                run INTEGER NOT NULL REFERENCES runs (id), grp TEXT NOT NULL, name TEXT NOT NULL,
                state TEXT NOT NULL, reason TEXT, updated REAL NOT NULL, PRIMARY KEY (run, grp, name));
        """)

    def start_run(self, args: dict[str, Any], targets: Sequence[tuple[str, str]]) -> int:
        with self._lock:
            cur = self._db.execute("INSERT INTO runs (started, args) VALUES (?, ?)", (time.time(), json.dumps(args)))
            run = int(cur.lastrowid or 0)
        self.add_targets(run, targets)
        return run

    def add_targets(self, run: int, targets: Sequence[tuple[str, str]]) -> None:
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO targets (run, grp, name, state, updated) VALUES (?, ?, ?, 'planned', ?)",
                [(run, g, n, now) for g, n in targets])
            self._db.execute("COMMIT")

    def resume_run(self) -> tuple[int, dict[tuple[str, str], str]] | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM runs WHERE finished IS NULL ORDER BY id DESC LIMIT 1").fetchone()
        if row is None:
            return None
        run = int(row[0])
        return run, {k: v[0] for k, v in self.states(run).items()}

    def run_args(self, run: int) -> dict[str, Any]:
        with self._lock:
            row = self._db.execute("SELECT args FROM runs WHERE id = ?", (run,)).fetchone()
        try:
            args = json.loads(row[0]) if row else {}
        except ValueError:
            return {}
        return args if isinstance(args, dict) else {}

    def record(self, run: int, group: str, name: str, state: str, reason: str | None = None) -> None:
        with self._lock:
            self._db.execute("INSERT INTO targets (run, grp, name, state, reason, updated) VALUES (?, ?, ?, ?, ?, ?)"
                             " ON CONFLICT (run, grp, name) DO UPDATE SET state = excluded.state,"
                             " reason = excluded.reason, updated = excluded.updated",
                             (run, group, name, state, reason, time.time()))

    def finish_run(self, run: int) -> None:
        with self._lock:
            self._db.execute("UPDATE runs SET finished = ? WHERE id = ?", (time.time(), run))

    def states(self, run: int) -> dict[tuple[str, str], tuple[str, str | None]]:
        with self._lock:
            rows = self._db.execute("SELECT grp, name, state, reason FROM targets WHERE run = ?", (run,)).fetchall()
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def close(self) -> None:
        self._db.close()
