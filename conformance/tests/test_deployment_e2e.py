"""The suite against a deployment it did not start, as a user runs it: target_site under a second
settings module (target_site.deployment_settings: __Host- cookie, Secure, cached_db), behind
gunicorn over TLS with a throwaway certificate, in probe mode and in black-box mode; plus the
sites it cannot judge (no probe, wrong token, untrusted certificate, unreachable), each one line
and exit code 4 (usage error)."""

import fnmatch
import json
import socket
from pathlib import Path

import pytest

from conformance.tests.apparatus.deployed import Deployment
from conformance.tests.apparatus.suite_env import importable_package  # noqa: F401  (autouse)

REPO = Path(__file__).resolve().parents[2]
CHECKS = str(REPO / "conformance" / "checks")
EXAMPLE = REPO / "conformance" / "examples" / "blackbox.toml"  # the README's: the Django admin
OWN_PAGES = REPO / "conformance" / "tests" / "apparatus" / "deployment" / "blackbox.toml"  # its own pages
TOKEN = "e2e-probe-token"

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def probe_site():
    """Django's defaults where the site has no opinion: a two-week age, saved when modified."""
    with Deployment(token=TOKEN) as site:
        yield site


@pytest.fixture(scope="module")
def bare_site():
    """The same deployment without the probe (the token setting is unset)."""
    with Deployment(token=None) as site:
        yield site


@pytest.fixture
def run_suite(pytester, tmp_path, monkeypatch):
    def run(*args, env=None):
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        report = tmp_path / "conformance.json"
        result = pytester.runpytest_subprocess(CHECKS, f"--conformance-report={report}", "-p", "no:cacheprovider",
                                               *args)
        result.report = json.loads(report.read_text()) if report.exists() else None
        return result
    return run


