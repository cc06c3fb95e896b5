"""A tenant project for the tenant lifecycle tests: a control database holding the registry, a
group whose tenants are made on the ``tenant_server`` (where tenant roles need their password),
a secret key, and everything the test made dropped afterwards (databases, schemas, roles,
templates), also when it fails.

Every name a test's tenants get carries the test's prefix (``trueup_test_<pid>_<hex>``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result
from conftest import db_url
from psycopg import sql as pgsql

from trueup.cli.main import cli
from trueup.config import Config, load_config

TENANT_SQL = """
CREATE TABLE team_roles (id int PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE TABLE tenant_settings (key text PRIMARY KEY, value text, role_id int REFERENCES team_roles (id));
CREATE INDEX tenant_settings_value ON tenant_settings (value);
CREATE VIEW role_names AS SELECT name FROM team_roles;
"""
REFERENCE = """
[tables."public.team_roles"]
key = ["id"]
rows = [ { id = 1, name = "Owner" }, { id = 2, name = "Viewer" } ]
"""


@dataclass
class TenantProject:
    """A test's tenant project: ``run`` invokes the CLI on its config."""

    server: str
    folder: Path
    prefix: str
    key: str
    control: str
    config_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)

    def config(self) -> Config:
        return load_config(self.config_path)

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return CliRunner(env={"TRUEUP_SECRET_KEY": self.key, **self.extra_env, **(env or {})}).invoke(
            cli, [*args, "-c", str(self.config_path)], catch_exceptions=False)

    def database(self, tenant: str) -> str:
        return f"{self.prefix}_d_{tenant}"

    def owner(self, tenant: str) -> str:
        return f"{self.prefix}_r_{tenant}"

    def admin(self, database: str = "postgres") -> psycopg.Connection[Any]:
        return psycopg.connect(db_url(self.server, database), autocommit=True)

    def exists(self, kind: str, name: str, database: str = "postgres") -> bool:
        query = {"database": "SELECT 1 FROM pg_database WHERE datname = %s",
                 "role": "SELECT 1 FROM pg_roles WHERE rolname = %s",
                 "schema": "SELECT 1 FROM pg_namespace WHERE nspname = %s"}[kind]
        with self.admin(database) as conn:
            return conn.execute(query, (name,)).fetchone() is not None  # type: ignore[arg-type]

    def row(self, tenant: str) -> dict[str, Any] | None:
        with psycopg.connect(self.control, autocommit=True) as conn:
            cur = conn.execute("SELECT * FROM trueup.tenants WHERE name = %s", (tenant,))
            row = cur.fetchone()
            return None if row is None else dict(zip([c.name for c in cur.description or ()], row, strict=True))

    def events(self, tenant: str) -> list[tuple[str, str]]:
        with psycopg.connect(self.control, autocommit=True) as conn:
            return [(r[0], r[1]) for r in conn.execute(
                "SELECT step, state FROM trueup.tenant_events WHERE tenant = %s ORDER BY id", (tenant,))]

    def login_url(self, tenant: str) -> str:
        """The tenant's URL with its stored credentials, decrypted as trueup does."""
        from trueup.tenants.secrets import parse_key

        row = self.row(tenant)
        assert row is not None
        password = parse_key(self.key, "test").decrypt(row["secret"], tenant, row["role"]).reveal()
        return psycopg.conninfo.make_conninfo(db_url(self.server, row["database"] or "postgres"), user=row["role"],
                                              password=password)


def write_project(folder: Path, server: str, prefix: str, control: str, *, provision: str | None = None,
                  registry_extra: str = "", group_extra: str = "") -> Path:
    (folder / "tenant.sql").write_text(TENANT_SQL)
    (folder / "reference.toml").write_text(REFERENCE)
    provision = provision or (f'{{ server = "{db_url(server, "postgres")}", database = "{prefix}_d_{{name}}", '
                              f'role = "{prefix}_r_{{name}}" }}')
    cfg = folder / "trueup.toml"
    cfg.write_text(f"""
[registry]
url = "{control}"
{registry_extra}

[groups.tenants]
desired = "tenant.sql"
reference_data = "reference.toml"
discover = {{ registry = "trueup" }}
provision = {provision}
{group_extra}
""")
    return cfg


def clean_server(server: str, prefix: str) -> None:
    """Drop every database and role of the prefix, and the templates."""
    with psycopg.connect(db_url(server, "postgres"), autocommit=True) as conn:
        like = prefix.replace("_", "\\_") + "%"
        for (name,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s OR datname LIKE"
                                    " 'trueup\\_tpl\\_%%'", (like,)).fetchall():
            conn.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
        for (name,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY length(rolname) DESC",
                                    (like,)).fetchall():
            with contextlib.suppress(psycopg.Error):
                conn.execute(pgsql.SQL("DROP ROLE IF EXISTS {}").format(pgsql.Identifier(name)))


@pytest.fixture
def tenants(tenant_server: str, tmp_path: Path) -> Iterator[TenantProject]:
    from trueup.tenants.secrets import new_key

    prefix = f"trueup_test_{os.getpid()}_{secrets.token_hex(3)}"
    control_name = f"{prefix}_control"
    with psycopg.connect(tenant_server, autocommit=True) as conn:
        conn.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(control_name)))
    control = db_url(tenant_server, control_name)
    cfg = write_project(tmp_path, tenant_server, prefix, control)
    try:
        yield TenantProject(tenant_server, tmp_path, prefix, new_key(), control, cfg)
    finally:
        clean_server(tenant_server, prefix)
