"""One destructive policy (trueup.plan.policy) for diff, plan, apply and --resume: apply asks it
again before running anything, and --resume goes on with the choice its run was started with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from fleetdata import write_config
from test_apply import db, run, scalar

from trueup.config import ApplySettings
from trueup.engines.interface.sql import Hazard, Statement, stmt
from trueup.fleet.apply import apply_target
from trueup.fleet.journal import SqliteJournal
from trueup.fleet.targets import Target
from trueup.plan.policy import may_run, partition

DROP = stmt("ALTER TABLE projects DROP COLUMN legacy", (Hazard.DELETES_DATA, "drops the column"))
SAFE = stmt("CREATE INDEX IF NOT EXISTS projects_name_idx ON projects (name)", Hazard.INDEX_BUILD)


def test_the_rule() -> None:
    assert may_run(SAFE, False) and may_run(SAFE, True)
    assert not may_run(DROP, False) and may_run(DROP, True)
    assert partition([DROP, SAFE], False) == ([SAFE], [DROP])
    assert partition([DROP, SAFE], True) == ([DROP, SAFE], [])


def test_apply_asks_again_before_running_anything(fleet: dict[str, Any]) -> None:
    name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE projects ADD COLUMN legacy text; DROP INDEX projects_name_idx")
    target = Target("tenants", name, url)
    # a plan from elsewhere (an edited saved plan, a caller's mistake) holding a destructive statement
    out = apply_target(target, [SAFE, DROP], settings=ApplySettings())
    assert out.status == "failed" and "refusing to run a destructive statement" in (out.error or "")
    assert out.applied == []
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx') IS NULL") is True  # nothing ran
    out = apply_target(target, [SAFE, DROP], settings=ApplySettings(), allow_destructive=True)
    assert out.status == "applied"
    assert scalar(url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'legacy'") == 0


def _interrupted_run(cfg: Path, fleet: dict[str, Any], allow_destructive: bool) -> int:
    """A journal whose last run (started with or without --allow-destructive) did not finish."""
    journal = SqliteJournal(cfg.parent / ".trueup" / "journal.sqlite")
    try:
        names = [("tenants", n) for n in fleet["tenants"]]
        return journal.start_run({"allow_destructive": allow_destructive}, names)
    finally:
        journal.close()


def _tenants(fleet: dict[str, Any]) -> Path:
    cfg: Path = write_config(fleet, f'{{ server = "{fleet["server"]}", databases = "{fleet["prefix"]}_t%" }}')
    return cfg


def test_resume_goes_on_with_the_runs_choice_and_says_so(fleet: dict[str, Any]) -> None:
    _name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE projects ADD COLUMN legacy text")
    cfg = _tenants(fleet)
    run_id = _interrupted_run(cfg, fleet, allow_destructive=True)
    code, _, err = run("apply", "-c", str(cfg), "--yes", "--resume", "--group", "tenants")
    assert code == 0, err
    assert f"resuming run {run_id} of the journal, with --allow-destructive as it was started" in err
    assert scalar(url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'legacy'") == 0


def test_resume_without_the_flag_keeps_skipping(fleet: dict[str, Any]) -> None:
    _name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE projects ADD COLUMN legacy text")
    cfg = _tenants(fleet)
    run_id = _interrupted_run(cfg, fleet, allow_destructive=False)
    code, _, err = run("apply", "-c", str(cfg), "--yes", "--resume", "--group", "tenants")
    assert code == 1  # the drift stays: its fix deletes data
    assert f"resuming run {run_id} of the journal, without --allow-destructive as it was started" in err
    assert scalar(url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'legacy'") == 1


@pytest.mark.parametrize(("started", "given"), [(False, "--allow-destructive"), (True, "--no-allow-destructive")])
def test_resume_with_another_choice_is_an_error_naming_both(fleet: dict[str, Any], started: bool, given: str) -> None:
    _name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE projects ADD COLUMN legacy text")
    cfg = _tenants(fleet)
    run_id = _interrupted_run(cfg, fleet, allow_destructive=started)
    code, out, err = run("apply", "-c", str(cfg), "--yes", "--resume", given)
    assert code == 2 and out == ""
    recorded = "started --allow-destructive" if started else "started without --allow-destructive"
    now = "this command says " + ("--allow-destructive" if given == "--allow-destructive" else
                                  "without --allow-destructive")
    assert f"--resume continues run {run_id}, {recorded}, but {now}" in err
    assert scalar(url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'legacy'") == 1


def test_the_journal_records_the_choice_a_run_was_started_with(fleet: dict[str, Any]) -> None:
    cfg = _tenants(fleet)
    assert run("apply", "-c", str(cfg), "--yes", "--allow-destructive")[0] == 0
    journal = SqliteJournal(cfg.parent / ".trueup" / "journal.sqlite")
    try:
        assert journal.run_args(1)["allow_destructive"] is True
    finally:
        journal.close()


def test_statements_of_a_saved_plan_are_split_by_the_same_rule(fleet: dict[str, Any], tmp_path: Path) -> None:
    _name, url = db(fleet, 0)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE projects ADD COLUMN legacy text; DROP INDEX projects_name_idx")
    cfg = _tenants(fleet)
    plan_file = tmp_path / "plan.json"
    assert run("plan", "-c", str(cfg), "--allow-destructive", "--format", "json", "-o", str(plan_file))[0] == 1
    code, _, err = run("apply", "-c", str(cfg), "--plan", str(plan_file), "--yes")  # without the flag now
    assert code == 1, err
    assert scalar(url, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'legacy'") == 1
    assert scalar(url, "SELECT to_regclass('public.projects_name_idx') IS NOT NULL") is True


def test_a_statement_is_destructive_by_its_hazard() -> None:
    assert Statement("DROP TABLE x", (Hazard.DELETES_DATA,)).destructive
    assert not Statement("DROP INDEX x", (Hazard.BLOCKS_WRITES,)).destructive
