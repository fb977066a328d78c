"""Per-run state, kept in config.stash (no module globals): the resolved settings, the browsers
to launch, the known failures, and one result record per check item."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from . import expectations
from .redact import redact, redact_verdict
from .verdict import CAVEAT, ERROR, FAIL, PASS, SKIP, Verdict, message

RECORD_KEY = pytest.StashKey[dict]()


@dataclass
class RunState:
    settings: object  # conformance.settings.Settings
    browser_specs: dict
    known: tuple
    started: float = field(default_factory=time.time)
    profiles_used: set = field(default_factory=set)
    targets: dict = field(default_factory=dict)
    records: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)  # phase -> seconds, for the report
    django: str = "unknown"  # the target's Django version, when only xdist workers met the target
    incomplete: list = field(default_factory=list)  # why verdicts are missing (an xdist worker crashed)

    def django_version(self) -> str:
        """The target's Django version: from a target this process met, else from the workers."""
        return next((t.django for t in self.targets.values() if hasattr(t, "django")), self.django)

    def worker_output(self) -> dict:
        """What a pytest-xdist worker sends its controller (JSON-able)."""
        return {"records": self.records, "timings": self.timings, "django": self.django_version()}

    def merge_worker(self, worker: str, output: dict) -> None:
        self.records.extend(output["records"])
        self.timings.update({f"{worker}.{k}": v for k, v in output["timings"].items()})
        if output.get("django", "unknown") != "unknown":
            self.django = output["django"]

    def shown(self, profile: str, value):
        """What the report may show: black-box cookie values replaced by fingerprints (redact.py)."""
        target = self.targets.get(profile)
        if getattr(target, "blackbox", None) is None:
            return value
        name = target.promise.attributes.name
        return redact_verdict(value, name) if isinstance(value, Verdict) else redact(value, name)

    def conclude(self, item, meta, verdict: Verdict, reobserved: bool = False) -> None:
        """Record the verdict on the item, then end the test the way pytest understands."""
        profile = item.callspec.params["conformance_profile"]
        browser = item.callspec.params["browser_name"]
        verdict = self.shown(profile, verdict)
        record = base_record(item, meta, profile, browser)
        record.update(verdict=verdict.kind, expected=verdict.expected, observed=verdict.observed,
                      evidence=verdict.evidence, note=verdict.note, known=None,
                      facts=verdict.facts, reobserved=reobserved)
        line = message(meta.id, browser, profile, verdict)
        known = expectations.find(self.known, meta.id, profile, browser)
        if known and verdict.kind == FAIL:
            record["known"] = known.reason
        elif known and verdict.kind == PASS:
            record["note"] = "listed as a known failure but passed: prune conformance/expectations.toml"
        item.stash[RECORD_KEY] = record
        if verdict.kind == SKIP:
            pytest.skip(verdict.note)
        if verdict.kind == ERROR:
            raise HarnessError(line)
        if verdict.kind == FAIL:
            if known:
                pytest.xfail(f"known Django defect: {known.reason} — {line}")
            pytest.fail(line, pytrace=False)
        # PASS and CAVEAT end normally; CAVEAT is shown as its own status by the plugin.


def is_xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


class HarnessError(Exception):
    """A check could not judge (its precondition failed); shown as an error, not a verdict."""


def base_record(item, meta, profile: str, browser: str) -> dict:
    return {"id": meta.id, "family": meta.family, "profile": profile, "browser": browser,
            "title": meta.title, "doc": meta.doc, "quote": meta.quote, "nodeid": item.nodeid}


STATE_KEY = pytest.StashKey[RunState]()

__all__ = ["RunState", "STATE_KEY", "RECORD_KEY", "HarnessError", "base_record",
           "PASS", "FAIL", "CAVEAT", "SKIP", "ERROR"]
