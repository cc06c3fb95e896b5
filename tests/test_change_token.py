"""Change tokens: unchanged databases read the same token; every kind of schema change, a changed
reference row, a statistics reset and a recreated database change it; other data does not."""

from __future__ import annotations

import time
from collections.abc import Callable

import psycopg
import pytest

from trueup.engines.postgres.change_token import CATALOGS, MIN_SERVER_VERSION, Token, change_token

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


def token(url: str, tables: tuple[str, ...] = ("public.roles",)) -> Token:
    with psycopg.connect(url, autocommit=True) as conn:
        got = change_token(conn, tables)
    assert got is not None
    return got


def run(url: str, sql: str) -> None:
    """Run ``sql`` on a session of its own, closed after (a closing session flushes its counts)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def changed(url: str, before: Token, tables: tuple[str, ...] = ("public.roles",), wait: float = 5.0) -> bool:
    """Whether the token moves within ``wait`` seconds (a closed session's counts land a moment
    after it closed)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if token(url, tables) != before:
            return True
        time.sleep(0.05)
    return False


def test_catalog_oids_are_the_servers(pg_url: str) -> None:
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT relname, oid::int FROM pg_class WHERE relnamespace = 'pg_catalog'::regnamespace"
                            " AND relname = ANY(%s)", (list(CATALOGS),)).fetchall()
    assert dict(rows) == CATALOGS


def test_an_unchanged_database_reads_the_same_token(make_db: Callable[..., str]) -> None:
    url = make_db(SCHEMA)
    first = token(url)
    run(url, "INSERT INTO items (name) VALUES ('a'); UPDATE items SET name = 'b'; DELETE FROM items")
    time.sleep(1.5)  # time for those counts to land, had they been counted
    assert token(url) == first  # other tables' data is not in the token
    with psycopg.connect(url, autocommit=True) as conn:  # the database's OID spares a lookup
        assert change_token(conn, ("public.roles",), first.database) == first


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
    with psycopg.connect(url, autocommit=True) as conn:  # a stale OID from the store is corrected
        assert change_token(conn, ("public.roles",), before.database) == after


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

