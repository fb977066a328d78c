"""Unit tests for conformance.observe.timing's pure deadline arithmetic (no waiting)."""

import pytest

from conformance.exchange import Exchange, Observation, Reply, SetCookie
from conformance.observe import timing


def ex(label, sent_at, received_at, server_time=None, set_cookie=None):
    probe = {} if server_time is None else {"server_time": server_time}
    return Exchange(label=label, url="http://127.0.0.1/__conformance__/", sent_at=sent_at,
                    received_at=received_at, status=200, date_header=None,
                    set_cookies=(SetCookie.parse(set_cookie),) if set_cookie else (), reply=Reply.from_probe(probe))


def obs(*exchanges):
    return Observation(scenario="lifecycle", profile="p", browser="chromium", settings={}, expiry=(),
                       exchanges=list(exchanges))


# --- clock_offset ----------------------------------------------------------------------------


def test_clock_offset_zero_without_timed_exchanges():
    assert timing.clock_offset(obs()) == 0.0
    assert timing.clock_offset(obs(ex("start", 10.0, 11.0))) == 0.0


def test_clock_offset_uses_the_shortest_round_trip():
    slow = ex("start", 100.0, 104.0, server_time=50.0)  # offset 52.0, round trip 4 s
    fast = ex("read", 200.0, 200.2, server_time=150.0)  # offset 50.1, round trip 0.2 s
    untimed = ex("jar", 300.0, 300.0)  # round trip 0 but no server_time: ignored
    assert timing.clock_offset(obs(slow, fast, untimed)) == pytest.approx(50.1)


# --- handled_at ------------------------------------------------------------------------------


def test_handled_at_without_server_time_is_received_at():
    e = ex("start", 10.0, 12.5)
    assert timing.handled_at(obs(e), e) == 12.5


def test_handled_at_maps_server_time_onto_the_local_clock():
    # Same clocks (offset 0 from the fast exchange); the start response was seen 3 s late.
    fast = ex("read", 20.0, 20.0, server_time=20.0)
    late = ex("start", 10.0, 13.5, server_time=10.1)
    assert timing.handled_at(obs(late, fast), late) == pytest.approx(10.1)


def test_handled_at_with_skewed_server_clock():
    # The server's clock is 1000 s behind ours.
    fast = ex("read", 1100.0, 1100.2, server_time=100.1)
    start = ex("start", 1050.0, 1052.0, server_time=50.0)
    assert timing.handled_at(obs(start, fast), start) == pytest.approx(1050.0)


# --- last_save / server_deadline -------------------------------------------------------------


def test_last_save_skips_deletions_and_other_cookies():
    start = ex("start", 1.0, 1.1, set_cookie="sessionid=a; Max-Age=4")
    read = ex("read", 2.0, 2.1)
    touch = ex("touch", 3.0, 3.1, set_cookie="sessionid=b; Max-Age=4")
    other = ex("csrf", 4.0, 4.1, set_cookie="csrftoken=t; Max-Age=4")
    logout = ex("logout", 5.0, 5.1, set_cookie='sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; '
                                               "Max-Age=0; Path=/")
    o = obs(start, read, touch, other, logout)
    assert timing.last_save(o, "sessionid") is touch
    assert timing.last_save(o, "csrftoken") is other
    assert timing.last_save(obs(read), "sessionid") is None
    assert timing.last_save(obs(logout), "sessionid") is None


def test_last_save_counts_browser_length_cookies():
    start = ex("start", 1.0, 1.1, set_cookie="sessionid=a; Path=/")
    assert timing.last_save(obs(start), "sessionid") is start


def test_server_deadline_anchors_on_server_time():
    save = ex("touch", 50.0, 58.0, server_time=50.3, set_cookie="sessionid=b; Max-Age=4")
    fast = ex("read", 60.0, 60.0, server_time=60.0)
    assert timing.honoured_until(obs(save, fast), save, 4) == pytest.approx(54.3)
    assert timing.honoured_until(obs(save, fast), save, 2.5) == pytest.approx(52.8)


def test_honoured_until_without_server_time_uses_the_earliest_save():
    """Black-box mode has no server clock: the session must live until at least sent + age (the
    save cannot have happened before the request left)."""
    save = ex("touch", 50.0, 51.0)
    assert timing.honoured_until(obs(save), save, 3) == pytest.approx(53.0)


