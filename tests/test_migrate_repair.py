"""`trueup migrate repair`, `baseline` and `new`: ghosts re-created (never dropping anything) or
unrecorded, changed checksums re-stamped, a baseline recorded only where the schema matches."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner, Result
from test_history import MIGRATIONS, build, config, record, write_folder

from trueup.cli.main import cli
from trueup.fleet.journal import SqliteJournal


def run(cfg: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["migrate", *args, "-c", str(cfg)])


def status_of(cfg: Path) -> dict[str, Any]:
    r = run(cfg, "status", "--format", "json")
    return {d["location"].rsplit("/", 1)[1]: d for d in json.loads(r.stdout)["databases"]}


def name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def ghost_fleet(make_db: Callable[..., str], pg_url: str, tmp_path: Path,
                size: int = 50) -> tuple[list[str], list[str], Path]:
    """``size`` databases at Laravel's third migration, whose `tags` table (the third's) was
    dropped: a ghost in each → (the migrations' keys, the databases, the config)."""
    folder, keys = write_folder(tmp_path, "laravel")
    dbs = [make_db() for _ in range(size)]
    for db in dbs:
        build(db, MIGRATIONS, 3)
        record(db, "laravel", folder, keys, 3)
        with psycopg.connect(db, autocommit=True) as conn:
            conn.execute("DROP TABLE tags")
    return keys, dbs, config(tmp_path, pg_url, folder, "laravel", dbs)


def all_but_one_repaired(r: Result, tmp_path: Path, broken: str, reason: str) -> dict[str, Any]:
    """A fleet's repair where every target but ``broken`` was repaired: it failed (``reason`` in
    its error), the others went on (exit 2), and the journal says so target by target."""
    assert r.exit_code == 2, r.output
    data: dict[str, Any] = json.loads(r.stdout)
    total = len(data["targets"])
    assert data["summary"]["repaired"] == total - 1 and data["summary"]["failed"] == 1
    failed = next(t for t in data["targets"] if t["status"] == "failed")
    assert failed["location"].endswith(name(broken)) and reason in failed["error"]
    journal = SqliteJournal(tmp_path / ".trueup" / "journal.sqlite")
    try:
        states = journal.states(data["summary"]["run"])
        assert sorted(s for s, _ in states.values()).count("repaired") == total - 1
        assert states[("app", name(broken))][0] == "failed"
    finally:
        journal.close()
    return data


def test_repair_recreates_ghosts_across_a_fleet_and_reports_the_one_that_fails(
        make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    keys, dbs, cfg = ghost_fleet(make_db, pg_url, tmp_path)
    broken = dbs[23]
    with psycopg.connect(broken, autocommit=True) as conn:  # its re-creation cannot succeed
        conn.execute("CREATE VIEW tags AS SELECT 'x'::text AS name")
    data = all_but_one_repaired(run(cfg, "repair", "--yes", "--format", "json"), tmp_path, broken, "tags")
    repaired = next(t for t in data["targets"] if t["status"] == "repaired")
    assert repaired["migrations"] == [keys[2]] and any("CREATE TABLE" in s for s in repaired["statements"])
    assert not any("DROP" in s for t in data["targets"] for s in t["statements"])
    after = status_of(cfg)
    assert [n for n, d in after.items() if d["findings"]] == [name(broken)]
    with psycopg.connect(dbs[0]) as conn:
        assert conn.execute("SELECT count(*) FROM migrations").fetchone() == (3,)  # history kept


def test_unrecord_across_a_fleet_forgets_each_ghost_and_reports_the_one_that_fails(
        make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    keys, dbs, cfg = ghost_fleet(make_db, pg_url, tmp_path)
    broken = dbs[31]
    with psycopg.connect(broken, autocommit=True) as conn:  # its history rows cannot be deleted
        conn.execute("CREATE FUNCTION keep_history() RETURNS trigger LANGUAGE plpgsql AS"
                     " $$BEGIN RAISE EXCEPTION 'the history is append-only'; END$$;"
                     " CREATE TRIGGER keep_history BEFORE DELETE ON migrations"
                     " FOR EACH ROW EXECUTE FUNCTION keep_history()")
    data = all_but_one_repaired(run(cfg, "repair", "--unrecord", "--yes", "--format", "json"), tmp_path, broken,
                                "append-only")
    unrecorded = [t for t in data["targets"] if t["status"] == "repaired"]
    assert all(t["migrations"] == [keys[2]] and len(t["statements"]) == 1 and "DELETE" in t["statements"][0]
               for t in unrecorded)
    for db in (dbs[0], dbs[-1]):
        with psycopg.connect(db) as conn:
            assert [m for (m,) in conn.execute("SELECT migration FROM migrations ORDER BY id")] == keys[:2]
    with psycopg.connect(broken) as conn:  # the failed one's transaction left its rows as they were
        assert [m for (m,) in conn.execute("SELECT migration FROM migrations ORDER BY id")] == keys
    after = status_of(cfg)  # the application's tool will run the third migration again
    for n, d in after.items():
        found = {(f["problem"], f["object"]) for f in d["findings"]}
        assert (("ghost", keys[2]) in found) == (n == name(broken))
        assert (("pending", keys[2]) in found) == (n != name(broken))


def test_unrecord_forgets_the_ghosts_history_row(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    folder, keys = write_folder(tmp_path, "laravel")
    db = make_db()
    build(db, MIGRATIONS, 3)
    record(db, "laravel", folder, keys, 3)
    with psycopg.connect(db, autocommit=True) as conn:
        conn.execute("DROP TABLE posts")
    cfg = config(tmp_path, pg_url, folder, "laravel", [db])
    assert run(cfg, "repair").exit_code == 2  # not a terminal: refused without --yes
    r = run(cfg, "repair", "--unrecord", "--yes")
    assert r.exit_code == 0, r.output
    with psycopg.connect(db) as conn:
        rows = [m for (m,) in conn.execute("SELECT migration FROM migrations ORDER BY id")]
    assert rows == [keys[0], keys[2]]
    found = {(f["problem"], f["object"]) for f in status_of(cfg)[name(db)]["findings"]}
    assert ("pending", keys[1]) in found and not any(p == "ghost" for p, _ in found)


def test_accept_checksums_restamps_flyways_record(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    folder, keys = write_folder(tmp_path, "flyway")
    db = make_db()
    build(db, MIGRATIONS, 3)
    record(db, "flyway", folder, keys, 3)
    (folder / "V2__create_posts.sql").write_text(MIGRATIONS[1][1] + "-- reviewed\n")
    cfg = config(tmp_path, pg_url, folder, "flyway", [db])
    assert [f["problem"] for f in status_of(cfg)[name(db)]["findings"]] == ["checksum_mismatch"]
    r = run(cfg, "repair", "--accept-checksums", "--yes")
    assert r.exit_code == 0, r.output
    assert status_of(cfg)[name(db)]["findings"] == []


def test_baseline_records_only_where_the_schema_matches(make_db: Callable[..., str], pg_url: str,
                                                       tmp_path: Path) -> None:
    folder, _ = write_folder(tmp_path, "trueup")
    matching, other = make_db(), make_db()
    build(matching, MIGRATIONS, 2)
    build(other, MIGRATIONS, 1)
    cfg = config(tmp_path, pg_url, folder, "trueup", [matching, other])
    r = run(cfg, "baseline", "V2", "--yes")
    assert r.exit_code == 2
    assert "does not match V2: missing table public.posts" in r.output
    with psycopg.connect(matching) as conn:
        assert conn.execute("SELECT version FROM trueup_schema_history ORDER BY 1").fetchall() == [(1,), (2,)]
    with psycopg.connect(other) as conn:
        assert conn.execute("SELECT to_regclass('trueup_schema_history')").fetchone() == (None,)
    assert [(f["problem"], f["object"]) for f in status_of(cfg)[name(matching)]["findings"]] == [("pending", "V3")]
    assert run(cfg, "baseline", "V2", "--yes").exit_code == 2  # already has history: refused


def test_new_creates_the_next_numbered_file(tmp_path: Path, pg_url: str) -> None:
    cfg = tmp_path / "trueup.toml"
    cfg.write_text('[groups.app]\nmigrations = { dir = "db" }\ntargets = ["postgresql://x/y"]\n')
    r = CliRunner().invoke(cli, ["migrate", "new", "Create users!", "-c", str(cfg)])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip().endswith("V1__create_users.sql") and (tmp_path / "db" / "V1__create_users.sql").exists()
    r = CliRunner().invoke(cli, ["migrate", "new", "add posts", "-c", str(cfg)])
    assert r.stdout.strip().endswith("V2__add_posts.sql")
    r = CliRunner().invoke(cli, ["migrate", "new", "!!!", "-c", str(cfg)])
    assert r.exit_code == 2 and "makes no file name" in r.stderr


def test_migrate_diff_writes_the_next_migration_and_nothing_when_in_step(pg_url: str, tmp_path: Path) -> None:
    folder, _ = write_folder(tmp_path, "trueup")
    (tmp_path / "schema.sql").write_text("".join(sql for _, sql in MIGRATIONS[:2])
                                         + "CREATE TABLE comments (id int PRIMARY KEY, body text);\n")
    cfg = tmp_path / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{pg_url}"\n[groups.app]\ndesired = "schema.sql"\n'
                   f'migrations = {{ dir = "{folder.name}" }}\ntargets = ["postgresql://x/y"]\n')
    r = CliRunner().invoke(cli, ["migrate", "diff", "add comments", "-c", str(cfg)])
    assert r.exit_code == 1, r.output
    written = Path(r.stdout.strip())
    assert written.name == "V4__add_comments.sql"
    sql = written.read_text()
    assert "CREATE TABLE public.comments" in sql
    # V3 added users.name and tags, which schema.sql does not have: dropping them deletes data
    assert "-- DROP TABLE public.tags" in sql and "hazard: deletes_data" in sql
    (folder / "V4__add_comments.sql").write_text(sql.replace("-- DROP", "DROP").replace("-- ALTER TABLE", "ALTER TABLE"))
    r = CliRunner().invoke(cli, ["migrate", "diff", "again", "-c", str(cfg)])
    assert r.exit_code == 0, r.output
    assert "nothing written" in r.stderr and not (folder / "V5__again.sql").exists()
