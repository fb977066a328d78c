"""The `conformance` command (installed by pip; `python -m conformance` is the same): run the suite,
compare two reports, run the reference site on several Django versions, prepare site
environments, find browsers, and lock dependencies. Exit codes are pytest's: 0 passed, 1 failed
(a check, or a gate), 4 bad input (one line, no traceback)."""

from __future__ import annotations

import sys

from . import commands

# What the [suite] extra installs, as imported (pyproject.toml's optional-dependencies; checked by
# test_wheel.py: a distribution's name is not its module's).
SUITE_MODULES = {"playwright", "pytest", "pytest_playwright", "xdist", "uvicorn"}

USAGE = """usage: conformance [run] [pytest options...]      the checks (reference site, --project DIR, or --base-url ...)
       conformance matrix SPEC SPEC... [-- pytest options...]   the site (or --project DIR) on each Django, compared
       conformance diff OLD.json NEW.json [--gate regressions|changes] [--html PATH] [--json PATH]
       conformance merge SHARD.json... [-o OUT.json] [--baseline REPORT] [--gate regressions|changes]
       conformance sites prepare SPEC...  |  conformance sites list
       conformance browsers [--install] [chromium firefox ...]   what launches; --install: what is missing
       conformance lock                      re-lock the dependencies, in a clone (uv pip compile --generate-hashes)"""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] in (["-h"], ["--help"], ["help"]):
        print(USAGE)
        return 0
    command = argv[0] if argv and argv[0] in commands.COMMANDS else "run"
    rest = argv[1:] if argv and argv[0] == command else argv
    try:
        return commands.COMMANDS[command](rest)
    except ModuleNotFoundError as exc:
        # `pip install django-session-conformance` alone is the probe app, for a site's environment.
        if (exc.name or "").split(".")[0] not in SUITE_MODULES:
            raise
        return commands._error(f"conformance {command} needs the suite's own packages, and {exc.name} is not "
                               "installed: pip install 'django-session-conformance[suite]'")
