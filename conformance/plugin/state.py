"""What the plugin keeps in config.stash (no module globals): the Settings (frozen), the known
Django defects, the plan made at collection (frozen), the targets once known, the Recorder (the
one mutable object), and each check item's Result until its report is made."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ..config.settings import Settings
from ..report.results import Result
from .recorder import Recorder


@dataclass(frozen=True)
class Plan:
    """What collection decided: the profiles the selected checks run on, and each browser engine
    to launch (observe/browsers.BrowserSpec)."""

    profiles: frozenset = frozenset()
    browser_specs: dict = None  # engine -> BrowserSpec


SETTINGS_KEY = pytest.StashKey[Settings]()
KNOWN_KEY = pytest.StashKey[tuple]()
PLAN_KEY = pytest.StashKey[Plan]()
RECORDER_KEY = pytest.StashKey[Recorder]()
RESULT_KEY = pytest.StashKey[Result]()
TARGETS_KEY = pytest.StashKey[dict]()  # profile -> Target, or the error that stopped its server
