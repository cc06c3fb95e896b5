"""trueup plan / apply against real databases: every safety rule, exercised."""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner
from conftest import db_url
from fleetdata import DRIFT_ALL, SEED_ROLES, TENANT, write_config
from test_cli import assert_one_line_error

from trueup.cli.main import cli
from trueup.engines.postgres import ENGINE


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner(env=env).invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def apply_json(cfg: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("apply", "-c", str(cfg), "--yes", "--format", "json", *args)
    assert out.strip().startswith("{"), err
    return code, json.loads(out)


def tenants_config(fleet: dict[str, Any], extra: str = "") -> Path:
    cfg: Path = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    cfg.write_text(cfg.read_text() + extra)
    return cfg


def db(fleet: dict[str, Any], i: int) -> tuple[str, str]:
    name = list(fleet["tenants"])[i]
    return name, fleet["tenants"][name]


def scalar(url: str, sql: str) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
    return row[0] if row else None





def test_apply_repairs_every_category(fleet: dict[str, Any]) -> None:
    name, url = db(fleet, 1)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DRIFT_ALL)
    cfg = tenants_config(fleet)
    code, data = apply_json(cfg, "--allow-destructive")
    assert code == 0, data
    assert data["summary"]["in_sync"] == 4 and data["summary"]["apply"]["applied"] == 1
    entry = next(d for d in data["databases"] if d["name"] == name)
    assert entry["status"] == "in_sync" and entry["apply_status"] == "applied"
    assert any("CREATE TABLE public.tenant_settings" in s for s in entry["applied"])
    assert scalar(url, "SELECT count(*) FROM team_roles WHERE name = 'Intruder'") == 0
    assert scalar(url, "SELECT can_manage FROM team_roles WHERE name = 'Owner'") is True
    assert scalar(url, "SELECT to_regclass('public.tenant_settings') IS NOT NULL") is True
    assert run("audit", "-c", str(cfg))[0] == 0


def test_destructive_changes_skipped_without_flag(fleet: dict[str, Any]) -> None:
    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE projects ADD COLUMN legacy text; DROP INDEX projects_name_idx;"
                     "INSERT INTO team_roles (name) VALUES ('Intruder'); INSERT INTO projects (legacy) VALUES ('x')")
    cfg = tenants_config(fleet)
    code, data = apply_json(cfg)
    assert code == 1
    entry = next(d for d in data["databases"] if d["name"] == name)
    assert entry["status"] == "drift"
    assert {f["object"] for f in entry["findings"]} == {"public.projects.legacy", "public.team_roles[name=Intruder]"}
    assert any("DROP COLUMN legacy" in s for s in entry["skipped"])
    assert any("DELETE FROM public.team_roles" in s for s in entry["skipped"])
    assert scalar(url, "SELECT legacy FROM projects") == "x"  # nothing lost
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx') IS NOT NULL") is True  # the rest applied


def test_failing_statement_rolls_back_everything(fleet: dict[str, Any], tmp_path: Path) -> None:
    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx; ALTER TABLE projects ALTER COLUMN name DROP NOT NULL;"
                     "INSERT INTO projects (name) VALUES (NULL)")
    cfg = tenants_config(fleet)
    code, data = apply_json(cfg)
    assert code == 2
    entry = next(d for d in data["databases"] if d["name"] == name)
    assert entry["apply_status"] == "failed"
    failed = entry["failed"][0]
    assert failed["sqlstate"] == "23502" and "SET NOT NULL" in failed["sql"]
    assert "NULL" in failed["cause"] and "23502" in entry["error"]
    assert entry["applied"] == []
    # the index creation earlier in the same transaction was rolled back too
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx')") is None
    others = [d for d in data["databases"] if d["name"] != name]
    assert all(d["status"] == "in_sync" for d in others)


def test_lock_timeout_against_live_traffic(fleet: dict[str, Any]) -> None:
    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE projects ALTER COLUMN name SET DEFAULT 'x'")
    cfg = tenants_config(fleet, "\n[apply]\nlock_timeout_ms = 100\nlock_retries = 2\n")
    holder = psycopg.connect(url)
    try:
        holder.execute("LOCK TABLE projects IN ACCESS SHARE MODE")  # an open read transaction
        t0 = time.monotonic()
        code, data = apply_json(cfg)
        assert code == 2
        entry = next(d for d in data["databases"] if d["name"] == name)
        assert entry["apply_status"] == "failed" and entry["attempts"] == 3
        assert entry["failed"][0]["sqlstate"] == "55P03" and "gave up after 3 attempts" in entry["error"]
        assert time.monotonic() - t0 < 60
        assert scalar(url, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'projects'::regclass"
                           " AND adnum = 2") == "'x'::text"
    finally:
        holder.close()
    code, _ = apply_json(cfg)
    assert code == 0