def test_whole_second_early():
    assert timing.whole_second_early(True) == timing.WHOLE_SECOND_EARLY_S == 1.0
    assert timing.whole_second_early(False) == 0.0


# --- Stage.session_over: when a page that found no session came too late to mean anything ----


def _stage(settings):
    from conformance.observe.stage import Stage
    from conformance.targets.target import REFERENCE, Target

    target = Target("p", REFERENCE, "http://127.0.0.10:8000/", "t", settings, "5.2.19")
    o = Observation(scenario="cache-visitors", profile="p", browser="chromium", settings=settings, expiry=(),
                    exchanges=[])
    return Stage(None, None, {}, target, o, None)


def test_a_signed_cookie_page_session_ends_at_the_cookie_age_not_at_its_own(monkeypatch):
    """The probe's pages ask set_expiry(300), but signed cookies go stale at SESSION_COOKIE_AGE:
    a page 4 s after a 3 s signed-cookie session began came too late (observed again), not a
    session the site lost (the CACHE-06 error of a make matrix run under load)."""
    import time as clock

    welcome = ex("a-welcome", 100.0, 100.1, server_time=100.05)
    monkeypatch.setattr(clock, "time", lambda: 104.0)
    signed = {"SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies", "SESSION_COOKIE_AGE": 3,
              "SESSION_EXPIRE_AT_BROWSER_CLOSE": True}
    assert _stage(signed).session_over(welcome, "visitor a's page", 300) is not None
    db = {**signed, "SESSION_ENGINE": "django.contrib.sessions.backends.db"}
    assert _stage(db).session_over(welcome, "visitor a's page", 300) is None


@pytest.mark.parametrize("read_at, too_late", [(101.0, False), (104.0, True)])
def test_not_signed_in_after_signing_in_is_the_sites_answer_only_while_the_session_lives(monkeypatch, read_at,
                                                                                         too_late):
    """The fixation scenario's read after signing in found no signed-in visitor: on a 3 s
    signed-cookie session read 4 s after the sign-in, the machine was slow (observed again; the
    AUTH-01/02 error of a make matrix run under load), 1 s after, the site's answer."""
    import time as clock

    signed_in = ex("sign-in", 100.0, 100.1, server_time=100.05, set_cookie="sessionid=s; Path=/")
    monkeypatch.setattr(clock, "time", lambda: read_at)
    settings = {"SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies", "SESSION_COOKIE_AGE": 3,
                "SESSION_EXPIRE_AT_BROWSER_CLOSE": True}
    stage = _stage(settings)
    stage.obs.exchanges.append(signed_in)
    assert (stage.session_over(signed_in, "the read after signing in") is not None) is too_late


@pytest.mark.parametrize("read_at, late", [(112.0, False), (131.0, True)])
def test_a_restored_session_refused_after_its_age_is_observed_again(read_at, late):
    """CLOSE-04: the first read after a restoring relaunch found the restored session refused. On a
    20 s session, 12 s after its save that is the site's answer (CLOSE-04 judges it); 31 s after
    (a relaunch slowed by a busy machine: a make test run's CLOSE-04 error), the read came too late
    and the session is observed again."""
    import asyncio

    from conformance.checks.test_browser_close import _read_restored
    from conformance.observe.stage import ScenarioInvalid

    settings = {"SESSION_EXPIRE_AT_BROWSER_CLOSE": True, "SESSION_COOKIE_AGE": 20}
    stage = _stage(settings)
    start = ex("start", 100.0, 100.1, server_time=100.05, set_cookie="sessionid=s; HttpOnly; Path=/")
    stage.obs.exchanges.append(start)
    refused = Exchange(label="after-restore", url=start.url, sent_at=read_at, received_at=read_at + 0.1, status=200,
                       date_header=None, set_cookies=(),
                       reply=Reply.from_probe({"server_time": read_at + 0.05, "session_cookie": "s",
                                               "accepted": False}))

    class Driver:
        async def read(self, label):
            stage.obs.exchanges.append(refused)
            return refused

    if late:
        with pytest.raises(ScenarioInvalid, match="too busy"):
            asyncio.run(_read_restored(stage, Driver()))
    else:
        asyncio.run(_read_restored(stage, Driver()))
        assert stage.obs.step("after-restore") is refused
