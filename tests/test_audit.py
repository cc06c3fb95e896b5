"""trueup audit against real databases: discovery, findings, layers, reference data, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from conftest import flush_statistics
from fleetdata import DRIFT_ALL, REFDATA, SEED_ROLES, TENANT, audit, by_object, findings, write_config
from test_cli import assert_one_line_error

from trueup.cli.main import cli
from trueup.engines.postgres import ENGINE


def test_in_sync_fleet_exits_0(fleet: dict[str, Any]) -> None:
    cfg = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    code, data, err = audit(cfg)
    assert code == 0, (err, data)
    assert data["summary"]["databases"] == 4 and data["summary"]["in_sync"] == 4
    assert {d["status"] for d in data["databases"]} == {"in_sync"}


def test_every_finding_category(fleet: dict[str, Any]) -> None:
    t0, t1, _ = fleet["tenants"]
    with psycopg.connect(fleet["tenants"][t1], autocommit=True) as conn:
        conn.execute(DRIFT_ALL + "ALTER TYPE status ADD VALUE 'maybe';")
    cfg = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    code, data, _ = audit(cfg)
    assert code == 1
    f = by_object(data, t1)
    expected = {
        "public.tenant_settings": ("table", "missing"),
        "public.projects.name": ("column", "different"),
        "public.projects.legacy": ("column", "unexpected"),
        "public.projects_name_idx": ("index", "missing"),
        "public.projects.projects_touch": ("trigger", "missing"),
        "public.projects.projects_all": ("policy", "missing"),
        "public.projects": ("rls", "missing"),
        "table public.projects": ("comment", "missing"),
        "public.team_roles.name_len": ("constraint", "unexpected"),
        "public.touch()": ("function", "different"),
        "public.status": ("type", "different"),
        "public.stray_seq": ("sequence", "unexpected"),
        "extra": ("schema", "unexpected"),
        "public.project_names": ("view", "missing"),
        "table public.projects: SELECT to trueup_test_reader": ("grant", "unexpected"),
        "public.schema_tables": ("layer", "unexpected"),
        "public.team_roles[name=Owner]": ("reference_data", "different"),
        "public.team_roles[name=Viewer]": ("reference_data", "missing"),
        "public.team_roles[name=Intruder]": ("reference_data", "unexpected"),
    }
    for obj, (category, problem) in expected.items():
        assert obj in f, (obj, sorted(f))
        assert (f[obj]["category"], f[obj]["problem"]) == (category, problem), f[obj]
    assert f["public.schema_tables"]["detail"] == f"public.schema_tables belongs to group control, found in {t1}"
    assert "ALTER TABLE public.projects ALTER COLUMN name SET DEFAULT 'untitled'::text" in f["public.projects.name"]["fix"]
    assert f["public.projects.legacy"]["hazards"] == ["deletes_data"]
    assert "CREATE TABLE public.tenant_settings" in f["public.tenant_settings"]["fix"]
    assert "DELETE FROM public.team_roles WHERE name = 'Intruder'" in f["public.team_roles[name=Intruder]"]["fix"]
    categories = {x["category"] for x in findings(data, t1)}
    assert categories == {"table", "column", "index", "trigger", "policy", "rls", "comment", "constraint",
                          "function", "type", "sequence", "schema", "view", "grant", "layer", "reference_data"}
    assert findings(data, t0) == []
    summary = data["summary"]
    assert summary["drift"] == 1 and summary["in_sync"] == 3
    assert summary["groups"]["tenants"]["drift"] == 1
    # every fix really repairs its finding
    url = fleet["tenants"][t1]
    with psycopg.connect(url, autocommit=True) as conn:
        for finding in findings(data, t1):
            if finding["category"] != "layer" and finding["object"] != "public.status":
                conn.execute(finding["fix"])
    code, data, _ = audit(cfg)
    left = {x["object"] for x in findings(data, t1)}
    assert left == {"public.schema_tables", "public.status"}, left


def test_layer_mixup_reverse(fleet: dict[str, Any]) -> None:
    with psycopg.connect(fleet["control"], autocommit=True) as conn:
        conn.execute("CREATE TABLE tenant_settings (key text PRIMARY KEY, value jsonb)")
    cfg = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    code, data, _ = audit(cfg, "--group", "control")
    assert code == 1
    control_name = ENGINE.database_name(fleet["control"])
    f = by_object(data, control_name)["public.tenant_settings"]
    assert f["category"] == "layer" and "belongs to group tenants" in f["detail"]


def test_registry_discovery(fleet: dict[str, Any]) -> None:
    query = "SELECT slug AS name, database_name AS database FROM tenant_databases WHERE status = 'active'"
    cfg = write_config(fleet, f'{{ registry = "control", query = "{query}", server = "{fleet["server"]}" }}')
    code, data, err = audit(cfg, "--group", "tenants")
    assert code == 0, err
    assert sorted(d["name"] for d in data["databases"]) == ["tenant0", "tenant1", "tenant2"]


def test_registry_row_with_missing_database_is_an_error(fleet: dict[str, Any]) -> None:
    with psycopg.connect(fleet["control"], autocommit=True) as conn:
        conn.execute("INSERT INTO tenant_databases VALUES ('ghost', 'trueup_test_ghost_db', 'active')")
    query = "SELECT slug AS name, database_name AS database FROM tenant_databases"
    cfg = write_config(fleet, f'{{ registry = "control", query = "{query}", server = "{fleet["server"]}" }}')
    code, data, _ = audit(cfg, "--group", "tenants")
    assert code == 2
    ghost = next(d for d in data["databases"] if d["name"] == "ghost")
    assert ghost["status"] == "error" and "does not exist" in ghost["error"]
    assert data["summary"]["in_sync"] == 3


def test_registry_query_that_fails(fleet: dict[str, Any]) -> None:
    cfg = write_config(fleet, f'{{ registry = "control", query = "SELECT * FROM no_such_table", '
                              f'server = "{fleet["server"]}" }}')
    code, data, _ = audit(cfg)
    assert code == 2
    err = next(d for d in data["databases"] if d["group"] == "tenants")
    assert err["status"] == "error" and "no_such_table" in err["error"] and "discovery failed" in err["error"]
    assert next(d for d in data["databases"] if d["group"] == "control")["status"] == "in_sync"


def test_explicit_targets_with_unreachable_and_wrong_password(fleet: dict[str, Any], password_server: str) -> None:
    cfg = fleet["dir"] / "trueup.toml"
    good = list(fleet["tenants"].values())
    bad_pw = password_server.format(password="nope-secret")
    cfg.write_text(f"""
