"""(b) ``registry check`` over the tenants just created, against its floor: logging in as each
tenant with its stored credentials (connect + ``SELECT 1`` + close, the check's own last part),
with the same concurrency."""

from __future__ import annotations

from bench.common.floors import floor_seconds
from bench.tenantbench.context import Bench, Timed
from trueup.config import load_config
from trueup.tenants.check import check_registry
from trueup.tenants.context import Tenancy, open_tenancy


def run(b: Bench) -> None:
    b.say("")
    b.say(f"(b) registry check, {b.check_concurrency} logins at a time")
    b.server.checkpoint()
    with open_tenancy(load_config(b.clone_config)) as ctx:
        b.results.check, b.results.login_floor = check(b, ctx, "registry check")
    b.mark_rss("registry check")


def check(b: Bench, ctx: Tenancy, label: str, floor: bool = True) -> tuple[Timed, Timed | None]:
    """One timed ``registry check`` (a line for it; an inconsistent registry is a problem) and,
    with ``floor``, the logins' floor measured right after it."""
    with b.timed(0) as t:
        report = check_registry(ctx, concurrency=b.check_concurrency)
    timed = t[0]
    timed.items = report.tenants
    verdict = "consistent" if report.exit_code == 0 else (
        f"{len(report.open)} problem(s), {len(report.errors)} error(s): "
        + "; ".join([f"{p.tenant}: {p.kind}: {p.detail}" for p in report.open[:2]] + report.errors[:2]))
    if report.exit_code != 0:
        b.results.problems.append(f"{label}: {verdict}")
    login_floor = None
    if floor:
        urls = [ctx.login_target(x).url for x in ctx.registry.tenants() if x.status == "active"]
        with b.timed(len(urls)) as f:
            floor_seconds(urls, b.check_concurrency)
        login_floor = f[0]
    b.say(f"    {label}: {report.tenants} tenants in {timed.seconds:.2f} s = {timed.rate:.0f} tenants/s, {verdict}"
          f"{timed.busy()}; {timed.against(login_floor)}")
    if login_floor is not None:
        b.say("    " + login_floor.line("floor: log in as each tenant (connect + SELECT 1 + close)")
              + f"{login_floor.busy()}; machine CPU {login_floor.machine_ms() or 0:.1f} ms each")
    return timed, login_floor
