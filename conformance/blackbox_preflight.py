"""Black-box mode's sign-in, tried once before anything is judged: a wrong selector, password or
cookie name is bad input (one line, exit code 4), not a site failing every check."""

from __future__ import annotations

import asyncio

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from .blackbox import BlackBox
from .blackbox_visitor import BlackBoxVisitor
from .browsers import BrowserSpec
from .campaign import launch
from .deployment import DeploymentError
from .observe import Observation
from .target import Target
from .visitor import ProbeCallFailed

# A selector that is not on the page fails after this long (Playwright's default is 30 s).
PREFLIGHT_TIMEOUT_MS = 10_000


def check(site: BlackBox, spec: BrowserSpec, launch_args: dict, context_args: dict,
          connect: dict | None) -> None:
    """Sign in, open the signed-in page, sign out; raise DeploymentError saying what went wrong."""
    problem = asyncio.run(_try(site, spec, launch_args, context_args, connect))
    if problem:
        raise DeploymentError(f"black-box sign-in failed in {spec.name}: {problem}")


async def _try(site: BlackBox, spec: BrowserSpec, launch_args: dict, context_args: dict,
               connect: dict | None) -> str | None:
    async with async_playwright() as pw:
        try:
            _, _, browser = await launch(pw, spec, launch_args, connect)
        except PlaywrightError as exc:
            return f"the browser did not start: {str(exc).splitlines()[0]}"
        try:
            target = Target("preflight", site.base_url, "", site.settings, "unknown", blackbox=site)

            async def visitor() -> BlackBoxVisitor:
                context = await browser.new_context(**context_args)
                page = await context.new_page()
                page.set_default_timeout(PREFLIGHT_TIMEOUT_MS)
                obs = Observation("preflight", "preflight", spec.name, site.settings, ())
                return BlackBoxVisitor(target, obs, context, page)

            try:
                return await _rehearse(site, await visitor(), await visitor())
            except ProbeCallFailed as exc:
                return str(exc)
            except PlaywrightError as exc:  # the browser, not the config: still one line
                return f"browser error: {str(exc).splitlines()[0]}"
        finally:
            await browser.close()


async def _rehearse(site: BlackBox, main: BlackBoxVisitor, other: BlackBoxVisitor) -> str | None:
    """What every check relies on, each as a yes/no with the key to fix. `other` is a second
    browser context: a replay's and a second sign-in's."""
    check = f"(check {site.source})"
    anonymous = await _replay(other, "anonymous read", "")
    if anonymous.accepted:
        return f"{site.signed_in_url} shows [signed_in] text {site.signed_in_text!r} without signing in {check}"
    await main.call("sign-in", "start")
    if not (await main.call("signed-in page", "read")).accepted:
        return (f"after signing in, {site.signed_in_url} does not show [signed_in] text "
                f"{site.signed_in_text!r} {check}")
    value = main.obs.exchanges[-1].sent_session_cookie
    if not (await _replay(other, "replay", value)).accepted:
        return (f"{site.signed_in_url} refused the session cookie replayed without the browser's other "
                f"cookies or redirects: use the page's final URL (a trailing slash?) {check}")
    # Every scenario signs in as this one account, at the same time. (The replays' answers left
    # cookies in this context: a fresh start, as the campaign's pooled contexts get.)
    await other.context.clear_cookies()
    await other.call("second sign-in", "start")
    if not (await _replay(other, "first session after a second sign-in", value)).accepted:
        return ("signing in again ended the account's first session (one session per user?): the suite "
                "signs in many times at once; use an account the site lets sign in more than once")
    if site.logout_url:
        await main.call("logout", "logout")
        if (await main.call("after logout", "read")).accepted:
            return f"after [logout], {site.signed_in_url} still shows the user signed in {check}"
    return None


async def _replay(visitor: BlackBoxVisitor, label: str, value: str):
    await visitor.plant(visitor.target.promise.attributes.name, value)
    return await visitor.replay_request(label)
