"""Benchmark: trueup inspection and diff against schemainspect and migra.

Run as ``python bench/inspect.py [--url ADMIN_URL] [--runs N] [--sizes 40,400]``.

For each size N the script creates two databases named ``trueup_bench_*`` on the server:
one with a generated schema of N tables (varied column types, enums, primary and foreign
keys, unique, partial and expression indexes, trigger functions and triggers, row level
security with policies, views, a materialized view, functions, comments) and one with the
same schema and about 5% drift. Both are dropped at the end, also on Ctrl-C.

It times, as the median of ``--runs`` runs after one untimed warm-up run (the four figures'
runs are interleaved, so that other load on the machine weighs on each tool alike):

(a) ``trueup.engines.postgres.ENGINE.inspect(url)`` in this process (connect + inspect),
(b) the whole ``trueup diff URL1 URL2`` command as a subprocess (Python start-up included),
(c) schemainspect's ``get_inspector()`` in a throw-away venv (connect + inspect, timed by
    a small script inside that venv, so the interpreter start is not counted),
(d) the whole ``migra --unsafe URL1 URL2`` command as a subprocess.

In the same run it measures what bounds trueup's figures from below on this machine, whatever
trueup's own code does:

(e) start-up: a new interpreter importing trueup's CLI and psycopg (what every ``trueup``
    command pays before it can send a query);
(f) server time: the planning and execution time the server reports (``EXPLAIN ANALYZE``) for
    trueup's catalog queries on one database, summed;
(g) fetch time: the CPU time psycopg takes in this process to connect, send those queries and
    decode their rows (as plain tuples: the cheapest form), with no model built;
(h) model time: the CPU time of one in-process inspection, less (g): trueup's own Python code.

(i) CPU per inspection: what every process on this machine used while one inspection ran (from
    /proc/stat: client and server alike, so both tools are measured the same way), for trueup
    and for schemainspect; Linux only, and meaningful only when the server runs here;
(j) deparse CPU: the same, for a new connection that only calls the server's deparse functions
    (pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef,
    pg_get_triggerdef, pg_get_expr for defaults and policies, format_type for columns) once for
    each object that has a definition: what any tool that reports definitions as the server
    writes them pays (schemainspect and migra do), before it reads anything else;
(k) bare model: the CPU to make the model's immutable objects (identity, frozen definition,
    dependencies) from their finished parts, with nothing read, normalised or resolved: what
    building this model costs at least, however it is read.

Any inspection needs (f) and (g), on at most two cores: ``((f) + (g)) / 2``. A ``diff`` of two
databases needs (e), then (f) and (g) for each side, on the machine's cores: ``(e) + (2 * (f) +
2 * (g)) / cores``. Those floors hold even if trueup's own code took no time at all; the report
prints them and the best ratios they allow against the reference tools, and (h), so a missed
target can be told apart from a slow trueup.

At a ratio R against schemainspect, an inspection has schemainspect's time / R, so at most
cores x that of CPU: the report compares (i) and (j) with that budget.

When the reference venv cannot be built, (c) and (d) are skipped with a note.
"""

# ruff: noqa: E402  (the module path is fixed before the other imports, see below)
from __future__ import annotations

import os
import sys

# This file shares its name with the standard library's ``inspect`` module, which dataclasses
# and others import: keep this folder off the module path so they get the real one.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

import argparse
import contextlib
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PREFIX = "trueup_bench_"
TARGET = 5.0
TARGET_SIZE = 400

# Versions that install and run together on Python 3.11 (migra 3.0.x wants schemainspect 3.x
# and sqlbag; sqlbag and schemainspect need SQLAlchemy 1.x; schemainspect imports pkg_resources).
REFERENCE_REQUIREMENTS = [
    "migra==3.0.1663481299",
    "schemainspect==3.1.1663587362",
    "sqlbag==0.1.1617247075",
    "psycopg2-binary",
    "sqlalchemy>=1.4,<2",
    "setuptools<81",
]

# Runs in the reference venv: one inspection (connect + get_inspector) per "run" line read from
# stdin, answering with its own elapsed time, so the interpreter start is never counted and the
# runs can be interleaved with trueup's.
SCHEMAINSPECT_WORKER = '''
import sys, time, warnings
warnings.filterwarnings("ignore")
from sqlbag import S
from schemainspect import get_inspector

url = sys.argv[1]
for line in sys.stdin:
    if line.strip() != "run":
        break
    start = time.perf_counter()
    with S(url) as s:
        inspector = get_inspector(s)
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.6f} {len(inspector.tables)}", flush=True)
'''


