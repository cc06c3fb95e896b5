"""The audit sees range types, collations, extended statistics and rules: a target without one
(or with one that differs) is drifted, never "in sync", in both fingerprint modes (a database,
a schema per tenant), and the finding's fix repairs it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from fleetdata import audit, by_object

from trueup.engines.postgres.fleet_ops.fingerprint import fingerprint, schema_fingerprints

BASE = "CREATE TABLE t (id int PRIMARY KEY, a int, b int, name text);\n"

#: per kind: the object's DDL, its name in findings, its category, and a variant that differs
KINDS = {
    "range": ("CREATE TYPE floatrange AS RANGE (subtype = float8);", "public.floatrange", "type",
              "CREATE TYPE floatrange AS RANGE (subtype = float8, multirange_type_name = floatranges);"),
    "collation": ("CREATE COLLATION cc (provider = libc, locale = 'C');", "public.cc", "collation",
                  "CREATE COLLATION cc (provider = libc, locale = 'POSIX');"),
    "statistics": ("CREATE STATISTICS t_ab ON a, b FROM t;", "public.t_ab", "statistics",
                   "CREATE STATISTICS t_ab (ndistinct) ON a, b FROM t;"),
    "rule": ("CREATE RULE t_notify AS ON INSERT TO t DO ALSO NOTIFY t_changed;", "public.t.t_notify", "rule",
             "CREATE RULE t_notify AS ON UPDATE TO t DO ALSO NOTIFY t_changed;"),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_target_missing_the_object_is_drifted_and_the_fix_repairs_it(
        kind: str, make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    ddl, name, category, _ = KINDS[kind]
    (tmp_path / "desired.sql").write_text(BASE + ddl)
    whole, missing = make_db(BASE + ddl), make_db(BASE)
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f"""
[scratch]
url = "{pg_url}"
[groups.g]
desired = "desired.sql"
targets = [{{ name = "whole", url = "{whole}" }}, {{ name = "missing", url = "{missing}" }}]
""")
    code, data, err = audit(cfg)
    assert code == 1, (err, data)
    status = {d["name"]: d["status"] for d in data["databases"]}
    assert status == {"whole": "in_sync", "missing": "drift"}
    f = by_object(data, "missing")
    assert set(f) == {name}, f
    assert (f[name]["category"], f[name]["problem"]) == (category, "missing")
    with psycopg.connect(missing, autocommit=True) as conn:
        conn.execute(f[name]["fix"])
    code, data, err = audit(cfg)
    assert code == 0, (err, data)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_fingerprints_see_the_object_and_its_definition(kind: str, make_db: Callable[..., str]) -> None:
    ddl, _, _, other = KINDS[kind]

    def fps(url: str) -> tuple[str, str]:
        with psycopg.connect(url, autocommit=True) as conn:
            return fingerprint(conn), schema_fingerprints(conn, ["public"])["public"]

    with_it, again, without, changed = (fps(make_db(sql)) for sql in
                                        (BASE + ddl, BASE + ddl, BASE, BASE + other))
    assert with_it == again
    for fp in (without, changed):
        assert fp[0] != with_it[0] and fp[1] != with_it[1]


def test_schema_per_tenant_sees_the_kinds(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    every = BASE + "\n".join(k[0] for k in KINDS.values())
    (tmp_path / "tenant.sql").write_text(every)
    url = make_db("".join(f"CREATE SCHEMA tenant_{i}; SET search_path = tenant_{i}; {every} RESET search_path;"
                          for i in range(len(KINDS) + 1)))
    drop = {"range": "DROP TYPE {s}.floatrange", "collation": "DROP COLLATION {s}.cc",
            "statistics": "DROP STATISTICS {s}.t_ab", "rule": "DROP RULE t_notify ON {s}.t"}
    with psycopg.connect(url, autocommit=True) as conn:
        for i, kind in enumerate(sorted(KINDS), start=1):
            conn.execute(drop[kind].format(s=f"tenant_{i}"))  # type: ignore[arg-type]
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f"""
[scratch]
url = "{pg_url}"
[groups.tenants]
desired = "tenant.sql"
discover = {{ server = "{url}", schemas = "tenant_%" }}
""")
    code, data, err = audit(cfg)
    assert code == 1, err
    assert by_object(data, "tenant_0") == {}
    for i, kind in enumerate(sorted(KINDS), start=1):
        _, name, category, _ = KINDS[kind]
        f = by_object(data, f"tenant_{i}")
        found = name.replace("public.", f"tenant_{i}.", 1)
        assert set(f) == {found}, (kind, f)
        assert (f[found]["category"], f[found]["problem"]) == (category, "missing")
