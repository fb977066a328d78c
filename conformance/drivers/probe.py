"""The probe driver: every action is a request to the site's conformance probe (conformance.probe),
which echoes the Cookie header it received, whether it accepted the session, what it stored, and
its own clock. Used for the reference site and for deployments with the probe installed.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from email.utils import parsedate_to_datetime

from playwright.async_api import Error as PlaywrightError

from ..exchange import Exchange, Reply, cache_headers, split_set_cookie
from ..protocol import FAILED_WRITE_STATUS, PAGE_SESSION_S, TOKEN_HEADER
from ..targets.target import fresh, with_param
from .base import Driver, DriverError

PAGE_DATA = re.compile(r'<script id="probe" type="application/json">(.*?)</script>', re.S)
# What may still be loading, or start loading, after a page's load event: a script that runs (its
# JSON data block does not), a frame, media, a stylesheet or icon that is not inline, a refresh.
SUBRESOURCE = re.compile(r'<script\b(?![^>]*type="application/json")|<(?:img|iframe|frame|video|audio|object|embed|'
                         r'source)\b[^>]*\bsrc=|<link\b(?![^>]*href="data:)[^>]*\bhref=|'
                         r'<meta\b[^>]*http-equiv=["\']?refresh', re.I)

# Errors are swallowed in the page: the response event Playwright reports is what we judge.
FETCH = """async (url) => {
  try { await (await fetch(url, {credentials: "same-origin", cache: "no-store"})).text(); } catch (e) {}
}"""


class ProbeDriver(Driver):
    page_session_age = PAGE_SESSION_S  # the probe's pages start sessions of their own age

    async def start(self, label: str) -> Exchange:
        return await self._call(label, "start", self.target.start_params())

    async def read(self, label: str) -> Exchange:
        return await self._call(label, "read")

    async def write(self, label: str) -> Exchange:
        return await self._call(label, "touch")

    async def logout(self, label: str) -> Exchange:
        return await self._call(label, "logout")

    async def failed_write(self, label: str) -> Exchange:
        return await self._call(label, "touch", [("fail", str(FAILED_WRITE_STATUS))])

    async def anonymous(self, label: str) -> Exchange:
        """A session before signing in: the probe's own, anonymous (start/, no set_expiry())."""
        return await self._call(label, "start")

    async def sign_in(self, label: str) -> Exchange:
        return await self._call(label, "signin")

    async def _call(self, label: str, action: str, params: list | None = None) -> Exchange:
        """One probe request from this browser: a same-origin fetch() from a blank probe page on
        the target's origin. The browser's own network stack and cookie jar decide what is sent
        (SameSite does not apply within one origin), at a tenth of a navigation's CPU, and
        without Firefox's JSON viewer, which made a JSON navigation take seconds under load."""
        await self.open()
        if not self._page.url.startswith(self.target.base_url):
            # A page may serve several targets in turn (group scenarios, pooled contexts).
            await self._page.set_extra_http_headers({TOKEN_HEADER: self.target.token})
            await self._page.goto(self.target.probe_url(""))
        url = self.target.probe_url(action, params, fresh=True)
        sent = time.time()
        async with self._page.expect_response(lambda r: r.url == url) as info:
            await self._page.evaluate(FETCH, url)
        response = await info.value
        return await self._record(label, url, sent, response)

    async def page(self, label: str, kind: str, visitor: str = "", visit: str = "") -> Exchange:
        """A probe page (the same URL for everyone, on purpose: the cache-safety checks look at what
        the site and anything in front of it do with it): from this browser's page when it has one
        (fetch(), the browser's network stack), else through this context's HTTP client."""
        url = self.target.page_url(kind, visit)
        sent = time.time()
        if self._page is None:
            response = await self.direct_get(url, {TOKEN_HEADER: self.target.token})
        else:
            if not self._page.url.startswith(self.target.base_url):
                await self._page.set_extra_http_headers({TOKEN_HEADER: self.target.token})
                await self._page.goto(self.target.probe_url(""))
            async with self._page.expect_response(lambda r: r.url == url) as info:
                await self._page.evaluate(FETCH, url)
            response = await info.value
        return await self._record(label, url, sent, response, visitor=visitor)

    async def visit(self, label: str, kind: str, settle: bool = True) -> Exchange:
        """A probe page as a document (a real navigation, into the page's session history)."""
        await self.open()
        await self._page.set_extra_http_headers({TOKEN_HEADER: self.target.token})
        url = self.target.page_url(kind, f"{label}-{secrets.token_hex(4)}")  # its own: no cache can answer it
        sent = time.time()
        response = await self._page.goto(url)
        text = await response.text() if response is not None else ""
        exchange = await self._record(label, url, sent, response, text=text)
        if settle and SUBRESOURCE.search(text):
            try:
                # Until the page's own requests are done: a page left with one in flight is one a
                # browser may not keep in its back/forward cache. A probe page asks for nothing
                # (NO_ICON), so it is done at its load event, which goto() waited for; a site's
                # middleware may have added something that loads.
                await self._page.wait_for_load_state("networkidle", timeout=5_000)
            except PlaywrightError:
                pass
        return exchange

    def arrival_url(self) -> str:
        return self.target.probe_url("")

    async def arrive(self) -> None:
        await self.open()
        await self._page.set_extra_http_headers({TOKEN_HEADER: self.target.token})
        await self._page.goto(self.arrival_url())

    async def shown(self) -> str | None:
        """What the current document shows of the session (a probe page's visitor token)."""
        return (await self._page.locator("#visitor").text_content(timeout=5_000) or "").strip() or None

    async def replay(self, label: str, value: str, where: str = "session") -> Exchange:
        """A read from this context's cookie jar, holding only `value`, through Playwright's HTTP
        client rather than the browser's network stack: the server is judged here, not the browser
        (no page, no renderer: a replay must land close to a deadline, even on a busy machine)."""
        attrs = self.target.promise.attributes
        if where != "url":
            await self.context.add_cookies([{
                "name": attrs.name, "value": value, "domain": attrs.domain or self.target.host,
                "path": attrs.path, "secure": attrs.secure, "httpOnly": attrs.httponly,
                **({"sameSite": attrs.samesite} if attrs.samesite in ("Strict", "Lax", "None") else {})}])
        if where == "public":
            url = fresh(with_param(self.target.page_url("public"), "echo", "1"))
        else:
            url = self.target.probe_url("read", [(attrs.name, value)] if where == "url" else None, fresh=True)
        sent = time.time()
        response = await self.direct_get(url, {TOKEN_HEADER: self.target.token})
        return await self._record(label, url, sent, response)

    async def _record(self, label: str, url: str, sent: float, response, visitor: str = "",
                      text: str | None = None) -> Exchange:
        received = time.time()
        if response is None:
            raise DriverError(f"{label}: no response for {url}")
        # Response.headers_array() is a coroutine; APIResponse.headers_array is a property.
        headers = response.headers_array
        headers = await headers() if callable(headers) else headers
        try:
            text = await response.text() if text is None else text
            page = PAGE_DATA.search(text)
            body = json.loads(page.group(1) if page else text)
        except Exception:  # the probe always answers JSON (or a page carrying it): a setup error
            raise DriverError(f"{label}: {url} answered HTTP {response.status} without the probe's JSON: "
                              f"{_what(response.status)}") from None
        failed_write = f"fail={FAILED_WRITE_STATUS}" in url and response.status == FAILED_WRITE_STATUS
        if response.status != 200 and not failed_write:
            raise DriverError(f"{label}: {url} answered {response.status}: {body.get('error', body)}")
        date = next((h["value"] for h in headers if h["name"].lower() == "date"), None)
        exchange = Exchange(
            label=label, url=url, sent_at=sent, received_at=received, status=response.status,
            date_header=parsedate_to_datetime(date).timestamp() if date else None,
            set_cookies=tuple(split_set_cookie(
                [h["value"] for h in headers if h["name"].lower() == "set-cookie"])),
            reply=Reply.from_probe(body), jar=await self.jar(), headers=cache_headers(headers), visitor=visitor)
        self.obs.exchanges.append(exchange)
        return exchange


def _what(status: int) -> str:
    """What an answer without the probe's JSON means, by its status."""
    if status >= 500:
        return "a server error (see the site's log)"
    if status == 404:
        return "not found (the probe is not installed there, or the token is wrong)"
    if status in (401, 403):
        return "refused before the probe (an authentication layer in front of the site?)"
    return "not the probe's answer (a proxy or a redirect in between?)"
