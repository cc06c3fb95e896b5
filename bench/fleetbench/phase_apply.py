"""(e) ``trueup apply --yes --allow-destructive`` of a 3-statement change (a column with a
default, an index, a policy) to every tenant database, the drifted ones repaired on the way:
wall time, targets applied and verified in sync, peak RSS (skipped with ``--no-apply``).

After it the fleet is put back as built (the change taken away, the drift the apply repaired
injected again), for the phases after it, a baseline's apply and a later ``--keep`` run."""

from __future__ import annotations

import time

import psycopg

from bench.common.parallel import run_parallel
from bench.common.server import with_database
from bench.fleetbench.build import db_names
from bench.fleetbench.context import TARGET_APPLY_SECONDS, Bench, SideSetup

#: the change rolled out: a column with a default, an index, a policy
APPLY_CHANGE = """
ALTER TABLE users ADD COLUMN archived boolean NOT NULL DEFAULT false;
CREATE INDEX users_archived_idx ON users (archived) WHERE archived;
CREATE POLICY users_not_archived ON users FOR SELECT USING (NOT archived);
"""
#: takes the change away again
UNDO_CHANGE = ("DROP POLICY IF EXISTS users_not_archived ON users;"
               " DROP INDEX IF EXISTS users_archived_idx;"
               " ALTER TABLE users DROP COLUMN IF EXISTS archived")


def run(b: Bench) -> None:
    n, say, res = b.opts.databases, b.say, b.results
    if not n or b.opts.no_apply or res.floor is None:
        return
    # roll a 3-statement change out to every tenant database (the drifted ones are repaired on
    # the way, destructive repairs included), then every target is verified
    put_back = PutBack(b)
    for s in b.sides:
        (s.folder / "tenant.sql").write_text(b.tenant.sql + APPLY_CHANGE, encoding="utf-8")
    try:
        pair = b.cli("databases", "apply.json", command=("apply", "--yes", "--allow-destructive"), after=put_back)
    finally:
        for s in b.sides:
            (s.folder / "tenant.sql").write_text(b.tenant.sql, encoding="utf-8")
    apply_run = pair.new
    b.compare("apply to every database", pair)
    verified = sum(d["status"] == "in_sync" for d in apply_run.report["databases"])
    applied = apply_run.report["summary"].get("apply", {}).get("applied", 0)
    say(f"(e) trueup apply (3 statements) to {n} databases: {apply_run.seconds:.2f} s,"
        f" {applied} applied, {verified} verified in sync, exit {apply_run.exit_code};"
        f" ratio to floor {apply_run.seconds / res.floor:.2f}; peak RSS {apply_run.rss_mb:.0f} MB")
    res.verdict.append((f"apply {apply_run.seconds:.1f} s < {TARGET_APPLY_SECONDS:.0f} s, {verified}/{n}"
                        " verified", apply_run.seconds < TARGET_APPLY_SECONDS and verified == n))
    say(f"    then the fleet was put back as built (change taken away, {len(b.db_drift)} database(s) drifted"
        f" again) in {put_back.seconds:.1f} s" + (" after each side's apply" if b.baseline else "")
        + (f"; FAILED on {len(put_back.failed)}, e.g. {put_back.failed[0]}: rebuild a kept fleet"
           if put_back.failed else ""))


class PutBack:
    """After an apply: the fleet as built again, on every tenant database (the change taken away,
    the drift the apply repaired injected again); what failed is kept in ``failed``."""

    def __init__(self, b: Bench) -> None:
        self.url, self.n, self.drift = b.opts.url, b.opts.databases, b.db_drift
        self.seconds = 0.0
        self.failed: list[str] = []

    def one(self, name: str) -> None:
        try:
            with psycopg.connect(with_database(self.url, name), autocommit=True) as conn:
                conn.execute(UNDO_CHANGE)
                d = self.drift.get(name)
                if d is not None:
                    conn.execute(d.sql)
        except psycopg.Error as err:
            self.failed.append(f"{name}: {(str(err).strip() or type(err).__name__).splitlines()[0]}")

    def __call__(self, side: SideSetup) -> None:
        t0 = time.perf_counter()
        run_parallel(self.one, db_names(self.n), 8)
        self.seconds += time.perf_counter() - t0
