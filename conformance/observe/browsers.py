"""Find a runnable browser for each engine and say how to launch it.

Order: the user's --browser-executable, then Playwright's own build (normal on a laptop after
`playwright install`), then the system's package (Debian: chromium, firefox-esr). A system
Firefox runs through Playwright's WebDriver BiDi channel ("moz-firefox").
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass, field

# Headless, Chromium's headless shell comes first: the build Playwright itself uses for headless
# runs, far lighter to start and to open contexts in (Debian: chromium-headless-shell). The full
# browser is one option away: --browser-executable chromium=/usr/bin/chromium.
HEADLESS_SHELL = ("chromium-headless-shell",)
SYSTEM_CANDIDATES = {
    "chromium": ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
    "firefox": ("firefox-esr", "firefox"),
    "webkit": (),
}
KNOWN = tuple(SYSTEM_CANDIDATES)
# observe/install.py does what these say (`make browsers` runs it too).
INSTALL_HINT = {
    "chromium": "run `conformance browsers --install` (Playwright's build, or Debian's chromium as root), "
                "or pass --browser-executable chromium=/path/to/chrome",
    "firefox": "run `conformance browsers --install` (Playwright's build, or Debian's firefox-esr as root), "
               "or pass --browser-executable firefox=/path/to/firefox",
    "webkit": "run `conformance browsers --install webkit` (Playwright's build; there is no system WebKit "
              "fallback)",
}


# What a test browser need not do, each a request or a process fewer: fetch a favicon for every
# page, prefetch or speculatively connect, isolate each loopback host in a process of its own.
# Measured on the Firefox matrix here: the parent process (where WebDriver BiDi runs) was 2/3 of
# Firefox's CPU, and each request it sees costs there.
FIREFOX_PREFS = {
    "browser.chrome.site_icons": False,
    "network.prefetch-next": False,
    "network.dns.disablePrefetch": True,
    "network.http.speculative-parallel-limit": 0,
    "fission.autostart": False,
}


class BrowserMissing(Exception):
    pass


@dataclass(frozen=True)
class BrowserSpec:
    name: str  # playwright engine: chromium | firefox | webkit
    executable: str | None  # None: Playwright's own build at its default path
    source: str  # "playwright", "system", "--browser-executable", "channel"
    launch_args: dict = field(default_factory=dict)
    # The headless shell has no back/forward cache (CACHE-08 needs one): the full browser's launch
    # arguments, for the one scenario that launches a browser with it on. None: this spec's own.
    bfcache_launch_args: dict | None = None

    def describe(self) -> str:
        return f"{self.name} ({self.source}: {self.executable or 'bundled'})"


def _system_launch_args(name: str, executable: str) -> dict:
    if name == "chromium":
        # Root cannot use Chromium's sandbox; background networking only produces refused
        # connections on a closed network and slows start-up.
        args = ["--disable-background-networking"]
        if os.geteuid() == 0:
            args.insert(0, "--no-sandbox")
        return {"executable_path": executable, "args": args}
    if name == "firefox":
        return {"executable_path": executable, "channel": "moz-firefox", "firefox_user_prefs": FIREFOX_PREFS}
    return {"executable_path": executable}


def resolve(name: str, playwright_path: str | None, override: str | None = None,
            channel: str | None = None, headless: bool = True) -> BrowserSpec:
    """Pick the browser to launch for an engine, or raise BrowserMissing with the fix. (Playwright's
    own Chromium is launched without a path: headless, Playwright picks its headless shell itself.)"""
    if channel:
        return BrowserSpec(name, None, "channel", {"channel": channel})
    if override:
        if not (os.path.isfile(override) and os.access(override, os.X_OK)):
            raise BrowserMissing(f"{name}: --browser-executable {override} is not an executable file")
        return BrowserSpec(name, override, "--browser-executable", _system_launch_args(name, override))
    if playwright_path and os.path.isfile(playwright_path):
        args = {"args": ["--no-sandbox"]} if name == "chromium" and os.geteuid() == 0 else {}
        return BrowserSpec(name, playwright_path, "playwright", args)
    shell = HEADLESS_SHELL if name == "chromium" and headless else ()
    found = [path for path in (shutil.which(c) for c in (*shell, *SYSTEM_CANDIDATES.get(name, ()))) if path]
    if found:
        spec = BrowserSpec(name, found[0], "system", _system_launch_args(name, found[0]))
        full = next((path for path in found if os.path.basename(path) not in HEADLESS_SHELL), None)
        if os.path.basename(found[0]) in HEADLESS_SHELL and full:
            spec = dataclasses.replace(spec, bfcache_launch_args=_system_launch_args(name, full))
        return spec
    raise BrowserMissing(f"no {name} browser found: {INSTALL_HINT[name]}")


def remote(name: str, override: str | None = None, channel: str | None = None) -> BrowserSpec:
    """A browser a Playwright browser server (--connect) launches: its own build unless told
    otherwise. Paths are the server machine's, so nothing is checked here; passing an executable
    or args needs the server started with --unsafe."""
    if channel:
        return BrowserSpec(name, None, "remote channel", {"channel": channel})
    if override:
        return BrowserSpec(name, override, "remote --browser-executable", _system_launch_args(name, override))
    return BrowserSpec(name, None, "remote", {})


def playwright_paths() -> dict[str, str | None]:
    """Where Playwright expects its own builds (they may not be installed)."""
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            return {n: getattr(pw, n).executable_path for n in ("chromium", "firefox", "webkit")}
    except Exception:  # a broken driver install: fall back to system browsers only
        return {"chromium": None, "firefox": None, "webkit": None}


def main(argv: list[str]) -> int:
    """`conformance browsers NAME...`: say which browser each engine would launch, or what to
    install; exit 1 if any is missing (`conformance browsers --install` installs them then)."""
    paths = playwright_paths()
    missing = 0
    for name in argv or ["chromium", "firefox"]:
        try:
            print(f"{name}: {resolve(name, paths.get(name)).describe()}")
        except BrowserMissing as exc:
            print(str(exc))
            missing += 1
    return 1 if missing else 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
