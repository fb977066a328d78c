"""`python -m conformance.tools.doc_sentences VERSION [--sdist PATH] [--check conformance/judge/coverage.toml]`:
the sentences of Django's sessions topic guide (docs/topics/http/sessions.txt) and of the SESSION_*
entries of the settings reference (docs/ref/settings.txt), as plain text, read from Django's sdist
(--sdist, else `pip download`ed into .sites/docs/). Printed one a line (doc | section | block |
text); with --check, the sentences missing from the coverage data and the entries the data has that
this release lacks are listed (missing ones as TOML stubs to paste) and the exit code is 1: that is
how the data is refreshed for a new Django release.

`python -m conformance.tools.doc_sentences --render` writes docs/coverage.md and the README's
summary line from the data (conformance/judge/coverage.py).

How reStructuredText becomes sentences: conformance/tools/rst_sentences.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

from .rst_sentences import Sentence, labels_of, sentences_of

REPO = Path(__file__).resolve().parents[2]
DOWNLOADS = REPO / ".sites" / "docs"
DOCS = {"topics/http/sessions": "docs/topics/http/sessions.txt", "ref/settings": "docs/ref/settings.txt"}


def read_sdist(path: Path) -> dict[str, str]:
    """doc -> its text, read from a Django sdist (.tar.gz)."""
    found = {}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            for doc, inner in DOCS.items():
                if member.name.split("/", 1)[-1] == inner:
                    found[doc] = tar.extractfile(member).read().decode()
    missing = [inner for doc, inner in DOCS.items() if doc not in found]
    if missing:
        raise SystemExit(f"{path}: no {', '.join(missing)} inside; is it a Django sdist?")
    return found


def download(version: str) -> Path:
    """Django's sdist for version, fetched once with pip into .sites/docs/."""
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    have = sorted(DOWNLOADS.glob(f"[dD]jango-{version}.tar.gz"))
    if have:
        return have[0]
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", f"django=={version}",
           "-d", str(DOWNLOADS)]
    if int(version.split(".")[0]) >= 6:  # Django 6 needs Python 3.12+; the runner may be older
        cmd += ["--python-version", "3.13", "--only-binary=:none:"]
    subprocess.run(cmd, check=True)
    have = sorted(DOWNLOADS.glob(f"[dD]jango-{version}.tar.gz"))
    if not have:
        raise SystemExit(f"pip download gave no django-{version}.tar.gz in {DOWNLOADS}")
    return have[0]


def extract(texts: dict[str, str]) -> list[Sentence]:
    labels = labels_of(*texts.values())
    return [s for doc in DOCS for s in sentences_of(doc, texts[doc], labels)]


# --- comparing with the data --------------------------------------------------------------------

def toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def stub(s: Sentence) -> str:
    lines = ["[[sentence]]", f"doc = {toml_string(s.doc)}", f"section = {toml_string(s.section)}"]
    if s.block:
        lines.append(f"block = {toml_string(s.block)}")
    lines += [f"text = {toml_string(s.text)}", 'kind = "TODO"', 'reason = "TODO"']
    return "\n".join(lines)


def compare(found: list[Sentence], version: str, data_path: Path) -> tuple[list[Sentence], list[Sentence]]:
    """(missing from the data, in the data for this version but not in the docs)."""
    from ..judge.coverage import load

    expected = [Sentence(e.doc, e.section, e.text, e.block) for e in load(data_path).for_version(version)]
    have, want = Counter(s.key for s in expected), Counter(s.key for s in found)
    missing = [s for s in found if (want - have)[s.key]]
    extra = [s for s in expected if (have - want)[s.key]]
    return missing, extra


def render_files() -> list[Path]:
    """Write docs/coverage.md and the README's coverage summary from the data."""
    from ..judge import coverage

    cov = coverage.load()
    table, readme = REPO / "docs" / "coverage.md", REPO / "README.md"
    table.parent.mkdir(exist_ok=True)
    table.write_text(coverage.render_markdown(cov))
    readme.write_text(coverage.with_summary(readme.read_text(), cov))
    return [table, readme]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m conformance.tools.doc_sentences",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("version", nargs="?", help="Django release, e.g. 5.2.19")
    parser.add_argument("--sdist", type=Path, help="Django's sdist (.tar.gz); default: pip download into .sites/docs/")
    parser.add_argument("--check", type=Path, metavar="COVERAGE_TOML",
                        help="list sentences missing from / extra in the data")
    parser.add_argument("--render", action="store_true",
                        help="write docs/coverage.md and the README summary from the data")
    args = parser.parse_args(argv)
    if args.render:
        for path in render_files():
            print(f"wrote {path.relative_to(REPO)}")
        return 0
    if not args.version:
        parser.error("give a Django VERSION (e.g. 5.2.19), or --render")
    found = extract(read_sdist(args.sdist or download(args.version)))
    if not args.check:
        for s in found:
            print(" | ".join((s.doc, s.section, s.block or "-", s.text)))
        return 0
    missing, extra = compare(found, args.version, args.check)
    for s in missing:
        print(f"# missing from {args.check} (Django {args.version} has it):\n{stub(s)}\n")
    for s in extra:
        print(f"# in {args.check} for Django {args.version}, but not in its docs (narrow its `django`, or fix it): "
              f"{s.doc} | {s.section} | {s.block or '-'} | {s.text}")
    print(f"{len(found)} sentences in Django {args.version}'s docs; {len(missing)} missing from the data, "
          f"{len(extra)} extra in it", file=sys.stderr)
    return 1 if missing or extra else 0


if __name__ == "__main__":
    sys.exit(main())
