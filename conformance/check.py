"""Declaring a check: one decorator holds its stable id, family, scenario, doc link and when it
applies. The function body is pure: it reads a Run (promise + observation) and returns a Verdict.
The docstring's first line is the title; its quoted sentence is the documented promise."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable

import pytest

from .observe import Exchange, Observation
from .promises import Promise
from .verdict import ERROR, Verdict

FAMILIES = ("cookie-age", "browser-close", "renewal", "server-expiry", "cookie-attributes")
DOCS = "https://docs.djangoproject.com/en/5.2/"
SESSIONS = DOCS + "topics/http/sessions/"
SETTINGS = DOCS + "ref/settings/"
ID_PATTERN = re.compile(r"^[A-Z]+-\d\d$")


@dataclass(frozen=True)
class Check:
    id: str
    family: str
    scenario: str
    doc: str
    title: str
    quote: str
    applies: Callable[[Promise], str | None]  # None = applies; else the skip reason

    def skip_reason(self, promise: Promise) -> str | None:
        return self.applies(promise)


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


def check(check_id: str, *, family: str, scenario: str, doc: str,
          applies: Callable[[Promise], str | None] = _always):
    """Register a check function `fn(run) -> Verdict` as a pytest test with a stable id."""
    if not ID_PATTERN.match(check_id):
        raise ValueError(f"check id {check_id!r} must look like AGE-01")
    if family not in FAMILIES:
        raise ValueError(f"{check_id}: unknown family {family!r}")

    def decorate(fn):
        doc_text = (fn.__doc__ or "").strip()
        quotes = re.findall(r'"([^"]{20,})"', doc_text.replace("\n", " "))
        title = " ".join(doc_text.split("\n\n")[0].split())  # the first paragraph, on one line
        meta = Check(check_id, family, scenario, doc, title=title,
                     quote=re.sub(r"\s+", " ", quotes[0]) if quotes else "", applies=applies)

        @functools.wraps(fn)
        def test(run: Run, conformance_conclude) -> None:
            reason = meta.skip_reason(run.promise)
            if reason:
                conformance_conclude(meta, Verdict.skip(reason), run)
                return
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
