"""Launch a browser here, or connect to one a Playwright browser server (--connect) launches."""

from __future__ import annotations

import json
from typing import NamedTuple

from playwright.async_api import Browser, BrowserType

from .browsers import BrowserSpec


class Launched(NamedTuple):
    browser_type: BrowserType
    args: dict  # the launch arguments used (a persistent-profile relaunch reuses them)
    browser: Browser
    bfcache_args: dict | None = None  # for a browser with its back/forward cache (spec.bfcache_launch_args)


async def launch(pw, spec: BrowserSpec, base_args: dict, connect: dict | None) -> Launched:
    """base_args are pytest-playwright's browser_type_launch_args; the spec's own (an executable,
    a channel) are added to them."""
    browser_type = getattr(pw, spec.name)
    args = {**base_args, **spec.launch_args}
    if connect:
        # The browser server launches the browser with these options (how pytest-playwright's
        # launch_browser passes them), so a remote system browser gets its executable and args.
        headers = {"x-playwright-launch-options": json.dumps(remote_launch_options(args)),
                   **(connect.get("headers") or {})}
        return Launched(browser_type, args, await browser_type.connect(**{**connect, "headers": headers}))
    full = {**base_args, **spec.bfcache_launch_args} if spec.bfcache_launch_args else None
    return Launched(browser_type, args, await browser_type.launch(**args), full)


def remote_launch_options(args: dict) -> dict:
    """Launch keyword arguments as the browser server reads them (Playwright's camelCase)."""
    def camel(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(part.title() for part in rest)
    return {camel(k): v for k, v in args.items() if v is not None}