[scratch]
url = "{fleet['server']}"
[groups.tenants]
desired = "tenant.sql"
targets = ["{good[0]}", {{ name = "down", url = "postgresql://postgres@127.0.0.1:1/x" }},
           {{ name = "badpw", url = "{bad_pw}" }}, "{good[1]}"]
""")
    code, data, _ = audit(cfg)
    assert code == 2
    status = {d["name"]: d for d in data["databases"]}
    assert status["down"]["status"] == "error" and "cannot reach" in status["down"]["error"]
    assert status["badpw"]["status"] == "error" and "password authentication failed" in status["badpw"]["error"]
    assert "nope-secret" not in json.dumps(data)
    assert sum(1 for d in data["databases"] if d["status"] == "in_sync") == 2


def tenant_schemas(make_db: Callable[..., str], pg_url: str, folder: Path, n: int, drift: str,
                   refdata: bool = False) -> Path:
    """A database of ``n`` tenant schemas ``tenant_<i>`` (with ``drift`` run on it) and a config
    auditing them against the tenant schema; returns the config's path."""
    (folder / "tenant.sql").write_text(TENANT)
    (folder / "roles.toml").write_text(REFDATA)
    seed = SEED_ROLES if refdata else ""
    url = make_db("".join(f"CREATE SCHEMA tenant_{i}; SET search_path = tenant_{i}; {TENANT} {seed}" for i in range(n))
                  + "RESET search_path;")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(drift)  # type: ignore[arg-type]
        # (a closed session's counts land a moment after it closed: an audit's change token read
        # in that moment would see the catalogs' counts move later, and every schema re-measured)
        flush_statistics(conn)
    cfg = folder / "trueup.toml"
    cfg.write_text(f"""
[scratch]
url = "{pg_url}"
[groups.tenants]
desired = "tenant.sql"
{'reference_data = "roles.toml"' if refdata else ""}
discover = {{ server = "{url}", schemas = "tenant_%" }}
""")
    return cfg


