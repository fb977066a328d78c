"""The cache-safety family against a real caching reverse proxy (nginx) in front of the test
deployment, in probe mode, in both browsers. Careless (the speed-up guides' "cache anonymous pages,
ignore Set-Cookie"): the session leaks and the behavioural checks catch it although every header
Django sent looks right, while every other family still judges what the server really did (the
suite's own requests are never answered from a cache). Careful (nginx's defaults): no false alarm."""

import json
import shutil
from pathlib import Path

import pytest

from conformance.tests.apparatus.deployed import Deployment
from conformance.tests.apparatus.nginx import NGINX, CachingProxy

REPO = Path(__file__).resolve().parents[2]
CHECKS = str(REPO / "conformance" / "checks")
TOKEN = "proxy-probe-token"
PROFILE = "site-cached-db-age1209600"  # the site's own configuration; the per-session expiries add nothing here
pytest_plugins = ["pytester"]

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None and not Path(NGINX).exists(),
                                reason="nginx is not installed (make test installs it: apt-get install nginx)")


@pytest.fixture(scope="module")
def site():
    with Deployment(token=TOKEN) as deployment:
        yield deployment


@pytest.fixture
def run_behind(pytester, tmp_path, monkeypatch, site):
    monkeypatch.setenv("PYTHONPATH", str(REPO))

    def run(careless: bool):
        report = tmp_path / "conformance.json"
        with CachingProxy(site, careless=careless) as proxy:
            result = pytester.runpytest_subprocess(CHECKS, "-p", "no:cacheprovider", f"--base-url={proxy.base_url}",
                                                   "--probe-token", TOKEN, "--ignore-https-errors", "--profile",
                                                   PROFILE, f"--conformance-report={report}",
                                                   f"--html-report={tmp_path / 'r.html'}")
        result.report = json.loads(report.read_text())
        return result
    return run


def _by_verdict(report, verdict):
    return {(r["id"], r["browser"]) for r in report["results"] if r["verdict"] == verdict}


def test_a_careless_proxy_leaks_sessions_and_only_the_cache_family_says_so(run_behind):
    result = run_behind(careless=True)
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    failed = _by_verdict(result.report, "fail")
    assert failed == {(check, browser) for check in ("CACHE-05", "CACHE-06", "CACHE-07")
                      for browser in ("chromium", "firefox")}, failed
    assert not _by_verdict(result.report, "error")
    # The headers Django sent were right: only behaviour shows the leak.
    assert {(c, b) for c, b in _by_verdict(result.report, "pass") if c in ("CACHE-01", "CACHE-04")} == \
        {(c, b) for c in ("CACHE-01", "CACHE-04") for b in ("chromium", "firefox")}
    result.stdout.fnmatch_lines(["*visitor b was handed visitor a's session*"])


def test_a_careful_proxy_is_no_false_alarm(run_behind):
    result = run_behind(careless=False)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    assert not _by_verdict(result.report, "fail") and not _by_verdict(result.report, "error")
    assert len(_by_verdict(result.report, "pass")) >= 30
