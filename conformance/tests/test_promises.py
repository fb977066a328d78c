"""Unit tests for conformance.promises: what Django's documentation promises per configuration."""

import pytest

from conformance.protocol import ExpirySpec
from conformance.targets import profiles
from conformance.targets.profiles import BY_NAME, PROFILES
from conformance.targets.promises import FILE, SIGNED_COOKIES, TWO_WEEKS, Attributes, promise_for


def parse_spec(spec):
    parsed = ExpirySpec.parse(spec)
    return parsed.kind, parsed.seconds

DEFAULT_ATTRS = Attributes(name="sessionid", path="/", domain=None, secure=False, httponly=True,
                           samesite="Lax")

# profile -> (max_age, server_age, cookie_age, browser_length, fixed_deadline, slack,
#             renews_on_read, renews_on_write, client_side_store)
EXPECTED = {
    # SESSION_COOKIE_AGE=4: persistent 4 s cookie, renewed by writes only.
    **{f"age-4s-{k}": (4, 4, 4, False, False, 0, False, True, k == "signed-cookies")
       for k in profiles.ENGINES},
    # set_expiry(4) under the default age: N -> Max-Age N and server age N.
    **{f"set-expiry-int-{k}": (4, 4, TWO_WEEKS, False, False, 0, False, True, k == "signed-cookies")
       for k in profiles.ENGINES},
    "default-two-weeks": (1209600, 1209600, 1209600, False, False, 0, False, True, False),
    # SESSION_EXPIRE_AT_BROWSER_CLOSE: browser-length cookie, server still keeps SESSION_COOKIE_AGE.
    "browser-close": (None, 3, 3, True, False, 0, False, True, False),
    "browser-close-signed-cookies": (None, 3, 3, True, False, 0, False, True, True),
    "browser-close-20s": (None, 20, 20, True, False, 0, False, True, False),
    # set_expiry(4) overrides SESSION_EXPIRE_AT_BROWSER_CLOSE for its session: persistent, 4 s.
    "browser-close-set-expiry-int": (4, 4, 3, False, False, 0, False, True, False),
    # SESSION_SAVE_EVERY_REQUEST: reads renew too.
    "save-every-request": (3, 3, 3, False, False, 0, True, True, False),
    "save-when-modified": (3, 3, 3, False, False, 0, False, True, False),
    # The per-site cache changes what is cached, not what the session promises.
    "per-site-cache": (3, 3, 3, False, False, 0, False, True, False),
    "per-site-cache-save-every-request": (3, 3, 3, False, False, 0, True, True, False),
    # set_expiry(0): browser-length, server age SESSION_COOKIE_AGE.
    "set-expiry-zero": (None, 3, 3, True, False, 0, False, True, False),
    # set_expiry(300) then set_expiry(None): back to the global policy (age 3), not 300.
    "set-expiry-none": (3, 3, 3, False, False, 0, False, True, False),
    # datetime / timedelta: fixed deadline, Max-Age N or N-1, activity never renews.
    "set-expiry-datetime": (3, 3, TWO_WEEKS, False, True, 1, False, False, False),
    "set-expiry-timedelta": (3, 3, TWO_WEEKS, False, True, 1, False, False, False),
    # The async session API promises what its sync twin does.
    **{f"async-set-expiry-int-{k}": (4, 4, TWO_WEEKS, False, False, 0, False, True, k == "signed-cookies")
       for k in profiles.ENGINES},
    "async-set-expiry-zero": (None, 3, 3, True, False, 0, False, True, False),
    "async-set-expiry-none": (3, 3, 3, False, False, 0, False, True, False),
    "async-set-expiry-timedelta": (3, 3, TWO_WEEKS, False, True, 1, False, False, False),
    "cookie-attributes": (1209600, 1209600, 1209600, False, False, 0, False, True, False),
    "samesite-none": (1209600, 1209600, 1209600, False, False, 0, False, True, False),
    "samesite-off": (1209600, 1209600, 1209600, False, False, 0, False, True, False),
}


def test_expected_table_covers_every_profile():
    assert set(EXPECTED) == {p.name for p in PROFILES}  # the mutants are checked in test_mutants.py


@pytest.mark.parametrize("profile", PROFILES, ids=[p.name for p in PROFILES])
def test_promise_for_every_profile(profile):
    p = promise_for(profile.settings, profile.expiry)
    (max_age, server_age, cookie_age, browser_length, fixed, slack, on_read, on_write,
     client_side) = EXPECTED[profile.name]
    assert p.max_age == max_age
    assert p.server_age == server_age
    assert p.cookie_age == cookie_age
    assert p.browser_length is browser_length
    assert p.fixed_deadline is fixed
    assert p.max_age_slack == slack
    assert p.renews_on_read is on_read
    assert p.renews_on_write is on_write
    assert p.client_side_store is client_side
    assert p.engine == profile.settings["SESSION_ENGINE"]


def test_attributes_for_attribute_profiles():
    assert promise_for(BY_NAME["default-two-weeks"].settings).attributes == DEFAULT_ATTRS
    custom = BY_NAME["cookie-attributes"]
    assert promise_for(custom.settings, custom.expiry).attributes == Attributes(
        name="conformance_sid", path="/__conformance__/", domain="127.0.0.1", secure=True,
        httponly=False, samesite="Strict")
    none = promise_for(BY_NAME["samesite-none"].settings).attributes
    assert none.samesite == "None" and none.secure is True
    assert promise_for(BY_NAME["samesite-off"].settings).attributes.samesite is None


