"""`trueup migrate up`: trueup's own migrations applied to a fleet, each in a transaction with its
history row, stopping a target at its first failure (recorded as failed), with a dry run, the
confirmation rules of `apply`, canaries and `--resume`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner, Result

from trueup.cli.main import cli
from trueup.history.checksums import sha256_hex

V1 = "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL);\n"
V2 = "CREATE TABLE posts (id int PRIMARY KEY, user_id int REFERENCES users);\nCREATE INDEX posts_user ON posts (user_id);\n"
V3 = "ALTER TABLE users ADD COLUMN name text;\n"


def project(root: Path, scratch: str, targets: list[str], files: dict[str, str] | None = None) -> Path:
    folder = root / "migrations"
    folder.mkdir(exist_ok=True)
    for name, body in (files or {"V1__create_users.sql": V1, "V2__create_posts.sql": V2,
                                 "V3__add_names.sql": V3}).items():
        (folder / name).write_text(body)
    listed = ", ".join(f'"{t}"' for t in targets)
    cfg = root / "trueup.toml"
    cfg.write_text(f'[scratch]\nurl = "{scratch}"\n\n[groups.app]\nmigrations = {{ dir = "migrations" }}\n'
                   f"targets = [{listed}]\n")
    return cfg


def up(cfg: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["migrate", "up", "-c", str(cfg), *args])


def history(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT version, name, checksum, success, applied_by, duration_ms >= 0"
                            " FROM trueup_schema_history ORDER BY version").fetchall()


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def test_a_fleet_at_different_versions_is_brought_up(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    fresh, behind, current = make_db(), make_db(), make_db()
    cfg = project(tmp_path, pg_url, [fresh, behind, current])
    assert up(cfg, "--yes", "--target", f"*{current.rsplit('_', 1)[1]}").exit_code == 0
    r = up(cfg, "--yes", "--to", "V1", "--target", f"*{behind.rsplit('_', 1)[1]}")
    assert r.exit_code == 0, r.output
    assert [row[0] for row in history(behind)] == [1]
    r = up(cfg, "--yes", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    by_name = {t["location"].rsplit("/", 1)[1]: t for t in data["targets"]}
    assert by_name[fresh.rsplit("/", 1)[1]]["applied"] == ["V1", "V2", "V3"]
    assert by_name[behind.rsplit("/", 1)[1]]["applied"] == ["V2", "V3"]
    assert by_name[current.rsplit("/", 1)[1]]["status"] == "unchanged"
    folder = tmp_path / "migrations"
    for db in (fresh, behind, current):
        assert tables(db) >= {"users", "posts", "trueup_schema_history"}
        rows = history(db)
        assert [(v, c, ok, adm) for v, _, c, ok, _, adm in rows] == [
            (i, sha256_hex(next(folder.glob(f"V{i}__*.sql")).read_bytes()), True, True) for i in (1, 2, 3)]
        assert {by for *_, by, _ in rows} == {"postgres"}
    status = CliRunner().invoke(cli, ["migrate", "status", "-c", str(cfg)])
    assert status.exit_code == 0, status.output
    assert "app: 3 at V3 (latest: V3)" in status.stdout


def test_a_failing_migration_is_recorded_failed_and_the_target_stops(make_db: Callable[..., str], pg_url: str,
                                                                     tmp_path: Path) -> None:
    db = make_db()
    broken = "CREATE TABLE posts (id int PRIMARY KEY);\nCREATE INDEX posts_user ON posts (no_such_column);\n"
    cfg = project(tmp_path, pg_url, [db], {"V1__create_users.sql": V1, "V2__create_posts.sql": broken,
                                          "V3__add_names.sql": V3})
    r = up(cfg, "--yes")
    assert r.exit_code == 2
    assert "migration V2" in r.output and "no_such_column" in r.output and "42703" in r.output
    assert [(v, ok) for v, _, _, ok, _, _ in history(db)] == [(1, True), (2, False)]
    assert "posts" not in tables(db)  # the failed migration's first statement rolled back with it
    assert "users" in tables(db)
    status = CliRunner().invoke(cli, ["migrate", "status", "-c", str(cfg), "--format", "json"])
    assert status.exit_code == 2  # the folder no longer replays: its ghosts cannot be judged
    entries = {d["name"]: d for d in json.loads(status.stdout)["databases"]}
    assert "replaying migration V2" in entries["(migrations)"]["error"]
    target = next(d for n, d in entries.items() if n != "(migrations)")
    found = {(f["problem"], f["object"]) for f in target["findings"]}
    assert found == {("failed", "V2"), ("pending", "V3")}
    (tmp_path / "migrations" / "V2__create_posts.sql").write_text(V2)
    r = up(cfg, "--yes")
    assert r.exit_code == 0, r.output
    assert [(v, ok) for v, _, _, ok, _, _ in history(db)] == [(1, True), (2, True), (3, True)]


def test_dry_run_and_confirmation_change_nothing(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    db = make_db()
    cfg = project(tmp_path, pg_url, [db])
    r = up(cfg, "--dry-run")
    assert r.exit_code == 1
    assert "would apply V1, V2, V3 (at nothing)" in r.output
    r = up(cfg)  # not a terminal: refuses without --yes
    assert r.exit_code == 2
    assert "refusing to migrate without --yes" in r.output
    assert tables(db) == set()


def test_bad_input_is_one_clear_error(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    db = make_db()
    cfg = project(tmp_path, pg_url, [db])
    r = up(cfg, "--yes", "--to", "V9")
    assert r.exit_code == 2 and "--to V9: no such migration" in r.output and "Traceback" not in r.output
    cfg.write_text(cfg.read_text().replace('migrations = { dir = "migrations" }',
                                           'migrations = { dir = "migrations", history = "laravel" }'))
    r = up(cfg, "--yes")
    assert r.exit_code == 2 and "runs trueup's own migrations only" in r.output
    r = up(cfg, "--yes", "--resume")
    assert r.exit_code == 2
    assert tables(db) == set()


def test_a_failed_canary_stops_the_rollout_and_resume_finishes_it(make_db: Callable[..., str], pg_url: str,
                                                                 tmp_path: Path) -> None:
    dbs = [make_db() for _ in range(4)]
    broken = "CREATE TABLE posts (id int REFERENCES nowhere);\n"
    cfg = project(tmp_path, pg_url, dbs, {"V1__create_users.sql": V1, "V2__create_posts.sql": broken})
    r = up(cfg, "--yes", "--canary", "1", "--format", "json")
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    assert data["summary"]["failed"] == 1 and data["summary"]["not_started"] == 3
    assert sum(1 for d in dbs if "users" in tables(d)) == 1
    (tmp_path / "migrations" / "V2__create_posts.sql").write_text(V2)
    r = CliRunner().invoke(cli, ["apply", "-c", str(cfg), "--yes", "--resume"])
    assert r.exit_code == 2 and "is a `trueup migrate up`, not an apply" in r.output
    r = up(cfg, "--yes", "--resume")
    assert r.exit_code == 0, r.output
    assert "resuming run" in r.output and "4 target(s) not finished" in r.output
    for d in dbs:
        assert [v for v, *_ in history(d)] == [1, 2]
    r = up(cfg, "--yes", "--resume")
    assert r.exit_code == 2 and "nothing to resume" in r.output


def test_a_no_transaction_migration_runs_outside_a_transaction(make_db: Callable[..., str], pg_url: str,
                                                               tmp_path: Path) -> None:
    db = make_db()
    cfg = project(tmp_path, pg_url, [db], {
        "V1__create_users.sql": V1,
        "V2__index_concurrently.sql": "-- trueup:no-transaction\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n"})
    r = up(cfg, "--yes")
    assert r.exit_code == 0, r.output
    assert [(v, ok) for v, _, _, ok, _, _ in history(db)] == [(1, True), (2, True)]
    with psycopg.connect(db) as conn:
        assert conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email'::regclass").fetchone() == (True,)


def test_killed_mid_migration_then_resumed(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    """SIGKILL while a migration waits inside its transaction: nothing of it lands (neither the
    migration nor its history row), the journal's run stays unfinished, and --resume finishes it."""
    import os
    import signal
    import subprocess
    import sys
    import time

    dbs = [make_db(), make_db()]
    cfg = project(tmp_path, pg_url, dbs)
    cfg.write_text(cfg.read_text() + "\n[apply]\nlock_timeout_ms = 600000\n")
    blocker = psycopg.connect(dbs[1])
    try:
        blocker.execute("CREATE TABLE posts (id int)")  # V2 waits for this open transaction's lock
        proc = subprocess.Popen([sys.executable, "-m", "trueup.cli.main", "migrate", "up", "-c", str(cfg), "--yes",
                                 "--concurrency", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        with psycopg.connect(dbs[1], autocommit=True) as watch:
            while time.monotonic() < deadline:  # until trueup's session waits for the lock
                if watch.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                 " AND wait_event_type = 'Lock'").fetchone() == (1,):
                    break
                assert proc.poll() is None, proc.communicate()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        blocker.rollback()
        blocker.close()
    assert [v for v, *_ in history(dbs[0])] == [1, 2, 3]
    with psycopg.connect(dbs[1], autocommit=True) as conn:  # the killed client's session ends on its own
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                     " AND pid <> pg_backend_pid()")
    assert [v for v, *_ in history(dbs[1])] == [1]
    assert "posts" not in tables(dbs[1])
    r = up(cfg, "--yes", "--resume")
    assert r.exit_code == 0, r.output
    assert "resuming run" in r.output and "1 target(s) not finished" in r.output
    assert [v for v, *_ in history(dbs[1])] == [1, 2, 3]


