"""PostgreSQL's errors as trueup's: chosen by SQLSTATE, each with a plain-language cause and a
hint, and the database named.

A failed statement carries its SQLSTATE. A failed login does not: libpq hands the driver the
server's message only, so the few codes a login can fail with (3D000, 28P01, 28000, 53300,
57P03, 08001) are recognised by the server's fixed wording of those messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from trueup.errors import ConnectionFailed, DatabaseError

#: SQLSTATE -> (what it means, what to do)
KNOWN: dict[str, tuple[str, str | None]] = {
    "42501": ("the role lacks a privilege this needs",
              "grant it to the role of the URL, or use a role that has it"),
    "42P04": ("a database of that name already exists", "pick another name, or drop the old database first"),
    "3D000": ("the database does not exist", "create it first, or fix the database name in the URL"),
    "28P01": ("the password is wrong", "check the user name and password in the URL"),
    "28000": ("the server does not accept this role from here",
              "check the user name in the URL (and the server's pg_hba.conf)"),
    "53300": ("the server has no free connection slots",
              "lower --concurrency ([settings] concurrency), or raise max_connections on the server"),
    "57014": ("the statement ran longer than statement_timeout",
              "raise [apply] statement_timeout_ms, or run it when the table is quieter"),
    "55P03": ("timed out waiting for a lock held by live traffic",
              "run it when traffic is lower, or raise [apply] lock_timeout_ms or lock_retries"),
    "25P02": ("the transaction was already aborted by an earlier error: nothing after it ran",
              "find the earlier error (it is the cause) and roll the transaction back; trueup runs each "
              "target's plan in a transaction of its own"),
    "40P01": ("a deadlock with another session", "run it again"),
    "57P01": ("an administrator ended the session", "run it again"),
    "57P03": ("the server is starting up or recovering", "wait until it accepts connections, then run again"),
    "08001": ("the server could not be reached", "is the server running, and the host and port right?"),
    "08006": ("the connection to the server was lost", "run it again; check the server's log if it recurs"),
    "23505": ("duplicate values where a unique constraint requires none (existing or inserted rows)",
              "remove the duplicates first"),
    "23502": ("a NULL where NOT NULL is required (existing or inserted rows)", "fill the NULLs first"),
    "23503": ("existing rows reference rows that do not exist (foreign key)", "fix or remove those rows first"),
    "23514": ("existing rows violate the check constraint", "fix those rows first"),
    "23P01": ("existing rows violate the exclusion constraint", "fix those rows first"),
    "42P07": ("the object already exists", None),
    "42710": ("the object already exists", None),
    "42704": ("an object the statement needs does not exist", None),
    "42P01": ("a table the statement needs does not exist", None),
    "42703": ("a column the statement needs does not exist", None),
    "42883": ("a function the statement needs does not exist", None),
    "42601": ("the statement is not valid SQL", None),
    "2BP01": ("other objects still depend on the object", None),
    "0A000": ("PostgreSQL does not support this change", None),
    "22P02": ("existing values cannot be converted to the new type", None),
    "22001": ("existing values are too long for the new type", None),
    "22003": ("existing values are out of range for the new type", None),
}
#: by the SQLSTATE's class (its first two characters), for codes not listed above
CLASSES: dict[str, str] = {
    "08": "a connection problem", "0A": "a feature the server does not support", "22": "a value is invalid",
    "23": "existing rows violate a constraint", "25": "the transaction is in a state that forbids it",
    "28": "the login was refused", "3D": "the database does not exist", "40": "the transaction was rolled back",
    "42": "the statement is invalid or not allowed", "53": "the server ran short of resources",
    "54": "a limit of the server was exceeded", "55": "an object is not in the state this needs",
    "57": "an operator or a timeout intervened", "58": "the server hit a system error",
    "XX": "an internal error of the server",
}

#: a failed login's server message (the part after FATAL:) -> the SQLSTATE the server sent
_LOGIN = (
    (re.compile(r'database ".*" does not exist'), "3D000"),
    (re.compile(r"password authentication failed|no password supplied|fe_sendauth"), "28P01"),
    (re.compile(r'role ".*" does not exist|no pg_hba.conf entry|authentication failed'), "28000"),
    (re.compile(r"too many clients|remaining connection slots are reserved"), "53300"),
    (re.compile(r"permission denied for database|not permitted to log in"), "42501"),
    (re.compile(r"the database system is (starting up|in recovery mode|shutting down|not yet accepting)"),
     "57P03"),
    (re.compile(r"refused|timeout|timed out|could not translate host|no such file|could not connect|"
                r"server closed the connection"), "08001"),
)


def explain(sqlstate: str | None) -> tuple[str, str | None]:
    """The plain-language cause of a SQLSTATE, and a hint when there is a general one."""
    if not sqlstate:
        return "the statement failed", None
    if sqlstate in KNOWN:
        return KNOWN[sqlstate]
    return CLASSES.get(sqlstate[:2], "the statement failed"), None


def primary(err: psycopg.Error) -> str:
    """The server's one-line message for a failed statement (or the driver's first line)."""
    if err.diag is not None and err.diag.message_primary:
        return err.diag.message_primary
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def database_error(where: str, err: psycopg.Error, hint: str | None = None) -> DatabaseError:
    """``where: <server message> (SQLSTATE code: cause)``, with the cause's hint unless given."""
    state = err.sqlstate
    if state is None and isinstance(err, psycopg.OperationalError):
        state = "08006"  # the connection broke mid-statement: libpq has no code from the server
    cause, general = explain(state)
    suffix = f" (SQLSTATE {state}: {cause})" if state else ""
    cls = ConnectionFailed if state and state.startswith("08") else DatabaseError
    return cls(f"{where}: {primary(err)}{suffix}", hint or general, sqlstate=state, cause=cause)


def login_error(where: str, err: psycopg.OperationalError) -> ConnectionFailed:
    """A failed connection attempt, with the SQLSTATE the server's message stands for."""
    text = str(err).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = re.split(r"failed: ", lines[0] if lines else text)[-1]
    first = re.sub(r"^(FATAL|ERROR):\s+", "", first).strip()
    low = text.lower()
    state = next((code for pattern, code in _LOGIN if pattern.search(low)), None)
    cause, hint = explain(state)
    verb = "cannot log in to" if state and state[:2] in ("28", "42") else \
        "cannot reach" if state == "08001" else "cannot connect to"
    suffix = f" (SQLSTATE {state}: {cause})" if state else ""
    return ConnectionFailed(f"{verb} {where}: {first}{suffix}", hint, sqlstate=state, cause=cause)


@contextmanager
def translated(where: str) -> Iterator[None]:
    """Any driver error inside becomes a :class:`DatabaseError` naming ``where``."""
    try:
        yield
    except psycopg.Error as err:
        raise database_error(where, err) from None
