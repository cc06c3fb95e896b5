"""Foreign-data wrappers, servers, user mappings, foreign tables, event triggers, publications and
default privileges in the fingerprint (equal whatever their OIDs, per schema where they live in
one) and in the change token (each change moves it)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from test_change_token import changed, needs_pg15, run, token

from trueup.engines.postgres.fleet_ops.fingerprint import fingerprint, schema_fingerprints

__all__ = ["needs_pg15"]

ALL = """
CREATE SCHEMA app;
CREATE TABLE app.t (id int PRIMARY KEY, a text, b int);
CREATE FUNCTION evf() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;
CREATE FOREIGN DATA WRAPPER w OPTIONS (debug 'true');
CREATE SERVER s VERSION '1' FOREIGN DATA WRAPPER w OPTIONS (host 'a.example');
CREATE USER MAPPING FOR trueup_test_reader SERVER s OPTIONS (user 'bob', password 'pw');
CREATE FOREIGN TABLE app.ft (id int OPTIONS (column_name 'i'), name text NOT NULL) SERVER s OPTIONS (table_name 'r');
CREATE EVENT TRIGGER et ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION evf();
CREATE PUBLICATION p FOR TABLE app.t (id, a) WHERE (b > 0);
CREATE PUBLICATION q FOR TABLES IN SCHEMA app;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO trueup_test_reader;
"""
SHIFT = ("CREATE TABLE shift (id int); DROP TABLE shift; CREATE FOREIGN DATA WRAPPER shift; DROP FOREIGN DATA WRAPPER"
         " shift; CREATE PUBLICATION shift; DROP PUBLICATION shift;")


def _fps(url: str) -> tuple[str, dict[str, str]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return fingerprint(conn), schema_fingerprints(conn, ["app"])


def test_equal_whatever_their_oids(make_db: Callable[..., str]) -> None:
    assert _fps(make_db(ALL)) == _fps(make_db(SHIFT + ALL))


@pytest.mark.parametrize(("sql", "in_schema"), [
    ("ALTER FOREIGN DATA WRAPPER w OPTIONS (SET debug 'false')", False),
    ("ALTER SERVER s VERSION '2'", False),
    ("ALTER USER MAPPING FOR trueup_test_reader SERVER s OPTIONS (SET user 'carol')", False),
    ("ALTER EVENT TRIGGER et DISABLE", False),
    ("ALTER PUBLICATION p SET (publish = 'insert')", False),
    ("ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC", False),
    ("ALTER FOREIGN TABLE app.ft OPTIONS (SET table_name 'r2')", True),
    ("ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT INSERT ON TABLES TO trueup_test_reader", True),
], ids=lambda s: " ".join(str(s).split()[:4]))
def test_a_change_moves_fingerprint_and_token(make_db: Callable[..., str], sql: str, in_schema: bool,
                                              needs_pg15: None) -> None:
    url = make_db(ALL)
    whole, per_schema = _fps(url)
    before = token(url)
    run(url, sql)
    assert changed(url, before), f"token unchanged after: {sql}"
    after_whole, after_schema = _fps(url)
    assert after_whole != whole
    assert (after_schema != per_schema) == in_schema  # (database-wide kinds are no schema's)


def test_a_user_mappings_secret_value_is_not_hashed(make_db: Callable[..., str]) -> None:
    # (it is never read: equal mappings whose passwords differ hash equal, as they compare equal)
    other = ALL.replace("password 'pw'", "password 'another'")
    assert _fps(make_db(ALL)) == _fps(make_db(other))
