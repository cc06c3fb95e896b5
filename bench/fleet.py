"""Benchmark: ``trueup audit`` on a fleet of 1000 tenant databases and 1000 tenant schemas.

Run as ``python bench/fleet.py [--url ADMIN_URL] [--databases 1000] [--schemas 1000] [--tables 40]
[--drift 0.02] [--concurrency N] [--keep] [--skip-create]``.

It builds, on the server of ``--url``:

* ``trueup_bench_tpl``: one tenant (``--tables`` tables with varied column types, primary and
  foreign keys, unique, partial and expression indexes, trigger functions and triggers, row level
  security and policies, views, reference rows in ``roles``), and ``trueup_bench_t0000`` ...
  cloned from it with ``CREATE DATABASE ... TEMPLATE``;
* ``trueup_bench_schemas``: the same tenant once per schema ``tenant_0000`` ...;

and drifts about ``--drift`` of each (a deterministic choice): every drifted tenant gets one of a
dropped table, a dropped index, a changed column default, an extra column, a dropped trigger, a
dropped policy or a missing reference row. The desired state, the reference data and a
``trueup.toml`` with the groups ``databases`` and ``schemas`` go to a temporary folder.

It then measures, in one run:

(a) the floor: connect + ``SELECT 1`` + close on every tenant database, with the audit's
    concurrency and its connection options (the median of three passes: timings on this
    machine vary by about 20% from pass to pass);
(b) ``trueup audit --group databases`` and ``trueup audit --group schemas`` as subprocesses (wall
    time, Python start-up included), each three times: the first run (nothing cached: the
    desired state is loaded into a scratch database and every target fingerprinted), again with
    ``--rescan`` (desired state from the cache, every target fingerprinted) and a repeat run
    (desired state cached, unchanged targets known by their change tokens; for the databases
    the median of three); then each group
    once more in this process through ``run_audit(rescan=True)``, timed per phase;
(c) the peak RSS of each audit process;
(d) audit / floor for the databases, first and repeat run;
(e) ``trueup apply --yes --allow-destructive`` of a 3-statement change (a column with a default,
    an index, a policy) to every tenant database, the drifted ones repaired on the way: wall
    time, targets applied and verified in sync, peak RSS (skip with ``--no-apply``),

checks the JSON reports of the first and the repeat runs (every injected drift found in the right
tenant with the right category, every other tenant in sync) and prints a verdict. Every ``trueup_bench_*`` database this script
creates is dropped at the end, also on Ctrl-C, unless ``--keep`` is given; with ``--keep`` a later
run reuses a fleet of the same shape.
"""

# ruff: noqa: E402  (the module path is fixed before the other imports, see below)
from __future__ import annotations

import os
import sys

# bench/inspect.py shadows the standard library's ``inspect`` module, which dataclasses and others
# import: keep this folder off the module path.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse
import hashlib
import json
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

T = TypeVar("T")

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
TEMPLATE_DB = "trueup_bench_tpl"
SCHEMAS_DB = "trueup_bench_schemas"
DB_PREFIX = "trueup_bench_t"
SCHEMA_PREFIX = "tenant_"
SEED = 20240611
#: connections used to build the fleet (the server allows 100 in all)
BUILD_WORKERS = 4
DROP_WORKERS = 16

TARGET_RATIO = 2.0
TARGET_SCHEMAS_SECONDS = 5.0
TARGET_RSS_MB = 300.0
TARGET_APPLY_SECONDS = 60.0
#: the change rolled out by the apply phase: a column with a default, an index, a policy
APPLY_CHANGE = """
ALTER TABLE users ADD COLUMN archived boolean NOT NULL DEFAULT false;
CREATE INDEX users_archived_idx ON users (archived) WHERE archived;
CREATE POLICY users_not_archived ON users FOR SELECT USING (NOT archived);
"""

ROLES = (("owner", True, 100), ("admin", True, 80), ("member", False, 50), ("viewer", False, 10),
         ("billing", False, 40), ("guest", False, 0))

TABLE_NOUNS = (
    "projects", "tasks", "comments", "attachments", "invoices", "invoice_lines", "payments",
    "subscriptions", "plans", "teams", "team_members", "tags", "task_tags", "milestones", "time_entries",
    "documents", "folders", "notifications", "webhooks", "webhook_deliveries", "api_keys", "audit_events",
    "sessions", "preferences", "labels", "boards", "lanes", "cards", "checklists", "checklist_items",
    "reactions", "mentions", "exports", "imports", "reports", "dashboards", "widgets", "integrations",
)

# -- the tenant schema ---------------------------------------------------------------------------


@dataclass
class Tenant:
    """The DDL of one tenant (schema-agnostic: names are unqualified) and what drift can hit."""

    sql: str
    tables: list[str]
    leaf_tables: list[str]  # not referenced by a foreign key or a view: can be dropped alone
    indexes: list[str]  # plain indexes (not backing a constraint)
    triggers: list[tuple[str, str]]  # (table, trigger)
    policies: list[tuple[str, str]]  # (table, policy)
    defaults: list[tuple[str, str, str]]  # (table, column, new default)


