"""Catalog fingerprints: equal schemas hash equal whatever their OIDs, any drift changes the hash."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

from trueup.engines.postgres.fleet_ops.fingerprint import fingerprint, schema_fingerprints

TENANT = """
CREATE DOMAIN money_amount AS numeric(12,2) CHECK (VALUE >= 0);
CREATE TYPE state AS ENUM ('on', 'off');
CREATE TABLE roles (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    role_id integer REFERENCES roles (id),
    price money_amount,
    state state NOT NULL DEFAULT 'on',
    name text NOT NULL DEFAULT 'x'
);
CREATE INDEX items_name_idx ON items (lower(name)) WHERE state = 'on';
"""


def _in_schema(schema: str, sql: str) -> str:
    return f'CREATE SCHEMA "{schema}"; SET search_path = "{schema}"; {sql} RESET search_path;'


def test_equal_schemas_hash_equal_and_drift_changes_the_hash(make_db: Callable[..., str]) -> None:
    # names that need quoting, and OIDs that differ from schema to schema
    url = make_db("".join(_in_schema(s, TENANT) for s in ("Tenant_A", "Tenant_B", "Tenant_C"))
                  + 'ALTER TABLE "Tenant_B".items ALTER COLUMN name SET DEFAULT \'y\';')
    with psycopg.connect(url, autocommit=True) as conn:
        fps = schema_fingerprints(conn, ["Tenant_A", "Tenant_B", "Tenant_C"])
    assert set(fps) == {"Tenant_A", "Tenant_B", "Tenant_C"}
    assert fps["Tenant_A"] == fps["Tenant_C"]
    assert fps["Tenant_B"] != fps["Tenant_A"]


def test_databases_with_other_oids_hash_equal(make_db: Callable[..., str]) -> None:
    a = make_db(TENANT)
    b = make_db("CREATE TABLE shifts_the_oids (id int); DROP TABLE shifts_the_oids;" + TENANT)
    c = make_db(TENANT + "CREATE INDEX items_role_idx ON items (role_id);")
    with psycopg.connect(a, autocommit=True) as ca, psycopg.connect(b, autocommit=True) as cb, \
            psycopg.connect(c, autocommit=True) as cc:
        assert fingerprint(ca) == fingerprint(cb)
        assert fingerprint(cc) != fingerprint(ca)
        assert ca.execute("SHOW search_path").fetchone() == ("\"$user\", public",)  # left as it was
