"""Stored probes: an audit of an unchanged target reuses the last probe (no fingerprint query),
a change is seen once its counts land, a drifted target is always measured again, ``--rescan``
and ``[state] cache = false`` measure everything, and a damaged store costs nothing but time."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from fleetdata import audit, by_object, findings, write_config
from test_audit import tenant_schemas

import trueup.engines.postgres.fleet_ops.session as session_module
import trueup.fleet.audit as audit_module
from trueup.cli.main import cli
from trueup.config import load_config
from trueup.engines.interface.session import Token
from trueup.engines.postgres.fleet_ops.change_token import MIN_SERVER_VERSION, change_token
from trueup.engines.postgres.fleet_ops.fingerprint import fingerprint, schema_fingerprints
from trueup.engines.postgres.inspect import inspect_connection
from trueup.fleet.probe_store import FileProbeStore, Probe, decode_value, encode_value


@pytest.fixture(autouse=True)
def needs_pg15(pg_version: int) -> None:
    if pg_version < MIN_SERVER_VERSION:
        pytest.skip("change tokens need PostgreSQL 15 (statistics in shared memory)")


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every fingerprint the audit computes: (whole database: None | the schemas)."""
    calls: list[Any] = []
    real_fp, real_schemas = fingerprint, schema_fingerprints

    def fp(conn: Any, schemas: Any = None, **kw: Any) -> Any:
        calls.append(None)
        return real_fp(conn, schemas, **kw)

    def schema_fps(conn: Any, schemas: Any, more: Any = (), **kw: Any) -> Any:
        calls.append(sorted(schemas))
        return real_schemas(conn, schemas, more, **kw)

    monkeypatch.setattr(session_module, "fingerprint", fp)
    monkeypatch.setattr(session_module, "schema_fingerprints", schema_fps)
    return calls


def tenants_config(fleet: dict[str, Any]) -> Path:
    cfg: Path = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    return cfg


def wait_for_counts(url: str, before: Token | None, tables: Sequence[str] = ("public.team_roles",)) -> None:
    """The database's token has moved (the change was made by :func:`counted`, or on a session
    that called ``pg_stat_force_next_flush()``: its counts are in the statistics already)."""
    with psycopg.connect(url, autocommit=True) as conn:
        assert change_token(conn, tables) != before, "the change never reached the statistics"


def counted(url: str, sql: str) -> None:
    """Run ``sql`` on a session of its own, its counts flushed to the statistics before it ends
    (a closed session's would land a moment after it closed)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]
        conn.execute("SELECT pg_stat_force_next_flush()")


def current_token(url: str) -> Token | None:
    with psycopg.connect(url, autocommit=True) as conn:
        return change_token(conn, ("public.team_roles",))


def uncounted(url: str, sql: str) -> None:
    """Change the database without its statistics seeing it (a superuser's session with
    track_counts off): the documented blind spot, here to make the flush delay deterministic."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET track_counts = off")
        conn.execute(sql)  # type: ignore[arg-type]


def test_an_unchanged_fleet_is_not_fingerprinted_again(fleet: dict[str, Any], measured: list[Any]) -> None:
    cfg = tenants_config(fleet)
    code, first, err = audit(cfg, "--group", "tenants")
    assert code == 0, err
    assert measured == [None, None, None, None]  # the desired state, then each tenant
    measured.clear()
    code, again, err = audit(cfg, "--group", "tenants")
    assert code == 0, err
    assert measured == []
    first["summary"].pop("seconds"), again["summary"].pop("seconds")
    assert again == first
    text = CliRunner().invoke(cli, ["audit", "-c", str(cfg), "--group", "tenants"]).stdout
    assert "3 known unchanged since their last audit by their change tokens" in text
    measured.clear()
    # --rescan and [state] cache = false measure everything (the desired state comes from its
    # cache in the first case, from a scratch database in the second)
    audit(cfg, "--group", "tenants", "--rescan")
    assert measured == [None, None, None]
    measured.clear()
    cfg.write_text(cfg.read_text() + "\n[state]\ncache = false\n")
    audit(cfg, "--group", "tenants")
    assert measured == [None, None, None, None]


