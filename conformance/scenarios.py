"""Scenario timelines: what a visitor does, in order, and when. Each one records exchanges into
its Observation and never judges; the checks judge. Every wait goes through timing.until() with a
deadline computed from an earlier exchange.

Step labels are part of the contract with the checks (checks read obs.step("after-expiry")).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from playwright.async_api import Browser, BrowserType

from . import timing
from .observe import Exchange, Observation
from .target import Target
from .visitor import Visitor


class ScenarioInvalid(Exception):
    """The scenario could not set up what it needs to judge (e.g. the machine was too busy to act
    before a deadline). Reported as an error, never as a verdict."""


@dataclass
class Stage:
    browser: Browser
    browser_type: BrowserType
    launch_args: dict
    target: Target
    obs: Observation

    @property
    def cookie(self) -> str:
        return self.target.promise.attributes.name

    async def visitor(self) -> Visitor:
        return await Visitor.open(self.browser, self.target, self.obs)

    async def start(self, v: Visitor) -> Exchange:
        ex = await v.call("start", "start", self.target.start_params())
        if ex.session_set_cookie(self.cookie) is None:
            # Nothing to follow: the checks report the missing cookie from this exchange.
            raise NoSessionCookie()
        return ex

    async def replay(self, label: str, value: str, fresh: Visitor | None = None) -> Exchange:
        """Ask the server about an old cookie value from a fresh context (a well-behaved browser
        would never send an expired cookie, so this is the only way to see server-side expiry).
        Pass a visitor opened in advance when the replay must land close to a deadline: opening a
        context takes a few hundred milliseconds."""
        fresh = fresh or await self.visitor()
        try:
            await fresh.plant(self.cookie, value)
            return await fresh.call(label, "read")
        finally:
            await fresh.close()

    def server_deadline(self, first_save: Exchange) -> float:
        """When the server must refuse the session, from the saves observed so far."""
        promise = self.target.promise
        # The promised age, not what the backend can enforce: signed_cookies honouring a replay
        # past set_expiry() is exactly what SRV-01 reports (as Django's documented caveat).
        save = first_save if promise.fixed_deadline else (timing.last_save(self.obs, self.cookie) or first_save)
        return timing.server_deadline(save, promise.server_age) + timing.SERVER_MARGIN_S

    def latest_value(self) -> str:
        """The session cookie value the main visitor holds now (signed_cookies re-signs on save)."""
        save = timing.last_save(self.obs, self.cookie)
        return save.session_set_cookie(self.cookie).value

    def browser_deadline(self) -> float | None:
        """When the main visitor's browser must stop sending the cookie (last Set-Cookie it got)."""
        main = [e for e in self.obs.exchanges if not e.label.startswith("replay")]
        for ex in reversed(main):
            sc = ex.session_set_cookie(self.cookie)
            if sc is not None and not sc.deletes:
                d = timing.cookie_deadline(ex, self.cookie)
                return None if d is None else d + timing.BROWSER_MARGIN_S
        return None


class NoSessionCookie(Exception):
    """start/ set no session cookie; the observation so far is still judged."""


async def lifecycle(stage: Stage) -> None:
    """start, read, replay while alive (control), then wait out the browser and server deadlines."""
    promise = stage.target.promise
    v = await stage.visitor()
    try:
        start = await stage.start(v)
        await v.call("read", "read")
        await stage.replay("replay-live", stage.latest_value())
        browser_at = stage.browser_deadline()
        if browser_at is not None and promise.waitable:
            await timing.until(browser_at, stage.obs, "browser deadline")
            await v.call("after-expiry", "read")
        if promise.server_waitable:
            await timing.until(stage.server_deadline(start), stage.obs, "server deadline")
            await stage.replay("replay-expired", stage.latest_value())
            if promise.browser_length:
                # The browser still holds a browser-length cookie; the server must refuse it.
                await v.call("after-server-expiry", "read")
    finally:
        await v.close()


async def _renewal(stage: Stage, action: str) -> None:
    promise = stage.target.promise
    age = promise.max_age
    v = await stage.visitor()
    try:
        start = await stage.start(v)
        original_browser = stage.browser_deadline()
        original_server = stage.server_deadline(start)
        spare = await stage.visitor()
        await timing.until(start.received_at + timing.ACTIVITY_FRACTION * age, stage.obs, "activity")
        activity = await v.call("activity", action)
        if activity.received_at > start.received_at + age - timing.MAX_LATENESS_S:
            raise ScenarioInvalid(f"activity landed at +{activity.received_at - start.received_at:.2f} s, "
                                  f"too close to the {age} s deadline to judge renewal (machine too busy)")
        await timing.until(max(original_browser, original_server), stage.obs, "original deadline")
        await v.call("after-original", "read")
        replay = await stage.replay("replay-after-original", stage.latest_value(), spare)
        # If the activity renewed the session, it lives until activity + age at the earliest
        # (signed cookies stamp whole seconds, so up to 1 s less). Judged later, we cannot tell.
        renewed_floor = activity.sent_at + age - timing.signed_early(promise.client_side_store)
        if replay.received_at > renewed_floor:
            raise ScenarioInvalid(f"the check after the original deadline finished at "
                                  f"+{replay.received_at - start.received_at:.2f} s, past the earliest "
                                  f"renewed deadline +{renewed_floor - start.received_at:.2f} s (machine too busy)")
        # Idle from here: whatever the last save was, the session must end after it.
        idle_browser = stage.browser_deadline() or 0
        await timing.until(max(idle_browser, stage.server_deadline(start)), stage.obs, "idle deadline")
        await v.call("after-idle", "read")
        await stage.replay("replay-after-idle", stage.latest_value())
    finally:
        await v.close()


async def renewal_read(stage: Stage) -> None:
    """Read-only activity at half the age, then past the original deadline, then idle."""
    await _renewal(stage, "read")


async def renewal_write(stage: Stage) -> None:
    """Modifying activity at half the age, then past the original deadline, then idle."""
    await _renewal(stage, "touch")


async def logout(stage: Stage) -> None:
    v = await stage.visitor()
    try:
        start = await stage.start(v)
        await v.call("logout", "logout")
        await v.call("after-logout", "read")
        await stage.replay("replay-after-logout", start.session_set_cookie(stage.cookie).value)
    finally:
        await v.close()


async def restart_context(stage: Stage) -> None:
    """Close the context and open a new one with only what a browser keeps across a restart."""
    v = await stage.visitor()
    try:
        await stage.start(v)
        await v.call("before-restart", "read")
        state = await v.restart_state()
    finally:
        await v.close()
    again = await Visitor.open(stage.browser, stage.target, stage.obs, storage_state=state)
    try:
        await again.call("after-restart", "read")
    finally:
        await again.close()


async def restart_profile(stage: Stage) -> None:
    """A real browser restart: close and relaunch a persistent profile on the same folder."""
    with tempfile.TemporaryDirectory(prefix="conformance-profile-") as folder:
        v = await Visitor.open_persistent(stage.browser_type, stage.launch_args, folder,
                                          stage.target, stage.obs)
        try:
            await stage.start(v)
            await v.call("before-restart", "read")
        finally:
            await v.close()
        again = await Visitor.open_persistent(stage.browser_type, stage.launch_args, folder,
                                              stage.target, stage.obs)
        try:
            await again.call("after-restart", "read")
        finally:
            await again.close()


SCENARIOS = {
    "lifecycle": lifecycle,
    "renewal-read": renewal_read,
    "renewal-write": renewal_write,
    "logout": logout,
    "restart-context": restart_context,
    "restart-profile": restart_profile,
}
