CREATE TABLE role_permissions (
    role_id integer NOT NULL REFERENCES app_roles (id) ON DELETE CASCADE,
    permission text NOT NULL,
    PRIMARY KEY (role_id, permission)
);
