"""The references users read, generated from the code and files that declare them, never copied by
hand: the options (config/options.py), the check catalogue (the registered checks), the profiles
(targets/profiles.py), the known Django defects (expectations.toml), the documentation coverage
summary (judge/coverage.toml), the `conformance` command's usage, the latest `make bench` figures
(bench/results.md), and example files included whole (`<!-- include: PATH -->`: the configs and CI
recipes the tests run). Each is written between the markers `<!-- name -->` and `<!-- /name -->`
(`<!-- include: PATH -->` ... `<!-- /include -->`) of README.md and the documentation site's pages
(docs/; docs/coverage.md is python -m conformance.tools.doc_sentences --render's).

    python -m conformance.tools.doc_tables          rewrite them
    python -m conformance.tools.doc_tables --check  exit 1 naming each stale file (the tests do this)
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import fields
from pathlib import Path

from ..checks import catalogue, families
from ..config.options import OPTIONS
from ..judge import coverage, expectations
from ..judge.docs import doc_url
from ..report.html import doc_label
from ..report.results import SCHEMA_VERSION, Report, Result
from ..targets.profiles import ASYNC, PROFILES

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
OWN_GENERATOR = {DOCS / "coverage.md"}  # written whole by another tool
DOCS_VERSION = "5.2"  # the runner's own Django: the links' version folder
COMMAND = "python -m conformance.tools.doc_tables"
# A region's markers stand at the start of a line (so a page can show them in text).
START = re.compile(r"^<!-- ([a-z][a-z-]*)(?:: ([^ >]+))? -->", re.M)


def files() -> tuple[Path, ...]:
    """README.md and every page of the documentation site but those another tool writes."""
    return (REPO / "README.md", *(p for p in sorted(DOCS.rglob("*.md")) if p not in OWN_GENERATOR))


FILES = files()


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "/")


def checks_table() -> str:
    rows = ["| id | family | what it checks | documented in |", "|---|---|---|---|"]
    for c in catalogue():
        url = doc_url(c.doc, DOCS_VERSION)
        rows.append(f"| [`{c.id}`](#{c.id.lower()}) | {c.family.name} | {_cell(c.title)} | "
                    f"[{doc_label(url)}]({url}) |")
    return "\n".join(rows)


def checks_detail() -> str:
    """Every family, then each of its checks: the behaviour, the quoted sentence and its link, the
    scenario it reads and what it needs from a target."""
    out = []
    for family in families():
        out += [f"### {family.name}", "", family.title, ""]
        for c in (c for c in catalogue() if c.family.name == family.name):
            url = doc_url(c.doc, DOCS_VERSION)
            out += [f"#### {c.id}", "", c.title, ""]
            out += ["> " + line for line in c.quote.splitlines() if line.strip()]
            needs = ", ".join(f"`{n}`" for n in c.needs) or "nothing beyond its configuration"
            out += ["", f"Documented in [{doc_label(url)}]({url}). Scenario `{c.scenario.name}`; "
                        f"needs from the target: {needs}.", ""]
    return "\n".join(out).rstrip()


def _setting(value) -> str:
    return repr(value) if isinstance(value, (str, bool)) else str(value)


def profiles_table() -> str:
    rows = ["| profile | configuration | settings and `set_expiry()` | served by |", "|---|---|---|---|"]
    for p in PROFILES:
        served = "uvicorn (async views)" if p.session_api == ASYNC else "Django's threaded WSGI server"
        settings = [f"`{k}={_setting(v)}`" for k, v in p.session.items()]
        api = "aset_expiry" if p.session_api == ASYNC else "set_expiry"
        settings += [f"`{api}({spec})`" for spec in p.expiry]
        rows.append(f"| `{p.name}` | {_cell(p.summary)} | {'<br>'.join(settings)} | {served} |")
    return "\n".join(rows)


def _known():
    return expectations.load(REPO / "conformance" / "expectations.toml")


def known_table() -> str:
    rows = ["| checks | profiles | on sites with | Django | the defect |", "|---|---|---|---|---|"]
    for k in _known():
        rows.append(f"| `{k.check}` | `{k.profile}` | {_settings(k) or 'any settings'} | {', '.join(k.django) or 'all'} | "
                    f"{_cell(k.title or k.reason)} |")
    return "\n".join(rows)


def _settings(k) -> str:
    return ", ".join(f"`{name} = {_setting(value)}`" for name, value in k.settings)


def known_detail() -> str:
    out = []
    for k in _known():
        browsers = "" if k.browser == "*" else f", browsers `{k.browser}`"
        where = f", on any site with {_settings(k)}" if k.settings else ""
        out += [f"### {k.title or k.check}", "",
                f"Checks `{k.check}`, profiles `{k.profile}`{browsers}{where}; Django {', '.join(k.django) or 'all'}.", "",
                " ".join(k.reason.split()), "", "```python", k.reproduction.strip("\n"), "```", ""]
    return "\n".join(out).rstrip()


# Options other plugins own, shown beside ours.
OTHER_OPTIONS = (
    ("`--browser-channel` (pytest-playwright's)", "e.g. `chrome`, `msedge`"),
    ("`--headed`, `--slowmo` (pytest-playwright's)", "watch it run"),
    ("`-n N` (pytest-xdist's)", "workers, one per browser"),
    ("`--list-checks`", "print the check catalogue and exit"),
    ("`--junitxml PATH` (pytest's)", "JUnit XML; each case carries `verdict`, `expected`, `observed`, `doc` properties"),
)


def options_table() -> str:
    rows = ["| option | environment | ini | default | meaning |", "|---|---|---|---|---|"]
    for o in OPTIONS:
        flag = f"`{o.cli}{' ' + o.metavar if o.metavar else ''}`"
        notes = [n for n in ("repeatable" if o.many else "", "its own plugin's flag" if o.owned_flag else "") if n]
        env = f"`{o.env}`" if o.env else ""
        if env and (o.many or o.make):
            env += f" ({', '.join(n for n in ('comma list' if o.many else '', f'make `{o.make}`' if o.make else '') if n)})"
        ini = f"`{o.ini}`" if o.ini else ""
        rows.append(f"| {flag}{' (' + '; '.join(notes) + ')' if notes else ''} | {env} | {ini} | {o.default} | "
                    f"{_cell(o.help)} |")
    rows += [f"| {flag} | | | | {meaning} |" for flag, meaning in OTHER_OPTIONS]
    return "\n".join(rows)


def usage() -> str:
    """`conformance --help`, read from the command's source (tools come before cli in the flow)."""
    tree = ast.parse((REPO / "conformance" / "cli" / "__init__.py").read_text())
    text = next(ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                and any(getattr(t, "id", "") == "USAGE" for t in node.targets))
    return f"```text\n{text}\n```"


