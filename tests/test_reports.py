"""The JUnit and HTML renderers of an audit, on audit results built by hand (no database needed)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

from trueup.fleet.findings import Finding
from trueup.fleet.results import AuditResult, TargetResult
from trueup.report.html import render_html, severity
from trueup.report.junit import render_junit

EVIL = '<script>alert("x")</script>'
AMP = "R&D_db"

COLUMN_FIX = "ALTER TABLE public.users ADD COLUMN email text NOT NULL DEFAULT '<none>';"
LAYER_FIX = "-- hazard: deletes_data\nDROP TABLE billing.invoices;"
REF_FIX = "INSERT INTO public.plans (id, name) VALUES (3, 'Pro & <Team>');"
INDEX_FIX = "CREATE INDEX users_email_idx ON public.users (email);"


def _findings(where: str) -> list[Finding]:
    return [
        Finding("column", "missing", "public.users.email", f"column public.users.email is missing in {where}",
                (), COLUMN_FIX),
        Finding("index", "missing", "public.users_email_idx",
                f"index public.users_email_idx is missing in {where}", ("index_build",), INDEX_FIX),
        Finding("layer", "unexpected", "billing.invoices",
                f"billing.invoices belongs to group billing, found in {where}", ("deletes_data",), LAYER_FIX),
        Finding("reference_data", "missing", "public.plans[id=3]",
                f"row public.plans[id=3] is missing in {where} (no such row)", (), REF_FIX),
        Finding("comment", "different", 'table "Weird<&>"."T"',
                f'comment on table "Weird<&>"."T" differs in {where}: expected "a & b", found none', (),
                "COMMENT ON TABLE \"Weird<&>\".\"T\" IS 'a & b';"),
    ]


def sample_result(in_sync: int = 3) -> AuditResult:
    results = [TargetResult("tenants", f"tenant_{i:05d}", f"postgresql://app@db1:5432/tenant_{i:05d}",
                            seconds=0.01) for i in range(in_sync)]
    results += [
        TargetResult("tenants", "acme", "postgresql://app@db1:5432/acme", "drift", _findings("acme"),
                     seconds=0.2),
        TargetResult("tenants", EVIL, "postgresql://app@db1:5432/evil", "drift",
                     [_findings(EVIL)[0]], seconds=0.1),
        TargetResult("tenants", AMP, "postgresql://app@db2:5432/rnd", "drift",
                     [_findings(AMP)[3], _findings(AMP)[4]], seconds=0.1),
        TargetResult("tenants", "broken", "postgresql://app@db3:5432/broken", "error",
                     error="database 'broken' on db3:5432: connection refused <timeout & retry>",
                     seconds=3.0),
        TargetResult("billing", "billing_main", "postgresql://app@db9:5432/billing", seconds=0.05),
        TargetResult("billing", "billing_eu", "postgresql://app@db9:5432/billing_eu", "drift",
                     [_findings("billing_eu")[1]], seconds=0.05),
    ]
    return AuditResult(results, ["tenants", "billing"], seconds=4.25)


# ------------------------------------------------------------------------------------------------ JUnit


def test_junit_parses_with_counts_per_group() -> None:
    root = ET.fromstring(render_junit(sample_result()).encode())
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("9", "4", "1")
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["tenants", "billing"]
    tenants = suites["tenants"]
    assert (tenants.get("tests"), tenants.get("failures"), tenants.get("errors")) == ("7", "3", "1")
    assert float(tenants.get("time") or "nan") == pytest.approx(3.43, abs=0.002)
    assert len(tenants.findall("testcase")) == 7
    assert all(c.get("classname") == "trueup.tenants" for c in tenants.iter("testcase"))
    billing = suites["billing"]
    assert (billing.get("tests"), billing.get("failures"), billing.get("errors")) == ("2", "1", "0")
    passed = [c for c in root.iter("testcase") if len(c) == 0]
    assert {c.get("name") for c in passed} == {"tenant_00000", "tenant_00001", "tenant_00002", "billing_main"}


def test_junit_failure_lists_every_finding_with_its_fix() -> None:
    root = ET.fromstring(render_junit(sample_result()))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    failure = cases["acme"].find("failure")
    assert failure is not None
    assert failure.get("type") == "drift"
    message = failure.get("message") or ""
    assert message.startswith("5 findings:")
    for category in ("column", "index", "layer", "reference_data", "comment"):
        assert f"1 {category}" in message
    text = failure.text or ""
    for f in _findings("acme"):
        assert f"[{f.category}] {f.problem}: {f.object}" in text
        assert f.detail in text
        for line in f.fix.splitlines():
            assert line in text  # the fix SQL, character for character after parsing
    assert "hazards: deletes_data" in text
    assert cases["billing_eu"].find("failure") is not None
    assert (cases["billing_eu"].find("failure").get("message") or "") == "1 finding: 1 index"  # type: ignore[union-attr]


def test_junit_error_and_special_characters() -> None:
    xml = render_junit(sample_result())
    root = ET.fromstring(xml)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    error = cases["broken"].find("error")
    assert error is not None and cases["broken"].find("failure") is None
    assert error.get("message") == "database 'broken' on db3:5432: connection refused <timeout & retry>"
    assert EVIL in cases and AMP in cases  # names round-trip through the escaping
    assert "<script>" not in xml and "R&D" not in xml  # ... because they were escaped
    assert cases[EVIL].find("failure") is not None
    assert xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_junit_strips_characters_xml_cannot_carry() -> None:
    bad = Finding("table", "different", "public.t", "detail with \x00 and \x1b[31m escape", (), "SELECT 1;")
    result = AuditResult([TargetResult("g", "db\x01", "", "drift", [bad])], ["g"])
    root = ET.fromstring(render_junit(result))
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None and "escape" in (failure.text or "")


def test_junit_all_in_sync_and_empty() -> None:
    result = AuditResult([TargetResult("g", "a", "x"), TargetResult("g", "b", "y")], ["g", "empty"])
    root = ET.fromstring(render_junit(result))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "0", "0")
    assert [s.get("tests") for s in root.iter("testsuite")] == ["2", "0"]


# ------------------------------------------------------------------------------------------------ HTML


class _Collector(HTMLParser):
    """Every tag with its attributes, and the page's visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def _parse(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    c.close()
    return c


