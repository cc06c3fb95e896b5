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


def check(b: Bench, ctx: Tenancy, label: str, floor: bool = True) -> tuple[Timed, float | None]:
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
    floor_s = None
    line = f"    {label}: {report.tenants} tenants in {timed.seconds:.2f} s = {timed.rate:.0f} tenants/s, {verdict}"
    if floor:
        urls = [ctx.login_target(x).url for x in ctx.registry.tenants() if x.status == "active"]
        floor_s = floor_seconds(urls, b.check_concurrency)
        line += f"; {timed.seconds / floor_s:.1f}x its floor"
    b.say(line + f"; {timed.cpu_note()}")
    if floor_s is not None:
        b.say(f"    floor: log in as each of the {len(urls)} tenants (connect + SELECT 1 + close): {floor_s:.2f} s"
              f" = {len(urls) / floor_s:.0f}/s")
    return timed, floor_s
