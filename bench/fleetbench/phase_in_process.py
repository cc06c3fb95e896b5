"""Each group once more in this process through ``run_audit(rescan=True)``, timed per phase by
the functions of :data:`bench.fleetbench.hooks.PHASE_HOOKS` (this checkout's code only; skipped
with ``--no-in-process``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.common.timing import Phase, first_found, fmt_phases, phase_timers
from bench.fleetbench.context import Bench
from bench.fleetbench.hooks import LOAD_CONFIG, PHASE_HOOKS, RUN_AUDIT


def in_process_audit(config_path: Path, group: str, concurrency: int) -> tuple[float, dict[str, Phase]] | None:
    """The time of one audit of ``group`` in this process and of its phases; None when trueup's
    entry points were not found."""
    load_config: Any = first_found(LOAD_CONFIG)
    run_audit: Any = first_found(RUN_AUDIT)
    if load_config is None or run_audit is None:
        return None
    config = load_config(config_path)
    with phase_timers(PHASE_HOOKS) as phases:
        t0 = time.perf_counter()
        run_audit(config, groups=[group], concurrency=concurrency, rescan=True)
        total = time.perf_counter() - t0
    return total, dict(phases)


def run(b: Bench) -> None:
    if b.opts.no_in_process:
        return
    for group, n in (("databases", b.opts.databases), ("schemas", b.opts.schemas)):
        if n:
            timed = in_process_audit(b.config, group, b.concurrency)
            if timed is None:
                b.say(f"    in process, {group}: skipped (no {RUN_AUDIT[0][0]}.{RUN_AUDIT[0][1]} or"
                      f" {LOAD_CONFIG[0][0]}.{LOAD_CONFIG[0][1]}: re-point bench/fleetbench/hooks.py)")
                continue
            total, phases = timed
            b.say(f"    in process, {group}, --rescan: {fmt_phases(total, phases)}")
