"""Black-box mode against the sign-in shapes real sites have, each served by the test deployment
(apparatus/deployment: DEPLOY_LOGIN, DEPLOY_LOGOUT_MENU, DEPLOY_IDLE_TIMEOUT, ...), in both
browsers: a "Remember me" box (two profiles, each judged by its own promise), a logout behind a
menu, an auto-logout middleware's idle and absolute timeouts counted per session (and one that
counts from the account's last sign-in), and session fixation tried from a shop's anonymous cart."""

import fnmatch
import json
from pathlib import Path

import pytest

from conformance.tests.apparatus.deployed import Deployment
from conformance.tests.apparatus.suite_env import importable_package  # noqa: F401  (autouse)

REPO = Path(__file__).resolve().parents[2]
CHECKS = str(REPO / "conformance" / "checks")
OWN_PAGES = REPO / "conformance" / "tests" / "apparatus" / "deployment" / "blackbox.toml"
pytest_plugins = ["pytester"]

REMEMBER = 'remember = "label.remember-me input"\n'
MENU_LOGOUT = """[logout]
steps = [{ goto = "account/" }, { click = "button.account-menu" }, { submit = "#account-menu button[type=submit]" }]
"""


@pytest.fixture
def judge_site(pytester, tmp_path):
    """Run the suite in black-box mode against `site` with a config made from the deployment's
    own (`edit` applied to its text); the JSON report is on the result."""
    def run(site, edit, *args):
        config, report = tmp_path / "site.toml", tmp_path / "conformance.json"
        config.write_text(edit(OWN_PAGES.read_text()))
        pytester._monkeypatch.setenv("SITE_USERNAME", site.username)
        pytester._monkeypatch.setenv("SITE_PASSWORD", site.password)
        result = pytester.runpytest_subprocess(CHECKS, f"--conformance-report={report}", "-p", "no:cacheprovider",
                                               f"--html-report={tmp_path / 'conformance.html'}",
                                               f"--base-url={site.base_url}", f"--blackbox={config}",
                                               "--ignore-https-errors", *args)
        result.report = json.loads(report.read_text()) if report.exists() else None
        return result
    return run


def _verdicts(report, check_id):
    return {(r["profile"], r["browser"]): r["verdict"] for r in report["results"] if r["id"] == check_id}


def _notes(report, check_id):
    return [f"expected {r['expected']}; observed {r['observed']}" for r in report["results"]
            if r["id"] == check_id]


def _policy(text: str, **values) -> str:
    """The deployment's config with [policy] keys replaced or added."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("[policy]"))
    for key, value in values.items():
        found = [i for i, line in enumerate(lines) if line.split("=")[0].strip() == key and i > at]
        if found:
            lines[found[0]] = f"{key} = {value}"
        else:
            lines.insert(at + 1, f"{key} = {value}")
    return "\n".join(lines) + "\n"


def _logout(text: str, section: str) -> str:
    """The deployment's config with its [logout] section replaced."""
    start = text.index("[logout]")
    end = text.index("\n[", start)
    return text[:start] + section + text[end:]


def test_remember_me_is_judged_as_two_profiles(judge_site):
    """Ticked: Max-Age = the age; unticked: set_expiry(0), a browser-length cookie. Both promises
    hold, each in its own profile whose name says which."""
    with Deployment(token=None, login="remember", session_cookie_age=3) as site:
        result = judge_site(site, lambda t: _policy(t.replace('submit = "#login-submit"\n',
                                                              'submit = "#login-submit"\n' + REMEMBER), age=3),
                            "--check", "AGE-0[134]", "--check", "CLOSE-01")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    ticked = "blackbox-__Host-sessionid-age3-remembered"
    unticked = "blackbox-__Host-sessionid-age3-not-remembered-expiry0"
    assert result.report["summary"]["profiles"] == [unticked, ticked]
    for browser in ("chromium", "firefox"):
        assert _verdicts(result.report, "AGE-01")[(ticked, browser)] == "pass"
        assert _verdicts(result.report, "AGE-01")[(unticked, browser)] == "pass"
        assert _verdicts(result.report, "AGE-04")[(ticked, browser)] == "pass"
        assert _verdicts(result.report, "CLOSE-01")[(unticked, browser)] == "pass"
    assert any("browser-length (set_expiry(0))" in n for n in _notes(result.report, "AGE-01"))