def bench() -> str:
    """The latest `make bench` figures as the tool wrote them, with their date."""
    text = (REPO / "bench" / "results.md").read_text()
    heading = next((line for line in text.splitlines() if line.startswith("# ")), "# make bench")
    when = heading.split(",", 1)[1].strip() if "," in heading else "an unrecorded date"
    block = re.search(r"```\n(.*?)```", text, re.S)
    body = block[1] if block else text
    return (f"Measured by `make bench` on {when}, on this project's development machine (2 cores), "
            f"as `bench/results.md` records it:\n\n```text\n{body.rstrip()}\n```")


def mutants_table() -> str:
    """The deliberately broken sites the project's own tests judge (a clone's: tests are not shipped),
    and the checks each must fail."""
    from ..tests.apparatus.mutants import MUTANTS
    from ..tests.test_mutants import EXPECTED

    rows = ["| mutant | breakage | must fail (in every browser) | may fail as well |", "|---|---|---|---|"]
    for m in MUTANTS:
        must, may = EXPECTED.get(m.name, (set(), set()))
        rows.append(f"| `{m.name}` | {_cell(m.summary)} | {', '.join(sorted(must)) or '—'} | "
                    f"{', '.join(sorted(may)) or '—'} |")
    return "\n".join(rows)


# What each field of the JSON report means. A field the code adds without a line here fails the
# generation (and so the test that keeps the pages current), naming the field to describe.
REPORT_FIELDS = {
    "schema_version": f"integer ({SCHEMA_VERSION} today); `load()` reads older reports and refuses a newer one",
    "results": "every result, one per (check, profile, browser, Django version): the table below",
    "django": "the judged site's Django version (`unknown` without a probe)",
    "target": "what was judged: `mode` (`reference`, `probe` or `black-box`) and `base_url` (null for the "
              "reference site); for a deployment the `settings` it reported (and its `django`), for black-box "
              "mode the `config` file, the `settings` it promised, its URLs and `profiles`; `site`, where the "
              "reference site ran (`name`, `django`, `python`, `runs_in`, `spec`)",
    "started": "ISO 8601 time, UTC, the run began",
    "finished": "ISO 8601 time, UTC, the report was written",
    "duration_s": "seconds from start to the report",
    "settings_sources": "option key → where its value came from: `CLI`, `env NAME`, `ini` or `default`",
    "timings": "how long each phase took (`servers_start_s`, `browsers_launch_s`, `contexts_open_s`, "
               "`timed_scenarios_s`, `restart_scenarios_s`, `reobserve_s`, ...), the longest scenarios, "
               "under `concurrency` every round of re-observation, and `resent_requests`: requests through "
               "Playwright's HTTP client reset before their answer and sent again at once, as a browser does",
    "summary": "`total`; `verdicts` (count per verdict); `known_failures`, `known_not_seen`, "
               "`unexpected_failures`; `browsers`, `profiles`; `errors` (errors grouped by cause); "
               "`families`: what each family adds (e.g. `families[\"browser-close\"]`: when 'the session "
               "ends when the browser closes' holds)",
    "incomplete": "why verdicts are missing (e.g. a crashed xdist worker); empty normally",
    "timelines": "`\"<scenario> <profile> <browser>\"` → the scenario's session on a time axis: `events` "
                 "(each request's `label`, `sent_s`, `received_s`, `replay`, `status`, `cookie_sent`, "
                 "`accepted`, `set_cookie` {`max_age`, `deletes`, `persistent`}) and `deadlines` ({`what`, "
                 "`at_s`}), seconds from the first request; the HTML report draws them",
    "shard": "for one part of a sharded run (`--shard K/N`): `index`, `count`, the whole `run`'s id and the "
             "`targets` it judged; `{}` for a whole run",
}
RESULT_FIELDS = {
    "id": "the check id (`AGE-01`)",
    "profile": "the profile",
    "browser": "`chromium` or `firefox`",
    "django": "the site's Django version; with `id`, `profile` and `browser`, the result's key",
    "verdict": "`pass`, `fail`, `caveat`, `skip` or `error`",
    "family": "the check's family (`cookie-age`, ...)",
    "known": "for a fail that is a known Django defect: the entry's reason (the result is graded `known`)",
    "known_fixed": "for a pass where a known defect was expected: the entry's reason (graded `fixed`)",
    "expected": "what the documentation promises here, in words and numbers",
    "observed": "what was seen",
    "evidence": "per step: `step`, `at_s`, `status`, `set_cookie` (the raw header), `cookie_received` (the "
                "Cookie header the server got), `accepted`, `stored_expiry`, `jar_expires`, and where they "
                "apply `headers`, `visitor`, `page_showed`",
    "note": "the caveat's quote, the skip reason, the error, or a note on a known entry",
    "facts": "key observations, stable from run to run: what version comparisons and baselines compare",
    "title": "the behaviour the check judges, in one sentence",
    "doc": "the link to the documentation, for the site's Django version",
    "quote": "the sentence of the documentation the check verifies",
    "scenario": "the observation it judged (its timeline is `timelines[\"<scenario> <profile> <browser>\"]`)",
    "duration_s": "how long its scenario took",
    "reobserved": "true when its verdict came from an observation made again (the machine was too busy)",
    "nodeid": "pytest's node id",
}


