-- The declared schema of one tenant database of a multi-tenant SaaS ("acme", "globex", ...).
CREATE TYPE project_status AS ENUM ('draft', 'active', 'archived');

CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE TABLE team_roles (
    id serial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    can_manage_projects boolean NOT NULL DEFAULT false
);

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    role_id integer NOT NULL REFERENCES team_roles (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE projects (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name varchar(200) NOT NULL,
    status project_status NOT NULL DEFAULT 'draft',
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_owner_idx ON projects (owner_id) WHERE status <> 'archived';
CREATE TRIGGER projects_touch BEFORE UPDATE ON projects FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY projects_owner ON projects FOR ALL TO PUBLIC
    USING (owner_id = current_setting('app.user_id', true)::bigint);

CREATE TABLE tenant_settings (
    key text PRIMARY KEY,
    value jsonb NOT NULL DEFAULT '{}'::jsonb
);
COMMENT ON TABLE tenant_settings IS 'Per-tenant feature flags; queried on every request';

CREATE TABLE notification_templates (
    id serial PRIMARY KEY,
    code text NOT NULL UNIQUE,
    subject text NOT NULL,
    body text NOT NULL
);

CREATE VIEW active_projects AS
    SELECT p.id, p.name, u.email AS owner_email
    FROM projects p JOIN users u ON u.id = p.owner_id
    WHERE p.status = 'active';

INSERT INTO team_roles (name, can_manage_projects) VALUES ('Owner', true), ('Admin', true), ('Viewer', false);
INSERT INTO notification_templates (code, subject, body) VALUES
    ('welcome', 'Welcome aboard', 'Hello {{name}}'),
    ('password_reset', 'Reset your password', 'Use this link: {{link}}');
