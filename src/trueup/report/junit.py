"""JUnit XML report of an audit: one test suite per group, one test case per database.

CI servers (Jenkins, GitLab, GitHub Actions reporters, ...) read this format natively: a database
in sync passes, a drifted database fails with its findings as the failure text, a database that
could not be audited is an error.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable

from trueup.fleet.findings import Finding
from trueup.fleet.results import AuditResult, TargetResult

# characters XML 1.0 cannot carry at all, not even escaped
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _ILLEGAL_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def groups_in_order(result: AuditResult) -> list[str]:
    """The audited groups, then any group only the results name."""
    names = list(dict.fromkeys(result.groups))
    names.extend(g for g in dict.fromkeys(r.group for r in result.results) if g not in names)
    return names


def failure_message(findings: Iterable[Finding]) -> str:
    """``3 findings: 2 column, 1 layer``."""
    found = list(findings)
    counts = Counter(f.category for f in found)
    parts = ", ".join(f"{n} {cat}" for cat, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{_plural(len(found), 'finding')}: {parts}"


def finding_text(index: int, f: Finding) -> str:
    lines = [f"{index}. [{f.category}] {f.problem}: {f.object}", f"   {f.detail}"]
    if f.hazards:
        lines.append(f"   hazards: {', '.join(f.hazards)}")
    if f.fix.strip():
        lines.append("   fix:")
        lines.extend(f"     {line}" for line in f.fix.strip().splitlines())
    return "\n".join(lines)


def _failure_text(r: TargetResult) -> str:
    head = [f"database {r.name} (group {r.group})"]
    if r.location:
        head.append(f"location: {r.location}")
    body = [finding_text(i, f) for i, f in enumerate(r.findings, 1)]
    return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n"


def _testcase(suite: ET.Element, r: TargetResult) -> None:
    case = ET.SubElement(suite, "testcase", classname=_clean(f"trueup.{r.group}"), name=_clean(r.name),
                         time=_seconds(r.seconds))
    if r.status == "error":
        message = r.error or "the database could not be audited"
        err = ET.SubElement(case, "error", message=_clean(message), type="error")
        err.text = _clean(f"database {r.name} (group {r.group})"
                          + (f"\nlocation: {r.location}" if r.location else "") + f"\n{message}\n")
    elif r.status == "drift" or r.findings:
        fail = ET.SubElement(case, "failure", message=_clean(failure_message(r.findings)), type="drift")
        fail.text = _clean(_failure_text(r))


def render_junit(result: AuditResult) -> str:
    """The audit as a JUnit XML document (``<testsuites>``, UTF-8, with an XML declaration)."""
    by_group: dict[str, list[TargetResult]] = {g: [] for g in groups_in_order(result)}
    for r in result.results:
        by_group[r.group].append(r)

    root = ET.Element("testsuites", name="trueup audit")
    totals = Counter[str]()
    for group, members in by_group.items():
        errors = sum(1 for r in members if r.status == "error")
        failures = sum(1 for r in members if r.status != "error" and (r.status == "drift" or r.findings))
        suite = ET.SubElement(root, "testsuite", name=_clean(group), tests=str(len(members)),
                              failures=str(failures), errors=str(errors), skipped="0",
                              time=_seconds(sum(r.seconds for r in members)))
        for r in members:
            _testcase(suite, r)
        totals.update(tests=len(members), failures=failures, errors=errors)
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("time", _seconds(result.seconds))
    ET.indent(root, space="  ")
    # declared by hand: ElementTree would name the locale's encoding, not the UTF-8 written out
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
