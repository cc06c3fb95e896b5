"""Shared test data for fleet tests: a control database with a tenant registry and tenants.

Registered as a pytest plugin by conftest.py, so the ``fleet`` fixture is available everywhere.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from conftest import flush_statistics

from trueup.cli.main import cli

TENANT = """
CREATE TYPE status AS ENUM ('on', 'off');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE TABLE team_roles (id serial PRIMARY KEY, name text NOT NULL UNIQUE, can_manage boolean NOT NULL DEFAULT false);
CREATE TABLE projects (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'untitled', state status DEFAULT 'on',
                       updated_at timestamptz);
CREATE INDEX projects_name_idx ON projects (name);
CREATE TRIGGER projects_touch BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY projects_all ON projects USING (true);
CREATE VIEW project_names AS SELECT id, name FROM projects;
CREATE TABLE tenant_settings (key text PRIMARY KEY, value jsonb);
COMMENT ON TABLE projects IS 'projects of the tenant';
"""
CONTROL = """
CREATE TABLE tenant_databases (slug text PRIMARY KEY, database_name text NOT NULL, status text NOT NULL);
CREATE TABLE schema_tables (id serial PRIMARY KEY, name text);
"""
REFDATA = """
[tables."public.team_roles"]
key = ["name"]
exact = true
rows = [
  { name = "Owner", can_manage = true },
  { name = "Viewer", can_manage = false },
]
"""
SEED_ROLES = "INSERT INTO team_roles (name, can_manage) VALUES ('Owner', true), ('Viewer', false);"


def audit(config: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(cli, ["audit", "-c", str(config), "--format", "json", *args], catch_exceptions=False)
    data = json.loads(result.stdout) if result.stdout.strip().startswith("{") else {}
    return result.exit_code, data, result.stderr


def findings(data: dict[str, Any], name: str) -> list[dict[str, Any]]:
    db = next(d for d in data["databases"] if d["name"] == name)
    return list(db["findings"])


def by_object(data: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    return {f["object"]: f for f in findings(data, name)}


@pytest.fixture
def fleet(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> dict[str, Any]:
    """A control database with a tenant registry and three tenant databases, one drifted."""
    (tmp_path / "tenant.sql").write_text(TENANT)
    (tmp_path / "control.sql").write_text(CONTROL)
    (tmp_path / "roles.toml").write_text(REFDATA)
    prefix = f"trueup_test_{os.getpid()}_{secrets.token_hex(3)}"
    control = make_db(CONTROL, name=f"{prefix}_control")
    tenants = {f"{prefix}_t{i}": make_db(TENANT + SEED_ROLES, name=f"{prefix}_t{i}") for i in range(3)}
    with psycopg.connect(control, autocommit=True) as conn:
        for i, db in enumerate(tenants):
            conn.execute("INSERT INTO tenant_databases VALUES (%s, %s, 'active')", (f"tenant{i}", db))
        flush_statistics(conn)
    return {"dir": tmp_path, "prefix": prefix, "control": control, "tenants": tenants, "server": pg_url}


def write_config(fleet: dict[str, Any], tenants_discover: str) -> Path:
    cfg: Path = fleet["dir"] / "trueup.toml"
    cfg.write_text(f"""
[scratch]
url = "{fleet['server']}"

[groups.control]
desired = "control.sql"
targets = ["{fleet['control']}"]

[groups.tenants]
desired = "tenant.sql"
reference_data = "roles.toml"
discover = {tenants_discover}
""")
    return cfg


#: one drift of every category (grants need the trueup_test_reader role of conftest)
DRIFT_ALL = """
    DROP TABLE tenant_settings;
    ALTER TABLE projects ALTER COLUMN name SET DEFAULT 'x';
    ALTER TABLE projects ADD COLUMN legacy text;
    DROP INDEX projects_name_idx;
    DROP TRIGGER projects_touch ON projects;
    DROP POLICY projects_all ON projects;
    ALTER TABLE projects DISABLE ROW LEVEL SECURITY;
    COMMENT ON TABLE projects IS NULL;
    ALTER TABLE team_roles ADD CONSTRAINT name_len CHECK (length(name) < 50);
    CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
    CREATE SEQUENCE stray_seq;
    CREATE SCHEMA extra;
    DROP VIEW project_names;
    GRANT SELECT ON projects TO trueup_test_reader;
    CREATE TABLE schema_tables (id int);
    UPDATE team_roles SET can_manage = false WHERE name = 'Owner';
    DELETE FROM team_roles WHERE name = 'Viewer';
    INSERT INTO team_roles (name) VALUES ('Intruder');
"""


#: a one-table fleet's actual state (``two_target_fleet``): a bigint ``at`` with a row in it
EVENTS = "CREATE TABLE events (id int PRIMARY KEY, at bigint); INSERT INTO events VALUES (1, 1700000000);"


def two_target_fleet(make_db: Callable[..., str], pg_url: str, folder: Path, desired: str, actual: str = EVENTS,
                     extra: str = "") -> tuple[Path, list[str]]:
    """Two databases holding ``actual``, listed in group ``app`` whose desired state is
    ``desired`` (``extra``: more config); the config's path and the targets' URLs."""
    (folder / "desired.sql").write_text(desired)
    targets = [make_db(actual), make_db(actual)]
    cfg = folder / "trueup.toml"
    listed = ", ".join(f'"{t}"' for t in targets)
    cfg.write_text(f'[scratch]\nurl = "{pg_url}"\n\n[groups.app]\ndesired = "desired.sql"\ntargets = [{listed}]\n'
                   + extra)
    return cfg, targets
