"""What the plugin keeps in config.stash (no module globals): the Settings (frozen), the known
Django defects, the plan made at collection (frozen), the targets once known, the Recorder (the
one mutable object), and each check item's Result until its report is made."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ..config.settings import Settings
from ..report.findings import Findings
from ..report.results import Result
from .recorder import Recorder


@dataclass(frozen=True)
class Planned:
    """One target the run will judge: a profile, on a site environment (reference mode: which
    Django runs the site; None for a deployment). `id` is its test-id part: the profile's name,
    with `@django-<spec>` when the run compares several Django versions."""

    id: str
    profile: object  # targets.profiles.Profile
    environment: object = None  # sites.environment.SiteEnvironment


@dataclass(frozen=True)
class Plan:
    """What collection decided: the targets the selected checks run on (ids), and each browser
    engine to launch (observe/browsers.BrowserSpec)."""

    targets: frozenset = frozenset()
    browser_specs: dict = None  # engine -> BrowserSpec


SETTINGS_KEY = pytest.StashKey[Settings]()
BASELINE_KEY = pytest.StashKey[object]()  # the --baseline Report, or None
FINDINGS_KEY = pytest.StashKey[Findings]()
EXIT_KEY = pytest.StashKey[int]()  # the run's exit status once its findings are made
SHARD_KEY = pytest.StashKey[dict]()  # --shard K/N: {"index", "count", "run", "targets"} (absent: the whole run)
KNOWN_KEY = pytest.StashKey[tuple]()
PLANNED_KEY = pytest.StashKey[tuple]()  # of Planned, in order
PLAN_KEY = pytest.StashKey[Plan]()
RECORDER_KEY = pytest.StashKey[Recorder]()
RESULT_KEY = pytest.StashKey[Result]()
TARGETS_KEY = pytest.StashKey[dict]()  # target id -> Target, or the error that stopped its server
