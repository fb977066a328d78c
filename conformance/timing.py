"""The only place that waits. Every wait is until a deadline computed from something observed
(a Set-Cookie's Max-Age as received, the expiry the server stored) plus a named margin.

Tolerances, each with its reason:
"""

from __future__ import annotations

import asyncio
import time

from .observe import Exchange, Observation

# The browser expires a Max-Age cookie to the millisecond (measured: Chromium and Firefox both
# stop sending within 70 ms of received + Max-Age). The margin absorbs event-loop scheduling.
BROWSER_MARGIN_S = 0.5
# db, cache, cached_db and file store expiry with sub-second precision.
SERVER_MARGIN_S = 0.5
# signed_cookies stamps the signature with whole seconds (TimestampSigner: int(time.time())), so
# the server may refuse a cookie up to 1 s *before* its age has passed. It never honours one
# late, so waiting for refusal needs no extra margin, but "still alive" must be judged 1 s early.
SIGNED_COOKIE_EARLY_S = 1.0
# Expires is an HTTP date: whole seconds, truncated, so it may read up to 1 s early. Plus the
# time between the server computing it and the Date header.
EXPIRES_ROUNDING_S = 1.5
# The jar's stored expiry is received + Max-Age; allow for the request's round trip and
# Firefox's whole-second storage in older releases.
JAR_TOLERANCE_S = 1.5
# Activity happens at this fraction of the age: late enough that a renewed deadline (activity +
# age) lies well beyond the original one plus its margins (where "still alive" is judged), early
# enough to land before the original deadline. With a 3 s age: activity at 2.1 s, judged at
# 3.5 s, renewed deadline 5.1 s.
ACTIVITY_FRACTION = 0.7
# A step that should happen before a deadline but ran later than this after its planned time
# means the machine was too busy to judge; the scenario reports it instead of guessing.
MAX_LATENESS_S = 0.5


def now() -> float:
    return time.time()


async def until(deadline: float, obs: Observation, why: str) -> None:
    """Sleep until the local clock reaches deadline; record how late we woke."""
    delay = deadline - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
    obs.notes.setdefault("waits", []).append(
        {"why": why, "planned": round(deadline, 3), "late_s": round(time.time() - deadline, 3)})


def cookie_deadline(exchange: Exchange, cookie_name: str) -> float | None:
    """Local time the browser must stop sending the cookie set by this response (Max-Age
    counts from receipt, and the response arrived no later than received_at)."""
    sc = exchange.session_set_cookie(cookie_name)
    if sc is None or sc.max_age is None:
        return None
    return exchange.received_at + sc.max_age


def last_save(obs: Observation, cookie_name: str) -> Exchange | None:
    """The last response that saved the session: Django sets the cookie exactly when it saves."""
    saves = [e for e in obs.exchanges
             if (sc := e.session_set_cookie(cookie_name)) is not None and not sc.deletes]
    return saves[-1] if saves else None


def server_deadline(exchange: Exchange, enforced_age: float) -> float:
    """Local time the server must refuse the session saved by this exchange."""
    server_saved_at = exchange.probe.get("server_time", exchange.received_at)
    return server_saved_at + enforced_age + exchange.clock_offset


def signed_early(client_side_store: bool) -> float:
    return SIGNED_COOKIE_EARLY_S if client_side_store else 0.0