def test_schema_per_tenant(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    cfg = tenant_schemas(make_db, pg_url, tmp_path, 4, "DROP INDEX tenant_2.projects_name_idx;"
                         "DELETE FROM tenant_3.team_roles WHERE name = 'Viewer';"
                         "ALTER TABLE tenant_1.projects ALTER COLUMN name DROP DEFAULT;", refdata=True)
    code, data, err = audit(cfg)
    assert code == 1, err
    assert [d["name"] for d in data["databases"]] == ["tenant_0", "tenant_1", "tenant_2", "tenant_3"]
    assert findings(data, "tenant_0") == []
    assert [(f["category"], f["object"]) for f in findings(data, "tenant_1")] == [("column", "tenant_1.projects.name")]
    f2 = findings(data, "tenant_2")
    assert [(f["category"], f["problem"], f["object"]) for f in f2] == [("index", "missing", "tenant_2.projects_name_idx")]
    assert "ON tenant_2.projects" in f2[0]["fix"]
    assert [(f["category"], f["object"]) for f in findings(data, "tenant_3")] == [
        ("reference_data", "tenant_3.team_roles[name=Viewer]")]


def test_tenant_schemas_drifted_alike_are_inspected_once(make_db: Callable[..., str], pg_url: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import trueup.engines.postgres.fleet_ops.session as session_module
    import trueup.fleet.audit as audit_module
    from trueup.config import load_config
    from trueup.engines.postgres.inspect import inspect_connection

    cfg = tenant_schemas(make_db, pg_url, tmp_path, 5, "DROP INDEX tenant_1.projects_name_idx;"
                         "DROP INDEX tenant_2.projects_name_idx; DROP INDEX tenant_3.projects_name_idx;"
                         "ALTER TABLE tenant_4.projects ADD COLUMN legacy text")
    inspected: list[list[str]] = []
    real = inspect_connection

    def spy(conn: Any, schemas: Any = None, **kwargs: Any) -> Any:
        inspected.append(list(schemas or []))
        return real(conn, schemas, **kwargs)

    monkeypatch.setattr(session_module, "inspect_connection", spy)
    result = audit_module.run_audit(load_config(cfg), plans=True)
    # the desired state, then one representative of each distinct drift
    assert sorted(inspected[-1]) == ["tenant_1", "tenant_4"], inspected
    by_name = {r.name: r for r in result.results}
    assert by_name["tenant_0"].status == "in_sync"
    for i in (1, 2, 3):
        r = by_name[f"tenant_{i}"]
        assert [(f.category, f.problem, f.object) for f in r.findings] == [
            ("index", "missing", f"tenant_{i}.projects_name_idx")]
        assert f"ON tenant_{i}.projects" in r.findings[0].fix
        assert any(f"ON tenant_{i}.projects" in s.sql for s in r.statements)
        assert not any("tenant_1." in s.sql for s in r.statements) or i == 1
    assert [(f.category, f.problem, f.object) for f in by_name["tenant_4"].findings] == [
        ("column", "unexpected", "tenant_4.projects.legacy")]


def test_ignore_rules(fleet: dict[str, Any]) -> None:
    name, url = next(iter(fleet["tenants"].items()))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA auth; CREATE TABLE auth.users (id int); CREATE TABLE public.spatial_ref_sys (x int);"
                     "CREATE SCHEMA audit_x; CREATE TABLE audit_x.log (id int);")
    cfg = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{name}" }}')
    text = cfg.read_text() + '\n[groups.tenants.ignore]\npreset = "supabase"\nschemas = ["audit_*"]\n' \
                             'objects = ["table:public.spatial_ref_sys"]\n'
    cfg.write_text(text)
    code, data, err = audit(cfg, "--group", "tenants")
    assert code == 0, (err, data)


def test_target_filter_and_text_output(fleet: dict[str, Any]) -> None:
    cfg = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    one = next(iter(fleet["tenants"]))
    with psycopg.connect(fleet["tenants"][one], autocommit=True) as conn:
        conn.execute("DROP TABLE tenant_settings")
    result = CliRunner().invoke(cli, ["audit", "-c", str(cfg), "--target", "*_t0"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "tenant_settings" in result.stdout and "DRIFT" in result.stdout and one in result.stdout
    assert "Next:" in result.stdout


@pytest.mark.parametrize("body, needle", [
    ("[groups.a]\ntargets = []\n", "groups.a: a group needs 'targets' or 'discover'"),
    ("[groups.a]\ntargets = [\"postgresql://x/y\"]\n", "groups.a: a group needs 'desired' or 'migrations'"),
    ("[groups.a]\ntargets = [\"postgresql://x/y\"]\nmigrations = { dir = \"m\", history = \"rails\" }\n", "groups.a.migrations.history"),
    ('[groups.a]\ndesired = "x.sql"\n', "groups.a: a group needs 'targets' or 'discover'"),
    ('[groups.a]\ndesired = "x.sql"\ntargets = ["u"]\ncolour = 1\n', "groups.a.colour: unknown key"),
    ('[groups.a]\ndesired = "x.sql"\ndiscover = { server = "u" }\n', "discover needs one of"),
    ('[groups.a]\ndesired = "${TRUEUP_TEST_UNSET_VAR}"\ntargets = ["u"]\n', "TRUEUP_TEST_UNSET_VAR is not set"),
    ("[groups.a\n", "invalid TOML"),
    ("", "groups: required key is missing"),
])
def test_config_errors(tmp_path: Path, body: str, needle: str) -> None:
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(body)
    result = CliRunner().invoke(cli, ["audit", "-c", str(cfg)], catch_exceptions=False)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, str(cfg), needle)


def test_missing_config_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", "-c", str(tmp_path / "nope.toml")], catch_exceptions=False)
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, "no such config file")


def test_env_expansion(fleet: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUEUP_TEST_SERVER", fleet["server"])
    cfg = write_config(fleet, '{ server = "${TRUEUP_TEST_SERVER}", databases = "' + fleet["prefix"] + '_t%" }')
    code, data, _ = audit(cfg, "--group", "tenants")
    assert code == 0 and data["summary"]["databases"] == 3


def test_json_shape_is_stable(fleet: dict[str, Any]) -> None:
    _name, url = next(iter(fleet["tenants"].items()))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE tenant_settings")
    cfg = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    _, data, _ = audit(cfg)
    assert set(data) == {"summary", "databases"}
    assert set(data["summary"]) == {"databases", "in_sync", "drift", "error", "findings", "categories", "groups",
                                    "seconds"}
    assert set(data["summary"]["groups"]["tenants"]) == {"databases", "in_sync", "drift", "error", "categories"}
    for db in data["databases"]:
        assert set(db) - {"error"} == {"group", "name", "location", "status", "findings"}
        for f in db["findings"]:
            assert set(f) == {"category", "problem", "object", "detail", "hazards", "fix"}


def test_desired_state_cache(fleet: dict[str, Any]) -> None:
    """The second run takes the desired states from the cache; a changed source, or a damaged
    entry, is loaded afresh."""
    cfg = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    cache = fleet["dir"] / ".trueup" / "cache"
    assert audit(cfg)[0] == 0
    entries = sorted(cache.glob("*.json"))
    assert len(entries) == 2  # control and tenants
    inodes = {p: p.stat().st_ino for p in entries}
    assert audit(cfg)[0] == 0
    assert {p: p.stat().st_ino for p in sorted(cache.glob("*.json"))} == inodes  # read, not rewritten
    # the tenants' desired state gains a table: a new entry, and every tenant now lacks it
    (fleet["dir"] / "tenant.sql").write_text(TENANT + "CREATE TABLE audit_log (id int);")
    code, data, _ = audit(cfg)
    assert code == 1
    assert len(list(cache.glob("*.json"))) == 3
    for t in fleet["tenants"]:
        assert by_object(data, t)["public.audit_log"]["problem"] == "missing"
    # damaged entries are ignored and replaced
    for p in cache.glob("*.json"):
        p.write_text("{not json")
    code, data, err = audit(cfg)
    assert code == 1, err
    rewritten = [p for p in cache.glob("*.json") if p.read_text().startswith("{\"")]
    assert len(rewritten) == 2  # the two in use (the entry of the old tenant.sql is left as it was)
    assert all(json.loads(p.read_text())["fingerprint"] for p in rewritten)


def test_desired_cache_keeps_the_entries_used_last(tmp_path: Path) -> None:
    import os

    from trueup.model import Schema
    from trueup.sources import cache as desired_cache

    model = Schema.build("postgresql", [], server_version=150000)
    for i in range(desired_cache.KEEP + 5):
        desired_cache.put(tmp_path, f"k{i:02d}", model, f"fp{i}")
        os.utime(tmp_path / f"k{i:02d}.json", (1_000_000 + i, 1_000_000 + i))
    desired_cache.prune(tmp_path)
    kept = sorted(p.stem for p in tmp_path.glob("*.json"))
    assert kept == [f"k{i:02d}" for i in range(5, desired_cache.KEEP + 5)]
    # a hit marks the entry used: the oldest one survives the next prune once read
    assert desired_cache.get(tmp_path, "k05") is not None
    desired_cache.put(tmp_path, "new", model, "fp")
    left = {p.stem for p in tmp_path.glob("*.json")}
    assert len(left) == desired_cache.KEEP and "k05" in left and "new" in left and "k06" not in left
    assert not list(tmp_path.glob(".tmp-*"))