def test_an_unticked_box_the_config_does_not_name_is_named_in_the_failure(judge_site):
    """A config copied without [login] remember signs in with the box unticked: the cookie is
    browser-length, AGE-01 fails, and both the preflight and the failure say why."""
    with Deployment(token=None, login="remember", session_cookie_age=3) as site:
        result = judge_site(site, lambda t: _policy(t, age=3), "--check", "AGE-01", "--browser", "chromium")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    (note,) = _notes(result.report, "AGE-01")
    assert fnmatch.fnmatch(note, "expected Max-Age=3; observed no Max-Age and no Expires (a browser-length cookie); "
                                 "the login form had unticked checkboxes (remember)*[[]login[]] remember*"), note
    result.stdout.fnmatch_lines(["*PreflightWarning: the login form's checkboxes remember were left unticked*"])


def test_logout_behind_a_menu_is_steps_and_deletes_the_cookie(judge_site):
    with Deployment(token=None, logout_menu=True, session_cookie_age=3) as site:
        result = judge_site(site, lambda t: _policy(_logout(t, MENU_LOGOUT), age=3),
                            "--check", "SRV-02", "--check", "AUTH-03")
        assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
        for check_id in ("SRV-02", "AUTH-03"):
            assert set(_verdicts(result.report, check_id).values()) == {"pass"}, check_id
        # Without opening the menu, the button is there but hidden: the preflight says which step and why.
        skip_menu = MENU_LOGOUT.replace('{ click = "button.account-menu" }, ', "")
        result = judge_site(site, lambda t: _policy(_logout(t, skip_menu), age=3),
                            "--check", "SRV-02", "--browser", "chromium")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    line = [line for line in result.stderr.lines if line.strip()][-1]
    assert fnmatch.fnmatch(line, "ERROR: black-box sign-in failed in chromium: logout: [[]logout[]] step 2 (submit) "
                                 "'#account-menu button[[]type=submit[]]': *hidden*"), line


IDLE_ABSOLUTE = dict(age=1209600, sliding="true", idle_timeout=3, absolute_timeout=12)


def test_idle_and_absolute_timeouts_counted_per_session(judge_site):
    """An auto-logout middleware (idle 3 s, absolute 12 s from this session's sign-in) under a
    two-week cookie: the session survives activity, ends when idle and when too old, whatever the
    other sessions of the account do; every message states the keep-alive interval."""
    with Deployment(token=None, idle_timeout=3, absolute_timeout=12) as site:
        result = judge_site(site, lambda t: _policy(t, **IDLE_ABSOLUTE), "--check", "IDLE-*", "--check", "SRV-05")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    profile = "blackbox-__Host-sessionid-age1209600-sliding-idle3-absolute12"
    assert result.report["summary"]["profiles"] == [profile]
    for check_id in ("IDLE-01", "IDLE-02", "IDLE-03", "SRV-05"):
        assert _verdicts(result.report, check_id) == {(profile, "chromium"): "pass", (profile, "firefox"): "pass"}


def test_an_absolute_timeout_counted_from_the_last_sign_in_fails_in_both_browsers(judge_site):
    """django-auto-logout's SESSION_TIME counts from user.last_login: the run's second sign-in of
    the account moves the first session's deadline, and the message says so."""
    with Deployment(token=None, idle_timeout=3, absolute_timeout=12, timeouts_from="last_login") as site:
        result = judge_site(site, lambda t: _policy(t, **IDLE_ABSOLUTE), "--check", "SRV-05")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    assert set(_verdicts(result.report, "SRV-05").values()) == {"fail"}
    for note in _notes(result.report, "SRV-05"):
        assert "counts from the account's last sign-in" in note and "a read every 1.5 s" in note, note


