"""Change tokens: unchanged databases read the same token; every kind of schema change, a changed
reference row, a statistics reset and a recreated database change it; other data does not."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

import trueup.engines.postgres.fleet_ops.change_token as change_token_module
from trueup.engines.interface.session import Token
from trueup.engines.postgres.fleet_ops.change_token import CATALOGS, MIN_SERVER_VERSION, change_token

SCHEMA = """
CREATE TABLE roles (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE items (id serial PRIMARY KEY, role_id int REFERENCES roles (id), name text DEFAULT 'x');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_all ON items USING (true);
INSERT INTO roles (name) VALUES ('Owner'), ('Viewer');
"""

pytestmark = pytest.mark.usefixtures("needs_pg15")


@pytest.fixture
def needs_pg15(pg_version: int) -> None:
    if pg_version < MIN_SERVER_VERSION:
        pytest.skip("change tokens need PostgreSQL 15 (statistics in shared memory)")


def token(url: str, tables: tuple[str, ...] = ("public.roles",), last: Token | None = None) -> Token:
    with psycopg.connect(url, autocommit=True) as conn:
        got = change_token(conn, tables, last)
    assert got is not None
    return got


def run(url: str, sql: str) -> None:
    """Run ``sql`` on a session of its own, its counts flushed to the statistics before it ends
    (a closed session's counts would land a moment after it closed: the test would have to wait)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]
        conn.execute("SELECT pg_stat_force_next_flush()")


def changed(url: str, before: Token, tables: tuple[str, ...] = ("public.roles",)) -> bool:
    """Whether the token moved, read as the audit reads it: with the OIDs of the last reading."""
    return token(url, tables, before) != before


def test_catalog_oids_are_the_servers(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT relname, oid::int FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace"
                            " AND relname = ANY(%s)", (list(CATALOGS),)).fetchall()
    assert dict(rows) == CATALOGS


def test_an_unchanged_database_reads_the_same_token(make_db: Callable[..., str]) -> None:
    url = make_db(SCHEMA)
    first = token(url)
    run(url, "INSERT INTO items (name) VALUES ('a'); UPDATE items SET name = 'b'; DELETE FROM items")
    assert token(url) == first  # other tables' data is not in the token (their counts did land)
    with psycopg.connect(url, autocommit=True) as conn:  # the OIDs read last time spare lookups
        assert first.tables and first.tables[0] is not None
        assert change_token(conn, ("public.roles",), first) == first


@pytest.mark.parametrize("sql", [
    "CREATE TABLE extra (id int)",
    "DROP TABLE items",
    "ALTER TABLE items ALTER COLUMN name SET DEFAULT 'y'",
    "ALTER TABLE items ALTER COLUMN name TYPE varchar(20)",
    "CREATE INDEX items_name_idx ON items (name)",
    "DROP TRIGGER items_touch ON items",
    "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$",
    "DROP POLICY items_all ON items",
    "ALTER TABLE items DISABLE ROW LEVEL SECURITY",
    "COMMENT ON TABLE items IS 'note'",
    "COMMENT ON SCHEMA public IS 'note'",
    "GRANT SELECT ON items TO PUBLIC",
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    "ALTER SEQUENCE items_id_seq INCREMENT BY 5",
    "CREATE TYPE mood AS ENUM ('ok')",
    "CREATE SCHEMA other",
    "UPDATE roles SET name = 'Admin' WHERE name = 'Owner'",
    "DELETE FROM roles WHERE name = 'Viewer'",
    "TRUNCATE roles CASCADE",
    "DROP TABLE roles CASCADE; CREATE TABLE roles (id serial PRIMARY KEY, name text NOT NULL UNIQUE)",
    "ALTER TABLE roles RENAME TO old_roles; CREATE TABLE roles (id serial PRIMARY KEY, name text NOT NULL UNIQUE)",
], ids=lambda s: " ".join(s.split()[:3]))
def test_a_change_moves_the_token(make_db: Callable[..., str], sql: str) -> None:
    url = make_db(SCHEMA)
    before = token(url)
    run(url, sql)
    assert changed(url, before), f"token unchanged after: {sql}"


def test_a_statistics_reset_moves_the_token(make_db: Callable[..., str]) -> None:
    url = make_db(SCHEMA)
    before = token(url)
    run(url, "SELECT pg_stat_reset()")
    assert changed(url, before)


def test_a_database_created_again_reads_another_token(make_db: Callable[..., str], pg_url: str) -> None:
    url = make_db(SCHEMA)
    name = str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])
    before = token(url)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')  # type: ignore[arg-type]
    run(url, SCHEMA)
    after = token(url)
    assert after.database != before.database and after != before
    with psycopg.connect(url, autocommit=True) as conn:  # stale OIDs from the store are corrected
        assert change_token(conn, ("public.roles",), before) == after


def test_no_token_without_counts(make_db: Callable[..., str], pg_url: str) -> None:
    url = make_db(SCHEMA)
    name = str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])
    run(pg_url, f'ALTER DATABASE "{name}" SET track_counts = off')
    with psycopg.connect(url, autocommit=True) as conn:
        assert change_token(conn) is None


def test_thousands_of_reference_tables(make_db: Callable[..., str]) -> None:
    # more tables than a target list may hold columns (1664)
    url = make_db("SELECT 1")
    tables = tuple(f"t{i}.roles" for i in range(2000))
    first = token(url, tables)
    run(url, "CREATE SCHEMA t1999; CREATE TABLE t1999.roles (id int)")
    assert changed(url, first, tables)



@pytest.fixture
def database_catalogs_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tokens without the shared catalogs' counts (a new server's count its initdb rows), so a
    new database's counts are all zero."""
    shared = ("pg_authid", "pg_auth_members")
    monkeypatch.setattr(change_token_module, "CATALOGS", {k: v for k, v in CATALOGS.items() if k not in shared})
    change_token_module.token_sql.cache_clear()
    yield
    change_token_module.token_sql.cache_clear()


@pytest.mark.usefixtures("database_catalogs_only")
def test_counts_lost_in_a_crash_move_the_token(private_server: str) -> None:
    # PostgreSQL discards its statistics after a crash: a change made after a token was read
    # must not be forgotten with them. The worst case: a database whose counts were all zero
    # (never changed since CREATE DATABASE) reads zero again after the crash.
    run(private_server, "CREATE DATABASE untouched")
    url = psycopg.conninfo.make_conninfo(private_server, dbname="untouched")
    before = token(url, ())
    run(url, "CREATE TABLE items (id int)")
    assert changed(url, before, ())
    witness = psycopg.connect(url, autocommit=True)
    victim = psycopg.connect(url, autocommit=True)
    os.kill(int(victim.execute("SELECT pg_backend_pid()").fetchone()[0]), signal.SIGKILL)  # type: ignore[index]
    # the server ends every session, the witness's too, then recovers: wait for the witness to be
    # ended (a connection made before the server saw the crash would still read the old counts)
    with pytest.raises(psycopg.OperationalError):
        witness.execute("SELECT pg_sleep(60)")
    deadline = time.monotonic() + 60
    while True:  # connections are refused until recovery ends
        try:
            after = token(url, ())
            break
        except psycopg.OperationalError:
            assert time.monotonic() < deadline, "the server did not recover"
            time.sleep(0.05)
    with psycopg.connect(url, autocommit=True) as conn:  # the counts did fall back to zero...
        counts = conn.execute(change_token_module.token_sql(())).fetchone()
        assert counts is not None and set(counts[5:]) == {0}
    assert after != before  # ...but the token remembers the crash
