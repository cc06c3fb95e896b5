"""``trueup tenant drop``: dropping → end the tenant's sessions → dump it (``--backup``) → drop
its database (or schema) → drop its roles → dropped. Resumable: a second run goes on from the
phase it stopped in. With ``--backup``, a failed dump stops the sequence before anything is
dropped. The registry row stays, status ``dropped``, with its event log."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from trueup.engines.interface.tenancy import ServerOps, Tenant
from trueup.errors import TrueupError
from trueup.tenants.context import Tenancy
from trueup.tenants.steps import Outcome, Sequence_, Step, resume_from, run_command

COMMAND = "drop"
STEPS = ("end_sessions", "backup", "drop_storage", "drop_roles", "mark_dropped")


@dataclass
class DropOutcome(Outcome):
    """``status``: dropped or failed; ``backup``: the dump's file."""

    backup: str | None = None


def drop_tenant(ctx: Tenancy, name: str, *, backup: str | None = None) -> DropOutcome:
    t0 = time.perf_counter()
    with ctx.registry.lock(name, ctx.wait_s):
        tenant = ctx.get(name)
        if not tenant.managed:
            raise TrueupError(f"tenant '{name}' is a row of the application's registry table that trueup did not "
                              "provision", hint="drop it with the application's own tooling")
        if tenant.status == "dropped":
            return DropOutcome(name, "dropped", seconds=time.perf_counter() - t0)
        start = 0  # (a half-made tenant may be dropped too: every step tolerates what is missing)
        if tenant.status == "dropping" or (tenant.status == "failed" and (tenant.phase or "").startswith(COMMAND)):
            start = resume_from([(s, _noop) for s in STEPS], COMMAND, tenant.phase)
        else:
            ctx.registry.update(name, status="dropping", phase=f"{COMMAND}:{STEPS[0]}", error=None)
            ctx.registry.log(name, f"{COMMAND}:start", "done", f"was {tenant.status}")
        out = DropOutcome(name, "failed")

        def plan(ops: ServerOps) -> tuple[Sequence_, list[Step], int]:
            seq = Sequence_(COMMAND, "dropping", "dropping", f"trueup tenant drop {name} --yes"
                            + (f" --backup {backup}" if backup else ""))
            return seq, _steps(ctx, tenant, ops, backup, out), start

        return run_command(ctx.server_ops(tenant.group), ctx.registry, out, "dropped", plan, t0)


def _noop() -> None:
    return None


def _steps(ctx: Tenancy, tenant: Tenant, ops: ServerOps, backup: str | None, out: DropOutcome) -> list[Step]:
    provision = ctx.provision(tenant.group)
    engine = ctx.engine(tenant.group)
    database = tenant.database or engine.database_name(provision.server)

    def end_sessions() -> str:
        roles = [r for r in (tenant.role, tenant.pending_role, tenant.retiring_role) if r]
        # (in a shared database, only the tenant's own sessions)
        n = sum(ops.end_sessions(database, r) for r in roles) if tenant.schema else ops.end_sessions(database)
        return f"{n} session(s) ended"

    def backup_step() -> str:
        if not backup:
            return "no backup asked for"
        exists = bool(ops.schemas(database, _like(tenant.schema))) if tenant.schema else ops.has_database(database)
        if not exists:
            return "nothing to back up: " + (f"schema {tenant.schema}" if tenant.schema else f"database {database}") \
                + " does not exist"
        file = Path(backup) / f"{tenant.name}-{time.strftime('%Y%m%d-%H%M%S')}.dump"
        ops.dump(ctx.admin_target(tenant).url, str(file), tenant.schema)
        out.backup = str(file)
        return f"dumped to {file}"

    def drop_storage() -> str:
        if tenant.schema:
            ops.drop_schema(database, tenant.schema)
            return f"schema {tenant.schema} dropped"
        assert tenant.database is not None
        ops.drop_database(tenant.database)
        return f"database {tenant.database} dropped"

    def drop_roles() -> str:
        logins = sorted({r for r in (tenant.role, tenant.pending_role, tenant.retiring_role) if r})
        if tenant.owner:  # (every generation's login, also one a crashed rotation left unrecorded)
            logins = sorted(set(logins) | set(ops.roles(_like(tenant.owner) + "\\_login%")))
        shared = [database] if tenant.schema else []
        for role in logins:
            ops.drop_role(role, shared)
        if tenant.owner:
            ops.drop_role(tenant.owner, shared)
        return f"dropped {', '.join([*logins, *([tenant.owner] if tenant.owner else [])])}"

    def mark_dropped() -> None:
        ctx.registry.update(tenant.name, status="dropped", phase=None, error=None, secret=None, pending_secret=None,
                            pending_role=None, retiring_role=None)

    return list(zip(STEPS, (end_sessions, backup_step, drop_storage, drop_roles, mark_dropped), strict=True))


def _like(name: str) -> str:
    return name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
