"""The Deployment helper: the test deployment (apparatus/deployment/settings.py) under gunicorn over TLS.

No browsers: urllib over HTTPS, trusting the deployment's own throwaway
certificate (so the certificate's subjectAltName is checked too).
"""

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conformance.tests.apparatus.deployed import Deployment

TOKEN = "deploy-test-token"


@pytest.fixture(scope="module")
def probed():
    with Deployment(token=TOKEN, session_cookie_age=600, save_every_request=True) as dep:
        yield dep


@pytest.fixture(scope="module")
def unprobed():
    with Deployment(token=None) as dep:
        yield dep


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand the 3xx back so its Set-Cookie headers can be read


def opener(dep, follow_redirects=True):
    jar = http.cookiejar.CookieJar()
    handlers = [
        urllib.request.HTTPSHandler(context=dep.ssl_context()),
        urllib.request.HTTPCookieProcessor(jar),
    ]
    if not follow_redirects:
        handlers.append(_NoRedirect())
    return urllib.request.build_opener(*handlers), jar


def fetch(open_, url, data=None, headers=None):
    """(status, headers, body) without raising on 4xx/5xx or an unfollowed 3xx."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with open_(request, timeout=10) as resp:
            return resp.status, resp.headers, resp.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers, exc.read().decode()


def probe_settings(dep, token):
    open_, _ = opener(dep)
    headers = {} if token is None else {"X-Conformance-Token": token}
    return fetch(open_.open, dep.url("__conformance__/settings/"), headers=headers)


def test_probe_reports_deployment_settings_over_tls(probed):
    assert probed.base_url.startswith("https://127.0.0.1:")
    status, headers, body = probe_settings(probed, TOKEN)
    assert status == 200, body
    assert headers["Cache-Control"] == "no-store"
    settings = json.loads(body)["settings"]
    assert settings["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["SESSION_COOKIE_AGE"] == 600
    assert settings["SESSION_SAVE_EVERY_REQUEST"] is True


@pytest.mark.parametrize("token", ["wrong-token", None])
def test_probe_needs_the_token(probed, token):
    status, _, _ = probe_settings(probed, token)
    assert status == 404


def test_probe_absent_without_a_token(unprobed):
    assert unprobed.token is None
    status, _, _ = probe_settings(unprobed, TOKEN)
    assert status == 404
    # Defaults when the helper passes no overrides, seen from the login page working.
    status, _, body = fetch(opener(unprobed)[0].open, unprobed.url("accounts/login/"))
    assert status == 200 and 'id="login-submit"' in body


def login(dep, referer=True):
    """GET the login page, POST the form; returns (opener, status, Set-Cookie list)."""
    open_, jar = opener(dep, follow_redirects=False)
    login_url = dep.url("accounts/login/")
    status, _, page = fetch(open_.open, login_url)
    assert status == 200
    assert 'name="username"' in page and 'id="id_username"' in page
    assert 'id="login-submit"' in page
    csrf_form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert any(c.name == "csrftoken" and c.secure for c in jar)
    # Django checks Referer (or Origin) on HTTPS POSTs, as a browser would send them.
    headers = {"Referer": login_url} if referer else {}
    status, headers, _ = fetch(
        open_.open,
        login_url,
        data={"csrfmiddlewaretoken": csrf_form, "username": dep.username, "password": dep.password},
        headers=headers,
    )
    return open_, status, headers, headers.get_all("Set-Cookie") or []


def test_login_sets_a_host_prefixed_secure_cookie(unprobed):
    open_, status, headers, set_cookies = login(unprobed)
    assert status == 302 and headers["Location"] == "/account/"
    session = [c for c in set_cookies if c.startswith("__Host-sessionid=")]
    assert len(session) == 1, set_cookies
    attrs = [a.strip().lower() for a in session[0].split(";")[1:]]
    assert "secure" in attrs and "httponly" in attrs
    assert "samesite=lax" in attrs and "path=/" in attrs
    assert not any(a.startswith("domain=") for a in attrs)
    assert "max-age=1209600" in attrs

    status, _, body = fetch(open_.open, unprobed.url("account/"))
    assert status == 200
    assert f'<p id="whoami">Signed in as {unprobed.username}</p>' in body

    status, headers, _ = fetch(open_.open, unprobed.url("accounts/logout-now/"))
    assert status == 302 and headers["Location"] == "/accounts/login/"
    status, headers, _ = fetch(open_.open, unprobed.url("account/"))
    assert status == 302 and headers["Location"].startswith("/accounts/login/?next=")


def test_https_login_post_without_referer_is_refused(unprobed):
    _, status, _, set_cookies = login(unprobed, referer=False)
    assert status == 403
    assert not any(c.startswith("__Host-sessionid=") for c in set_cookies)