def test_second_apply_waits_then_names_the_holder(fleet: dict[str, Any]) -> None:
    name, url = db(fleet, 2)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx")
    cfg = tenants_config(fleet, "\n[apply]\nwait_for_lock_s = 1\n")
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("SET application_name = 'other deploy'")
        other.execute("SELECT pg_advisory_lock(hashtext('trueup:apply:'))")
        code, data = apply_json(cfg)
        assert code == 2
        entry = next(d for d in data["databases"] if d["name"] == name)
        assert "another apply holds the lock" in entry["error"] and "other deploy" in entry["error"]
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx')") is None
    assert apply_json(cfg)[0] == 0  # the lock went with the session


def test_two_concurrent_applies(fleet: dict[str, Any]) -> None:
    for _, url in fleet["tenants"].items():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP INDEX projects_name_idx; DROP TABLE tenant_settings")
    cfg = tenants_config(fleet)
    results: list[int] = []

    def one() -> None:
        proc = subprocess.run([sys.executable, "-m", "trueup.cli.main", "apply", "-c", str(cfg), "--yes"],
                              capture_output=True, text=True, timeout=300)
        results.append(proc.returncode)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r in (0, 2) for r in results), results
    assert run("audit", "-c", str(cfg))[0] == 0
    for _, url in fleet["tenants"].items():
        assert scalar(url, "SELECT count(*) FROM pg_indexes WHERE indexname = 'projects_name_idx'") == 1


def test_stale_plan_is_refused(fleet: dict[str, Any], tmp_path: Path) -> None:
    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx")
    cfg = tenants_config(fleet)
    plan_file = tmp_path / "plan.json"
    code, _, _ = run("plan", "-c", str(cfg), "--format", "json", "-o", str(plan_file))
    assert code == 1
    saved = json.loads(plan_file.read_text())
    assert saved["targets"][0]["name"] == name and saved["targets"][0]["fingerprint"]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE projects ADD COLUMN sneaky int")
    code, data = apply_json(cfg, "--plan", str(plan_file))
    assert code == 2
    entry = next(d for d in data["databases"] if d["name"] == name)
    assert entry["apply_status"] == "stale" and "plan again" in entry["error"]
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx')") is None


def test_saved_plan_applies_when_fresh(fleet: dict[str, Any], tmp_path: Path) -> None:
    for i in range(3):
        with psycopg.connect(db(fleet, i)[1], autocommit=True) as conn:
            conn.execute("DROP INDEX projects_name_idx")
    cfg = tenants_config(fleet)
    code, text, _ = run("plan", "-c", str(cfg))
    assert code == 1 and "3 targets: same 1 statement(s)" in text
    assert "CREATE INDEX projects_name_idx ON public.projects" in text
    plan_file = tmp_path / "plan.json"
    run("plan", "-c", str(cfg), "--format", "json", "-o", str(plan_file))
    assert len(json.loads(plan_file.read_text())["plans"]) == 1
    code, data = apply_json(cfg, "--plan", str(plan_file))
    assert code == 0 and data["summary"]["apply"]["applied"] == 3


def test_text_summary_groups_identical_rollouts(fleet: dict[str, Any]) -> None:
    for i in (0, 1):
        with psycopg.connect(db(fleet, i)[1], autocommit=True) as conn:
            conn.execute("DROP INDEX projects_name_idx")
    cfg = tenants_config(fleet)
    code, out, _ = run("apply", "-c", str(cfg), "--yes")
    assert code == 0
    assert "2 applied" in out and "  2 targets: the same 1 statement(s) applied" in out
    name, url = db(fleet, 2)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx")
    code, out, _ = run("apply", "-c", str(cfg), "--yes")
    assert code == 0 and f"  tenants/{name}: 1 statement(s) applied" in out


