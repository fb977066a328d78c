"""The probe driver: every action is a request to the site's conformance probe (conformance.probe),
which echoes the Cookie header it received, whether it accepted the session, what it stored, and
its own clock. Used for the reference site and for deployments with the probe installed.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

from ..exchange import Exchange, Reply, split_set_cookie
from ..protocol import TOKEN_HEADER
from .base import Driver, DriverError

# Errors are swallowed in the page: the response event Playwright reports is what we judge.
FETCH = """async (url) => {
  try { await (await fetch(url, {credentials: "same-origin", cache: "no-store"})).text(); } catch (e) {}
}"""


class ProbeDriver(Driver):
    async def start(self, label: str) -> Exchange:
        return await self._call(label, "start", self.target.start_params())

    async def read(self, label: str) -> Exchange:
        return await self._call(label, "read")

    async def write(self, label: str) -> Exchange:
        return await self._call(label, "touch")

    async def logout(self, label: str) -> Exchange:
        return await self._call(label, "logout")

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
        url = self.target.probe_url(action, params)
        sent = time.time()
        async with self._page.expect_response(lambda r: r.url == url) as info:
            await self._page.evaluate(FETCH, url)
        response = await info.value
        return await self._record(label, url, sent, response)

    async def replay(self, label: str, value: str) -> Exchange:
        """A read from this context's cookie jar, holding only `value`, through Playwright's HTTP
        client rather than the browser's network stack: the server is judged here, not the browser
        (no page, no renderer: a replay must land close to a deadline, even on a busy machine)."""
        attrs = self.target.promise.attributes
        await self.context.add_cookies([{
            "name": attrs.name, "value": value, "domain": attrs.domain or self.target.host,
            "path": attrs.path, "secure": attrs.secure, "httpOnly": attrs.httponly,
            **({"sameSite": attrs.samesite} if attrs.samesite in ("Strict", "Lax", "None") else {})}])
        url = self.target.probe_url("read")
        sent = time.time()
        response = await self.context.request.get(url, headers={TOKEN_HEADER: self.target.token},
                                                  fail_on_status_code=False)
        return await self._record(label, url, sent, response)

    async def _record(self, label: str, url: str, sent: float, response) -> Exchange:
        received = time.time()
        if response is None:
            raise DriverError(f"{label}: no response for {url}")
        # Response.headers_array() is a coroutine; APIResponse.headers_array is a property.
        headers = response.headers_array
        headers = await headers() if callable(headers) else headers
        try:
            body = await response.json()
        except Exception as exc:  # the probe always answers JSON; anything else is a setup error
            raise DriverError(f"{label}: {url} answered {response.status} without JSON ({exc})") from None
        if response.status != 200:
            raise DriverError(f"{label}: {url} answered {response.status}: {body.get('error', body)}")
        date = next((h["value"] for h in headers if h["name"].lower() == "date"), None)
        exchange = Exchange(
            label=label, url=url, sent_at=sent, received_at=received, status=response.status,
            date_header=parsedate_to_datetime(date).timestamp() if date else None,
            set_cookies=tuple(split_set_cookie(
                [h["value"] for h in headers if h["name"].lower() == "set-cookie"])),
            reply=Reply.from_probe(body), jar=await self.jar())
        self.obs.exchanges.append(exchange)
        return exchange
