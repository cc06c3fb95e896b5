"""Opening the tenant registry a config names (``[registry]``), with its application table's
mapping: shared by discovery (``discover = { registry = "trueup" }``) and :mod:`trueup.tenants`."""

from __future__ import annotations

from trueup.config import Config, TenantRegistryDiscovery
from trueup.engines import engine_for_url
from trueup.engines.interface.tenancy import Registry, RegistryMapping
from trueup.engines.interface.using import parse_parts
from trueup.errors import TrueupError
from trueup.fleet.results import AuditResult


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


def verdict(status: str, findings: int, error: str | None) -> str:
    """A tenant's audit as the registry keeps it."""
    if status == "in_sync":
        return "in_sync"
    if status == "drift":
        return f"drift: {findings} finding(s)"
    return f"error: {error or 'not audited'}"


def record_audits(config: Config, result: AuditResult) -> None:
    """Keep each registry tenant's verdict of this audit (or history check) in the registry,
    for `trueup tenant list`; a group not discovered from trueup's registry is left alone."""
    groups = {g for g in result.groups if isinstance(config.groups[g].discover, TenantRegistryDiscovery)}
    verdicts = [(r.name, verdict(r.status, len(r.findings), r.error),
                 str(r.history["version"]) if r.history and r.history.get("version") else None)
                for r in result.results if r.group in groups and not r.name.startswith("(")]
    if not verdicts:
        return
    registry = open_registry(config)
    try:
        registry.record_audits(verdicts)
    finally:
        registry.close()
