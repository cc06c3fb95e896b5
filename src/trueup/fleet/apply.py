"""``trueup apply``: run each target's plan safely, then verify it by auditing again.

Per target: one connection, a session-level advisory lock (released by disconnect, so never
left behind), then the plan: made right there, under the lock, from the schema it will run on,
or (a saved plan) checked against the fingerprint of the schema it was made from. Every
transactional statement runs in ONE transaction with ``lock_timeout``/``statement_timeout`` set
(retried with backoff when it only timed out on a lock), then the statements that cannot run
in a transaction, one by one, idempotently. Finally the target is audited again on the same
connection.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import psycopg

from trueup.config import ApplySettings
from trueup.diff.changes import Statement
from trueup.engines.postgres.driver import connect, error_message
from trueup.errors import TrueupError
from trueup.fleet.audit import Auditor, TargetResult, describe_error
from trueup.fleet.targets import Target

LOCK_NAMESPACE = "trueup:apply"
NOT_STARTED = "not started: the rollout stopped (a canary failed, or --max-failures was reached)"

_PLAIN = {
    "23505": "duplicate values where a unique constraint requires none (existing or inserted rows)",
    "23502": "a NULL where NOT NULL is required (existing or inserted rows)",
    "23503": "existing rows reference rows that do not exist (foreign key)",
    "23514": "existing rows violate the check constraint",
    "23P01": "existing rows violate the exclusion constraint",
    "42P07": "the object already exists",
    "42710": "the object already exists",
    "42704": "an object the statement needs does not exist",
    "42P01": "a table the statement needs does not exist",
    "42703": "a column the statement needs does not exist",
    "42883": "a function the statement needs does not exist",
    "42501": "the user lacks the privilege for this statement",
    "55P03": "timed out waiting for a lock held by live traffic",
    "57014": "the statement ran longer than statement_timeout",
    "40P01": "a deadlock with another session",
    "2BP01": "other objects still depend on the object",
    "0A000": "PostgreSQL does not support this change",
    "22P02": "existing values cannot be converted to the new type",
    "22001": "existing values are too long for the new type",
    "22003": "existing values are out of range for the new type",
}
_RETRYABLE = {"55P03", "40P01"}
_CONCURRENT_INDEX = re.compile(r"^CREATE (UNIQUE )?INDEX CONCURRENTLY (?!IF NOT EXISTS )", re.I)


@dataclass
class Outcome:
    """What happened on one target."""

    group: str
    name: str
    status: str = "not_started"  # applied | failed | unchanged (nothing to do) | not_started | stale
    applied: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    attempts: int = 0
    seconds: float = 0.0
    #: the target audited again after applying, on the same connection (None: not done)
    verified: TargetResult | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"applied": self.applied, "skipped": self.skipped, "failed": self.failed,
                "apply_status": self.status, "attempts": self.attempts}


class ApplyFailed(Exception):
    def __init__(self, statement: str, sqlstate: str | None, message: str) -> None:
        super().__init__(message)
        self.statement, self.sqlstate, self.message = statement, sqlstate, message

    @property
    def cause(self) -> str:
        return _PLAIN.get(self.sqlstate or "", "the statement failed")


class LockBusy(TrueupError):
    """Another apply holds the target's lock."""


def lock_key(target: Target) -> str:
    return f"{LOCK_NAMESPACE}:{target.schema or ''}"


def _holder(conn: psycopg.Connection[Any], key: str) -> str:
    row = conn.execute(
        "SELECT a.pid, coalesce(nullif(a.application_name, ''), '?'), coalesce(a.client_addr::text, 'local'),"
        " a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (hashtext(%s)::bigint & 4294967295)::oid"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1",
        (key,)).fetchone()
    if row is None:
        return "another session"
    return f"pid {row[0]} ({row[1]} from {row[2]}, connected since {row[3]:%Y-%m-%d %H:%M:%S})"


def _acquire(conn: psycopg.Connection[Any], key: str, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        row = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (key,)).fetchone()
        if row and row[0]:
            return
        if time.monotonic() >= deadline:
            raise LockBusy(f"another apply holds the lock on this target: {_holder(conn, key)}",
                           hint="wait for it to finish, or raise [apply] wait_for_lock_s")
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 1.0)


