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

KNOWN_PASSED = ("a known Django defect was expected here but not seen (fixed on Django {django}?): narrow the "
                "entry's `django` in conformance/expectations.toml")


class HarnessError(Exception):
    """A check could not judge (its precondition failed); shown as an error, not a verdict."""


def shown(target: Target | None, value):
    """What the report may show: live cookie values (black-box mode) become fingerprints."""
    if target is None or not target.live_credentials:
        return value
    name = target.promise.attributes.name
    return redact_verdict(value, name) if isinstance(value, Verdict) else redact(value, name)


def result_for(check: Check, verdict: Verdict, target: Target | None, profile: str, browser: str, known: tuple,
               nodeid: str, reobserved: bool = False, django: str | None = None) -> Result:
    django = django or (target.django if target is not None else "unknown")
    verdict = shown(target, verdict)
    entry = expectations.find(known, check.id, profile, browser, django, target.settings if target else None)
    fixed = entry is not None and verdict.kind == PASS
    return Result(key=ResultKey(check.id, profile, browser, django), family=check.family.name,
                  verdict=verdict.kind, known=entry.reason if entry and verdict.kind == FAIL else None,
                  known_fixed=entry.reason if fixed else None, expected=verdict.expected, observed=verdict.observed,
                  evidence=verdict.evidence, note=KNOWN_PASSED.format(django=django) if fixed else verdict.note,
                  facts=verdict.facts, title=check.title, doc=doc_url(check.doc, django), quote=check.quote,
                  scenario=check.scenario.name, reobserved=reobserved, nodeid=nodeid)


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
    if result.known_fixed:
        # Like a strict xfail that passed: never silent, so the entry gets narrowed to the versions it holds for.
        pytest.fail(f"{result.id} [{result.browser} · {result.profile}] passed on Django {result.key.django}: "
                    f"{result.note}", pytrace=False)
    # PASS and CAVEAT end normally; CAVEAT is shown as its own status by the plugin.
