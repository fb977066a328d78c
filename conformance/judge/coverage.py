"""Coverage of Django's documentation, sentence by sentence: conformance/judge/coverage.toml lists
every sentence of the sessions topic guide and of the SESSION_* settings reference (as
conformance/tools/doc_sentences.py extracts them), each with the checks that observe it or the
reason none can; plus the sentences checks quote from other documents. This module reads it, finds
a check's quotes in it, and renders the table users read (docs/coverage.md). Pure: no pytest, no
browser."""

from __future__ import annotations

import difflib
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field, fields
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from .docs import DJANGO_DOCS, doc_url

DATA = Path(__file__).with_name("coverage.toml")
# The releases whose docs were compared, sentence by sentence: an entry's `django` says which of
# them hold it (absent: both). Releases in between were not compared.
RELEASES = ("5.2", "6.1")
BASE = RELEASES[0]
KINDS = {
    "gap": "a browser or a cookie replay could observe it, but no check does yet (see the proposal)",
    "unobservable": "a behaviour no browser or replay can see (the reason says why)",
    "internal": "storage internals no client can see",
    "api": ("a Python API: visible outside only through a view that uses it (the reason says how it is covered, "
            "if indirectly)"),
    "setup": "how to install or configure sessions, not a behaviour",
    "advice": "a recommendation or warning to the reader",
    "example": "narrates a code example in the docs",
    "overview": "introduces, lists or points to other text; no promise of its own",
    "history": "a version note about the past",
}
DOC_URLS = {"topics/http/sessions": "https://docs.djangoproject.com/en/{v}/topics/http/sessions/",
            "ref/settings": "https://docs.djangoproject.com/en/{v}/ref/settings/#sessions"}
QUOTE = re.compile(r'"([^"]{20,})"')  # as judge/check.py reads a check's quote
SUMMARY_MARKERS = ("<!-- coverage-summary -->", "<!-- /coverage-summary -->")
COMMAND = "python -m conformance.tools.doc_sentences --render"


@dataclass(frozen=True)
class Entry:
    doc: str
    section: str
    text: str
    block: str = ""  # note, warning, versionadded 5.1, ...
    checks: tuple[str, ...] = ()
    note: str = ""  # on which profiles, how
    partial: str = ""  # what the checks leave unobserved (then a proposal says how to observe it)
    kind: str = ""  # when no check observes it: one of KINDS
    reason: str = ""
    proposal: str = ""  # for a gap, or a partial: what a check would do
    django: str = ""  # a version specifier when only some of RELEASES have the sentence
    disagrees: str = ""  # where Django's code does something else: which is right, and a reproduction

    def applies_to(self, version: str) -> bool:
        return not self.django or SpecifierSet(self.django).contains(Version(version), prereleases=True)


