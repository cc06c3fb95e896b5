"""The audit's configuration: the desired state, the reference data and a ``trueup.toml`` with
the groups ``databases`` and ``schemas``, in a folder of their own (its caches go beside it)."""

from __future__ import annotations

from pathlib import Path

from bench.common.server import with_database
from bench.fleetbench.build import SCHEMA_PREFIX, SCHEMAS_DB, db_pattern
from bench.fleetbench.tenant import Tenant, refdata_toml


def write_config(folder: Path, url: str, tenant: Tenant, n_db: int) -> Path:
    (folder / "tenant.sql").write_text(tenant.sql, encoding="utf-8")
    (folder / "refdata.toml").write_text(refdata_toml(), encoding="utf-8")
    config = folder / "trueup.toml"
    config.write_text(f"""\
[scratch]
url = "{url}"

[groups.databases]
desired = "tenant.sql"
reference_data = "refdata.toml"
discover = {{ server = "{url}", databases = "{db_pattern(n_db)}" }}

[groups.schemas]
desired = "tenant.sql"
reference_data = "refdata.toml"
discover = {{ server = "{with_database(url, SCHEMAS_DB)}", schemas = "{SCHEMA_PREFIX}%", \
template_schema = "public" }}
""", encoding="utf-8")
    return config
