"""The end of the report: peak memory after each phase, and the verdict against the issue's
goals (10 tenants/s created with the template; a registry check of 1,000 tenants in under 5 s,
measured with ``--check-tenants 1000``, else extrapolated from N and labelled so) and against
correctness (every tenant active, every rotation done, every check consistent)."""

from __future__ import annotations

from bench.tenantbench.context import TARGET_CHECK_SECONDS, TARGET_CHECK_TENANTS, TARGET_CREATE_PER_S, Bench


def memory(b: Bench) -> None:
    b.say("")
    b.say("peak RSS of this process after each phase (ru_maxrss): "
          + ", ".join(f"{phase} {mb:.0f} MB" for phase, mb in b.results.rss))


def verdict(b: Bench) -> bool:
    res = b.results
    lines: list[tuple[str, bool]] = []
    if res.create is not None:
        lines.append((f"create {res.create.rate:.1f} tenants/s with the template >= {TARGET_CREATE_PER_S:.0f}/s",
                      res.create.rate >= TARGET_CREATE_PER_S))
    many = res.many_check
    if many is not None and many.items >= TARGET_CHECK_TENANTS:
        lines.append((f"registry check of {many.items} tenants {many.seconds:.2f} s < {TARGET_CHECK_SECONDS:.0f} s"
                      " (measured)", many.seconds < TARGET_CHECK_SECONDS))
    else:
        base = many or res.check  # (the largest check measured)
        if base is not None and base.items:
            guess = base.seconds * TARGET_CHECK_TENANTS / base.items
            lines.append((f"registry check of {TARGET_CHECK_TENANTS} tenants ~{guess:.2f} s < {TARGET_CHECK_SECONDS:.0f}"
                          f" s (EXTRAPOLATED linearly from {base.items}, not measured: --check-tenants"
                          f" {TARGET_CHECK_TENANTS} measures it)", guess < TARGET_CHECK_SECONDS))
    lines.append(("every tenant active, every rotation done, every check consistent"
                  + ("" if not res.problems else ": " + " | ".join(res.problems)), not res.problems))
    ok = all(v for _, v in lines)
    b.say("")
    b.say(("PASS" if ok else "FAIL") + ": " + "; ".join(f"{t} {'ok' if v else 'MISSED'}" for t, v in lines))
    return ok
