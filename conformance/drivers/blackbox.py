"""The black-box driver: sign in through the site's own login form, read the page only a
signed-in user sees, log out through the site's own logout, and replay an old cookie value. Each
action becomes an Exchange whose Reply is built from what the browser sent (the request's Cookie
header) and what the site showed (signed in or not), so the checks judge it as they judge the
probe's. Signing in and logging out are the ordered steps of the config (targets/blackbox_config.py).

Nothing the probe reports is invented: there is no stored expiry and no server clock.
"""

from __future__ import annotations

import dataclasses
import time
from email.utils import parsedate_to_datetime
from typing import Mapping

from playwright.async_api import Error as PlaywrightError

from ..exchange import Exchange, Reply, cache_headers, split_set_cookie
from ..targets.blackbox_config import NO_LOGOUT, NO_NEVER_CACHE, NO_PUBLIC_PAGE, NO_WRITE
from ..targets.steps import NAVIGATES, Step
from ..targets.capabilities import LOGOUT, NEVER_CACHE_PAGE, PUBLIC_PAGE, WRITE
from ..targets.probe_client import TLS_HINT
from ..targets.target import VISIT, Target, fresh, plain, with_param
from .base import Driver, DriverError, TooSlow
from .login_form import fix_for, refusal, unticked_boxes
from .page_steps import StepFailed, act, visible, why
from .sign_ins import PATIENCE_S, WAITED, SignInRefused


