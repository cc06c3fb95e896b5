"""The generated schema of N tables (varied column types, enums, primary and foreign keys,
unique, partial and expression indexes, trigger functions and triggers, row level security with
policies, views, a materialized view, functions, comments) and its drift (about 5% of the
tables, each in one of several ways)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

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

