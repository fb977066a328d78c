"""reports/conformance.html: one self-contained file (no network): the matrix coloured by verdict,
filterable by family, profile, browser and verdict; what failed or erred, first; the results grouped
by family, each family's failures and errors first, each result with its check's behaviour and doc
link beside the verdict, and opening to the quoted doc sentence, the expected and observed values,
the evidence (what the server made of each request: accepted, refused, or no cookie sent) and a
drawing of the session's life (report/svg.py); the differences from a baseline and between Django
versions highlighted."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html import escape
from pathlib import Path

from ..judge.verdict import ORDER
from . import errors, svg
from .results import Report, Result, counts
from .terminal import LEGEND, cell

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1400px}h1{font-size:1.4em}h2{margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
.matrix td.cell{font-family:monospace;text-align:center;cursor:pointer}
.v-pass{background:#e8f5e9}.v-fail{background:#ffcdd2}.v-known{background:#fff3e0}.v-caveat{background:#fff9c4}
.v-skip{background:#f5f5f5;color:#777}.v-error{background:#f8bbd0}.v-fixed{background:#e1f5fe}.v-none{color:#bbb}
.badge{display:inline-block;min-width:4.5em;text-align:center;border-radius:3px;padding:0 4px;font-size:12px}
section.family{margin:1.2em 0}section.family[hidden]{display:none}section.family h3{margin:.2em 0;font-size:1.1em}
.counts{font-weight:normal;font-size:13px;color:#555;margin-left:.6em}.family-title{margin:.1em 0 .5em;color:#555}
details.result{border:1px solid #e0e0e0;margin:3px 0;padding:2px 6px}details.result[hidden]{display:none}
details.result>summary{display:flex;gap:.6em;align-items:baseline;cursor:pointer}
summary .what{color:#555;flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
summary .doclink{white-space:nowrap;font-size:12px}
.body{display:grid;grid-template-columns:minmax(0,3fr) minmax(16em,1fr);gap:1em;margin:.4em 0}
aside.doc{border-left:3px solid #90caf9;padding:.2em .8em;background:#f7fbff;align-self:start}
aside.doc blockquote{margin:.3em 0;font-style:italic;color:#333}aside.doc .said{font-size:12px;color:#666}
details.changed{border:2px solid #ef6c00}.change{color:#ef6c00;font-weight:600}.regression{color:#c62828}
.filters select,.filters input{margin-right:1em}.attention li{margin:2px 0}
.evidence td{font-family:monospace;font-size:12px;overflow-wrap:anywhere}.evidence{width:100%}
.evidence td:first-child,.evidence td:nth-child(2),.evidence td:last-child{white-space:nowrap;overflow-wrap:normal}
.s-accepted{color:#2e7d32}.s-refused{color:#c62828}.s-none{color:#757575}
.timeline-box{overflow-x:auto}.summary li{margin:2px 0}.summary li.sub{margin-left:1.5em}
"""

