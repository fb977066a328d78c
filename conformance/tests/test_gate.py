"""A baseline round trip: a run's report kept as the baseline, then a deliberate behaviour change
on the reference site (a settings change), and the gate fails naming what changed; unchanged, it
passes, whatever fails on both sides."""

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKS = str(REPO / "conformance" / "checks")
pytest_plugins = ["pytester"]

# A plugin module (-p), as a team adds its own profile: the checks' rootdir is the clone's.
PROFILE = '''
from conformance.targets.profiles import ENGINES, Profile

def pytest_conformance_profiles(config):
    return [Profile("gate-demo", "the team's own configuration", {{"SESSION_ENGINE": ENGINES["db"],
                    "SESSION_COOKIE_AGE": 4}}, site_settings="{settings}")]
'''


@pytest.fixture
def suite(pytester, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))

    def run(settings, *args):
        pytester.makepyfile(gate_profile=PROFILE.format(settings=settings))
        return pytester.runpytest_subprocess(CHECKS, "-p", "gate_profile", "-p", "no:cacheprovider",
                                             "--profile", "gate-demo", "--browser", "chromium", "--check", "REN-0[12]",
                                             "--check", "AGE-01", f"--html-report={tmp_path / 'r.html'}", *args)
    return run


def test_a_settings_change_fails_the_gate_only_when_it_breaks_a_promise(suite, tmp_path):
    baseline = tmp_path / "baseline.json"
    first = suite("target_site.settings", f"--conformance-report={baseline}")
    assert first.ret == pytest.ExitCode.OK, first.stdout.str()[-3000:]

    same = suite("target_site.settings", f"--conformance-report={tmp_path / 'same.json'}", f"--baseline={baseline}",
                 "--gate", "regressions")
    assert same.ret == pytest.ExitCode.OK, same.stdout.str()[-3000:]
    same.stdout.fnmatch_lines(["*: 3 results, nothing changed",
                               "gate 'regressions' against *: passed (no regressions)"])

    # SESSION_SAVE_EVERY_REQUEST turned on: the site still keeps its (new) promise, so no verdict
    # regresses, but the diff names every key observation that moved.
    sliding = suite("conformance.tests.apparatus.mutant_sites.save_every_request",
                    f"--conformance-report={tmp_path / 'sliding.json'}", f"--baseline={baseline}",
                    "--gate", "regressions")
    assert sliding.ret == pytest.ExitCode.OK, sliding.stdout.str()[-3000:]
    sliding.stdout.fnmatch_lines([
        "*: 3 results, 2 observation",
        "  OBSERVATION: REN-01 gate-demo chromium: pass -> pass (max_age: - -> 4; resent: False -> True)",
        "  OBSERVATION: REN-02 gate-demo chromium: pass -> pass (renewed_in_browser: False -> True; "
        "renewed_on_server: False -> True)",
        "gate 'regressions' against *: passed (no regressions)"])

    # A middleware that drops Max-Age/Expires from the session cookie (MIDDLEWARE changed): the
    # cookie no longer keeps the promised age; the gate fails and names it.
    stripped = suite("conformance.tests.apparatus.mutant_sites.strip_expiry",
                     f"--conformance-report={tmp_path / 'stripped.json'}", f"--baseline={baseline}",
                     "--gate", "regressions")
    assert stripped.ret == pytest.ExitCode.TESTS_FAILED, stripped.stdout.str()[-3000:]
    stripped.stdout.fnmatch_lines([
        "*against the baseline*",
        "*: 3 results, 1 regression*",
        "  REGRESSION: AGE-01 gate-demo chromium: pass -> fail (max_age: 4 -> -; persistent: True -> False; "
        "set_cookie: sessionid=<value>; expires=<date>; httponly; max-age=4; path=/; samesite=Lax -> "
        "sessionid=<value>; httponly; path=/; samesite=Lax)",
        "gate 'regressions' against *: FAILED (1 regressions)"])
    html = (tmp_path / "r.html").read_text()
    assert "Against the baseline" in html and "REGRESSION" in html


def test_a_baseline_of_other_profiles_is_one_line(suite, tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"django": "5.2.19", "results": [{"id": "AGE-01", "profile": "age-4s-db", '
                     '"browser": "chromium", "verdict": "pass"}]}')
    result = suite("target_site.settings", f"--baseline={other}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: --baseline {other} has no results for the profiles gate-demo (it has "
                                 "age-4s-db): choose them with --profile, or another baseline"])


def test_a_gate_needs_something_to_compare_with(suite):
    result = suite("target_site.settings", "--gate", "regressions")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --gate regressions (from CLI) compares with a baseline: give --baseline*"])
