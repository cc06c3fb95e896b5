"""(a) Creating tenants: trueup's template database built once; then N tenants created with it
(``provision.template = true``, trueup's default: each tenant a ``CREATE DATABASE ... TEMPLATE``
copy) and, for comparison, without it (``template = false``: each tenant's schema applied and
its reference rows inserted one by one); each against its floor, the server alone doing the
same with the same concurrency: ``CREATE DATABASE ... TEMPLATE`` of the same template, and
``CREATE DATABASE`` plus the tenant's script. Then where the time goes, step by step, from the
registry's event log.

The tenants made without the template are dropped (outside trueup, untimed) before the tenants
made with it are created; those stay for the phases after this one."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from bench.common.report import table
from bench.tenantbench.context import TARGET_CREATE_PER_S, Bench, Timed, progress
from bench.tenantbench.server import DATABASE_PATTERN, GROUP_BUILD, GROUP_CLONE, ROLE_PATTERN
from bench.tenantbench.steps import median_ms, step_times, total_ms
from trueup.config import ProvisionConfig, load_config
from trueup.tenants.build import Builder
from trueup.tenants.context import Tenancy, open_tenancy
from trueup.tenants.create import STEPS, CreateOutcome, create_tenants


def run(b: Bench) -> None:
    say, res, conc, server = b.say, b.results, b.create_concurrency, b.server
    say("")
    say(f"(a) create, {conc} at a time")
    build_template(b)
    assert res.template_name is not None
    times: dict[str, dict[str, list[float]]] = {}

    if b.opts.build_tenants:
        built = b.opts.build_tenants
        res.build_floor, res.build, names, times["template = false"] = _floor_then_create(
            b, lambda: server.build_floor(b.tenant.sql, built, conc), built, "b", b.build_config, GROUP_BUILD,
            "template = false")
        server.drop_tenants([DATABASE_PATTERN.format(name=x) for x in names],
                            [ROLE_PATTERN.format(name=x) for x in names])

    n = b.opts.tenants
    template = res.template_name
    res.clone_floor, res.create, _, times["template = true"] = _floor_then_create(
        b, lambda: server.clone_floor(template, n, conc), n, "t", b.clone_config, GROUP_CLONE, "template = true")
    report(b, times)


def build_template(b: Bench) -> None:
    """The clone group's template database: built once per desired state, before the tenants
    (trueup builds it on the first create that needs it; here it is timed on its own)."""
    res = b.results
    config = load_config(b.clone_config)
    with open_tenancy(config) as ctx:
        ops = ctx.server_ops(GROUP_CLONE)
        try:
            t0 = time.perf_counter()
            res.template_name = Builder(config).template(GROUP_CLONE, ops, ctx.registry, ctx.wait_s)
            res.template_seconds = time.perf_counter() - t0
        finally:
            ops.close()
    b.say(f"    template {res.template_name}: built in {res.template_seconds:.1f} s (once per desired state,"
          " the desired state loaded into a scratch database included; not in the figures below)")
    b.mark_rss("template")


def _floor_then_create(b: Bench, floor: Callable[[], None], n: int, prefix: str, config: Path, group: str,
                       mode: str) -> tuple[Timed, Timed, list[str], dict[str, list[float]]]:
    """The floor timed, then ``n`` tenants created (names ``prefix``...) in ``group`` of
    ``config``, each after a checkpoint: the two timings, the names, each step's times."""
    server = b.server
    server.checkpoint()
    with b.timed(n) as t:
        floor()
    floor_timed = t[0]
    server.drop_floors()
    server.checkpoint()
    names = b.names(prefix, 0, n)
    with open_tenancy(load_config(config)) as ctx:
        created, outcomes = _create(b, ctx, names, group, f"create, {mode}")
        times = step_times(ctx.registry, names, "create")
    record_failures(b, mode, outcomes)
    b.mark_rss(f"create, {mode}")
    return floor_timed, created, names, times


def _create(b: Bench, ctx: Tenancy, names: list[str], group: str, label: str) -> tuple[Timed, list[CreateOutcome]]:
    with progress(label, len(names)) as tick, b.timed(len(names)) as t:
        outcomes = create_tenants(ctx, names, group, concurrency=b.create_concurrency, progress=tick)
    return t[0], outcomes


def record_failures(b: Bench, label: str, outcomes: list[CreateOutcome]) -> None:
    failed = [o for o in outcomes if o.status != "active"]
    if failed:
        first = failed[0]
        b.results.problems.append(f"{label}: {len(failed)} of {len(outcomes)} tenants not active"
                                  f" (first: {first.name}: {first.error})")


def report(b: Bench, times: dict[str, dict[str, list[float]]]) -> None:
    say, res = b.say, b.results
    assert res.create is not None and res.clone_floor is not None
    default = bool(ProvisionConfig.model_fields["template"].default)

    def mode(template: bool) -> str:
        return f"template = {str(template).lower()}" + (" (trueup's default)" if template == default else "")

    c, f = res.create, res.clone_floor
    say("    " + f.line(f"floor: CREATE DATABASE ... TEMPLATE {res.template_name}") + f"{f.busy()};"
        f" machine CPU {f.machine_ms() or 0:.0f} ms each")
    say(f"    {mode(True)}: {c.items} tenants in {c.seconds:.1f} s = {c.rate:.1f} tenants/s"
        f" (goal >= {TARGET_CREATE_PER_S:.0f}/s){c.busy()}; {c.against(f)}")
    if res.build is not None and res.build_floor is not None:
        d, g = res.build, res.build_floor
        say("    " + g.line("floor: CREATE DATABASE + the tenant's script") + f"{g.busy()};"
            f" machine CPU {g.machine_ms() or 0:.0f} ms each")
        say(f"    {mode(False)}: {d.items} tenants in {d.seconds:.1f} s = {d.rate:.1f} tenants/s{d.busy()};"
            f" {d.against(g)}")
        say(f"    with the template: {c.rate / d.rate:.1f}x the tenants/s of without")
    say("    trueup uses " + ("the template (provision.template = true is the default)" if default else
                              "no template (provision.template = false is the default)"))
    say("    median wall time of each step per tenant, ms (from the registry's event log; under concurrency):")
    modes = list(times)
    rows = [[step, *(median_ms(times[m], step) for m in modes)] for step in STEPS]
    rows.append(["(all steps)", *(total_ms(times[m]) for m in modes)])
    for line in table(["step", *modes], rows, left=1):
        say("      " + line)
