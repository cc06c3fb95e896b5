"""Tenant lifecycle's failure paths on a server where tenant roles need their password
(tenantdata.py): a failure injected at every step of create, drop and rotation, each followed by
resume (or a second run) reaching the right state; SIGKILL during create (and during the template
build) then ``--resume``; two concurrent rotations of one tenant; ``rotate-credentials --all``
with a failing tenant and a failure budget; database errors with their SQLSTATE, cause and hint;
a missing or a wrong secret key. Every outcome is checked in the real database."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import db_url
from psycopg import sql as pgsql
from tenantdata import TenantProject
from test_cli import assert_one_line_error
from test_tenants import can_log_in

import trueup
from trueup.engines.postgres.errors import database_error, explain
from trueup.tenants import create, drop, rotate
from trueup.tenants.secrets import new_key

#: a half-built template database (``<template>_b<pid>``)
BUILDING = re.compile(r"trueup_tpl_.*_b\d+")


# --- helpers ---------------------------------------------------------------------------------
def unknown_to_registry(t: TenantProject) -> set[str]:
    """Databases and roles of the test's prefix (and half-built templates) that no registry row
    names: what a failure must never leave."""
    known = {f"{t.prefix}_control"}
    with psycopg.connect(t.control, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('trueup.tenants')").fetchone() != (None,):
            for names in conn.execute("SELECT database, owner, role, pending_role, retiring_role FROM trueup.tenants"):
                known |= {v for v in names if v}
    like = t.prefix.replace("_", "\\_") + "%"
    with t.admin() as conn:
        found = {r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (like,))}
        found |= {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (like,))}
        found |= {r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'trueup\\_tpl\\_%'")
                  if BUILDING.fullmatch(r[0])}
    return found - known


def logins(t: TenantProject, tenant: str) -> list[str]:
    with t.admin() as conn:
        return [r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY 1",
                                           (t.owner(tenant).replace("_", "\\_") + "\\_login%",))]


def works_as_the_tenant(t: TenantProject, tenant: str, url: str | None = None) -> bool:
    """The stored credentials (or ``url``'s) log in and see the tenant's tables and reference rows."""
    try:
        with psycopg.connect(url or t.login_url(tenant), connect_timeout=5) as conn:
            return bool(conn.execute("SELECT count(*) FROM team_roles").fetchone() == (2,))
    except psycopg.Error:
        return False


def row(t: TenantProject, tenant: str) -> dict[str, Any]:
    r: dict[str, Any] | None = t.row(tenant)
    assert r is not None, f"no registry row for {tenant}"
    return r


def set_registry(t: TenantProject, line: str) -> None:
    """Add ``line`` to the config's [registry] section."""
    text = t.config_path.read_text()
    t.config_path.write_text(text.replace(f'url = "{t.control}"', f'url = "{t.control}"\n{line}', 1))


def without_template(t: TenantProject) -> None:
    t.config_path.write_text(t.config_path.read_text().replace('role = "', 'template = false, role = "'))


def states(t: TenantProject, tenant: str, step: str) -> list[str]:
    return [state for s, state in t.events(tenant) if s == step]


def recorded(t: TenantProject, tenant: str, step: str) -> bool:
    """The step is recorded as started (the registry may not even exist yet)."""
    return _has_registry(t) and (step, "started") in t.events(tenant)


def wait_until(what: str, condition: Any, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the process ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)


def cli_process(t: TenantProject, *args: str, **env: str) -> subprocess.Popen[bytes]:
    """``python -m trueup.cli.main ARGS -c CFG`` on this checkout's trueup, with the key."""
    src = str(Path(trueup.__file__).resolve().parents[1])
    environ = {**os.environ, "TRUEUP_SECRET_KEY": t.key, **env,
               "PYTHONPATH": os.pathsep.join([src, *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.Popen([sys.executable, "-m", "trueup.cli.main", *args, "-c", str(t.config_path)],
                            env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


# --- create ----------------------------------------------------------------------------------
CREATE_CASES = [*[(step, True) for step in create.STEPS], ("apply_schema", False)]


@pytest.mark.parametrize(("step", "template"), CREATE_CASES,
                         ids=[f"{s}{'' if tpl else '-no-template'}" for s, tpl in CREATE_CASES])
def test_create_fails_at_each_step_and_resume_finishes_it(tenants: TenantProject, step: str,
                                                          template: bool) -> None:
    if not template:
        without_template(tenants)
    r = tenants.run("tenant", "create", "acme", env={"TRUEUP_TEST_FAIL_STEP": f"create:{step}"})
    assert r.exit_code == 2, r.output
    assert f"acme: failed: tenant 'acme': create failed at step {step}: injected failure" in r.stdout
    assert "hint: fix the cause, then resume: trueup tenant create acme --resume" in r.stdout
    failed = row(tenants, "acme")
    assert (failed["status"], failed["phase"]) == ("failed", f"create:{step}")
    assert "injected failure" in failed["error"]
    # the steps before it ran, the step itself did not: what exists is what the registry names
    index = create.STEPS.index(step)
    assert tenants.exists("role", tenants.owner("acme")) == (index > 0)
    assert tenants.exists("role", failed["role"]) == (index > 0)
    assert tenants.exists("database", tenants.database("acme")) == (index > 1)
    assert unknown_to_registry(tenants) == set()
    assert states(tenants, "acme", f"create:{step}") == ["started", "failed"]

    r = tenants.run("tenant", "create", "acme", "--resume")
    assert r.exit_code == 0, r.output
    assert "acme: active" in r.stdout
    done = row(tenants, "acme")
    assert (done["status"], done["phase"], done["error"]) == ("active", None, None)
    assert works_as_the_tenant(tenants, "acme")
    with psycopg.connect(tenants.login_url("acme")) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (tenants.owner("acme"),)
    # resumed from the failed step: the steps before it ran once, it and the rest once more
    for before in create.STEPS[:index]:
        assert states(tenants, "acme", f"create:{before}") == ["started", "done"], before
    assert states(tenants, "acme", f"create:{step}") == ["started", "failed", "started", "done"]
    for after in create.STEPS[index + 1:]:
        assert states(tenants, "acme", f"create:{after}") == ["started", "done"], after
    assert unknown_to_registry(tenants) == set()


def test_a_failed_template_build_leaves_no_half_built_template(tenants: TenantProject) -> None:
    r = tenants.run("tenant", "create", "acme", env={"TRUEUP_TEST_FAIL_STEP": "template:build"})
    assert r.exit_code == 2, r.output
    failed = row(tenants, "acme")
    assert (failed["status"], failed["phase"]) == ("failed", "create:create_database")
    with tenants.admin() as conn:
        assert conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'trueup\\_tpl\\_%'").fetchall() == []
    assert not tenants.exists("database", tenants.database("acme"))
    assert unknown_to_registry(tenants) == set()
    r = tenants.run("tenant", "create", "acme", "--resume")
    assert r.exit_code == 0 and "from template trueup_tpl_" in r.stdout, r.output
    assert works_as_the_tenant(tenants, "acme")


def test_killed_during_create_then_resumed(tenants: TenantProject) -> None:
    """SIGKILL while the tenant's schema is being applied: the row stays provisioning at that
    phase, `registry check` calls it stuck once it is old enough, --resume finishes it."""
    set_registry(tenants, "stuck_after_s = 1")
    proc = cli_process(tenants, "tenant", "create", "acme", TRUEUP_TEST_HANG_STEP="create:apply_schema")
    try:
        wait_until("create:apply_schema started", lambda: recorded(tenants, "acme", "create:apply_schema"), proc)
    finally:
        kill(proc)
    killed = row(tenants, "acme")
    assert (killed["status"], killed["phase"], killed["error"]) == ("provisioning", "create:apply_schema", None)
    assert tenants.exists("database", tenants.database("acme"))
    assert unknown_to_registry(tenants) == set()

    with psycopg.connect(tenants.control, autocommit=True) as conn:  # (older than stuck_after_s, without waiting)
        conn.execute("UPDATE trueup.tenants SET updated = now() - interval '1 hour' WHERE name = 'acme'")
    r = tenants.run("registry", "check", "--format", "json")
    assert r.exit_code == 1, r.output
    problems = json.loads(r.stdout)["problems"]
    assert [(p["kind"], p["tenant"]) for p in problems] == [("stuck", "acme")], problems
    assert "provisioning at create:apply_schema" in problems[0]["detail"]
    assert "trueup tenant create acme --resume" in problems[0]["hint"]

    r = tenants.run("tenant", "create", "acme", "--resume")
    assert r.exit_code == 0, r.output
    assert (row(tenants, "acme")["status"], row(tenants, "acme")["phase"]) == ("active", None)
    assert works_as_the_tenant(tenants, "acme")
    shown = json.loads(tenants.run("tenant", "show", "acme", "--format", "json").stdout)
    assert shown["audit"]["status"] == "in_sync" and shown["audit"]["findings"] == 0
    r = tenants.run("registry", "check", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["consistent"], r.output


def test_killed_during_the_template_build_leaves_nothing_behind_after_resume(tenants: TenantProject) -> None:
    """SIGKILL once the template is built but before it is verified and renamed: the half-built
    copy (``<template>_b<pid>``) is known to no registry; the resumed create's build removes it."""
    proc = cli_process(tenants, "tenant", "create", "acme", TRUEUP_TEST_HANG_STEP="template:build")

    def built() -> bool:  # (the build's last write is the reference rows; the hook comes next)
        with tenants.admin() as conn:
            names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'trueup\\_tpl\\_%'")
                     if BUILDING.fullmatch(r[0])]
        if not names:
            return False
        with tenants.admin(names[0]) as conn:
            if conn.execute("SELECT to_regclass('team_roles')").fetchone() == (None,):
                return False
            return bool(conn.execute("SELECT count(*) FROM team_roles").fetchone() == (2,))

    try:
        wait_until("the template built", built, proc)
    finally:
        kill(proc)
    assert (row(tenants, "acme")["status"], row(tenants, "acme")["phase"]) == ("provisioning", "create:create_database")
    assert unknown_to_registry(tenants) != set()  # (the half-built template)
    r = tenants.run("tenant", "create", "acme", "--resume")
    assert r.exit_code == 0, r.output
    assert works_as_the_tenant(tenants, "acme")
    assert unknown_to_registry(tenants) == set()


# --- drop ------------------------------------------------------------------------------------
@pytest.mark.parametrize("step", drop.STEPS)
def test_drop_fails_at_each_step_and_a_second_run_finishes_it(tenants: TenantProject, step: str) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    login1 = row(tenants, "acme")["role"]
    r = tenants.run("tenant", "drop", "acme", "--yes", env={"TRUEUP_TEST_FAIL_STEP": f"drop:{step}"})
    assert r.exit_code == 2, r.output
    assert f"acme: drop stopped: tenant 'acme': drop failed at step {step}: injected failure" in r.stdout
    stopped = row(tenants, "acme")
    assert (stopped["status"], stopped["phase"]) == ("dropping", f"drop:{step}")
    assert "injected failure" in stopped["error"]
    index = drop.STEPS.index(step)
    assert tenants.exists("database", tenants.database("acme")) == (index <= drop.STEPS.index("drop_storage"))
    assert tenants.exists("role", tenants.owner("acme")) == (index <= drop.STEPS.index("drop_roles"))
    assert unknown_to_registry(tenants) == set()

    r = tenants.run("tenant", "drop", "acme", "--yes")
    assert r.exit_code == 0, r.output
    assert "acme: dropped" in r.stdout
    dropped = row(tenants, "acme")
    assert (dropped["status"], dropped["phase"], dropped["error"], dropped["secret"]) == ("dropped", None, None, None)
    assert not tenants.exists("database", tenants.database("acme"))
    assert not tenants.exists("role", tenants.owner("acme")) and not tenants.exists("role", login1)
    assert logins(tenants, "acme") == []
    assert states(tenants, "acme", f"drop:{step}") == ["started", "failed", "started", "done"]
    for before in drop.STEPS[:index]:
        assert states(tenants, "acme", f"drop:{before}") == ["started", "done"], before


def test_a_half_made_tenant_is_dropped_completely(tenants: TenantProject) -> None:
    r = tenants.run("tenant", "create", "acme", env={"TRUEUP_TEST_FAIL_STEP": "create:apply_schema"})
    assert r.exit_code == 2 and tenants.exists("database", tenants.database("acme")), r.output
    r = tenants.run("tenant", "create", "acme")  # (not --resume: refused, with the way to finish it)
    assert r.exit_code == 2 and "acme: failed: tenant 'acme' exists: failed at create:apply_schema" in r.stdout
    assert "hint: finish it with `trueup tenant create acme --resume`" in r.stdout
    r = tenants.run("tenant", "drop", "acme", "--yes")
    assert r.exit_code == 0, r.output
    assert row(tenants, "acme")["status"] == "dropped"
    assert not tenants.exists("database", tenants.database("acme")) and not tenants.exists("role", tenants.owner("acme"))
    assert logins(tenants, "acme") == [] and unknown_to_registry(tenants) == set()


def test_a_backup_that_cannot_be_written_stops_the_drop_before_anything_is_dropped(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    not_a_folder = tenants.folder / "backups"
    not_a_folder.write_text("a file where the backup folder should be")
    r = tenants.run("tenant", "drop", "acme", "--yes", "--backup", str(not_a_folder))
    assert r.exit_code == 2, r.output
    assert "acme: drop stopped:" in r.stdout and str(not_a_folder) in r.stdout and "internal error" not in r.output
    stopped = row(tenants, "acme")
    assert (stopped["status"], stopped["phase"]) == ("dropping", "drop:backup")
    assert works_as_the_tenant(tenants, "acme")  # (nothing dropped: the database and its login are there)
    backups = tenants.folder / "dumps"
    r = tenants.run("tenant", "drop", "acme", "--yes", "--backup", str(backups))
    assert r.exit_code == 0, r.output
    assert len(list(backups.glob("acme-*.dump"))) == 1
    assert row(tenants, "acme")["status"] == "dropped" and not tenants.exists("database", tenants.database("acme"))


# --- rotation --------------------------------------------------------------------------------
@pytest.mark.parametrize("step", rotate.STEPS)
def test_rotation_fails_at_each_step_with_working_credentials_and_a_second_run_finishes_it(
        tenants: TenantProject, step: str) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    old_url = tenants.login_url("acme")
    login1, login2 = tenants.owner("acme") + "_login1", tenants.owner("acme") + "_login2"
    r = tenants.run("tenant", "rotate-credentials", "acme", env={"TRUEUP_TEST_FAIL_STEP": f"rotate:{step}"})
    assert r.exit_code == 2, r.output
    assert f"acme: failed: tenant 'acme': rotate failed at step {step}: injected failure" in r.stdout
    stopped = row(tenants, "acme")
    assert (stopped["status"], stopped["phase"]) == ("active", f"rotate:{step}")
    assert "injected failure" in stopped["error"]
    # the key property: the registry points at credentials that work (the old login until the
    # switch, the new one from it on)
    switched = rotate.STEPS.index(step) > rotate.STEPS.index("switch")
    assert stopped["role"] == (login2 if switched else login1)
    assert works_as_the_tenant(tenants, "acme")
    assert unknown_to_registry(tenants) == set()

    r = tenants.run("tenant", "rotate-credentials", "acme")
    assert r.exit_code == 0, r.output
    assert f"acme: rotated, now {login2}" in r.stdout
    done = row(tenants, "acme")
    assert (done["role"], done["generation"], done["phase"], done["error"]) == (login2, 2, None, None)
    assert (done["pending_role"], done["pending_secret"], done["retiring_role"]) == (None, None, None)
    assert works_as_the_tenant(tenants, "acme")
    assert not can_log_in(old_url)
    assert logins(tenants, "acme") == [login2]


def test_a_killed_rotation_leaves_working_credentials_and_a_second_run_finishes_it(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    proc = cli_process(tenants, "tenant", "rotate-credentials", "acme", TRUEUP_TEST_HANG_STEP="rotate:retire")
    try:
        wait_until("rotate:retire started", lambda: recorded(tenants, "acme", "rotate:retire"), proc)
    finally:
        kill(proc)
    killed = row(tenants, "acme")
    assert (killed["phase"], killed["role"], killed["retiring_role"]) == (
        "rotate:retire", tenants.owner("acme") + "_login2", tenants.owner("acme") + "_login1")
    assert works_as_the_tenant(tenants, "acme")
    r = tenants.run("tenant", "rotate-credentials", "acme")
    assert r.exit_code == 0, r.output
    assert logins(tenants, "acme") == [tenants.owner("acme") + "_login2"] and works_as_the_tenant(tenants, "acme")


def test_two_concurrent_rotations_of_one_tenant_run_one_after_the_other(tenants: TenantProject,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from trueup.engines.postgres.tenancy import PgServerOps
    from trueup.tenants.context import open_tenancy

    assert tenants.run("tenant", "create", "acme").exit_code == 0
    old_url = tenants.login_url("acme")
    monkeypatch.setenv("TRUEUP_SECRET_KEY", tenants.key)
    real = PgServerOps.can_log_in

    def slow_login(self: PgServerOps, url: str, timeout: int) -> str | None:
        time.sleep(0.3)  # (a rotation takes long enough for the other to start meanwhile)
        return real(self, url, timeout)

    monkeypatch.setattr(PgServerOps, "can_log_in", slow_login)
    start = threading.Barrier(2)
    outcomes: list[rotate.RotateOutcome] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            with open_tenancy(tenants.config()) as ctx:
                start.wait(timeout=30)
                outcomes.append(rotate.rotate_tenant(ctx, "acme"))
        except BaseException as err:  # (reported by the test)
            errors.append(err)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors and [o.status for o in outcomes] == ["rotated", "rotated"], (errors, outcomes)
    done = row(tenants, "acme")
    assert done["generation"] == 3 and done["role"] == tenants.owner("acme") + "_login3"
    assert logins(tenants, "acme") == [tenants.owner("acme") + "_login3"]
    assert works_as_the_tenant(tenants, "acme") and not can_log_in(old_url)
    # serialised: the second rotation's steps all come after the first one's
    steps = [s for s, state in tenants.events("acme") if s.startswith("rotate:") and state == "done"]
    assert steps == [f"rotate:{s}" for s in rotate.STEPS] * 2


def rename_owner(t: TenantProject, tenant: str) -> None:
    """The tenant's owner role renamed behind trueup's back (it owns the database, so it could
    not be dropped): granting it to a new login fails."""
    with t.admin() as conn:
        conn.execute(pgsql.SQL("ALTER ROLE {} RENAME TO {}").format(
            pgsql.Identifier(t.owner(tenant)), pgsql.Identifier(t.owner(tenant) + "_renamed")))


def test_rotate_all_goes_on_past_a_failing_tenant_within_the_budget(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "a", "b", "c").exit_code == 0
    rename_owner(tenants, "a")
    r = tenants.run("tenant", "rotate-credentials", "--all", "--max-failures", "2", "--concurrency", "1")
    assert r.exit_code == 2, r.output
    assert "a: failed: tenant 'a': rotate failed at step create_login:" in r.stdout
    assert "SQLSTATE 42704" in r.stdout and "2 rotated, 1 not" in r.stdout
    for name in ("b", "c"):
        assert row(tenants, name)["generation"] == 2 and works_as_the_tenant(tenants, name)
        assert logins(tenants, name) == [tenants.owner(name) + "_login2"]
    failed = row(tenants, "a")
    assert (failed["status"], failed["phase"], failed["role"]) == ("active", "rotate:create_login",
                                                                    tenants.owner("a") + "_login1")
    assert "SQLSTATE 42704" in failed["error"]
    assert can_log_in(tenants.login_url("a"))  # the failing one keeps working credentials
    # the cause fixed, rotating again finishes the rotation with its pending login
    with tenants.admin() as conn:
        conn.execute(pgsql.SQL("ALTER ROLE {} RENAME TO {}").format(
            pgsql.Identifier(tenants.owner("a") + "_renamed"), pgsql.Identifier(tenants.owner("a"))))
    r = tenants.run("tenant", "rotate-credentials", "a")
    assert r.exit_code == 0, r.output
    assert row(tenants, "a")["generation"] == 2 and works_as_the_tenant(tenants, "a")
    assert logins(tenants, "a") == [tenants.owner("a") + "_login2"]


def test_rotate_all_starts_no_tenant_after_max_failures(tenants: TenantProject) -> None:
    assert tenants.run("tenant", "create", "a", "b", "c").exit_code == 0
    rename_owner(tenants, "a")
    r = tenants.run("tenant", "rotate-credentials", "--all", "--max-failures", "1", "--concurrency", "1")
    assert r.exit_code == 2, r.output
    assert "b: not started:" in r.stdout and "c: not started:" in r.stdout and "0 rotated, 3 not" in r.stdout
    for name in ("b", "c"):
        b = row(tenants, name)
        assert (b["generation"], b["phase"]) == (1, None) and works_as_the_tenant(tenants, name)
    assert can_log_in(tenants.login_url("a"))


# --- errors: SQLSTATE, cause, hint; the secret key -------------------------------------------
def test_a_failed_step_carries_the_sqlstate_cause_and_hint(tenants: TenantProject) -> None:
    """The owner role disappears between a failed create and its resume: creating the database
    fails on the server, and the step's error says how (SQLSTATE 42704)."""
    r = tenants.run("tenant", "create", "acme", env={"TRUEUP_TEST_FAIL_STEP": "create:create_database"})
    assert r.exit_code == 2, r.output
    with tenants.admin() as conn:
        conn.execute(pgsql.SQL("DROP ROLE {}").format(pgsql.Identifier(tenants.owner("acme"))))
    r = tenants.run("tenant", "create", "acme", "--resume")
    assert r.exit_code == 2, r.output
    assert re.search(r"acme: failed: tenant 'acme': create failed at step create_database: .*role .* does not exist"
                     r" \(SQLSTATE 42704: an object the statement needs does not exist\)", r.stdout), r.stdout
    assert "hint: fix the cause, then resume: trueup tenant create acme --resume" in r.stdout
    failed = row(tenants, "acme")
    assert (failed["status"], failed["phase"]) == ("failed", "create:create_database")
    assert "SQLSTATE 42704" in failed["error"]
    assert not tenants.exists("database", tenants.database("acme"))


def test_an_aborted_transaction_is_explained_in_plain_words(tenant_server: str) -> None:
    assert explain("25P02")[0] == "the transaction was already aborted by an earlier error: nothing after it ran"
    with psycopg.connect(db_url(tenant_server, "postgres")) as conn:
        with pytest.raises(psycopg.Error):
            conn.execute("SELECT 1/0")
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("SELECT 1")
    err = database_error("database 'postgres'", caught.value)
    assert err.sqlstate == "25P02" and err.hint
    assert ("(SQLSTATE 25P02: the transaction was already aborted by an earlier error: nothing after it ran)"
            in err.message)


def nothing_written(t: TenantProject, tenant: str) -> None:
    if _has_registry(t):
        assert t.row(tenant) is None
    assert not t.exists("database", t.database(tenant))
    assert not t.exists("role", t.owner(tenant)) and logins(t, tenant) == []
    assert unknown_to_registry(t) == set()


def _has_registry(t: TenantProject) -> bool:
    with psycopg.connect(t.control, autocommit=True) as conn:
        return conn.execute("SELECT to_regclass('trueup.tenants')").fetchone() != (None,)


@pytest.mark.parametrize("where", ["environment", "key_file"])
def test_a_missing_key_is_one_clear_error_and_nothing_is_written(tenants: TenantProject, where: str) -> None:
    if where == "key_file":
        set_registry(tenants, 'key_file = "secret.key"')
    r = tenants.run("tenant", "create", "acme", env={"TRUEUP_SECRET_KEY": ""})
    assert r.exit_code == 2, r.output
    if where == "key_file":
        assert_one_line_error(r.stderr, f"the key file {tenants.folder / 'secret.key'} does not exist",
                              "TRUEUP_SECRET_KEY is not set")
    else:
        assert_one_line_error(r.stderr, "no secret key: set TRUEUP_SECRET_KEY, or name a key file in [registry]"
                                        " key_file")
    assert r.stdout == ""
    assert not _has_registry(tenants)  # (the registry is not even touched)
    nothing_written(tenants, "acme")


@pytest.mark.parametrize("where", ["environment", "key_file"])
def test_a_wrong_key_is_one_clear_error_and_nothing_is_written(tenants: TenantProject, where: str) -> None:
    assert tenants.run("tenant", "create", "acme").exit_code == 0
    before = row(tenants, "acme")
    events = tenants.events("acme")
    wrong = new_key()
    if where == "key_file":
        (tenants.folder / "secret.key").write_text(wrong + "\n")
        set_registry(tenants, 'key_file = "secret.key"')
        env, source = {"TRUEUP_SECRET_KEY": ""}, f"the key file {tenants.folder / 'secret.key'}"
    else:
        env, source = {"TRUEUP_SECRET_KEY": wrong}, "the environment variable TRUEUP_SECRET_KEY"
    for args in (("tenant", "create", "globex"), ("tenant", "rotate-credentials", "acme"),
                 ("tenant", "drop", "acme", "--yes")):
        r = tenants.run(*args, env=env)
        assert r.exit_code == 2, (args, r.output)
        assert_one_line_error(r.stderr, f"the secret key (from {source}) is not the key this registry's passwords "
                                        "are encrypted with")
        assert wrong not in r.output and tenants.key not in r.output
    nothing_written(tenants, "globex")
    assert row(tenants, "acme") == before and tenants.events("acme") == events
    assert works_as_the_tenant(tenants, "acme")
