"""The configuration: the bench's tenant schema and reference data (the fleet bench's), and one
``trueup.toml`` per way of creating tenants, each with its own registry (control database), so
that a registry check sees only its own tenants."""

from __future__ import annotations

from pathlib import Path

from bench.common.server import with_database
from bench.fleetbench.tenant import Tenant, refdata_toml
from bench.tenantbench.server import DATABASE_PATTERN, ROLE_PATTERN


def write_config(folder: Path, name: str, url: str, control_db: str, group: str, template: bool,
                 tenant: Tenant) -> Path:
    """``folder/name``: a config whose group ``group`` provisions tenants on ``url``'s server
    (``template``: copied from a template database) and lists them from its registry. Both
    configs share the folder, so the desired state is loaded once and cached for both."""
    (folder / "tenant.sql").write_text(tenant.sql, encoding="utf-8")
    (folder / "refdata.toml").write_text(refdata_toml(), encoding="utf-8")
    config = folder / name
    config.write_text(f"""\
[scratch]
url = "{url}"

[registry]
url = "{with_database(url, control_db)}"

[groups.{group}]
desired = "tenant.sql"
reference_data = "refdata.toml"
discover = {{ registry = "trueup" }}
provision = {{ server = "{url}", database = "{DATABASE_PATTERN}", role = "{ROLE_PATTERN}", \
template = {str(template).lower()} }}
""", encoding="utf-8")
    return config