# -- schema generation ---------------------------------------------------------------------------

ENTITY_NAMES = ("account", "customer", "order", "invoice", "payment", "product", "shipment",
                "ticket", "project", "event", "subscription", "address", "warehouse", "refund")

# name -> (type, default or None)
OPTIONAL_COLUMNS: dict[str, tuple[str, str | None]] = {
    "code": ("varchar(32)", None),
    "title": ("varchar(200)", "''"),
    "description": ("text", None),
    "amount": ("numeric(12,2)", "0"),
    "quantity": ("integer", "1"),
    "counter": ("bigint", "0"),
    "ratio": ("numeric", None),
    "payload": ("jsonb", "'{}'::jsonb"),
    "tags": ("text[]", "'{}'::text[]"),
    "status": ("status_t", "'new'::status_t"),
    "priority": ("priority_t", "'normal'::priority_t"),
    "channel": ("channel_t", None),
    "external_id": ("uuid", None),
    "due_at": ("timestamptz", None),
    "is_archived": ("boolean", "false"),
    "score": ("double precision", None),
    "email": ("varchar(320)", None),
}


@dataclass
class Table:
    index: int
    name: str
    pk: str  # "identity", "bigserial" or "uuid"
    columns: list[str]
    parents: list[int]
    trigger_touch: bool
    trigger_audit: bool
    rls: bool
    view: bool

    @property
    def pk_type(self) -> str:
        return "uuid" if self.pk == "uuid" else "bigint"


@dataclass
class GeneratedSchema:
    tables: list[Table] = field(default_factory=list)
    base_sql: str = ""
    drift_sql: str = ""
    drift_ops: int = 0


