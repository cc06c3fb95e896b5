"""``trueup tenant rotate-credentials``: a new login role with a new password → a verified login
with it → the registry switched to it → the old login retired. Each step is its own short
transaction and recorded; at every point the tenant has working credentials and the registry
points at credentials that work (the old login until the switch, the new one from it on).

A tenant's objects belong to its owner role, which never logs in; its logins are members acting
as the owner, so a rotation replaces the login without any object changing hands. Rotations of
one tenant are serialised by the tenant's registry lock; ``--all`` runs over the registry with a
concurrency and a failure budget, like ``apply``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trueup.engines.interface.tenancy import ServerOps, Tenant
from trueup.errors import TrueupError
from trueup.fleet.scheduling import schedule
from trueup.tenants.context import Tenancy
from trueup.tenants.secrets import new_password
from trueup.tenants.steps import Sequence_, Step, resume_from, run_steps

COMMAND = "rotate"
STEPS = ("prepare", "create_login", "verify_login", "switch", "retire")
NOT_STARTED = "not started: the rotation stopped (--max-failures was reached)"


@dataclass
class RotateOutcome:
    name: str
    status: str  # rotated | failed | not_started
    role: str | None = None
    error: str | None = None
    hint: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "status": self.status, "role": self.role, "error": self.error,
                "hint": self.hint, "seconds": round(self.seconds, 3)}


def rotate_tenant(ctx: Tenancy, name: str) -> RotateOutcome:
    """Rotate one tenant's credentials (or finish a rotation that stopped part-way)."""
    t0 = time.perf_counter()
    with ctx.registry.lock(name, ctx.wait_s):
        tenant = ctx.get(name)
        if not tenant.managed or tenant.owner is None:
            raise TrueupError(f"tenant '{name}' was not provisioned by trueup: it has no owner role to rotate under",
                              hint="rotate it with the application's own tooling")
        if tenant.status not in ("active", "suspended"):
            raise TrueupError(f"tenant '{name}' is {tenant.status}: only an active or suspended tenant's "
                              "credentials are rotated", hint=f"trueup tenant show {name}")
        out = RotateOutcome(name, "failed")
        ops = ctx.server_ops(tenant.group)
        try:
            steps = _steps(ctx, tenant, ops, out)
            start = resume_from(steps, COMMAND, tenant.phase) if (tenant.phase or "").startswith(COMMAND) else 0
            seq = Sequence_(COMMAND, None, None, f"trueup tenant rotate-credentials {name}")
            run_steps(ctx.registry, name, seq, steps, start)
            out.status = "rotated"
        except TrueupError as err:
            out.error, out.hint = err.message, err.hint
        finally:
            ops.close()
            out.seconds = time.perf_counter() - t0
    return out


def _steps(ctx: Tenancy, tenant: Tenant, ops: ServerOps, out: RotateOutcome) -> list[Step]:
    assert tenant.owner is not None
    owner = tenant.owner
    reg = ctx.registry
    name = tenant.name

    def current() -> Tenant:
        return ctx.get(name)

    def prepare() -> str:
        t = current()
        if t.pending_role and t.pending_secret:
            return f"goes on with {t.pending_role}"
        generation = t.generation + 1
        login = f"{owner}_login{generation}"
        reg.update(name, pending_role=login, pending_secret=ctx.key.encrypt(new_password(), name, login))
        return f"new login {login}"

    def create_login() -> str:
        t = current()
        if not t.pending_role or not t.pending_secret:  # (the switch already happened)
            return "already switched"
        password = ctx.key.decrypt(t.pending_secret, name, t.pending_role)
        ops.ensure_login(t.pending_role, password.reveal(), owner, t.schema)
        return f"{t.pending_role} created"

    def verify_login() -> str:
        t = current()
        if not t.pending_role or not t.pending_secret:
            return "already switched"
        password = ctx.key.decrypt(t.pending_secret, name, t.pending_role)
        target = ctx.login_target(t, t.pending_role, password)
        why = ops.can_log_in(target.url, ctx.config.settings.connect_timeout)
        if why is not None:
            raise TrueupError(f"the new login {t.pending_role} cannot log in: {why}",
                              hint="the old credentials stay in use; fix the cause, then rotate again")
        return f"logged in as {t.pending_role}"

    def switch() -> str:
        t = current()
        if not t.pending_role or not t.pending_secret:
            return "already switched"
        generation = int(t.pending_role.rsplit("_login", 1)[-1]) if "_login" in t.pending_role else t.generation + 1
        reg.update(name, role=t.pending_role, secret=t.pending_secret, pending_role=None, pending_secret=None,
                   retiring_role=t.role, generation=generation)
        out.role = t.pending_role
        return f"{t.role} -> {t.pending_role}"

    def retire() -> str:
        t = current()
        out.role = t.role
        if t.retiring_role and t.retiring_role != t.role:
            ops.drop_role(t.retiring_role, [ops_database(ctx, t)] if t.schema else [])
        retired = t.retiring_role
        reg.update(name, retiring_role=None, phase=None, error=None)
        return f"{retired} retired" if retired else "nothing to retire"

    return list(zip(STEPS, (prepare, create_login, verify_login, switch, retire), strict=True))


def ops_database(ctx: Tenancy, t: Tenant) -> str:
    provision = ctx.provision(t.group)
    return t.database or ctx.engine(t.group).database_name(provision.server)


def rotate_all(ctx: Tenancy, names: Sequence[str], *, concurrency: int = 8, max_failures: int | None = None,
               progress: Callable[[int, int, str], None] | None = None) -> list[RotateOutcome]:
    """Rotate several tenants side by side, with ``apply``'s failure budget (the same
    scheduler): once ``max_failures`` have failed, no new one is started (``not_started``)."""
    done = [0]

    def one(i: int) -> RotateOutcome:
        try:
            return rotate_tenant(ctx, names[i])
        except TrueupError as err:
            return RotateOutcome(names[i], "failed", error=err.message, hint=err.hint)
        except Exception as err:  # a bug: reported for this tenant, the others go on
            return RotateOutcome(names[i], "failed", error=f"internal error: {type(err).__name__}: {err}")

    def finished(i: int, _out: RotateOutcome) -> None:
        done[0] += 1
        if progress:
            progress(done[0], len(names), names[i])

    outcomes = schedule(len(names), one, concurrency=concurrency, max_failures=max_failures,
                        failed=lambda o: o.status == "failed", tried=lambda o: True, finished=finished)
    return [outcomes.get(i) or RotateOutcome(n, "not_started", error=NOT_STARTED) for i, n in enumerate(names)]
