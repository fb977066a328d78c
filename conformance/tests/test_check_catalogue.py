"""The check catalogue: every check in conformance/checks is well declared, and its pure body
returns a Verdict on a synthetic Run (no browser, no server)."""

import importlib
import inspect
import pkgutil
import re

import pytest

import conformance.checks
from conformance.exchange import Exchange, JarCookie, Observation, Reply, SetCookie
from conformance.judge.check import Family, Run
from conformance.judge.docs import DJANGO_DOCS
from conformance.judge.verdict import ERROR, FAIL, PASS, Verdict
from conformance.observe.scenario import Scenario
from conformance.targets.capabilities import ALL as CAPABILITIES
from conformance.targets.promises import promise_for

DEFAULT_SET_COOKIE = ("sessionid=k1; expires=Thu, 11 Dec 2025 10:00:00 GMT; HttpOnly; Max-Age=1209600; "
                      "Path=/; SameSite=Lax")
DATE = 1765447200.0 - 1209600  # the Date header matching DEFAULT_SET_COOKIE's Expires


def _collect():
    found = []
    for info in sorted(pkgutil.iter_modules(conformance.checks.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"conformance.checks.{info.name}")
        for name, value in sorted(vars(module).items()):
            if getattr(value, "conformance_check", None) is not None:
                found.append(value)
    return found


CHECKS = _collect()
BY_ID = {fn.conformance_check.id: fn for fn in CHECKS}
IDS = [fn.conformance_check.id for fn in CHECKS]


def body(check_fn):
    """The undecorated check body fn(run) -> Verdict, held in the pytest wrapper's closure."""
    return inspect.getclosurevars(check_fn).nonlocals["fn"]


def exchange(label="start", set_cookies=(), probe=None, jar=(), sent_at=100.0, received_at=100.1,
             date_header=None):
    return Exchange(label=label, url="http://127.0.0.1/__conformance__/", sent_at=sent_at,
                    received_at=received_at, status=200, date_header=date_header,
                    set_cookies=tuple(SetCookie.parse(s) for s in set_cookies),
                    reply=Reply.from_probe({"server_time": sent_at + 0.05} if probe is None else probe),
                    jar=tuple(jar))


def make_run(settings=None, expiry=(), exchanges=None, incomplete=None):
    settings = settings or {}
    if exchanges is None:
        exchanges = [exchange(set_cookies=[DEFAULT_SET_COOKIE])]
    obs = Observation(scenario="lifecycle", profile="p", browser="chromium", settings=settings,
                      expiry=expiry, exchanges=list(exchanges))
    return Run("p", "chromium", promise_for(settings, expiry), obs, incomplete)


# --- the catalogue ---------------------------------------------------------------------------


def test_catalogue_is_not_empty():
    assert len(CHECKS) >= 20
    assert {"AGE-01", "ATTR-01", "CLOSE-01", "REN-01", "SRV-01"} <= set(IDS)


def test_ids_unique():
    assert len(IDS) == len(set(IDS))


@pytest.mark.parametrize("check_fn", CHECKS, ids=IDS)
def test_declaration(check_fn):
    meta = check_fn.conformance_check
    assert re.fullmatch(r"[A-Z]+-\d\d", meta.id)
    assert isinstance(meta.family, Family) and meta.family in conformance.checks.families()
    assert isinstance(meta.scenario, Scenario)
    assert set(meta.needs) <= set(CAPABILITIES)
    # Django's docs (for the site's version), or where Django is silent: OWASP's, or the HTTP caching RFC.
    assert meta.doc.startswith((DJANGO_DOCS, "https://cheatsheetseries.owasp.org/", "https://owasp.org/",
                                "https://www.rfc-editor.org/rfc/rfc9111"))
    assert meta.title and "\n" not in meta.title
    assert " ".join(body(check_fn).__doc__.split()).startswith(meta.title)
    assert meta.quote, f"{meta.id}: docstring has no quoted sentence"
    assert meta.scenario
    assert [m.args for m in check_fn.pytestmark if m.name == "check"] == [(meta.id,)]
    # pytest must see (run, conformance_conclude), not the body's signature.
    assert list(inspect.signature(check_fn).parameters) == ["run", "conformance_conclude"]


@pytest.mark.parametrize("settings, expiry", [
    ({}, ()),  # two-week persistent cookie
    ({"SESSION_COOKIE_AGE": 4}, ()),  # waitable persistent cookie
    ({"SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 3}, ()),  # browser-length
    ({}, ("datetime:3",)),  # fixed deadline
    ({"SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies", "SESSION_COOKIE_AGE": 4}, ()),
], ids=["default", "age-4", "browser-close", "datetime", "signed-cookies"])
@pytest.mark.parametrize("check_fn", CHECKS, ids=IDS)
def test_every_body_returns_a_verdict(check_fn, settings, expiry):
    run = make_run(settings, expiry)
    verdict = body(check_fn)(run)
    assert isinstance(verdict, Verdict)
    assert verdict.kind in (PASS, FAIL, ERROR, "caveat")


@pytest.mark.parametrize("settings, expiry", [
    ({}, ()), ({"SESSION_COOKIE_AGE": 4}, ()), ({"SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 3}, ()),
], ids=["default", "age-4", "browser-close"])
@pytest.mark.parametrize("check_fn", CHECKS, ids=IDS)
def test_an_observation_that_never_began_is_no_verdict(check_fn, settings, expiry):
    """A scenario stuck before its first step (a browser call that never returned on a busy
    machine) recorded nothing: that is an error, observed again, never a pass or a fail (a
    missing start/ once read as "no session cookie was set": a false fail on a correct site).
    A census (derived scenario) is made from the whole run, not recorded by a browser."""
    if check_fn.conformance_check.scenario.derived:
        pytest.skip("derived from every other observation")
    verdict = body(check_fn)(make_run(settings, expiry, exchanges=[], incomplete="stuck: a browser call never "
                                                                                 "returned"))
    assert verdict.kind in (ERROR, "skip"), f"{verdict.kind}: {verdict.expected} / {verdict.observed}"


@pytest.mark.parametrize("check_fn", CHECKS, ids=IDS)
def test_wrapper_concludes_with_a_verdict(check_fn):
    """Whether a check applies is decided before the run is made (judge/applicability.py); the
    wrapper only judges."""
    concluded = []
    result = check_fn(make_run(), lambda meta, verdict, run=None: concluded.append((meta, verdict)))
    assert result is None
    [(meta, verdict)] = concluded
    assert meta is check_fn.conformance_check
    assert isinstance(verdict, Verdict)


def test_every_family_module_is_listed_and_declares_its_family():
    modules = {i.name for i in pkgutil.iter_modules(conformance.checks.__path__) if i.name.startswith("test_")}
    assert modules == set(conformance.checks.FAMILY_MODULES)
    names = [f.name for f in conformance.checks.families()]
    assert len(names) == len(set(names))
    for fn in CHECKS:
        assert fn.__module__.endswith(conformance.checks.FAMILY_MODULES[names.index(fn.conformance_check.family.name)])


# --- specific verdicts -----------------------------------------------------------------------


@pytest.mark.parametrize("check_id", ["ATTR-01", "ATTR-02", "ATTR-03", "ATTR-04", "ATTR-05", "ATTR-06"])
def test_attr_checks_pass_on_default_settings(check_id):
    verdict = body(BY_ID[check_id])(make_run())
    assert verdict.kind == PASS, verdict


def test_attr_checks_pass_on_custom_attributes():
    settings = {"SESSION_COOKIE_NAME": "conformance_sid", "SESSION_COOKIE_PATH": "/__conformance__/",
                "SESSION_COOKIE_DOMAIN": "127.0.0.1", "SESSION_COOKIE_SECURE": True,
                "SESSION_COOKIE_HTTPONLY": False, "SESSION_COOKIE_SAMESITE": "Strict"}
    sc = "conformance_sid=k; Domain=127.0.0.1; Max-Age=1209600; Path=/__conformance__/; SameSite=strict; Secure"
    run = make_run(settings, exchanges=[exchange(set_cookies=["csrftoken=t", sc])])
    for check_id in ("ATTR-01", "ATTR-02", "ATTR-03", "ATTR-04", "ATTR-05", "ATTR-06"):
        assert body(BY_ID[check_id])(run).kind == PASS, check_id


def test_attr_checks_fail_against_custom_settings():
    settings = {"SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": False,
                "SESSION_COOKIE_SAMESITE": False, "SESSION_COOKIE_PATH": "/app/"}
    run = make_run(settings)
    assert body(BY_ID["ATTR-02"])(run).observed == "Path=/"
    secure = body(BY_ID["ATTR-04"])(run)
    assert (secure.kind, secure.expected, secure.observed) == (FAIL, "Secure present", "Secure absent")
    httponly = body(BY_ID["ATTR-05"])(run)
    assert (httponly.kind, httponly.expected, httponly.observed) == (FAIL, "HttpOnly absent", "HttpOnly present")
    samesite = body(BY_ID["ATTR-06"])(run)
    assert (samesite.kind, samesite.expected, samesite.observed) == (FAIL, "no SameSite attribute", "SameSite=Lax")


def test_attr_checks_fail_when_the_session_cookie_is_missing():
    run = make_run(exchanges=[exchange(set_cookies=["csrftoken=t"])])
    name = body(BY_ID["ATTR-01"])(run)
    assert name.kind == FAIL and "csrftoken" in name.observed
    assert body(BY_ID["ATTR-02"])(run).kind == FAIL


def test_age01_default_two_weeks_passes():
    verdict = body(BY_ID["AGE-01"])(make_run())
    assert verdict.kind == PASS
    assert verdict.expected == "Max-Age=1209600" and verdict.observed == "Max-Age=1209600"


def test_age01_wrong_max_age_fails_naming_both_numbers():
    run = make_run(exchanges=[exchange(set_cookies=["sessionid=k; Max-Age=5; Path=/"])])
    verdict = body(BY_ID["AGE-01"])(run)
    assert verdict.kind == FAIL
    assert "1209600" in verdict.expected and "5" in verdict.observed
    assert verdict.evidence[0]["set_cookie"] == "sessionid=k; Max-Age=5; Path=/"


@pytest.mark.parametrize("max_age, kind", [(3, PASS), (2, PASS), (1, FAIL), (4, FAIL)])
def test_age01_fixed_deadline_slack(max_age, kind):
    run = make_run({}, ("timedelta:3",), [exchange(set_cookies=[f"sessionid=k; Max-Age={max_age}"])])
    verdict = body(BY_ID["AGE-01"])(run)
    assert verdict.kind == kind
    assert verdict.expected == "Max-Age in [2, 3]"


def test_age01_browser_length():
    settings = {"SESSION_EXPIRE_AT_BROWSER_CLOSE": True}
    ok = make_run(settings, exchanges=[exchange(set_cookies=["sessionid=k; HttpOnly; Path=/"])])
    assert body(BY_ID["AGE-01"])(ok).kind == PASS
    bad = make_run(settings, exchanges=[exchange(set_cookies=["sessionid=k; Max-Age=3"])])
    assert body(BY_ID["AGE-01"])(bad).kind == FAIL


def test_age01_without_session_cookie_fails():
    run = make_run(exchanges=[exchange(set_cookies=[])])
    verdict = body(BY_ID["AGE-01"])(run)
    assert verdict.kind == FAIL and verdict.observed == "no session cookie was set"


def _age02(probe=None, date_header=None, sent_at=100.0, received_at=100.1, loopback=False):
    run = make_run(exchanges=[exchange(set_cookies=[DEFAULT_SET_COOKIE], probe=probe, date_header=date_header,
                                       sent_at=sent_at, received_at=received_at)])
    run.obs.known_clock_offset = 0.0 if loopback else None
    return body(BY_ID["AGE-02"])(run)


def test_age02_judges_expires_on_djangos_own_clock():
    """The probe's clock is the one Django computed Expires on: Expires = that + Max-Age, truncated."""
    assert _age02(probe={"server_time": DATE + 0.7}).kind == PASS
    verdict = _age02(probe={"server_time": DATE + 10})
    assert verdict.kind == FAIL and verdict.observed == "Expires - (made + Max-Age) = -10.00 s"
    assert "Django's clock" in verdict.expected


def test_age02_a_date_header_behind_djangos_clock_is_no_failure():
    """uvicorn writes a Date it refreshes once a second: two seconds behind Expires on a correct site."""
    assert _age02(probe={"server_time": DATE + 0.05}, date_header=DATE - 2).kind == PASS


def test_age02_without_the_probe_on_loopback_uses_this_machines_clock():
    assert _age02(probe={}, sent_at=DATE + 0.2, received_at=DATE + 0.4, loopback=True).kind == PASS
    verdict = _age02(probe={}, sent_at=DATE + 3, received_at=DATE + 3.1, loopback=True)
    assert verdict.kind == FAIL and "this machine's clock" in verdict.expected


def test_age02_a_remote_site_without_the_probe_is_judged_by_its_date_allowing_its_lag():
    assert _age02(probe={}, date_header=DATE).kind == PASS
    assert _age02(probe={}, date_header=DATE - 2).kind == PASS  # a Date refreshed once a second, truncated
    verdict = _age02(probe={}, date_header=DATE - 10)
    assert verdict.kind == FAIL and verdict.observed == "Expires - (made + Max-Age) = +10.10 s"
    assert "the server's Date header" in verdict.expected


def test_age03_jar_expiry():
    start = dict(set_cookies=[DEFAULT_SET_COOKIE], probe={"server_time": 100.0}, sent_at=100.0,
                 received_at=100.0)
    good = make_run(exchanges=[exchange(**start, jar=[JarCookie("sessionid", "k1", 100.0 + 1209600, "h", "/")])])
    assert body(BY_ID["AGE-03"])(good).kind == PASS
    bad = make_run(exchanges=[exchange(**start, jar=[JarCookie("sessionid", "k1", 100.0 + 60, "h", "/")])])
    assert body(BY_ID["AGE-03"])(bad).kind == FAIL
    absent = make_run(exchanges=[exchange(**start)])
    assert body(BY_ID["AGE-03"])(absent).observed == "not stored"


def test_missing_step_is_an_error_naming_why():
    verdict = body(BY_ID["SRV-01"])(make_run({"SESSION_COOKIE_AGE": 4}, incomplete="browser crashed"))
    assert verdict.kind == ERROR
    assert verdict.note == "the scenario did not reach the live replay: browser crashed"


def test_renewal_records_facts():
    settings = {"SESSION_COOKIE_AGE": 4}
    alive = {"server_time": 0.0, "session_cookie": "k", "accepted": True}
    exchanges = [
        exchange("start", ["sessionid=k; Max-Age=4"], {"server_time": 100.0}, sent_at=100.0, received_at=100.0),
        exchange("replay-live", (), dict(alive, server_time=100.1), sent_at=100.1, received_at=100.1),
        exchange("activity", ["sessionid=k; Max-Age=4"], {"server_time": 102.4, "accepted": True},
                 sent_at=102.4, received_at=102.4),
        exchange("after-original", (), dict(alive, server_time=104.5), sent_at=104.5, received_at=104.5),
        exchange("replay-after-original", (), dict(alive, server_time=104.6), sent_at=104.6, received_at=104.6),
    ]
    verdict = body(BY_ID["REN-04"])(make_run(settings, exchanges=exchanges))
    assert verdict.kind == PASS
    assert verdict.facts == {"renewed_in_browser": True, "renewed_on_server": True}


def test_renewal_needs_an_accepted_live_replay():
    """A replay refused after the original deadline proves nothing if replays are refused anyway."""
    settings = {"SESSION_COOKIE_AGE": 4}
    exchanges = [
        exchange("start", ["sessionid=k; Max-Age=4"], {"server_time": 100.0}, sent_at=100.0, received_at=100.0),
        exchange("replay-live", (), {"server_time": 100.1, "session_cookie": "k", "accepted": False},
                 sent_at=100.1, received_at=100.1),
    ]
    for check_id in ("REN-02", "REN-04", "REN-05"):
        verdict = body(BY_ID[check_id])(make_run(settings, exchanges=exchanges))
        assert verdict.kind == ERROR and "a replay of the live session was refused" in verdict.note


def test_age02_judges_a_slow_server_by_when_it_handled_the_request():
    """Expires is computed after the view (the probe's server_time), within the round trip: a save
    that held the response for seconds moves Date, not the verdict."""
    slow = _age02(probe={"server_time": DATE}, date_header=DATE + 3, sent_at=100.0, received_at=103.5)
    assert slow.kind == PASS
    assert _age02(probe={"server_time": DATE + 2}, date_header=DATE + 3).kind == FAIL


def test_age03_allows_an_answer_that_arrived_late():
    start = dict(set_cookies=[DEFAULT_SET_COOKIE], probe={"server_time": 100.0}, sent_at=100.0, received_at=103.0)
    late = make_run(exchanges=[exchange(**start, jar=[JarCookie("sessionid", "k1", 102.5 + 1209600, "h", "/")])])
    assert body(BY_ID["AGE-03"])(late).kind == PASS
    early = make_run(exchanges=[exchange(**start, jar=[JarCookie("sessionid", "k1", 97.0 + 1209600, "h", "/")])])
    assert body(BY_ID["AGE-03"])(early).kind == FAIL
