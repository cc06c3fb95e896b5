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
