"""Catalog fingerprints: equal schemas hash equal whatever their OIDs, any drift changes the hash."""

from __future__ import annotations

import re
from collections.abc import Callable

import psycopg
import pytest

from trueup.engines.postgres import catalog
from trueup.engines.postgres.fleet_ops.fingerprint import fingerprint, fingerprint_sql, schema_fingerprints
from trueup.engines.postgres.inspect import inspect_connection

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


#: each fingerprint query and the inspection query it shadows share their row selection
TWINS = {"fp_columns": "columns", "fp_indexes": "indexes", "fp_constraints": "constraints",
         "fp_triggers": "triggers", "fp_policies": "policies", "fp_relations": "relations"}


@pytest.mark.parametrize(("fp", "inspection"), sorted(TWINS.items()))
def test_each_fingerprint_query_includes_its_twins_row_selection(fp: str, inspection: str) -> None:
    def includes(name: str) -> set[str]:
        return set(re.findall(r":include\((\w+)\)", catalog._read(name)))

    assert includes(fp) == includes(inspection) and len(includes(fp)) == 1


def test_a_changed_selection_changes_inspection_and_fingerprint_alike(make_db: Callable[..., str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with_secret = make_db("CREATE TABLE t (id int, secret text);")
    without = make_db("CREATE TABLE t (id int);")

    def measure(url: str) -> tuple[set[str], str]:
        with psycopg.connect(url, autocommit=True) as conn:
            model = inspect_connection(conn)
            return {o.id.display for o in model.of_kind("column")}, fingerprint(conn)

    assert measure(with_secret)[1] != measure(without)[1]
    real = catalog._read

    def read(name: str) -> str:  # the one selection, changed: columns named "secret" are left out
        text = real(name)
        return text + "  AND a.attname <> 'secret'\n" if name == "column_rows" else text

    monkeypatch.setattr(catalog, "_read", read)
    for cached in (catalog.query, fingerprint_sql):
        cached.cache_clear()
    try:
        columns, fp = measure(with_secret)
        assert columns == {"public.t.id"}  # the inspection no longer sees it ...
        assert fp == measure(without)[1]  # ... and neither does the fingerprint
    finally:
        monkeypatch.undo()
        for cached in (catalog.query, fingerprint_sql):
            cached.cache_clear()


@pytest.mark.parametrize("extra", [
    "",  # none of the rare kinds: they are not read at all
    "CREATE TYPE span AS RANGE (subtype = int4); CREATE STATISTICS items_st ON role_id, state FROM items;"
    " CREATE RULE items_log AS ON DELETE TO roles DO ALSO NOTIFY roles_gone;"
    " ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC; CREATE FOREIGN DATA WRAPPER trueup_test_w;"
    " CREATE SERVER trueup_test_s FOREIGN DATA WRAPPER trueup_test_w;"
    " CREATE FOREIGN TABLE remote_items (id int) SERVER trueup_test_s; CREATE PUBLICATION trueup_test_p;",
])
def test_reading_only_the_rare_kinds_a_database_has_gives_the_same_fingerprint(
        make_db: Callable[..., str], extra: str) -> None:
    """The fingerprint skips kinds whose catalog holds no user object; the hash is the one every
    kind read gives (a kind without rows adds nothing), and one object of a kind changes it."""
    from trueup.engines.postgres.fleet_ops.fingerprint import _combine, _fetch, _kinds, _present

    url = make_db(TENANT + extra)
    with psycopg.connect(url, autocommit=True) as conn:
        skipped = set(_kinds(False)) - set(_present(conn, _kinds(False)))
        assert ({"ranges", "statistics", "rules", "publications@db"} <= skipped) == (extra == "")
        assert "collations" in skipped  # (neither case creates one)
        every = _combine(_fetch(conn, fingerprint_sql(False, conn.info.server_version, tuple(_kinds(False))),
                                {"schemas": None})).get(None, "")
        assert fingerprint(conn) == every
        per_schema = schema_fingerprints(conn, ["public"])
        all_kinds = _combine(_fetch(conn, fingerprint_sql(True, conn.info.server_version, tuple(_kinds(True))),
                                    {"schemas": ["public"]}))
        assert per_schema == {k: v for k, v in all_kinds.items() if k is not None}
        if extra:
            before = fingerprint(conn)
            conn.execute("DROP PUBLICATION trueup_test_p")
            assert fingerprint(conn) != before