def _schema(names: list[str], described: dict, what: str) -> str:
    missing, gone = [n for n in names if n not in described], [n for n in described if n not in names]
    if missing or gone:
        raise ValueError(f"{what} fields not described: {', '.join(missing) or 'none'}; described but gone: "
                         f"{', '.join(gone) or 'none'} (conformance/tools/doc_tables.py, {what.upper()}_FIELDS)")
    rows = ["| field | meaning |", "|---|---|"]
    return "\n".join(rows + [f"| `{n}` | {described[n]} |" for n in names])


def report_schema() -> str:
    return _schema(["schema_version"] + [f.name for f in fields(Report) if f.name != "schema_version"],
                   REPORT_FIELDS, "report")


def result_schema() -> str:
    return _schema(["id", "profile", "browser", "django"] + [f.name for f in fields(Result) if f.name != "key"],
                   RESULT_FIELDS, "result")


FENCE_LANGUAGE = {".toml": "toml", ".yml": "yaml", ".yaml": "yaml", ".py": "python", ".ini": "ini", ".sh": "sh"}


def include(path: str) -> str:
    """A file of the repository, whole, in a fenced block named after it."""
    source = REPO / path
    if not source.is_file() or REPO not in source.resolve().parents:
        raise ValueError(f"<!-- include: {path} -->: no such file in the repository")
    text = source.read_text().rstrip("\n")
    fence = "````" if "```" in text else "```"
    return f"`{path}`:\n\n{fence}{FENCE_LANGUAGE.get(source.suffix, 'text')}\n{text}\n{fence}"


REGIONS = {
    "options": options_table,
    "checks": checks_table,
    "checks-detail": checks_detail,
    "profiles": profiles_table,
    "known-defects": known_table,
    "known-defects-detail": known_detail,
    "coverage-summary": lambda: coverage.summary(coverage.load()),
    "usage": usage,
    "mutants": mutants_table,
    "report-schema": report_schema,
    "result-schema": result_schema,
    "bench": bench,
    "include": include,
}


def rewritten(text: str) -> str:
    """The text with every region it marks regenerated (a region may appear more than once)."""
    out, pos = [], 0
    while (match := START.search(text, pos)) is not None:
        name, arg = match[1], match[2]
        if name not in REGIONS:
            out.append(text[pos:match.end()])
            pos = match.end()
            continue
        end = f"<!-- /{name} -->"
        stop = re.compile(rf"^{re.escape(end)}", re.M).search(text, match.end())
        if stop is None:
            raise ValueError(f"{match[0]} has no {end}")
        made = REGIONS[name](arg) if name == "include" else REGIONS[name]()
        out.append(f"{text[pos:match.end()]}\n{made}\n{end}")
        pos = stop.end()
    return "".join(out) + text[pos:]


def stale(paths=None) -> list[str]:
    return [str(f.relative_to(REPO)) for f in (paths or files()) if rewritten(f.read_text()) != f.read_text()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 naming each file whose tables are stale")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        for name in found:
            print(f"{name}: generated tables are stale; run {COMMAND}", file=sys.stderr)
        return 1 if found else 0
    for f in files():
        new = rewritten(f.read_text())
        if new != f.read_text():
            f.write_text(new)
            print(f"wrote {f.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