def apply_target(target: Target, statements: Sequence[Statement] | None, *, settings: ApplySettings,
                 skipped: Sequence[Statement] = (), auditor: Auditor | None = None,
                 expected_fingerprint: str | None = None, on_started: Callable[[], None] | None = None) -> Outcome:
    """Apply one target's statements. Never raises for database errors: they become the outcome.

    ``statements`` None: the target is judged (and planned) here, under its lock, so the plan is
    made from the very schema it runs on. With an ``auditor`` the target is verified afterwards
    on the same connection (``Outcome.verified``); a saved plan's ``expected_fingerprint`` is
    checked under the lock first (it needs the auditor too).
    """
    out = Outcome(target.group, target.name, skipped=[s.sql for s in skipped])
    t0 = time.perf_counter()
    try:
        with connect(target.url) as conn:
            conn.execute("SET application_name = 'trueup apply'")
            _acquire(conn, lock_key(target), settings.wait_for_lock_s)
            todo = _under_lock(conn, target, statements, auditor, expected_fingerprint, out)
            if todo is None:
                return out
            if on_started:
                on_started()
            try:
                _run_all(conn, todo, settings, out)
                out.status = "applied"
            except ApplyFailed as err:
                out.status = "failed"
                out.failed.append({"sql": err.statement, "sqlstate": err.sqlstate, "error": err.message,
                                   "cause": err.cause})
                out.error = f"{err.cause} (SQLSTATE {err.sqlstate}): {err.message}"
            if auditor is not None and (out.status == "applied" or out.applied):
                out.verified = _verify(conn, target, auditor)
    except TrueupError as err:
        out.status = "failed"
        out.error = err.message
    except Exception as err:  # a database error, or a target the planner could not handle
        out.status = "failed"
        out.error = describe_error(err, target.url)
    finally:
        out.seconds = time.perf_counter() - t0
    return out


def _under_lock(conn: psycopg.Connection[Any], target: Target, statements: Sequence[Statement] | None,
                auditor: Auditor | None, expected_fingerprint: str | None, out: Outcome) -> Sequence[Statement] | None:
    """The statements to run now, or None when there is nothing to run (``out`` says why)."""
    if statements is None:  # plan now
        if auditor is None:
            raise ValueError("planning under the lock needs an auditor")
        before = auditor.judge(conn, target, auditor.probe(conn, target, again=True), plans=True)
        out.skipped = [s.sql for s in before.skipped]
        if not before.statements:
            out.status, out.verified = "unchanged", before
            return None
        return before.statements
    if expected_fingerprint is not None:
        if auditor is None:
            raise ValueError("checking a plan's fingerprint needs an auditor")
        if auditor.probe(conn, target, again=True).fingerprints.get(target.schema, "") != expected_fingerprint:
            out.status = "stale"
            out.error = "the schema changed since the plan was made; plan again (trueup plan) before applying"
            return None
    return statements


def _run_all(conn: psycopg.Connection[Any], statements: Sequence[Statement], settings: ApplySettings,
             out: Outcome) -> None:
    first = [s for s in statements if s.commit_first]
    in_tx = [s for s in statements if s.transactional and not s.commit_first]
    later = [s for s in statements if not s.transactional and not s.commit_first]
    if first:  # idempotent (IF NOT EXISTS), additive: committed before the rest may use them
        _run_transaction(conn, [*[s for s in in_tx if _is_setting(s)], *first], settings, out)
    _run_transaction(conn, in_tx, settings, out)
    for s in later:
        _run_alone(conn, s, settings, out)


def _verify(conn: psycopg.Connection[Any], target: Target, auditor: Auditor) -> TargetResult | None:
    """The target audited again on the connection that applied (its catalog caches are warm);
    None if that fails, and the caller audits it afresh."""
    try:
        return auditor.judge(conn, target, auditor.probe(conn, target, again=True), plans=False)
    except Exception:
        return None


def _is_setting(s: Statement) -> bool:
    return s.sql.lstrip().upper().startswith("SET ")


def _run_transaction(conn: psycopg.Connection[Any], statements: Sequence[Statement], settings: ApplySettings,
                     out: Outcome) -> None:
    if not statements:
        return
    for attempt in range(settings.lock_retries + 1):
        out.attempts = attempt + 1
        current = ""
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = {int(settings.lock_timeout_ms)}")  # type: ignore[arg-type]
                conn.execute(f"SET LOCAL statement_timeout = {int(settings.statement_timeout_ms)}")  # type: ignore[arg-type]
                for s in statements:
                    current = s.sql
                    conn.execute(s.sql)  # type: ignore[arg-type]
            out.applied.extend(s.sql for s in statements)
            return
        except psycopg.Error as err:
            # the transaction block rolled back; the connection is clean again (no 25P02)
            state = err.sqlstate
            if state in _RETRYABLE and attempt < settings.lock_retries:
                time.sleep(min(0.2 * 2 ** attempt, 5.0) * (0.5 + random.random()))
                continue
            msg = error_message(err)
            if state == "55P03":
                msg += f" (gave up after {attempt + 1} attempts)"
            raise ApplyFailed(current, state, msg) from None


