"""The end of the report: correctness of the audits' reports, the side-by-side table of
``--baseline``, and the verdict against the targets."""

from __future__ import annotations

from bench.common.report import comparison
from bench.fleetbench.check import Check, correctness_lines
from bench.fleetbench.context import TARGET_RATIO, TARGET_RSS_MB, TARGET_SCHEMAS_SECONDS, Bench
from bench.fleetbench.drift import Drift


def correctness(b: Bench) -> None:
    res, db_drift, schema_drift = b.results, b.db_drift, b.schema_drift
    checks: tuple[tuple[str, Check | None, dict[str, Drift]], ...] = (
        ("databases", res.db_check, db_drift), ("schemas", res.schema_check, schema_drift),
        ("databases, repeat run", res.repeat_db_check, db_drift),
        ("schemas, repeat run", res.repeat_schema_check, schema_drift))
    for label, check, drift in checks:
        if check is not None:
            correctness_lines(label, check, drift, b.say)


def side_by_side(b: Bench) -> None:
    """Each CLI-level figure with this checkout's code and the baseline's (runs interleaved)."""
    if b.baseline is None or not b.results.compared:
        return
    b.say("")
    b.say(f"same run, this checkout (new) against {b.baseline.label} (old); each pair of runs back to"
          " back, the order swapped every other pair; wall time with Python start-up:")
    for line in comparison(b.baseline.label, b.results.compared, digits=2):
        b.say("    " + line)


def verdict(b: Bench) -> bool:
    res, opts = b.results, b.opts
    verdict = res.verdict
    if res.ratio is not None and res.first_ratio is not None:
        verdict.append((f"ratio {res.ratio:.2f} (repeat run) <= {TARGET_RATIO}", res.ratio <= TARGET_RATIO))
        verdict.append((f"ratio {res.first_ratio:.2f} (first run) <= {TARGET_RATIO}",
                        res.first_ratio <= TARGET_RATIO))
    if res.schema_run is not None and res.repeat_schemas is not None:
        for label, r in (("repeat run", res.repeat_schemas), ("first run", res.schema_run)):
            verdict.append((f"{opts.schemas} schemas {r.seconds:.2f} s ({label}) < {TARGET_SCHEMAS_SECONDS:.0f} s",
                            r.seconds < TARGET_SCHEMAS_SECONDS))
    runs = [r for r in (res.db_run, res.schema_run) if r is not None]
    if runs:
        peak = max(r.rss_mb for r in runs)
        verdict.append((f"peak memory {peak:.0f} MB < {TARGET_RSS_MB:.0f} MB", peak < TARGET_RSS_MB))
    checks = [c for c in (res.db_check, res.schema_check, res.repeat_db_check, res.repeat_schema_check)
              if c is not None]
    if checks:
        found = sum(c.found for c in checks)
        want = (len(b.db_drift) * (bool(res.db_check) + bool(res.repeat_db_check))
                + len(b.schema_drift) * (bool(res.schema_check) + bool(res.repeat_schema_check)))
        verdict.append((f"drifts found {found}/{want}", found == want and not any(c.errors for c in checks)))
        fps = sum(len(c.false_positives) for c in checks)
        verdict.append((f"false positives {fps}", fps == 0))
    ok = all(v for _, v in verdict)
    spurious = sum(len(c.spurious) for c in (res.db_check, res.schema_check) if c is not None)
    b.say("")
    b.say(("PASS" if ok else "FAIL") + ": " + "; ".join(f"{t} {'ok' if v else 'MISSED'}" for t, v in verdict)
          + (f" (note: {spurious} spurious findings in drifted tenants)" if spurious else ""))
    return ok
