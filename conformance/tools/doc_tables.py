"""The tables users read, generated from the code that declares them, never copied by hand: the
check catalogue (the registered checks), the profiles (targets/profiles.py), the known Django
defects (expectations.toml) and the documentation coverage summary (judge/coverage.toml). Each is
written between the markers `<!-- name -->` and `<!-- /name -->` of the files that show it.

    python -m conformance.tools.doc_tables          rewrite them
    python -m conformance.tools.doc_tables --check  exit 1 naming each stale one (the tests do this)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..checks import catalogue
from ..config.options import OPTIONS
from ..judge import coverage, expectations
from ..judge.docs import doc_url
from ..targets.profiles import ASYNC, PROFILES

REPO = Path(__file__).resolve().parents[2]
FILES = (REPO / "README.md",)
DOCS_VERSION = "5.2"  # the runner's own Django: the links' version folder
COMMAND = "python -m conformance.tools.doc_tables"


def _label(url: str) -> str:
    """A link's text from its target: the setting, method or section it points at."""
    fragment = url.rsplit("#", 1)[-1] if "#" in url else url.rstrip("/").rsplit("/", 1)[-1]
    if fragment.startswith("session-"):
        return fragment.upper().replace("-", "_")
    if "." in fragment:
        return fragment.rsplit(".", 1)[-1] + "()"
    if "owasp" in url:
        return "OWASP: " + fragment.replace("-", " ").replace("_", " ")
    if "rfc9111" in url:
        return "RFC 9111 " + fragment.replace("section-", "§")
    return fragment.replace("-", " ").capitalize()


def checks_table() -> str:
    rows = ["| id | family | what it checks | documented in |", "|---|---|---|---|"]
    for c in catalogue():
        url = doc_url(c.doc, DOCS_VERSION)
        rows.append(f"| `{c.id}` | {c.family.name} | {c.title.replace('|', '/')} | [{_label(url)}]({url}) |")
    return "\n".join(rows)


def profiles_table() -> str:
    rows = ["| profile | configuration | served by |", "|---|---|---|"]
    for p in PROFILES:
        served = "uvicorn (async views)" if p.session_api == ASYNC else "Django's threaded WSGI server"
        rows.append(f"| `{p.name}` | {p.summary} | {served} |")
    return "\n".join(rows)


def known_table() -> str:
    rows = ["| checks | profiles | Django | the defect |", "|---|---|---|---|"]
    for k in expectations.load(REPO / "conformance" / "expectations.toml"):
        rows.append(f"| `{k.check}` | `{k.profile}` | {', '.join(k.django) or 'all'} | {k.title or k.reason} |")
    return "\n".join(rows)


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
                    f"{o.help.replace('|', '/')} |")
    rows += [f"| {flag} | | | | {meaning} |" for flag, meaning in OTHER_OPTIONS]
    return "\n".join(rows)


REGIONS = {
    "options": options_table,
    "checks": checks_table,
    "profiles": profiles_table,
    "known-defects": known_table,
    "coverage-summary": lambda: coverage.summary(coverage.load()),
}


def rewritten(text: str) -> str:
    """The text with every region it marks regenerated."""
    for name, make in REGIONS.items():
        start, end = f"<!-- {name} -->", f"<!-- /{name} -->"
        if start in text:
            head, rest = text.split(start, 1)
            if end not in rest:
                raise ValueError(f"{start} has no {end}")
            text = f"{head}{start}\n{make()}\n{end}{rest.split(end, 1)[1]}"
    return text


def stale(files=FILES) -> list[str]:
    return [str(f.relative_to(REPO)) for f in files if rewritten(f.read_text()) != f.read_text()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 naming each file whose tables are stale")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        for name in found:
            print(f"{name}: generated tables are stale; run {COMMAND}", file=sys.stderr)
        return 1 if found else 0
    for f in FILES:
        f.write_text(rewritten(f.read_text()))
        print(f"wrote {f.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