def test_html_shows_drifted_databases_and_escaped_fixes() -> None:
    html = render_html(sample_result(), title="nightly <audit> & co")
    page = _parse(html)
    text = "".join(page.text)
    for name in ("acme", EVIL, AMP, "broken", "billing_eu"):
        assert name in text
    for fix in (COLUMN_FIX, LAYER_FIX, REF_FIX, INDEX_FIX):
        assert fix in text
    assert "ALTER TABLE public.users ADD COLUMN email text NOT NULL DEFAULT &#x27;&lt;none&gt;&#x27;;" in html
    assert "nightly &lt;audit&gt; &amp; co" in html
    assert "connection refused &lt;timeout &amp; retry&gt;" in html
    # the only <script> element is the page's own; the evil name is text
    assert html.count("<script") == 1
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "R&amp;D_db" in html and "R&D_db" not in html
    # one drill-down per database that needs attention, each with its own id
    drill = [a for t, a in page.tags if t == "details" and "db" in (a.get("class") or "").split()]
    assert len(drill) == 5
    ids = [a["id"] for _, a in page.tags if a.get("id")]
    assert len(ids) == len(set(ids))
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("href")]
    assert {href for href in links if href} <= {f"#{i}" for i in ids}


def test_html_counters_and_matrix() -> None:
    html = render_html(sample_result())
    page = _parse(html)
    counters = re.findall(r'<div class="counter ([\w-]+)[^"]*"><span class="num">([\d,]+)</span>', html)
    assert dict(counters) == {"c-total": "9", "c-ok": "4", "c-drift": "4", "c-error": "1", "c-find": "9"}
    # tenants matrix: the categories that occur, in the fixed order; in-sync databases are not rows
    heads = re.findall(r"<thead><tr>(.*?)</tr></thead>", html)
    assert len(heads) == 2
    tenants_cols = re.findall(r"<th[^>]*>([^<]*)</th>", heads[0])
    assert tenants_cols == ["database", "status", "column", "index", "comment", "reference data", "layer",
                            "total"]
    assert "tenant_00001" not in "".join(re.findall(r"<tbody>.*?</tbody>", html))
    # ... but listed, collapsed, under a count line
    assert ('<summary>✓ 3 databases in sync</summary><ul class="names"><li>tenant_00000<li>tenant_00001'
            "<li>tenant_00002</ul>") in html
    # severity colours: the layer finding (fix deletes data) is high, the comment low
    assert severity(_findings("x")[2]) == 3 and severity(_findings("x")[4]) == 1
    assert 'class="c s3" title="layer: 1 unexpected"' in html
    assert 'class="c s1" title="comment: 1 different"' in html
    # hazards shown as badges
    assert '<span class="hz hz-deletes_data">deletes_data</span>' in html
    assert not any(t == "details" and "open" in a for t, a in page.tags if "db" in (a.get("class") or ""))


