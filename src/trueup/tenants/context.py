"""What every tenant command works with: the config, the registry, the secret key (checked
against the registry before anything is written), and each tenant's names as its group's
``provision`` patterns make them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from trueup.config import Config, ProvisionConfig
from trueup.engines import engine_for_url
from trueup.engines.interface.engine import Engine
from trueup.engines.interface.tenancy import Registry, ServerOps, Tenant
from trueup.errors import TrueupError
from trueup.fleet.targets import Target, tenant_target
from trueup.fleet.tenant_registry import open_registry
from trueup.tenants.secrets import CHECK_KEY, Password, SecretKey, SecretKeyError, load_key

#: a tenant's name: it goes into database, schema and role names
NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,39}$")
#: the longest name a role, database or schema may have (PostgreSQL's NAMEDATALEN - 1)
MAX_IDENTIFIER = 63


def check_name(name: str) -> None:
    if not NAME.match(name):
        raise TrueupError(f"'{name}' is not a valid tenant name",
                          hint="use 1 to 40 lower-case letters, digits and underscores, starting with a letter or "
                               "digit")


@dataclass(frozen=True)
class Names:
    """A tenant's database (or schema), owner role and login role of one generation."""

    database: str | None
    schema: str | None
    owner: str

    def login(self, generation: int) -> str:
        return f"{self.owner}_login{generation}"


def names_for(provision: ProvisionConfig, tenant: str) -> Names:
    names = Names(provision.name_of("database", tenant) if provision.database else None,
                  provision.name_of("schema", tenant) if provision.schema_ else None,
                  provision.name_of("role", tenant))
    for value in (names.database, names.schema, names.login(99)):
        if value is not None and len(value.encode()) > MAX_IDENTIFIER:
            raise TrueupError(f"tenant '{tenant}': the name {value!r} would be longer than {MAX_IDENTIFIER} bytes",
                              hint="use a shorter tenant name or shorter provision patterns")
    return names


class Tenancy:
    """One command's view of the tenants: open it with :func:`open_tenancy` (a context manager)."""

    def __init__(self, config: Config, registry: Registry, key: SecretKey | None) -> None:
        self.config = config
        self.registry = registry
        self._key = key

    @property
    def key(self) -> SecretKey:
        if self._key is None:
            raise SecretKeyError("this command was opened without the secret key")
        return self._key

    @property
    def wait_s(self) -> float:
        assert self.config.registry is not None
        return self.config.registry.wait_for_lock_s

    def provision(self, group: str) -> ProvisionConfig:
        g = self.config.groups.get(group)
        if g is None:
            raise TrueupError(f"unknown group '{group}'", hint=f"groups in the config: {', '.join(self.config.groups)}")
        if g.provision is None:
            raise TrueupError(f"group '{group}' has no provision (where its tenants are made)",
                              hint='add provision = { server = "postgresql://...", database = "tenant_{name}" }')
        return g.provision

    def group_for_new(self, group: str | None) -> str:
        """The group a new tenant goes to: the one named, or the only one with ``provision``."""
        if group is not None:
            self.provision(group)
            return group
        with_provision = [g for g, c in self.config.groups.items() if c.provision is not None]
        if len(with_provision) != 1:
            raise TrueupError("which group? " + ("no group has provision" if not with_provision else
                                                 f"groups with provision: {', '.join(with_provision)}"),
                              hint="pass --group GROUP")
        return with_provision[0]

    def engine(self, group: str) -> Engine:
        return engine_for_url(self.provision(group).server)

    def server_ops(self, group: str) -> ServerOps:
        return self.engine(group).tenancy().server_ops(self.provision(group).server,
                                                       timeout=self.config.settings.connect_timeout)

    def get(self, name: str) -> Tenant:
        t = self.registry.get(name)
        if t is None:
            raise TrueupError(f"no tenant '{name}' in the registry", hint="see `trueup tenant list`")
        return t

    def password(self, t: Tenant) -> Password:
        if not t.secret or not t.role:
            raise TrueupError(f"tenant '{t.name}' has no stored credentials",
                              hint=f"trueup tenant rotate-credentials {t.name}")
        return self.key.decrypt(t.secret, t.name, t.role)

    def admin_target(self, t: Tenant) -> Target:
        """The tenant as a target, reached as the provisioning server's admin."""
        return tenant_target(self.config, t.group, t.name, t.database, t.schema)

    def login_target(self, t: Tenant, role: str | None = None, password: Password | None = None) -> Target:
        """The tenant as a target, reached with its own credentials (``role``/``password``:
        other ones, a rotation's new login)."""
        login = role or t.role
        secret = password or self.password(t)
        return tenant_target(self.config, t.group, t.name, t.database, t.schema, user=login, password=secret.reveal())


@contextmanager
def open_tenancy(config: Config, *, key: bool = True) -> Iterator[Tenancy]:
    """The registry of the config and (``key``) the secret key, checked against the registry:
    a key other than the one its passwords were encrypted with is refused before anything is
    written (the first key used is recorded as the registry's)."""
    secret_key = None
    if key:  # (first: a missing key is reported before the registry is touched)
        if config.registry is None:
            open_registry(config)  # (raises: no [registry])
        assert config.registry is not None
        key_file = config.registry.key_file
        secret_key = load_key(config.path(key_file) if key_file else None)
    registry = open_registry(config)
    try:
        if secret_key is not None:
            check = registry.meta(CHECK_KEY)
            if check is None:
                registry.set_meta(CHECK_KEY, secret_key.check_value())
                check = registry.meta(CHECK_KEY)
            if check is not None and not secret_key.opens(check):
                raise SecretKeyError(f"the secret key (from {secret_key.source}) is not the key this registry's "
                                     "passwords are encrypted with", hint="use the registry's key; nothing was written")
        yield Tenancy(config, registry, secret_key)
    finally:
        registry.close()
