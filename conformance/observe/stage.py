"""A scenario's handle on the run (a Stage): its target and promise, its pooled contexts, replays,
and the deadlines it plans with. Scenarios (declared by the check families) record exchanges into
their Observation and never judge; the checks judge. Every wait goes through timing.until() with a
deadline computed from an earlier exchange (anchored on when the server handled it).

Step labels are part of the contract between a family's scenarios and its checks (checks read
obs.step("after-expiry")). A step that had to happen before a deadline is verified to have done
so on the server's clock; if the machine was too busy, the scenario raises ScenarioInvalid (an
error, never a verdict).
"""

from __future__ import annotations

import dataclasses
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from playwright.async_api import Browser, BrowserType

from ..drivers import DriverError
from ..exchange import Exchange, Observation
from ..targets.target import Target
from . import timing
from .pool import ContextPool


class ScenarioInvalid(Exception):
    """The scenario could not set up what it needs to judge. Reported as an error."""


class Marked:
    """A driver whose exchanges are recorded as made by `visitor` (start and read are enough for
    another session of the same account)."""

    def __init__(self, driver, obs: Observation, visitor: str):
        self.driver, self.obs, self.visitor = driver, obs, visitor

    async def start(self, label: str) -> Exchange:
        return self._mark(await self.driver.start(label))

    async def read(self, label: str) -> Exchange:
        return self._mark(await self.driver.read(label))

    def _mark(self, exchange: Exchange) -> Exchange:
        # Replaced where it was appended, before anything else can run (no await in between).
        i = next(i for i in range(len(self.obs.exchanges) - 1, -1, -1) if self.obs.exchanges[i] is exchange)
        self.obs.exchanges[i] = marked = dataclasses.replace(exchange, visitor=self.visitor)
        return marked


class NoSessionCookie(Exception):
    """start/ set no session cookie; the observation so far is still judged."""