def test_a_change_is_seen_once_counted(fleet: dict[str, Any]) -> None:
    cfg = tenants_config(fleet)
    t1 = list(fleet["tenants"])[1]
    url = fleet["tenants"][t1]
    assert audit(cfg, "--group", "tenants")[0] == 0
    before = current_token(url)
    counted(url, "DROP INDEX projects_name_idx; UPDATE team_roles SET can_manage = true WHERE name = 'Viewer'")
    wait_for_counts(url, before)
    code, data, err = audit(cfg, "--group", "tenants")
    assert code == 1, err
    assert set(by_object(data, t1)) == {"public.projects_name_idx", "public.team_roles[name=Viewer]"}
    assert [d["status"] for d in data["databases"]].count("in_sync") == 2


def test_a_drifted_target_is_inspected_again(fleet: dict[str, Any], measured: list[Any]) -> None:
    cfg = tenants_config(fleet)
    t0 = next(iter(fleet["tenants"]))
    url = fleet["tenants"][t0]
    counted(url, "DROP INDEX projects_name_idx; DELETE FROM team_roles WHERE name = 'Viewer'")
    wait_for_counts(url, None)
    code, data, _ = audit(cfg, "--group", "tenants")
    assert code == 1 and len(findings(data, t0)) == 2
    before = current_token(url)
    # repaired by a session the statistics do not see yet: the token stays the same...
    uncounted(url, "CREATE INDEX projects_name_idx ON projects (name);"
                   "INSERT INTO team_roles (name, can_manage) VALUES ('Viewer', false)")
    assert current_token(url) == before
    measured.clear()
    code, data, err = audit(cfg, "--group", "tenants")
    # ...but what had drifted is inspected (and its rows read) again, so the repair shows at once
    assert code == 0, (err, data)
    assert measured == []  # inspected straight away: the fingerprint would not spare it
    # a plan records the fingerprint it is made from: that one is measured
    result = CliRunner().invoke(cli, ["plan", "-c", str(cfg), "--group", "tenants", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert measured == [None]
    measured.clear()
    result = CliRunner().invoke(cli, ["plan", "-c", str(cfg), "--group", "tenants", "--rescan"])
    assert result.exit_code == 0, result.output
    assert measured == [None, None, None]


def test_rescan_sees_what_the_statistics_do_not(fleet: dict[str, Any]) -> None:
    cfg = tenants_config(fleet)
    t2 = list(fleet["tenants"])[2]
    url = fleet["tenants"][t2]
    assert audit(cfg, "--group", "tenants")[0] == 0
    before = current_token(url)
    uncounted(url, "ALTER TABLE projects ADD COLUMN legacy text")
    assert current_token(url) == before
    assert audit(cfg, "--group", "tenants")[0] == 0  # the documented blind spot
    code, data, _ = audit(cfg, "--group", "tenants", "--rescan")
    assert code == 1 and list(by_object(data, t2)) == ["public.projects.legacy"]


def test_tenant_schemas_reuse_the_probe_of_those_in_sync(make_db: Callable[..., str], pg_url: str, tmp_path: Path,
                                                         measured: list[Any]) -> None:
    cfg = tenant_schemas(make_db, pg_url, tmp_path, 4, "DROP INDEX tenant_2.projects_name_idx;"
                         "DELETE FROM tenant_3.team_roles WHERE name = 'Viewer'", refdata=True)
    config = load_config(cfg)
    first = audit_module.run_audit(config)
    assert measured[-1] == ["tenant_0", "tenant_1", "tenant_2", "tenant_3"]
    url = str(config.groups["tenants"].discover.server)  # type: ignore[union-attr]
    measured.clear()
    again = audit_module.run_audit(config)
    assert measured == [["tenant_2"]]  # only the drifted schema's fingerprint is read again
    assert [(r.name, r.status, [f.object for f in r.findings]) for r in again.results] == [
        (r.name, r.status, [f.object for f in r.findings]) for r in first.results]
    tables = [f"tenant_{i}.team_roles" for i in range(4)]
    with psycopg.connect(url, autocommit=True) as conn:
        before = change_token(conn, tables)
        conn.execute("ALTER TABLE tenant_0.projects ADD COLUMN legacy text")
        conn.execute("SELECT pg_stat_force_next_flush()")
    wait_for_counts(url, before, tables)
    measured.clear()
    third = {r.name: r for r in audit_module.run_audit(config).results}
    assert measured == [["tenant_0", "tenant_1", "tenant_2", "tenant_3"]]
    assert [f.object for f in third["tenant_0"].findings] == ["tenant_0.projects.legacy"]


def test_a_damaged_store_is_ignored_and_replaced(fleet: dict[str, Any], measured: list[Any]) -> None:
    cfg = tenants_config(fleet)
    assert audit(cfg, "--group", "tenants")[0] == 0
    files = list((fleet["dir"] / ".trueup" / "cache" / "probes").glob("*.json"))
    assert len(files) == 1
    files[0].write_text('{"code": "x", "entr')
    measured.clear()
    assert audit(cfg, "--group", "tenants")[0] == 0
    assert measured == [None, None, None]
    measured.clear()
    assert audit(cfg, "--group", "tenants")[0] == 0
    assert measured == []


@pytest.mark.parametrize("value", [
    None, True, 3, 2.5, "text", Decimal("12.50"), uuid.UUID(int=7), dt.date(2024, 2, 29),
    dt.datetime(2024, 2, 29, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))), dt.datetime(2024, 1, 1),
    dt.time(8, 15, 1), dt.timedelta(days=2, seconds=5), b"\x00\xff", {"$": "json", "v": [1]}, [1, "a", None],
])
def test_row_values_read_back_as_the_same_type(value: Any) -> None:
    back = decode_value(encode_value(value))
    assert back == value and type(back) is type(value)


