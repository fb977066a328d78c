"""Pools of long-lived browser contexts, each with its page open, lent to one scenario at a time.

Opening a context and page costs 0.35 s (Chromium) to 0.7 s (Firefox) of CPU, measured on this
2-core machine; a campaign needs hundreds, so they are recycled: a lease clears the context's
cookies and sets the probe token, which for everything the probe looks at makes it a fresh
context. A lease is also admission control: a scenario starts only when a context is free, so the
machine is never so busy that timed steps miss their deadlines.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

from playwright.async_api import Browser
from playwright.async_api import Error as PlaywrightError

from ..drivers import open_driver
from ..exchange import Observation
from ..protocol import TOKEN_HEADER
from ..targets.target import Target


# How far down the queue of waiting scenarios a returned context looks for one on its page's site.
AFFINITY_LOOKAHEAD = 40


class ContextPool:
    def __init__(self, browser: Browser, size: int, pages: bool = True, context_args: dict | None = None):
        self.browser, self.size, self.pages = browser, size, pages
        self.context_args = context_args or {}
        self._free: list = []  # (context, page) pairs not lent
        self._waiting: list[tuple[str, asyncio.Future]] = []  # (site, future) of leases in the order they asked
        self._opened = 0  # counted before the await, so concurrent leases cannot overshoot

    async def _acquire(self, site: str):
        """A free context (one whose page is on `site` first: a page already there needs no
        navigation, which costs a Firefox 0.16 s of CPU), or a new one while fewer than `size`
        exist (grown on demand: a small run opens only what it uses), else wait for one."""
        if self._free:
            mine = next((i for i, (_, page) in enumerate(self._free) if _on(page, site)), 0)
            return self._free.pop(mine)
        if self._opened < self.size:
            self._opened += 1
            return await self._open()
        waiting = asyncio.get_running_loop().create_future()
        self._waiting.append((site, waiting))
        try:
            return await waiting
        except asyncio.CancelledError:
            if waiting.done() and not waiting.cancelled():
                self._release(waiting.result())  # handed over as this lease was cancelled
            elif (site, waiting) in self._waiting:
                self._waiting.remove((site, waiting))
            raise

    def _release(self, pair) -> None:
        """Hand a returned context to the first waiting lease on its page's site among the next
        few, else to the first: the order barely changes, and many a navigation is saved."""
        self._waiting = [(site, waiting) for site, waiting in self._waiting if not waiting.done()]
        ahead = self._waiting[:AFFINITY_LOOKAHEAD]
        if not ahead:
            self._free.append(pair)
            return
        i = next((i for i, (site, _) in enumerate(ahead) if _on(pair[1], site)), 0)
        _, waiting = self._waiting.pop(i)
        waiting.set_result(pair)

    async def _open(self):
        context = await self.browser.new_context(**self.context_args)
        return context, (await context.new_page() if self.pages else None)

    async def warm(self) -> "ContextPool":
        """Open every context before the scenarios start: opened mid-run, new pages (Firefox: up
        to seconds each under load) would delay other scenarios' timed steps."""
        missing = self.size - self._opened
        self._opened = self.size
        # Side by side: Firefox opens a page in 0.24 s of wall time this way, 0.32 s one at a time.
        self._free.extend(await asyncio.gather(*(self._open() for _ in range(missing))))
        return self

    @asynccontextmanager
    async def lease(self, target: Target, obs: Observation):
        context, page = await self._acquire(target.base_url)
        try:
            await context.clear_cookies()
            if page is not None and target.token:
                await page.set_extra_http_headers({TOKEN_HEADER: target.token})
            yield open_driver(target, obs, context, page)
        except (asyncio.CancelledError, PlaywrightError):
            # Cancelled (a scenario timeout) or broken mid-request: a late response could still
            # set a cookie for the next tenant. Never lend this context again.
            await self._discard(context)
            raise
        except BaseException:
            self._release((context, page))  # every request had completed
            raise
        else:
            self._release((context, page))

    async def _discard(self, context) -> None:
        self._opened -= 1
        await close_quietly(context)


async def close_quietly(context) -> None:
    """Close a context that may already be gone with its browser: nothing left to lend or leak."""
    try:
        await context.close()
    except PlaywrightError:
        pass


def _on(page, site: str) -> bool:
    """Whether the page is on the site (a base URL: scheme, host and port)."""
    return page is not None and page.url.startswith(site.rstrip("/") + "/")
