-- What production drifted into (the incident write-ups, condensed):
-- someone dropped tenant_settings, a hotfix removed a trigger and an index,
-- a column default was changed by hand, and an old column was never cleaned up.
DROP VIEW active_projects;
DROP TABLE tenant_settings;
DROP TRIGGER projects_touch ON projects;
DROP INDEX projects_owner_idx;
ALTER TABLE team_roles ALTER COLUMN can_manage_projects SET DEFAULT true;
ALTER TABLE users ADD COLUMN legacy_password text;
ALTER TABLE projects ALTER COLUMN name TYPE varchar(100);
CREATE VIEW active_projects AS
    SELECT p.id, p.name, u.email AS owner_email
    FROM projects p JOIN users u ON u.id = p.owner_id
    WHERE p.status = 'active';
