"""One cause, one line: error results grouped by what caused them. A site that answers HTTP 500 to
every request, or a server that is not running, errs in every check; the summary names the cause
once, with a count, where it was seen and what to look at (pytest still prints each error).

Pure: the JSON summary stores `group()`, the terminal and the HTML report show its entries."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from ..judge.verdict import ERROR
from ..targets.target import FRESH

LAUNCH = re.compile(r"\b(\w+) did not launch\b")
BUSY = re.compile(r"too busy")
STUCK = re.compile(r"did not finish within \d+ s")
THROTTLED = re.compile(r"the site refused a sign-in")
STATUS = re.compile(r"\banswered (?:HTTP )?([1-5]\d\d)\b")
REFUSED = re.compile(r"ERR_CONNECTION_REFUSED|NS_ERROR_CONNECTION_REFUSED|ECONNREFUSED|Connection refused", re.I)
TIMEOUT = re.compile(r"\bTimeout \d+ ?ms exceeded")
NETWORK = re.compile(r"\b(net::ERR_[A-Z_]+|NS_ERROR_[A-Z_]+)")
# What varies between errors of one cause: an exception's class, a scenario's or a step's name
# before a colon, numbers (ports, seconds), the query parameter that makes each request unique.
LABEL = re.compile(r"^[\w.\-]+: ")
FRESH_PARAM = re.compile(rf"[?&]{FRESH}=[0-9a-f]+")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
LOCKED = "database is locked"

SERVER_LOG = "the site's log says why"
SQLITE = ("SQLite cannot take the suite's concurrent sign-ins: use a server database, or run fewer "
          "scenarios at once (see README 'Concurrency')")
NOT_RUNNING = "is the site running at the base URL?"
SLOW = "the page did not finish loading: a slow site, or a selector/URL in the config that is wrong"
UNREACHABLE = "the browser could not load the page: is the URL in the config right, and the site reachable?"
BUSY_HINT = "timed steps came too late: a quieter machine, or fewer scenarios at once (see README 'Concurrency')"
LAUNCH_HINT = "the browser's own message (in each of these results) says why"
STUCK_HINT = "each result names where it was stuck; observed again, fewer at a time, and stuck again: please report it"
THROTTLED_HINT = ("a login rate limit or lockout: give the site's limit with --sign-in-rate (make SIGN_IN_RATE=), "
                  "or exempt the test account")
SHOWN = 3  # names listed before "+N more"


@dataclass(frozen=True)
class Cause:
    text: str
    hint: str = ""


def classify(note: str) -> Cause:
    """The cause of one error, from its message (the first line: a server's log may follow)."""
    line = next((s for s in note.splitlines() if s.strip()), "")
    if m := LAUNCH.search(line):
        return Cause(f"{m.group(1)} did not launch", LAUNCH_HINT)
    if BUSY.search(line):
        return Cause("the machine was too busy", BUSY_HINT)
    if STUCK.search(line):
        return Cause("a browser call never returned", STUCK_HINT)
    if THROTTLED.search(line):
        return Cause("the site refused repeated sign-ins", THROTTLED_HINT)
    if m := STATUS.search(line):
        return Cause(f"the site answered HTTP {m.group(1)}", SERVER_LOG if m.group(1).startswith("5") else "")
    if REFUSED.search(line):
        return Cause("the connection was refused", NOT_RUNNING)
    if TIMEOUT.search(line):
        return Cause("a page never loaded (timeout)", SLOW)
    if m := NETWORK.search(line):
        return Cause(f"a page never loaded ({m.group(1)})", UNREACHABLE)
    return Cause(normalised(line))


def normalised(line: str) -> str:
    """The message without its variable parts, so that one cause reads the same everywhere."""
    while LABEL.match(line):
        line = LABEL.sub("", line, count=1)
    return NUMBER.sub("N", FRESH_PARAM.sub("", line)).strip() or "no message"


def group(results) -> list[dict]:
    """One entry per cause of the error results, most frequent first: {cause, count, where, hint}."""
    by: dict[Cause, list] = defaultdict(list)
    for r in results:
        if r.verdict == ERROR:
            by[classify(r.note)].append(r)
    out = []
    for cause, seen in by.items():
        hints = [cause.hint] if cause.hint else []
        if any(LOCKED in r.note.lower() for r in seen):
            hints.append(f'"{LOCKED}": {SQLITE}')
        out.append({"cause": cause.text, "count": len(seen), "where": where(seen), "hint": "; ".join(hints)})
    return sorted(out, key=lambda e: (-e["count"], e["cause"]))


def where(results) -> str:
    """`AGE-01, AGE-02, AGE-03 +5 more × default-two-weeks`: the checks and the profiles."""
    return f"{_short(sorted({r.id for r in results}))} × {_short(sorted({r.profile for r in results}))}"


def _short(names: list[str]) -> str:
    if len(names) <= SHOWN + 1:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN])} +{len(names) - SHOWN} more"


def lines(entries: list[dict]) -> list[str]:
    """`16 errors: the site answered HTTP 500 [AGE-01, ... × default-two-weeks] — the site's log says why`"""
    return [f"{e['count']} error{'s' if e['count'] != 1 else ''}: {e['cause']} [{e['where']}]"
            + (f" — {e['hint']}" if e["hint"] else "") for e in entries]