def test_html_is_self_contained() -> None:
    html = render_html(sample_result())
    page = _parse(html)
    for tag, attrs in page.tags:
        for key in ("src", "href", "action", "data", "poster", "srcset"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), (tag, key, value)
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html)
    assert [t for t, a in page.tags if t == "script" and "src" in a] == []
    assert [t for t, a in page.tags if t == "link" and a.get("rel") == "stylesheet"] == []
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_html_all_in_sync() -> None:
    result = AuditResult([TargetResult("g", f"db{i}", "") for i in range(4)], ["g"], seconds=0.5)
    html = render_html(result)
    assert "All 4 databases match their desired schema" in html
    assert "<table" not in html and 'class="db ' not in html
    empty = render_html(AuditResult([], ["g"]))
    assert "No databases were audited" in empty and "No databases in this group" in empty


def test_html_large_fleet_stays_small() -> None:
    """10,000 databases, 50 drifted: in-sync ones cost a line each, the page stays well under 2 MB."""
    results = [TargetResult("tenants", f"tenant_{i:05d}", f"postgresql://app@db{i % 7}:5432/tenant_{i:05d}")
               for i in range(9_950)]
    results += [TargetResult("tenants", f"drifted_{i:02d}", "postgresql://app@db1:5432/x", "drift",
                             _findings(f"drifted_{i:02d}")) for i in range(50)]
    html = render_html(AuditResult(results, ["tenants"]))
    assert len(html.encode()) < 2_000_000
    assert "9,950 databases in sync" in html
    assert html.count("<tr>") == 50 + 2  # drifted rows, header and totals
    assert html.count('<details class="db ') == 50
    assert "tenant_09949" in html


TEMPLATE_SYNTAX = "{{ 7*7 }}{% if true %}yes{% endif %}{# hidden #}<b>bold</b>&\"q\"'a'"
TEMPLATE_SYNTAX_ESCAPED = ("{{ 7*7 }}{% if true %}yes{% endif %}{# hidden #}&lt;b&gt;bold&lt;/b&gt;&amp;&quot;q&quot;"
                           "&#x27;a&#x27;")


def test_html_inlines_the_static_css_and_js() -> None:
    html = render_html(sample_result())
    static = resources.files("trueup.report").joinpath("static")
    css = static.joinpath("report.css").read_text(encoding="utf-8")
    js = static.joinpath("report.js").read_text(encoding="utf-8")
    assert css.startswith(":root{") and "details.db" in css
    assert js.startswith("(function(){") and "copy-all" in js
    assert f"<style>\n{css}</style>" in html  # verbatim: not escaped
    assert f"<script>\n{js}</script>" in html
    assert html.count("<style") == 1 and html.count("<script") == 1


def test_html_shows_template_syntax_and_markup_literally() -> None:
    """Text from databases and findings is data: printed escaped, never evaluated as a template or as HTML."""
    t = TEMPLATE_SYNTAX
    evil = Finding(t, t, t, t, (t,), t)
    result = AuditResult([TargetResult(t, t, t, "drift", [evil]), TargetResult(t, "down", t, "error", error=t),
                          TargetResult(t, "fine", t)], [t])
    html = render_html(result, title=t)
    page = _parse(html)
    text = "".join(page.text)
    assert text.count(t) >= 8  # title, group, name, location, object, detail, fix, hazard, error ...
    assert html.count(TEMPLATE_SYNTAX_ESCAPED) >= 8
    assert "<b>bold</b>" not in html and "{# hidden #}" in html and ">49<" not in html
    assert html.count("<script") == 1


# ------------------------------------------------------------------------------------------------ Chromium


def _chromium() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _chromium_run(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_html_renders_in_headless_chromium(tmp_path: Path) -> None:
    binary = _chromium()
    if binary is None:
        pytest.skip("Chromium not installed (apt-get install chromium)")
    page = tmp_path / "audit.html"
    page.write_text(render_html(sample_result(in_sync=40)), encoding="utf-8")

    dump = _chromium_run(binary, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = dump.stdout
    for name in ("acme", "billing_eu", "broken", "R&amp;D_db", "&lt;script&gt;alert(\"x\")&lt;/script&gt;"):
        assert name in dom
    assert '<html lang="en" class="js">' in dom  # the inline script ran (and nothing was blocked)

    shot = tmp_path / "shot.png"
    run = _chromium_run(binary, tmp_path / "profile2", f"--screenshot={shot}", "--window-size=1280,1600",
                        "--hide-scrollbars", page.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.exists()
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a real page, not a blank canvas
    keep = os.environ.get("TRUEUP_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)
