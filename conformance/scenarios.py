"""Scenario timelines: what a visitor does, in order, and when. Each one records exchanges into
its Observation and never judges; the checks judge. Every wait goes through timing.until() with a
deadline computed from an earlier exchange (anchored on when the server handled it).

Step labels are part of the contract with the checks (checks read obs.step("after-expiry")).
A step that had to happen before a deadline is verified to have done so on the server's clock;
if the machine was too busy, the scenario raises ScenarioInvalid (an error, never a verdict).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from playwright.async_api import Browser, BrowserType

from . import timing
from .observe import Exchange, Observation
from .pool import ContextPool
from .target import Target
from .visitor import ProbeCallFailed


class ScenarioInvalid(Exception):
    """The scenario could not set up what it needs to judge. Reported as an error."""


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

    @property
    def cookie(self) -> str:
        return self.target.promise.attributes.name

    @property
    def promise(self):
        return self.target.promise

    @asynccontextmanager
    async def begin(self):
        """Lease the scenario's context and start the session in it."""
        async with self.mains.lease(self.target, self.obs) as main:
            start = await main.call("start", "start", self.target.start_params())
            if start.session_set_cookie(self.cookie) is None:
                raise NoSessionCookie()  # the checks report the missing cookie from `start`
            yield main, start

    async def replay(self, label: str, value: str) -> Exchange:
        """Ask the server about a cookie value from a fresh context that never held this session
        (a well-behaved browser never sends an expired cookie: this is the only way to see
        server-side expiry)."""
        async with self.replays.lease(self.target, self.obs) as fresh:
            await fresh.plant(self.cookie, value)
            exchange = await fresh.replay_request(label)
        if exchange.sent_session_cookie != value:
            # A refused replay proves nothing if the old value never reached the server.
            raise ProbeCallFailed(f"{label}: the replayed cookie was not sent (Cookie received: "
                                  f"{exchange.cookie_header or '(none)'})")
        return exchange

    def at(self, exchange: Exchange) -> float:
        return timing.handled_at(self.obs, exchange)

    def require_before(self, exchange: Exchange, deadline: float, what: str) -> None:
        """A step that had to precede a deadline did; otherwise drop it and everything after it
        (no check may judge a late observation) and stop the scenario."""
        start = self.obs.step("start")
        guard = timing.BEFORE_DEADLINE_GUARD_S + timing.clock_uncertainty(self.obs)
        if self.at(exchange) > deadline - guard:
            del self.obs.exchanges[self.obs.exchanges.index(exchange):]
            raise ScenarioInvalid(
                f"{what} reached the server at +{self.at(exchange) - self.at(start):.2f} s, not before "
                f"+{deadline - self.at(start):.2f} s: the machine was too busy to judge this scenario")

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
        for ex in reversed([e for e in self.obs.exchanges if not e.label.startswith("replay")]):
            sc = ex.session_set_cookie(self.cookie)
            if sc is not None and not sc.deletes:
                age = self.planned_age(sc)
                if age is None:
                    return None
                jar = ex.jar_cookie(self.cookie)
                stored = jar.expires if jar is not None and jar.expires > 0 else 0.0
                return max(ex.received_at + age, min(stored, ex.received_at + age + timing.JAR_DEADLINE_CAP_S)) + timing.BROWSER_MARGIN_S
        return None

    def _save(self, start: Exchange) -> Exchange:
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
        save = self._save(start)
        return save.received_at + self.promise.server_age + margin

    def server_alive_until(self, start: Exchange) -> float:
        """Until when the server must still honour the session (for steps that must come before
        the deadline: counted from when the server handled the saving request, never after the
        save)."""
        return timing.honoured_until(self.obs, self._save(start), self.promise.server_age)

    def latest_value(self) -> str:
        """The session cookie value the browser holds now (signed_cookies re-signs on every save)."""
        return timing.last_save(self.obs, self.cookie).session_set_cookie(self.cookie).value


async def lifecycle(stage: Stage) -> None:
    """start, read, replay while alive (control), replay just before the server deadline, then
    wait out the browser and server deadlines."""
    p = stage.promise
    async with stage.begin() as (v, start):
        read = await v.call("read", "read")
        live = await stage.replay("replay-live", stage.latest_value())
        planned = stage.planned_age(start.session_set_cookie(stage.cookie))
        if planned is not None:
            stage.require_before(read, stage.at(start) + planned, "the first read")
        early = timing.whole_second_early(p.whole_second_store)
        stage.require_before(live, stage.server_alive_until(start) - early, "the live replay")
        if p.server_waitable:
            # SRV-04: still honoured just before its age (signed cookies: a second earlier still,
            # their stamp is whole seconds). Planned from the latest moment the save can have
            # happened, so that less than BEFORE_EXPIRY_S is left however late it was; judged
            # only if it reached the server before the earliest moment the session may end.
            stamp = early if p.client_side_store else 0.0
            honoured_until = stage.server_alive_until(start) - stamp
            await timing.until(stage.server_deadline(start, margin=0) - stamp - timing.BEFORE_EXPIRY_S,
                               stage.obs, "before server deadline")
            last = await stage.replay("replay-before-expiry", stage.latest_value())
            stage.require_before(last, honoured_until, "the replay before expiry")
        if p.waitable:
            await timing.until(stage.browser_deadline(), stage.obs, "browser deadline")
            await v.call("after-expiry", "read")
        if p.server_waitable:
            await timing.until(stage.server_deadline(start), stage.obs, "server deadline")
            await stage.replay("replay-expired", stage.latest_value())
            if p.browser_length:
                # The browser still holds a browser-length cookie; the server must refuse it.
                await v.call("after-server-expiry", "read")


