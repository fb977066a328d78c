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
            context = await browser.new_context(**context_args)
            page = await context.new_page()
            page.set_default_timeout(PREFLIGHT_TIMEOUT_MS)
            target = Target("preflight", site.base_url, "", site.settings, "unknown", blackbox=site)
            visitor = BlackBoxVisitor(target, Observation("preflight", "preflight", spec.name, site.settings, ()),
                                      context, page)
            try:
                await visitor.call("sign-in", "start")
                page_after = await visitor.call("signed-in page", "read")
                if not page_after.accepted:
                    return (f"after signing in, {site.signed_in_url} does not show [signed_in] text "
                            f"{site.signed_in_text!r} (check {site.source})")
                if site.logout_url:
                    await visitor.call("logout", "logout")
            except ProbeCallFailed as exc:
                return str(exc)
            except PlaywrightError as exc:  # the browser, not the config: still one line
                return f"browser error: {str(exc).splitlines()[0]}"
        finally:
            await browser.close()
    return None