def test_sign_in_from_a_shops_anonymous_session_cycles_the_key(judge_site):
    """The shop gives an anonymous visitor a session; signing in from it issues a new key, and the
    old one does not reach the account."""
    with Deployment(token=None) as site:
        result = judge_site(site, lambda t: t.replace('public = ["about/"]', 'public = ["about/"]\n'
                                                                         'anonymous_session = ["shop/"]'),
                            "--check", "AUTH-0[12]")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    for check_id in ("AUTH-01", "AUTH-02"):
        assert set(_verdicts(result.report, check_id).values()) == {"pass"}, check_id


SHORT_SLIDING = dict(age=4, sliding="true")
PACED_CHECKS = ("--check", "AGE-0[14]", "--check", "SRV-0[124]", "--check", "REN-0[125]", "--check", "CACHE-0[1234]")


def test_a_login_rate_limit_slows_the_run_down_and_every_check_is_still_judged(judge_site):
    """django-ratelimit allows 3 sign-ins in 15 s per address; the run needs ten in its first seconds.
    The site refuses the rest (HTTP 403); the run slows down, signs in again, and judges everything."""
    with Deployment(token=None, login_rate="3/15s", session_cookie_age=4, save_every_request=True) as site:
        result = judge_site(site, lambda t: _policy(t, **SHORT_SLIDING), *PACED_CHECKS)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    sign_ins = result.report["timings"]["sign_ins"]
    assert sign_ins["refused"] >= 1 and sign_ins["final_interval_s"] > sign_ins["interval_s"], sign_ins
    assert all(r["verdict"] not in ("error", "fail") for r in result.report["results"])
    result.stdout.fnmatch_lines(["sign-ins: * accepted, at most one every 0.5 s (--sign-in-rate 2/s); the site "
                                 "refused * (the site answered HTTP 403 at https://*/accounts/login/*), so the run "
                                 "slowed to one every * s"])


def test_the_sites_own_limit_given_as_the_pace_is_never_exceeded(judge_site):
    with Deployment(token=None, login_rate="3/15s", session_cookie_age=4, save_every_request=True) as site:
        result = judge_site(site, lambda t: _policy(t, **SHORT_SLIDING), "--check", "AGE-0[14]",
                            "--check", "SRV-02", "--sign-in-rate", "1/5s")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    assert result.report["timings"]["sign_ins"]["refused"] == 0


def test_a_correct_site_behind_an_account_lockout_is_clean(judge_site):
    """django-axes counts failed sign-ins only: the suite's, all with the right password, never lock it."""
    with Deployment(token=None, lockout_after=2, session_cookie_age=4, save_every_request=True) as site:
        result = judge_site(site, lambda t: _policy(t, **SHORT_SLIDING), "--check", "AGE-0[14]", "--check", "SRV-02",
                            "--check", "AUTH-03")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]


def test_a_locked_out_account_is_said_as_the_site_says_it(judge_site, pytester):
    """A first sign-in that fails is bad input, one line; its words are the site's: here django-axes'
    lockout (after one failed sign-in with a wrong password), HTTP 429."""
    with Deployment(token=None, lockout_after=1) as site:
        right = site.password
        site.password = "wrong"
        assert judge_site(site, lambda t: t, "--check", "AGE-01").ret == pytest.ExitCode.USAGE_ERROR
        site.password = right
        result = judge_site(site, lambda t: t, "--check", "AGE-01")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    line = [line for line in result.stderr.lines if line.strip()][-1]
    assert fnmatch.fnmatch(line, "ERROR: black-box sign-in failed in chromium: sign-in: the site did not sign the "
                                 "account in: the site answered HTTP 429 at https://*/accounts/login/; the page says "
                                 "'Account locked: too many login attempts.*'*: the site refuses this sign-in (HTTP "
                                 "429): is the account locked out, or this address rate-limited?*"), line