def generate_schema(n_tables: int, seed: int = 42) -> GeneratedSchema:
    rnd = random.Random(seed)
    gen = GeneratedSchema()
    out: list[str] = [
        "CREATE SCHEMA reporting;",
        "CREATE TYPE status_t AS ENUM ('new', 'active', 'suspended', 'archived');",
        "CREATE TYPE priority_t AS ENUM ('low', 'normal', 'high', 'urgent');",
        "CREATE TYPE channel_t AS ENUM ('web', 'mobile', 'api', 'batch');",
        "CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        " table_name text NOT NULL, op text NOT NULL, row_data jsonb,"
        " at timestamptz NOT NULL DEFAULT now());",
        "CREATE INDEX audit_log_at_idx ON audit_log (at DESC);",
        """CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;""",
        """CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_log (table_name, op, row_data) VALUES (TG_TABLE_NAME, TG_OP, to_jsonb(NEW));
  RETURN NEW;
END
$$;""",
        "CREATE FUNCTION current_tenant() RETURNS uuid LANGUAGE sql STABLE AS"
        " $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;",
        "CREATE FUNCTION is_admin() RETURNS boolean LANGUAGE sql STABLE AS"
        " $$ SELECT coalesce(current_setting('app.is_admin', true), '') = 'on' $$;",
        "COMMENT ON FUNCTION current_tenant() IS 'Tenant of the current session';",
    ]
    for i in range(n_tables):
        name = f"{ENTITY_NAMES[i % len(ENTITY_NAMES)]}_{i:04d}"
        pk = ("identity", "bigserial", "uuid")[rnd.randrange(3)]
        columns = sorted(rnd.sample(sorted(OPTIONAL_COLUMNS), rnd.randint(3, 9)))
        parents: list[int] = []
        if i > 0 and rnd.random() < 0.75:
            parents.append(rnd.randrange(max(0, i - 30), i))
        if i > 5 and rnd.random() < 0.25:
            other = rnd.randrange(0, i)
            if other not in parents:
                parents.append(other)
        t = Table(i, name, pk, columns, parents, trigger_touch=i % 3 == 0, trigger_audit=i % 7 == 3,
                  rls=i % 4 == 1, view=i % 10 == 2)
        gen.tables.append(t)
        out.extend(_table_sql(t, gen.tables))
    for i in range(max(1, n_tables // 40)):
        t = gen.tables[(i * 13 + 5) % n_tables]
        out.append(f"CREATE FUNCTION {t.name}_count(p_tenant uuid) RETURNS bigint LANGUAGE sql STABLE AS"
                   f" $$ SELECT count(*) FROM {t.name} WHERE tenant_id = p_tenant $$;")
    mv_tables = gen.tables[:: max(1, n_tables // 4)][:4]
    for t in mv_tables:
        out.append(f"CREATE MATERIALIZED VIEW reporting.mv_{t.name}_daily AS SELECT tenant_id,"
                   f" date_trunc('day', created_at) AS day, count(*) AS n FROM {t.name} GROUP BY 1, 2;")
        out.append(f"CREATE UNIQUE INDEX mv_{t.name}_daily_key"
                   f" ON reporting.mv_{t.name}_daily (tenant_id, day);")
    gen.base_sql = "\n".join(out) + "\n"
    gen.drift_sql, gen.drift_ops = _drift_sql(gen.tables, rnd)
    return gen


def _table_sql(t: Table, tables: list[Table]) -> list[str]:
    if t.pk == "identity":
        cols = ["id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"]
    elif t.pk == "bigserial":
        cols = ["id bigserial PRIMARY KEY"]
    else:
        cols = ["id uuid PRIMARY KEY DEFAULT gen_random_uuid()"]
    cols += ["tenant_id uuid NOT NULL", "name text NOT NULL", "is_active boolean NOT NULL DEFAULT true"]
    for c in t.columns:
        typ, default = OPTIONAL_COLUMNS[c]
        cols.append(f"{c} {typ}" + (f" DEFAULT {default}" if default else ""))
    for n, p in enumerate(t.parents):
        parent = tables[p]
        col = "parent_id" if n == 0 else f"{ENTITY_NAMES[p % len(ENTITY_NAMES)]}_ref_id"
        action = " ON DELETE CASCADE" if n == 0 else " ON DELETE SET NULL"
        cols.append(f"{col} {parent.pk_type} REFERENCES {parent.name} (id){action}")
    cols += ["created_at timestamptz NOT NULL DEFAULT now()", "updated_at timestamptz"]
    cons = []
    if "amount" in t.columns:
        cons.append(f"CONSTRAINT {t.name}_amount_check CHECK (amount >= 0)")
    if "code" in t.columns:
        cons.append(f"CONSTRAINT {t.name}_tenant_code_key UNIQUE (tenant_id, code)")
    body = ",\n  ".join(cols + cons)
    out = [f"CREATE TABLE {t.name} (\n  {body}\n);"]
    out.append(f"CREATE UNIQUE INDEX {t.name}_tenant_name_idx ON {t.name} (tenant_id, lower(name));")
    out.append(f"CREATE INDEX {t.name}_active_idx ON {t.name} (tenant_id, created_at DESC) WHERE is_active;")
    if t.parents:
        out.append(f"CREATE INDEX {t.name}_parent_idx ON {t.name} (parent_id);")
    if "payload" in t.columns:
        out.append(f"CREATE INDEX {t.name}_payload_idx ON {t.name} USING gin (payload jsonb_path_ops);")
    if "status" in t.columns:
        out.append(f"CREATE INDEX {t.name}_open_idx ON {t.name} (status) WHERE status <> 'archived';")
    if t.trigger_touch:
        out.append(f"CREATE TRIGGER {t.name}_touch BEFORE UPDATE ON {t.name}"
                   " FOR EACH ROW EXECUTE FUNCTION touch_updated_at();")
    if t.trigger_audit:
        out.append(f"CREATE TRIGGER {t.name}_audit AFTER INSERT OR UPDATE ON {t.name}"
                   " FOR EACH ROW EXECUTE FUNCTION audit_row();")
    if t.rls:
        out.append(f"ALTER TABLE {t.name} ENABLE ROW LEVEL SECURITY;")
        out.append(f"CREATE POLICY tenant_isolation ON {t.name} USING (tenant_id = current_tenant());")
        if t.index % 8 == 1:
            out.append(f"CREATE POLICY admin_read ON {t.name} FOR SELECT USING (is_admin());")
    if t.view:
        select = f"SELECT x.id, x.tenant_id, x.name, x.created_at FROM {t.name} x WHERE x.is_active"
        if t.parents:
            parent = tables[t.parents[0]]
            select = (f"SELECT x.id, x.tenant_id, x.name, p.name AS parent_name, x.created_at"
                      f" FROM {t.name} x LEFT JOIN {parent.name} p ON p.id = x.parent_id WHERE x.is_active")
        out.append(f"CREATE VIEW reporting.v_{t.name} AS {select};")
    if t.index % 5 == 0:
        entity = ENTITY_NAMES[t.index % len(ENTITY_NAMES)]
        out.append(f"COMMENT ON TABLE {t.name} IS 'The {entity}s, #{t.index}';")
    return out


def _drift_sql(tables: list[Table], rnd: random.Random) -> tuple[str, int]:
    """About 5% of the tables drift, each in one of several ways."""
    n_ops = max(3, round(len(tables) * 0.05))
    order = list(range(len(tables)))
    rnd.shuffle(order)
    out: list[str] = []
    kinds = ["add_column", "change_default", "drop_index", "new_view", "change_policy", "widen_varchar",
             "drop_trigger", "add_check"]
    used: set[int] = set()
    for k in range(n_ops):
        kind = kinds[k % len(kinds)]
        t = _pick(tables, order, used, kind)
        if t is None:
            t = _pick(tables, order, used, "add_column")
            kind = "add_column"
        if t is None:
            break
        used.add(t.index)
        if kind == "add_column":
            out.append(f"ALTER TABLE {t.name} ADD COLUMN note text;")
        elif kind == "change_default":
            out.append(f"ALTER TABLE {t.name} ALTER COLUMN is_active SET DEFAULT false;")
        elif kind == "drop_index":
            out.append(f"DROP INDEX {t.name}_active_idx;")
        elif kind == "new_view":
            out.append(f"CREATE VIEW reporting.v_{t.name}_recent AS SELECT id, name, created_at FROM {t.name}"
                       " WHERE created_at > now() - interval '7 days';")
        elif kind == "change_policy":
            out.append(f"ALTER POLICY tenant_isolation ON {t.name}"
                       " USING (tenant_id = current_tenant() OR is_admin());")
        elif kind == "widen_varchar":
            out.append(f"ALTER TABLE {t.name} ALTER COLUMN code TYPE varchar(64);")
        elif kind == "drop_trigger":
            out.append(f"DROP TRIGGER {t.name}_touch ON {t.name};")
        elif kind == "add_check":
            out.append(f"ALTER TABLE {t.name} ADD CONSTRAINT {t.name}_name_check CHECK (length(name) > 0);")
    out.append("ALTER TYPE priority_t ADD VALUE 'blocker';")
    out.append("CREATE FUNCTION tenant_of(p_id uuid) RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT p_id $$;")
    return "\n".join(out) + "\n", len(out)


def _pick(tables: list[Table], order: list[int], used: set[int], kind: str) -> Table | None:
    fits: dict[str, Callable[[Table], bool]] = {
        "change_policy": lambda t: t.rls,
        "widen_varchar": lambda t: "code" in t.columns,
        "drop_trigger": lambda t: t.trigger_touch,
    }
    ok: Callable[[Table], bool] = fits.get(kind, lambda t: True)
    for i in order:
        if i not in used and ok(tables[i]):
            return tables[i]
    return None


# -- server helpers ------------------------------------------------------------------------------

def answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def with_database(url: str, dbname: str) -> str:
    from trueup.engines.postgres.driver import with_database as _with

    return _with(url, dbname)


class Databases:
    """Creates ``trueup_bench_*`` databases and drops every one of them in :meth:`drop_all`."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.tag = f"{os.getpid()}_{secrets.token_hex(3)}"
        self.created: list[str] = []

    def create(self, suffix: str, sql: str) -> str:
        name = f"{PREFIX}{self.tag}_{suffix}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            self.created.append(name)
            conn.execute(f'CREATE DATABASE "{name}"')
        url = with_database(self.admin_url, name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql)
            conn.execute("ANALYZE")
        return url

    def drop_all(self) -> None:
        if not self.created:
            return
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in list(self.created):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                self.created.remove(name)


# -- the reference tools ---------------------------------------------------------------------------

@dataclass
class Reference:
    python: Path
    migra: Path
    timer: Path


def build_reference(workdir: Path) -> tuple[Reference | None, str]:
    """A venv with migra and schemainspect, or None and the reason it could not be built."""
    venv = workdir / "refvenv"
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, text=True,
                       timeout=300)
        subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        *REFERENCE_REQUIREMENTS], check=True, capture_output=True, text=True, timeout=900)
        check = subprocess.run([str(bindir / "python"), "-c",
                                "import warnings; warnings.filterwarnings('ignore');"
                                " import migra, schemainspect, sqlbag, sqlalchemy, psycopg2;"
                                " from schemainspect import get_inspector; print(sqlalchemy.__version__)"],
                               capture_output=True, text=True, timeout=120)
        if check.returncode != 0:
            return None, f"the reference tools do not import: {_last_line(check.stderr)}"
    except subprocess.CalledProcessError as err:
        cmd = " ".join(map(str, err.cmd[:4]))
        return None, f"{cmd} ... failed: {_last_line(err.stderr or err.stdout or '')}"
    except (OSError, subprocess.TimeoutExpired) as err:
        return None, f"could not build the reference venv: {err}"
    worker = workdir / "schemainspect_worker.py"
    worker.write_text(SCHEMAINSPECT_WORKER)
    return Reference(bindir / "python", bindir / "migra", worker), ""


def _last_line(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "(no output)"


class SchemainspectWorker:
    """A python of the reference venv that inspects ``url`` with schemainspect on request."""

    def __init__(self, ref: Reference, url: str) -> None:
        # a file, not a pipe, for its stderr: it never fills up; closed in close()
        self.errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
        self.proc = subprocess.Popen([str(ref.python), str(ref.timer), url], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.errors, text=True)
        self.tables = 0

    def run(self) -> float:
        """One inspection; its time as measured inside the worker."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write("run\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            pass
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait(timeout=30)
            self.errors.seek(0)
            raise RuntimeError(f"schemainspect failed: {_last_line(self.errors.read())}")
        elapsed, tables = line.split()
        self.tables = int(tables)
        return float(elapsed)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                assert self.proc.stdin is not None
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.errors.close()


# -- timing --------------------------------------------------------------------------------------

def run_command(cmd: list[str], ok_codes: tuple[int, ...], what: str) -> Callable[[], str]:
    def run() -> str:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
        if proc.returncode not in ok_codes:
            raise RuntimeError(f"{what} exited {proc.returncode}: {_last_line(proc.stderr)}")
        return proc.stdout

    return run


def trueup_command() -> list[str]:
    script = Path(sys.executable).parent / "trueup"
    if script.exists():
        return [str(script)]
    found = shutil.which("trueup")
    return [found] if found else [sys.executable, "-m", "trueup.cli.main"]


@dataclass
class Row:
    size: int
    trueup_inspect: float
    trueup_diff: float
    schemainspect: float | None = None
    migra: float | None = None
    notes: list[str] = field(default_factory=list)
    startup: float | None = None  # (e)
    server: float | None = None  # (f)
    fetch: float | None = None  # (g)
    model: float | None = None  # (h)
    cpu_trueup: float | None = None  # (i)
    cpu_schemainspect: float | None = None  # (i)
    cpu_deparse: float | None = None  # (j)
    bare_model: float | None = None  # (k)


STARTUP = "import trueup.cli.main, psycopg"


def server_seconds(conn: psycopg.Connection[Any]) -> float:
    """(f): the server's own planning and execution time for trueup's catalog queries, with the
    inspection's settings, on an already used connection."""
    import re

    from trueup.engines.postgres import catalog

    total = 0.0
    for name in catalog.QUERY_NAMES:
        sql = catalog.query(name, conn.info.server_version)
        with conn.transaction():
            conn.execute("SET LOCAL search_path = pg_catalog")
            conn.execute("SET LOCAL jit = off")
            plan = "\n".join(str(r[0]) for r in conn.execute(  # type: ignore[arg-type]
                f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) {sql}", {"schemas": None}).fetchall())
        for label in ("Planning Time", "Execution Time"):
            m = re.search(label + r": ([0-9.]+) ms", plan)
            total += float(m.group(1)) / 1000 if m else 0.0
    return total


def fetch_rows(url: str) -> int:
    """(g): connect, run the catalog queries in one pipeline as the inspection does, and fetch
    their rows as tuples, building nothing."""
    from trueup.engines.postgres import catalog

    with psycopg.connect(url, autocommit=True) as conn:
        with catalog.catalog_session(conn):
            cursors = []
            for name in catalog.QUERY_NAMES:
                cur = conn.cursor()
                cur.execute(catalog.query(name, conn.info.server_version), {"schemas": None})  # type: ignore[arg-type]
                cursors.append(cur)
        return sum(len(cur.fetchall()) for cur in cursors)


def cpu_seconds(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def machine_cpu() -> float | None:
    """CPU seconds every process on this machine has used (user, nice, system, irq, softirq:
    not idle, I/O wait nor time stolen by a hypervisor), or None off Linux."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 8:
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def machine_cpu_of(fn: Callable[[], object]) -> float | None:
    """(i), (j): the machine's CPU seconds while ``fn`` runs."""
    start = machine_cpu()
    fn()
    end = machine_cpu()
    return None if start is None or end is None else end - start


#: (j): one call of each deparse function per object that has a definition
DEPARSE_SQL = """
SELECT count(pg_get_indexdef(i.indexrelid)) FROM pg_index i
 WHERE i.indexrelid >= 16384
   AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid AND co.contype IN ('p', 'u', 'x'))
UNION ALL SELECT count(pg_get_constraintdef(oid)) FROM pg_constraint WHERE oid >= 16384
UNION ALL SELECT count(pg_get_viewdef(oid)) FROM pg_class WHERE relkind IN ('v', 'm') AND oid >= 16384
UNION ALL SELECT count(pg_get_functiondef(oid)) FROM pg_proc WHERE oid >= 16384 AND prokind IN ('f', 'p')
UNION ALL SELECT count(pg_get_triggerdef(oid)) FROM pg_trigger WHERE oid >= 16384 AND NOT tgisinternal
UNION ALL SELECT count(pg_get_expr(adbin, adrelid)) FROM pg_attrdef WHERE oid >= 16384
UNION ALL SELECT count(format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.oid >= 16384 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL SELECT count(pg_get_expr(polqual, polrelid)) + count(pg_get_expr(polwithcheck, polrelid)) FROM pg_policy
"""


def deparse_only(url: str) -> None:
    """(j): a new connection that calls the deparse functions only."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(DEPARSE_SQL).fetchall()  # type: ignore[arg-type]


def bare_model_seconds(model: Any) -> float:
    """(k): the CPU to make again, from plain parts, every object of ``model`` (best of 5)."""
    from trueup.model import DbObject, ObjectId
    from trueup.model.gcpause import collector_paused

    parts = [((o.id.kind, tuple(o.id.path)), {k: list(v) if isinstance(v, tuple) else v for k, v in o.attrs.items()},
              [(d.kind, d.path) for d in o.deps]) for o in model]
    best = float("inf")
    for _ in range(5):
        with collector_paused():
            start = time.process_time()
            made = [DbObject(ObjectId(kind, path), attrs, frozenset([ObjectId(*d) for d in deps]))
                    for (kind, path), attrs, deps in parts]
            best = min(best, time.process_time() - start)
        del made
    return best


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_size(size: int, dbs: Databases, ref: Reference | None, runs: int) -> Row:
    """Time the four figures for one size; their runs are interleaved so that a change in the
    machine's load (other processes) weighs on each tool alike."""
    from trueup.engines.postgres import ENGINE

    schema = generate_schema(size)
    t0 = time.perf_counter()
    url_a = dbs.create(f"{size}_a", schema.base_sql)
    url_b = dbs.create(f"{size}_b", schema.base_sql + schema.drift_sql)
    print(f"[{size} tables] created two databases in {time.perf_counter() - t0:.1f}s "
          f"({schema.drift_ops} drift statements in the second)", flush=True)

    # warm-up runs, not counted; they also check that every tool works on these databases
    model = ENGINE.inspect(url_a)
    print(f"[{size} tables] trueup sees {len(model.of_kind('table'))} tables, {len(model)} objects",
          flush=True)
    bare = bare_model_seconds(model)
    del model

    def inspect() -> object:
        return ENGINE.inspect(url_a)

    diff = run_command([*trueup_command(), "diff", url_a, url_b], (0, 1, 3), "trueup diff")
    print(f"[{size} tables] trueup diff prints {len(diff().splitlines())} lines", flush=True)
    row = Row(size, 0.0, 0.0)
    worker: SchemainspectWorker | None = None
    migra: Callable[[], str] | None = None
    if ref is not None:
        worker = SchemainspectWorker(ref, url_a)
        try:
            worker.run()
            print(f"[{size} tables] schemainspect sees {worker.tables} tables", flush=True)
        except RuntimeError as err:
            row.notes.append(str(err))
            worker.close()
            worker = None
        migra = run_command([str(ref.migra), "--unsafe", url_a, url_b], (0, 2), "migra")
        try:
            print(f"[{size} tables] migra prints {len(migra().splitlines())} lines", flush=True)
        except (RuntimeError, subprocess.TimeoutExpired) as err:
            row.notes.append(str(err))
            migra = None
    times: dict[str, list[float]] = {"inspect": [], "diff": [], "schemainspect": [], "migra": []}
    floors: dict[str, list[float]] = {"startup": [], "server": [], "fetch": [], "inspect": []}
    cpu: dict[str, list[float]] = {"trueup": [], "schemainspect": [], "deparse": []}

    def on_machine(key: str, fn: Callable[[], object]) -> None:
        used = machine_cpu_of(fn)
        if used is not None:
            cpu[key].append(used)
    startup = run_command([sys.executable, "-c", STARTUP], (0,), "start-up")
    floor_conn = psycopg.connect(url_a, autocommit=True)
    server_seconds(floor_conn)  # warm-up
    try:
        for i in range(runs):
            floors["startup"].append(timed(startup))
            floors["server"].append(server_seconds(floor_conn))
            floors["fetch"].append(cpu_seconds(lambda: fetch_rows(url_a)))
            floors["inspect"].append(cpu_seconds(inspect))
            on_machine("trueup", inspect)
            on_machine("deparse", lambda: deparse_only(url_a))
            if worker is not None:
                on_machine("schemainspect", worker.run)
            times["inspect"].append(timed(inspect))
            if worker is not None:
                times["schemainspect"].append(worker.run())
            times["diff"].append(timed(diff))
            if migra is not None:
                times["migra"].append(timed(migra))
            print(f"[{size} tables] run {i + 1}/{runs}: "
                  + ", ".join(f"{k} {v[-1]:.3f}s" for k, v in times.items() if v), flush=True)
    finally:
        floor_conn.close()
        if worker is not None:
            worker.close()
    row.startup, row.server, row.fetch = (statistics.median(floors[k]) for k in ("startup", "server", "fetch"))
    row.model = max(0.0, statistics.median(floors["inspect"]) - row.fetch)
    row.bare_model = bare
    row.cpu_trueup, row.cpu_schemainspect, row.cpu_deparse = (
        statistics.median(cpu[k]) if cpu[k] else None for k in ("trueup", "schemainspect", "deparse"))
    row.trueup_inspect = statistics.median(times["inspect"])
    row.trueup_diff = statistics.median(times["diff"])
    row.schemainspect = statistics.median(times["schemainspect"]) if times["schemainspect"] else None
    row.migra = statistics.median(times["migra"]) if times["migra"] else None
    return row


# -- report --------------------------------------------------------------------------------------

def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ratio(slow: float | None, fast: float | None) -> float | None:
    return None if slow is None or not fast else slow / fast


def report(rows: list[Row], runs: int) -> str:
    head = ["tables", "trueup inspect s", "schemainspect s", "ratio", "trueup diff s", "migra s", "ratio"]
    body = []
    for r in rows:
        ri, rd = _ratio(r.schemainspect, r.trueup_inspect), _ratio(r.migra, r.trueup_diff)
        body.append([str(r.size), _fmt(r.trueup_inspect), _fmt(r.schemainspect),
                     "n/a" if ri is None else f"{ri:.1f}x", _fmt(r.trueup_diff), _fmt(r.migra),
                     "n/a" if rd is None else f"{rd:.1f}x"])
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]
    lines = [f"median of {runs} runs (after one warm-up run each)",
             "  ".join(h.rjust(w) for h, w in zip(head, widths, strict=True)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.rjust(w) for c, w in zip(b, widths, strict=True)) for b in body]
    for r in rows:
        lines += [f"note ({r.size} tables): {n}" for n in r.notes]
    cores = os.cpu_count() or 1
    for r in rows:
        if r.startup is None or r.server is None or r.fetch is None:
            continue
        one = (r.server + r.fetch) / min(cores, 2)  # an inspection runs on at most two connections
        floor = r.startup + (2 * r.server + 2 * r.fetch) / cores
        best_i, best_d = _ratio(r.schemainspect, one), _ratio(r.migra, floor)
        lines.append(
            f"floor ({r.size} tables, {cores} cores), even if trueup's own code took no time: start-up "
            f"{r.startup:.3f}s; per database, the catalog queries' server time {r.server:.3f}s and psycopg's "
            f"fetching {r.fetch:.3f}s. An inspection cannot take less than {one:.3f}s here"
            + ("" if best_i is None else f" (at best {best_i:.1f}x faster than schemainspect)")
            + f", a diff of two databases not less than {floor:.3f}s"
            + ("" if best_d is None else f" (at best {best_d:.1f}x faster than migra)")
            + f". trueup's model building adds {r.model or 0:.3f}s of CPU per database.")
    for r in rows:
        if r.cpu_trueup is None or r.cpu_deparse is None or r.schemainspect is None:
            continue
        budget = cores * r.schemainspect / TARGET
        lines.append(
            f"CPU per inspection ({r.size} tables, every process on this machine): trueup "
            f"{r.cpu_trueup:.3f}s" + ("" if r.cpu_schemainspect is None else
                                      f", schemainspect {r.cpu_schemainspect:.3f}s")
            + f". {TARGET:g}x faster than schemainspect leaves {r.schemainspect / TARGET:.3f}s, at most "
            f"{budget:.3f}s of CPU on {cores} cores; the server's deparse functions alone, once per "
            f"object on a new connection, take {r.cpu_deparse:.3f}s ({r.cpu_deparse / budget:.0%} of it)"
            + ("" if r.fetch is None or r.bare_model is None else
               f"; with psycopg's fetching ({r.fetch:.3f}s) and the bare model ({r.bare_model:.3f}s: "
               f"its objects made from finished parts), {budget - r.cpu_deparse - r.fetch - r.bare_model:.3f}s "
               "are left for the connections, all other catalog reading, normalising and dependencies")
            + f". trueup's whole inspection uses {r.cpu_trueup:.3f}s ({r.cpu_trueup / budget:.0%} of the budget).")
    target = next((r for r in rows if r.size == TARGET_SIZE), None)
    if target is None:
        lines.append(f"targets: not assessed ({TARGET_SIZE} tables was not among the sizes)")
    else:
        ri, rd = _ratio(target.schemainspect, target.trueup_inspect), _ratio(target.migra, target.trueup_diff)

        def verdict(ratio: float | None) -> str:
            if ratio is None:
                return "NOT ASSESSED (no reference figure)"
            return f"{'MET' if ratio >= TARGET else 'MISSED'} ({ratio:.1f}x)"

        lines.append(f"targets at {TARGET_SIZE} tables: trueup inspect >= {TARGET:g}x faster than "
                     f"schemainspect: {verdict(ri)}; "
                     f"trueup diff >= {TARGET:g}x faster than migra: {verdict(rd)}")
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------------

def pick_server(url: str) -> str:
    if answers(url):
        return url
    print(f"note: nothing answers at {url}; starting the embedded PostgreSQL server", flush=True)
    from trueup.engines.postgres.embedded import embedded_url

    return embedded_url()


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    old = signal.signal(signal.SIGTERM, _sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", default=os.environ.get("TRUEUP_BENCH_PG_URL", DEFAULT_URL),
                        help="admin URL of the server (default: $TRUEUP_BENCH_PG_URL or %(default)s)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default: %(default)s)")
    parser.add_argument("--sizes", default="40,400", help="table counts (default: %(default)s)")
    parser.add_argument("--no-reference", action="store_true", help="skip schemainspect and migra")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.runs < 1 or not sizes or min(sizes) < 1:
        parser.error("--runs and every size must be at least 1")

    import warnings

    warnings.filterwarnings("ignore", module="platformdirs")
    admin = pick_server(args.url)
    rows: list[Row] = []
    dbs = Databases(admin)
    with interrupt_on_sigterm(), tempfile.TemporaryDirectory(prefix="trueup_bench_") as tmp:
        try:
            ref: Reference | None = None
            if args.no_reference:
                print("note: --no-reference: schemainspect and migra are skipped", flush=True)
            else:
                print("building the reference venv (migra, schemainspect) ...", flush=True)
                t0 = time.perf_counter()
                ref, why = build_reference(Path(tmp))
                if ref is None:
                    print(f"note: reference tools unavailable, their columns are skipped: {why}", flush=True)
                else:
                    print(f"reference venv ready in {time.perf_counter() - t0:.1f}s", flush=True)
            for size in sizes:
                rows.append(bench_size(size, dbs, ref, args.runs))
                dbs.drop_all()
        except KeyboardInterrupt:
            print("\ninterrupted: dropping the benchmark databases", file=sys.stderr, flush=True)
            return 130
        finally:
            dbs.drop_all()
    print()
    print(report(rows, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