@dataclass(frozen=True)
class Quoted:
    doc: str  # a URL, or a Django docs path
    text: str
    checks: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Coverage:
    sentences: tuple[Entry, ...]
    quoted: tuple[Quoted, ...] = field(default=())

    def for_version(self, version: str) -> list[Entry]:
        return [e for e in self.sentences if e.applies_to(version)]

    def find(self, quote: str) -> list[Entry | Quoted]:
        """The entries a check's quote comes from ([] if any part of it is not found): each part
        (a quote shortened with "..." has several) is a sentence, a run of sentences of one release,
        or a part of one, compared after normalize(), its first letter in either case."""
        found: list[Entry | Quoted] = []
        for part in fragments(quote):
            first = f"[{part[0].lower()}{part[0].upper()}]" if part[0].isalpha() else re.escape(part[0])
            pattern = re.compile(first + re.escape(part[1:]))
            hits = [q for q in self.quoted if pattern.search(normalize(q.text))]
            for release in RELEASES:
                for doc in DOC_URLS:
                    run = [e for e in self.for_version(release) if e.doc == doc]
                    starts, text = [], ""
                    for e in run:
                        starts.append(len(text))
                        text += normalize(e.text) + " "
                    for m in pattern.finditer(text):
                        hits += [e for e, s in zip(run, starts)
                                 if s < m.end() and s + len(normalize(e.text)) > m.start()]
            if not hits:
                return []
            found += hits
        return list(dict.fromkeys(found))

    def closest(self, quote: str) -> str:
        """For a quote not found: the sentences nearest to it, to say what to fix."""
        texts = [e.text for e in self.sentences] + [q.text for q in self.quoted]
        near = difflib.get_close_matches(normalize(quote), [normalize(t) for t in texts], n=2, cutoff=0.5)
        return "\n".join(f"  nearest: \"{t}\"" for t in near) or "  (nothing near it)"

    def problems(self, check_ids: set[str]) -> list[str]:
        """What is wrong with the data itself: each sentence observed by checks that exist, or
        given a known kind and a reason; a gap or a partial with a proposal; no sentence twice."""
        out = []
        for e in self.sentences:
            where = f"{e.doc} | {e.section} | {e.text[:60]}"
            if e.checks and e.kind:
                out.append(f"{where}: both checks and kind; give one")
            if not e.checks and not (e.kind in KINDS and e.reason):
                out.append(f"{where}: needs checks, or a kind ({', '.join(KINDS)}) and a reason")
            if "\n" in e.text or e.text != e.text.strip():
                out.append(f"{where}: the text must be one line, exactly as the extractor gives it")
            if (e.kind == "gap" or e.partial) and not e.proposal:
                out.append(f"{where}: a gap or a partial needs a proposal")
            out += [f"{where}: unknown check {c}" for c in e.checks if c not in check_ids]
        out += [f"quoted {q.doc}: unknown check {c}" for q in self.quoted for c in q.checks if c not in check_ids]
        twice = Counter((e.doc, e.section, e.block, e.text, e.django) for e in self.sentences)
        out += [f"{k[0]} | {k[1]} | {k[3][:60]}: listed {n} times" for k, n in twice.items() if n > 1]
        return out


def load(path: Path = DATA) -> Coverage:
    data = tomllib.loads(path.read_text())
    names = {f.name for f in fields(Entry)}
    sentences = []
    for i, raw in enumerate(data.get("sentence", []), 1):
        unknown = set(raw) - names
        if unknown:
            raise ValueError(f"{path}: [[sentence]] {i} has unknown fields {sorted(unknown)}")
        raw = {k: (tuple(v) if k == "checks" else " ".join(v.split()) if k != "text" else v) for k, v in raw.items()}
        sentences.append(Entry(**raw))
    quoted = tuple(Quoted(q["doc"], q["text"], tuple(q["checks"]), " ".join(q.get("note", "").split()))
                   for q in data.get("quoted", []))
    return Coverage(tuple(sentences), quoted)


def normalize(text: str) -> str:
    text = re.sub(r"[\u2018\u2019\u201c\u201d\"`]", "'", text)
    text = text.replace("\u2014", "---").replace("\u2013", "--").replace("\u2026", "...")
    return " ".join(text.split())


def fragments(quote: str) -> list[str]:
    """The parts of a quote: split at "..." (a shortened quote), trimmed of end punctuation."""
    parts = (p.strip().strip(".,;:!? ") for p in re.split(r"\.\.\.|\u2026", normalize(quote)))
    return [p for p in parts if p]


def quotes_of(obj) -> list[str]:
    """Every double-quoted string of 20+ characters in a check's docstring (a registered check
    function, or the docstring itself); a Check record keeps only its first."""
    if isinstance(obj, str):
        doc = obj
    elif getattr(obj, "conformance_check", None) is not None:
        doc = obj.__doc__ or ""
    elif hasattr(obj, "quote"):
        return [obj.quote] if obj.quote else []
    else:
        doc = getattr(obj, "__doc__", "") or ""
    return [" ".join(q.split()) for q in QUOTE.findall(doc.replace("\n", " "))]


# --- the table ------------------------------------------------------------------------------------