def test_refuses_without_yes_in_ci(fleet: dict[str, Any]) -> None:
    _name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx")
    cfg = tenants_config(fleet)
    proc = subprocess.run([sys.executable, "-m", "trueup.cli.main", "apply", "-c", str(cfg)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "CI": "true"},
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert_one_line_error(proc.stderr.split("\n", 1)[-1] if not proc.stderr.startswith("error") else proc.stderr,
                          "refusing to apply without --yes")
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx')") is None
    code, _out, err = run("apply", "-c", str(cfg), "--dry-run")
    assert code == 1 and "nothing applied" in err
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx')") is None


def test_reference_data_insert_update_and_exact_delete(fleet: dict[str, Any]) -> None:
    _name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE team_roles SET can_manage = false WHERE name = 'Owner';"
                     "DELETE FROM team_roles WHERE name = 'Viewer'; INSERT INTO team_roles (name) VALUES ('Intruder')")
    cfg = tenants_config(fleet)
    code, _ = apply_json(cfg)
    assert code == 1  # the extra row needs --allow-destructive
    rows: dict[str, bool] = dict(psycopg.connect(url).execute("SELECT name, can_manage FROM team_roles").fetchall())
    assert rows == {"Owner": True, "Viewer": False, "Intruder": False}
    code, _ = apply_json(cfg, "--allow-destructive")
    assert code == 0
    rows = dict(psycopg.connect(url).execute("SELECT name, can_manage FROM team_roles").fetchall())
    assert rows == {"Owner": True, "Viewer": False}


def test_canary_stops_on_failure(fleet: dict[str, Any]) -> None:
    for i in range(3):
        _name, url = db(fleet, i)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP INDEX projects_name_idx; ALTER TABLE projects ALTER COLUMN name DROP NOT NULL")
            if i == 0:
                conn.execute("INSERT INTO projects (name) VALUES (NULL)")  # the canary fails
    cfg = tenants_config(fleet)
    code, data = apply_json(cfg, "--canary", "1", "--concurrency", "1")
    assert code == 2
    status = {d["name"]: d.get("apply_status") for d in data["databases"] if d["group"] == "tenants"}
    assert list(status.values()).count("failed") == 1
    assert list(status.values()).count("not_started") == 2
    assert data["summary"]["apply"]["not_started"] == 2


def test_canary_counts_only_targets_with_something_to_run(fleet: dict[str, Any]) -> None:
    # with --yes each target is planned under its lock as it runs: targets found in sync on
    # the way are not canaries; the first target that had something to run is
    for i in (1, 2):
        with psycopg.connect(db(fleet, i)[1], autocommit=True) as conn:
            conn.execute("DROP INDEX projects_name_idx; ALTER TABLE projects ALTER COLUMN name DROP NOT NULL")
            if i == 1:
                conn.execute("INSERT INTO projects (name) VALUES (NULL)")
    cfg = tenants_config(fleet)
    code, data = apply_json(cfg, "--canary", "1", "--concurrency", "1")
    assert code == 2
    status = {d["name"]: d.get("apply_status") for d in data["databases"] if d["group"] == "tenants"}
    t0, t1, t2 = (db(fleet, i)[0] for i in range(3))
    assert status == {t0: "unchanged", t1: "failed", t2: "not_started"}
    assert "not started" in next(d["error"] for d in data["databases"] if d["name"] == t2)
    assert scalar(db(fleet, 2)[1], "SELECT to_regclass('public.projects_name_idx')") is None


