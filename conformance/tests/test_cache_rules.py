"""The cache-safety family's rules on hand-made responses (pure): what a shared cache may store
(RFC 9111), the census of session keys across a run, and which browser and pages the Back-button
walk uses."""

import asyncio
from types import SimpleNamespace

import pytest

from conformance.checks.test_cache_safety import (BFCACHE_OFF_SWITCH, _browser_with_bfcache, _Places, _Spoilt,
                                                  session_census, shared_cache_rule)
from conformance.drivers.base import PAGESHOW_SCRIPT
from conformance.exchange import Exchange, Observation, Reply, SetCookie
from conformance.observe.campaign import Outcome
from conformance.observe.scenario import ScenarioKey


@pytest.mark.parametrize("headers, cookie_only, safe, why", [
    ({"vary": "Cookie"}, False, True, "Vary: Cookie"),
    ({"vary": "Accept-Encoding, cookie"}, False, True, "Vary: Cookie"),
    ({"vary": " * "}, False, True, "Vary: *"),
    ({"cache-control": "private"}, False, True, "Cache-Control: private"),
    ({"cache-control": "max-age=0, no-cache, no-store, must-revalidate, private"}, False, True,
     "Cache-Control: no-store"),
    ({"cache-control": "No-Store"}, False, True, "Cache-Control: no-store"),
    ({"cache-control": 'private="Set-Cookie"'}, True, True, 'Cache-Control: private="Set-Cookie"'),
    ({"cache-control": 'private="Set-Cookie"'}, False, False, "neither"),  # the page itself may be shared
    ({"cache-control": "public, max-age=600"}, True, False, "neither"),
    ({"cache-control": "no-cache"}, True, False, "neither"),  # stored, revalidated: still stored
    ({"vary": "Accept-Language"}, True, False, "neither"),
    ({}, True, False, "neither"),
])
def test_shared_cache_rule(headers, cookie_only, safe, why):
    ok, reason = shared_cache_rule(headers, cookie_only)
    assert ok is safe and reason.startswith(why)


def exchange(label, set_cookie=None, sent=None, visitor="", accepted=None, own=True):
    return Exchange(label=label, url="https://s/", sent_at=1.0, received_at=1.1, status=200, date_header=None,
                    set_cookies=(SetCookie.parse(set_cookie),) if set_cookie else (),
                    reply=Reply(action="read", session_cookie=sent,
                                accepted=bool(sent) if accepted is None else accepted, own_session=own),
                    visitor=visitor)


def outcome(*exchanges):
    return Outcome(Observation("x", "t", "chromium", {}, (), exchanges=list(exchanges)))


def test_census_counts_keys_handed_not_keys_sent():
    outcomes = {
        ScenarioKey("lifecycle", "t", "chromium"): outcome(exchange("start", "sessionid=k1"),
                                                          exchange("read", "sessionid=k1", sent="k1")),
        ScenarioKey("cache-visitors", "t", "chromium"): outcome(exchange("a-welcome", "sessionid=k2", visitor="a"),
                                                               exchange("b-welcome", "sessionid=k3", visitor="b")),
        ScenarioKey("lifecycle", "t", "firefox"): outcome(exchange("replay-live", "sessionid=k1", sent="k1")),
        # A live session re-signed (signed cookies: the same data, the same second, the same value
        # the main visitor got) is that session going on, not a key handed out.
        ScenarioKey("lifecycle", "t", "webkit"): outcome(exchange("replay-live", "sessionid=k1", sent="k0")),
        # A dead session answered with a new one is a key handed out.
        ScenarioKey("renewal-read", "t", "chromium"): outcome(exchange("replay-after-idle", "sessionid=k4", sent="k0",
                                                                       accepted=False)),
        # The empty session a refused signed cookie is answered with: nothing handed out.
        ScenarioKey("lifecycle", "t", "webkit2"): outcome(exchange("replay-expired", "sessionid=e30", sent="k0",
                                                                   accepted=False, own=False),
                                                          exchange("after-expiry", "sessionid=e30", sent="k9",
                                                                   accepted=False, own=False)),
        ScenarioKey("lifecycle", "other", "chromium"): outcome(exchange("start", "sessionid=k2")),  # another target
    }
    obs = session_census.run(ScenarioKey("session-census", "t", "chromium"), outcomes)
    assert obs.notes["keys"] == 4 and obs.notes["shared"] == {}


def test_census_names_a_key_handed_to_two_visitors():
    outcomes = {
        ScenarioKey("cache-visitors", "t", "firefox"): outcome(exchange("a-welcome", "sessionid=k9", visitor="a"),
                                                              exchange("b-public", "sessionid=k9", visitor="b")),
    }
    shared = session_census.run(ScenarioKey("session-census", "t", "firefox"), outcomes).notes["shared"]
    assert list(shared.values()) == [["firefox cache-visitors a", "firefox cache-visitors b"]]


class _Engine:
    def __init__(self, name):
        self.name, self.launched = name, []

    async def launch(self, **args):
        self.launched.append(args)
        return "launched"


@pytest.mark.parametrize("engine, bfcache_args, launched", [
    ("firefox", None, None),  # the run's own Firefox has its cache on: no second Firefox
    ("chromium", None, {"args": ["-x"], "ignore_default_args": [BFCACHE_OFF_SWITCH]}),
    ("chromium", {"executable_path": "/full"},
     {"executable_path": "/full", "ignore_default_args": [BFCACHE_OFF_SWITCH]}),
])
def test_the_walk_launches_a_browser_only_where_the_runs_has_no_back_forward_cache(engine, bfcache_args, launched):
    stage = SimpleNamespace(browser="own", browser_type=_Engine(engine), launch_args={"args": ["-x"]},
                            bfcache_launch_args=bfcache_args)
    browser, ours = asyncio.run(_browser_with_bfcache(stage))
    assert (browser, ours) == (("own", False) if launched is None else ("launched", True))
    assert stage.browser_type.launched == ([] if launched is None else [launched])


class _WalkContext:
    def __init__(self):
        self.closed, self.scripts, self.cleared = False, [], 0

    async def add_init_script(self, script):
        self.scripts.append(script)

    async def new_page(self):
        return SimpleNamespace(url="about:blank")

    async def clear_cookies(self):
        self.cleared += 1

    async def close(self):
        self.closed = True


class _WalkBrowser:
    def __init__(self):
        self.contexts = []

    async def new_context(self, **args):
        self.contexts.append(_WalkContext())
        return self.contexts[-1]


def test_the_walks_reuse_a_context_and_its_page_and_drop_one_a_walk_spoilt():
    async def go():
        browser = _WalkBrowser()
        places = _Places(browser, {})
        async with places.lend() as (context, page):
            first = (context, page)
        async with places.lend() as again:
            assert again == first and first[0].cleared == 1  # the same page, its cookies cleared
            raise _Spoilt()
        async with places.lend() as (context, page):
            assert context is not first[0] and first[0].closed
        await places.close()
        return browser.contexts
    contexts = asyncio.run(go())
    assert len(contexts) == 2 and all(c.closed for c in contexts)
    assert all(c.scripts == [PAGESHOW_SCRIPT] for c in contexts)  # each page records its pageshow
