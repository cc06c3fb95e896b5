"""``trueup registry check``: the registry against reality.

Per provisioning server, three bulk listings (databases or schemas, and roles, by the group's
name patterns), then per tenant: its database (or schema) and roles exist, it is not stuck in a
transitional status, and its stored credentials log in (side by side). Found:

- ``missing_database`` / ``missing_schema`` / ``missing_role``: a registry row whose storage or
  role does not exist;
- ``unregistered``: a database or schema matching the provisioning pattern that no registry row
  knows (the fifth seed's missing ``tenant_databases`` row); with an application's registry
  table, also a tenant of trueup's that has no row there;
- ``orphan_role``: a role matching the role pattern that no tenant uses;
- ``stuck``: provisioning, dropping, failed, or a rotation part-way, for longer than
  ``[registry] stuck_after_s``;
- ``login_failed``: the stored credentials do not log in;
- ``leftover``: a dropped tenant whose database, schema or roles still exist.

``--fix`` does what is safe and never drops anything: it registers an unregistered database or
schema after auditing it (or writes a tenant's missing row to the application's table),
finishes a stuck create or rotation.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trueup.config import ProvisionConfig
from trueup.engines.interface.tenancy import ServerOps, Tenant
from trueup.errors import TrueupError
from trueup.tenants.build import Builder
from trueup.tenants.context import NAME, Tenancy

KINDS = ("missing_database", "missing_schema", "missing_role", "unregistered", "orphan_role", "stuck",
         "login_failed", "leftover")


@dataclass
class Problem:
    kind: str
    group: str
    #: the tenant's name (for an unregistered database, the name its pattern gives)
    tenant: str
    #: the database, schema or role concerned
    object: str
    detail: str
    hint: str | None = None
    #: with --fix: what was done about it (None: nothing safe to do)
    fixed: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "group": self.group, "tenant": self.tenant, "object": self.object,
                "detail": self.detail, "hint": self.hint, "fixed": self.fixed}


@dataclass
class CheckReport:
    tenants: int = 0
    problems: list[Problem] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def open(self) -> list[Problem]:
        return [p for p in self.problems if p.fixed is None]

    @property
    def exit_code(self) -> int:
        return 2 if self.errors else 1 if self.open else 0

    def to_json(self) -> dict[str, Any]:
        return {"tenants": self.tenants, "consistent": not self.open and not self.errors,
                "problems": [p.to_json() for p in self.problems], "errors": self.errors,
                "seconds": round(self.seconds, 3)}


def like(pattern: str) -> str:
    """A provision pattern (``tenant_{name}``) as a LIKE pattern."""
    escaped = pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("{name}", "%")


def name_in(pattern: str, value: str) -> str | None:
    """The tenant name a value of ``pattern`` holds (None if it does not match)."""
    m = re.fullmatch(re.escape(pattern).replace(re.escape("{name}"), "(.+)"), value)
    return m.group(1) if m else None


def _age_s(t: Tenant) -> float:
    if t.updated is None:
        return 0.0
    updated = t.updated if t.updated.tzinfo else t.updated.replace(tzinfo=UTC)
    return (datetime.now(UTC) - updated).total_seconds()


def check_registry(ctx: Tenancy, *, groups: Sequence[str] | None = None, fix: bool = False,
                   concurrency: int = 16) -> CheckReport:
    t0 = time.perf_counter()
    report = CheckReport()
    wanted = list(groups or [g for g, c in ctx.config.groups.items() if c.provision is not None])
    if not wanted:
        raise TrueupError("no group has provision: nothing to check the registry against",
                          hint='add provision = { server = "...", database = "tenant_{name}" } to a group')
    everyone = ctx.registry.tenants()
    unmapped = set(ctx.registry.unmapped())
    for g in wanted:
        provision = ctx.provision(g)
        tenants = [t for t in everyone if t.group in (g, "")]
        report.tenants += sum(1 for t in tenants if t.status != "dropped")
        try:
            ops = ctx.server_ops(g)
        except TrueupError as err:
            report.errors.append(f"group {g}: {err.message}")
            continue
        try:
            _check_group(ctx, g, provision, tenants, ops, report, concurrency, unmapped)
        except TrueupError as err:
            report.errors.append(f"group {g}: {err.message}")
        finally:
            ops.close()
    report.seconds = time.perf_counter() - t0
    if fix:
        fix_problems(ctx, report)
    return report


def _check_group(ctx: Tenancy, g: str, provision: ProvisionConfig, tenants: list[Tenant], ops: ServerOps,
                 report: CheckReport, concurrency: int, unmapped: set[str]) -> None:
    engine = ctx.engine(g)
    app_db = engine.database_name(provision.server)
    per_schema = provision.schema_ is not None
    pattern = provision.schema_ if per_schema else provision.database
    assert pattern is not None
    found = set(ops.schemas(app_db, like(pattern)) if per_schema else ops.databases(like(pattern)))
    roles = set(ops.roles(like(provision.role)))
    stuck_after = ctx.config.registry.stuck_after_s if ctx.config.registry else 900
    live = [t for t in tenants if t.status != "dropped"]
    # (a dropped tenant's leftovers are reported as such, not as unregistered or orphans)
    known_storage = {(t.schema if per_schema else t.database) for t in tenants}
    used_roles = {r for t in tenants for r in (t.owner, t.role, t.pending_role, t.retiring_role) if r}
    owners = {t.owner for t in tenants if t.owner}
    used_roles |= {r for r in roles if "_login" in r and r.rsplit("_login", 1)[0] in owners}
    storage_kind = "schema" if per_schema else "database"

    def exists(storage: str) -> bool:
        """The bulk listing covers the pattern's names; a row naming another (an application's
        row) is looked up on its own."""
        if storage in found or name_in(pattern, storage) is not None:
            return storage in found
        exact = like(storage)  # (an exact LIKE pattern)
        return bool(ops.schemas(app_db, exact)) if per_schema else bool(ops.databases(exact))

    def add(kind: str, tenant: str, obj: str, detail: str, hint: str | None = None) -> None:
        report.problems.append(Problem(kind, g, tenant, obj, detail, hint))

    for t in tenants:
        storage = t.schema if per_schema else t.database
        if t.status == "dropped":
            left = [x for x in (storage,) if x and x in found] + sorted(
                r for r in roles if t.owner and (r == t.owner or r.startswith(t.owner + "_login")))
            if left:
                add("leftover", t.name, ", ".join(left), f"dropped, but {', '.join(left)} still exist(s)",
                    f"the drop is recorded as done: if nothing uses them, drop {', '.join(left)} by hand")
            continue
        if t.status in ("active", "suspended") and storage and not exists(storage):
            add(f"missing_{storage_kind}", t.name, storage, f"{t.status}, but its {storage_kind} {storage} does not"
                " exist", f"restore it from a backup, or drop the tenant: trueup tenant drop {t.name} --yes")
        if t.managed and t.status in ("active", "suspended"):
            for role in (t.owner, t.role):
                if role and role not in roles:
                    add("missing_role", t.name, role, f"{t.status}, but its role {role} does not exist",
                        f"trueup tenant rotate-credentials {t.name}" if role == t.role else None)
        rotating = t.pending_role or t.retiring_role
        if (t.status in ("provisioning", "dropping", "failed") or rotating) and _age_s(t) > stuck_after:
            what = f"a rotation at {t.phase}" if t.status in ("active", "suspended") else f"{t.status} at {t.phase}"
            add("stuck", t.name, storage or t.name, f"{what} for {int(_age_s(t))} s" + (
                f": {t.error}" if t.error else ""), _resume_hint(t))
    for obj in sorted(found - known_storage):
        name = name_in(pattern, obj)
        if name is None or obj.startswith("trueup_tpl_"):
            continue
        add("unregistered", name, obj, f"{storage_kind} {obj} matches the provisioning pattern but no registry row"
            " knows it", "trueup registry check --fix --yes registers it (after auditing it)")
    table = ctx.config.registry.table if ctx.config.registry else None
    for t in live:  # (with an application's table: a tenant of trueup's that has no row there)
        storage = t.schema if per_schema else t.database
        if t.managed and t.name in unmapped:
            add("unregistered", t.name, storage or t.name, f"{storage_kind} {storage} has no row in the application's"
                f" registry table {table}", "trueup registry check --fix --yes writes it")
    for role in sorted(roles - used_roles):
        owner_name = name_in(provision.role, role)
        if owner_name is None:
            continue
        add("orphan_role", owner_name.split("_login")[0], role, f"role {role} belongs to no tenant",
            f"drop it if nothing uses it: DROP ROLE {role}")
    _check_logins(ctx, g, [t for t in live if t.managed and t.status in ("active", "suspended") and t.secret
                           and (t.schema if per_schema else t.database) in found and t.role in roles],
                  ops, report, concurrency)


def _resume_hint(t: Tenant) -> str:
    if t.pending_role or t.retiring_role:
        return f"finish it: trueup tenant rotate-credentials {t.name} (or registry check --fix)"
    if (t.phase or "").startswith("drop"):
        return f"finish it: trueup tenant drop {t.name} --yes"
    return f"finish it: trueup tenant create {t.name} --resume (or registry check --fix)"


def _check_logins(ctx: Tenancy, g: str, tenants: list[Tenant], ops: ServerOps, report: CheckReport,
                  concurrency: int) -> None:
    timeout = ctx.config.settings.connect_timeout

    def one(t: Tenant) -> tuple[Tenant, str | None]:
        try:
            return t, ops.can_log_in(ctx.login_target(t).url, timeout)
        except TrueupError as err:
            return t, err.message

    with ThreadPoolExecutor(max(1, min(concurrency, len(tenants) or 1))) as pool:
        for t, why in pool.map(one, tenants):
            if why is not None:
                report.problems.append(Problem("login_failed", g, t.name, t.role or "", f"its stored credentials do"
                                               f" not log in: {why}", f"trueup tenant rotate-credentials {t.name}"))


def fix_problems(ctx: Tenancy, report: CheckReport) -> None:
    """Do what is safe about a check's problems (``--fix``), marking each one done as fixed:
    register what is unregistered (after auditing it), finish stuck creates and rotations.
    Never drops anything."""
    from trueup.tenants.create import adopt_tenant, create_tenant
    from trueup.tenants.rotate import rotate_tenant

    builder = Builder(ctx.config)
    for p in report.problems:
        g = p.group
        try:
            known = ctx.registry.get(p.tenant) if p.kind == "unregistered" else None
            if known is not None and known.managed:  # (the application's row is what is missing)
                ctx.registry.update(known.name, group=known.group, status=known.status, server=known.server,
                                    database=known.database, schema=known.schema, role=known.role,
                                    secret=known.secret)
                p.fixed = "its row written to the application's registry table"
            elif p.kind == "unregistered" and NAME.match(p.tenant):
                p.fixed = adopt_tenant(ctx, p.tenant, g, builder)
            elif p.kind == "stuck":
                t = ctx.get(p.tenant)
                if t.pending_role or t.retiring_role:
                    out = rotate_tenant(ctx, t.name)
                    p.fixed = "rotation finished" if out.status == "rotated" else None
                    if out.error:
                        p.detail += f"; resuming failed: {out.error}"
                elif (t.phase or "").startswith("adopt"):
                    p.fixed = adopt_tenant(ctx, t.name, g, builder)
                elif (t.phase or "").startswith("create"):
                    c = create_tenant(ctx, t.name, resume=True, builder=builder)
                    p.fixed = "create finished: active" if c.status == "active" else None
                    if c.error:
                        p.detail += f"; resuming failed: {c.error}"
        except TrueupError as err:
            p.detail += f"; not fixed: {err.message}"


def render_text(report: CheckReport) -> str:
    lines = []
    for p in report.problems:
        mark = f"  [fixed: {p.fixed}]" if p.fixed else ""
        lines.append(f"{p.group}/{p.tenant}: {p.kind}: {p.detail}{mark}")
        if p.hint and not p.fixed:
            lines.append(f"  hint: {p.hint}")
    for e in report.errors:
        lines.append(f"error: {e}")
    fixed = sum(1 for p in report.problems if p.fixed)
    verdict = ", ".join([*([f"{len(report.open)} problem(s)"] if report.open else []),
                         *([f"{len(report.errors)} error(s)"] if report.errors else [])]) or "consistent"
    lines.append(f"{report.tenants} tenant(s) checked in {report.seconds:.2f} s: {verdict}"
                 + (f", {fixed} fixed" if fixed else ""))
    return "\n".join(lines) + "\n"