def _only_line(result) -> str:
    assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stdout.str()[-2000:]
    text = result.stderr.str() + result.stdout.str()
    assert "Traceback" not in text
    lines = [line for line in result.stderr.lines if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def _verdicts(report, check_id, profile=None):
    return {(r["profile"], r["browser"]): r["verdict"] for r in report["results"]
            if r["id"] == check_id and (profile is None or r["profile"] == profile)}


def test_probe_mode_judges_the_deployment_over_tls(run_suite, probe_site):
    result = run_suite(f"--base-url={probe_site.base_url}", "--probe-token", TOKEN, "--ignore-https-errors")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines([f"conformance: profiles=5 profiles (from default), target={probe_site.base_url} "
                                 "(probe, Django 5.2.*, from CLI)*"])
    report = result.report
    assert report["target"]["mode"] == "probe" and report["target"]["base_url"] == probe_site.base_url
    assert report["target"]["settings"]["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert report["summary"]["profiles"] == ["site-cached-db-age1209600", "site-cached-db-age1209600-expiry0",
                                             "site-cached-db-age1209600-expiry3s",
                                             "site-cached-db-age1209600-expiry3s-async",
                                             "site-cached-db-age1209600-fixed3s"]
    v = report["summary"]["verdicts"]
    assert v["error"] == 0 and v["fail"] == 0 and v["pass"] >= 110, v
    # The two-week age by arithmetic, the 3 s per-session expiry waited out for real, through TLS.
    assert set(_verdicts(report, "AGE-01").values()) == {"pass"}
    assert set(_verdicts(report, "AGE-04", "site-cached-db-age1209600-expiry3s").values()) == {"pass"}
    assert set(_verdicts(report, "SRV-01", "site-cached-db-age1209600-expiry3s").values()) == {"pass"}
    assert set(_verdicts(report, "CLOSE-02", "site-cached-db-age1209600-expiry0").values()) == {"pass"}
    assert set(_verdicts(report, "ATTR-04").values()) == {"pass"}
    age01 = next(r for r in report["results"] if r["id"] == "AGE-01" and r["profile"] == "site-cached-db-age1209600")
    assert "__Host-sessionid=" in age01["evidence"][0]["set_cookie"]
    assert "Max-Age=1209600" in age01["evidence"][0]["set_cookie"]


def _outward_address() -> str | None:
    """This machine's address on its network (no packet is sent), if it has one."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: any routable address picks the interface
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address


def test_probe_mode_on_a_host_that_is_not_loopback(run_suite):
    """A deployment on another host: its clock is not assumed to be ours but estimated from the
    probe's timestamps (here the same machine, reached through its network address)."""
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no network address other than loopback")
    with Deployment(token=TOKEN, host=address) as site:
        result = run_suite(f"--base-url={site.base_url}", "--probe-token", TOKEN, "--ignore-https-errors",
                           "--browser", "chromium", "--profile", "site-cached-db-age1209600-expiry3s",
                           "--profile", "site-cached-db-age1209600-fixed3s")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    v = result.report["summary"]["verdicts"]
    assert v["error"] == 0 and v["fail"] == 0 and v["pass"] >= 30, v
    assert set(_verdicts(result.report, "SRV-04").values()) == {"pass"}


def test_blackbox_mode_signs_in_and_waits_out_a_short_sliding_policy(run_suite, tmp_path):
    """The README's example (the Django admin's login, and its POST-only logout button) with the
    deployment's policy: idle timeout 4 s renewed by every request, absolute timeout 12 s."""
    config = tmp_path / "site.toml"
    config.write_text(EXAMPLE.read_text().replace("age = 1209600", "age = 4").replace(
        "sliding = false", "sliding = true").replace('"sessionid"', '"__Host-sessionid"').replace(
        "secure = false", "secure = true") + "absolute_timeout = 12\n")
    with Deployment(token=None, session_cookie_age=4, save_every_request=True,
                    env={"DEPLOY_ABSOLUTE_TIMEOUT": "12"}) as site:
        result = run_suite(f"--base-url={site.base_url}", f"--blackbox={config}", "--ignore-https-errors",
                           env={"SITE_USERNAME": site.username, "SITE_PASSWORD": site.password})
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines([f"*target={site.base_url} (black-box, from CLI)*"])
    report = result.report
    assert report["target"]["mode"] == "black-box"
    assert report["summary"]["profiles"] == ["blackbox-__Host-sessionid-age4-sliding-absolute12"]
    v = report["summary"]["verdicts"]
    assert v["error"] == 0 and v["fail"] == 0 and v["pass"] >= 30, v
    # Sliding on reads, expiry in the browser and on the server, logout: all from its own pages.
    for check_id in ("AGE-01", "AGE-04", "REN-01", "REN-02", "REN-05", "SRV-01", "SRV-02", "SRV-04", "SRV-05",
                     "ATTR-01"):
        assert set(_verdicts(report, check_id).values()) == {"pass"}, check_id
    # Cache safety from the admin's own pages: sign-in, the signed-in page (never_cache), logout.
    for check_id in ("CACHE-01", "CACHE-02", "CACHE-04", "CACHE-05", "CACHE-06", "CACHE-07", "CACHE-08",
                     "CACHE-09"):
        assert set(_verdicts(report, check_id).values()) == {"pass"}, check_id
    assert set(_verdicts(report, "CACHE-03").values()) == {"skip"}  # the example names no public page
    assert set(_verdicts(report, "REN-04").values()) == {"skip"}


def test_blackbox_mode_judges_cache_safety_from_the_sites_own_pages(run_suite, tmp_path):
    """The deployment's own config (its public about/ page, its never_cache account page), on a
    site that saves every request: the public page re-sends the cookie, and varies on Cookie."""
    config = tmp_path / "site.toml"
    config.write_text(OWN_PAGES.read_text().replace("sliding = false", "sliding = true"))
    with Deployment(token=None, save_every_request=True) as site:
        result = run_suite(f"--base-url={site.base_url}", f"--blackbox={config}", "--ignore-https-errors",
                           "--check", "CACHE-*", env={"SITE_USERNAME": site.username, "SITE_PASSWORD": site.password})
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    for check_id in ("CACHE-01", "CACHE-02", "CACHE-03", "CACHE-04", "CACHE-05", "CACHE-06", "CACHE-07", "CACHE-08",
                     "CACHE-09"):
        assert set(_verdicts(result.report, check_id).values()) == {"pass"}, check_id


def test_blackbox_mode_catches_a_broken_deployment(run_suite, tmp_path):
    """A middleware stripping Max-Age (as a misconfigured proxy might) is in the path and judged."""
    config = tmp_path / "site.toml"
    config.write_text(OWN_PAGES.read_text().replace("age = 1209600", "age = 3"))
    with Deployment(token=None, session_cookie_age=3, env={"DEPLOY_VARIANT": "strip-expiry"}) as site:
        result = run_suite(f"--base-url={site.base_url}", f"--blackbox={config}", "--ignore-https-errors",
                           "--browser", "chromium", "--check", "AGE-0[14]",
                           env={"SITE_USERNAME": site.username, "SITE_PASSWORD": site.password})
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([
        "AGE-01 [[]chromium · blackbox-__Host-sessionid-age3[]] expected Max-Age=3; observed no Max-Age and no Expires "
        "(a browser-length cookie) *",
        "AGE-04 [[]chromium · blackbox-__Host-sessionid-age3[]] expected no __Host-sessionid in the Cookie header*"])


def test_blackbox_mode_catches_a_missing_absolute_timeout(run_suite, tmp_path):
    """The policy promises an absolute timeout the site does not enforce: a busy session lives on."""
    config = tmp_path / "site.toml"
    config.write_text(OWN_PAGES.read_text().replace("age = 1209600", "age = 3").replace(
        "sliding = false", "sliding = true") + "absolute_timeout = 5\n")
    with Deployment(token=None, session_cookie_age=3, save_every_request=True) as site:
        result = run_suite(f"--base-url={site.base_url}", f"--blackbox={config}", "--ignore-https-errors",
                           "--browser", "firefox", "--check", "SRV-05",
                           env={"SITE_USERNAME": site.username, "SITE_PASSWORD": site.password})
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    result.stdout.fnmatch_lines(["SRV-05 [[]firefox · blackbox-__Host-sessionid-age3-sliding-absolute5[]] expected "
                                 "signed in until 5 s after sign-in while busy (a read every 1.5 s; the same account "
                                 "signed in again at +*), then signed out; observed still signed in after 5 s via "
                                 "browser, replay*"])


@pytest.mark.parametrize("edit, expected, password_ok", [
    (lambda t: t, "sign-in: the site did not sign the account in: the login form came back (HTTP 200 at "
                  "https://*/accounts/login/); the page says 'Please enter a correct username and password.*'; "
                  "no '__Host-sessionid' cookie was set (cookies set: csrftoken): check the credentials in "
                  "SITE_USERNAME/SITE_PASSWORD*", False),
    (lambda t: t.replace('"#id_password"', '"#id_passwd"'),
     "sign-in: [[]login[]] password_field '#id_passwd': not found on the page, at *accounts/login/ (check *", True),
    (lambda t: t.replace('text = "Signed in as"', 'text = "Welcome back"'),
     "after signing in, *account/ does not show [[]signed_in[]] text 'Welcome back' (check *", True),
    (lambda t: t.replace('url = "account/"', 'url = "account"'),
     "*/account refused the session cookie replayed without the browser's other cookies or "
     "redirects: use the page's final URL (a trailing slash?)*", True),
    (lambda t: t.replace('url = "account/"', 'url = "accounts/login/"').replace('"Signed in as"', '"Password"'),
     "*/accounts/login/ shows [[]signed_in[]] text 'Password' without signing in*", True),
    (lambda t: t.replace('"accounts/logout-now/"', '"accounts/logout/"'),
     "logout: [[]logout[]] url *accounts/logout/: the wrong method: the site answered 405 Method Not Allowed "
     "(a GET logout? Django's is POST-only: *", True),
])
def test_blackbox_setup_mistakes_are_one_line(run_suite, tmp_path, bare_site, edit, expected, password_ok):
    """A wrong password, selector, signed-in page or text, or a GET on a POST-only logout is bad
    input, found by signing in once before anything is judged."""
    config = tmp_path / "site.toml"
    config.write_text(edit(OWN_PAGES.read_text()))
    password = bare_site.password if password_ok else "wrong"
    line = _only_line(run_suite(f"--base-url={bare_site.base_url}", f"--blackbox={config}", "--ignore-https-errors",
                                env={"SITE_USERNAME": bare_site.username, "SITE_PASSWORD": password}))
    assert fnmatch.fnmatch(line, f"ERROR: black-box sign-in failed in chromium: {expected}"), line


def test_site_without_probe_is_one_line(run_suite, bare_site):
    line = _only_line(run_suite(f"--base-url={bare_site.base_url}", "--probe-token", TOKEN, "--ignore-https-errors"))
    assert line.startswith(f"ERROR: {bare_site.base_url} has no conformance probe answering this token")
    assert "--blackbox FILE, CONFORMANCE_BLACKBOX or make BLACKBOX=" in line


def test_no_token_and_no_config_names_both_ways_in(run_suite, bare_site):
    line = _only_line(run_suite(f"--base-url={bare_site.base_url}"))
    assert "install the probe and give its token (--probe-token, CONFORMANCE_PROBE_TOKEN" in line
    assert "--blackbox FILE" in line


def test_wrong_token_is_one_line(run_suite, probe_site):
    line = _only_line(run_suite(f"--base-url={probe_site.base_url}", "--probe-token", "wrong", "--ignore-https-errors"))
    assert "has no conformance probe answering this token" in line and "check the token" in line


def test_untrusted_certificate_says_how_to_accept_it(run_suite, probe_site):
    line = _only_line(run_suite(f"--base-url={probe_site.base_url}", "--probe-token", TOKEN))
    assert "CERTIFICATE_VERIFY_FAILED" in line and "--ignore-https-errors" in line


def test_unreachable_url_is_one_line(run_suite):
    line = _only_line(run_suite("--base-url=https://127.0.0.1:9/", "--probe-token", TOKEN))
    assert line.startswith("ERROR: cannot reach https://127.0.0.1:9/")
