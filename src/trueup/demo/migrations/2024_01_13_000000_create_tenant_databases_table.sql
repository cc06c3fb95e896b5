CREATE TABLE tenant_databases (
    slug text PRIMARY KEY,
    database_name text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('provisioning', 'active', 'suspended'))
);
