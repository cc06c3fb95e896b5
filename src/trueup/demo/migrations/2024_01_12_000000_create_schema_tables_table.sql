CREATE TABLE schema_tables (
    id serial PRIMARY KEY,
    app_id integer NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    table_name text NOT NULL
);
