"""Install the browsers a run needs when they are missing: `conformance browsers --install`, which
`make browsers` runs, so the logic lives once. Playwright's own builds, when installed, are used
as they are; else, as root on Debian, the system's packages (apt-get: chromium, its headless shell,
firefox-esr); else Playwright's download (`playwright install`). Debian's chromium-headless-shell is
what headless runs launch (README "Performance"): as root on Debian it is installed beside a
system chromium that lacks it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from . import browsers

APT = {"chromium": ("chromium", "chromium-headless-shell"), "firefox": ("firefox-esr",)}


def install(names: list[str], say=print) -> int:
    """Install what `names` lack, then say what each launches; the exit code of that last step
    (1 if a browser is still missing), or of the install that failed."""
    if _all_found(names) and not _shell_wanted(names):
        return browsers.main(names)
    if _debian_root() and all(name in APT for name in names):
        packages = [package for name in names for package in APT[name]]
        say(f"installing Debian's {', '.join(packages[:-1])} and {packages[-1]}" if len(packages) > 1
            else f"installing Debian's {packages[0]}")
        steps = [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", *packages]]
    else:
        say(f"installing Playwright's {' and '.join(names)}: playwright install {' '.join(names)}")
        steps = [[sys.executable, "-m", "playwright", "install", *names]]
    for argv in steps:
        done = subprocess.run(argv, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                              stdout=subprocess.DEVNULL if argv[0] == "apt-get" else None)
        if done.returncode != 0:
            print(f"ERROR: {' '.join(argv[:3])} failed ({done.returncode})", file=sys.stderr)
            return done.returncode
    return browsers.main(names)


def _all_found(names: list[str]) -> bool:
    paths = browsers.playwright_paths()
    try:
        for name in names:
            browsers.resolve(name, paths.get(name))
    except browsers.BrowserMissing:
        return False
    return True


def _debian_root() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def _shell_wanted(names: list[str]) -> bool:
    """Root on Debian with the system's chromium but not its headless shell: install the shell."""
    return ("chromium" in names and _debian_root() and shutil.which("chromium") is not None
            and shutil.which("chromium-headless-shell") is None)
