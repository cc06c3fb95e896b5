"""(d) ``--check-tenants M``: the registry check measured on M tenants, not extrapolated: M - N
more tenants are created with the template (timed too: creation at that scale), then the check
runs over all M, against the same floor as (b)."""

from __future__ import annotations

from bench.tenantbench.context import Bench, progress
from bench.tenantbench.phase_check import check
from bench.tenantbench.phase_create import record_failures
from bench.tenantbench.server import GROUP_CLONE
from trueup.config import load_config
from trueup.tenants.context import open_tenancy
from trueup.tenants.create import create_tenants


def run(b: Bench) -> None:
    opts, res, say = b.opts, b.results, b.say
    if opts.check_tenants <= opts.tenants:
        return
    more = opts.check_tenants - opts.tenants
    say("")
    say(f"(d) registry check of {opts.check_tenants} tenants: {more} more created first")
    b.server.checkpoint()
    with open_tenancy(load_config(b.clone_config)) as ctx:
        names = b.names("t", opts.tenants, more)
        with progress("create, template = true", more) as tick, b.timed(more) as t:
            outcomes = create_tenants(ctx, names, GROUP_CLONE, concurrency=b.create_concurrency, progress=tick)
        c = res.many_create = t[0]
        record_failures(b, f"create of {more} more", outcomes)
        say(f"    create, template = true: {more} more tenants in {c.seconds:.1f} s = {c.rate:.1f} tenants/s"
            f" (with {opts.tenants} already there){c.busy()}; {c.against(res.clone_floor)}")
        b.mark_rss(f"create of {more} more")
        b.server.checkpoint()
        res.many_check, res.many_login_floor = check(b, ctx, "registry check")
    b.mark_rss(f"registry check of {opts.check_tenants}")