def test_empty_settings_are_django_defaults():
    p = promise_for({})
    assert p.engine == "django.contrib.sessions.backends.db"
    assert p.attributes == DEFAULT_ATTRS
    assert p.cookie_age == p.max_age == p.server_age == 1209600
    assert p.max_age_slack == 0
    assert p.save_every_request is False
    assert p.browser_length is False
    assert p.waitable is False and p.server_waitable is False


def test_two_weeks_by_arithmetic():
    assert TWO_WEEKS == 14 * 24 * 60 * 60 == 1209600
    assert profiles.TWO_WEEKS == TWO_WEEKS


def test_set_expiry_int():
    p = promise_for({"SESSION_COOKIE_AGE": 100}, ("int:7",))
    assert (p.max_age, p.server_age, p.cookie_age) == (7, 7, 100)
    assert p.fixed_deadline is False and p.max_age_slack == 0


def test_set_expiry_int_overrides_expire_at_browser_close():
    p = promise_for({"SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 100}, ("int:7",))
    assert p.max_age == 7 and p.browser_length is False


def test_set_expiry_zero_is_browser_length_with_cookie_age_on_server():
    p = promise_for({"SESSION_COOKIE_AGE": 100}, ("int:0",))
    assert p.max_age is None and p.browser_length is True
    assert p.server_age == 100


def test_set_expiry_none_returns_to_global_policy():
    assert promise_for({"SESSION_COOKIE_AGE": 100}, ("int:300", "none")).max_age == 100
    at_close = promise_for({"SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 100},
                           ("int:300", "none"))
    assert at_close.max_age is None and at_close.server_age == 100


def test_later_set_expiry_replaces_earlier():
    assert promise_for({}, ("int:0", "int:9")).max_age == 9
    assert promise_for({}, ("datetime:5", "int:9")).fixed_deadline is False
    assert promise_for({}, ("int:9", "timedelta:5")).fixed_deadline is True


@pytest.mark.parametrize("kind", ["datetime", "timedelta"])
def test_fixed_deadline(kind):
    p = promise_for({"SESSION_SAVE_EVERY_REQUEST": True}, (f"{kind}:5",))
    assert (p.max_age, p.server_age, p.max_age_slack) == (5, 5, 1)
    assert p.fixed_deadline is True
    assert p.resends_on_read is True  # the cookie is still re-sent on every request ...
    assert p.renews_on_read is False  # ... but the fixed date does not move
    assert p.renews_on_write is False


def test_save_every_request():
    p = promise_for({"SESSION_SAVE_EVERY_REQUEST": True})
    assert p.resends_on_read is True and p.renews_on_read is True and p.renews_on_write is True
    q = promise_for({"SESSION_SAVE_EVERY_REQUEST": False})
    assert q.resends_on_read is False and q.renews_on_read is False and q.renews_on_write is True


def test_expire_at_browser_close():
    p = promise_for({"SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 50})
    assert p.browser_length is True and p.max_age is None
    assert p.server_age == 50 and p.cookie_age == 50
    assert p.waitable is False


def test_signed_cookies_enforce_only_cookie_age():
    p = promise_for({"SESSION_ENGINE": SIGNED_COOKIES}, ("int:4",))
    assert p.client_side_store is True
    assert p.server_age == 4
    assert p.enforced_server_age == TWO_WEEKS
    db = promise_for({}, ("int:4",))
    assert db.enforced_server_age == 4


@pytest.mark.parametrize("engine, expected", [
    (SIGNED_COOKIES, True), (FILE, True), ("django.contrib.sessions.backends.db", False),
    ("django.contrib.sessions.backends.cache", False),
])
def test_whole_second_store(engine, expected):
    assert promise_for({"SESSION_ENGINE": engine}).whole_second_store is expected


@pytest.mark.parametrize("age, waitable", [(30, True), (31, False), (3, True)])
def test_waitable_boundary(age, waitable):
    p = promise_for({"SESSION_COOKIE_AGE": age})
    assert p.waitable is waitable
    assert p.server_waitable is waitable


def test_domain_empty_string_is_host_only():
    assert promise_for({"SESSION_COOKIE_DOMAIN": ""}).attributes.domain is None


@pytest.mark.parametrize("spec, expected", [
    ("int:5", ("int", 5)),
    ("int:0", ("int", 0)),
    ("int:-3", ("int", -3)),
    ("none", ("none", None)),
    ("datetime:3", ("datetime", 3)),
    ("timedelta:60", ("timedelta", 60)),
])
def test_parse_spec(spec, expected):
    assert parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["int:x", "foo", "int:", "datetime", "None", "none:5", "timedelta:",
                                  "INT:5", "int:1.5", ""])
def test_parse_spec_errors(spec):
    with pytest.raises(ValueError, match=r"bad expiry spec .*int:N, none, datetime:N, timedelta:N"):
        parse_spec(spec)


def test_parse_spec_double_minus_gets_the_documented_message():
    with pytest.raises(ValueError, match="bad expiry spec"):
        parse_spec("int:--5")


def test_promise_for_rejects_bad_spec():
    with pytest.raises(ValueError, match="bad expiry spec"):
        promise_for({}, ("int:5", "bogus"))
