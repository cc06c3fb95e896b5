"""The inspect benchmark's report: the table of the four figures, the floors, the CPU budget and
the verdict at the target size."""

from __future__ import annotations

import os

from bench.common.report import comparison, table
from bench.common.report import fmt as _fmt
from bench.common.report import ratio as _ratio
from bench.inspectbench.context import TARGET, TARGET_SIZE, Row


def report(rows: list[Row], runs: int) -> str:
    cores = os.cpu_count() or 1
    lines = [f"median of {runs} runs (after one warm-up run each)", *figures_table(rows)]
    for r in rows:
        lines += [f"note ({r.size} tables): {n}" for n in r.notes]
    lines += [line for r in rows for line in floor_line(r, cores)]
    lines += [line for r in rows for line in budget_line(r, cores)]
    lines.append(targets_line(rows))
    return "\n".join(lines)


def figures_table(rows: list[Row]) -> list[str]:
    head = ["tables", "trueup inspect s", "schemainspect s", "ratio", "trueup diff s", "migra s", "ratio"]
    body = []
    for r in rows:
        ri, rd = _ratio(r.schemainspect, r.trueup_inspect), _ratio(r.migra, r.trueup_diff)
        body.append([str(r.size), _fmt(r.trueup_inspect), _fmt(r.schemainspect),
                     "n/a" if ri is None else f"{ri:.1f}x", _fmt(r.trueup_diff), _fmt(r.migra),
                     "n/a" if rd is None else f"{rd:.1f}x"])
    return table(head, body)


def floor_line(r: Row, cores: int) -> list[str]:
    """(e)-(h): the least an inspection and a diff can take here, and trueup's own model time."""
    if r.startup is None or r.server is None or r.fetch is None:
        return []
    one = (r.server + r.fetch) / min(cores, 2)  # an inspection runs on at most two connections
    floor = r.startup + (2 * r.server + 2 * r.fetch) / cores
    best_i, best_d = _ratio(r.schemainspect, one), _ratio(r.migra, floor)
    return [
        f"floor ({r.size} tables, {cores} cores), even if trueup's own code took no time: start-up "
        f"{r.startup:.3f}s; per database, the catalog queries' server time {r.server:.3f}s and psycopg's "
        f"fetching {r.fetch:.3f}s. An inspection cannot take less than {one:.3f}s here"
        + ("" if best_i is None else f" (at best {best_i:.1f}x faster than schemainspect)")
        + f", a diff of two databases not less than {floor:.3f}s"
        + ("" if best_d is None else f" (at best {best_d:.1f}x faster than migra)")
        + f". trueup's model building adds {r.model or 0:.3f}s of CPU per database."]


def budget_line(r: Row, cores: int) -> list[str]:
    """(i)-(k): the CPU an inspection may use at the target ratio, and what takes it."""
    if r.cpu_trueup is None or r.cpu_deparse is None or r.schemainspect is None:
        return []
    budget = cores * r.schemainspect / TARGET
    return [
        f"CPU per inspection ({r.size} tables, every process on this machine): trueup "
        f"{r.cpu_trueup:.3f}s" + ("" if r.cpu_schemainspect is None else
                                  f", schemainspect {r.cpu_schemainspect:.3f}s")
        + f". {TARGET:g}x faster than schemainspect leaves {r.schemainspect / TARGET:.3f}s, at most "
        f"{budget:.3f}s of CPU on {cores} cores; the server's deparse functions alone, once per "
        f"object on a new connection, take {r.cpu_deparse:.3f}s ({r.cpu_deparse / budget:.0%} of it)"
        + ("" if r.fetch is None or r.bare_model is None else
           f"; with psycopg's fetching ({r.fetch:.3f}s) and the bare model ({r.bare_model:.3f}s: "
           f"its objects made from finished parts), {budget - r.cpu_deparse - r.fetch - r.bare_model:.3f}s "
           "are left for the connections, all other catalog reading, normalising and dependencies")
        + f". trueup's whole inspection uses {r.cpu_trueup:.3f}s ({r.cpu_trueup / budget:.0%} of the budget)."]


def targets_line(rows: list[Row]) -> str:
    target = next((r for r in rows if r.size == TARGET_SIZE), None)
    if target is None:
        return f"targets: not assessed ({TARGET_SIZE} tables was not among the sizes)"
    ri, rd = _ratio(target.schemainspect, target.trueup_inspect), _ratio(target.migra, target.trueup_diff)

    def verdict(ratio: float | None) -> str:
        if ratio is None:
            return "NOT ASSESSED (no reference figure)"
        return f"{'MET' if ratio >= TARGET else 'MISSED'} ({ratio:.1f}x)"

    return (f"targets at {TARGET_SIZE} tables: trueup inspect >= {TARGET:g}x faster than "
            f"schemainspect: {verdict(ri)}; "
            f"trueup diff >= {TARGET:g}x faster than migra: {verdict(rd)}")


def baseline_block(rows: list[Row], runs: int, ref: str) -> str:
    """``--baseline``: each CLI figure with this checkout's code (new) and REF's (old)."""
    compared = [c for r in rows for c in r.compared]
    if not compared:
        return ""
    lines = [f"same run, this checkout (new) against {ref} (old), median of {runs} runs; each pair back to back,"
             " the order swapped every other run; wall time with Python start-up:"]
    lines += ["    " + line for line in comparison(ref, compared)]
    return "\n".join(lines)
