"""(h) ``trueup migrate status`` over the tenant databases, beside the audit's time measured in
the same run (phase b, ``--rescan``: every target fingerprinted, the desired state cached).

The tenant schema is split into 40 migrations plus one that creates ``bench_ghost_probe``; every
database records all 41 in ``trueup_schema_history`` and has the probe table, except ~2%, whose
probe table is missing: ghosts of V41. The first run replays the folder (then cached); the figure
is the median of three runs after it. Afterwards the history tables and the probe tables are
dropped again, so the fleet is as it was (a --keep run reuses it).
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Collection
from pathlib import Path

import psycopg
from pglast.parser import split

from bench.common.parallel import Progress, run_parallel
from bench.common.server import with_database
from bench.fleetbench.build import db_names, db_pattern
from bench.fleetbench.context import Bench

MIGRATIONS = 40
GHOST_EVERY = 50  # one database in 50 (2%) is a ghost of the last migration
TARGET_HISTORY_RATIO = 1.5
PROBE = "CREATE TABLE bench_ghost_probe (id int PRIMARY KEY, note text);\n"
HISTORY = ("CREATE TABLE trueup_schema_history (version integer PRIMARY KEY, name text NOT NULL, checksum text,"
           " applied_at timestamptz NOT NULL DEFAULT now(), applied_by text NOT NULL DEFAULT current_user,"
           " duration_ms integer NOT NULL DEFAULT 0, success boolean NOT NULL)")


def write_folder(folder: Path, tenant_sql: str, last: str | None = PROBE) -> list[tuple[int, str, str]]:
    """The tenant schema in ``MIGRATIONS`` files (statements in order), then ``last`` (the
    probe's) → each file's (version, name, checksum), as its history row records it."""
    folder.mkdir(parents=True, exist_ok=True)
    statements = [s.strip() + ";\n" for s in split(tenant_sql)]
    parts = min(MIGRATIONS, len(statements))  # (exactly MIGRATIONS, as even as they come)
    chunks = [statements[len(statements) * i // parts:len(statements) * (i + 1) // parts] for i in range(parts)]
    chunks += [[last]] if last else []
    return [add_migration(folder, i, "".join(chunk)) for i, chunk in enumerate(chunks, 1)]


def add_migration(folder: Path, version: int, body: str) -> tuple[int, str, str]:
    """Write migration ``version`` → its (version, name, checksum)."""
    (folder / f"V{version}__part_{version}.sql").write_text(body, encoding="utf-8")
    return version, f"part {version}", hashlib.sha256(body.encode()).hexdigest()


def ghosts(n: int) -> set[str]:
    return {name for i, name in enumerate(db_names(n)) if i % GHOST_EVERY == GHOST_EVERY // 3}


def prepare(url: str, names: list[str], rows: list[tuple[int, str, str]], probed: Collection[str]) -> float:
    """Record ``rows`` in every database's ``trueup_schema_history``; create the probe table in
    those of ``probed``."""
    progress = Progress("recording history", len(names))
    values = ", ".join(f"({v}, '{n}', '{c}', true)" for v, n, c in rows)

    def one(name: str) -> None:
        with psycopg.connect(with_database(url, name), autocommit=True) as conn:
            conn.execute(HISTORY)  # type: ignore[arg-type]
            conn.execute(f"INSERT INTO trueup_schema_history (version, name, checksum, success) VALUES {values}")  # type: ignore[arg-type]
            if name in probed:
                conn.execute(PROBE)  # type: ignore[arg-type]
        progress.tick()

    run_parallel(one, names, 8)
    return progress.finish()


def clean(url: str, names: list[str], also: str = "bench_ghost_probe") -> None:
    """Drop the history table (and the table ``also``) in every database."""
    def one(name: str) -> None:
        with psycopg.connect(with_database(url, name), autocommit=True) as conn:
            conn.execute(f"DROP TABLE IF EXISTS trueup_schema_history, {also}")  # type: ignore[arg-type]

    run_parallel(one, names, 8)


def run(b: Bench) -> None:
    n, say, res = b.opts.databases, b.say, b.results
    if not n or res.rescan_seconds is None:
        return
    names = db_names(n)
    folder = b.sides[0].folder / "history"
    rows = write_folder(folder, b.tenant.sql)
    with open(b.config, "a", encoding="utf-8") as fh:
        fh.write(f'\n[groups.history]\nmigrations = {{ dir = "history" }}\n'
                 f'discover = {{ server = "{b.opts.url}", databases = "{db_pattern(n)}" }}\n')
    ghost = ghosts(n)
    try:
        prepare(b.opts.url, names, rows, set(names) - ghost)
        first = b.cli("history", "history0.json", command=("migrate", "status"), sides=b.sides[:1]).new
        say(f"(h) trueup migrate status --group history ({n} databases, {len(rows)} migrations, "
            f"{len(ghost)} ghosts), first run (folder replayed): {first.seconds:.2f} s, exit {first.exit_code}")
        runs = [b.cli("history", f"history{i}.json", command=("migrate", "status"), sides=b.sides[:1]).new
                for i in (1, 2, 3)]
        median = statistics.median(r.seconds for r in runs)
        ratio = median / res.rescan_seconds
        say(f"    again (replay cached), median of {', '.join(f'{r.seconds:.2f}' for r in runs)}: {median:.2f} s;"
            f" against the audit with --rescan of the same fleet ({res.rescan_seconds:.2f} s): ratio {ratio:.2f}"
            f" (target <= {TARGET_HISTORY_RATIO})")
        found = {d["location"].rsplit("/", 1)[-1] for d in runs[-1].report["databases"]
                 if any(f["problem"] == "ghost" for f in d["findings"])}
        # a database the bench drifted by dropping something is a ghost too (of what created it)
        dropped = {name for name, d in b.db_drift.items() if d.kind.startswith("drop_")}
        wrong = found - ghost - dropped
        say(f"    ghosts found: {len(found & ghost)} of {len(ghost)}, and {len(found & dropped)} of the {len(dropped)}"
            f" databases the bench dropped an object in; {len(wrong)} wrongly")
        res.verdict.append((f"migrate status / audit --rescan <= {TARGET_HISTORY_RATIO}",
                            ratio <= TARGET_HISTORY_RATIO))
        res.verdict.append(("migrate status finds exactly the ghosts", ghost <= found and not wrong))
    finally:
        clean(b.opts.url, names)
