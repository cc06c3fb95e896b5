"""A schema inspected alone (``--schema``) gives what the whole database's model holds for it:
the same objects and the same dependencies among them. The two read pg_depend differently (all
of it in one pass, or the scope's objects through its index), so each checks the other."""

from __future__ import annotations

from collections.abc import Callable

from trueup.engines.postgres.inspect import inspect_url
from trueup.model import ObjectId, Schema

TENANT = """
CREATE SCHEMA {s};
SET search_path = {s};
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TYPE pair AS (a mood, b int);
CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'c' $$;
CREATE TABLE teams (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE members (
  id serial PRIMARY KEY,
  team_id bigint REFERENCES teams ON DELETE CASCADE,
  code text DEFAULT next_code(),
  feelings mood[] DEFAULT '{{}}',
  best pair,
  deleted_at timestamptz
);
CREATE INDEX members_code ON members (lower(code)) WHERE deleted_at IS NULL;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER members_touch BEFORE UPDATE ON members FOR EACH ROW EXECUTE FUNCTION touch();
CREATE FUNCTION team_label(t teams) RETURNS text LANGUAGE sql AS $$ SELECT t.name $$;
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON members USING (code = current_user);
CREATE VIEW live_members AS SELECT id, code FROM members WHERE deleted_at IS NULL;
CREATE RULE keep AS ON DELETE TO live_members DO INSTEAD NOTHING;
COMMENT ON TABLE members IS 'people';
"""


def _restricted(whole: Schema, schema: str) -> dict[ObjectId, tuple[object, frozenset[ObjectId]]]:
    ids = {o.id for o in whole if o.schema_name == schema}
    return {o.id: (o.attrs, o.deps & ids) for o in whole if o.id in ids}


def test_one_schema_alone_is_its_part_of_the_whole(make_db: Callable[..., str]) -> None:
    url = make_db(TENANT.format(s="tenant_a") + TENANT.format(s="tenant_b")
                  # a dependency that crosses schemas: left out of tenant_b's model alone
                  + "CREATE VIEW tenant_b.all_teams AS SELECT id FROM tenant_a.teams;")
    whole = inspect_url(url)
    alone = inspect_url(url, schemas=["tenant_b"])
    assert {o.id: (o.attrs, o.deps) for o in alone} == _restricted(whole, "tenant_b")
    deps = {(o.id.kind, d.kind) for o in alone for d in o.deps}
    # the dependencies pg_depend alone gives are there: a view on its columns (through its rule),
    # a default on its function, a column on its enum (through the array type), a function on a
    # table's row type, a composite type on an enum
    assert {("view", "column"), ("column", "function"), ("column", "enum"), ("function", "table"),
            ("composite_type", "enum")} <= deps, deps
