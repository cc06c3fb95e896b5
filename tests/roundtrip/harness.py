"""Round-trip harness: OLD --plan--> OLD' must equal NEW, judged by pg_dump (not by trueup).

A :class:`Case` is a pair of DDL scripts. :func:`check_roundtrip` builds both databases,
diffs their models, applies the plan to OLD and compares ``pg_dump --schema-only`` of the
result with that of NEW, order-insensitively; finally trueup itself must see no difference.

Each case runs on the main test server, and a sixteenth of them on PostgreSQL 16 and another
sixteenth on 18 (every one on both with ``TRUEUP_TEST_ALL_VERSIONS=1``; see :func:`case_params`).

Usage in a test module::

    CASES = [Case("enum_add_value", old="CREATE TYPE e AS ENUM ('a')", new="...")]

    @pytest.mark.parametrize(("case", "server"), case_params(CASES))
    def test_roundtrip(db_on, servers, case, server):
        run_case(db_on, servers, case, server)
"""

from __future__ import annotations

import difflib
import os
import re
import zlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
from pglast.parser import split

from tests.conftest import pg_dump_schema
from trueup.api import diff_models
from trueup.config import ApplySettings
from trueup.engines.interface.generators import DiffOptions
from trueup.engines.interface.renames import parse_renames
from trueup.engines.interface.using import parse_using
from trueup.engines.postgres import ENGINE
from trueup.engines.postgres.fleet_ops.fingerprint import fingerprint, schema_fingerprints
from trueup.fleet.apply import apply_target
from trueup.fleet.desired import scope_model as _scope_model
from trueup.fleet.targets import Target


@dataclass(frozen=True)
class Case:
    """One round trip: the database built by ``old`` is migrated to the one built by ``new``.

    ``min_pg``: major server version the case needs (skipped below it); ``max_pg``: the last
    major version it is meant for (skipped above it).
    ``xfail``: reason for a known, accepted limitation (the case is a strict xfail).
    ``using``: the USING expressions the case supplies for its type changes (as ``--using``
    gives them: ``{"public.t.c": "to_timestamp(c)"}``).
    """

    id: str
    old: str
    new: str
    min_pg: int = 13
    xfail: str | None = None
    max_pg: int | None = None
    using: Mapping[str, str] = field(default_factory=dict)
    #: declared renames (as ``--rename`` gives them: ``{"public.t.old": "new"}``)
    renames: Mapping[str, str] = field(default_factory=dict)
    #: data the plan must keep: (query on the migrated OLD, the rows it must return)
    kept: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...] = ()
    #: whether the plan may delete data (a case with renames is checked to delete none)
    destructive: bool = False

    def options(self) -> DiffOptions:
        """The diff's options: the case's USING expressions and renames."""
        return DiffOptions(using=dict(parse_using(f"{k}={v}") for k, v in self.using.items()),
                           renames=parse_renames(f"{k}={v}" for k, v in self.renames.items()))


#: the servers a case runs on besides the main test server: a sixteenth of the cases each, two
#: different sixteenths (chosen by their id, the same each run), every case with
#: TRUEUP_TEST_ALL_VERSIONS=1, and every case that needs a newer server than the main one is
#: (run where it can)
OTHER_SERVERS = ("pg16", "pg18")
SAMPLE_ONE_IN = 16


def _sampled(case: Case, server: str) -> bool:
    """Whether ``case`` runs on ``server`` by default: the suite runs on two cores within its
    time budget, and every case's id picks at most one of the other servers."""
    return (os.environ.get("TRUEUP_TEST_ALL_VERSIONS") == "1"
            or zlib.crc32(case.id.encode()) % SAMPLE_ONE_IN == OTHER_SERVERS.index(server))


