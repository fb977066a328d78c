"""The browser side in black-box mode: sign in through the site's own login form, read the page
only a signed-in user sees, follow its logout link, and replay an old cookie value. Each step
becomes an Exchange like the probe's, built from what the browser sent (the request's Cookie
header) and what the site showed (signed in or not), so the checks judge it unchanged.

Nothing the probe reports is invented: there is no stored expiry and no server clock.
"""

from __future__ import annotations

import dataclasses
import time
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

from .observe import Exchange, split_set_cookie
from .visitor import ProbeCallFailed, Visitor


class BlackBoxVisitor(Visitor):
    """A Visitor whose actions go through the site's pages instead of the probe."""

    _planted: str | None = None

    @property
    def site(self):
        return self.target.blackbox

    async def call(self, label: str, action: str, params: list | None = None) -> Exchange:
        await self.ready()
        if action == "start":
            return await self._sign_in(label)
        if action == "read":
            return await self._visit(label, self.site.signed_in_url, action)
        if action == "logout" and self.site.logout_url:
            return await self._visit(label, self.site.logout_url, action)
        raise ProbeCallFailed(f"{label}: black-box mode cannot {action} (only the probe can)")

    async def _sign_in(self, label: str) -> Exchange:
        site, page = self.site, self._page
        try:
            await page.goto(site.login_url)
            await page.fill(site.username_field, site.username)
            await page.fill(site.password_field, site.password)
        except Exception as exc:  # Playwright's timeout/selector errors: a setup problem, one line
            raise ProbeCallFailed(f"{label}: cannot fill the login form at {site.login_url}: "
                                  f"{str(exc).splitlines()[0]} (check [login] in {site.source})") from None

        async def submit():
            async with page.expect_navigation():
                await page.click(site.submit)

        exchange = await self._navigate(label, "start", site.login_url, submit)
        if exchange.session_set_cookie(self.target.promise.attributes.name) is None:
            names = sorted({c.name for c in exchange.set_cookies}) or ["none"]
            raise ProbeCallFailed(
                f"{label}: signing in set no {self.target.promise.attributes.name!r} cookie (cookies set: "
                f"{', '.join(names)}; landed on {page.url}): check the credentials, [login] and "
                f"[policy] cookie_name in {site.source}")
        return exchange

    async def _visit(self, label: str, url: str, action: str) -> Exchange:
        """A real navigation: the request is the browser's own, redirects and all."""
        return await self._navigate(label, action, url, lambda: self._page.goto(url))

    async def _navigate(self, label: str, action: str, url: str, go) -> Exchange:
        """Run a navigation and turn its document responses (redirects included) into one
        Exchange. Its time window is that of the last response that set the session cookie (the
        last save: a sliding site saves again on the redirect target): from the arrival of the
        response before it (its request left after that) to its own arrival."""
        page, seen = self._page, []

        def record(response) -> None:  # Playwright wraps handlers: a bound builtin will not do
            seen.append((time.time(), response))

        page.on("response", record)
        began = time.time()
        try:
            await go()
            await page.wait_for_load_state()
        finally:
            page.remove_listener("response", record)
        chain = [(t, r) for t, r in seen if r.request.is_navigation_request() and r.url.startswith(self.target.base_url)]
        if not chain:
            raise ProbeCallFailed(f"{label}: {url} gave no response from {self.target.base_url}")
        name = self.target.promise.attributes.name
        set_cookies, date, key = [], None, 0
        for i, (_, response) in enumerate(chain):
            headers = await response.headers_array()
            mine = [h["value"] for h in headers if h["name"].lower() == "set-cookie"]
            if any(c.name == name for c in split_set_cookie(mine)):
                key = i
            set_cookies += mine
            date = next((h["value"] for h in headers if h["name"].lower() == "date"), date)
        sent = began if key == 0 else chain[key - 1][0]
        first = chain[0][1]
        cookie_header = (await first.request.all_headers()).get("cookie")
        exchange = dataclasses.replace(
            self._make(label, action, url, sent, chain[key][0], first.status, date, set_cookies, cookie_header,
                       self.site.signed_in(await page.content())), jar=await self.jar())
        self.obs.exchanges.append(exchange)
        return exchange

    def _make(self, label, action, url, sent, received, status, date, set_cookies, cookie_header, signed_in):
        name = self.target.promise.attributes.name
        value = None
        if cookie_header:
            jar = SimpleCookie()
            jar.load(cookie_header)
            value = jar[name].value if name in jar else None
        return Exchange(
            label=label, url=url, sent_at=sent, received_at=received, status=status,
            date_header=parsedate_to_datetime(date).timestamp() if date else None,
            set_cookies=tuple(split_set_cookie(set_cookies)),
            # What the probe would have said, as far as a signed-in page can tell: the session
            # is the site's (probe_session), accepted means the page showed the user signed in.
            probe={"action": action, "cookie_header": cookie_header, "session_cookie": value,
                   "accepted": signed_in, "probe_session": True, "stored": None, "server_time": None})

    async def plant(self, name: str, value: str) -> None:
        self._planted = value  # sent explicitly by replay_request: exactly this value, nothing else

    async def replay_request(self, label: str) -> Exchange:
        """The signed-in page, asked with only the replayed cookie (Playwright's HTTP client, as
        in probe mode: the server is judged here, not the browser)."""
        name, url = self.target.promise.attributes.name, self.site.signed_in_url
        cookie = f"{name}={self._planted}"
        sent = time.time()
        response = await self.context.request.get(url, headers={"Cookie": cookie}, fail_on_status_code=False,
                                                  max_redirects=0)
        body = await response.text()
        received = time.time()
        headers = response.headers_array
        date = next((h["value"] for h in headers if h["name"].lower() == "date"), None)
        # A refused session redirects to the login page (or shows it): not signed in either way.
        signed_in = response.status == 200 and self.site.signed_in(body)
        exchange = self._make(label, "read", url, sent, received, response.status, date,
                              [h["value"] for h in headers if h["name"].lower() == "set-cookie"], cookie, signed_in)
        self.obs.exchanges.append(exchange)
        return exchange