def tenant_schema(n_tables: int) -> Tenant:
    out = [
        "CREATE TYPE item_status AS ENUM ('draft', 'active', 'archived');",
        "CREATE DOMAIN positive_money AS numeric(12,2) CHECK (VALUE >= 0);",
        """CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;""",
        """CREATE FUNCTION forbid_archived_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'archived rows are kept (%)', TG_TABLE_NAME;
END $$;""",
        "CREATE FUNCTION current_user_id() RETURNS bigint LANGUAGE sql STABLE AS"
        " $$ SELECT nullif(current_setting('app.user_id', true), '')::bigint $$;",
        """CREATE TABLE roles (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    can_manage boolean NOT NULL DEFAULT false,
    rank smallint NOT NULL DEFAULT 0
);""",
        "INSERT INTO roles (name, can_manage, rank) VALUES "
        + ", ".join(f"('{n}', {str(m).lower()}, {r})" for n, m, r in ROLES) + ";",
        """CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    role_id integer NOT NULL REFERENCES roles (id),
    profile jsonb NOT NULL DEFAULT '{}'::jsonb,
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);""",
        "CREATE UNIQUE INDEX users_email_key ON users (lower(email));",
        "CREATE INDEX users_role_idx ON users (role_id);",
        "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();",
        "COMMENT ON TABLE users IS 'People of the tenant';",
    ]
    tables = ["roles", "users"]
    referenced = {"roles", "users"}
    indexes = ["users_email_key", "users_role_idx"]
    triggers = [("users", "users_touch")]
    policies: list[tuple[str, str]] = []
    defaults: list[tuple[str, str, str]] = [("users", "is_active", "false")]
    id_types: dict[str, str] = {}
    has_status: list[str] = []
    has_amount: list[str] = []
    for g in range(max(0, n_tables - 2)):
        t = TABLE_NOUNS[g] if g < len(TABLE_NOUNS) else f"{TABLE_NOUNS[g % len(TABLE_NOUNS)]}_{g}"
        cols: list[str] = []
        if g % 3 == 0:
            cols.append("id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
            id_types[t] = "bigint"
        elif g % 3 == 1:
            cols.append("id serial PRIMARY KEY")
            id_types[t] = "integer"
        else:
            cols.append("id uuid PRIMARY KEY DEFAULT gen_random_uuid()")
            id_types[t] = "uuid"
        owner = "owner_id" if g % 2 == 0 else "created_by"
        if g % 2 == 0:
            cols.append("owner_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE")
        else:
            cols.append("created_by bigint REFERENCES users (id) ON DELETE SET NULL")
        parent = TABLE_NOUNS[(g - 1) // 2] if g >= 1 and g % 4 != 3 else None
        if parent is not None and parent in id_types:
            action = "CASCADE" if g % 3 == 0 else "SET NULL"
            cols.append(f"parent_id {id_types[parent]} REFERENCES {parent} (id) ON DELETE {action}")
            referenced.add(parent)
        else:
            parent = None
        cols.append("name varchar(200) NOT NULL")
        if g % 2 == 0:
            cols.append("status item_status NOT NULL DEFAULT 'draft'")
            has_status.append(t)
        if g % 3 == 0:
            cols.append("amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0)")
            has_amount.append(t)
            defaults.append((t, "amount", "1"))
        if g % 4 == 1:
            cols.append("tags text[] NOT NULL DEFAULT '{}'")
        if g % 5 == 2:
            cols.append("meta jsonb NOT NULL DEFAULT '{}'::jsonb")
        if g % 5 == 3:
            cols.append("score double precision")
        if g % 6 == 4:
            cols.append("due_on date")
            cols.append("budget positive_money")
        if g % 7 == 5:
            cols.append("position smallint NOT NULL DEFAULT 0")
            cols.append("ip inet")
        cols.append("is_archived boolean NOT NULL DEFAULT false")
        defaults.append((t, "is_archived", "true"))
        cols.append("created_at timestamptz NOT NULL DEFAULT now()")
        cols.append("updated_at timestamptz NOT NULL DEFAULT now()")
        if g % 5 == 0:
            cols.append(f"CONSTRAINT {t}_name_created_key UNIQUE (name, created_at)")
        out.append(f"CREATE TABLE {t} (\n    " + ",\n    ".join(cols) + "\n);")
        tables.append(t)
        out.append(f"CREATE INDEX {t}_{owner}_idx ON {t} ({owner});")
        indexes.append(f"{t}_{owner}_idx")
        if parent is not None:
            out.append(f"CREATE INDEX {t}_parent_idx ON {t} (parent_id);")
            indexes.append(f"{t}_parent_idx")
        if g % 2 == 0:
            out.append(f"CREATE INDEX {t}_open_idx ON {t} (created_at DESC) WHERE status <> 'archived';")
        else:
            out.append(f"CREATE INDEX {t}_open_idx ON {t} (updated_at) WHERE NOT is_archived;")
        indexes.append(f"{t}_open_idx")
        if g % 3 == 1:
            out.append(f"CREATE UNIQUE INDEX {t}_lower_name_key ON {t} (lower(name));")
            indexes.append(f"{t}_lower_name_key")
        elif g % 3 == 2:
            out.append(f"CREATE INDEX {t}_name_idx ON {t} (lower(name) text_pattern_ops);")
            indexes.append(f"{t}_name_idx")
        if g % 3 == 0:
            out.append(f"CREATE TRIGGER {t}_touch BEFORE UPDATE ON {t}"
                       " FOR EACH ROW EXECUTE FUNCTION touch_updated_at();")
            triggers.append((t, f"{t}_touch"))
        if g % 7 == 2:
            out.append(f"CREATE TRIGGER {t}_keep_archived BEFORE DELETE ON {t}"
                       " FOR EACH ROW WHEN (OLD.is_archived) EXECUTE FUNCTION forbid_archived_delete();")
            triggers.append((t, f"{t}_keep_archived"))
        if g % 4 == 0:
            out.append(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;")
            out.append(f"CREATE POLICY {t}_owner ON {t} FOR ALL USING (owner_id = current_user_id());")
            policies.append((t, f"{t}_owner"))
            if g % 8 == 0:
                out.append(f"CREATE POLICY {t}_read ON {t} AS PERMISSIVE FOR SELECT"
                           " USING (status = 'active');")
                policies.append((t, f"{t}_read"))
        if g % 6 == 1:
            out.append(f"COMMENT ON TABLE {t} IS 'The {t.replace('_', ' ')} of a tenant';")
    if has_status:
        t = has_status[0]
        out.append(f"CREATE VIEW active_{t} AS SELECT x.id, x.name, u.email AS owner_email"
                   f" FROM {t} x JOIN users u ON u.id = x.owner_id WHERE x.status = 'active';")
        referenced.add(t)
    if has_amount:
        t = has_amount[-1]
        out.append(f"CREATE VIEW {t}_totals AS SELECT owner_id, count(*) AS n, sum(amount) AS total"
                   f" FROM {t} WHERE NOT is_archived GROUP BY owner_id;")
        referenced.add(t)
    leaf = [t for t in tables if t not in referenced]
    return Tenant("\n".join(out) + "\n", tables, leaf, indexes, triggers, policies, defaults)


def refdata_toml() -> str:
    rows = ",\n".join(f'  {{ name = "{n}", can_manage = {str(m).lower()}, rank = {r} }}' for n, m, r in ROLES)
    return f'[tables."public.roles"]\nkey = ["name"]\nrows = [\n{rows},\n]\n'


# -- drift ---------------------------------------------------------------------------------------

DRIFT_KINDS = ("drop_table", "drop_index", "change_default", "extra_column", "drop_trigger", "drop_policy",
               "missing_row")
CATEGORY = {"drop_table": "table", "drop_index": "index", "change_default": "column",
            "extra_column": "column", "drop_trigger": "trigger", "drop_policy": "policy",
            "missing_row": "reference_data"}


@dataclass(frozen=True)
class Drift:
    kind: str
    sql: str  # unqualified, run with the tenant's schema first on the search_path
    category: str
    object: str  # a name the finding's object must contain


def plan_drift(names: Sequence[str], share: float, tenant: Tenant, seed: int) -> dict[str, Drift]:
    """Which tenants drift and how: a deterministic choice, every kind used in turn."""
    if not names or share <= 0:
        return {}
    rnd = random.Random(seed)
    count = min(len(names), max(1, round(len(names) * share)))
    chosen = sorted(rnd.sample(range(len(names)), count))
    kinds = list(DRIFT_KINDS)
    rnd.shuffle(kinds)
    out: dict[str, Drift] = {}
    for i, idx in enumerate(chosen):
        kind = kinds[i % len(kinds)]
        if kind == "drop_table":
            t = rnd.choice(tenant.leaf_tables)
            d = Drift(kind, f"DROP TABLE {t}", CATEGORY[kind], t)
        elif kind == "drop_index":
            ix = rnd.choice(tenant.indexes)
            d = Drift(kind, f"DROP INDEX {ix}", CATEGORY[kind], ix)
        elif kind == "change_default":
            t, col, new = rnd.choice(tenant.defaults)
            d = Drift(kind, f"ALTER TABLE {t} ALTER COLUMN {col} SET DEFAULT {new}", CATEGORY[kind],
                      f"{t}.{col}")
        elif kind == "extra_column":
            t = rnd.choice(tenant.tables)
            d = Drift(kind, f"ALTER TABLE {t} ADD COLUMN legacy_note text", CATEGORY[kind],
                      f"{t}.legacy_note")
        elif kind == "drop_trigger":
            t, tg = rnd.choice(tenant.triggers)
            d = Drift(kind, f"DROP TRIGGER {tg} ON {t}", CATEGORY[kind], tg)
        elif kind == "drop_policy":
            t, pol = rnd.choice(tenant.policies)
            d = Drift(kind, f"DROP POLICY {pol} ON {t}", CATEGORY[kind], pol)
        else:
            name = rnd.choice([r[0] for r in ROLES])
            d = Drift(kind, f"DELETE FROM roles WHERE name = '{name}'", CATEGORY[kind], f"name={name}")
        out[names[idx]] = d
    return out


# -- the fleet -------------------------------------------------------------------------------------


def with_database(url: str, dbname: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + dbname))


def db_names(n: int) -> list[str]:
    width = max(4, len(str(n - 1)))
    return [f"{DB_PREFIX}{i:0{width}d}" for i in range(n)]


def schema_names(n: int) -> list[str]:
    width = max(4, len(str(n - 1)))
    return [f"{SCHEMA_PREFIX}{i:0{width}d}" for i in range(n)]


def db_pattern(n: int) -> str:
    """LIKE pattern of exactly the tenant databases (not trueup_bench_tpl, whose name is shorter)."""
    return DB_PREFIX + "_" * max(4, len(str(n - 1)))


def is_ours(name: str) -> bool:
    """The databases this script creates (other trueup_bench_* databases belong to other benches)."""
    if name in (TEMPLATE_DB, SCHEMAS_DB):
        return True
    return re.fullmatch(re.escape(DB_PREFIX) + r"\d{4,}", name) is not None


@dataclass
class Manifest:
    """Stored as the comment of the template database: what a --keep run can reuse."""

    key: str
    databases: int
    schemas: int
    db_drift: dict[str, dict[str, str]] = field(default_factory=dict)
    schema_drift: dict[str, dict[str, str]] = field(default_factory=dict)

    def drifts(self, which: str) -> dict[str, Drift]:
        src = self.db_drift if which == "databases" else self.schema_drift
        return {k: Drift(**v) for k, v in src.items()}


def fleet_key(args: argparse.Namespace, tenant: Tenant) -> str:
    text = json.dumps([tenant.sql, args.tables, args.drift, SEED, DRIFT_KINDS])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_parallel(fn: Callable[[T], object], items: Sequence[T], workers: int,
                 stop: Callable[[], None] | None = None) -> None:
    """``fn`` on every item, ``workers`` at a time. On an error or Ctrl-C the items not started
    are dropped, ``stop`` tells the running ones to finish early, and the error is raised."""
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        for f in [pool.submit(fn, item) for item in items]:
            f.result()
    except BaseException:
        if stop is not None:
            stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Progress:
    """One line rewritten in place on a terminal, a line per 10% otherwise."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = time.perf_counter()
        self.lock = threading.Lock()
        self.tty = sys.stdout.isatty()
        self.last_decile = -1

    def tick(self, n: int = 1) -> None:
        with self.lock:
            self.done += n
            elapsed = time.perf_counter() - self.started
            if self.tty:
                print(f"\r  {self.label}: {self.done}/{self.total} ({elapsed:.0f} s)", end="", flush=True)
            else:
                decile = self.done * 10 // max(1, self.total)
                if decile != self.last_decile:
                    self.last_decile = decile
                    print(f"  {self.label}: {self.done}/{self.total} ({elapsed:.0f} s)", flush=True)

    def finish(self) -> float:
        elapsed = time.perf_counter() - self.started
        if self.tty:
            print(f"\r  {self.label}: {self.done}/{self.total} in {elapsed:.1f} s", flush=True)
        else:
            print(f"  {self.label}: done in {elapsed:.1f} s", flush=True)
        return elapsed


class Fleet:
    def __init__(self, url: str) -> None:
        self.url = url

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True)

    def existing(self) -> list[str]:
        with self.admin() as conn:
            rows = conn.execute("SELECT datname FROM pg_database"
                                " WHERE datname LIKE 'trueup\\_bench\\_%'").fetchall()
        return sorted(str(r[0]) for r in rows if is_ours(str(r[0])))

    def manifest(self) -> Manifest | None:
        with self.admin() as conn:
            row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                               " WHERE datname = %s", (TEMPLATE_DB,)).fetchone()
        if not row or not row[0]:
            return None
        try:
            return Manifest(**json.loads(row[0]))
        except (TypeError, ValueError):
            return None

    def reusable(self, key: str, n_db: int, n_schemas: int) -> Manifest | None:
        m = self.manifest()
        if m is None or m.key != key or m.databases != n_db or m.schemas != n_schemas:
            return None
        have = set(self.existing())
        if not set(db_names(n_db)) <= have or (n_schemas and SCHEMAS_DB not in have):
            return None
        if len([n for n in have if n.startswith(DB_PREFIX) and n != TEMPLATE_DB]) != n_db:
            return None
        if n_schemas:
            with psycopg.connect(with_database(self.url, SCHEMAS_DB)) as conn:
                row = conn.execute("SELECT count(*) FROM pg_namespace"
                                   " WHERE nspname LIKE 'tenant\\_%'").fetchone()
            if not row or int(row[0]) != n_schemas:
                return None
        return m

    def drop_all(self) -> None:
        names = self.existing()
        if not names:
            return
        print(f"dropping {len(names)} trueup_bench_* database(s) ...", flush=True)
        bar = Progress("dropped", len(names))

        def drop(name: str) -> None:
            with self.admin() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {q(name)} WITH (FORCE)")
            bar.tick()

        # the template last: clones of it may still be copying it. DROP DATABASE waits for a
        # checkpoint (~0.5 s): concurrent drops share one
        rest = [n for n in names if n != TEMPLATE_DB]
        run_parallel(drop, rest, DROP_WORKERS)
        if TEMPLATE_DB in names:
            drop(TEMPLATE_DB)
        bar.finish()

    def create(self, tenant: Tenant, key: str, n_db: int, n_schemas: int, share: float) -> Manifest:
        self.drop_all()
        names = db_names(n_db)
        db_drift = plan_drift(names, share, tenant, SEED)
        snames = schema_names(n_schemas)
        schema_drift = plan_drift(snames, share, tenant, SEED + 1)
        manifest = Manifest(key, n_db, n_schemas, {k: asdict(v) for k, v in db_drift.items()},
                            {k: asdict(v) for k, v in schema_drift.items()})

        t0 = time.perf_counter()
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {q(TEMPLATE_DB)} TEMPLATE template0")
        with psycopg.connect(with_database(self.url, TEMPLATE_DB), autocommit=True) as conn:
            conn.execute(tenant.sql)
            conn.execute("VACUUM ANALYZE")
        print(f"template {TEMPLATE_DB}: {len(tenant.tables)} tables in {time.perf_counter() - t0:.1f} s",
              flush=True)

        if n_db:
            bar = Progress(f"CREATE DATABASE ... TEMPLATE {TEMPLATE_DB}", n_db)

            def clone(name: str) -> None:
                with self.admin() as conn:
                    # PostgreSQL 15+ copies through the WAL (STRATEGY WAL_LOG): ~0.1 s for a small
                    # template, where FILE_COPY takes two checkpoints (~0.7 s)
                    conn.execute(f"CREATE DATABASE {q(name)} TEMPLATE {q(TEMPLATE_DB)}")
                bar.tick()

            run_parallel(clone, names, BUILD_WORKERS)
            bar.finish()
            for name, d in db_drift.items():
                with psycopg.connect(with_database(self.url, name), autocommit=True) as conn:
                    conn.execute(d.sql)
            print(f"drifted {len(db_drift)} database(s)", flush=True)

        if n_schemas:
            self._create_schemas(tenant, snames, schema_drift)

        with self.admin() as conn:  # the manifest last: a half-built fleet is never reused
            conn.execute(f"COMMENT ON DATABASE {q(TEMPLATE_DB)} IS "
                         + sql.quote(json.dumps(asdict(manifest))))
        return manifest

    def _create_schemas(self, tenant: Tenant, snames: list[str], drift: dict[str, Drift]) -> None:
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {q(SCHEMAS_DB)} TEMPLATE template0")
        url = with_database(self.url, SCHEMAS_DB)
        bar = Progress(f"schemas in {SCHEMAS_DB}", len(snames))
        todo = list(snames)
        lock = threading.Lock()

        def worker(_: int) -> None:
            # one transaction per schema: a schema holds a few hundred locks, the lock table ~6400
            with psycopg.connect(url) as conn:
                conn.execute("SET synchronous_commit = off")
                conn.commit()
                while True:
                    with lock:
                        if not todo:
                            return
                        s = todo.pop(0)
                    script = f"CREATE SCHEMA {q(s)};\nSET LOCAL search_path = {q(s)};\n{tenant.sql}"
                    if s in drift:
                        script += drift[s].sql + ";\n"
                    conn.execute(script)
                    conn.commit()
                    bar.tick()

        run_parallel(worker, [0, 1], 2, stop=todo.clear)  # on Ctrl-C each stops after its schema
        bar.finish()
        with psycopg.connect(url, autocommit=True) as conn:
            # the catalogs as autovacuum leaves them on a live server: building 1000 schemas
            # leaves ~50,000 dead pg_attribute rows that every probe would read past
            conn.execute("VACUUM ANALYZE")
        print(f"drifted {len(drift)} schema(s)", flush=True)


# -- the audit's configuration -----------------------------------------------------------------------


def write_config(folder: Path, url: str, tenant: Tenant, n_db: int) -> Path:
    (folder / "tenant.sql").write_text(tenant.sql, encoding="utf-8")
    (folder / "refdata.toml").write_text(refdata_toml(), encoding="utf-8")
    config = folder / "trueup.toml"
    config.write_text(f"""\
[scratch]
url = "{url}"

[groups.databases]
desired = "tenant.sql"
reference_data = "refdata.toml"
discover = {{ server = "{url}", databases = "{db_pattern(n_db)}" }}

[groups.schemas]
desired = "tenant.sql"
reference_data = "refdata.toml"
discover = {{ server = "{with_database(url, SCHEMAS_DB)}", schemas = "{SCHEMA_PREFIX}%", \
template_schema = "public" }}
""", encoding="utf-8")
    return config


# -- measurements ----------------------------------------------------------------------------------

#: runs a command, then prints its exit code, wall time and the peak RSS of its process tree (KiB)
MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
wall = time.perf_counter() - t0
print(rc, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""


@dataclass
class Run:
    seconds: float
    rss_mb: float
    exit_code: int
    report: dict[str, Any]


def run_cli_audit(config: Path, group: str, out: Path, concurrency: int, target: str | None = None,
                  command: Sequence[str] = ("audit",), extra: Sequence[str] = ()) -> Run:
    trueup = shutil.which("trueup", path=os.path.dirname(sys.executable)) or shutil.which("trueup")
    cmd = [trueup] if trueup else [sys.executable, "-c", "from trueup.cli.main import main; main()"]
    cmd += [*command, "-c", str(config), "--group", group, "--format", "json", "-o", str(out),
            "--concurrency", str(concurrency), *extra]
    if target is not None:
        cmd += ["--target", target]
    proc = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, timeout=3600)
    last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    try:
        rc, wall, rss = last.split()
    except ValueError:
        raise RuntimeError(f"trueup audit --group {group} failed: {proc.stderr.strip()[-2000:]}") from None
    if int(rc) not in (0, 1, 2) or not out.exists():
        raise RuntimeError(f"trueup {command[0]} --group {group} exited {rc}: {proc.stderr.strip()[-2000:]}")
    return Run(float(wall), int(rss) / 1024, int(rc), json.loads(out.read_text(encoding="utf-8")))


#: the least a probe that reads the catalog does: one join of three catalogs (the columns of the
#: tenant's tables), no deparsing, no hashing
MINIMAL_PROBE = ("SELECT count(*) FROM pg_catalog.pg_attribute a"
                 " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                 " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'")


def floor_seconds(urls: Sequence[str], concurrency: int, sql: str = "SELECT 1") -> float:
    """Connect + ``sql`` + close on every database, as the audit connects (autocommit, timeout)."""

    def one(url: str) -> None:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql).fetchone()  # type: ignore[arg-type]

    t0 = time.perf_counter()
    run_parallel(one, urls, concurrency)
    return time.perf_counter() - t0


@dataclass
class Phase:
    calls: int = 0
    busy: float = 0.0  # summed over threads
    first: float = float("inf")
    last: float = 0.0

    @property
    def span(self) -> float:
        return max(0.0, self.last - self.first) if self.calls else 0.0


@contextmanager
def phase_timers() -> Iterator[dict[str, Phase]]:
    """Time the steps of run_audit by wrapping the module functions it calls."""
    import trueup.fleet.audit as audit

    phases: dict[str, Phase] = {}
    lock = threading.Lock()
    # whichever of these the module has (it changes): the probe, the full inspection of the drifted
    names = ("load_desired", "discover", "default_concurrency", "_probe", "fingerprint", "schema_fingerprints",
             "_inspect_for", "_schema_findings_for", "schema_findings")
    saved = {n: getattr(audit, n) for n in names if callable(getattr(audit, n, None))}

    def wrap(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*a: Any, **kw: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                t1 = time.perf_counter()
                with lock:
                    p = phases.setdefault(name, Phase())
                    p.calls += 1
                    p.busy += t1 - t0
                    p.first = min(p.first, t0)
                    p.last = max(p.last, t1)
        return timed

    for n, fn in saved.items():
        setattr(audit, n, wrap(n, fn))
    try:
        yield phases
    finally:
        for n, fn in saved.items():
            setattr(audit, n, fn)


def in_process_audit(config_path: Path, group: str, concurrency: int) -> tuple[float, dict[str, Phase]]:
    from trueup.config import load_config
    from trueup.fleet.audit import run_audit

    config = load_config(config_path)
    with phase_timers() as phases:
        t0 = time.perf_counter()
        run_audit(config, groups=[group], concurrency=concurrency, rescan=True)
        total = time.perf_counter() - t0
    return total, dict(phases)


def fmt_phases(total: float, phases: dict[str, Phase]) -> str:
    parts = [f"total {total:.2f} s"]
    for name, p in phases.items():
        parts.append(f"{name.strip('_')} x{p.calls}: {p.span:.2f} s wall" + (
            f" ({p.busy / p.calls * 1000:.1f} ms each)" if p.calls > 1 else ""))
    return "; ".join(parts)


# -- correctness -----------------------------------------------------------------------------------


@dataclass
class Check:
    found: int = 0
    missed: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: findings beside the injected one in a drifted tenant (reported, not part of the verdict)
    spurious: list[str] = field(default_factory=list)


def check_report(report: dict[str, Any], expected_names: Sequence[str], drift: dict[str, Drift]) -> Check:
    out = Check()
    by_name = {r["name"]: r for r in report.get("databases", [])}
    for name in expected_names:
        r = by_name.get(name)
        if r is None:
            out.missed.append(f"{name}: not in the report")
            continue
        if r["status"] == "error":
            out.errors.append(f"{name}: {r.get('error')}")
            continue
        d = drift.get(name)
        if d is None:
            if r["status"] != "in_sync" or r["findings"]:
                first = r["findings"][0] if r["findings"] else {}
                out.false_positives.append(f"{name}: {first.get('category')} {first.get('object')}")
            continue
        hits = [f for f in r["findings"] if f["category"] == d.category and d.object in f["object"]]
        if hits and r["status"] == "drift":
            out.found += 1
            out.spurious += [f"{name}: {f['category']} {f['problem']} {f['object']}: {f['detail'][:160]}"
                          for f in r["findings"] if f not in hits]
        else:
            got = ", ".join(f"{f['category']} {f['object']}" for f in r["findings"]) or "nothing"
            out.missed.append(f"{name}: expected {d.category} {d.object} ({d.kind}), found {got}")
    unknown = sorted(set(by_name) - set(expected_names))
    out.false_positives += [f"{n}: not a tenant of the fleet" for n in unknown]
    return out


# -- main ----------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Benchmark trueup audit on a fleet of tenant databases"
                                " and schemas.")
    p.add_argument("--url", default=os.environ.get("TRUEUP_BENCH_PG_URL", DEFAULT_URL),
                   help="admin URL of the server (default: $TRUEUP_BENCH_PG_URL or the local server)")
    p.add_argument("--databases", type=int, default=1000, help="tenant databases (default 1000)")
    p.add_argument("--schemas", type=int, default=1000, help="tenant schemas in one database (default 1000)")
    p.add_argument("--tables", type=int, default=40, help="tables per tenant (default 40)")
    p.add_argument("--drift", type=float, default=0.02, help="share of drifted tenants (default 0.02)")
    p.add_argument("--concurrency", type=int, default=None,
                   help="audit and floor concurrency (default: what trueup audit picks)")
    p.add_argument("--keep", action="store_true", help="keep the fleet; a later run reuses it if it fits")
    p.add_argument("--skip-create", action="store_true", help="use the fleet a --keep run left")
    p.add_argument("--no-apply", action="store_true", help="skip the apply phase (e)")
    p.add_argument("--no-in-process", action="store_true", help="skip the in-process, per-phase audit runs")
    args = p.parse_args(argv)
    if args.databases < 0 or args.schemas < 0 or args.tables < 8:
        p.error("--databases and --schemas must be >= 0, --tables >= 8")
    if args.concurrency is not None and not 1 <= args.concurrency <= 90:
        p.error("--concurrency must be 1..90 (the server allows 100 connections)")
    return args


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    fleet = Fleet(args.url)
    tenant = tenant_schema(args.tables)
    key = fleet_key(args, tenant)
    workdir = Path(tempfile.mkdtemp(prefix="trueup_bench_fleet_"))
    try:
        return run(args, fleet, tenant, key, workdir)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        try:
            if not args.keep:
                fleet.drop_all()
        except KeyboardInterrupt:  # a second Ctrl-C: once more, without the progress
            fleet.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)


def run(args: argparse.Namespace, fleet: Fleet, tenant: Tenant, key: str, workdir: Path) -> int:
    from trueup.fleet.audit import default_concurrency

    print(f"server {args.url}: {args.databases} databases and {args.schemas} schemas of {len(tenant.tables)}"
          f" tables, drift {args.drift:.0%}", flush=True)
    manifest = fleet.reusable(key, args.databases, args.schemas) if (args.keep or args.skip_create) else None
    if manifest is not None:
        print("reusing the fleet left by an earlier --keep run", flush=True)
    elif args.skip_create:
        print("--skip-create: no fleet of this shape exists (run once with --keep)", file=sys.stderr)
        return 2
    else:
        t0 = time.perf_counter()
        manifest = fleet.create(tenant, key, args.databases, args.schemas, args.drift)
        print(f"fleet built in {time.perf_counter() - t0:.0f} s", flush=True)

    concurrency = args.concurrency or default_concurrency(args.url)
    config = write_config(workdir, args.url, tenant, max(1, args.databases))
    db_drift, schema_drift = manifest.drifts("databases"), manifest.drifts("schemas")
    lines: list[str] = []
    verdict: list[tuple[str, bool]] = []

    def say(text: str) -> None:
        lines.append(text)
        print(text, flush=True)

    say("")
    say(f"concurrency {concurrency} (trueup audit's default: {default_concurrency(args.url)});"
        f" config {config}")
    ratio = first_ratio = None
    db_check = schema_check = repeat_db_check = repeat_schema_check = None
    db_run = schema_run = repeat_schemas = None
    if args.databases:
        urls = [with_database(args.url, n) for n in db_names(args.databases)]
        # untimed: the first connection to a new database writes its relation cache file
        floor_seconds(urls, concurrency)
        # this machine's timings vary by ±20% from one pass to the next: the median of three
        floors = sorted(floor_seconds(urls, concurrency) for _ in range(3))
        floor = floors[1]
        say(f"(a) floor: connect + SELECT 1 on {len(urls)} databases: {floor:.2f} s, median of"
            f" {', '.join(f'{f:.2f}' for f in floors)} ({floor / len(urls) * 1000:.1f} ms each, {len(urls) / floor:.0f}/s)")
        # for scale: what merely reading the catalog costs a new connection, before any hashing
        minimal = floor_seconds(urls, concurrency, MINIMAL_PROBE)
        say(f"    for scale: connect + one 3-catalog count (no fingerprint) on {len(urls)} databases:"
            f" {minimal:.2f} s, ratio {minimal / floor:.2f}")
        db_run = run_cli_audit(config, "databases", workdir / "databases.json", concurrency)
        first_ratio = db_run.seconds / floor
        say(f"(b) trueup audit --group databases ({args.databases} databases), first run (nothing cached:"
            f" desired state loaded, every target fingerprinted): {db_run.seconds:.2f} s, exit {db_run.exit_code}")
        say(f"(c) peak RSS: {db_run.rss_mb:.0f} MB")
        say(f"(d) audit / floor, first run: {first_ratio:.2f}")
        rescan_db = run_cli_audit(config, "databases", workdir / "databases2.json", concurrency,
                                  extra=("--rescan",))
        say(f"    again with --rescan (desired state from the cache, every target fingerprinted):"
            f" {rescan_db.seconds:.2f} s, ratio {rescan_db.seconds / floor:.2f}")
        repeats = sorted((run_cli_audit(config, "databases", workdir / f"databases3_{i}.json", concurrency)
                          for i in range(3)), key=lambda r: r.seconds)
        repeat_db = repeats[1]
        ratio = repeat_db.seconds / floor
        say(f"(d) audit / floor, repeat run (desired state cached, unchanged targets known by their"
            f" change tokens): {repeat_db.seconds:.2f} s, median of {', '.join(f'{r.seconds:.2f}' for r in repeats)};"
            f" ratio {ratio:.2f}")
        one = run_cli_audit(config, "databases", workdir / "one.json", concurrency, target=db_names(1)[0])
        say(f"    fixed cost: the same command for one database (--target {db_names(1)[0]}):"
            f" {one.seconds:.2f} s")
        repeat_db_check = check_report(repeat_db.report, db_names(args.databases), db_drift)
        db_check = check_report(db_run.report, db_names(args.databases), db_drift)
    apply_run = None
    if args.databases and not args.no_apply:
        # (e) roll a 3-statement change out to every tenant database (the drifted ones are
        # repaired on the way, destructive repairs included), then every target is verified
        (workdir / "tenant.sql").write_text(tenant.sql + APPLY_CHANGE, encoding="utf-8")
        apply_run = run_cli_audit(config, "databases", workdir / "apply.json", concurrency,
                                  command=("apply", "--yes", "--allow-destructive"))
        (workdir / "tenant.sql").write_text(tenant.sql, encoding="utf-8")
        verified = sum(d["status"] == "in_sync" for d in apply_run.report["databases"])
        applied = apply_run.report["summary"].get("apply", {}).get("applied", 0)
        say(f"(e) trueup apply (3 statements) to {args.databases} databases: {apply_run.seconds:.2f} s,"
            f" {applied} applied, {verified} verified in sync, exit {apply_run.exit_code};"
            f" ratio to floor {apply_run.seconds / floor:.2f}; peak RSS {apply_run.rss_mb:.0f} MB")
        verdict.append((f"apply {apply_run.seconds:.1f} s < {TARGET_APPLY_SECONDS:.0f} s, {verified}/{args.databases}"
                        " verified", apply_run.seconds < TARGET_APPLY_SECONDS and verified == args.databases))
        if args.keep:  # leave a reusable fleet: undo the rolled-out change
            def undo(name: str) -> None:
                with psycopg.connect(with_database(args.url, name), autocommit=True) as conn:
                    conn.execute("DROP POLICY IF EXISTS users_not_archived ON users;"
                                 " DROP INDEX IF EXISTS users_archived_idx;"
                                 " ALTER TABLE users DROP COLUMN IF EXISTS archived")
            run_parallel(undo, db_names(args.databases), 8)
            print("note: the kept fleet is now fully repaired (drift was applied away); rebuild it for audits",
                  flush=True)
    if args.schemas:
        schema_run = run_cli_audit(config, "schemas", workdir / "schemas.json", concurrency)
        say(f"(b) trueup audit --group schemas ({args.schemas} schemas), first run (desired state loaded"
            f" into a scratch database): {schema_run.seconds:.2f} s, exit {schema_run.exit_code}")
        rescan_schemas = run_cli_audit(config, "schemas", workdir / "schemas2.json", concurrency,
                                       extra=("--rescan",))
        say(f"    again with --rescan (desired state from the cache): {rescan_schemas.seconds:.2f} s")
        repeat_schemas = run_cli_audit(config, "schemas", workdir / "schemas3.json", concurrency)
        say(f"    repeat run (change token): {repeat_schemas.seconds:.2f} s")
        say(f"(c) peak RSS: {schema_run.rss_mb:.0f} MB")
        repeat_schema_check = check_report(repeat_schemas.report, schema_names(args.schemas), schema_drift)
        schema_check = check_report(schema_run.report, schema_names(args.schemas), schema_drift)
    if not args.no_in_process:
        for group, n in (("databases", args.databases), ("schemas", args.schemas)):
            if n:
                total, phases = in_process_audit(config, group, concurrency)
                say(f"    in process, {group}, --rescan: {fmt_phases(total, phases)}")

    for label, check, drift in (("databases", db_check, db_drift), ("schemas", schema_check, schema_drift),
                                ("databases, repeat run", repeat_db_check, db_drift),
                                ("schemas, repeat run", repeat_schema_check, schema_drift)):
        if check is None:
            continue
        kinds = ", ".join(f"{k} {sum(d.kind == k for d in drift.values())}" for k in DRIFT_KINDS)
        say(f"correctness, {label}: {check.found}/{len(drift)} drifts found ({kinds}),"
            f" {len(check.missed)} missed, {len(check.false_positives)} false positives,"
            f" {len(check.errors)} errors")
        for text in (check.missed + check.false_positives + check.errors)[:10]:
            say(f"    {text}")
        if check.spurious:
            tenants = len({t.split(":")[0] for t in check.spurious})
            say(f"    spurious: {len(check.spurious)} finding(s) beside the injected drift in {tenants}"
                f" drifted tenant(s), e.g. {check.spurious[0]}")

    if ratio is not None and first_ratio is not None:
        verdict.append((f"ratio {ratio:.2f} (repeat run) <= {TARGET_RATIO}", ratio <= TARGET_RATIO))
        verdict.append((f"ratio {first_ratio:.2f} (first run) <= {TARGET_RATIO}", first_ratio <= TARGET_RATIO))
    if schema_run is not None and repeat_schemas is not None:
        for label, r in (("repeat run", repeat_schemas), ("first run", schema_run)):
            verdict.append((f"{args.schemas} schemas {r.seconds:.2f} s ({label}) < {TARGET_SCHEMAS_SECONDS:.0f} s",
                            r.seconds < TARGET_SCHEMAS_SECONDS))
    runs = [r for r in (db_run, schema_run) if r is not None]
    if runs:
        peak = max(r.rss_mb for r in runs)
        verdict.append((f"peak memory {peak:.0f} MB < {TARGET_RSS_MB:.0f} MB", peak < TARGET_RSS_MB))
    checks = [c for c in (db_check, schema_check, repeat_db_check, repeat_schema_check) if c is not None]
    if checks:
        found = sum(c.found for c in checks)
        want = (len(db_drift) * (bool(db_check) + bool(repeat_db_check))
                + len(schema_drift) * (bool(schema_check) + bool(repeat_schema_check)))
        verdict.append((f"drifts found {found}/{want}", found == want and not any(c.errors for c in checks)))
        fps = sum(len(c.false_positives) for c in checks)
        verdict.append((f"false positives {fps}", fps == 0))
    ok = all(v for _, v in verdict)
    spurious = sum(len(c.spurious) for c in (db_check, schema_check) if c is not None)
    say("")
    say(("PASS" if ok else "FAIL") + ": " + "; ".join(f"{t} {'ok' if v else 'MISSED'}" for t, v in verdict)
        + (f" (note: {spurious} spurious findings in drifted tenants)" if spurious else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
