"""Unit tests for the conformance probe app, via Django's test Client.

Django is configured once, in-process, with explicit settings mirroring
target_site (in-memory SQLite), so no environment variables are involved.
"""

import pytest

TOKEN = "probe-token"
HDR = {"X-Conformance-Token": TOKEN}
P = "/__conformance__/"


@pytest.fixture(scope="session")
def django_ready():
    import django
    from django.conf import settings
    from django.core.management import call_command

    if not settings.configured:
        settings.configure(
            SECRET_KEY="test-only",
            ALLOWED_HOSTS=["testserver"],
            INSTALLED_APPS=[
                "django.contrib.contenttypes",
                "django.contrib.auth",
                "django.contrib.sessions",
                "conformance.probe",
                "target_site.pages",
            ],
            MIDDLEWARE=[
                "django.contrib.sessions.middleware.SessionMiddleware",
                "django.middleware.common.CommonMiddleware",
                "django.middleware.csrf.CsrfViewMiddleware",
                "django.contrib.auth.middleware.AuthenticationMiddleware",
            ],
            ROOT_URLCONF="target_site.urls",
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
            USE_TZ=True,
            CONFORMANCE_PROBE_TOKEN=TOKEN,
        )
        django.setup()
    call_command("migrate", verbosity=0, run_syncdb=True)


@pytest.fixture
def client(django_ready):
    from django.test import Client

    return Client()


@pytest.fixture(params=["", "async/"], ids=["sync", "async"])
def api(request):
    """The probe's actions as sync views, and as async views through Django's async session API."""
    return request.param


def get(client, endpoint, headers=HDR, **params):
    return client.get(P + endpoint, params, headers=headers)


def session_cookie_set(response):
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME in response.cookies


@pytest.mark.parametrize("endpoint", ["start/", "read/", "touch/", "logout/", "settings/"])
def test_inert_without_token_setting(client, api, endpoint):
    from django.test import override_settings

    for value in ("", None):
        with override_settings(CONFORMANCE_PROBE_TOKEN=value):
            r = get(client, api + endpoint if endpoint != "settings/" else endpoint)
        assert r.status_code == 404
        assert r["Cache-Control"] == "no-store"
        assert not session_cookie_set(r)


@pytest.mark.parametrize("headers", [{}, {"X-Conformance-Token": "wrong"}])
def test_404_with_missing_or_wrong_token(client, api, headers):
    r = get(client, api + "start/", headers=headers)
    assert r.status_code == 404 and r.json() == {"error": "not found"}
    assert not session_cookie_set(r)
    assert client.post(P + api + "start/", headers=headers).status_code == 404


def test_happy_path(client, api):
    r = get(client, api + "start/")
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    body = r.json()
    assert set(body) == {
        "action", "server_time", "cookie_header", "cookie_name",
        "session_cookie", "accepted", "probe_session", "stored", "signed_in", "touches",
    }
    assert body["action"] == "start" and body["probe_session"] is True
    assert body["accepted"] is False and body["session_cookie"] is None
    assert set(body["stored"]) == {
        "expiry_age", "expiry_date", "browser_close", "custom_expiry", "backend_expire_date",
    }
    assert body["stored"]["expiry_age"] == 1209600
    assert session_cookie_set(r)
    key = r.cookies["sessionid"].value

    r = get(client, api + "read/")
    body = r.json()
    assert body["accepted"] is True and body["session_cookie"] == key
    assert body["cookie_header"] == f"sessionid={key}"
    assert body["stored"]["backend_expire_date"] == pytest.approx(
        body["stored"]["expiry_date"], abs=5
    )
    assert not session_cookie_set(r), "read must not re-send the cookie"

    r = get(client, api + "touch/")
    assert r.json()["accepted"] is True and session_cookie_set(r)
    marker = client.session["_conformance_probe"]
    assert marker["touches"] == 1 and len(marker["nonce"]) == 16

    r = get(client, api + "logout/")
    body = r.json()
    assert body["accepted"] is True
    assert body["probe_session"] is False and body["stored"] is None
    body = get(client, api + "read/").json()
    assert body["accepted"] is False and body["probe_session"] is False


def test_restart_flushes_previous_probe_session(client, api):
    first = get(client, api + "start/").cookies["sessionid"].value
    r = get(client, api + "start/")
    assert r.json()["accepted"] is True
    assert r.cookies["sessionid"].value != first


@pytest.mark.parametrize(
    "specs, custom, browser_close, age",
    [
        (["int:5"], 5, False, 5),
        (["int:0"], 0, True, 1209600),
        (["none"], None, False, 1209600),
        (["int:5", "none"], None, False, 1209600),
        (["datetime:60"], str, False, 60),
        (["timedelta:60"], str, False, 60),
    ],
)
def test_expiry_specs(client, api, specs, custom, browser_close, age):
    stored = get(client, api + "start/", expiry=specs).json()["stored"]
    if custom is str:
        assert isinstance(stored["custom_expiry"], str)
    else:
        assert stored["custom_expiry"] == custom
    assert stored["browser_close"] is browser_close
    assert stored["expiry_age"] == pytest.approx(age, abs=2)
    assert get(client, api + "read/").json()["stored"]["custom_expiry"] == stored["custom_expiry"]


@pytest.mark.parametrize("spec", ["int:x", "foo", "int:", "datetime", "None"])
def test_bad_expiry_spec(client, api, spec):
    r = get(client, api + "start/", expiry=["int:5", spec])
    assert r.status_code == 400
    assert "int:N" in r.json()["error"] and "timedelta:N" in r.json()["error"]
    assert not session_cookie_set(r)


def test_backend_expire_date_null_for_cache_backend(client, api):
    from django.test import override_settings

    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        get(client, api + "start/", expiry=["int:30"])
        stored = get(client, api + "read/").json()["stored"]
    assert stored["expiry_age"] == 30 and stored["backend_expire_date"] is None


