"""Black-box mode's sign-in, rehearsed once before anything is judged, in a browser launched and
contexts opened as the run's are (pytest-playwright's launch and context arguments): a wrong
selector, password or cookie name is bad input (one line, exit code 4), not a site failing every
check."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from ..drivers import DriverError
from ..drivers.blackbox import BlackBoxDriver
from ..drivers.sign_ins import SignInRefused
from ..exchange import Observation
from ..targets.blackbox_config import BlackBoxConfig
from ..targets.target import Target
from . import timing
from .campaign import BrowserSetup
from .launch import launch

# A selector that is not on the page fails after this long (Playwright's default is 30 s).
PREFLIGHT_TIMEOUT_MS = 10_000


class PreflightFailed(Exception):
    """The black-box config cannot work against this site; the message is one line naming the fix."""


def rehearse(target: Target, browser: str, setup: BrowserSetup) -> list[str]:
    """Sign in, open the signed-in page, replay, sign in again, sign out, in `browser`; raise
    PreflightFailed saying what went wrong. Returns what is worth a warning but may be the site's
    fault (a verdict's business, not bad input). (In a thread: see campaign.run.)"""
    warnings: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="conformance-preflight") as pool:
        problem = pool.submit(asyncio.run, _try(target, browser, setup, warnings)).result()
    if problem:
        raise PreflightFailed(f"black-box sign-in failed in {browser}: {problem}")
    return warnings


async def _try(target: Target, name: str, setup: BrowserSetup, warnings: list[str]) -> str | None:
    site = target.blackbox
    async with async_playwright() as pw:
        try:
            browser = (await launch(pw, setup.specs[name], setup.launch_args, setup.connect)).browser
        except PlaywrightError as exc:
            return f"the browser did not start: {str(exc).splitlines()[0]}"
        try:
            async def visitor() -> BlackBoxDriver:
                context = await browser.new_context(**setup.context_args)
                page = await context.new_page()
                page.set_default_timeout(PREFLIGHT_TIMEOUT_MS)
                obs = Observation("preflight", target.profile, name, site.settings, ())
                return BlackBoxDriver(target, obs, context, page)

            try:
                return await _rehearse(site, await visitor(), await visitor(), warnings)
            except DriverError as exc:
                return str(exc)
            except PlaywrightError as exc:  # the browser, not the config: still one line
                return f"browser error: {str(exc).splitlines()[0]}"
        finally:
            await browser.close()


async def _rehearse(site: BlackBoxConfig, main: BlackBoxDriver, other: BlackBoxDriver,
                    warnings: list[str]) -> str | None:
    """What every check relies on, each as a yes/no with the key to fix. `other` is a second
    browser context: a replay's and a second sign-in's."""
    check = f"(check {site.source})"
    anonymous = await other.replay("anonymous read", "")
    if anonymous.accepted:
        return f"{site.signed_in_url} shows [signed_in] text {site.signed_in_text!r} without signing in {check}"
    signed_in = await main.start("sign-in")
    warnings += _unticked(site, main, signed_in)
    page = await main.read("signed-in page")
    if not page.accepted:
        return (f"after signing in, {site.signed_in_url} does not show [signed_in] text "
                f"{site.signed_in_text!r} {check}")
    value = page.sent_session_cookie
    if not (await other.replay("replay", value)).accepted:
        return (f"{site.signed_in_url} refused the session cookie replayed without the browser's other "
                f"cookies or redirects: use the page's final URL (a trailing slash?) {check}")
    # Every scenario signs in as this one account, at the same time. (The replays' answers left
    # cookies in this context: a fresh start, as the campaign's pooled contexts get.)
    await other.context.clear_cookies()
    try:
        await other.start("second sign-in")
    except SignInRefused as exc:
        return (f"the site refused a second sign-in soon after the first ({exc.answer}), and went on refusing "
                "it: the suite signs in many times; give the site's limit with --sign-in-rate (make "
                "SIGN_IN_RATE=), or exempt the test account")
    again = await other.replay("first session after a second sign-in", value)
    if not again.accepted:
        # Ended by the second sign-in, or only by its age while the second waited for its turn?
        promise = main.target.promise
        saved = (page if promise.renews_on_read else signed_in).sent_at
        if again.received_at < saved + promise.server_age - timing.WHOLE_SECOND_EARLY_S:
            return ("signing in again ended the account's first session (one session per user?): the suite "
                    "signs in many times at once; use an account the site lets sign in more than once")
        warnings.append(f"whether signing in again ends the account's first session was not seen: the second "
                        f"sign-in came {again.received_at - saved:.1f} s after the first session's last save, past "
                        f"its age ({promise.server_age} s), at the sign-in pace (--sign-in-rate)")
    if site.logout:
        promise = main.target.promise
        if time.time() > (page if promise.renews_on_read else signed_in).sent_at + promise.server_age / 2:
            await main.context.clear_cookies()  # a short session may be over by now (or soon): a new one
            await main.start("sign-in before logout")
        await main.logout("logout")
        if (await main.read("after logout")).accepted:
            return f"after [logout], {site.signed_in_url} still shows the user signed in {check}"
    return None


def _unticked(site: BlackBoxConfig, main: BlackBoxDriver, signed_in) -> list[str]:
    """A "Remember me" box the config leaves unticked, when the sign-in then got a browser-length
    cookie although the policy promises an age: the usual cause of a copied config failing every
    age check (Wagtail's and allauth's login pages call set_expiry(0) when it is unticked)."""
    boxes = main.obs.notes.get("login_unticked_boxes")
    promise = main.target.promise
    cookie = signed_in.session_set_cookie(promise.attributes.name)
    if not boxes or cookie is None or cookie.persistent or promise.browser_length:
        return []
    return [f"the login form's checkboxes {', '.join(boxes)} were left unticked and the sign-in got a "
            f"browser-length cookie, but the policy promises {promise.lifetime}: if one is "
            f"'Remember me', name it in [login] remember and promise each state ({site.source})"]