def test_confirmation_on_a_terminal_applies_the_plan_it_showed(fleet: dict[str, Any], tmp_path: Path) -> None:
    import pty
    import select

    for i in (0, 2):
        with psycopg.connect(db(fleet, i)[1], autocommit=True) as conn:
            conn.execute("DROP INDEX projects_name_idx")
    cfg = tenants_config(fleet)
    out = tmp_path / "result.json"
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen([sys.executable, "-m", "trueup.cli.main", "apply", "-c", str(cfg), "--format", "json",
                             "-o", str(out)], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 120
        while b"Apply 2 statement(s) to 2 target(s)?" not in seen:
            assert time.monotonic() < deadline and proc.poll() is None, seen.decode(errors="replace")
            if select.select([master], [], [], 0.5)[0]:
                seen += os.read(master, 4096)
        # nothing runs before the answer
        assert scalar(db(fleet, 0)[1], "SELECT to_regclass('public.projects_name_idx')") is None
        os.write(master, b"y\n")
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()
        os.close(master)
    assert b"2 targets: same 1 statement(s)" in seen
    data = json.loads(out.read_text())
    assert data["summary"]["apply"]["applied"] == 2 and data["summary"]["in_sync"] == 4
    for i in (0, 2):
        assert scalar(db(fleet, i)[1], "SELECT to_regclass('public.projects_name_idx') IS NOT NULL") is True


def test_unreachable_target_among_healthy_ones(fleet: dict[str, Any]) -> None:
    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx")
    urls = [u for _, u in fleet["tenants"].items()] + ["postgresql://postgres@127.0.0.1:1/nowhere"]
    cfg = tenants_config(fleet)
    cfg.write_text(cfg.read_text().replace(f'discover = {{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}',
                                           "targets = [" + ", ".join(f'"{u}"' for u in urls) + "]"))
    code, data = apply_json(cfg, "--group", "tenants")
    assert code == 2
    entries = {d["name"]: d for d in data["databases"]}
    bad = entries["nowhere"]
    assert bad["status"] == "error" and bad["apply_status"] == "failed" and "\n" not in bad["error"]
    assert "nowhere" in bad["error"]
    assert entries[name]["apply_status"] == "applied" and entries[name]["status"] == "in_sync"
    assert sum(d["status"] == "in_sync" for d in data["databases"]) == 3
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx') IS NOT NULL") is True


def test_max_failures(fleet: dict[str, Any]) -> None:
    for i in range(3):
        with psycopg.connect(db(fleet, i)[1], autocommit=True) as conn:
            conn.execute("ALTER TABLE projects ALTER COLUMN name DROP NOT NULL; INSERT INTO projects (name) VALUES (NULL)")
    cfg = tenants_config(fleet)
    code, data = apply_json(cfg, "--max-failures", "1", "--concurrency", "1")
    assert code == 2
    assert data["summary"]["apply"]["failed"] == 1 and data["summary"]["apply"]["not_started"] == 2


def test_journal_in_postgres(fleet: dict[str, Any]) -> None:
    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx")
    cfg = tenants_config(fleet, f'\n[state]\nurl = "{fleet["control"]}"\n[groups.control.ignore]\nschemas = []\n')
    code, _ = apply_json(cfg, "--group", "tenants")
    assert code == 0
    with psycopg.connect(fleet["control"]) as conn:
        states: dict[str, str] = dict(conn.execute("SELECT name, state FROM trueup.targets").fetchall())
    assert states[name] == "verified"
    assert run("audit", "-c", str(cfg), "--group", "control")[0] == 0  # trueup's own schema is ignored


# -- SIGKILL in the middle of a 200-target rollout, then resume ---------------------------------

N_TARGETS = 80


def test_sigkill_then_resume(make_db: Callable[..., str], pg_url: str, tmp_path: Path) -> None:
    prefix = f"trueup_test_{os.getpid()}_{secrets.token_hex(3)}"
    template = make_db(TENANT + SEED_ROLES, name=f"{prefix}_tpl")
    tpl_name = ENGINE.database_name(template)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{tpl_name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (tpl_name,))
    names = [f"{prefix}_t{i:03d}" for i in range(N_TARGETS)]
    def create(chunk: list[str]) -> None:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            for name in chunk:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl_name}"')  # type: ignore[arg-type]

    try:
        with ThreadPoolExecutor(4) as pool:  # (the server creates them side by side)
            list(pool.map(create, [names[i::4] for i in range(4)]))
        desired = TENANT + "\nALTER TABLE projects ADD COLUMN archived boolean NOT NULL DEFAULT false;" \
                           "\nCREATE INDEX projects_state_idx ON projects (state);" \
                           "\nCREATE POLICY projects_read ON projects FOR SELECT USING (state = 'on');\n"
        (tmp_path / "tenant.sql").write_text(desired)
        cfg = tmp_path / "trueup.toml"
        cfg.write_text(f"""
[scratch]
url = "{pg_url}"
[settings]
concurrency = 2
[groups.tenants]
desired = "tenant.sql"
discover = {{ server = "{pg_url}", databases = "{prefix}_t%" }}
""")
        journal = tmp_path / ".trueup" / "journal.sqlite"
        proc = subprocess.Popen([sys.executable, "-m", "trueup.cli.main", "apply", "-c", str(cfg), "--yes"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 240
        applied = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
            if journal.exists():
                try:
                    with sqlite3.connect(journal) as j:
                        applied = j.execute("SELECT count(*) FROM targets WHERE state IN ('applied', 'verified')"
                                            ).fetchone()[0]
                except sqlite3.Error:
                    continue
                if applied >= 20:
                    break
        assert proc.poll() is None, "the rollout finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 20 <= applied < N_TARGETS

        def state_of(name: str) -> tuple[bool, bool, bool]:
            with psycopg.connect(db_url(pg_url, name)) as conn:
                row = conn.execute(
                    "SELECT (SELECT count(*) FROM information_schema.columns WHERE table_name = 'projects'"
                    "        AND column_name = 'archived') = 1,"
                    " to_regclass('public.projects_state_idx') IS NOT NULL,"
                    " (SELECT count(*) FROM pg_policy WHERE polname = 'projects_read') = 1").fetchone()
            assert row is not None
            return bool(row[0]), bool(row[1]), bool(row[2])

        states = [state_of(n) for n in names]
        done = [s for s in states if s == (True, True, True)]
        untouched = [s for s in states if s == (False, False, False)]
        assert len(done) + len(untouched) == N_TARGETS, "a target was left half-applied"
        assert len(done) >= 20 and untouched
        with sqlite3.connect(journal) as j:
            verified = j.execute("SELECT count(*) FROM targets WHERE state = 'verified'").fetchone()[0]
        assert 1 <= verified <= len(done)
        # (resumed more widely than it ran: only the first run had to be slow enough to be killed)
        resumed = subprocess.run([sys.executable, "-m", "trueup.cli.main", "apply", "-c", str(cfg), "--yes",
                                  "--resume", "--concurrency", "8", "--format", "json"],
                                 capture_output=True, text=True, timeout=600)
        assert resumed.returncode == 0, resumed.stderr
        data = json.loads(resumed.stdout)
        # targets verified before the kill are skipped; the others are judged again under their
        # lock: those the kill caught between applying and verifying need nothing more
        apply_status = [d["apply_status"] for d in data["databases"]]
        assert len(apply_status) == N_TARGETS - verified
        assert apply_status.count("applied") == len(untouched)
        assert apply_status.count("unchanged") == len(done) - verified
        assert all(d["status"] == "in_sync" for d in data["databases"])
        assert all(state_of(n) == (True, True, True) for n in names)
        assert subprocess.run([sys.executable, "-m", "trueup.cli.main", "apply", "-c", str(cfg), "--yes",
                               "--resume"], capture_output=True, text=True, timeout=120).returncode == 2
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'ALTER DATABASE "{tpl_name}" WITH IS_TEMPLATE false ALLOW_CONNECTIONS true')


def test_concurrent_index_runs_after_the_transaction(fleet: dict[str, Any]) -> None:
    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx; ALTER TABLE projects ALTER COLUMN name SET DEFAULT 'x'")
    cfg = tenants_config(fleet)
    code, text, _ = run("plan", "-c", str(cfg), "--concurrently")
    assert "-- runs outside the transaction\n" in text and "CREATE INDEX CONCURRENTLY" in text
    code, data = apply_json(cfg, "--concurrently")
    assert code == 0
    entry = next(d for d in data["databases"] if d["name"] == name)
    assert entry["applied"][-1].startswith("CREATE INDEX CONCURRENTLY projects_name_idx")
    assert scalar(url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'projects_name_idx'::regclass") is True


def test_a_plan_that_lands_in_steps_is_journaled_step_by_step(fleet: dict[str, Any]) -> None:
    from trueup.config import ApplySettings
    from trueup.engines.interface.sql import stmt
    from trueup.fleet.planning import Work
    from trueup.fleet.rollout import run_rollout
    from trueup.fleet.targets import Target

    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP INDEX projects_name_idx; ALTER TABLE projects ALTER COLUMN name SET DEFAULT 'x'")
    plan = [stmt("ALTER TABLE projects ALTER COLUMN name SET DEFAULT 'untitled'"),
            stmt("CREATE INDEX CONCURRENTLY projects_name_idx ON projects (name)", transactional=False)]
    records: list[tuple[str, str | None]] = []
    [outcome] = run_rollout([Work(Target("tenants", name, url), plan, [], None)], ApplySettings(), concurrency=1,
                            allow_destructive=False, record=lambda w, state, reason: records.append((state, reason)))
    assert outcome.status == "applied" and outcome.applied == [s.sql for s in plan]
    # the transaction landed first, then the index: a crash between them leaves "1 of 2" behind
    assert records == [("started", None), ("started", "1 of 2 statement(s) applied"), ("applied", None)]
    assert scalar(url, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'projects_name_idx'::regclass") is True