def summary(cov: Coverage) -> str:
    base = cov.for_version(BASE)
    kinds = Counter(e.kind for e in base if not e.checks)
    observed = [e for e in base if e.checks]
    gaps = kinds.pop("gap", 0)
    parts = [f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))]
    newer = [e for e in cov.sentences if not e.applies_to(BASE)]
    gone = [e for e in base if not e.applies_to(RELEASES[-1])]
    disagree = sum(1 for e in cov.sentences if e.disagrees)
    partly = sum(1 for e in observed if e.partial)
    return (f"Django {BASE}: {len(base)} sentences; {len(observed)} observed by checks ({partly} of them in part), "
            f"{gaps} gaps (observable, no check yet), and by kind: {', '.join(parts)}. {disagree} of them disagree "
            f"with Django's own code. Django {RELEASES[-1]} adds {len(newer)} sentences and drops {len(gone)}. "
            f"Plus {len(cov.quoted)} sentences quoted from other documents.")


def _cell(text: str) -> str:
    """Text for a Markdown table cell or heading: emphasis characters escaped outside `code`."""
    parts = re.split(r"(`[^`]*`)", " ".join(text.split()))
    text = "".join(p if p.startswith("`") else re.sub(r"([\\*_<])", r"\\\1", p) for p in parts)
    return text.replace("|", "\\|")


def _verdict(e: Entry) -> str:
    if e.checks:
        out = ", ".join(f"`{c}`" for c in e.checks) + (f" ({_cell(e.note)})" if e.note else "")
        if e.partial:
            out += f"; not observed: {_cell(e.partial)} **Proposal:** {_cell(e.proposal)}"
    else:
        out = f"*{e.kind}*: {_cell(e.reason)}" + (f" **Proposal:** {_cell(e.proposal)}" if e.proposal else "")
    if e.disagrees:
        out += f" **Django's code disagrees:** {_cell(e.disagrees)}"
    return out


def _label(doc: str) -> str:
    if doc.startswith(DJANGO_DOCS):
        return "Django " + doc[len(DJANGO_DOCS):]
    host, _, rest = doc.split("://", 1)[-1].partition("/")
    return f"{host.removeprefix('www.')} {rest.rsplit('/', 1)[-1]}"


def render_markdown(cov: Coverage) -> str:
    guide, reference = (url.format(v=BASE) for url in DOC_URLS.values())
    lines = ["# Coverage of Django's session documentation", "",
             f"<!-- Generated by `{COMMAND}` from conformance/judge/coverage.toml: do not edit. -->", "",
             f"Every sentence of Django {BASE}'s [sessions topic guide]({guide}) "
             f"and of the `SESSION_*` entries of its [settings reference]({reference}), "
             f"in document order, with the checks that observe it or why none does. Sentences only some releases have "
             f"say so (compared: Django {' and '.join(RELEASES)}).", "", f"**{summary(cov)}**", "",
             "| kind | meaning |", "|---|---|", *(f"| {k} | {v} |" for k, v in KINDS.items()), ""]
    for doc in DOC_URLS:
        lines += [f"## {doc}", ""]
        section = None
        for e in (e for e in cov.sentences if e.doc == doc):
            if e.section != section:
                section = e.section
                lines += ["", f"### {_cell(section)}", "", "| sentence | checks, or why not |", "|---|---|"]
            where = ((f"*({e.block})* " if e.block else "") + _cell(e.text)
                     + (f" *(Django {_cell(e.django)})*" if e.django else ""))
            lines.append(f"| {where} | {_verdict(e)} |")
        lines.append("")
    lines += ["## Quoted from other documents", "", "| document | sentence | checks |", "|---|---|---|"]
    for q in cov.quoted:
        checks = ", ".join(f"`{c}`" for c in q.checks) + (f" ({_cell(q.note)})" if q.note else "")
        lines.append(f"| [{_cell(_label(q.doc))}]({doc_url(q.doc, BASE)}) | {_cell(q.text)} | {checks} |")
    return "\n".join(lines).replace("\n\n\n", "\n\n") + "\n"


def with_summary(readme: str, cov: Coverage) -> str:
    """The README with the text between its coverage-summary markers replaced by summary(cov)."""
    start, end = SUMMARY_MARKERS
    if start not in readme or end not in readme:
        raise ValueError(f"README lacks the markers {start} ... {end}")
    head, rest = readme.split(start, 1)
    return f"{head}{start}\n{summary(cov)}\n{end}{rest.split(end, 1)[1]}"