SCRIPT = """
const TIMELINES = JSON.parse(document.getElementById('timelines').textContent);
function applyFilters() {
  const f = {};
  document.querySelectorAll('.filters select').forEach(s => f[s.name] = s.value);
  const text = document.getElementById('search').value.toLowerCase();
  let shown = 0;
  document.querySelectorAll('details.result').forEach(d => {
    const ok = Object.entries(f).every(([k, v]) => !v || d.dataset[k] === v)
      && (!text || d.textContent.toLowerCase().includes(text));
    d.hidden = !ok; if (ok) shown++;
  });
  document.querySelectorAll('.matrix tr[data-profile]').forEach(tr => {
    tr.hidden = f.profile && tr.dataset.profile !== f.profile;
  });
  document.querySelectorAll('.matrix [data-family]').forEach(c => {
    c.hidden = f.family && c.dataset.family !== f.family;
  });
  document.querySelectorAll('section.family').forEach(s => {
    s.hidden = !s.querySelector('details.result:not([hidden])');
  });
  document.getElementById('shown').textContent = shown;
}
document.querySelectorAll('.filters select, #search').forEach(e => e.addEventListener('input', applyFilters));
document.querySelectorAll('details.result').forEach(d => d.addEventListener('toggle', () => {
  const box = d.querySelector('.timeline-box');
  if (d.open && box && !box.innerHTML && TIMELINES[box.dataset.key]) box.innerHTML = TIMELINES[box.dataset.key];
}));
document.querySelectorAll('.matrix td.cell').forEach(td => td.addEventListener('click', () => {
  document.querySelector('select[name=profile]').value = td.dataset.profile;
  document.querySelector('select[name=family]').value = td.dataset.family;
  applyFilters();
  document.getElementById('results').scrollIntoView();
}));
document.querySelectorAll('a.jump').forEach(a => a.addEventListener('click', () => {
  const d = document.getElementById(a.hash.slice(1));
  if (d) { d.hidden = false; d.closest('section').hidden = false; d.open = true; }
}));
applyFilters();
"""


def doc_label(url: str) -> str:
    """A link's text from its target: the setting, method, section or RFC section it points at."""
    fragment = url.rsplit("#", 1)[-1] if "#" in url else url.rstrip("/").rsplit("/", 1)[-1]
    if "rfc-editor.org" in url:
        return "RFC " + url.split("/rfc")[-1].split("#")[0] + (" §" + fragment.split("-", 1)[-1] if "#" in url else "")
    if "owasp" in url:
        return "OWASP: " + fragment.replace("-", " ").replace("_", " ")
    if fragment.startswith("session-"):
        return fragment.upper().replace("-", "_")
    if "." in fragment:
        return fragment.rsplit(".", 1)[-1] + "()"
    return fragment.replace("-", " ").capitalize()


def write(path: Path, reports: list[Report], diffs: list = (), versions: list = (), families=()) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(reports, diffs, versions, families))


def render(reports: list[Report], diffs=(), versions=(), families=()) -> str:
    names = [f.name for f in families] or sorted({r.family for rep in reports for r in rep.results})
    changed = {(c.key, d.new.django): c for d in diffs for c in d.changes}
    timelines = {f"{rep.django} {k}": svg.draw(t) for rep in reports for k, t in rep.timelines.items()}
    everything = [r for rep in reports for r in rep.results]
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8><title>Session conformance report</title>",
             f"<style>{STYLE}</style></head><body><h1>Django session conformance</h1>", _header(reports),
             _attention(reports), _family_summaries(reports, families)]
    for d in diffs:
        parts.append(_diff(d))
    if len(reports) > 1:
        parts.append(_versions(reports, versions))
    parts.append(_filters(everything, names))
    for report in reports:
        if len(reports) > 1:
            parts.append(f"<h2>Django {escape(report.django)}</h2>")
        parts.append(_matrix(report, names))
    parts.append('<h2 id="results">Results by family (<span id="shown"></span> shown)</h2>')
    parts.append(_results(reports, names, {f.name: f.title for f in families}, changed))
    parts.append(f'<script type="application/json" id="timelines">{_json(timelines)}</script>')
    parts.append(f"<script>{SCRIPT}</script></body></html>")
    return "".join(parts)


# Worst first: what a reader must look at leads each family.
GRADES = ("error", "fail", "fixed", "known", "caveat", "pass", "skip")
ATTENTION = ("error", "fail", "fixed")


def _anchor(django: str, r: Result) -> str:
    return "r-" + "-".join(re.sub(r"[^A-Za-z0-9_.-]", "_", p) for p in (django, r.id, r.profile, r.browser))


def _rank(r: Result) -> int:
    return GRADES.index(r.graded) if r.graded in GRADES else len(GRADES)


