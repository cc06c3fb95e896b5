"""Printing: lines printed as they come, numbers, ratios, right-aligned tables and the
side-by-side comparison of ``--baseline``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


class Out:
    """Prints each line at once (flushed) and keeps them."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        self.lines.append(text)
        print(text, flush=True)


def fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def ratio(slow: float | None, fast: float | None) -> float | None:
    """``slow / fast``, or None when either is missing (or ``fast`` is zero)."""
    return None if slow is None or not fast else slow / fast


def table(head: Sequence[str], body: Sequence[Sequence[str]], left: int = 0) -> list[str]:
    """Columns right-aligned to their widest cell, but the first ``left`` left-aligned."""
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h) for i, h in enumerate(head)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < left else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(head), "  ".join("-" * w for w in widths)] + [line(b) for b in body]


@dataclass
class Compared:
    """One CLI-level figure measured with the current code (``new``) and the baseline's (``old``)."""

    label: str
    new: float
    #: None: the baseline's run failed
    old: float | None
    unit: str = "s"
    #: further cells, e.g. peak RSS or exit codes, as (column, new, old)
    extra: list[tuple[str, str, str]] = field(default_factory=list)


def comparison(ref: str, rows: Sequence[Compared], digits: int = 3) -> list[str]:
    """The table of ``--baseline``: each figure for the current code and for ``ref``, and
    new/old (below 1: the current code is faster)."""
    if not rows:
        return []
    extra_cols = [c for c, _, _ in rows[0].extra]
    head = ["figure", "new", ref, "new/old", *(f"{c} new/{ref}" for c in extra_cols)]
    body = []
    for r in rows:
        q = ratio(r.new, r.old)
        cells = [r.label, f"{r.new:.{digits}f} {r.unit}", "failed" if r.old is None else f"{r.old:.{digits}f} {r.unit}",
                 "n/a" if q is None else f"{q:.2f}"]
        by_col = {c: f"{n}/{o}" for c, n, o in r.extra}
        cells += [by_col.get(c, "") for c in extra_cols]
        body.append(cells)
    return table(head, body, left=1)
