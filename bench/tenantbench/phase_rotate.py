"""(c) ``rotate-credentials --all`` over the tenants (each: a new login role and password, a
verified login with it, the registry switched, the old login retired), against its floor: per
tenant a new login role made a member of the owner, a login with it, the role dropped; then
where the time goes, step by step, and a ``registry check`` after it (every tenant's new
credentials log in, no old login is left)."""

from __future__ import annotations

from bench.common.report import table
from bench.tenantbench.context import Bench, progress
from bench.tenantbench.phase_check import check
from bench.tenantbench.steps import median_ms, step_times, total_ms
from trueup.config import load_config
from trueup.tenants.context import open_tenancy
from trueup.tenants.rotate import STEPS, rotate_all


def run(b: Bench) -> None:
    say, res = b.say, b.results
    say("")
    say(f"(c) rotate-credentials --all, {b.rotate_concurrency} at a time")
    b.server.checkpoint()
    with open_tenancy(load_config(b.clone_config)) as ctx:
        tenants = [t for t in ctx.registry.tenants() if t.status in ("active", "suspended") and t.managed]
        names = [t.name for t in tenants]
        with progress("rotate-credentials", len(names)) as tick, b.timed(len(names)) as t:
            outcomes = rotate_all(ctx, names, concurrency=b.rotate_concurrency, progress=tick)
        r = res.rotate = t[0]
        b.mark_rss("rotate-credentials --all")
        failed = [o for o in outcomes if o.status != "rotated"]
        if failed:
            res.problems.append(f"rotate-credentials: {len(failed)} of {len(outcomes)} not rotated"
                                f" (first: {failed[0].name}: {failed[0].error})")
        times = step_times(ctx.registry, names, "rotate")
        b.server.checkpoint()
        with b.timed(len(tenants)) as f:
            b.server.rotate_floor([(t.owner or "", t.database or "") for t in tenants], b.rotate_concurrency)
        floor = res.rotate_floor = f[0]
        b.server.drop_floors()
        say(f"    rotate-credentials --all: {r.items} tenants in {r.seconds:.1f} s = {r.rate:.1f} tenants/s,"
            f" {len(outcomes) - len(failed)} rotated{r.busy()}; {r.against(floor)}")
        say("    " + floor.line("floor: a login role made (member of the owner), logged in with, dropped")
            + f"{floor.busy()}; machine CPU {floor.machine_ms() or 0:.0f} ms each")
        say("    median wall time of each step per tenant, ms (from the registry's event log; under concurrency):")
        rows = [[step, median_ms(times, step)] for step in STEPS] + [["(all steps)", total_ms(times)]]
        for line in table(["step", "rotate"], rows, left=1):
            say("      " + line)
        b.server.checkpoint()
        res.check_after_rotate, _ = check(b, ctx, "registry check after the rotation", floor=False)
