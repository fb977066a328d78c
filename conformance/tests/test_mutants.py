"""The suite must catch broken deployments: run it against deliberately broken variants of the
reference site (conformance/tests/apparatus: mutants.py, variants.py) and check that it fails each one on
the checks the breakage should trip, and on nothing the breakage does not explain."""

import json
from pathlib import Path

import pytest

from conformance.tests.apparatus.mutants import MUTANTS

REPO = Path(__file__).resolve().parents[2]
pytest_plugins = ["pytester"]

# mutant -> (check ids that must fail in every browser, check ids allowed to fail as well)
EXPECTED = {
    # The browser holds a session cookie: its Max-Age/Expires/stored expiry are wrong and it keeps
    # sending the cookie; a write re-sends it without Max-Age; renewal judged in the browser may
    # then see a live cookie.
    "mutant-strip-expiry": ({"AGE-01", "AGE-02", "AGE-03", "AGE-04", "REN-03"}, {"REN-02", "REN-05"}),
    # The cookie says two weeks, not 4 s, and the server keeps the session that long.
    "mutant-ignore-set-expiry": ({"AGE-01", "AGE-04", "SRV-01", "REN-03"}, {"REN-02", "REN-04", "REN-05"}),
    # A read re-sends the cookie although nothing was saved.
    "mutant-fake-sliding": ({"REN-01"}, {"REN-02", "REN-05", "SRV-04"}),
    # clear() keeps the session key: the logout response sends it back instead of deleting it.
    "mutant-clear-on-logout": ({"SRV-02", "AUTH-03"}, set()),
    # No Vary on any response: every response that sets or shows the session could be shared.
    # (COOKIE-02: Django's own known defect on any SESSION_SAVE_EVERY_REQUEST site, this one too.)
    "mutant-strip-vary": ({"CACHE-01", "CACHE-02", "CACHE-03", "CACHE-04"}, {"COOKIE-02"}),
    # never_cache pages arrive public for ten minutes.
    "mutant-public-everything": ({"CACHE-09"}, set()),
    # Logout answers with a fresh session's cookie (Max-Age 4) instead of deleting it; the old key
    # is refused, so SRV-02 still passes.
    "mutant-reissue-on-logout": ({"AUTH-03"}, set()),
    # The key planted before sign-in is the signed-in session's key.
    "mutant-fixed-key": ({"AUTH-01", "AUTH-02"}, set()),
    # A failed write saved anyway; a session key taken from the URL (PHP's fallback).
    "mutant-save-on-500": ({"COOKIE-03"}, set()),
    "mutant-session-from-url": ({"COOKIE-06"}, set()),
    # The same two breakages in the async session API only: the async views' checks catch them.
    "mutant-async-ignore-set-expiry": ({"AGE-01", "AGE-04", "SRV-01", "REN-03"}, {"REN-02", "REN-04", "REN-05"}),
    "mutant-async-fixed-key": ({"AUTH-01", "AUTH-02"}, set()),
}


def test_every_mutant_has_expectations():
    assert set(EXPECTED) == {m.name for m in MUTANTS}


@pytest.fixture(scope="module")
def mutant_report(tmp_path_factory):
    """One run of the suite over every mutant in both browsers (about 35 s)."""
    import subprocess
    import sys

    report = tmp_path_factory.mktemp("mutants") / "report.json"
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "conformance" / "checks"),
            f"--conformance-report={report}", "-p", "conformance.tests.apparatus.mutants"]
    for mutant in MUTANTS:
        args += ["--profile", mutant.name]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-2000:]
    return json.loads(report.read_text()), done


@pytest.mark.parametrize("mutant", sorted(EXPECTED))
def test_suite_fails_the_mutant_on_the_right_checks(mutant_report, mutant):
    report, done = mutant_report
    assert done.returncode == 1  # unknown fails: the gate is red
    mine = [r for r in report["results"] if r["profile"] == mutant]
    assert not [r for r in mine if r["verdict"] == "error"], [r["note"] for r in mine if r["verdict"] == "error"]
    required, allowed = EXPECTED[mutant]
    for browser in ("chromium", "firefox"):
        failed = {r["id"] for r in mine if r["verdict"] == "fail" and r["browser"] == browser}
        assert required <= failed, f"{browser}: missed {sorted(required - failed)}"
        assert failed <= required | allowed, f"{browser}: unexplained failures {sorted(failed - required - allowed)}"