class BlackBoxDriver(Driver):
    """Acts through the site's own pages instead of the probe."""

    _landed = (0, "")  # the last navigation's final document: (status, URL)
    _reserved = False  # reserve_sign_in() took the next sign-in's turn already
    _ended_after = None  # a sign-in whose own pages deleted its session: that many seconds after it began

    async def reserve_sign_in(self) -> None:
        pace = self.target.sign_in_pace
        if pace is not None:
            self.obs.notes[WAITED] = self.obs.notes.get(WAITED, 0.0) + await pace.turn(self.target.base_url)
            self._reserved = True

    @classmethod
    def lacks(cls, target: Target) -> Mapping[str, str]:
        site = target.blackbox
        return {WRITE: NO_WRITE, **({} if site.logout else {LOGOUT: NO_LOGOUT}),
                **({} if site.public_urls else {PUBLIC_PAGE: NO_PUBLIC_PAGE}),
                **({} if site.signed_in_never_cache else {NEVER_CACHE_PAGE: NO_NEVER_CACHE})}

    @property
    def site(self):
        return self.target.blackbox

    async def start(self, label: str) -> Exchange:
        await self.open()
        return await self._sign_in(label, needs_cookie=True)

    async def _sign_in(self, label: str, needs_cookie: bool) -> Exchange:
        """Sign in through the login form, at the run's pace (drivers/sign_ins.py). A sign-in the site
        did not take is not a verdict: with no session there is nothing to judge. It is dropped, so no
        check reads it as the site's, and said as the site answered it."""
        pace, site, began = self.target.sign_in_pace, self.target.base_url, time.time()
        while True:
            if self._reserved:
                self._reserved = False
            elif pace is not None:
                self.obs.notes[WAITED] = self.obs.notes.get(WAITED, 0.0) + await pace.turn(site)
            exchange = await self._perform(label, "start", self.site.login, record_pages=False)
            answer = await refusal(self._page, self.site, self._landed, exchange, self.target.promise.attributes.name,
                                   needs_cookie)
            if answer is None:
                if pace is not None:
                    pace.succeeded(site)
                if self._ended_after is not None and self._ended_after >= self._shortest_age() - NETWORK_GUARD_S:
                    raise TooSlow(f"{label}: signing in took {self._ended_after:.1f} s with its pages, longer than the "
                                  f"session's age ({self._shortest_age():g} s): one of them ended the session before "
                                  "the sign-in had finished loading (a slow site or a busy machine; on a staging "
                                  "site, a longer age leaves the suite time to judge)")
                return exchange
            self.obs.exchanges.remove(exchange)
            refused = pace.refused(site, answer) if pace is not None else None
            if refused is None:
                raise DriverError(f"{label}: the site did not sign the account in: {answer}: "
                                  f"{fix_for(self.site, self._landed[0])}")
            if time.time() - began > PATIENCE_S:
                raise SignInRefused(f"{label}: {refused}", refused.answer)
            # Refused after accepting the same account before: again at the slower pace.

    def _shortest_age(self) -> float:
        """The shortest the session under test may live: its cookie's age, or the server's."""
        p = self.target.promise
        return min(p.server_age, p.max_age if p.max_age is not None else p.server_age)

    async def read(self, label: str) -> Exchange:
        await self.open()
        return await self._visit(label, fresh(self.site.signed_in_url), "read")

    async def anonymous(self, label: str) -> Exchange:
        """The pages an anonymous visitor sees before signing in: [pages] anonymous_session, then the
        login page (the last one is `label`; its jar says whether the visitor now holds a session)."""
        await self.open()
        urls = (*self.site.anonymous_urls, self.site.login_url)
        for i, url in enumerate(urls):
            exchange = await self._visit(label if i == len(urls) - 1 else f"{label}-page", fresh(url), "page")
        return exchange

    async def sign_in(self, label: str) -> Exchange:
        """Sign in through the login form, in this context as it is (a session it holds included:
        whether the cookie changes is what the fixation checks judge)."""
        await self.open()
        return await self._sign_in(label, needs_cookie=False)

    async def page(self, label: str, kind: str, visitor: str = "", visit: str = "") -> Exchange:
        """The site's own pages at their own URLs: signing in (welcome), the signed-in page (recall,
        account), a public page the config names (public)."""
        await self.open()
        if kind == "welcome":
            exchange = await self.start(label)
        elif kind == "logout":
            exchange = await self.logout(label)
        elif kind in ("recall", "account"):
            exchange = await self._visit(label, _visit_url(self.site.signed_in_url, visit), "read")
        elif kind == "public":
            exchange = await self._visit(label, _visit_url(self.site.public_urls[0], visit), "public")
        else:
            raise DriverError(f"{label}: no {kind} page in black-box mode")
        if visitor:
            self.obs.exchanges[-1] = exchange = dataclasses.replace(exchange, visitor=visitor)
        return exchange

    async def visit(self, label: str, kind: str, settle: bool = True) -> Exchange:
        # Each its own URL: a navigation to the URL the page is already on replaces its history entry.
        # (Every black-box navigation waits for its page's requests: they may be saves to count.)
        return await self.page(label, kind, visit=label)

    def arrival_url(self) -> str:
        return fresh(self.site.public_urls[0] if self.site.public_urls else self.site.login_url)

    async def shown(self) -> str | None:
        """Signed in (the [signed_in] text is on the page) or not."""
        try:
            text = await self._page.content()
        except PlaywrightError:
            return None
        return "signed in" if self.site.signed_in(text) else "anonymous"

    async def write(self, label: str) -> Exchange:
        raise DriverError(f"{label}: {NO_WRITE}")

    async def logout(self, label: str) -> Exchange:
        if not self.site.logout:
            raise DriverError(f"{label}: {NO_LOGOUT}")
        await self.open()
        # Every page on the way is a real request by a signed-in visitor (a sliding site saves on it).
        exchange = await self._perform(label, "logout", self.site.logout, record_pages=True)
        if exchange.status >= 400:
            raise DriverError(f"{label}: logging out answered HTTP {exchange.status} at {plain(exchange.url)} "
                              f"(check [logout] in {self.site.source})")
        return exchange

    async def _perform(self, label: str, action: str, steps: tuple[Step, ...], record_pages: bool) -> Exchange:
        """The steps in order; the last is the action's own request, recorded as `label`. With
        record_pages, pages opened on the way are recorded too (as `label-page` reads); the sign-in's
        are not (the visitor is anonymous there). A step that cannot be done is one line naming it
        and why (not found, hidden, not clickable, the wrong method)."""
        url, exchange = self._page.url, None
        # A logout's pages need not settle: requests they would still make could only renew the
        # session (making the replay after logout less urgent, never more), and a logout's own
        # answer arrives before its page loads. Half a second less per page for that replay.
        settle = action != "logout"
        for i, step in enumerate(steps):
            last = i == len(steps) - 1
            own_label, own_action = (label, action) if last else (f"{label}-page", "read")
            if step.kind == "goto":
                url = fresh(step.target)
                if last or record_pages:
                    exchange = await self._visit(own_label, url, own_action, settle)
                else:
                    await self._goto(label, step, url)
            elif step.kind == "submit":
                if action == "start" and not self.site.remember:
                    names = await unticked_boxes(self._page, step.target)
                    if names:  # a cookie without the promised age can then say why
                        self.obs.notes["login_unticked_boxes"] = names
                exchange = await self._submit(own_label, own_action, url, step, settle)
            else:
                try:
                    await act(self._page, step)
                except StepFailed as exc:
                    raise self._step_error(label, step, str(exc)) from None
            if step.kind in NAVIGATES and exchange is not None and exchange.label == own_label:
                self._require_method(label, step, exchange)
        if exchange is None or exchange.label != label:
            raise DriverError(f"{label}: the last step of {steps[-1].key} made no request")
        return exchange

    def _step_error(self, label: str, step: Step, why: str) -> DriverError:
        if step.kind == "goto":  # its URL says where (the page may be the browser's own error page)
            return DriverError(f"{label}: {step.key} {plain(step.target)}: {why} (check {self.site.source})")
        return DriverError(f"{label}: {step.key} {step.target!r}: {why}, at {plain(self._page.url)} "
                           f"(check {self.site.source})")

    def _require_method(self, label: str, step: Step, exchange: Exchange) -> None:
        """A 405 is the wrong method (Django's LogoutView is POST-only since 5.0), a 404 the wrong
        page: setup problems named by the step, not verdicts."""
        if exchange.status == 405:
            raise self._step_error(label, step, "the wrong method: the site answered 405 Method Not Allowed (a GET "
                                                "logout? Django's is POST-only: open the page, then submit its form)")
        if exchange.status == 404:
            raise self._step_error(label, step, "not found: the site answered 404")

    async def _goto(self, label: str, step: Step, url: str) -> None:
        try:
            await self._page.goto(url)
        except PlaywrightError as exc:
            raise self._step_error(label, step, f"did not load: {str(exc).splitlines()[0]}") from None

    async def _submit(self, label: str, action: str, url: str, step: Step, settle: bool = True) -> Exchange:
        """Click a form's submit button (or a link) and record the navigation it causes."""
        page = self._page
        problem, clicked = [], []

        async def click():
            try:
                async with page.expect_navigation():
                    await visible(page, step.target).click()
                    clicked.append(True)
            except PlaywrightError as exc:
                problem.append("clicked, but no page loaded (a submit sends a form or follows a link; "
                               "for what opens a menu use { click = \"...\" })" if clicked
                               else await why(page, step.target, exc))
                raise

        try:
            return await self._navigate(label, action, url, click, f"click {step.key} {step.target!r}", settle)
        except DriverError:
            if problem:  # the click itself failed: say why, in words
                raise self._step_error(label.removesuffix("-page"), step, problem[0]) from None
            raise

    async def _visit(self, label: str, url: str, action: str, settle: bool = True) -> Exchange:
        """A real navigation: the request is the browser's own, redirects and all."""
        return await self._navigate(label, action, url, lambda: self._page.goto(url), f"open {plain(url)}", settle)

    async def _navigate(self, label: str, action: str, url: str, go, what: str, settle: bool = True) -> Exchange:
        """Run a navigation and turn every response from the site (redirects, the document, its
        stylesheets) into one Exchange, timed by the last response that set the session cookie
        (the last save: a sliding site saves on every request, stylesheets included), else by
        the document: from when its request left to when it arrived. With settle, the page's own
        requests are waited for (network idle), so that the last save is among them."""
        page, seen = self._page, []

        def record(response) -> None:  # Playwright wraps handlers: a bound builtin will not do
            seen.append((time.time(), response))

        page.on("response", record)
        began, failure = time.time(), None
        try:
            try:
                await go()
            except PlaywrightError as exc:
                # Chromium fails a navigation to an error status with an empty body; the response
                # itself was seen and is judged below (a 405 logout is a setup error, not a verdict).
                failure = exc
            try:
                # Until the page's requests are done (stylesheets, the favicon): on a site that
                # saves every request each of them re-sets the cookie, and the last one counts.
                if settle:
                    await page.wait_for_load_state("networkidle", timeout=NETWORK_IDLE_TIMEOUT_MS)
            except PlaywrightError:
                pass  # a page that keeps polling: what arrived so far is what is judged
            # The jar is read while still listening: every response it reflects was announced
            # before its answer (one ordered connection), so none is missing from this step.
            jar = await self.jar()
        finally:
            page.remove_listener("response", record)
        chain = [(t, r) for t, r in seen if r.url.startswith(self.target.base_url)]
        documents = [i for i, (_, r) in enumerate(chain) if r.request.is_navigation_request()]
        if not documents:
            reason = str(failure).splitlines()[0] if failure else f"no page from {self.target.base_url}"
            raise DriverError(f"{label}: cannot {what} at {plain(page.url)}: {reason}{_tls_hint(reason)} "
                              f"(check {self.site.source})")
        first, document = chain[documents[0]][1], chain[documents[-1]][1]
        self._landed = (document.status, document.url)
        if action == "read" and not label.endswith("-page"):  # pages on the way: their step names a 404
            _require_verdict_status(label, url, first.status)
        if document.status >= 500 and action != "start":  # a sign-in's is said as the site's answer to it
            raise DriverError(f"{label}: {plain(document.url)} answered HTTP {document.status}: a server error is "
                              "not a verdict on the session")
        name = self.target.promise.attributes.name
        set_cookies, dates, caching, key, sessions = [], [], [], documents[0], []
        for i, (_, response) in enumerate(chain):
            headers = await response.headers_array()
            mine = [h["value"] for h in headers if h["name"].lower() == "set-cookie"]
            sessions += [(i, c) for c in split_set_cookie(mine) if c.name == name]
            set_cookies.append(mine)
            dates.append(next((h["value"] for h in headers if h["name"].lower() == "date"), None))
            caching.append(cache_headers(headers))
        key = sessions[-1][0] if sessions else key
        live = [i for i, c in sessions if not c.deletes]
        self._ended_after = None
        if action == "start" and live and sessions[-1][1].deletes:
            # A page of the sign-in's own chain deleted the session it began: seconds later, when
            # its age may be up (a slow site), or at once (the site's doing). Kept for start() to tell.
            self._ended_after = chain[key][0] - began
            if self._ended_after >= self._shortest_age() - NETWORK_GUARD_S:
                key, set_cookies = live[-1], set_cookies[:live[-1] + 1]
        set_cookies = [value for values in set_cookies for value in values]
        date = dates[key]  # the Date of the response whose Set-Cookie is judged (Expires vs Date + Max-Age)
        received = chain[key][0]
        exchange = dataclasses.replace(
            self._make(label, action, url, self._sent(chain[key][1], began, received), received, first.status,
                       date, set_cookies, (await first.request.all_headers()).get("cookie"),
                       self.site.signed_in(await _document_text(document, page))),
            jar=jar, began_at=began, headers=caching[key])
        self.obs.exchanges.append(exchange)
        return exchange

    def _sent(self, response, began: float, received: float) -> float:
        """When the request of this response left: Playwright's request timing (the browser's
        clock, so only for a browser on this machine), kept within what was seen here; else when
        the navigation began (the earliest it can have left)."""
        started = response.request.timing.get("startTime", -1)
        if not self.obs.browser_clock_shared or not started or started <= 0:
            return began
        return min(max(started / 1000, began), received)

    def _make(self, label, action, url, sent, received, status, date, set_cookies, cookie_header, signed_in):
        value = cookie_value(cookie_header, self.target.promise.attributes.name)
        return Exchange(
            label=label, url=url, sent_at=sent, received_at=received, status=status,
            date_header=parsedate_to_datetime(date).timestamp() if date else None,
            set_cookies=tuple(split_set_cookie(set_cookies)),
            # As far as the site's pages tell: accepted means the page showed the user signed in.
            # A cookie set on a page that did not (a new, anonymous session after expiry) is not
            # a save of the session under test.
            reply=Reply(action=action, cookie_header=cookie_header, session_cookie=value, accepted=signed_in,
                        own_session=action == "start" or signed_in, page="signed in" if signed_in else "anonymous",
                        signed_in=signed_in))

    async def replay(self, label: str, value: str, where: str = "session") -> Exchange:
        """The signed-in page (or a public one), asked with exactly this cookie value and nothing
        else (Playwright's HTTP client, as in probe mode: the server is judged here, not the
        browser); where="url": with the value in the URL instead, and no cookie."""
        name = self.target.promise.attributes.name
        page = self.site.public_urls[0] if where == "public" else self.site.signed_in_url
        url = fresh(with_param(page, name, value) if where == "url" else page)
        cookie = None if where == "url" else f"{name}={value}"
        sent = time.time()
        response = await self.direct_get(url, {"Cookie": cookie} if cookie else {}, max_redirects=0)
        body = await response.text()
        received = time.time()
        headers = response.headers_array
        date = next((h["value"] for h in headers if h["name"].lower() == "date"), None)
        _require_verdict_status(label, url, response.status)
        # A refused session redirects to the login page (or shows it): not signed in either way.
        signed_in = response.status == 200 and self.site.signed_in(body)
        exchange = dataclasses.replace(
            self._make(label, "read", url, sent, received, response.status, date,
                       [h["value"] for h in headers if h["name"].lower() == "set-cookie"], cookie, signed_in),
            headers=cache_headers(headers))
        self.obs.exchanges.append(exchange)
        return exchange


