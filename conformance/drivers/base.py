"""The driver protocol: how one browsing context acts on a site under test. Every action is a real
request from the browser (or, for a replay, from that context's cookie jar) and comes back as an
Exchange whose Reply says what the server made of it. Scenarios (observe/stage.py and the check
families) only ever talk to a Driver, so they run unchanged against the probe or a site's pages.
"""

from __future__ import annotations

import abc
import asyncio
import re
import time
from typing import Mapping

from playwright.async_api import BrowserContext
from playwright.async_api import Error as PlaywrightError

from ..exchange import Exchange, JarCookie, Observation
from ..targets.target import Target


# Every document records its pageshow (a restore from the back/forward cache has persisted=true).
PAGESHOW_SCRIPT = ("addEventListener('pageshow', e => { window.__conformance_pageshow = "
                   "{persisted: e.persisted, at: Date.now()}; });")
BACK_POLLS = 50  # tenths of a second
BROWSER_CLOCK = "browser_clock"  # an observation's note: a remote browser's clock against ours


REPLAY_AT = ("session", "public", "url")
# A request that went on a connection the server had closed, before any answer (direct_get).
RESET_BEFORE_ANSWER = re.compile(r"\b(ECONNRESET|EPIPE)\b")
RESENDS = 2  # a pooled context may hold more than one kept-alive connection the server closed
RESENT = "resent"  # an observation's note: requests direct_get sent again


class DriverError(Exception):
    """A request did not get an answer the driver can use: a setup problem, never a verdict."""


class TooSlow(DriverError):
    """The browser did not do it in the time allowed (a busy machine): observed again, not a verdict."""


