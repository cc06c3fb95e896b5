"""What the fleet does on a PostgreSQL database: measure it (fingerprint, change token,
reference rows), lock it, run a plan on it (all through :class:`PgSession`), and find targets."""

from trueup.engines.postgres.fleet_ops.session import PgSession

__all__ = ["PgSession"]
