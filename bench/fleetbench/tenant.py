"""The tenant schema of the fleet: tables with varied column types, primary and foreign keys,
unique, partial and expression indexes, trigger functions and triggers, row level security and
policies, views, and the reference rows of ``roles``; and what drift can hit in it."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = (("owner", True, 100), ("admin", True, 80), ("member", False, 50), ("viewer", False, 10),
         ("billing", False, 40), ("guest", False, 0))

TABLE_NOUNS = (
    "projects", "tasks", "comments", "attachments", "invoices", "invoice_lines", "payments",
    "subscriptions", "plans", "teams", "team_members", "tags", "task_tags", "milestones", "time_entries",
    "documents", "folders", "notifications", "webhooks", "webhook_deliveries", "api_keys", "audit_events",
    "sessions", "preferences", "labels", "boards", "lanes", "cards", "checklists", "checklist_items",
    "reactions", "mentions", "exports", "imports", "reports", "dashboards", "widgets", "integrations",
)


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

