"""Correctness: the JSON report of an audit against the injected drift (every drift found in the
right tenant with the right category, every other tenant in sync)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.fleetbench.drift import DRIFT_KINDS, Drift


@dataclass
class Check:
    found: int = 0
    missed: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: findings beside the injected one in a drifted tenant (reported, not part of the verdict)
    spurious: list[str] = field(default_factory=list)


def check_report(report: dict[str, Any], expected_names: Sequence[str], drift: dict[str, Drift]) -> Check:
    out = Check()
    by_name = {r["name"]: r for r in report.get("databases", [])}
    for name in expected_names:
        r = by_name.get(name)
        if r is None:
            out.missed.append(f"{name}: not in the report")
            continue
        if r["status"] == "error":
            out.errors.append(f"{name}: {r.get('error')}")
            continue
        d = drift.get(name)
        if d is None:
            if r["status"] != "in_sync" or r["findings"]:
                first = r["findings"][0] if r["findings"] else {}
                out.false_positives.append(f"{name}: {first.get('category')} {first.get('object')}")
            continue
        hits = [f for f in r["findings"] if f["category"] == d.category and d.object in f["object"]]
        if hits and r["status"] == "drift":
            out.found += 1
            out.spurious += [f"{name}: {f['category']} {f['problem']} {f['object']}: {f['detail'][:160]}"
                          for f in r["findings"] if f not in hits]
        else:
            got = ", ".join(f"{f['category']} {f['object']}" for f in r["findings"]) or "nothing"
            out.missed.append(f"{name}: expected {d.category} {d.object} ({d.kind}), found {got}")
    unknown = sorted(set(by_name) - set(expected_names))
    out.false_positives += [f"{n}: not a tenant of the fleet" for n in unknown]
    return out


def correctness_lines(label: str, check: Check, drift: dict[str, Drift], say: Callable[[str], None]) -> None:
    kinds = ", ".join(f"{k} {sum(d.kind == k for d in drift.values())}" for k in DRIFT_KINDS)
    say(f"correctness, {label}: {check.found}/{len(drift)} drifts found ({kinds}),"
        f" {len(check.missed)} missed, {len(check.false_positives)} false positives,"
        f" {len(check.errors)} errors")
    for text in (check.missed + check.false_positives + check.errors)[:10]:
        say(f"    {text}")
    if check.spurious:
        tenants = len({t.split(":")[0] for t in check.spurious})
        say(f"    spurious: {len(check.spurious)} finding(s) beside the injected drift in {tenants}"
            f" drifted tenant(s), e.g. {check.spurious[0]}")