def _attention(reports: list[Report]) -> str:
    """What failed or erred (and known defects not seen), each a link to its result."""
    found = sorted(((rep, r) for rep in reports for r in rep.results if r.graded in ATTENTION),
                   key=lambda p: (_rank(p[1]), p[1].family, p[1].id, p[1].profile, p[1].browser))
    if not found:
        return "<h2>What failed or erred</h2><p>Nothing: no check failed or erred.</p>"
    several = len(reports) > 1
    items = [f"<li><span class='badge v-{r.graded}'>{r.graded}</span> <a class=jump href='#{_anchor(rep.django, r)}'>"
             f"{escape(r.id)} · {escape(r.profile)} · {escape(r.browser)}"
             f"{' · Django ' + escape(rep.django) if several else ''}</a> — {escape(r.title)}</li>"
             for rep, r in found]
    return f"<h2>What failed or erred ({len(found)})</h2><ul class=attention>{''.join(items)}</ul>"


def _results(reports: list[Report], names: list[str], titles: dict, changed: dict) -> str:
    """Results grouped by family: families with a failure or an error first, then in report order;
    within each, the worst verdicts first."""
    several = len(reports) > 1
    by: dict[str, list] = defaultdict(list)
    for rep in reports:
        for r in rep.results:
            by[r.family].append((rep, r))
    order = [n for n in names if n in by] + sorted(set(by) - set(names))
    order.sort(key=lambda n: not any(r.graded in ATTENTION for _, r in by[n]))
    out = []
    for name in order:
        rows = sorted(by[name], key=lambda p: (_rank(p[1]), p[1].id, p[1].profile, p[1].browser, p[0].django))
        counted = defaultdict(int)
        for _, r in rows:
            counted[r.graded] += 1
        counts = " · ".join(f"{counted[g]} {g}" for g in GRADES if counted[g])
        out.append(f"<section class=family data-family='{escape(name)}'><h3>{escape(name)}"
                   f"<span class=counts>{escape(counts)}</span></h3>"
                   + (f"<p class=family-title>{escape(titles[name])}</p>" if titles.get(name) else ""))
        for rep, r in rows:
            out.append(_result(r, changed.get((r.key.across_versions(), rep.django)), rep, several))
        out.append("</section>")
    return "".join(out)


def _json(data) -> str:
    return json.dumps(data).replace("</", "<\\/")


def _header(reports: list[Report]) -> str:
    first = reports[0]
    target = first.target or {}
    where = escape(target.get("base_url") or "the reference site (target_site)")
    mode = escape(target.get("mode", "reference"))
    when = f"; started {escape(first.started)}, {first.duration_s} s" if first.started else ""
    rows = [f"<p>Target: {where} ({mode}); Django {escape(', '.join(r.django for r in reports))}{when}.</p>"
            "<ul class=summary>"]
    for report in reports:
        summary = report.summary if report.summary.get("verdicts") else {"verdicts": counts(report.results),
                                                                         **counts(report.results)}
        v = summary["verdicts"]
        rows.append(f"<li>Django {escape(report.django)}: {summary.get('total', len(report.results))} verdicts: "
                    + ", ".join(f"{v.get(k, 0)} {k}" for k in ORDER)
                    + f" ({summary.get('known_failures', 0)} of the fails are known Django defects)</li>")
        # One cause, one line (report/errors.py); reports from before grouping are grouped here.
        for line in errors.lines(report.summary.get("errors") or errors.group(report.results)):
            rows.append(f"<li class=v-error>{escape(line)}</li>")
    return "".join(rows) + f"</ul><p>{escape(LEGEND)}</p>"


def _family_summaries(reports: list[Report], families) -> str:
    """What the families add to the summary ('the session ends when the browser closes', ...), as
    the terminal says it."""
    rows = []
    for report in reports:
        lines = [line for f in families if f.lines and f.name in report.summary.get("families", {})
                 for line in f.lines(report.summary["families"][f.name], list(report.results))]
        if lines:
            head = f"<h2>What the run says{f' (Django {escape(report.django)})' if len(reports) > 1 else ''}</h2>"
            rows.append(head + "<ul class=summary>" + "".join(
                f"<li{' class=sub' if line.startswith('  ') else ''}>{escape(line.strip())}</li>" for line in lines)
                + "</ul>")
    return "".join(rows)