def test_resume_refuses_the_other_commands_unfinished_run(make_db: Callable[..., str], pg_url: str,
                                                           tmp_path: Path) -> None:
    """`migrate up --resume` never continues an interrupted apply, nor `apply --resume` an
    interrupted `migrate up`: each names the command that resumes it, and changes nothing."""
    from conftest import db_url, new_db_name

    missing = db_url(pg_url, new_db_name())  # never created: the canary fails, the run stays unfinished
    dbs = [make_db(), make_db()]
    cfg = project(tmp_path, pg_url, [missing, *dbs])
    r = CliRunner().invoke(cli, ["apply", "-c", str(cfg), "--yes", "--canary", "1"])
    assert r.exit_code == 2, r.output
    r = up(cfg, "--yes", "--resume")
    assert r.exit_code == 2
    assert "the last unfinished run (1) is a `trueup apply`, not a migrate up" in r.output
    assert "resume it with `trueup apply --resume`" in r.output and "Traceback" not in r.output
    assert all(tables(d) == set() for d in dbs)

    r = up(cfg, "--yes", "--canary", "1")
    assert r.exit_code == 2, r.output
    r = CliRunner().invoke(cli, ["apply", "-c", str(cfg), "--yes", "--resume"])
    assert r.exit_code == 2
    assert "the last unfinished run (2) is a `trueup migrate up`, not an apply" in r.output
    assert "resume it with `trueup migrate up --resume`" in r.output
    assert all(tables(d) == set() for d in dbs)
    r = up(cfg, "--yes", "--resume")  # its own command resumes it (the missing database still fails)
    assert r.exit_code == 2 and "resuming run 2 of the journal: 3 target(s) not finished" in r.output
    assert all(tables(d) >= {"users", "posts"} for d in dbs)