def _run_alone(conn: psycopg.Connection[Any], s: Statement, settings: ApplySettings, out: Outcome) -> None:
    """A statement PostgreSQL refuses in a transaction, made idempotent and retried once."""
    sql = _CONCURRENT_INDEX.sub(lambda m: f"CREATE {m.group(1) or ''}INDEX CONCURRENTLY IF NOT EXISTS ", s.sql)
    conn.execute(f"SET lock_timeout = {int(settings.lock_timeout_ms)}")  # type: ignore[arg-type]
    for attempt in range(2):
        try:
            conn.execute(sql)  # type: ignore[arg-type]
            out.applied.append(s.sql)
            return
        except psycopg.Error as err:
            if attempt == 0 and _drop_invalid_index(conn, sql):
                continue
            raise ApplyFailed(s.sql, err.sqlstate, error_message(err)) from None


def _drop_invalid_index(conn: psycopg.Connection[Any], sql: str) -> bool:
    """A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind: remove it."""
    m = re.search(r"INDEX CONCURRENTLY (?:IF NOT EXISTS )?(\S+) ON ", sql, re.I)
    if not m:
        return False
    row = conn.execute("SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                       " WHERE NOT i.indisvalid AND c.relname = %s", (m.group(1).split(".")[-1].strip('"'),)
                       ).fetchone()
    if row is None:
        return False
    conn.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {row[0]}")  # type: ignore[arg-type]
    return True


@dataclass
class Work:
    target: Target
    #: None: planned under the target's lock, just before it runs
    statements: list[Statement] | None
    skipped: list[Statement]
    #: the schema the statements were planned from (a target whose schema changed is refused)
    fingerprint: str | None


def run_rollout(items: Sequence[Work], settings: ApplySettings, *, concurrency: int, auditor: Auditor | None = None,
                canary: int = 0, max_failures: int | None = None,
                record: Callable[[Work, str, str | None], None] | None = None,
                progress: Callable[[int, int, str], None] | None = None) -> list[Outcome]:
    """Apply every item: canaries first (targets that had something to run; stop if one
    fails), then the rest concurrently, launching no new target after ``max_failures`` failures."""
    outcomes: dict[int, Outcome] = {}
    failures = 0
    done = 0

    def note(w: Work, state: str, reason: str | None = None) -> None:
        if record:
            record(w, state, reason)

    def one(i: int) -> Outcome:
        w = items[i]
        o = apply_target(w.target, w.statements, skipped=w.skipped, expected_fingerprint=w.fingerprint,
                         settings=settings, auditor=auditor, on_started=lambda: note(w, "started"))
        if o.status in ("applied", "failed", "stale"):
            note(w, "applied" if o.status == "applied" else "failed", o.error)
        if o.verified is not None:
            note(w, "verified" if o.verified.status == "in_sync" else "drift", o.verified.error)
        return o

    def finish(i: int, o: Outcome) -> None:
        nonlocal failures, done
        outcomes[i] = o
        done += 1
        if o.status in ("failed", "stale"):
            failures += 1
        if progress:
            progress(done, len(items), items[i].target.name)

    queue = list(range(len(items)))
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        tried = 0
        while canary and queue and tried < canary and not failures:
            batch, queue = queue[:canary - tried], queue[canary - tried:]
            for i, o in zip(batch, pool.map(one, batch), strict=True):
                finish(i, o)
                tried += o.status != "unchanged"
        if canary and failures:
            queue = []
        pending: dict[Future[Outcome], int] = {}
        while queue or pending:
            while queue and len(pending) < max(1, concurrency) and (max_failures is None or failures < max_failures):
                i = queue.pop(0)
                pending[pool.submit(one, i)] = i
            if not pending:
                break
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                finish(pending.pop(f), f.result())
    return [outcomes.get(i) or Outcome(items[i].target.group, items[i].target.name,
                                       skipped=[s.sql for s in items[i].skipped], error=NOT_STARTED)
            for i in range(len(items))]