def _diff(d) -> str:
    counts = ", ".join(f"{len(d.of(k))} {k}" for k in ("regression", "fix", "became-skip", "no-longer-skip",
                                                        "verdict", "observation", "new", "gone") if d.of(k))
    rows = [f"<h2>Against the baseline (Django {escape(d.old.django)}, {escape(d.old.started)})</h2>",
            f"<p>{d.compared} results compared: {escape(counts or 'nothing changed')}.</p>"]
    if d.changes:
        rows.append("<table><tr><th>change</th><th>check</th><th>profile</th><th>browser</th><th>before</th>"
                    "<th>now</th><th>key observations</th></tr>")
        for c in d.changes:
            facts = "; ".join(f"{k}: {a} → {b}" for k, (a, b) in c.facts.items())
            rows.append(f"<tr class='{'regression' if c.kind == 'regression' else 'change'}'><td>{c.kind}</td>"
                        + "".join(f"<td>{escape(str(x))}</td>" for x in (*c.key, c.old.graded if c.old else "absent",
                                                                        c.new.graded if c.new else "absent", facts))
                        + "</tr>")
        rows.append("</table>")
    return "".join(rows)


def _versions(reports: list[Report], rows) -> str:
    head = "".join(f"<th>Django {escape(r.django)}</th>" for r in reports)
    if not rows:
        return (f"<h2>Across Django versions</h2><p>No verdict and no key observation differs between Django "
                f"{escape(' and '.join(r.django for r in reports))}.</p>")
    out = [f"<h2>Across Django versions</h2><p>{len(rows)} results differ.</p><table><tr><th>check</th>"
           f"<th>profile</th><th>browser</th>{head}</tr>"]
    for row in rows:
        cells = []
        for c in row.cells:
            if c is None:
                cells.append("<td class=v-none>absent</td>")
                continue
            facts = ", ".join(f"{k}={c.facts.get(k)}" for k in row.facts)
            cells.append(f"<td class='v-{c.graded}'>{c.graded}{escape(' ' + facts if facts else '')}</td>")
        out.append("<tr class=change>" + "".join(f"<td>{escape(x)}</td>" for x in row.key) + "".join(cells) + "</tr>")
    return "".join(out) + "</table>"


def _filters(results: list[Result], names: list[str]) -> str:
    def select(name: str, values) -> str:
        options = "".join(f"<option value='{escape(v)}'>{escape(v)}</option>" for v in values)
        return f"<label>{name} <select name={name}><option value=''>all</option>{options}</select></label>"
    return ("<div class=filters>" + select("family", names) + select("profile", sorted({r.profile for r in results}))
            + select("browser", sorted({r.browser for r in results}))
            + select("verdict", sorted({r.graded for r in results}))
            + "<label>search <input id=search type=search></label></div>")


def _matrix(report: Report, names: list[str]) -> str:
    browsers = sorted({r.browser for r in report.results})
    by = defaultdict(list)
    for r in report.results:
        by[(r.profile, r.family)].append(r)
    out = [f"<table class=matrix><tr><th>profile ({' '.join(browsers)})</th>"
           + "".join(f"<th data-family='{escape(n)}'>{escape(n)}</th>" for n in names) + "</tr>"]
    for profile in sorted({r.profile for r in report.results}):
        out.append(f"<tr data-profile='{escape(profile)}'><th>{escape(profile)}</th>")
        for name in names:
            mine = by[(profile, name)]
            letters = cell(mine, browsers)
            worst = min(mine, key=lambda r: ORDER.index(r.verdict)).graded if mine else "none"
            out.append(f"<td class='cell v-{worst}' data-family='{escape(name)}' data-profile='{escape(profile)}' "
                       f"title='{escape(profile)} · {escape(name)}'>{escape(letters)}</td>")
        out.append("</tr>")
    return "".join(out) + "</table>"


