"""The driver protocol: how one browsing context acts on a site under test. Every action is a real
request from the browser (or, for a replay, from that context's cookie jar) and comes back as an
Exchange whose Reply says what the server made of it. Scenarios (observe/stage.py and the check
families) only ever talk to a Driver, so they run unchanged against the probe or a site's pages.
"""

from __future__ import annotations

import abc
from typing import Mapping

from playwright.async_api import BrowserContext

from ..exchange import Exchange, JarCookie, Observation
from ..targets.target import Target


class DriverError(Exception):
    """A request did not get an answer the driver can use: a setup problem, never a verdict."""


class Driver(abc.ABC):
    """One browsing context (and its page) acting for a scenario on one target."""

    def __init__(self, target: Target, obs: Observation, context: BrowserContext, page=None):
        self.target, self.obs, self.context = target, obs, context
        self._page = page

    @classmethod
    def lacks(cls, target: Target) -> Mapping[str, str]:
        """The capabilities (targets/capabilities.py) this driver cannot offer on this target,
        each with the reason a check that needs it is skipped."""
        return {}

    async def open(self) -> "Driver":
        """Open the page now (the expensive part: a renderer process) rather than on first use."""
        if self._page is None:
            self._page = await self.context.new_page()
        return self

    @abc.abstractmethod
    async def start(self, label: str) -> Exchange:
        """Begin the session under test (the probe's start/, or signing in)."""

    @abc.abstractmethod
    async def read(self, label: str) -> Exchange:
        """A request that reads the session without modifying it."""

    @abc.abstractmethod
    async def write(self, label: str) -> Exchange:
        """A request that modifies the session."""

    @abc.abstractmethod
    async def logout(self, label: str) -> Exchange:
        """End the session the way the site's logout does."""

    @abc.abstractmethod
    async def replay(self, label: str, value: str) -> Exchange:
        """Ask the server about this session cookie value alone, from this context (cleared: it
        never held the session). Judges the server, not the browser: a well-behaved browser never
        sends an expired cookie, so this is the only way to see server-side expiry."""

    async def jar(self) -> tuple[JarCookie, ...]:
        # Unfiltered: cookies(url) would hide a cookie whose Path or Secure flag the URL misses.
        cookies = await self.context.cookies()
        return tuple(JarCookie(c["name"], c["value"], c["expires"], c["domain"], c["path"]) for c in cookies)

    async def kept_across_restart(self) -> dict:
        """What a browser keeps across a restart: persistent cookies only (storage_state()
        would also carry session cookies, expires == -1, which no real restart keeps)."""
        state = await self.context.storage_state()
        state["cookies"] = [c for c in state["cookies"] if c.get("expires", -1) != -1]
        return state
