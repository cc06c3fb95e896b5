"""``trueup tenant create``: register → create role → create database (or schema) → apply the
desired state → reference data → verify (logging in as the tenant) → active.

The registry row is written first, with the generated password already encrypted in it, so
nothing is ever made that the registry does not know about. A failure leaves the tenant
``failed`` at the step's phase, a killed process leaves it ``provisioning`` there; ``--resume``
runs that step again (every step is idempotent) and goes on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from trueup.engines.interface.tenancy import ServerOps, Tenant
from trueup.errors import TrueupError
from trueup.fleet.targets import tenant_target
from trueup.tenants.build import Builder
from trueup.tenants.context import Tenancy, check_name, names_for
from trueup.tenants.secrets import new_password
from trueup.tenants.steps import Outcome, Sequence_, Step, resume_from, run_command, run_steps

COMMAND = "create"
STEPS = ("create_role", "create_database", "apply_schema", "reference_data", "verify", "activate")


@dataclass
class CreateOutcome(Outcome):
    """``status``: active or failed; ``template``: the template database it was copied from."""

    template: str | None = None


def register(ctx: Tenancy, name: str, group: str, command: str = COMMAND, *, again: bool = False) -> Tenant:
    """The tenant's registry row, status provisioning, with its encrypted password (``again``:
    the row of a dropped tenant of that name, reused)."""
    check_name(name)
    provision = ctx.provision(group)
    migrations = ctx.config.groups[group].migrations
    if migrations is not None and migrations.history != "trueup":
        raise TrueupError(f"group '{group}' keeps {migrations.history}'s history: a new tenant built by trueup "
                          f"would have no {migrations.history} history rows, and {migrations.history} would run "
                          "every migration again", hint=f"create its schema with {migrations.history}'s own migrate, "
                          "or give the group trueup's own migrations")
    names = names_for(provision, name)
    login = names.login(1)
    tenant = Tenant(name, group, "provisioning", phase=f"{command}:register",
                    server=ctx.engine(group).location(provision.server), database=names.database,
                    schema=names.schema, owner=names.owner, role=login,
                    secret=ctx.key.encrypt(new_password(), name, login))
    if again:  # (a dropped tenant's row, with its event log, starts a new life)
        fields = {k: getattr(tenant, k) for k in ("group", "status", "phase", "server", "database", "schema", "owner",
                                                  "role", "secret", "generation")}
        tenant = ctx.registry.update(name, **fields, pending_role=None, pending_secret=None, retiring_role=None,
                                     error=None)
    else:
        ctx.registry.insert(tenant)
    ctx.registry.log(name, f"{command}:register", "done", "again, after it was dropped" if again else None)
    return tenant


def create_tenant(ctx: Tenancy, name: str, group: str | None = None, *, resume: bool = False,
                  builder: Builder | None = None) -> CreateOutcome:
    """Create (or with ``resume``, finish creating) one tenant. Raises TrueupError for a
    problem with the request; a failed step is the outcome."""
    t0 = time.perf_counter()
    builder = builder or Builder(ctx.config)
    with ctx.registry.lock(name, ctx.wait_s):
        existing = ctx.registry.get(name)
        if existing is not None and existing.status == "dropped" and existing.managed and not resume:
            existing = register(ctx, name, ctx.group_for_new(group), again=True)
        elif existing is not None and not resume:
            if existing.status == "active":
                raise TrueupError(f"tenant '{name}' already exists (active)", hint=f"trueup tenant show {name}")
            raise TrueupError(f"tenant '{name}' exists: {existing.status} at {existing.phase or '-'}",
                              hint=f"finish it with `trueup tenant create {name} --resume`" if existing.status in (
                                  "provisioning", "failed") and (existing.phase or "").startswith(COMMAND) else
                              f"trueup tenant show {name}")
        if existing is None and resume:
            raise TrueupError(f"nothing to resume: no tenant '{name}' in the registry",
                              hint=f"start it: trueup tenant create {name}")
        if existing is not None and not (existing.status in ("provisioning", "failed")
                                         and (existing.phase or "").startswith(COMMAND)):
            raise TrueupError(f"tenant '{name}' is {existing.status}"
                              + (f" at {existing.phase}" if existing.phase else "") + ": no create to resume",
                              hint=f"trueup tenant show {name}")
        tenant = existing or register(ctx, name, ctx.group_for_new(group))
        if group is not None and tenant.group != group:
            raise TrueupError(f"tenant '{name}' belongs to group '{tenant.group}', not '{group}'")
        out = CreateOutcome(name, "failed")

        def plan(ops: ServerOps) -> tuple[Sequence_, list[Step], int]:
            steps = _steps(ctx, tenant, ops, builder, out)
            seq = Sequence_(COMMAND, "provisioning", "failed", f"trueup tenant create {name} --resume")
            return seq, steps, resume_from(steps, COMMAND, tenant.phase)

        return run_command(ctx.server_ops(tenant.group), ctx.registry, out, "active", plan, t0)


def _steps(ctx: Tenancy, tenant: Tenant, ops: ServerOps, builder: Builder, out: CreateOutcome) -> list[Step]:
    provision = ctx.provision(tenant.group)
    assert tenant.owner is not None and tenant.role is not None
    owner, login = tenant.owner, tenant.role
    copied: list[bool] = []

    def create_role() -> str:
        ops.ensure_owner(owner)
        ops.ensure_login(login, ctx.password(tenant).reveal(), owner, tenant.schema)
        return f"owner {owner}, login {login}"

    def create_database() -> str:
        if tenant.schema:
            database = ctx.engine(tenant.group).database_name(provision.server)
            made = ops.ensure_schema(database, tenant.schema, owner)
            return f"schema {tenant.schema} " + ("created" if made else "existed")
        assert tenant.database is not None
        template = None
        if provision.template:
            template = out.template = builder.template(tenant.group, ops, ctx.registry, ctx.wait_s)
        made = ops.ensure_database(tenant.database, owner, template)
        if template:
            copied.append(True)
        return f"database {tenant.database} " + ("created" if made else "existed") + (
            f" from template {template}" if template else "")

    built: list[bool] = []

    def apply_schema() -> str:
        built.append(True)
        if copied:
            return "copied with the template"
        done = builder.build(ctx.admin_target(tenant))
        _give(ctx, tenant, ops)
        return done

    def reference_data() -> str:
        # (the rows are part of the desired state: applied, or copied, with the schema; a run
        # resumed at this step applies them; verify checks them in every case)
        if built:
            return "copied with the template" if copied else "applied with the schema"
        done = builder.build(ctx.admin_target(tenant))
        _give(ctx, tenant, ops)
        return done

    def verify() -> str:
        done = builder.verify(ctx.login_target(tenant)) + f", logged in as {login}"
        ctx.registry.record_audits([(tenant.name, "in_sync", builder.latest(tenant.group))])
        return done

    def activate() -> None:
        ctx.registry.update(tenant.name, status="active", phase=None, error=None)

    return list(zip(STEPS, (create_role, create_database, apply_schema, reference_data, verify, activate),
                    strict=True))


def _give(ctx: Tenancy, tenant: Tenant, ops: ServerOps) -> None:
    provision = ctx.provision(tenant.group)
    assert tenant.owner is not None
    database = tenant.database or ctx.engine(tenant.group).database_name(provision.server)
    ops.give_objects(database, tenant.owner, tenant.schema)


def create_tenants(ctx: Tenancy, names: Sequence[str], group: str | None = None, *, resume: bool = False,
                   concurrency: int = 4, progress: Callable[[int, int, str], None] | None = None,
                   ) -> list[CreateOutcome]:
    """Create several tenants side by side (one template build shared by all)."""
    builder = Builder(ctx.config)
    done = [0]

    def one(name: str) -> CreateOutcome:
        try:
            out = create_tenant(ctx, name, group, resume=resume, builder=builder)
        except TrueupError as err:
            out = CreateOutcome(name, "failed", err.message, err.hint)
        except Exception as err:  # a bug: reported for this tenant (the registry records the step)
            out = CreateOutcome(name, "failed", f"internal error: {type(err).__name__}: {err}")
        done[0] += 1
        if progress:
            progress(done[0], len(names), name)
        return out

    with ThreadPoolExecutor(max(1, min(concurrency, len(names) or 1))) as pool:
        return list(pool.map(one, names))


ADOPT = "adopt"
ADOPT_STEPS = ("create_role", "hand_over", "verify_login", "activate")


def adopt_tenant(ctx: Tenancy, name: str, group: str, builder: Builder) -> str:
    """Register a database (or schema) of the provisioning pattern that no registry row knows
    (``registry check --fix``): audited first (it must be reachable; drift is reported, not
    repaired), then given an owner and a login role like a created tenant, and activated.
    Resumable the same way (``registry check --fix`` again)."""
    with ctx.registry.lock(name, ctx.wait_s):
        tenant = ctx.registry.get(name)
        if tenant is None:
            names = names_for(ctx.provision(group), name)
            audit = builder.audit(tenant_target(ctx.config, group, name, names.database, names.schema))
            verdict = "in sync" if not audit.findings else \
                f"{len(audit.findings)} difference(s) from the desired state: run trueup audit / apply"
            tenant = register(ctx, name, group, command=ADOPT)
            ctx.registry.log(name, f"{ADOPT}:audit", "done", verdict)
        elif not (tenant.phase or "").startswith(ADOPT):
            raise TrueupError(f"tenant '{name}' is already registered ({tenant.status})")
        else:
            verdict = "resumed"
        ops = ctx.server_ops(group)
        try:
            create = dict(_steps(ctx, tenant, ops, builder, CreateOutcome(name, "failed")))

            def hand_over() -> str:
                _give(ctx, tenant, ops)
                return f"objects given to {tenant.owner}"

            def verify_login() -> str:
                why = ops.can_log_in(ctx.login_target(tenant).url, ctx.config.settings.connect_timeout)
                if why is not None:
                    raise TrueupError(f"the new login {tenant.role} cannot log in: {why}")
                return f"logged in as {tenant.role}"

            steps: list[Step] = list(zip(ADOPT_STEPS, (create["create_role"], hand_over, verify_login,
                                                       create["activate"]), strict=True))
            seq = Sequence_(ADOPT, "provisioning", "failed", "trueup registry check --fix --yes")
            run_steps(ctx.registry, name, seq, steps, resume_from(steps, ADOPT, tenant.phase))
        finally:
            ops.close()
    return f"registered as tenant '{name}' (audit: {verdict})"