def test_a_probe_with_an_unstorable_value_is_not_kept(tmp_path: Path) -> None:
    store = FileProbeStore(tmp_path / "p.json", "code")
    token = Token(1, "t")
    store.put("k", token, Probe({None: "fp"}, {(None, "roles"): [{"addr": object()}]}))
    store.put("k2", token, Probe({None: "fp"}, {(None, "roles"): [{"n": Decimal(1)}]}))
    store.save()
    again = FileProbeStore(tmp_path / "p.json", "code")
    assert again.get("k", token) is None
    assert again.get("k2", token) == Probe({None: "fp"}, {(None, "roles"): [{"n": Decimal(1)}]})
    assert again.get("k2", Token(1, "other")) is None and again.get("k2", Token(2, "t")) is None
    assert FileProbeStore(tmp_path / "p.json", "other code").get("k2", token) is None


def test_probes_kept_in_the_state_database_serve_another_machine(fleet: dict[str, Any], make_db: Callable[..., str],
                                                                 measured: list[Any], tmp_path: Path) -> None:
    # two CI runners: each its own checkout (no local files in common), one state database
    state = make_db()
    cfg = tenants_config(fleet)
    cfg.write_text(cfg.read_text() + f'\n[state]\nurl = "{state}"\n')
    assert audit(cfg, "--group", "tenants")[0] == 0
    assert measured == [None, None, None, None]
    other = tmp_path / "runner2"
    other.mkdir()
    for name in ("trueup.toml", "tenant.sql", "control.sql", "roles.toml"):
        (other / name).write_text((fleet["dir"] / name).read_text())
    measured.clear()
    assert audit(other / "trueup.toml", "--group", "tenants")[0] == 0
    assert measured == [None]  # the desired state (no local cache here); no tenant
    assert not (other / ".trueup" / "cache" / "probes").exists()
    with psycopg.connect(state) as conn:
        assert conn.execute("SELECT count(*) FROM trueup.probes").fetchone() == (3,)


def test_an_unreachable_state_database_only_costs_time(fleet: dict[str, Any], measured: list[Any]) -> None:
    cfg = tenants_config(fleet)
    cfg.write_text(cfg.read_text() + '\n[state]\nurl = "postgresql://postgres@127.0.0.1:1/nowhere"\n')
    for desired in ([None], []):  # loaded, then from the local desired-state cache
        measured.clear()
        code, data, err = audit(cfg, "--group", "tenants")
        assert code == 0, err
        assert measured == [*desired, None, None, None] and data["summary"]["in_sync"] == 3


