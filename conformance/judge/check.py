"""Declaring a check: one decorator holds its stable id, family, scenario, doc link, what it needs
from a target and when its configuration applies. The function body is pure: it reads a Run
(promise + observation) and returns a Verdict. The docstring's first paragraph is the title; its
quoted sentence is the documented promise.

A family (one module in conformance/checks/) declares itself with `Family(...)`: its checks, the
scenarios they read, and the summary it adds to the report all live in that one module.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable

import pytest

from ..exchange import Exchange, Observation
from ..observe.scenario import Scenario
from ..targets.capabilities import ALL as CAPABILITIES
from ..targets.promises import Promise
from .docs import DJANGO_DOCS
from .verdict import ERROR, Verdict

ID_PATTERN = re.compile(r"^[A-Z]+-\d\d$")
# Doc paths, relative to the docs of the site's own Django version (judge/docs.py).
SESSIONS = DJANGO_DOCS + "topics/http/sessions/"
SETTINGS = DJANGO_DOCS + "ref/settings/"


@dataclass(frozen=True)
class Family:
    """A family of checks: its name (a column of the report's matrix), a sentence a Django
    developer understands, and what it adds to the report's summary: `summarize(results) ->
    dict` (JSON) and `lines(summary, results) -> list[str]` (the terminal)."""

    name: str
    title: str
    summarize: Callable | None = None
    lines: Callable | None = None


@dataclass(frozen=True)
class Check:
    id: str
    family: Family
    scenario: Scenario
    doc: str  # a docs.djangoproject.com path (judge/docs.py) or an absolute URL
    title: str
    quote: str
    needs: tuple[str, ...]  # capabilities the target must offer (targets/capabilities.py)
    applies: Callable[[Promise], str | None]  # None = applies to this configuration; else the skip reason


@dataclass
class Run:
    """What a check reads: the promise for this target and what its scenario observed."""

    profile: str
    browser: str
    promise: Promise
    obs: Observation
    incomplete: str | None = None  # why the scenario stopped early, if it did
    later: "Run | None" = None  # the re-observation, for what this (first) observation lacks

    def missing(self, what: str) -> Verdict:
        """The error verdict for a step the scenario never reached."""
        why = f": {self.incomplete}" if self.incomplete else ""
        return Verdict.error(f"the scenario did not reach {what}{why}", self.evidence("start"))

    def replay_control(self) -> Verdict | None:
        """A refused replay proves something only if a replay of the live session was accepted
        first (the same way, at the same page): None when it was, else the error verdict."""
        live = self.step("replay-live")
        if live is None:
            return self.missing("the live replay")
        if not live.accepted:
            return Verdict.error("a replay of the live session was refused, so a refused replay later "
                                 "would prove nothing (does the site bind sessions to something else than "
                                 "the cookie? in black-box mode: does the [signed_in] page answer a plain "
                                 "GET without redirects?)", self.evidence("start", "replay-live"))
        return None

    @property
    def cookie(self) -> str:
        return self.promise.attributes.name

    def step(self, label: str) -> Exchange | None:
        return self.obs.step(label)

    def evidence(self, *labels: str) -> list:
        return [ex.evidence(self.cookie) for label in labels if (ex := self.step(label)) is not None]


def _always(_: Promise) -> None:
    return None


def check(check_id: str, *, family: Family, scenario: Scenario, doc: str, needs: tuple[str, ...] = (),
          applies: Callable[[Promise], str | None] = _always):
    """Register a check function `fn(run) -> Verdict` as a pytest test with a stable id."""
    if not ID_PATTERN.match(check_id):
        raise ValueError(f"check id {check_id!r} must look like ABC-01: capitals, a dash, two digits")
    if not isinstance(family, Family) or not isinstance(scenario, Scenario):
        raise TypeError(f"{check_id}: family and scenario must be a Family and a Scenario")
    unknown = [n for n in needs if n not in CAPABILITIES]
    if unknown:
        raise ValueError(f"{check_id}: unknown needs {unknown}; known: {', '.join(CAPABILITIES)}")

    def decorate(fn):
        doc_text = (fn.__doc__ or "").strip()
        quotes = re.findall(r'"([^"]{20,})"', doc_text.replace("\n", " "))
        title = " ".join(doc_text.split("\n\n")[0].split())  # the first paragraph, on one line
        meta = Check(check_id, family, scenario, doc, title=title,
                     quote=re.sub(r"\s+", " ", quotes[0]) if quotes else "", needs=tuple(needs), applies=applies)

        @functools.wraps(fn)
        def test(run: Run, conformance_conclude) -> None:
            # Whether the check applies was decided before the run was made (judge/applicability.py).
            verdict, judged = fn(run), run
            if verdict.kind == ERROR and run.later is not None:
                # Only what the first observation could not show is taken from the re-observation;
                # a verdict it did reach stands (a fail observed in time is never retried).
                verdict, judged = fn(run.later), run.later
            conformance_conclude(meta, verdict, judged)

        # pytest would follow __wrapped__ to fn's signature and not inject conformance_conclude.
        del test.__wrapped__
        test.conformance_check = meta
        return pytest.mark.check(check_id)(test)

    return decorate


def check_of(obj) -> Check | None:
    """The Check declared on a test function (or a pytest item), if any."""
    return getattr(getattr(obj, "function", obj), "conformance_check", None)
