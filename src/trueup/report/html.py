"""The audit as one self-contained HTML page.

Built to be read in five seconds and then drilled into: a verdict and big counters at the top, a
fleet matrix per group (databases that need attention x finding categories, coloured by
severity), then every drifted database with its findings and the SQL that fixes them.

The page loads nothing: no fonts, scripts, images or styles from anywhere (a Content Security
Policy forbids it), so it can be mailed, archived as a CI artifact and opened offline. Databases
in sync cost one line of text each, so a fleet of 10,000 stays a reasonable file.

This module prepares the data (counts, severities, order, anchors, percentages); the page itself
is ``templates/audit.html.j2`` with the CSS and JavaScript of ``static/`` inlined
(:mod:`trueup.report.templating`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from trueup.fleet.findings import CATEGORIES, Finding
from trueup.fleet.results import AuditResult, TargetResult
from trueup.report.html_view import (
    Cell,
    Chip,
    DatabaseView,
    DetailGroup,
    FindingView,
    GroupView,
    Matrix,
    MatrixRow,
    Page,
    Summary,
)
from trueup.report.junit import groups_in_order
from trueup.report.templating import inline_static, template

#: severity of a finding: 3 high, 2 medium, 1 low
HIGH_CATEGORIES = frozenset({"table", "column", "constraint", "rls", "policy", "grant", "layer"})
LOW_CATEGORIES = frozenset({"comment"})
HIGH_HAZARDS = frozenset({"deletes_data", "needs_using", "needs_input"})
SEVERITY_NAMES = {1: "low", 2: "medium", 3: "high"}
#: drill-downs start open when there are this many or fewer
OPEN_AT_MOST = 3
#: matrix cells show this much of an error message (the whole of it in their tooltip)
ERROR_SHORT = 160


def severity(f: Finding) -> int:
    """High: structure the application relies on, security, layer mix-ups, or a fix that deletes data."""
    if f.category in HIGH_CATEGORIES or HIGH_HAZARDS.intersection(f.hazards):
        return 3
    return 1 if f.category in LOW_CATEGORIES else 2


def _ordered_categories(names: Iterable[str]) -> list[str]:
    present = set(names)
    known = [c for c in CATEGORIES if c in present]
    return known + sorted(present - set(known))


def _by_category(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    per_cat: dict[str, list[Finding]] = {}
    for f in findings:
        per_cat.setdefault(f.category, []).append(f)
    return per_cat


@dataclass
class _Group:
    name: str
    members: list[TargetResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.members if r.status == status)

    @property
    def attention(self) -> list[TargetResult]:
        """Drifted and failed databases, the worst first."""
        todo = [r for r in self.members if r.status == "error" or r.findings or r.status == "drift"]
        def worst(r: TargetResult) -> tuple[bool, int, int, str]:
            return (r.status != "error", -max((severity(f) for f in r.findings), default=0), -len(r.findings),
                    r.name)

        return sorted(todo, key=worst)

    @property
    def in_sync(self) -> list[TargetResult]:
        return [r for r in self.members if r.status == "in_sync" and not r.findings]


def _percent(part: int, total: int) -> str:
    if not total or not part:
        return ""
    pct = 100 * part / total
    text = f"{pct:.0f}" if pct >= 10 or pct == int(pct) else f"{pct:.1f}"
    if text == "100" and part != total:
        text = "99.9"
    if text in ("0", "0.0"):
        text = "<0.1"
    return f"{text}%"


def _summary(result: AuditResult, groups: int) -> Summary:
    total = len(result.results)
    ok, drift, error = (sum(1 for r in result.results if r.status == s) for s in ("in_sync", "drift", "error"))
    return Summary(total=total, ok=ok, drift=drift, error=error,
                   findings=sum(len(r.findings) for r in result.results), groups=groups, seconds=result.seconds,
                   ok_pct=_percent(ok, total), drift_pct=_percent(drift, total), error_pct=_percent(error, total))


def _chips(findings: Iterable[Finding]) -> list[Chip]:
    per_cat = _by_category(findings)
    return [Chip(cat, len(per_cat[cat]), max(severity(f) for f in per_cat[cat]))
            for cat in _ordered_categories(per_cat)]


def _hazards(findings: Iterable[Finding]) -> list[tuple[str, int]]:
    counts = Counter(h for f in findings for h in f.hazards)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _matrix_row(r: TargetResult, anchor: str, categories: list[str]) -> MatrixRow:
    if r.status == "error":
        message = r.error or "could not be audited"
        short = message if len(message) <= ERROR_SHORT else message[:ERROR_SHORT - 3] + "..."
        return MatrixRow(r.name, anchor, len(r.findings), [], error=message, error_short=short)
    per_cat = _by_category(r.findings)
    cells = []
    for cat in categories:
        fs = per_cat.get(cat, [])
        problems = sorted(Counter(f.problem for f in fs).items())
        cells.append(Cell(cat, len(fs), max((severity(f) for f in fs), default=0), problems))
    return MatrixRow(r.name, anchor, len(r.findings), cells)


def _matrix(attention: list[TargetResult], anchors: dict[int, str]) -> Matrix | None:
    if not attention:
        return None
    categories = _ordered_categories(f.category for r in attention for f in r.findings)
    totals = None
    if len(attention) > 1 and categories:
        counts = Counter(f.category for r in attention for f in r.findings)
        totals = [counts[c] for c in categories]
    return Matrix(categories, [_matrix_row(r, anchors[id(r)], categories) for r in attention], totals)


def _group_view(g: _Group, attention: list[TargetResult], anchors: dict[int, str]) -> GroupView:
    return GroupView(name=g.name, databases=len(g.members), ok=g.count("in_sync"), drift=g.count("drift"),
                     error=g.count("error"), findings=sum(len(r.findings) for r in g.members),
                     matrix=_matrix(attention, anchors), in_sync=[r.name for r in g.in_sync])


def _finding_view(f: Finding) -> FindingView:
    sev = severity(f)
    return FindingView(f.category, f.problem, f.object, f.detail, tuple(f.hazards), f.fix.strip(), sev,
                       SEVERITY_NAMES[sev])


def _database_view(r: TargetResult, anchor: str, is_open: bool) -> DatabaseView:
    return DatabaseView(anchor=anchor, name=r.name, group=r.group, location=r.location,
                        failed=r.status == "error", error=r.error or "the database could not be audited",
                        is_open=is_open, chips=_chips(r.findings),
                        findings=[_finding_view(f) for f in r.findings],
                        has_fix=any(f.fix.strip() for f in r.findings))


def _page(result: AuditResult, title: str) -> Page:
    groups = {name: _Group(name) for name in groups_in_order(result)}
    for r in result.results:
        groups[r.group].members.append(r)
    attention = {name: g.attention for name, g in groups.items()}
    ordered = [r for rs in attention.values() for r in rs]
    anchors = {id(r): f"db-{i}" for i, r in enumerate(ordered, 1)}
    is_open = len(ordered) <= OPEN_AT_MOST
    all_findings = [f for r in result.results for f in r.findings]
    return Page(
        title=title,
        summary=_summary(result, len(groups)),
        chips=_chips(all_findings),
        hazards=_hazards(all_findings),
        groups=[_group_view(g, attention[name], anchors) for name, g in groups.items()],
        details=[DetailGroup(name, [_database_view(r, anchors[id(r)], is_open) for r in rs])
                 for name, rs in attention.items() if rs],
        attention=len(ordered),
        group_headings=len(groups) > 1,
    )


def render_html(result: AuditResult, title: str = "trueup audit") -> str:
    """The whole report as one HTML document (no external resources)."""
    return template("audit.html.j2").render(page=_page(result, title), css=inline_static("report.css", "style"),
                                            script=inline_static("report.js", "script"))