# A polling page never goes network-idle; after this long what arrived is what is judged.
NETWORK_IDLE_TIMEOUT_MS = 5_000
# A page's request may have reached the server this long before our listener saw its answer.
NETWORK_GUARD_S = 0.5


def _visit_url(url: str, visit: str) -> str:
    return with_param(url, VISIT, visit) if visit else url


def _require_verdict_status(label: str, url: str, status: int) -> None:
    """The signed-in page's answer must say signed in or clearly not: the page (200), a redirect
    (to the login), or 401/403. A 404, a 429 from login throttling or a 5xx says neither, and
    counting it as "refused" would pass expiry checks for the wrong reason."""
    if status == 200 or 300 <= status < 400 or status in (401, 403):
        return
    raise DriverError(f"{label}: {plain(url)} answered HTTP {status}, which says neither signed in nor refused: "
                      "not a verdict on the session")


def _tls_hint(reason: str) -> str:
    return TLS_HINT if any(
        mark in reason for mark in ("ERR_CERT_", "SEC_ERROR_", "SSL_ERROR_", "certificate")) else ""


def cookie_value(header: str | None, name: str) -> str | None:
    """A cookie's value in a Cookie request header (SimpleCookie would stop at the first value
    it dislikes, and sites set all sorts)."""
    for pair in (header or "").split(";"):
        key, eq, value = pair.strip().partition("=")
        if eq and key == name:
            return value
    return None


async def _document_text(response, page) -> str:
    """The final document as the server sent it (the DOM may be mid-navigation, e.g. Chromium's
    own error page after an error status), else the page's content."""
    try:
        return await response.text()
    except PlaywrightError:
        try:
            return await page.content()
        except PlaywrightError:
            return ""
