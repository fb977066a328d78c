"""The only place that waits. Every wait is until a deadline computed from something observed
(a Set-Cookie's Max-Age as received, the expiry the server stored) plus a named margin.

Clocks. Four clocks are seen, and none is assumed to be in step with another:
- ours (time.time()): every wait, and when each request left (sent_at) and its answer arrived
  (received_at). A server on loopback shares it; a remote one's offset is estimated from the
  probe's timestamps (clock_offset), never assumed.
- Django's (the probe's server_time): when the view ran. Django computes Expires and the stored
  expiry on this same clock, so comparisons with them use it, and no offset is needed.
- the web server's Date header: whole seconds, truncated, and not even when the response was made:
  some servers (uvicorn) write it from a clock they refresh once a second (DATE_LAG_S). Trusted
  only when nothing better tells when a response was made (a remote site without the probe).
- the browser's (its jar's expiry, its request timing): ours when the browser runs here; a remote
  browser's is measured against ours (Driver.jar).

Tolerances, each with its reason:
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from ..exchange import Exchange, Observation

# The browser expires a Max-Age cookie to the millisecond (measured: Chromium and Firefox both
# stop sending within 70 ms of received + Max-Age). The margin absorbs event-loop scheduling.
BROWSER_MARGIN_S = 0.5
# db, cache, cached_db and file store expiry with sub-second precision.
SERVER_MARGIN_S = 0.5
# signed_cookies stamps the signature with whole seconds (TimestampSigner: int(time.time())), so
# the server may refuse a cookie up to 1 s *before* its age has passed. It never honours one
# late, so waiting for refusal needs no extra margin, but "still alive" must be judged 1 s early.
# The file backend floors the remaining seconds the same way (see Promise.whole_second_store).
WHOLE_SECOND_EARLY_S = 1.0
# The replay that must find the session still honoured lands this long before the server deadline: long
# enough for a replay to land in time on a busy machine, clearly under 1 s so that a backend
# flooring the remaining seconds (ending sessions up to 1 s early) is refused there every time.
BEFORE_EXPIRY_S = 0.8
# HTTP dates (Expires, Date) are whole seconds, truncated.
WHOLE_SECOND_S = 1.0
# A server's Date may name a moment up to this long before it made the response: uvicorn (and
# servers like it) refresh the Date they write once a second.
DATE_LAG_S = 1.0
# A browser deadline may follow the jar's stored expiry when that is later than received +
# Max-Age, but by no more than this: a jar claiming weeks must not stretch a 4 s timeline.
JAR_DEADLINE_CAP_S = 1.0
# The jar's stored expiry is when the browser got the response + Max-Age: between when the server
# handled the request and when the answer reached us, widened by this much for Firefox's
# whole-second storage in older releases and the clock offset's estimate.
JAR_TOLERANCE_S = 1.5
# A write under a fixed expiry date re-sends Max-Age = the whole seconds left (Django floors it,
# up to 1 s less) measured at the server; our estimate of "left" is taken from the start's floored
# Max-Age, itself up to 1 s short: so the header may read up to 1.5 s below our estimate, and
# up to 1 s above it.
FIXED_DATE_MAX_AGE_BELOW_S = 1.5
FIXED_DATE_MAX_AGE_ABOVE_S = 1.0
# Activity happens at this fraction of the cookie's Max-Age: late enough that the renewed
# deadline (activity + age, less 1 s for whole-second backends) lies well after the original
# deadline plus its margin, where "still alive" is judged; early enough that a whole-second
# backend still honours the session. 3 s age: activity 1.8 s, judged 3.5 s, renewed 4.8 s.
# 4 s age, whole-second backend: activity 2.4 s, judged 4.5 s, renewed at the earliest 5.4 s.
ACTIVITY_FRACTION = 0.6
# Keeping a session busy (absolute timeout): a read every this fraction of the idle age, so a
# late read (event loop, busy machine) still lands well inside the idle window.
KEEPALIVE_FRACTION = 0.5
# A step that must happen before a deadline has to reach the server at least this long before
# it (plus half the best round trip: the uncertainty of the clock offset); otherwise the machine
# was too busy to judge and the scenario says so instead of guessing.
BEFORE_DEADLINE_GUARD_S = 0.05


async def until(deadline: float, obs: Observation, why: str) -> None:
    """Sleep until the local clock reaches deadline; record how late we woke."""
    delay = deadline - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
    obs.notes.setdefault("waits", []).append(
        {"why": why, "planned": round(deadline, 3), "late_s": round(time.time() - deadline, 3)})


def clock_offset(obs: Observation) -> float:
    """local - server clock: zero for a server on this machine (the estimate below is skewed by
    event-loop delays under load, by up to seconds); otherwise from the exchange with the
    shortest round trip (the tightest bound)."""
    if obs.known_clock_offset is not None:
        return obs.known_clock_offset
    timed = [e for e in obs.exchanges if e.server_time is not None]
    if not timed:
        return 0.0
    return min(timed, key=lambda e: e.received_at - e.sent_at).clock_offset


def clock_uncertainty(obs: Observation) -> float:
    """Half the shortest round trip seen: how far off the local estimate of server time can be."""
    if obs.known_clock_offset is not None:
        return 0.0
    trips = [e.received_at - e.sent_at for e in obs.exchanges if e.server_time is not None]
    return min(trips) / 2 if trips else 0.0


@dataclass(frozen=True)
class Made:
    """Between which two moments, on one clock, the server made a response (and so computed the
    Set-Cookie's Expires), and which clock that is: the best the exchange offers."""

    earliest: float
    latest: float
    clock: str  # in words, for messages: which clock, and why it is trusted


def made_between(obs: Observation, exchange: Exchange) -> Made:
    """When the server made this response. Django's own clock when the probe reports it: the view
    read it, and the response was made after that and before it reached us (at most the round trip
    later). Else ours, when the server shares it (loopback): after the request left, before the
    answer arrived. Else the server's Date header, its only clock we see: made at most the round
    trip before it (the Date is written last), at most DATE_LAG_S and a whole second after it."""
    trip = max(0.0, exchange.received_at - exchange.sent_at)
    if exchange.server_time is not None:
        return Made(exchange.server_time, exchange.server_time + trip,
                    "Django's clock (the probe read it in the view; the response was made after, within the "
                    f"{trip:.2f} s round trip)")
    if obs.known_clock_offset is not None:
        return Made(exchange.sent_at, exchange.received_at,
                    "this machine's clock, which the site on loopback shares (made after the request left, before "
                    "the answer arrived)")
    if exchange.date_header is not None:
        return Made(exchange.date_header - trip, exchange.date_header + WHOLE_SECOND_S + DATE_LAG_S,
                    "the server's Date header, its only clock seen here (whole seconds, and some servers refresh it "
                    f"only once a second: up to {WHOLE_SECOND_S + DATE_LAG_S:.0f} s behind)")
    return Made(exchange.sent_at, exchange.received_at, "this machine's clock (the response carried no Date)")


def handled_at(obs: Observation, exchange: Exchange) -> float:
    """When the server handled this request, on the local clock. Deadlines are anchored here,
    not on when our event loop saw the response: under load that can lag by seconds, while the
    server's own timestamp is when the cookie was really set or the request really arrived."""
    server = exchange.server_time
    return exchange.received_at if server is None else server + clock_offset(obs)


def last_save(obs: Observation, cookie_name: str, reads_save: bool = True) -> Exchange | None:
    """The last response that saved *this* session: Django sets the cookie exactly when it saves,
    and the session still carries the probe's marker (the file backend answers an expired cookie
    with a brand-new, unmarked session and cookie, which must not count). With reads_save=False
    only start/touch count: a read that came back with a Set-Cookie although the docs say reads
    do not save (a middleware faking renewal) must not move the server's deadline."""
    saves = [e for e in obs.exchanges
             if (sc := e.session_set_cookie(cookie_name)) is not None and not sc.deletes
             and e.reply.own_session and not e.visitor  # another visitor's save is another session's
             and (reads_save or e.reply.action in ("start", "touch"))]
    return saves[-1] if saves else None


def honoured_until(obs: Observation, save: Exchange, age: float) -> float:
    """Local time until which the server must still honour the session saved by this exchange
    (its earliest possible end). Without the server's own timestamp (black-box mode) the save
    is taken at the earliest it can have happened: when the request was sent."""
    saved = save.sent_at if save.server_time is None else handled_at(obs, save)
    return saved + age


def whole_second_early(whole_second_store: bool) -> float:
    return WHOLE_SECOND_EARLY_S if whole_second_store else 0.0