def _server_said(step: dict, sent: dict) -> tuple[str, str]:
    """What the server made of a step, as the drawing says it: a request that carried no session
    cookie was not refused. The timeline knows whether the session cookie went; without one, a
    step whose Cookie header was empty sent none."""
    went = sent.get(step.get("step"))
    if went is None:
        went = bool(step.get("cookie_received"))
    if not went:
        return "no cookie sent", "s-none"
    return ("accepted", "s-accepted") if step.get("accepted") else ("refused", "s-refused")


def _result(r: Result, change, report: Report, several: bool = False) -> str:
    badge = f"<span class='badge v-{r.graded}'>{r.graded}</span>"
    flag = ""
    if change is not None:
        facts = "; ".join(f"{k}: {a} → {b}" for k, (a, b) in change.facts.items())
        flag = f" <span class='change'>{escape(change.kind.upper())}{escape(': ' + facts if facts else '')}</span>"
    link = (f"<a class=doclink href='{escape(r.doc)}' title='{escape(r.quote or r.doc)}'>{escape(doc_label(r.doc))} ↗</a>"
            if r.doc else "")
    where = f"{escape(r.profile)} · {escape(r.browser)}{' · Django ' + escape(report.django) if several else ''}"
    summary = (f"<summary>{badge} <b>{escape(r.id)}</b> <span>{where}</span>{flag}"
               f"<span class=what>{escape(r.title)}</span>{link}</summary>")
    left = []
    if r.expected or r.observed:
        left.append(f"<p>Expected: {escape(r.expected)}<br>Observed: {escape(r.observed)}</p>")
    for label, text in (("Known Django defect", r.known), ("Note", r.note)):
        if text:
            left.append(f"<p>{label}: {escape(text)}</p>")
    if r.facts:
        left.append("<p>Key observations: " + escape(", ".join(f"{k}={v}" for k, v in r.facts.items())) + "</p>")
    timeline = report.timelines.get(f"{r.scenario} {r.profile} {r.browser}") or {}
    sent = {e.get("label"): e.get("cookie_sent") for e in timeline.get("events") or []}
    if r.evidence:
        left.append("<table class=evidence><tr><th>step</th><th>status</th><th>Set-Cookie</th><th>Cookie received"
                    "</th><th>server</th></tr>")
        for e in r.evidence:
            if isinstance(e, dict):
                said, css = _server_said(e, sent)
                left.append("<tr>" + "".join(f"<td>{escape(str(x if x is not None else ''))}</td>" for x in (
                    e.get("step"), e.get("status"), e.get("set_cookie"), e.get("cookie_received")))
                    + f"<td class={css}>{said}</td></tr>")
        left.append("</table>")
    doc = ""
    if r.quote or r.doc:
        quote = f"<blockquote>“{escape(r.quote)}”</blockquote>" if r.quote else ""
        doc = (f"<aside class=doc><div class=said>What the documentation says</div>{quote}"
               + (f"<a href='{escape(r.doc)}'>{escape(doc_label(r.doc))}</a>" if r.doc else "") + "</aside>")
    body = [f"<p><b>{escape(r.title)}</b></p>", f"<div class=body><div>{''.join(left)}</div>{doc}</div>"]
    if r.scenario:
        body.append(f"<div class=timeline-box data-key='{escape(r.key.django)} {escape(r.scenario)} "
                    f"{escape(r.profile)} {escape(r.browser)}'></div>")
    return (f"<details id='{_anchor(report.django, r)}' class='result{' changed' if change else ''}' "
            f"data-family='{escape(r.family)}' data-profile='{escape(r.profile)}' data-browser='{escape(r.browser)}' "
            f"data-verdict='{r.graded}'>{summary}" + "".join(body) + "</details>")