def test_non_probe_session_untouched(client, api):
    client.get("/remember/", {"value": "keep-me"})
    key = client.cookies["sessionid"].value
    r = get(client, api + "start/")
    assert r.status_code == 409
    assert r.json() == {
        "error": "a non-probe session is active in this browser; use a fresh context"
    }
    for endpoint in ("read/", "touch/", "logout/"):
        r = get(client, api + endpoint if endpoint != "settings/" else endpoint)
        body = r.json()
        assert body["accepted"] is False and body["probe_session"] is False
        assert body["stored"] is None and body["session_cookie"] == key
        assert not session_cookie_set(r)
    assert client.session.get("remembered") == "keep-me"
    assert b"keep-me" in client.get("/recall/").content


def test_settings_lists_only_session_keys(client):
    from django.test import override_settings

    with override_settings(SESSION_COOKIE_AGE=7):
        body = get(client, "settings/").json()
    assert set(body) == {"django", "settings"}
    names = set(body["settings"])
    assert names and all(n.startswith("SESSION_") for n in names)
    assert {"SESSION_ENGINE", "SESSION_COOKIE_AGE"} <= names
    assert body["settings"]["SESSION_COOKIE_AGE"] == 7


@pytest.mark.parametrize("headers", [{}, {"X-Conformance-Token": "wrong"}])
def test_wrong_token_changes_nothing(client, api, headers):
    """A visitor's own session survives every endpoint called without the right token."""
    client.get("/remember/", {"value": "mine"})
    key = client.cookies["sessionid"].value
    for endpoint in ("start/", "read/", "touch/", "logout/", "settings/"):
        r = get(client, api + endpoint if endpoint != "settings/" else endpoint, headers=headers)
        assert r.status_code == 404 and not session_cookie_set(r)
    assert client.cookies["sessionid"].value == key
    assert b"mine" in client.get("/recall/").content


def test_answers_behind_login_required_middleware(client):
    """Django 5.1+ LoginRequiredMiddleware: the probe is exempt (it never signs anyone in)."""
    import django
    from django.test import override_settings

    if django.VERSION < (5, 1):
        pytest.skip("LoginRequiredMiddleware is Django 5.1+")
    from django.conf import settings

    middleware = [*settings.MIDDLEWARE, "django.contrib.auth.middleware.LoginRequiredMiddleware"]
    with override_settings(MIDDLEWARE=middleware):
        assert get(client, "start/").status_code == 200
        assert client.get("/recall/").status_code == 302  # the site's own pages do need a login


def test_signin_cycles_the_key_and_keeps_the_data(client, api):
    """What login() / alogin() do to the session: cycle_key() / acycle_key(), a new key for the same data."""
    first = get(client, api + "start/").cookies["sessionid"].value
    nonce = client.session["_conformance_probe"]["nonce"]
    r = get(client, api + "signin/")
    assert r.status_code == 200 and r.json()["signed_in"] is True and r.json()["accepted"] is True
    second = r.cookies["sessionid"].value
    assert second != first
    assert client.session["_conformance_probe"]["nonce"] == nonce
    body = get(client, api + "read/").json()
    assert body["accepted"] is True and body["signed_in"] is True
    from django.contrib.sessions.backends.db import SessionStore

    assert not SessionStore().exists(first), "the old key must be gone"


def test_async_views_answer_501_before_django_5_1(client, monkeypatch):
    """On a Django without the async session API the async endpoints say so (after the token gate)."""
    from conformance.probe import async_views

    monkeypatch.setattr(async_views, "AVAILABLE", False)

    async def anything(request):
        raise AssertionError("never called")

    gated = async_views.async_probe_view(anything)
    from django.test import RequestFactory

    answer = gated(RequestFactory().get("/", headers=HDR))
    assert answer.status_code == 501 and b"new in Django 5.1" in answer.content
    assert gated(RequestFactory().get("/")).status_code == 404


def test_a_write_answered_500_is_not_saved(client, api):
    """touch/?fail=500 modifies the session and answers 500: Django does not save it."""
    first = get(client, api + "start/").cookies["sessionid"].value
    r = get(client, api + "touch/", fail="500")
    assert r.status_code == 500 and r.json()["touches"] == 1  # the answer shows the unsaved change
    assert not session_cookie_set(r)
    body = get(client, api + "read/").json()
    assert body["accepted"] is True and body["touches"] == 0 and body["session_cookie"] == first
    assert get(client, api + "touch/").json()["touches"] == 1


def test_the_public_page_echoes_the_cookie_without_touching_the_session(client):
    client.cookies["sessionid"] = "neverissuedneverissuedneverissu1"
    assert b"neverissued" not in client.get(P + "page/public/", headers=HDR).content  # a cache could share it
    r = client.get(P + "page/public/", {"echo": "1"}, headers=HDR)
    assert b'"session_cookie": "neverissuedneverissuedneverissu1"' in r.content
    assert "Cookie" not in r.get("Vary", "") and not session_cookie_set(r)


@pytest.mark.parametrize("kind", ["public", "welcome", "recall", "account", "logout"])
def test_a_probe_page_loads_nothing_after_its_load_event(client, kind):
    """The Back-button walk leaves a probe page as soon as it has loaded (drivers/probe.py): no
    favicon, script or stylesheet may still be loading; a page with one would be waited for."""
    from conformance.drivers.probe import SUBRESOURCE
    body = client.get(P + f"page/{kind}/", headers=HDR).content.decode()
    assert "<title>" in body and not SUBRESOURCE.search(body)
    assert SUBRESOURCE.search(body.replace("</head>", '<script src="/toolbar.js"></script></head>'))
