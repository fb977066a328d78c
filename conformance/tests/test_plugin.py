"""The plugin as a user meets it: options, bad input, collection, the report. Each case runs pytest
in a subprocess (pytester) against the real checks and pins the user-facing lines."""

import json
import os
import re
from pathlib import Path

import pytest

from conformance.report.results import load

REPO = Path(__file__).resolve().parents[2]
CHECKS = str(REPO / "conformance" / "checks")

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def importable_package(monkeypatch):
    """Subprocess runs outside the repo must import `conformance` (it is not pip-installed)."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))


@pytest.fixture
def run_suite(pytester, tmp_path):
    """pytest on the real checks, writing its report into tmp_path (never into reports/)."""
    def run(*args, env=None):
        report = tmp_path / "conformance.json"
        if env:
            for key, value in env.items():
                pytester._monkeypatch.setenv(key, value)
        result = pytester.runpytest_subprocess(CHECKS, f"--conformance-report={report}", *args)
        result.report_path = report
        return result
    return run


def test_unknown_profile_is_one_line_usage_error(run_suite):
    result = run_suite("--profile", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown profile nope (from CLI); known profiles: age-4s-db, *"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_unknown_profile_from_environment_names_its_source(run_suite):
    result = run_suite(env={"CONFORMANCE_PROFILES": "nope"})
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown profile nope (from env CONFORMANCE_PROFILES); *"])


def test_unknown_check_id(run_suite):
    result = run_suite("--check", "NOPE-99", "--profile", "default-two-weeks")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown check id NOPE-99; known: AGE-01, AGE-02, *"])


def test_unknown_browser(run_suite):
    result = run_suite(env={"CONFORMANCE_BROWSERS": "netscape"})
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown browser netscape (from env CONFORMANCE_BROWSERS); *"])


def test_missing_browser_names_the_fix(run_suite):
    result = run_suite("--profile", "default-two-weeks", "--check", "ATTR-01", "--browser", "firefox",
                       "--browser-executable", "firefox=/nonexistent/firefox")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: firefox: --browser-executable /nonexistent/firefox is not an executable file"])


def test_bad_browser_executable_syntax(run_suite):
    result = run_suite("--browser-executable", "/usr/bin/firefox")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --browser-executable takes NAME=PATH*"])


def test_list_checks_prints_the_catalogue(run_suite):
    result = run_suite("--list-checks")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["AGE-01 *cookie-age*", "*https://docs.djangoproject.com/*",
                                 "SRV-04 *server-expiry*"])


def test_header_says_where_each_setting_came_from(run_suite):
    result = run_suite("--collect-only", "--profile", "age-4s-db", env={"CONFORMANCE_BROWSERS": "firefox"})
    assert result.ret == 0
    result.stdout.fnmatch_lines(["conformance: profiles=age-4s-db (from CLI), target=spawned target_site, "
                                 "browsers=firefox (from env CONFORMANCE_BROWSERS), checks=all (from default), *"])


def test_test_ids_name_profile_and_browser(run_suite):
    result = run_suite("--collect-only", "-q", "--profile", "age-4s-db", "--check", "AGE-01")
    result.stdout.re_match_lines([
        re.escape("conformance/checks/test_cookie_age.py::test_max_age_is_the_configured_age[age-4s-db-chromium]"),
        re.escape("conformance/checks/test_cookie_age.py::test_max_age_is_the_configured_age[age-4s-db-firefox]"),
    ])


def test_duplicate_check_id_fails_collection(pytester):
    pytester.makeconftest('pytest_plugins = ["conformance.plugin"]')
    pytester.makepyfile(test_dup='''
        from conformance.checks.lifecycle import lifecycle
        from conformance.checks.test_cookie_age import FAMILY
        from conformance.judge.check import SETTINGS, check

        @check("DUP-01", family=FAMILY, scenario=lifecycle, doc=SETTINGS)
        def test_one(run):
            """One. "a quoted promise of twenty characters or more" """

        @check("DUP-01", family=FAMILY, scenario=lifecycle, doc=SETTINGS)
        def test_two(run):
            """Two. "a quoted promise of twenty characters or more" """
    ''')
    result = pytester.runpytest_subprocess("--collect-only", "--profile", "default-two-weeks")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: duplicate check id DUP-01: *test_one and *test_two"])


def test_server_that_cannot_start_is_an_error_with_its_log(pytester, tmp_path):
    """A profile whose site cannot start errors its checks (not fail), with the server's log, and
    leaves no process behind."""
    pytester.makeconftest('''
        from conformance.targets.profiles import Profile
        pytest_plugins = ["conformance.plugin"]

        def pytest_conformance_profiles(config):
            return [Profile("broken", "an engine that does not exist", {"SESSION_ENGINE": "no.such.engine"})]
    ''')
    pytester.makepyfile(test_reexport="from conformance.checks.test_cookie_attributes import test_cookie_name")
    result = pytester.runpytest_subprocess("--profile", "broken", "--browser", "chromium",
                                           f"--conformance-report={tmp_path / 'r.json'}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*server for profile broken exited with * before it was ready: *No module named 'no'*",
                                 "*1 error*"])
    report = json.loads((tmp_path / "r.json").read_text())
    assert [r["verdict"] for r in report["results"]] == ["error"]
    leftovers = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p).count("target_site.serve")
                 and "broken" in _environ(p)]
    assert leftovers == []


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    except OSError:
        return ""


def _environ(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/environ").read_text(errors="replace")
    except OSError:
        return ""


def test_mutant_profiles_are_not_offered_by_default(run_suite):
    result = run_suite("--profile", "mutant-strip-expiry")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: unknown profile mutant-strip-expiry (from CLI); known profiles: *"])


def test_a_plugin_adds_profiles(run_suite):
    result = run_suite("--collect-only", "-q", "-p", "conformance.tests.apparatus.mutants",
                       "--profile", "mutant-strip-expiry", "--check", "AGE-01")
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines(["*test_max_age_is_the_configured_age[[]mutant-strip-expiry-chromium[]]"])


def test_a_small_real_run_writes_the_report(run_suite, tmp_path):
    junit = tmp_path / "junit.xml"
    result = run_suite("--profile", "default-two-weeks", "--check", "AGE-01", "--check", "ATTR-0[15]",
                       "--browser", "chromium", "--junitxml", str(junit))
    assert result.ret == 0, result.stdout.str()[-2000:]
    result.stdout.fnmatch_lines(["*session conformance*", "default-two-weeks *P*", "*3 verdicts: 3 pass*"])
    raw = json.loads(result.report_path.read_text())
    assert raw["schema_version"] == 2 and {"started", "results", "summary"} <= raw.keys()
    for field in ("id", "family", "profile", "browser", "django", "verdict", "expected", "observed", "evidence",
                  "doc", "duration_s", "known"):
        assert field in raw["results"][0]
    report = load(result.report_path)
    assert report.django.startswith("5.2")
    assert sorted(r.id for r in report.results) == ["AGE-01", "ATTR-01", "ATTR-05"]
    first = report.results[0]
    assert first.verdict == "pass" and first.browser == "chromium" and first.key.django == report.django
    # Doc links point at the docs of the Django version the site runs.
    assert first.doc.startswith(f"https://docs.djangoproject.com/en/{'.'.join(report.django.split('.')[:2])}/")
    assert 'name="verdict" value="pass"' in junit.read_text()


def test_a_known_defect_that_does_not_fail_is_never_silent(run_suite, tmp_path):
    """Like a strict xfail: an expectations entry that no longer fails on this Django version fails
    the run, naming the entry to narrow."""
    expectations = tmp_path / "e.toml"
    expectations.write_text('[[known]]\ncheck = "AGE-01"\nprofile = "default-two-weeks"\ndjango = ">=4.2"\n'
                            'reason = "Imagined for the test."\nreproduction = "none"\n')
    result = run_suite("--profile", "default-two-weeks", "--check", "AGE-01", "--browser", "chromium",
                       f"--expectations={expectations}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["AGE-01 [[]chromium · default-two-weeks[]] passed on Django 5.2.*: a known Django "
                                 "defect was expected here but not seen*",
                                 "default-two-weeks *X*",
                                 "known Django defect NOT SEEN on Django 5.2.* "
                                 "(narrow its entry in expectations.toml): AGE-01 default-two-weeks chromium"])
    (entry,) = load(result.report_path).results
    assert entry.graded == "fixed" and entry.verdict == "pass" and entry.known_fixed == "Imagined for the test."
    # Narrowed to the versions it holds for, it no longer applies here.
    expectations.write_text(expectations.read_text().replace(">=4.2", ">=4.2,<5.2"))
    assert run_suite("--profile", "default-two-weeks", "--check", "AGE-01", "--browser", "chromium",
                     f"--expectations={expectations}").ret == pytest.ExitCode.OK


def test_an_unrunnable_django_is_one_line(run_suite):
    result = run_suite("--django", "banana")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --django 'banana': give a release line such as 5.2 (its newest patch) or an "
                                 "exact release such as 5.2.8 (from CLI)"])
    deployment = run_suite("--django", "6.1", "--base-url=https://staging.example.com/")
    deployment.stderr.fnmatch_lines(["ERROR: --django chooses the reference site's Django (from CLI); a deployment "
                                     "(https://staging.example.com/) runs its own"])