def case_params(cases: Iterable[Case]) -> list[Any]:
    """``pytest.param(case, server)`` per case and server, with the case id as test id (and
    ``@pg16``/``@pg18`` for the other servers) and its xfail mark."""
    out = []
    seen: set[str] = set()
    for c in cases:
        assert c.id not in seen, f"duplicate case id {c.id}"
        seen.add(c.id)
        marks = [pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else []
        out.append(pytest.param(c, "main", id=c.id, marks=marks))
        for server in OTHER_SERVERS:
            if _sampled(c, server) or (c.min_pg > 15 and server == "pg18"):
                out.append(pytest.param(c, server, id=f"{c.id}@{server}", marks=marks))
    return out


_EXTENSION = re.compile(r"CREATE EXTENSION (?:IF NOT EXISTS )?(\w+)", re.I)


def run_case(db_on: Callable[..., str], servers: dict[str, tuple[str, int]], case: Case, server: str) -> None:
    """:func:`check_roundtrip` of ``case`` on the server labelled ``server``."""
    if server not in servers:
        pytest.skip(f"no {server} server (see tests/pgcluster.py)")
    url, version = servers[server]
    if server != "main" and version // 10000 == servers["main"][1] // 10000:
        pytest.skip(f"the main test server is PostgreSQL {version // 10000} already")
    wanted = set(_EXTENSION.findall(case.old + case.new))
    if wanted:
        with psycopg.connect(url) as conn:
            have = {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions").fetchall()}
        if wanted - have:
            pytest.skip(f"PostgreSQL {version // 10000} here lacks the extension {sorted(wanted - have)[0]}")

    def make_db(sql: str | None = None, name: str | None = None) -> str:
        return db_on(url, sql, name)

    check_roundtrip(make_db, case, version)


# -- the oracle: pg_dump, normalised so that statement and column order do not matter -------

_NOISE = re.compile(r"^(--|SET |SELECT pg_catalog\.set_config\(|\\restrict|\\unrestrict)")
# a patched server may tag every column with an attribute option that is not schema
_ATTVER = re.compile(r"(, )?\bpg_attver=\d+(, )?")
_EMPTY_SET = re.compile(r"^ALTER TABLE ONLY .* ALTER COLUMN .* SET \(\)$", re.S)
# storage parameters: their order means nothing
_WITH = re.compile(r"^(\s*WITH \()(.*)(\))$", re.M)


def _sort_table_body(statement: str) -> str:
    """Inside ``CREATE TABLE x (...)`` sort the column and constraint lines."""
    if not re.match(r"^CREATE (UNLOGGED )?TABLE ", statement):
        return statement
    lines = statement.split("\n")
    try:
        start = next(i for i, ln in enumerate(lines) if ln.endswith("("))
        end = next(i for i in range(len(lines) - 1, start, -1) if lines[i].startswith(")"))
    except StopIteration:
        return statement
    body = sorted(ln.rstrip(",") for ln in lines[start + 1:end])
    return "\n".join([*lines[: start + 1], *body, *lines[end:]])


def normalize_dump(dump: str) -> list[str]:
    """The dump as a sorted list of statements, without comments and session settings."""
    kept = [ln for ln in dump.splitlines() if ln.strip() and not _NOISE.match(ln)]
    statements = []
    for s in split("\n".join(kept), with_parser=False):
        s = _ATTVER.sub(lambda m: ", " if m.group(1) and m.group(2) else "", s.strip())
        if not s or _EMPTY_SET.match(s):
            continue
        s = _WITH.sub(lambda m: m.group(1) + ", ".join(sorted(m.group(2).split(", "))) + m.group(3), s)
        statements.append(_sort_table_body(s))
    return sorted(statements)


def dump_text(url: str) -> str:
    return "\n\n".join(normalize_dump(pg_dump_schema(url))) + "\n"


def run_script(url: str, sql: str) -> None:
    """Run a whole script in one go (one implicit transaction), as a migration would."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def _fingerprints(url: str) -> tuple[str, str]:
    """The database's fingerprint and schema public's."""
    with psycopg.connect(url, autocommit=True) as conn:
        return fingerprint(conn), schema_fingerprints(conn, ["public"]).get("public", "")


def check_roundtrip(make_db: Callable[..., str], case: Case, pg_version: int | None = None) -> None:
    if pg_version is not None and pg_version // 10000 < case.min_pg:
        pytest.skip(f"needs PostgreSQL {case.min_pg}")
    if pg_version is not None and case.max_pg is not None and pg_version // 10000 > case.max_pg:
        pytest.skip(f"meant for PostgreSQL {case.max_pg} and older")
    with ThreadPoolExecutor(2) as pool:  # the two databases are independent: build them side by side
        old_url, new_url = pool.map(make_db, (case.old, case.new))
        old_model, new_model = pool.map(ENGINE.inspect, (old_url, new_url))
    plan = diff_models(old_model, new_model, case.options())
    assert not plan.needing_using(), f"a statement waits for a USING expression:\n{plan.to_sql(True)}"
    assert set(case.options().using) <= set(plan.retyped), "a USING expression of the case names no retyped column"
    script = plan.to_sql(allow_destructive=True)
    if case.renames or case.kept:
        assert case.destructive or not plan.destructive, f"the plan deletes data:\n{script}"
        assert not plan.notes, f"a rename did not apply: {plan.notes}"
    if case.old.strip() != case.new.strip():
        assert plan, "the schemas differ but the plan is empty"
    if plan:
        # the audit trusts equal fingerprints: different models must never hash equal
        with ThreadPoolExecutor(2) as pool:
            old_fps, new_fps = pool.map(_fingerprints, (old_url, new_url))
        assert old_fps[0] != new_fps[0], "the databases differ but their fingerprints are equal"
        if diff_models(_scope_model(old_model, "public"), _scope_model(new_model, "public")):
            assert old_fps[1] != new_fps[1], "schema public differs but its fingerprints are equal"
    if plan:
        # through the executor `trueup apply` uses: one transaction, advisory lock, timeouts
        target = Target("roundtrip", case.id, old_url)
        outcome = apply_target(target, plan.preamble_statements() + plan.statements(allow_destructive=True),
                               settings=ApplySettings(), allow_destructive=True)
        if outcome.status != "applied":
            pytest.fail(f"the plan failed: {outcome.error}\n--- plan ---\n{script}")
    for query, rows in case.kept:
        with psycopg.connect(old_url) as conn:
            found = tuple(tuple(r) for r in conn.execute(query).fetchall())  # type: ignore[arg-type]
        assert found == tuple(rows), f"data lost: {query} gave {found}\n--- plan ---\n{script}"
    with ThreadPoolExecutor(2) as pool:
        got, want = pool.map(dump_text, (old_url, new_url))
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True),
                                            "NEW (pg_dump)", "OLD after plan (pg_dump)"))
        pytest.fail(f"pg_dump differs after the plan\n--- plan ---\n{script}\n--- diff ---\n{diff}")
    rest = diff_models(new_model, ENGINE.inspect(old_url))
    assert not rest, f"trueup still sees differences:\n{rest.to_sql(True)}\n--- plan ---\n{script}"
