"""Target names: discovered databases whose names need quoting reach the server as they are,
and two targets of a group never share a name (nor a stored probe)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from conftest import db_url
from fleetdata import CONTROL, SEED_ROLES, TENANT, audit

from trueup.engines.postgres import ENGINE


def _config(tmp_path: Path, pg_url: str, groups: str) -> Path:
    (tmp_path / "tenant.sql").write_text(TENANT)
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{pg_url}"\n{groups}')
    return cfg


def test_discovered_names_with_spaces_quotes_and_accents(make_db: Callable[..., str], pg_url: str,
                                                         tmp_path: Path) -> None:
    prefix = f"trueup_test_{os.getpid()}_{secrets.token_hex(3)}"
    odd = [f"{prefix} with space", f'{prefix}_q"uote', f"{prefix}_été", f"{prefix}_it's"]
    for name in odd:
        make_db(TENANT + SEED_ROLES, name=name)
    control = make_db(CONTROL)  # (not matched by the pattern)
    with psycopg.connect(control, autocommit=True) as conn:
        for i, name in enumerate(odd):
            conn.execute("INSERT INTO tenant_databases VALUES (%s, %s, 'active')", (f"tenant{i}", name))
    query = "SELECT slug AS name, database_name AS database FROM tenant_databases"
    cfg = _config(tmp_path, pg_url, f"""
[groups.control]
desired = "control.sql"
targets = ["{control}"]
[groups.by_name]
desired = "tenant.sql"
discover = {{ server = "{pg_url}", databases = "{prefix}%" }}
[groups.registry]
desired = "tenant.sql"
discover = {{ registry = "control", server = "{pg_url}", query = "{query}" }}
""")
    (tmp_path / "control.sql").write_text(CONTROL)
    code, data, err = audit(cfg, "--group", "by_name", "--group", "registry")
    assert code == 0, (err, data)
    by_group: dict[str, list[str]] = {}
    for d in data["databases"]:
        assert d["status"] == "in_sync", d
        by_group.setdefault(d["group"], []).append(d["name"])
    assert sorted(by_group["by_name"]) == sorted(odd)
    assert sorted(by_group["registry"]) == [f"tenant{i}" for i in range(4)]
    # a drift in one of them is found there, and apply repairs it
    with psycopg.connect(db_url(pg_url, odd[1]), autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx")
    code, data, _ = audit(cfg, "--group", "by_name")
    assert code == 1
    drifted = [d for d in data["databases"] if d["status"] == "drift"]
    assert [d["name"] for d in drifted] == [odd[1]]
    assert drifted[0]["findings"][0]["object"] == "public.projects_name_idx"


def test_two_targets_that_would_share_a_name_are_an_error_naming_both(make_db: Callable[..., str], pg_url: str,
                                                                      tmp_path: Path) -> None:
    url = make_db(TENANT + SEED_ROLES)
    name = ENGINE.database_name(url)
    other_user = url.replace("postgres@", "trueup_test_reader@", 1)
    other_host = url.replace("127.0.0.1", "localhost", 1)
    assert other_user != url and other_host != url
    for second in (other_user, other_host):
        cfg = _config(tmp_path, pg_url, f"""
[groups.tenants]
desired = "tenant.sql"
targets = ["{url}", "{second}"]
""")
        code, data, _ = audit(cfg)
        assert code == 2
        [entry] = data["databases"]
        assert entry["status"] == "error" and f"would both be named '{name}'" in entry["error"]
        assert ENGINE.location(url) in entry["error"] and ENGINE.location(second) in entry["error"]
        assert "name them" in entry["hint"]


def test_the_same_database_listed_twice_is_one_target(make_db: Callable[..., str], pg_url: str,
                                                      tmp_path: Path) -> None:
    url = make_db(TENANT + SEED_ROLES)
    cfg = _config(tmp_path, pg_url, f"""
[groups.tenants]
desired = "tenant.sql"
targets = ["{url}", "{url}"]
discover = {{ server = "{pg_url}", databases = "{ENGINE.database_name(url)}" }}
""")
    code, data, err = audit(cfg)
    assert code == 0, err
    assert [d["name"] for d in data["databases"]] == [ENGINE.database_name(url)]


def test_named_targets_on_one_database_keep_a_probe_each(make_db: Callable[..., str], pg_url: str,
                                                          tmp_path: Path) -> None:
    url = make_db(TENANT + SEED_ROLES)
    as_reader = url.replace("postgres@", "trueup_test_reader@", 1)
    with psycopg.connect(url, autocommit=True) as conn:  # the reader may log in and read the catalog
        conn.execute("ALTER ROLE trueup_test_reader LOGIN")
    try:
        cfg = _config(tmp_path, pg_url, f"""
[groups.tenants]
desired = "tenant.sql"
targets = [{{ name = "as_admin", url = "{url}" }}, {{ name = "as_reader", url = "{as_reader}" }}]
""")
        code, data, err = audit(cfg)
        assert code == 0, err
        assert sorted(d["name"] for d in data["databases"]) == ["as_admin", "as_reader"]
        [store] = (tmp_path / ".trueup" / "cache" / "probes").glob("*.json")
        assert len(json.loads(store.read_text())["entries"]) == 2
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER ROLE trueup_test_reader NOLOGIN")


def test_a_registry_listing_one_name_twice_is_an_error(make_db: Callable[..., str], pg_url: str,
                                                       tmp_path: Path) -> None:
    first, second = make_db(TENANT + SEED_ROLES), make_db(TENANT + SEED_ROLES)
    control = make_db(CONTROL)
    with psycopg.connect(control, autocommit=True) as conn:
        for url in (first, second):
            conn.execute("INSERT INTO tenant_databases VALUES (%s, %s, 'active')",
                         (f"acme-{ENGINE.database_name(url)}", ENGINE.database_name(url)))
    query = "SELECT 'acme' AS name, database_name AS database FROM tenant_databases"
    (tmp_path / "control.sql").write_text(CONTROL)
    cfg = _config(tmp_path, pg_url, f"""
[groups.control]
desired = "control.sql"
targets = ["{control}"]
[groups.tenants]
desired = "tenant.sql"
discover = {{ registry = "control", server = "{pg_url}", query = "{query}" }}
""")
    code, data, _ = audit(cfg, "--group", "tenants")
    assert code == 2
    entry: dict[str, Any] = data["databases"][0]
    assert "would both be named 'acme'" in entry["error"]
    for url in (first, second):
        assert ENGINE.database_name(url) in entry["error"]
