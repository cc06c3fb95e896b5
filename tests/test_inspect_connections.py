"""One database inspected on two connections (``inspect_url``) gives the model one connection
gives, and falls back to one connection when the server refuses a second."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from trueup.engines.postgres.inspect import inspect_connection, inspect_url

SCHEMA = """
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE teams (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE members (
  id serial PRIMARY KEY,
  team_id bigint REFERENCES teams ON DELETE CASCADE,
  email text NOT NULL CHECK (email LIKE '%@%'),
  feeling mood DEFAULT 'ok',
  deleted_at timestamptz
);
CREATE INDEX members_email ON members (lower(email)) WHERE deleted_at IS NULL;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER members_touch BEFORE UPDATE ON members FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON members USING (email = current_user);
CREATE VIEW live_members AS SELECT id, email FROM members WHERE deleted_at IS NULL;
COMMENT ON TABLE members IS 'people';
"""


def _one_connection(url: str) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        return inspect_connection(conn).to_json()


def test_two_connections_give_the_model_of_one(make_db: Callable[..., str]) -> None:
    url = make_db(SCHEMA)
    model = inspect_url(url)
    assert model.to_json() == _one_connection(url)
    # every kind the second connection reads is there (and its dependencies)
    kinds = {o.kind for o in model}
    assert {"index", "function", "trigger", "policy", "view", "column", "constraint", "enum"} <= kinds
    view = next(o for o in model if o.kind == "view")
    assert any(d.kind in ("table", "column") for d in view.deps)


def test_a_refused_second_connection_falls_back_to_one(make_db: Callable[..., str], pg_url: str) -> None:
    url = make_db(SCHEMA)
    role = f"trueup_test_onecon_{os.getpid()}"
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1")  # type: ignore[arg-type]
    try:
        as_role = make_conninfo(url, user=role)
        with psycopg.connect(as_role, autocommit=True), pytest.raises(psycopg.OperationalError,
                                                                       match="too many connections"):
            psycopg.connect(as_role, autocommit=True)  # the server really refuses a second one
        # (a closed session's backend still counts against the limit until it has exited)
        with psycopg.connect(pg_url, autocommit=True) as admin:
            deadline = time.monotonic() + 30
            while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s",
                                (role,)).fetchone() != (0,) and time.monotonic() < deadline:
                time.sleep(0.01)
        assert inspect_url(as_role).to_json() == _one_connection(url)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"DROP ROLE IF EXISTS {role}")  # type: ignore[arg-type]


def test_connections_landing_on_two_servers_are_not_mixed(make_db: Callable[..., str], private_server: str,
                                                          ) -> None:
    """A URL of several hosts, picked at random per connection: when the two connections land
    on different servers, the second is not used, so the model is one server's, never a mix."""
    here = make_db(SCHEMA)
    name = conninfo_to_dict(here)["dbname"]
    with psycopg.connect(private_server, autocommit=True) as admin:  # (a throw-away server)
        admin.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    there = make_conninfo(private_server, dbname=name)
    with psycopg.connect(there, autocommit=True) as conn:
        conn.execute("CREATE TABLE only_there (id int PRIMARY KEY, note text)")
        conn.execute("CREATE INDEX only_there_note ON only_there (note)")
    models = [_one_connection(here), _one_connection(there)]
    h, t = conninfo_to_dict(here), conninfo_to_dict(there)
    both = make_conninfo(here, host=f"{h.get('host')},{t.get('host')}",
                         port=f"{h.get('port') or 5432},{t.get('port') or 5432}", load_balance_hosts="random")
    for _ in range(8):  # (a mix would show in half the runs: the index of one, the table of the other)
        assert inspect_url(both).to_json() in models