@dataclass
class Stage:
    browser: Browser
    browser_type: BrowserType
    launch_args: dict
    target: Target
    obs: Observation
    mains: ContextPool | None  # the scenario's own browser context (leasing one admits the scenario)
    replays: ContextPool | None = None  # page-less contexts, cleared before each replay
    failure: Exception | None = None  # in a group scenario: why this stage dropped out
    context_args: dict = field(default_factory=dict)  # every context this stage opens (TLS options)
    bfcache_launch_args: dict | None = None  # a browser with a back/forward cache, if not launch_args
    # A grouped scenario's targets at once, when the campaign asks for fewer than the scenario's own
    # default (re-observing what a busy machine could not observe).
    in_flight: int | None = None

    @property
    def cookie(self) -> str:
        return self.target.promise.attributes.name

    @property
    def promise(self):
        return self.target.promise

    @asynccontextmanager
    async def visitor(self):
        """Lease the scenario's context (a page open in it), no session started."""
        async with self.mains.lease(self.target, self.obs) as main:
            yield main

    @asynccontextmanager
    async def other_visitor(self):
        """Another visitor, sharing nothing with the scenario's own: a cleared page-less context of
        the replay pool (a page opened in it, as signing in through a form needs, goes with it)."""
        async with self.replays.lease(self.target, self.obs) as other:
            try:
                yield other
            finally:
                for page in list(other.context.pages):
                    await page.close()

    @asynccontextmanager
    async def same_account(self, name: str = "other"):
        """Another visitor of the same account (black-box mode signs everyone in as the config's
        one), in a context of its own: its sign-in and requests are recorded here marked with its
        name, so this session's deadlines never count them as its own saves."""
        async with self.other_visitor() as other:
            yield Marked(other, self.obs, name)

    @asynccontextmanager
    async def begin(self):
        """Lease the scenario's context and start the session in it."""
        async with self.mains.lease(self.target, self.obs) as main:
            start = await main.start("start")
            if start.session_set_cookie(self.cookie) is None:
                raise NoSessionCookie()  # the checks report the missing cookie from `start`
            yield main, start

    async def replay(self, label: str, value: str, where: str = "session", visitor: str = "") -> Exchange:
        """Ask the server about a cookie value from a fresh context that never held this session
        (a well-behaved browser never sends an expired cookie: this is the only way to see
        server-side expiry). `where`: see Driver.replay; `visitor`: record it as another
        visitor's (a value that names no session of this scenario: what it gets is not a save
        of the session under test)."""
        async with self.replays.lease(self.target, self.obs) as fresh:
            exchange = await fresh.replay(label, value, where)
        expected = None if where == "url" else value
        if exchange.sent_session_cookie != expected:
            # A refused replay proves nothing if the old value never reached the server (and a
            # key in the URL nothing if a cookie came with it).
            raise DriverError(f"{label}: the replayed cookie was {'sent' if expected is None else 'not sent'} "
                              f"(Cookie received: {exchange.cookie_header or '(none)'})")
        if visitor:
            i = self.obs.exchanges.index(exchange)
            self.obs.exchanges[i] = exchange = dataclasses.replace(exchange, visitor=visitor)
        return exchange

    def at(self, exchange: Exchange) -> float:
        return timing.handled_at(self.obs, exchange)

    def require_before(self, exchange: Exchange, deadline: float, what: str, anchors: bool = False) -> None:
        """A step that had to precede a deadline did; otherwise drop it and everything after it
        (no check may judge a late observation) and stop the scenario. A step that found the
        session alive stands however late it came (lateness could only have ended it), unless
        later steps are timed from it (`anchors`: an activity whose renewal is judged after it)."""
        if exchange.accepted and not anchors:
            return
        start = self.obs.step("start")
        guard = timing.BEFORE_DEADLINE_GUARD_S + timing.clock_uncertainty(self.obs)
        if self.at(exchange) > deadline - guard:
            del self.obs.exchanges[self.obs.exchanges.index(exchange):]
            raise ScenarioInvalid(
                f"{what} reached the server at +{self.at(exchange) - self.at(start):.2f} s, not before "
                f"+{deadline - self.at(start):.2f} s: the machine was too busy to judge this scenario")

    async def replay_live(self, start: Exchange) -> Exchange:
        """The control every replay check needs: the live session's cookie, replayed now, is accepted
        (a refused one only counts if it reached the server before the session may have ended)."""
        live = await self.replay("replay-live", self.latest_value())
        early = timing.whole_second_early(self.promise.whole_second_store)
        self.require_before(live, self.server_alive_until(start) - early, "the live replay")
        return live

    def session_over(self, start: Exchange, what: str, age: float | None = None) -> ScenarioInvalid | None:
        """Why a step that found no session came too late to mean anything: it came after the session
        may have ended by its age (the promise's, or `age`), as a slow site or a busy machine makes it
        come. None while the session must still be alive."""
        if age is not None:
            if self.promise.client_side_store:
                # Signed cookies go stale at SESSION_COOKIE_AGE whatever set_expiry() asked (the
                # probe pages' 300 s sessions too): a 3 s age ends them in 3 s.
                age = min(age, self.promise.cookie_age)
            ends = timing.honoured_until(self.obs, start, age) - timing.whole_second_early(
                self.promise.whole_second_store)
        else:
            age = self.promise.server_age
            ends = self.server_alive_until(start) - timing.whole_second_early(self.promise.whole_second_store)
            if self.promise.max_age is not None:
                ends = min(ends, timing.honoured_until(self.obs, start, self.promise.max_age))
        now = time.time()
        if now < ends - timing.BEFORE_DEADLINE_GUARD_S:
            return None
        return ScenarioInvalid(f"{what} came {now - (start.began_at or start.sent_at):.1f} s after the session "
                               f"began, when it may have ended already (its age: {age:g} s): the machine, or the "
                               "site, was too slow to judge this scenario")

    def require_shown(self, start: Exchange, exchange: Exchange, what: str, age: float | None = None) -> None:
        """A page that must show the session did, or came too late to (then the scenario is observed
        again); a page that did not while the session was surely alive is the checks' business."""
        if not exchange.accepted and (over := self.session_over(start, what, age)) is not None:
            raise over

    def planned_age(self, sc) -> float | None:
        """The age a timeline plans with: the Set-Cookie's Max-Age when it is what the docs promise
        (a fixed date's may read a second short), else the promise. A server announcing the wrong
        age (none, or two weeks instead of 4 s) must not stretch the timeline: the checks judge
        what happens at the promised deadline."""
        p = self.promise
        if p.max_age is None:
            return None
        if sc is not None and sc.max_age is not None and p.max_age - p.max_age_slack <= sc.max_age <= p.max_age:
            return sc.max_age
        return p.max_age

    def browser_deadline(self) -> float | None:
        """From when the main visitor's browser must no longer send the cookie (the last
        Set-Cookie it got), margin included; None for a browser-length session. Counted from when
        the response arrived here, which is never before the browser received it."""
        for ex in reversed([e for e in self.obs.exchanges if not e.label.startswith("replay") and not e.visitor]):
            sc = ex.session_set_cookie(self.cookie)
            if sc is not None and not sc.deletes:
                age = self.planned_age(sc)
                if age is None:
                    return None
                jar = ex.jar_cookie(self.cookie)
                stored = jar.expires if jar is not None and jar.expires > 0 else 0.0
                capped = min(stored, ex.received_at + age + timing.JAR_DEADLINE_CAP_S)
                return max(ex.received_at + age, capped) + timing.BROWSER_MARGIN_S
        return None

    def counted_save(self, start: Exchange) -> Exchange:
        """The save the server's deadline counts from: a fixed date never moves; otherwise the
        last save the docs say happened (not what a server claims by re-sending a cookie)."""
        if self.promise.fixed_deadline:
            return start
        return timing.last_save(self.obs, self.cookie, self.promise.save_every_request) or start

    def server_deadline(self, start: Exchange, margin: float = timing.SERVER_MARGIN_S) -> float:
        """From when the server must refuse the session (for waits: counted from when the saving
        response arrived, never before the save). The promised age, not what the backend can
        enforce: signed_cookies honouring a replay past set_expiry() is what the checks report (as
        Django's documented caveat)."""
        save = self.counted_save(start)
        return save.received_at + self.promise.server_age + margin

    def server_alive_until(self, start: Exchange) -> float:
        """Until when the server must still honour the session (for steps that must come before
        the deadline: counted from when the server handled the saving request, never after the
        save)."""
        return timing.honoured_until(self.obs, self.counted_save(start), self.promise.server_age)

    def latest_value(self) -> str:
        """The session cookie value the browser holds now (signed_cookies re-signs on every save)."""
        return timing.last_save(self.obs, self.cookie).session_set_cookie(self.cookie).value
