"""What the HTML report's templates are given: plain values, prepared by :mod:`trueup.report.html`.

Counts are ints (the templates format them); categories are their names (the templates label
them); everything that comes from a database or a finding is a plain string, escaped when printed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chip:
    """The findings of one category: how many, and the worst severity among them."""

    category: str
    count: int
    severity: int


@dataclass(frozen=True)
class Summary:
    """The fleet's counts, for the verdict, the counters and the bar."""

    total: int
    ok: int
    drift: int
    error: int
    findings: int
    groups: int
    seconds: float
    #: shares of ``total`` as shown under the counters ("" when there is nothing to show)
    ok_pct: str
    drift_pct: str
    error_pct: str


@dataclass(frozen=True)
class Cell:
    """One category of one database in the matrix (``count`` 0: none)."""

    category: str
    count: int
    severity: int
    #: (problem, how many), by problem
    problems: list[tuple[str, int]]


@dataclass(frozen=True)
class MatrixRow:
    name: str
    anchor: str
    findings: int
    cells: list[Cell]
    #: set when the database could not be audited (the row then shows it instead of cells)
    error: str | None = None
    error_short: str = ""


@dataclass(frozen=True)
class Matrix:
    """The databases of a group that need attention x the categories found among them."""

    categories: list[str]
    rows: list[MatrixRow]
    #: findings per category over all rows; None when there is no totals line to show
    totals: list[int] | None


@dataclass(frozen=True)
class GroupView:
    name: str
    databases: int
    ok: int
    drift: int
    error: int
    findings: int
    #: None when no database of the group needs attention
    matrix: Matrix | None
    #: the names of its databases in sync, in their order
    in_sync: list[str]


@dataclass(frozen=True)
class FindingView:
    category: str
    problem: str
    object: str
    detail: str
    hazards: tuple[str, ...]
    #: the SQL that fixes it, without surrounding blank space ("" when there is none)
    fix: str
    severity: int
    severity_name: str


@dataclass(frozen=True)
class DatabaseView:
    """The drill-down of a database that needs attention."""

    anchor: str
    name: str
    group: str
    location: str
    failed: bool
    #: why it could not be audited (shown when ``failed``)
    error: str
    is_open: bool
    chips: list[Chip]
    findings: list[FindingView]
    has_fix: bool


@dataclass(frozen=True)
class DetailGroup:
    name: str
    databases: list[DatabaseView]


@dataclass(frozen=True)
class Page:
    title: str
    summary: Summary
    chips: list[Chip]
    #: (hazard, findings with it), the most frequent first
    hazards: list[tuple[str, int]]
    groups: list[GroupView]
    #: the drill-downs per group (groups with nothing to look at left out)
    details: list[DetailGroup]
    #: how many databases need attention
    attention: int
    #: whether the drill-downs are headed by their group (more than one group)
    group_headings: bool
