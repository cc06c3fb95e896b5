"""The audit as one self-contained HTML page.

Built to be read in five seconds and then drilled into: a verdict and big counters at the top, a
fleet matrix per group (databases that need attention x finding categories, coloured by
severity), then every drifted database with its findings and the SQL that fixes them.

The page loads nothing: no fonts, scripts, images or styles from anywhere (a Content Security
Policy forbids it), so it can be mailed, archived as a CI artifact and opened offline. Databases
in sync cost one line of text each, so a fleet of 10,000 stays a reasonable file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from trueup.fleet.findings import CATEGORIES, Finding
from trueup.fleet.results import AuditResult, TargetResult
from trueup.report.junit import groups_in_order

#: severity of a finding: 3 high, 2 medium, 1 low
HIGH_CATEGORIES = frozenset({"table", "column", "constraint", "rls", "policy", "grant", "layer"})
LOW_CATEGORIES = frozenset({"comment"})
HIGH_HAZARDS = frozenset({"deletes_data"})
SEVERITY_NAMES = {1: "low", 2: "medium", 3: "high"}


def severity(f: Finding) -> int:
    """High: structure the application relies on, security, layer mix-ups, or a fix that deletes data."""
    if f.category in HIGH_CATEGORIES or HIGH_HAZARDS.intersection(f.hazards):
        return 3
    return 1 if f.category in LOW_CATEGORIES else 2


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(value: int) -> str:
    return f"{value:,}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{_n(n)} {one if n == 1 else (many or one + 's')}"


def _label(category: str) -> str:
    return category.replace("_", " ")


def _ordered_categories(names: Iterable[str]) -> list[str]:
    present = set(names)
    known = [c for c in CATEGORIES if c in present]
    return known + sorted(present - set(known))


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


_CSS = """
:root{--bg:#f3f5f8;--card:#fff;--ink:#0f172a;--ink2:#334155;--muted:#64748b;--line:#e2e8f0;--line2:#cbd5e1;
--ok:#15803d;--ok-bg:#dcfce7;--ok-bar:#22c55e;--drift:#b45309;--drift-bg:#fef3c7;--drift-bar:#f59e0b;
--err:#b91c1c;--err-bg:#fee2e2;--err-bar:#ef4444;--find:#4338ca;--find-bg:#e0e7ff;--s1:#713f12;
--s1-bg:#fef3c7;--s2:#7c2d12;--s2-bg:#fdba74;--s3:#fff;--s3-bg:#dc2626;
--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;
color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif}
.wrap{max-width:1240px;margin:0 auto;padding:0 28px}
a{color:#1d4ed8;text-decoration:none}
a:hover{text-decoration:underline}
code,pre,.mono{font-family:var(--mono);font-size:13px}
.top{background:#0f172a;color:#e2e8f0;padding:26px 0 22px}
.top h1{margin:0;font-size:24px;font-weight:700;color:#fff;letter-spacing:-.01em}
.top .sub{margin:4px 0 0;color:#94a3b8;font-size:14px}
.brand{display:inline-block;font:600 11px/1 var(--mono);letter-spacing:.12em;text-transform:uppercase;
color:#94a3b8;border:1px solid #334155;border-radius:4px;padding:4px 6px;margin-bottom:10px}
.verdict{margin:22px 0 0;padding:14px 18px;border-radius:10px;font-size:18px;font-weight:650;display:flex;
align-items:center;gap:12px}
.verdict .icon{display:inline-grid;place-items:center;width:30px;height:30px;border-radius:50%;
font-size:17px;color:#fff;flex:none}
.v-ok{background:var(--ok-bg);color:#14532d}
.v-ok .icon{background:var(--ok)}
.v-drift{background:var(--drift-bg);color:#78350f}
.v-drift .icon{background:#d97706}
.v-error{background:var(--err-bg);color:#7f1d1d}
.v-error .icon{background:var(--err)}
.v-none{background:#e2e8f0;color:var(--ink2)}
.v-none .icon{background:var(--muted)}
.counters{display:grid;grid-template-columns:repeat(5,minmax(0,1fr));gap:14px;margin:22px 0 14px}
.counter{background:var(--card);border:1px solid var(--line);border-top:5px solid var(--c);
border-radius:10px;padding:14px 18px 12px;box-shadow:0 1px 2px rgba(15,23,42,.05)}
.counter .num{display:block;font-size:40px;line-height:1.1;font-weight:750;color:var(--c);
font-variant-numeric:tabular-nums;letter-spacing:-.02em}
.counter .label{display:block;margin-top:4px;font-size:12px;font-weight:650;text-transform:uppercase;
letter-spacing:.07em;color:var(--muted)}
.counter .pct{font-weight:500;text-transform:none;letter-spacing:0;color:var(--muted)}
.c-total{--c:#1e293b}
.c-ok{--c:var(--ok)}
.c-drift{--c:var(--drift)}
.c-error{--c:var(--err)}
.c-find{--c:var(--find)}
.counter.zero{--c:#94a3b8}
.bar{display:flex;height:12px;border-radius:6px;overflow:hidden;background:var(--line);gap:2px}
.bar span{min-width:5px}
.bar .b-ok{background:var(--ok-bar)}
.bar .b-drift{background:var(--drift-bar)}
.bar .b-error{background:var(--err-bar)}
.bar.small{height:8px;width:220px;flex:none}
.facts{display:flex;flex-wrap:wrap;gap:8px 22px;margin:16px 0 0;color:var(--ink2);font-size:14px;
align-items:center}
.facts .k{color:var(--muted);font-weight:600;margin-right:4px}
.chip{display:inline-flex;align-items:center;gap:6px;border-radius:999px;padding:2px 10px;font-size:13px;
font-weight:600;background:#f1f5f9;color:var(--ink2);border:1px solid var(--line);white-space:nowrap}
.chip b{font-variant-numeric:tabular-nums}
.chip.s1{background:#fefce8;color:#713f12;border-color:#fde68a}
.chip.s2{background:#ffedd5;color:#9a3412;border-color:#fdba74}
.chip.s3{background:#fee2e2;color:#991b1b;border-color:#fca5a5}
h2{font-size:19px;margin:38px 0 12px;letter-spacing:-.01em;display:flex;align-items:center;gap:14px;
flex-wrap:wrap}
h2 .aside{font-size:13px;font-weight:500;color:var(--muted)}
.tools{margin-left:auto;display:flex;gap:8px;align-items:center}
.legend{display:flex;gap:14px;align-items:center;font-size:12.5px;color:var(--muted);font-weight:500}
.legend i{display:inline-block;width:14px;height:14px;border-radius:4px;vertical-align:-2px;
margin-right:5px;box-shadow:inset 0 0 0 1px rgba(15,23,42,.12)}
.card{background:var(--card);border:1px solid var(--line);border-radius:12px;
box-shadow:0 1px 2px rgba(15,23,42,.05);margin:0 0 18px;overflow:hidden}
.ghead{display:flex;align-items:center;gap:16px;padding:14px 18px;border-bottom:1px solid var(--line);
flex-wrap:wrap}
.ghead h3{margin:0;font-size:17px}
.ghead .stats{color:var(--muted);font-size:13.5px;display:flex;gap:14px;flex-wrap:wrap}
.ghead .stats b{color:var(--ink2)}
.st-ok{color:var(--ok)!important}
.st-drift{color:var(--drift)!important}
.st-error{color:var(--err)!important}
.mwrap{max-height:72vh;overflow:auto}
table.matrix{border-collapse:separate;border-spacing:0;width:100%;font-size:14px}
.matrix th,.matrix td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:center;
white-space:nowrap}
.matrix thead th{position:sticky;top:0;z-index:1;background:#f8fafc;font-size:11.5px;font-weight:700;
text-transform:uppercase;letter-spacing:.05em;color:var(--muted);border-bottom:1px solid var(--line2)}
.matrix th.db,.matrix td.db{text-align:left;width:28%;min-width:180px;max-width:420px;overflow:hidden;
text-overflow:ellipsis}
.matrix td.db a{font-family:var(--mono);font-size:13.5px;color:var(--ink);font-weight:600}
.matrix td.db a:hover{color:#1d4ed8}
.matrix tbody tr:hover td{background:#f8fafc}
.matrix td.c{font-weight:700;font-variant-numeric:tabular-nums;min-width:56px}
.matrix td.c span{display:inline-block;min-width:30px;padding:2px 8px;border-radius:6px}
.matrix td.z{color:#cbd5e1}
.matrix .s1 span{background:var(--s1-bg);color:var(--s1)}
.matrix .s2 span{background:var(--s2-bg);color:var(--s2)}
.matrix .s3 span{background:var(--s3-bg);color:var(--s3)}
.matrix td.tot{font-weight:700;color:var(--ink2);font-variant-numeric:tabular-nums}
.matrix td.errmsg{text-align:left;color:var(--err);white-space:normal;font-size:13px}
.matrix tfoot td{background:#f8fafc;font-weight:700;color:var(--ink2);border-bottom:0;position:sticky;
bottom:0;border-top:1px solid var(--line2)}
.pill{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:700;
white-space:nowrap}
.p-drift{background:var(--drift-bg);color:#92400e}
.p-error{background:var(--err-bg);color:#991b1b}
.p-ok{background:var(--ok-bg);color:#166534}
.empty{padding:14px 18px;color:var(--muted);background:#f8fafc;font-weight:600}
details.insync{border-top:1px solid var(--line)}
details.insync>summary{padding:11px 18px;cursor:pointer;color:#166534;font-weight:600;font-size:14px;
background:#f0fdf4;list-style:none;display:flex;align-items:center;gap:8px}
details.insync>summary::-webkit-details-marker{display:none}
details.insync>summary:hover{background:#dcfce7}
.names{list-style:none;margin:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));
gap:2px 24px;padding:12px 18px 16px;font-family:var(--mono);font-size:12.5px;color:var(--ink2);
max-height:50vh;overflow:auto;line-height:1.6}
.names li{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.filter{font:inherit;font-size:14px;padding:6px 12px;border:1px solid var(--line2);border-radius:8px;
width:260px;background:#fff;color:var(--ink)}
.filter:focus{outline:2px solid #93c5fd;border-color:#60a5fa}
.btn{font:inherit;font-size:13px;font-weight:600;padding:5px 12px;border-radius:7px;
border:1px solid var(--line2);background:#fff;color:var(--ink2);cursor:pointer}
.btn:hover{background:#f1f5f9;border-color:#94a3b8}
.needs-js{display:none!important}
.js .needs-js{display:inline-flex!important}
details.db{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--drift-bar);
border-radius:10px;margin:0 0 10px;box-shadow:0 1px 2px rgba(15,23,42,.05);scroll-margin-top:12px}
details.db.error{border-left-color:var(--err-bar)}
details.db>summary{display:flex;align-items:center;gap:10px;padding:11px 16px;cursor:pointer;flex-wrap:wrap;
list-style:none}
details.db>summary::-webkit-details-marker{display:none}
details.db>summary::before,details.insync>summary::before{content:"";width:7px;height:7px;
border-right:2px solid currentColor;border-bottom:2px solid currentColor;transform:rotate(-45deg);
transition:transform .12s;margin-right:4px;flex:none;opacity:.6}
details.db[open]>summary::before,details.insync[open]>summary::before{transform:rotate(45deg)}
details.db>summary:hover{background:#f8fafc;border-radius:0 10px 10px 0}
.dbname{font-family:var(--mono);font-weight:700;font-size:14.5px}
.where{color:var(--muted);font-size:12.5px;font-family:var(--mono);overflow:hidden;text-overflow:ellipsis;
max-width:420px;white-space:nowrap}
.grow{flex:1}
.cats{display:flex;gap:6px;flex-wrap:wrap;align-items:center}
.cats .chip{font-size:12px;padding:1px 8px}
.dbbody{padding:4px 16px 16px;border-top:1px solid var(--line)}
.dbtools{display:flex;justify-content:flex-end;padding:10px 0 2px}
.errbox{margin:12px 0 0;padding:12px 14px;border-radius:8px;background:var(--err-bg);color:#7f1d1d;
font-family:var(--mono);font-size:13px;white-space:pre-wrap;word-break:break-word}
ol.findings{list-style:none;margin:8px 0 0;padding:0}
.finding{border:1px solid var(--line);border-left:4px solid var(--fc);border-radius:8px;
padding:11px 14px 12px;margin:10px 0 0;--fc:#f59e0b}
.finding.s1{--fc:#facc15}
.finding.s2{--fc:#fb923c}
.finding.s3{--fc:#dc2626}
.fhead{display:flex;align-items:center;gap:8px;flex-wrap:wrap}
.badge{display:inline-block;border-radius:5px;padding:1px 7px;font-size:11.5px;font-weight:700;
letter-spacing:.03em;text-transform:uppercase;white-space:nowrap}
.b-cat{background:#e0e7ff;color:#3730a3}
.b-missing{background:#fee2e2;color:#991b1b}
.b-unexpected{background:#f3e8ff;color:#6b21a8}
.b-different{background:#fef3c7;color:#92400e}
.b-sev{background:#f1f5f9;color:var(--muted)}
.b-sev.s3{background:#dc2626;color:#fff}
.b-sev.s2{background:#ffedd5;color:#9a3412}
.b-sev.s1{background:#fef9c3;color:#713f12}
.obj{font-weight:700;color:var(--ink);word-break:break-all}
.detail{margin:6px 0 0;color:var(--ink2);font-size:14px;word-break:break-word}
.hazards{display:flex;gap:6px;flex-wrap:wrap;margin:8px 0 0;align-items:center}
.hazards .k{font-size:12px;color:var(--muted);font-weight:600}
.hz{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:700;
font-family:var(--mono);background:#ffedd5;color:#9a3412;border:1px solid #fdba74}
.hz.hz-deletes_data{background:#dc2626;color:#fff;border-color:#b91c1c}
.fix{position:relative;margin:10px 0 0}
.fix pre{margin:0;background:#0f172a;color:#e2e8f0;border-radius:8px;padding:12px 14px;overflow:auto;
line-height:1.55;max-height:420px;white-space:pre}
.fix .btn{position:absolute;top:7px;right:7px;font-size:12px;padding:2px 9px;background:#1e293b;
color:#cbd5e1;border-color:#334155}
.fix .btn:hover{background:#334155;color:#fff}
.nofix{margin:8px 0 0;color:var(--muted);font-size:13px;font-style:italic}
.gsub{font-size:14px;color:var(--muted);margin:22px 0 8px;text-transform:uppercase;letter-spacing:.07em}
footer{color:var(--muted);font-size:12.5px;padding:26px 0 40px;text-align:center}
@media (max-width:860px){.counters{grid-template-columns:repeat(2,minmax(0,1fr))}.counter .num{
font-size:32px}}
@media print{.tools,.btn,.filter{display:none!important}body{background:#fff}}
"""

_SCRIPT = """
(function(){
var d=document;d.documentElement.classList.add('js');
function openHash(){var id=decodeURIComponent(location.hash.slice(1));var el=id&&d.getElementById(id);
if(el&&el.tagName==='DETAILS'){el.open=true;}}
window.addEventListener('hashchange',openHash);openHash();
function copy(text,b){function done(){var t=b.textContent;b.textContent='Copied';
setTimeout(function(){b.textContent=t;},1200);}
function fallback(){var a=d.createElement('textarea');a.value=text;d.body.appendChild(a);a.select();
try{d.execCommand('copy');done();}catch(e){}a.remove();}
if(navigator.clipboard){navigator.clipboard.writeText(text).then(done,fallback);}else{fallback();}}
d.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('button[data-act]');
if(!b)return;var act=b.getAttribute('data-act');
if(act==='copy'){copy(b.parentNode.querySelector('pre').textContent,b);}
else if(act==='copy-all'){var p=[].map.call(b.closest('details').querySelectorAll('pre'),
function(x){return x.textContent;});copy(p.join('\\n\\n')+'\\n',b);}
else{d.querySelectorAll('details.db').forEach(function(x){x.open=act==='expand';});}});
var f=d.getElementById('filter');
if(f){f.addEventListener('input',function(){var q=f.value.trim().toLowerCase();
d.querySelectorAll('table.matrix tbody tr').forEach(function(r){
r.hidden=!!q&&r.cells[0].textContent.toLowerCase().indexOf(q)<0;});
d.querySelectorAll('details.db').forEach(function(x){
x.hidden=!!q&&x.querySelector('.dbname').textContent.toLowerCase().indexOf(q)<0;});});}
})();
"""

_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'")


def _bar(ok: int, drift: int, error: int, extra: str = "") -> str:
    segments = (("ok", ok, "in sync"), ("drift", drift, "drifted"), ("error", error, "with errors"))
    parts = "".join(f'<span class="b-{cls}" style="flex-grow:{n}" title="{_plural(n, "database")} {what}">'
                    "</span>" for cls, n, what in segments if n)
    label = f"{ok} in sync, {drift} drifted, {error} with errors"
    return f'<div class="bar{extra}" role="img" aria-label="{label}">{parts}</div>'


def _verdict(total: int, drift: int, error: int, findings: int) -> str:
    if total == 0:
        cls, icon, text = "v-none", "&#8211;", "No databases were audited"
    elif error:
        cls, icon = "v-error", "✕"
        text = f"{_plural(error, 'database')} could not be audited"
        if drift:
            text += f", {_n(drift)} drifted ({_plural(findings, 'finding')})"
    elif drift:
        cls, icon = "v-drift", "!"
        text = f"{_n(drift)} of {_plural(total, 'database')} drifted: {_plural(findings, 'finding')} to fix"
    else:
        cls, icon = "v-ok", "✓"
        text = ("The database matches its desired schema" if total == 1
                else f"All {_n(total)} databases match their desired schema")
    return f'<div class="verdict {cls}"><span class="icon">{icon}</span><span>{_e(text)}</span></div>'


def _counter(cls: str, value: int, label: str, pct: str = "", zero_muted: bool = False) -> str:
    zero = " zero" if zero_muted and value == 0 else ""
    pct_html = f' <span class="pct">{_e(pct)}</span>' if pct else ""
    return (f'<div class="counter {cls}{zero}"><span class="num">{_n(value)}</span>'
            f'<span class="label">{_e(label)}{pct_html}</span></div>')


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


def _category_chips(findings: list[Finding], *, counts_first: bool = False) -> str:
    per_cat: dict[str, list[Finding]] = {}
    for f in findings:
        per_cat.setdefault(f.category, []).append(f)
    out = []
    for cat in _ordered_categories(per_cat):
        fs = per_cat[cat]
        sev = max(severity(f) for f in fs)
        count, label = f"<b>{_n(len(fs))}</b>", _e(_label(cat))
        body = f"{count} {label}" if counts_first else f"{label} {count}"
        out.append(f'<span class="chip s{sev}">{body}</span>')
    return "".join(out)


def _matrix_row(r: TargetResult, anchor: str, cats: list[str]) -> str:
    name = f'<td class="db"><a href="#{anchor}" title="{_e(r.name)}">{_e(r.name)}</a></td>'
    if r.status == "error":
        status = '<td><span class="pill p-error">error</span></td>'
        message = r.error or "could not be audited"
        short = message if len(message) <= 160 else message[:157] + "..."
        return (f"<tr>{name}{status}<td class=\"errmsg\" colspan=\"{len(cats) + 1}\" title=\"{_e(message)}\">"
                f"{_e(short)}</td></tr>")
    per_cat: dict[str, list[Finding]] = {}
    for f in r.findings:
        per_cat.setdefault(f.category, []).append(f)
    cells = []
    for cat in cats:
        fs = per_cat.get(cat)
        if not fs:
            cells.append('<td class="z">·</td>')
            continue
        sev = max(severity(f) for f in fs)
        problems = Counter(f.problem for f in fs)
        tip = f"{_label(cat)}: " + ", ".join(f"{n} {p}" for p, n in sorted(problems.items()))
        cells.append(f'<td class="c s{sev}" title="{_e(tip)}"><span>{_n(len(fs))}</span></td>')
    status = '<td><span class="pill p-drift">drift</span></td>'
    return f'<tr>{name}{status}{"".join(cells)}<td class="tot">{_n(len(r.findings))}</td></tr>'


def _group_section(g: _Group, anchors: dict[int, str]) -> str:
    ok, drift, error = g.count("in_sync"), g.count("drift"), g.count("error")
    findings = sum(len(r.findings) for r in g.members)
    stats = [f"<span><b>{_plural(len(g.members), 'database')}</b></span>",
             f'<span class="st-ok"><b>{_n(ok)}</b> in sync</span>' if ok else "",
             f'<span class="st-drift"><b>{_n(drift)}</b> drifted</span>' if drift else "",
             f'<span class="st-error"><b>{_n(error)}</b> with errors</span>' if error else "",
             f"<span><b>{_plural(findings, 'finding')}</b></span>" if findings else ""]
    out = [f'<section class="card group"><div class="ghead"><h3>{_e(g.name)}</h3>'
           f'<div class="stats">{"".join(s for s in stats if s)}</div><span class="grow"></span>'
           f'{_bar(ok, drift, error, " small")}</div>']
    attention = g.attention
    if attention:
        cats = _ordered_categories(f.category for r in attention for f in r.findings)
        head = "".join(f'<th title="{_e(c)}">{_e(_label(c))}</th>' for c in cats)
        out.append('<div class="mwrap"><table class="matrix"><thead><tr><th class="db">database</th>'
                   f"<th>status</th>{head}<th>total</th></tr></thead><tbody>")
        out.extend(_matrix_row(r, anchors[id(r)], cats) for r in attention)
        out.append("</tbody>")
        if len(attention) > 1 and cats:
            totals = Counter(f.category for r in attention for f in r.findings)
            foot = "".join(f"<td>{_n(totals[c])}</td>" for c in cats)
            out.append(f'<tfoot><tr><td class="db">all {_n(len(attention))}</td><td></td>{foot}'
                       f'<td class="tot">{_n(findings)}</td></tr></tfoot>')
        out.append("</table></div>")
    elif not g.members:
        out.append('<div class="empty">No databases in this group</div>')
    in_sync = g.in_sync
    if in_sync:
        # one light <li> per database (its end tag is optional): 10,000 of them stay small
        names = "".join(f"<li>{_e(r.name)}" for r in in_sync)
        label = _plural(len(in_sync), "database") + " in sync"
        if not attention:
            label = "The database is in sync" if len(in_sync) == 1 else f"All {label}"
        out.append(f'<details class="insync"><summary>✓ {label}</summary>'
                   f'<ul class="names">{names}</ul></details>')
    out.append("</section>")
    return "".join(out)


def _finding(f: Finding) -> str:
    sev = severity(f)
    out = [f'<li class="finding s{sev}"><div class="fhead">'
           f'<span class="badge b-cat">{_e(_label(f.category))}</span>'
           f'<span class="badge b-{_e(f.problem)}">{_e(f.problem)}</span>'
           f'<code class="obj">{_e(f.object)}</code><span class="grow"></span>'
           f'<span class="badge b-sev s{sev}">{SEVERITY_NAMES[sev]}</span></div>'
           f'<p class="detail">{_e(f.detail)}</p>']
    if f.hazards:
        badges = "".join(f'<span class="hz hz-{_e(h)}">{_e(h)}</span>' for h in f.hazards)
        out.append(f'<div class="hazards"><span class="k">hazards</span>{badges}</div>')
    if f.fix.strip():
        out.append(f'<div class="fix"><pre><code>{_e(f.fix.strip())}</code></pre>'
                   '<button type="button" class="btn needs-js" data-act="copy">Copy</button></div>')
    else:
        out.append('<p class="nofix">no automatic fix</p>')
    out.append("</li>")
    return "".join(out)


def _database(r: TargetResult, anchor: str, is_open: bool) -> str:
    kind = "error" if r.status == "error" else "drift"
    where = f'<span class="where" title="{_e(r.location)}">{_e(r.group)} · {_e(r.location)}</span>' \
        if r.location else f'<span class="where">{_e(r.group)}</span>'
    if kind == "error":
        tail = '<span class="pill p-error">could not be audited</span>'
    else:
        tail = f'<span class="cats">{_category_chips(r.findings, counts_first=True)}</span>'
    out = [f'<details class="db {kind}" id="{anchor}"{" open" if is_open else ""}><summary>'
           f'<span class="pill p-{kind}">{kind}</span><span class="dbname">{_e(r.name)}</span>{where}'
           f'<span class="grow"></span>{tail}</summary><div class="dbbody">']
    if kind == "error":
        out.append(f'<div class="errbox">{_e(r.error or "the database could not be audited")}</div>')
    if r.findings:
        if any(f.fix.strip() for f in r.findings):
            out.append('<div class="dbtools"><button type="button" class="btn needs-js" data-act="copy-all">'
                       f"Copy all fixes ({_plural(len(r.findings), 'finding')})</button></div>")
        out.append('<ol class="findings">' + "".join(_finding(f) for f in r.findings) + "</ol>")
    out.append("</div></details>")
    return "".join(out)


def render_html(result: AuditResult, title: str = "trueup audit") -> str:
    """The whole report as one HTML document (no external resources)."""
    groups = {name: _Group(name) for name in groups_in_order(result)}
    for r in result.results:
        groups[r.group].members.append(r)
    total = len(result.results)
    ok = sum(1 for r in result.results if r.status == "in_sync")
    drift = sum(1 for r in result.results if r.status == "drift")
    error = sum(1 for r in result.results if r.status == "error")
    all_findings = [f for r in result.results for f in r.findings]
    attention = [(g, r) for g in groups.values() for r in g.attention]
    anchors = {id(r): f"db-{i}" for i, (_, r) in enumerate(attention, 1)}

    sub = (f"{_plural(total, 'database')} in {_plural(len(groups), 'group')}"
           + (f" · audited in {result.seconds:.1f} s" if result.seconds else ""))
    body = [f'<header class="top"><div class="wrap"><span class="brand">trueup</span><h1>{_e(title)}</h1>'
            f'<p class="sub">{_e(sub)}</p>{_verdict(total, drift, error, len(all_findings))}</div></header>',
            '<main class="wrap"><section class="counters">',
            _counter("c-total", total, "databases"),
            _counter("c-ok", ok, "in sync", _percent(ok, total), zero_muted=True),
            _counter("c-drift", drift, "drift", _percent(drift, total), zero_muted=True),
            _counter("c-error", error, "error", _percent(error, total), zero_muted=True),
            _counter("c-find", len(all_findings), "findings", zero_muted=True),
            "</section>", _bar(ok, drift, error)]
    facts = []
    if all_findings:
        facts.append(f'<span class="k">by category</span>{_category_chips(all_findings)}')
        hazards = Counter(h for f in all_findings for h in f.hazards)
        if hazards:
            chips = "".join(f'<span class="hz hz-{_e(h)}">{_e(h)} {_n(n)}</span>'
                            for h, n in sorted(hazards.items(), key=lambda kv: (-kv[1], kv[0])))
            facts.append(f'<span class="k">fixes with hazards</span>{chips}')
    if facts:
        items = "".join(f'<span class="cats">{f}</span>' for f in facts)
        body.append(f'<div class="facts">{items}</div>')

    legend = ('<span class="legend"><span><i style="background:var(--s3-bg)"></i>high</span>'
              '<span><i style="background:var(--s2-bg)"></i>medium</span>'
              '<span><i style="background:var(--s1-bg)"></i>low</span></span>')
    filter_box = ('<input id="filter" class="filter needs-js" type="search" '
                  'placeholder="Filter databases by name" aria-label="Filter databases by name">'
                  if attention else "")
    body.append('<h2>Fleet overview <span class="aside">databases that need attention &times; finding '
                f'categories</span><span class="tools">{legend if attention else ""}{filter_box}</span></h2>')
    body.extend(_group_section(g, anchors) for g in groups.values())

    if attention:
        expand = len(attention) <= 3
        body.append(f'<h2>Details <span class="aside">{_plural(len(attention), "database")} to look at</span>'
                    '<span class="tools">'
                    '<button type="button" class="btn needs-js" data-act="expand">Expand all</button>'
                    '<button type="button" class="btn needs-js" data-act="collapse">Collapse all</button>'
                    "</span></h2>")
        current = None
        for g, r in attention:
            if len(groups) > 1 and g.name != current:
                current = g.name
                body.append(f'<h3 class="gsub">{_e(g.name)}</h3>')
            body.append(_database(r, anchors[id(r)], expand))
    body.append("</main>")
    severity_note = ("Severity — high: tables, columns, constraints, row security, policies, grants, layer "
                     "mix-ups, or a fix that deletes data; low: comments; medium: everything else.")
    body.append(f'<footer class="wrap">{_e(severity_note)}<br>Generated by trueup. Self-contained: this page '
                "loads nothing from the network.</footer>")

    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
            '<meta name="color-scheme" content="light">'
            f'<title>{_e(title)}</title><link rel="icon" href="data:,">'
            f"<style>{_CSS}</style></head>\n<body>\n" + "\n".join(body)
            + f"\n<script>{_SCRIPT}</script>\n</body></html>\n")
