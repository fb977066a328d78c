"""The `conformance` command (installed by pip; `python -m conformance` is the same): run the suite,
compare two reports, run the reference site on several Django versions, prepare site
environments, find browsers, and lock dependencies. Exit codes are pytest's: 0 passed, 1 failed
(a check, or a gate), 4 bad input (one line, no traceback)."""

from __future__ import annotations

import sys

from . import commands

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
    return commands.COMMANDS[command](rest)