class Driver(abc.ABC):
    """One browsing context (and its page) acting for a scenario on one target."""

    # How long a session that page("welcome") starts lasts, when not the target's own age.
    page_session_age: float | None = None

    def __init__(self, target: Target, obs: Observation, context: BrowserContext, page=None):
        self.target, self.obs, self.context = target, obs, context
        self._page = page

    @classmethod
    def lacks(cls, target: Target) -> Mapping[str, str]:
        """The capabilities (targets/capabilities.py) this driver cannot offer on this target,
        each with the reason a check that needs it is skipped."""
        return {}

    async def direct_get(self, url: str, headers: Mapping[str, str], **options):
        """A GET through this context's HTTP client (Playwright's, not the browser's network stack).
        That client keeps connections alive and, unlike a browser, does not send a request again
        when the kept-alive connection it went on turns out closed: a server closing an idle one as
        the request arrives (gunicorn closes them after 2 s; measured: 18 in 1,200 requests made
        about 2 s apart) resets it before any answer, on a correct site. So, as a browser does, a
        request reset before its answer is sent again at once, on another connection; each time is
        counted in the observation's notes (RESENT). Asking for a connection of its own instead
        (Connection: close) is not enough: a server that closes without saying so in its answer
        (Django's runserver) leaves the client reusing it all the same."""
        for attempt in range(RESENDS + 1):
            try:
                return await self.context.request.get(url, headers=dict(headers), fail_on_status_code=False, **options)
            except PlaywrightError as exc:
                if attempt == RESENDS or not RESET_BEFORE_ANSWER.search(str(exc).split("\n", 1)[0]):
                    raise
                self.obs.notes[RESENT] = self.obs.notes.get(RESENT, 0) + 1

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
    async def anonymous(self, label: str) -> Exchange:
        """Be an anonymous visitor who holds a session if the site gives one before sign-in (the
        probe's start/; a site's pages that keep a cart, and its login page)."""

    @abc.abstractmethod
    async def sign_in(self, label: str) -> Exchange:
        """Sign in within the session this context holds (login()'s cycle_key(): the probe's
        signin/; the site's login form). Unlike start(), it keeps what the context holds."""

    async def reserve_sign_in(self) -> None:
        """Wait now for the turn of this visitor's next sign-in (a scenario whose sign-in must follow
        another step closely); only a driver that signs in through the site's form has turns."""

    @abc.abstractmethod
    async def replay(self, label: str, value: str, where: str = "session") -> Exchange:
        """Ask the server about this session cookie value alone, from this context (cleared: it
        never held the session). Judges the server, not the browser: a well-behaved browser never
        sends an expired cookie, so this is the only way to see server-side expiry. `where`
        (REPLAY_AT): the page that shows the session; a page that never touches it ("public"); or
        the page that shows it with the value in its URL as the cookie's name, and no cookie
        ("url": Django's sessions are solely cookie-based)."""

    @abc.abstractmethod
    async def page(self, label: str, kind: str, visitor: str = "", visit: str = "") -> Exchange:
        """A page of one kind, at the same URL for every visitor (so a cache in front of the site
        could answer one visitor with another's): "public" (never touches the session), "welcome"
        (starts one), "recall" (shows what the session holds), "account" (the same, marked
        never_cache), "logout". `visitor` names who asks, when a scenario has several; `visit`
        makes the URLs the scenario's own (the same for all its visitors)."""

    @abc.abstractmethod
    async def visit(self, label: str, kind: str, settle: bool = True) -> Exchange:
        """The same pages as documents: a real navigation, into this page's session history.
        `settle`: wait until the page's own requests are done, as a page Back should restore must
        be when it is left (a page with a request in flight may be kept out of the back/forward
        cache); a page nobody comes back to need not."""

    @abc.abstractmethod
    async def shown(self) -> str | None:
        """What the current document shows of the session: the visitor it is about, or None."""

    async def failed_write(self, label: str) -> Exchange:
        """A request that modifies the session and answers 500 (only the probe offers one)."""
        raise DriverError(f"{label}: no page that modifies the session and fails, without the probe")

    def location(self) -> str:
        """The URL of this context's page ("" before it has one)."""
        return self._page.url if self._page is not None else ""

    async def script_cookies(self) -> list[str]:
        """The cookie names this page's own JavaScript can read (document.cookie)."""
        await self.open()
        text = await self._page.evaluate("document.cookie")
        return sorted({part.split("=", 1)[0].strip() for part in text.split(";") if part.strip()})

    async def arrive(self) -> None:
        """Open a page of the site that starts nothing (a fresh context's first navigation is the
        slow one: seconds, under load, after the server has answered, which a 3 s session would not
        survive)."""
        await self.open()
        await self._page.goto(self.arrival_url())

    def arrival_url(self) -> str:
        raise NotImplementedError

    async def back(self, label: str) -> dict:
        """The Back button, as a user presses it: history.back() (page.go_back() would wait for a
        network navigation that a restore from the back/forward cache never makes), then what the
        page shows and whether it came back from that cache without asking the server."""
        # The page shown after Back must have fired its pageshow after we left (a page restored from
        # the back/forward cache still holds the pageshow of its first load until the new one fires).
        left_at = await self._page.evaluate("(() => { const t = Date.now(); setTimeout(() => history.back(), 0);"
                                            " return t; })()")
        state = {}
        for _ in range(BACK_POLLS):  # a restore is instant; a refetch is one page load
            await asyncio.sleep(0.1)
            try:
                state = await self._page.evaluate(
                    "({shown: window.__conformance_pageshow || null, ready: document.readyState})")
            except PlaywrightError:  # mid-navigation: look again
                continue
            if state["shown"] and state["shown"]["at"] >= left_at and state["ready"] == "complete":
                break
        else:
            raise TooSlow(f"{label}: the Back button did not bring a page back within {BACK_POLLS / 10:.0f} s")
        return {"label": label, "from_back_forward_cache": bool(state["shown"].get("persisted")),
                "url": self._page.url, "shows": await self.shown()}

    async def jar(self) -> tuple[JarCookie, ...]:
        """The context's cookies, their expiry on our clock (a remote browser stores its own)."""
        # Unfiltered: cookies(url) would hide a cookie whose Path or Secure flag the URL misses.
        cookies = await self.context.cookies()
        ahead = await self._browser_clock_ahead()
        return tuple(JarCookie(c["name"], c["value"], c["expires"] - ahead if c["expires"] > 0 else c["expires"],
                               c["domain"], c["path"]) for c in cookies)

    async def _browser_clock_ahead(self) -> float:
        """How far the browser's clock is ahead of ours: 0 for a browser on this machine; a remote
        one's (--connect) measured once per observation from its Date.now(), at the midpoint of the
        shortest of three round trips."""
        if self.obs.browser_clock_shared or self._page is None:
            return 0.0
        if BROWSER_CLOCK not in self.obs.notes:
            best = None
            for _ in range(3):
                sent = time.time()
                theirs = await self._page.evaluate("Date.now()") / 1000
                received = time.time()
                if best is None or received - sent < best[0]:
                    best = (received - sent, theirs - (sent + received) / 2)
            self.obs.notes[BROWSER_CLOCK] = {"ahead_s": round(best[1], 3), "uncertainty_s": round(best[0] / 2, 3)}
        return self.obs.notes[BROWSER_CLOCK]["ahead_s"]

    async def kept_across_restart(self) -> dict:
        """What a browser keeps across a restart: persistent cookies only (storage_state()
        would also carry session cookies, expires == -1, which no real restart keeps)."""
        state = await self.context.storage_state()
        state["cookies"] = [c for c in state["cookies"] if c.get("expires", -1) != -1]
        return state
