"""The environment a test gives the suite it runs as a subprocess against a deployment: the clone
importable, and none of the runner's own CONFORMANCE_* settings leaking in (a developer's shell
may export them). Import the fixture into a test module to use it (it is autouse)."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LEAKY = ("CONFORMANCE_PROBE_TOKEN", "CONFORMANCE_BASE_URL", "CONFORMANCE_BLACKBOX", "CONFORMANCE_PROFILES",
         "CONFORMANCE_CHECKS", "CONFORMANCE_CONNECT", "CONFORMANCE_CONCURRENCY",
         "CONFORMANCE_SIGN_IN_RATE")


@pytest.fixture(autouse=True)
def importable_package(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    for name in LEAKY:
        monkeypatch.delenv(name, raising=False)