async def _renewal(stage: Stage, action: str) -> None:
    p = stage.promise
    async with stage.begin() as (v, start):
        await stage.replay("replay-live", stage.latest_value())  # control: the replay works while alive
        age = stage.planned_age(start.session_set_cookie(stage.cookie))
        original_browser = stage.browser_deadline()
        original_server = stage.server_deadline(start)
        await timing.until(stage.at(start) + timing.ACTIVITY_FRACTION * age, stage.obs, "activity")
        activity = await v.call("activity", action)
        early = timing.whole_second_early(p.whole_second_store)
        stage.require_before(activity, min(stage.at(start) + age, stage.server_alive_until(start)) - early,
                             "the activity")
        await timing.until(max(original_browser, original_server), stage.obs, "original deadline")
        after = await v.call("after-original", "read")
        replay = await stage.replay("replay-after-original", stage.latest_value())
        # Had the activity renewed the session, it would live until activity + age at the earliest
        # (whole-second backends: up to 1 s less). Judged later, we could not tell.
        renewed_floor = stage.at(activity) + p.server_age - early
        stage.require_before(after, renewed_floor, "the read after the original deadline")
        stage.require_before(replay, renewed_floor, "the replay after the original deadline")
        # Idle from here: whatever the last save was, the session must end after it.
        await timing.until(max(stage.browser_deadline() or 0, stage.server_deadline(start)),
                           stage.obs, "idle deadline")
        await v.call("after-idle", "read")
        await stage.replay("replay-after-idle", stage.latest_value())


async def renewal_read(stage: Stage) -> None:
    """Read-only activity at 60 % of the age, then past the original deadline, then idle."""
    await _renewal(stage, "read")


async def renewal_write(stage: Stage) -> None:
    """Modifying activity at 60 % of the age, then past the original deadline, then idle."""
    await _renewal(stage, "touch")


async def logout(stage: Stage) -> None:
    """start, logout, then replay the old cookie: refused only because of the logout if the
    replay lands before the session would have expired anyway."""
    p = stage.promise
    async with stage.begin() as (v, start):
        value = start.session_set_cookie(stage.cookie).value
        await stage.replay("replay-live", value)  # control: the replay works while alive
        out = await v.call("logout", "logout")
        if out.sent_session_cookie is None:
            raise ScenarioInvalid(f"the logout request did not carry the session cookie (sent "
                                  f"+{stage.at(out) - stage.at(start):.2f} s after start): nothing was logged out")
        await v.call("after-logout", "read")
        replay = await stage.replay("replay-after-logout", value)
        if p.server_waitable:
            # From the last save the docs promise (on a sliding site, every request renews it).
            natural_end = timing.honoured_until(stage.obs, stage._save(start), min(p.enforced_server_age, p.server_age))
            stage.require_before(replay, natural_end - timing.whole_second_early(p.whole_second_store),
                                 "the replay after logout")


async def absolute(stage: Stage) -> None:
    """Keep the session busy (a read every KEEPALIVE_FRACTION of its idle age) up to just before
    its absolute timeout, then read and replay just after it."""
    p = stage.promise
    async with stage.begin() as (v, start):
        await stage.replay("replay-live", stage.latest_value())  # control: the replay works while alive
        # The session began no earlier than the sign-in's first request left (black-box mode has
        # no server clock), so "before the timeout" is judged against that.
        ends = min(stage.at(start), start.began_at or start.sent_at) + p.absolute_timeout
        step = timing.KEEPALIVE_FRACTION * (p.max_age or p.server_age)
        last, n = start, 0
        while stage.at(last) + step < ends - timing.BEFORE_EXPIRY_S:
            await timing.until(stage.at(last) + step, stage.obs, "keep-alive")
            alive_until = stage.server_alive_until(start)  # from the last save before this read
            last, n = await v.call(f"keepalive-{n}", "read"), n + 1
            # A read that came after the idle deadline would make "signed out early" the site's fault.
            stage.require_before(last, alive_until, "a keep-alive read")
        # A black-box read is a whole page load (its last stylesheet may arrive a second after
        # the document): start the last one early by as long as the previous one took.
        lead = timing.BEFORE_EXPIRY_S + last.received_at - (last.began_at or last.sent_at)
        await timing.until(ends - lead, stage.obs, "before absolute timeout")
        before = await v.call("before-absolute", "read")
        stage.require_before(before, ends, "the read before the absolute timeout")
        await timing.until(stage.at(start) + p.absolute_timeout + timing.SERVER_MARGIN_S, stage.obs,
                           "absolute timeout")
        await v.call("after-absolute", "read")
        await stage.replay("replay-after-absolute", stage.latest_value())


# Scenarios with deadlines to meet, run together; the restarts (restarts.py) run after them.
SCENARIOS = {
    "lifecycle": lifecycle,
    "renewal-read": renewal_read,
    "renewal-write": renewal_write,
    "logout": logout,
    "absolute": absolute,
}
