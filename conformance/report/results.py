"""Typed results: what every reader of a run's outcome uses (the terminal summary, the JSON report,
the xdist controller merging its workers, the soak comparison). One Result per (check, profile,
browser, Django version); a Report is a whole run. `load()` reads any report this project wrote
(schema 1, before results were typed, is upgraded) and is the only way reports are read back.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ..judge.verdict import CAVEAT, ERROR, FAIL, ORDER, PASS, SKIP

SCHEMA_VERSION = 2
KNOWN = "known"  # how a known Django defect is counted beside the verdicts (it is a fail)
FIXED = "fixed"  # a pass where a known Django defect was expected (like a strict xfail that passed)


class ReportError(Exception):
    """A file that is not a report this project can read; the message is one line."""


@dataclass(frozen=True, order=True)
class ResultKey:
    """What a result is about. Stable across runs: the key two reports are compared by."""

    check: str
    profile: str
    browser: str
    django: str  # the site's Django version ("unknown" without a probe)

    def label(self, with_django: bool = False) -> str:
        return f"{self.check} {self.profile} {self.browser}" + (f" django-{self.django}" if with_django else "")

    def across_versions(self) -> tuple[str, str, str]:
        """The key without the version: how one check's results on two Django versions pair up."""
        return self.check, self.profile, self.browser


@dataclass(frozen=True)
class Result:
    key: ResultKey
    verdict: str  # pass | fail | caveat | skip | error (judge/verdict.py)
    family: str = ""
    known: str | None = None  # for a fail that is a known Django defect: the reason
    known_fixed: str | None = None  # for a pass where a known defect was expected: the entry's reason
    expected: str = ""
    observed: str = ""
    evidence: list = field(default_factory=list)  # per step: Set-Cookie, Cookie received, accepted, ...
    note: str = ""  # the caveat's quote, the skip reason, the error, or a note on a known entry
    facts: dict = field(default_factory=dict)  # structured observations the family summaries read
    title: str = ""
    doc: str = ""  # the docs link for the site's own Django version
    quote: str = ""
    scenario: str = ""  # the observation it judged (the report's `timelines` draw it)
    duration_s: float = 0.0
    reobserved: bool = False
    nodeid: str = ""

    @property
    def id(self) -> str:
        return self.key.check

    @property
    def profile(self) -> str:
        return self.key.profile

    @property
    def browser(self) -> str:
        return self.key.browser

    @property
    def graded(self) -> str:
        """The verdict, with a known Django defect told apart from a fail, and a pass where one was
        expected from a plain pass."""
        if self.verdict == FAIL and self.known:
            return KNOWN
        if self.verdict == PASS and self.known_fixed:
            return FIXED
        return self.verdict

    def to_json(self) -> dict:
        data = {"id": self.key.check, "profile": self.key.profile, "browser": self.key.browser,
                "django": self.key.django}
        data.update({f.name: getattr(self, f.name) for f in fields(self) if f.name != "key"})
        return data

    @classmethod
    def from_json(cls, data: dict, django: str = "unknown") -> "Result":
        key = ResultKey(data["id"], data["profile"], data["browser"], data.get("django") or django)
        names = {f.name for f in fields(cls)} - {"key"}
        values = {k: v for k, v in data.items() if k in names and v is not None}
        return cls(key=key, **values)


@dataclass(frozen=True)
class Report:
    """A whole run: what was judged (target, the site's Django version), when, and every result."""

    results: tuple[Result, ...]
    django: str
    target: dict = field(default_factory=lambda: {"mode": "reference", "base_url": None})
    started: str = ""
    finished: str = ""
    duration_s: float = 0.0
    settings_sources: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    incomplete: tuple[str, ...] = ()  # why verdicts are missing (a crashed xdist worker)
    # "<scenario> <target> <browser>" -> a scenario's life on a time axis (report/timeline.py)
    timelines: dict = field(default_factory=dict)
    # A shard's report (--shard K/N): {"index": K, "count": N, "run": the whole run's id, "targets":
    # the targets it judged}; {} for a whole run (or a merge of all its shards).
    shard: dict = field(default_factory=dict)
    schema_version: int = SCHEMA_VERSION

    def by_key(self) -> dict[ResultKey, Result]:
        return {r.key: r for r in self.results}

    def to_json(self) -> dict:
        data = {"schema_version": self.schema_version, **asdict(self)}
        data["results"] = [r.to_json() for r in self.results]
        data["incomplete"] = list(self.incomplete)
        return data


def counts(results) -> dict:
    """Verdict counts, worst first, plus known Django defects among the fails."""
    out = {v: 0 for v in ORDER}
    for r in results:
        out[r.verdict] += 1
    out["known_failures"] = sum(1 for r in results if r.graded == KNOWN)
    out["known_not_seen"] = sum(1 for r in results if r.graded == FIXED)
    out["unexpected_failures"] = out[FAIL] - out["known_failures"]
    return out


def load(source) -> Report:
    """A report from a path or an already parsed dict."""
    name = "report" if isinstance(source, dict) else str(source)
    if isinstance(source, dict):
        data = source
    else:
        path = Path(source)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ReportError(f"{path}: no such report") from None
        except (OSError, ValueError) as exc:
            raise ReportError(f"{path}: not a conformance report ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise ReportError(f"{name}: not a conformance report (no results)")
    version = data.get("schema_version", 1)
    if version > SCHEMA_VERSION:
        raise ReportError(f"{name}: schema_version {version} is newer than this suite reads ({SCHEMA_VERSION}); "
                          "update the suite")
    django = str(data.get("django") or "unknown")
    try:
        results = tuple(Result.from_json(r, django) for r in data["results"])
    except (KeyError, TypeError) as exc:
        raise ReportError(f"{name}: a result lacks {exc}") from None
    return Report(results=results, django=django, target=data.get("target") or {},
                  started=data.get("started", ""), finished=data.get("finished", ""),
                  duration_s=data.get("duration_s", 0.0), settings_sources=data.get("settings_sources") or {},
                  timings=data.get("timings") or {}, summary=data.get("summary") or {},
                  incomplete=tuple(data.get("incomplete") or ()), timelines=data.get("timelines") or {},
                  shard=data.get("shard") or {}, schema_version=SCHEMA_VERSION)


__all__ = ["Result", "ResultKey", "Report", "load", "counts", "SCHEMA_VERSION", "ReportError",
           "PASS", "FAIL", "CAVEAT", "SKIP", "ERROR", "KNOWN", "FIXED"]


def version_order(version: str) -> tuple:
    """Django versions in release order ("4.2.27" < "5.2.8" < "5.2.19"); anything else last."""
    parts = version.replace("a", ".").replace("b", ".").replace("rc", ".").split(".")
    return tuple(int(p) if p.isdigit() else 10**6 for p in parts)