def test_reference_tables_named_in_mixed_case_and_values_json_cannot_hold(
        make_db: Callable[..., str], pg_url: str, tmp_path: Path, measured: list[Any]) -> None:
    # "TeamRoles" needs quoting to be found; numeric[] reads as a list of Decimals, which the
    # store cannot write back exactly: that target is measured every time, and audited right
    schema = ('CREATE TABLE "TeamRoles" (name text PRIMARY KEY, limits numeric[]);'
              "INSERT INTO \"TeamRoles\" VALUES ('Owner', '{1.5,2}');")
    url = make_db(schema)
    (tmp_path / "tenant.sql").write_text(schema.split(";")[0] + ";")
    (tmp_path / "roles.toml").write_text('[tables."public.TeamRoles"]\nkey = ["name"]\n'
                                         'rows = [{ name = "Owner", limits = [1.5, 2] }]\n')
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{pg_url}"\n[groups.t]\ndesired = "tenant.sql"\n'
                   f'reference_data = "roles.toml"\ntargets = ["{url}"]\n')
    for _ in range(2):
        measured.clear()
        code, data, err = audit(cfg)
        assert code == 0, (err, data)
        assert measured[-1:] == [None]  # the target, both times
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("""UPDATE "TeamRoles" SET limits = '{1}'""")
    code, data, err = audit(cfg)
    assert code == 1, (err, data)
    [finding] = data["databases"][0]["findings"]
    assert finding["object"] == "public.TeamRoles[name=Owner]"
    assert 'UPDATE public."TeamRoles" SET limits = ARRAY[1.5, 2]' in finding["fix"]
    with psycopg.connect(url, autocommit=True) as conn:  # the fix repairs it
        conn.execute(finding["fix"])
    assert audit(cfg)[0] == 0


def test_a_reference_table_created_later_is_watched(fleet: dict[str, Any]) -> None:
    # the first audit finds no team_roles table; once it exists, a change of its rows must still
    # move the token (the OIDs reused from one reading to the next are looked up afresh)
    cfg = tenants_config(fleet)
    t1 = list(fleet["tenants"])[1]
    url = fleet["tenants"][t1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE team_roles RENAME TO old_roles")
    code, data, _ = audit(cfg, "--group", "tenants")
    assert code == 1 and "public.team_roles[name=Owner]" in by_object(data, t1)
    before = current_token(url)
    counted(url, "ALTER TABLE old_roles RENAME TO team_roles")
    wait_for_counts(url, before)
    assert audit(cfg, "--group", "tenants")[0] == 0
    assert audit(cfg, "--group", "tenants")[0] == 0  # now from the store
    before = current_token(url)
    counted(url, "UPDATE team_roles SET can_manage = NOT can_manage WHERE name = 'Owner'")
    wait_for_counts(url, before)
    code, data, _ = audit(cfg, "--group", "tenants")
    assert code == 1 and list(by_object(data, t1)) == ["public.team_roles[name=Owner]"]


def test_a_new_release_is_measured_and_inspected_once(fleet: dict[str, Any], measured: list[Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # every tenant was in sync; the desired state changes: all drift alike. Their fingerprints
    # are measured (not taken from the store) so that one inspection serves all three
    cfg = tenants_config(fleet)
    assert audit(cfg, "--group", "tenants")[0] == 0
    tenant_sql = fleet["dir"] / "tenant.sql"
    tenant_sql.write_text(tenant_sql.read_text() + "\nCREATE TABLE audit_log (id bigint PRIMARY KEY);\n")
    inspected: list[Any] = []
    real = inspect_connection

    def spy(conn: Any, schemas: Any = None, **kwargs: Any) -> Any:
        inspected.append(schemas)
        return real(conn, schemas, **kwargs)

    monkeypatch.setattr(session_module, "inspect_connection", spy)
    measured.clear()
    code, data, _ = audit(cfg, "--group", "tenants")
    assert code == 1
    # the new desired state, each tenant, and the control group's desired state (its layer
    # tells whether an unexpected object belongs there)
    assert measured == [None] * 5
    assert len(inspected) == 3  # the two desired states, then one tenant for all three
    for name in fleet["tenants"]:
        assert list(by_object(data, name)) == ["public.audit_log"]
