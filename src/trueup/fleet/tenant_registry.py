"""Opening the tenant registry a config names (``[registry]``), with its application table's
mapping: shared by discovery (``discover = { registry = "trueup" }``) and :mod:`trueup.tenants`."""

from __future__ import annotations

from trueup.config import Config
from trueup.engines import engine_for_url
from trueup.engines.interface.tenancy import Registry, RegistryMapping
from trueup.engines.interface.using import parse_parts
from trueup.errors import TrueupError


def open_registry(config: Config) -> Registry:
    """The registry of ``[registry] url`` (schema ``trueup`` created or upgraded on first use)."""
    if config.registry is None:
        raise TrueupError("the config has no [registry]",
                          hint='add [registry] url = "postgresql://...control database..." (docs/tenants.md)')
    mapping = None
    if config.registry.table:
        path = parse_parts(config.registry.table)
        assert path is not None and len(path) == 2  # (checked when loaded)
        mapping = RegistryMapping((path[0], path[1]), dict(config.registry.columns))
    return engine_for_url(config.registry.url).tenancy().open_registry(config.registry.url, mapping)
