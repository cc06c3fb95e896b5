"""Schema per tenant (`discover = { schemas = ... }`) with trueup's own migrations: each tenant
schema keeps its history table in that schema, `migrate up` runs the migrations (written for the
template schema) in the tenant's schema, and `migrate status` judges each tenant schema against
what the migrations build there (pending, ghost) while the template schema stays untouched."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result
from test_history import V1, V2, V3

from trueup.cli.main import cli

TENANTS = ("tenant_current", "tenant_behind", "tenant_ghost")
V4 = "CREATE VIEW named_users AS SELECT id, name FROM users WHERE name IS NOT NULL;\n"


def tenant_project(root: Path, scratch: str, db: str, template: str) -> Path:
    folder = root / "migrations"
    folder.mkdir()
    for name, body in {"V1__create_users.sql": V1, "V2__create_posts.sql": V2, "V3__add_names.sql": V3,
                       "V4__named_users.sql": V4}.items():
        (folder / name).write_text(body)
    cfg = root / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{scratch}"\n\n[groups.tenants]\nmigrations = {{ dir = "migrations" }}\n'
                   f'discover = {{ server = "{db}", schemas = "tenant\\\\_%", template_schema = "{template}" }}\n')
    return cfg


def migrate(cfg: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["migrate", *args, "-c", str(cfg)])


def tables_by_schema(url: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    with psycopg.connect(url) as conn:
        for schema, name in conn.execute("SELECT schemaname, tablename FROM pg_tables"
                                         " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"):
            out.setdefault(schema, set()).add(name)
    return out


def versions(url: str, schema: str) -> list[int]:
    with psycopg.connect(url) as conn:
        return [v for (v,) in conn.execute(f'SELECT version FROM "{schema}".trueup_schema_history'  # type: ignore[arg-type]
                                           " WHERE success ORDER BY version")]


def findings(cfg: Path) -> tuple[int, dict[str, Any]]:
    r = migrate(cfg, "status", "--format", "json")
    assert r.stdout.strip().startswith("{"), r.output
    return r.exit_code, {d["name"]: d for d in json.loads(r.stdout)["databases"]}


@pytest.mark.parametrize("template", ["public", "app"])
def test_each_tenant_schema_is_migrated_and_judged_in_its_own_schema(make_db: Callable[..., str], pg_url: str,
                                                                      tmp_path: Path, template: str) -> None:
    """(The migrations are written for the template schema, the default one or another: replayed
    there, they are judged in each tenant's schema.)"""
    db = make_db("".join(f"CREATE SCHEMA {t};\n" for t in TENANTS))
    cfg = tenant_project(tmp_path, pg_url, db, template)
    r = migrate(cfg, "up", "--yes", "--to", "V1")
    assert r.exit_code == 0, r.output
    r = migrate(cfg, "up", "--yes", "--target", "tenant_current", "--target", "tenant_ghost")
    assert r.exit_code == 0, r.output
    found = tables_by_schema(db)
    assert found.keys() == set(TENANTS)  # the template schema is not where tenants' migrations land
    assert found["tenant_current"] == found["tenant_ghost"] == {"users", "posts", "tags", "trueup_schema_history"}
    assert found["tenant_behind"] == {"users", "trueup_schema_history"}
    assert versions(db, "tenant_current") == [1, 2, 3, 4] and versions(db, "tenant_behind") == [1]
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("DROP TABLE tenant_ghost.tags")  # V3 made it: a ghost

    code, by_name = findings(cfg)
    assert code == 1
    assert by_name["tenant_current"]["findings"] == []
    assert by_name["tenant_current"]["history"]["version"] == "V4"
    assert sorted((f["problem"], f["object"]) for f in by_name["tenant_behind"]["findings"]) == [
        ("pending", "V2"), ("pending", "V3"), ("pending", "V4")]
    ghost = by_name["tenant_ghost"]["findings"]
    assert [(f["problem"], f["object"]) for f in ghost] == [("ghost", "V3")]
    assert "table tenant_ghost.tags" in ghost[0]["detail"]  # named in the tenant's own schema
    text = migrate(cfg, "status")
    assert "tenants: 2 at V4, 1 at V1 (latest: V4)" in text.output

    r = migrate(cfg, "up", "--yes", "--format", "json")  # the one behind catches up; the view's query
    assert r.exit_code == 0, r.output                      # resolves in its own schema
    applied = {t["name"]: t["applied"] for t in json.loads(r.stdout)["targets"]}
    assert applied == {"tenant_current": [], "tenant_behind": ["V2", "V3", "V4"], "tenant_ghost": []}
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT DISTINCT d.refobjid::regclass::text FROM pg_depend d"
                            " JOIN pg_rewrite w ON w.oid = d.objid WHERE w.ev_class = 'tenant_behind.named_users'::regclass"
                            " AND d.refobjid <> w.ev_class").fetchall() == [("tenant_behind.users",)]
    r = migrate(cfg, "repair", "--yes")  # the ghost's table made again, in its own schema
    assert r.exit_code == 0, r.output
    assert "tags" in tables_by_schema(db)["tenant_ghost"] and tables_by_schema(db).keys() == set(TENANTS)
    code, by_name = findings(cfg)
    assert code == 0, by_name
    assert {n: d["history"]["version"] for n, d in by_name.items()} == dict.fromkeys(TENANTS, "V4")
    # the audit judges each tenant against what the migrations build; each tenant's history
    # table (in its own schema) is bookkeeping, not an unexpected table
    r = CliRunner().invoke(cli, ["audit", "-c", str(cfg), "--format", "json"])
    assert r.exit_code == 0, r.output


def test_a_failed_concurrent_index_is_cleaned_up_in_its_own_schema_only(make_db: Callable[..., str], pg_url: str,
                                                                        tmp_path: Path) -> None:
    """A `-- trueup:no-transaction` migration's CREATE INDEX CONCURRENTLY that fails leaves an
    invalid index, which the retry drops first: the tenant's own, never another tenant's index of
    that name (which may be one being built right now by that tenant's migration)."""
    db = make_db("CREATE SCHEMA tenant_a; CREATE SCHEMA tenant_b;")
    cfg = tenant_project(tmp_path, pg_url, db, "public")
    for path in (tmp_path / "migrations").glob("V[2-9]__*.sql"):
        path.unlink()
    (tmp_path / "migrations" / "V2__unique_emails.sql").write_text(
        "-- trueup:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n")
    assert migrate(cfg, "up", "--yes", "--to", "V1").exit_code == 0
    with psycopg.connect(db, autocommit=True) as conn:
        for t in ("tenant_a", "tenant_b"):
            conn.execute(f"INSERT INTO {t}.users VALUES (1, 'same'), (2, 'same')")  # type: ignore[arg-type]
        with pytest.raises(psycopg.errors.UniqueViolation):  # leaves tenant_b's invalid index behind
            conn.execute("CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON tenant_b.users (email)")
    r = migrate(cfg, "up", "--yes", "--target", "tenant_a")
    assert r.exit_code == 2 and "migration V2" in r.output and "23505" in r.output
    with psycopg.connect(db) as conn:
        invalid = conn.execute("SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                               " WHERE NOT i.indisvalid ORDER BY 1").fetchall()
    assert ("tenant_b.users_email_key",) in invalid
