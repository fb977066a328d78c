"""The browser side: a visitor is one browsing context talking to the probe.

Every call is a real navigation, so the Cookie header is what the browser itself decided to send
and the Set-Cookie lines are read raw from the response (the jar hides attributes).
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

from playwright.async_api import BrowserContext

from .observe import Exchange, JarCookie, Observation, split_set_cookie
from .target import PROBE_HEADER, Target


class ProbeCallFailed(Exception):
    pass


def visitor_for(target: Target, obs: Observation, context: BrowserContext, page=None) -> "Visitor":
    """The probe's visitor, or the black-box one for a target described by a config file."""
    if target.blackbox is not None:
        from .blackbox_visitor import BlackBoxVisitor  # it builds on Visitor: imported late
        return BlackBoxVisitor(target, obs, context, page)
    return Visitor(target, obs, context, page)


# Errors are swallowed in the page: the response event Playwright reports is what we judge.
FETCH = """async (url) => {
  try { await (await fetch(url, {credentials: "same-origin", cache: "no-store"})).text(); } catch (e) {}
}"""


class Visitor:
    def __init__(self, target: Target, obs: Observation, context: BrowserContext, page=None):
        self.target, self.obs, self.context = target, obs, context
        self._page = page

    async def ready(self) -> "Visitor":
        """Open the page now (the expensive part: a renderer process) rather than on first call."""
        if self._page is None:
            self._page = await self.context.new_page()
        return self

    async def call(self, label: str, action: str, params: list | None = None) -> Exchange:
        """One probe request from this browser: a same-origin fetch() from a blank probe page on
        the target's origin. The browser's own network stack and cookie jar decide what is sent
        (SameSite does not apply within one origin), at a tenth of a navigation's CPU, and
        without Firefox's JSON viewer, which made a JSON navigation take seconds under load."""
        await self.ready()
        if not self._page.url.startswith(self.target.base_url):
            # A page may serve several targets in turn (group scenarios, pooled contexts).
            await self._page.set_extra_http_headers({PROBE_HEADER: self.target.token})
            await self._page.goto(self.target.probe_url(""))
        url = self.target.probe_url(action, params)
        sent = time.time()
        async with self._page.expect_response(lambda r: r.url == url) as info:
            await self._page.evaluate(FETCH, url)
        response = await info.value
        return await self._record(label, url, sent, response)

    async def replay_request(self, label: str) -> Exchange:
        """A read from this context's cookie jar through Playwright's HTTP client, not the
        browser's network stack: only for replays, where the server is judged, not the browser
        (no page, no renderer: a replay must land close to a deadline, even on a busy machine)."""
        url = self.target.probe_url("read")
        sent = time.time()
        response = await self.context.request.get(url, headers={PROBE_HEADER: self.target.token},
                                                  fail_on_status_code=False)
        return await self._record(label, url, sent, response)

    async def _record(self, label: str, url: str, sent: float, response) -> Exchange:
        received = time.time()
        if response is None:
            raise ProbeCallFailed(f"{label}: no response for {url}")
        # Response.headers_array() is a coroutine; APIResponse.headers_array is a property.
        headers = response.headers_array
        headers = await headers() if callable(headers) else headers
        try:
            body = await response.json()
        except Exception as exc:  # the probe always answers JSON; anything else is a setup error
            raise ProbeCallFailed(f"{label}: {url} answered {response.status} without JSON ({exc})") from None
        if response.status != 200:
            raise ProbeCallFailed(f"{label}: {url} answered {response.status}: {body.get('error', body)}")
        date = next((h["value"] for h in headers if h["name"].lower() == "date"), None)
        exchange = Exchange(
            label=label, url=url, sent_at=sent, received_at=received, status=response.status,
            date_header=parsedate_to_datetime(date).timestamp() if date else None,
            set_cookies=tuple(split_set_cookie(
                [h["value"] for h in headers if h["name"].lower() == "set-cookie"])),
            probe=body, jar=await self.jar())
        self.obs.exchanges.append(exchange)
        return exchange

    async def jar(self) -> tuple[JarCookie, ...]:
        # Unfiltered: cookies(url) would hide a cookie whose Path or Secure flag the URL misses.
        cookies = await self.context.cookies()
        return tuple(JarCookie(c["name"], c["value"], c["expires"], c["domain"], c["path"]) for c in cookies)

    async def plant(self, name: str, value: str) -> None:
        """Put a saved cookie value into this context as a session cookie (a replay)."""
        attrs = self.target.promise.attributes
        await self.context.add_cookies([{
            "name": name, "value": value, "domain": attrs.domain or self.target.host,
            "path": attrs.path, "secure": attrs.secure, "httpOnly": attrs.httponly,
            **({"sameSite": attrs.samesite} if attrs.samesite in ("Strict", "Lax", "None") else {})}])

    async def restart_state(self) -> dict:
        """What a browser keeps across a restart: persistent cookies only (storage_state()
        would also carry session cookies, expires == -1, which no real restart keeps)."""
        state = await self.context.storage_state()
        state["cookies"] = [c for c in state["cookies"] if c.get("expires", -1) != -1]
        return state

    async def close(self) -> None:
        await self.context.close()
