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


class ContextPool:
    def __init__(self, browser: Browser, size: int, pages: bool = True, context_args: dict | None = None):
        self.browser, self.size, self.pages = browser, size, pages
        self.context_args = context_args or {}
        self._free: asyncio.Queue = asyncio.Queue()
        self._contexts = []
        self._opened = 0  # counted before the await, so concurrent leases cannot overshoot

    async def _acquire(self):
        """A free context, or a new one while fewer than `size` exist (grown on demand: a small
        run opens only what it uses), else wait for one to be returned."""
        if self._free.empty() and self._opened < self.size:
            self._opened += 1
            return await self._open()
        return await self._free.get()

    async def _open(self):
        context = await self.browser.new_context(**self.context_args)
        self._contexts.append(context)
        return context, (await context.new_page() if self.pages else None)

    async def warm(self) -> "ContextPool":
        """Open every context before the scenarios start: opened mid-run, new pages (Firefox: up
        to seconds each under load) would delay other scenarios' timed steps."""
        while self._opened < self.size:
            self._opened += 1
            self._free.put_nowait(await self._open())
        return self

    @asynccontextmanager
    async def lease(self, target: Target, obs: Observation):
        context, page = await self._acquire()
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
            self._free.put_nowait((context, page))  # every request had completed
            raise
        else:
            self._free.put_nowait((context, page))

    async def _discard(self, context) -> None:
        self._contexts.remove(context)
        self._opened -= 1
        try:
            await context.close()
        except PlaywrightError:
            pass  # already gone with its browser or page: nothing left to lend or leak

    async def close(self) -> None:
        for context in self._contexts:
            await context.close()
