"""A verdict becomes a Result (typed, with the site's Django version, redacted where cookie values
are live credentials, matched against the known Django defects) and then a pytest outcome."""

from __future__ import annotations

import pytest

from ..judge import expectations
from ..judge.check import Check
from ..judge.docs import doc_url
from ..judge.verdict import ERROR, FAIL, PASS, SKIP, Verdict, message
from ..report.redact import redact, redact_verdict
from ..report.results import Result, ResultKey
from ..targets.target import Target

KNOWN_PASSED = "listed as a known failure but passed: narrow or prune conformance/expectations.toml"


class HarnessError(Exception):
    """A check could not judge (its precondition failed); shown as an error, not a verdict."""


def shown(target: Target | None, value):
    """What the report may show: live cookie values (black-box mode) become fingerprints."""
    if target is None or not target.live_credentials:
        return value
    name = target.promise.attributes.name
    return redact_verdict(value, name) if isinstance(value, Verdict) else redact(value, name)


def result_for(check: Check, verdict: Verdict, target: Target | None, profile: str, browser: str, known: tuple,
               nodeid: str, reobserved: bool = False) -> Result:
    django = target.django if target is not None else "unknown"
    verdict = shown(target, verdict)
    entry = expectations.find(known, check.id, profile, browser, django)
    note = verdict.note
    if entry and verdict.kind == PASS:
        note = KNOWN_PASSED
    return Result(key=ResultKey(check.id, profile, browser, django), family=check.family.name,
                  verdict=verdict.kind, known=entry.reason if entry and verdict.kind == FAIL else None,
                  expected=verdict.expected, observed=verdict.observed, evidence=verdict.evidence, note=note,
                  facts=verdict.facts, title=check.title, doc=doc_url(check.doc, django), quote=check.quote,
                  reobserved=reobserved, nodeid=nodeid)


def end_test(result: Result) -> None:
    """End the test the way pytest understands: skip, error, (x)fail, or return (pass, caveat)."""
    line = message(result.id, result.browser, result.profile,
                   Verdict(result.verdict, result.expected, result.observed, result.evidence, result.note))
    if result.verdict == SKIP:
        pytest.skip(result.note)
    if result.verdict == ERROR:
        raise HarnessError(line)
    if result.verdict == FAIL:
        if result.known:
            pytest.xfail(f"known Django defect: {result.known} — {line}")
        pytest.fail(line, pytrace=False)
    # PASS and CAVEAT end normally; CAVEAT is shown as its own status by the plugin.
