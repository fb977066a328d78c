"""Deriving a deployment's profiles from what its probe reports (pure), and the one-line errors
for a site that cannot be judged (a real HTTP server on loopback, no browser)."""

import http.server
import json
import threading

import pytest

from conformance.observe.campaign import restart_batches
from conformance.observe.launch import remote_launch_options
from conformance.observe.scenario import ScenarioKey
from conformance.targets import deployment
from conformance.targets.deployment import Deployment, DeploymentError, discover, profiles_for
from conformance.targets.promises import promise_for
from conformance.targets.target import PROBE, Target

DB = "django.contrib.sessions.backends.db"


def test_profiles_name_the_configuration_and_add_short_expiries():
    names = [p.name for p in profiles_for({"SESSION_ENGINE": DB, "SESSION_COOKIE_AGE": 1209600})]
    assert names == ["site-db-age1209600", "site-db-age1209600-expiry3s", "site-db-age1209600-fixed3s",
                     "site-db-age1209600-expiry0", "site-db-age1209600-expiry3s-async"]


def test_browser_close_site_needs_no_expiry0_and_whole_second_backends_get_4s():
    settings = {"SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies", "SESSION_COOKIE_AGE": 600,
                "SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_SAVE_EVERY_REQUEST": True}
    names = [p.name for p in profiles_for(settings)]
    assert names == ["site-signed-cookies-age600-browser-close-save-every-request",
                     "site-signed-cookies-age600-browser-close-save-every-request-expiry4s",
                     "site-signed-cookies-age600-browser-close-save-every-request-fixed4s",
                     "site-signed-cookies-age600-browser-close-save-every-request-expiry4s-async"]


def test_custom_backend_is_labelled_custom():
    assert profiles_for({"SESSION_ENGINE": "myproject.sessions", "SESSION_COOKIE_AGE": 60})[0].name == \
        "site-custom-sessions-age60"


def test_short_expiry_makes_a_two_week_site_waitable():
    site, short, fixed, zero, short_async = profiles_for({"SESSION_ENGINE": DB, "SESSION_COOKIE_AGE": 1209600})
    settings = {"SESSION_ENGINE": DB, "SESSION_COOKIE_AGE": 1209600}
    assert not promise_for(settings, site.expiry).waitable
    assert promise_for(settings, short.expiry).max_age == 3 and promise_for(settings, short.expiry).waitable
    assert promise_for(settings, fixed.expiry).fixed_deadline
    assert promise_for(settings, zero.expiry).browser_length
    assert short_async.expiry == short.expiry and short_async.session_api == "async"


def test_the_async_profile_is_skipped_on_a_django_without_the_async_session_api():
    deployment = Deployment("https://site.example/", "t", {"SESSION_ENGINE": DB, "SESSION_COOKIE_AGE": 60}, "5.0.14",
                            profiles_for({"SESSION_ENGINE": DB, "SESSION_COOKIE_AGE": 60}))
    targets = [deployment.target_for(p) for p in deployment.profiles]
    assert [t.unavailable for t in targets[:-1]] == ["", "", "", ""]
    assert "new in Django 5.1; this site runs Django 5.0.14" in targets[-1].unavailable
    assert targets[-1].probe_url("start") == "https://site.example/__conformance__/async/start/"
    assert targets[0].probe_url("start") == "https://site.example/__conformance__/start/"


def test_restart_batches_never_put_two_profiles_of_one_host_together():
    def target(name, url):
        return Target(name, PROBE, url, "t", {}, "5.2")
    targets = {"a": target("a", "https://site.example/"), "b": target("b", "https://site.example/"),
               "c": target("c", "http://127.0.0.10:8000/")}
    keys = [ScenarioKey("restart-context", n, "chromium") for n in ("a", "b", "c")]
    batches = restart_batches(keys, targets)
    assert [[k.target for k in b] for b in batches] == [["a", "c"], ["b"]]


def test_remote_launch_options_are_camel_case():
    assert remote_launch_options({"executable_path": "/usr/bin/chromium", "args": ["--no-sandbox"],
                                  "channel": None}) == {"executablePath": "/usr/bin/chromium",
                                                         "args": ["--no-sandbox"]}


class _Site(http.server.BaseHTTPRequestHandler):
    answers: dict = {}

    def do_GET(self):
        status, body = self.answers.get(self.path, (404, b"not found"))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_discover_reads_settings(site):
    _Site.answers = {"/__conformance__/settings/": (200, json.dumps(
        {"django": "5.2.19", "settings": {"SESSION_ENGINE": DB, "SESSION_COOKIE_AGE": 60}}).encode())}
    found = discover(site, "t")
    assert found.base_url == site + "/" and found.django == "5.2.19"
    assert found.profiles[0].name == "site-db-age60"
    assert found.describe()["mode"] == "probe"
    target = found.target_for(found.profiles[1])
    assert (target.mode, target.profile, target.expiry, target.django) == (PROBE, "site-db-age60-expiry3s",
                                                                          ("int:3",), "5.2.19")
    assert "relaunch" in target.lacks  # the short per-session expiries leave the relaunch to the others


@pytest.mark.parametrize("answers, token, message", [
    ({}, "t", "has no conformance probe answering this token"),
    ({"/__conformance__/settings/": (200, b"<html>")}, "t", "did not answer JSON"),
    ({"/__conformance__/settings/": (200, b'{"settings": {}}')}, "t", "did not report SESSION_"),
    ({}, None, "no probe token for"),
])
def test_discover_errors_are_one_line(site, answers, token, message):
    _Site.answers = answers
    with pytest.raises(DeploymentError, match=message) as info:
        discover(site, token)
    assert "\n" not in str(info.value)


def test_unreachable_url_is_one_line():
    with pytest.raises(DeploymentError, match="cannot reach http://127.0.0.1:9/"):
        deployment.discover("http://127.0.0.1:9", "t")
