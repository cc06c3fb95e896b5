"""Foreign-data wrappers, servers, user mappings, foreign tables, event triggers, publications
and default privileges in the audit: a target missing one is drifted (before these kinds were
read, it was reported in sync), and a user mapping's password never leaves the server: not in
the inspection, a snapshot, a diff, a plan, an apply's output nor an audit report."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from fleetdata import audit, findings

from trueup.cli.main import cli

READER = "trueup_test_reader"
BASE = ("CREATE TABLE t (id int PRIMARY KEY, a text);\n"
        "CREATE FUNCTION evf() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;\n")
W = "CREATE FOREIGN DATA WRAPPER w;\n"
S = W + "CREATE SERVER s FOREIGN DATA WRAPPER w OPTIONS (host 'a.example');\n"

#: kind -> (its finding category, the DDL the target lacks, the DDL both have before it, the object named)
MISSING = {
    "foreign_data_wrapper": ("foreign_data", W, "", "w"),
    "foreign_server": ("foreign_data", "CREATE SERVER s FOREIGN DATA WRAPPER w;", W, "s"),
    "user_mapping": ("foreign_data", f"CREATE USER MAPPING FOR {READER} SERVER s OPTIONS (user 'bob');", S,
                     f"{READER}.s"),
    "foreign_table": ("foreign_data", "CREATE FOREIGN TABLE ft (id int) SERVER s;", S, "public.ft"),
    "event_trigger": ("event_trigger", "CREATE EVENT TRIGGER et ON ddl_command_end EXECUTE FUNCTION evf();", "",
                      "et"),
    "publication": ("publication", "CREATE PUBLICATION p FOR TABLE t;", "", "p"),
    "default_privilege": ("default_privilege", f"ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {READER};",
                          "", f"{READER}.SELECT"),
}


def _config(folder: Path, scratch: str, desired: str, target: str) -> Path:
    (folder / "desired.sql").write_text(desired)
    cfg = folder / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{scratch}"\n\n[groups.app]\ndesired = "desired.sql"\ntargets = ["{target}"]\n')
    return cfg


@pytest.mark.parametrize("kind", sorted(MISSING))
def test_target_missing_the_object_is_drifted(kind: str, make_db: Callable[..., str], pg_url: str,
                                              tmp_path: Path) -> None:
    category, ddl, before, name = MISSING[kind]
    target = make_db(BASE + before)
    code, data, err = audit(_config(tmp_path, pg_url, BASE + before + ddl, target))
    assert code == 1, err
    got = [(f["category"], f["problem"], f["object"]) for f in findings(data, data["databases"][0]["name"])]
    assert len(got) == 1 and got[0][:2] == (category, "missing") and got[0][2].endswith(name), got


OLD_SECRET, NEW_SECRET = "old-Hunter2-xyzzy", "new-Sw0rdfish-plugh"
MAPPING = ("CREATE USER MAPPING FOR {role} SERVER s OPTIONS (user 'bob', password '{pw}', "
           "sslpassword '{pw}-ssl', passfile '/tmp/{pw}.pass');\n")


def _no_secret(text: str) -> None:
    for secret in (OLD_SECRET, NEW_SECRET):
        assert secret not in text


def _run(*args: str, stderr: bool = True) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.stdout + (result.stderr if stderr else "")


def test_user_mapping_secrets_never_leave_the_server(make_db: Callable[..., str], pg_url: str,
                                                      tmp_path: Path) -> None:
    old = make_db(S + MAPPING.format(role=READER, pw=OLD_SECRET))
    new = make_db(S + MAPPING.format(role=READER, pw=NEW_SECRET) + MAPPING.format(role="PUBLIC", pw=NEW_SECRET))
    bare = make_db(S)
    # the inspection, as SQL and as a snapshot, knows the secret options by name only
    for url in (old, new):
        _no_secret(_run("inspect", url))
        snap = tmp_path / "snap.json"
        _no_secret(_run("inspect", url, "--format", "json", "-o", str(snap)))
        text = snap.read_text()
        _no_secret(text)
        assert "password" in text  # (by name)
        assert _run("diff", str(snap), url, stderr=False).strip() == ""  # the snapshot reads back whole
    # two mappings whose secrets differ cannot be told apart: the plan changes only what is known
    out = _run("diff", old, new, "--allow-destructive")
    _no_secret(out)
    assert "FOR PUBLIC SERVER s" in out and f"FOR {READER}" not in out
    # a mapping that must be created with a secret: a placeholder, commented out, under needs_input
    for fmt in ("sql", "json"):
        _no_secret(_run("diff", bare, new, "--format", fmt, "--allow-destructive"))
    sql = _run("diff", bare, new, "--allow-destructive")
    assert "-- hazard: needs_input" in sql
    assert ("-- CREATE USER MAPPING FOR PUBLIC SERVER s OPTIONS (\"user\" 'bob', passfile '<passfile: fill in>',"
            " password '<password: fill in>', sslpassword '<sslpassword: fill in>');") in sql
    assert "\nCREATE USER MAPPING" not in sql  # (never runnable)
    # the audit's report and plan, and an apply, where the target lacks the mappings
    desired = S + MAPPING.format(role=READER, pw=NEW_SECRET)
    cfg = _config(tmp_path, pg_url, desired, bare)
    for fmt in ("json", "text", "html", "junit"):
        _no_secret(_run("audit", "-c", str(cfg), "--format", fmt))
    code, data, _ = audit(cfg)
    assert code == 1
    [finding] = findings(data, data["databases"][0]["name"])
    assert finding["category"] == "foreign_data" and "needs_input" in finding["hazards"]
    for fmt in ("text", "sql", "json"):
        _no_secret(_run("plan", "-c", str(cfg), "--allow-destructive", "--format", fmt))
    _no_secret(_run("apply", "-c", str(cfg), "--allow-destructive", "--yes"))
    with psycopg.connect(bare) as conn:  # the statement holding the placeholder never ran
        assert conn.execute("SELECT count(*) FROM pg_user_mappings").fetchone() == (0,)


def test_a_secret_dropped_from_a_mapping_is_destructive(make_db: Callable[..., str]) -> None:
    old = make_db(S + MAPPING.format(role=READER, pw=OLD_SECRET))
    new = make_db(S + f"CREATE USER MAPPING FOR {READER} SERVER s OPTIONS (user 'bob');")
    out = json.loads(_run("diff", old, new, "--format", "json", stderr=False))
    [change] = out["changes"]
    assert change["kind"] == "user_mapping" and "deletes_data" in change["hazards"] and change["skipped"]
    _no_secret(json.dumps(out))


def test_a_server_recreated_under_a_mapping_with_a_secret_waits_whole(make_db: Callable[..., str]) -> None:
    # the mapping must be dropped and created again with its password: nothing of it may run,
    # neither the mapping's drop (its secret would be lost) nor the server's (the mapping holds it)
    mapping = MAPPING.format(role=READER, pw=OLD_SECRET)
    old = make_db(W + "CREATE SERVER s TYPE 'a' FOREIGN DATA WRAPPER w;\n" + mapping)
    new = make_db(W + "CREATE SERVER s TYPE 'b' FOREIGN DATA WRAPPER w;\n" + mapping)
    out = json.loads(_run("diff", old, new, "--format", "json", "--allow-destructive", stderr=False))
    kinds = [c["kind"] for c in out["changes"]]
    assert kinds[0] == "user_mapping" and kinds[-1] == "user_mapping" and "foreign_server" in kinds, kinds
    assert all(c["skipped"] and "needs_input" in c["hazards"] for c in out["changes"])
    assert out["statements"] == 0
    _no_secret(json.dumps(out))


def test_a_mapping_whose_options_are_hidden_may_fail() -> None:
    from trueup.engines.interface.generators import Context
    from trueup.engines.postgres.kinds.foreign import UserMappingSQL
    from trueup.model import DbObject, ObjectId, Schema

    oid = ObjectId("user_mapping", (READER, "s"))
    old = DbObject(oid, {"options": [], "secret_keys": [], "hidden": True})
    new = DbObject(oid, {"options": ["user=bob"], "secret_keys": []})
    empty = Schema.build("postgresql", [])
    result = UserMappingSQL().alter(old, new, Context(empty, empty))
    assert result is not None
    [statement] = result.statements
    assert statement.sql == f"ALTER USER MAPPING FOR {READER} SERVER s OPTIONS (ADD \"user\" 'bob')"
    assert "may_fail" in [h.value for h in statement.hazards]
