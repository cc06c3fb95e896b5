-- The control ("landlord" / dashboard) database: the application itself and the tenant registry.
CREATE TABLE apps (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE app_roles (
    id serial PRIMARY KEY,
    app_id integer NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    name text NOT NULL
);
CREATE TABLE role_permissions (
    role_id integer NOT NULL REFERENCES app_roles (id) ON DELETE CASCADE,
    permission text NOT NULL,
    PRIMARY KEY (role_id, permission)
);
CREATE TABLE schema_tables (
    id serial PRIMARY KEY,
    app_id integer NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    table_name text NOT NULL
);
CREATE TABLE tenant_databases (
    slug text PRIMARY KEY,
    database_name text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('provisioning', 'active', 'suspended'))
);
CREATE TABLE migrations (
    id serial PRIMARY KEY,
    migration text NOT NULL,
    batch integer NOT NULL
);
