"""How fast a run signs in to a site, and what a refused sign-in means.

Every scenario in black-box mode signs in as the config's one account, so a run signs in dozens of
times. A site may refuse that: a login rate limit (django-ratelimit, allauth's "login" limit), an
account lockout, or SQLite locking up under sign-ins submitted in the same second. Sign-ins are
therefore spaced evenly (--sign-in-rate, default 2 a second), and when the site refuses one after
it accepted others with the same credentials, the pace halves for the rest of the run and the
sign-in is tried again at it, for up to PATIENCE_S; still refused, the scenario is observed again
later (SignInRefused). Nothing has happened in a scenario before its sign-in, so waiting for one is
no retry of an observation: the site's behaviour, not a verdict, and not bad input.
The first sign-in failing is bad input (the black-box rehearsal says so, observe/preflight.py).

One pace per run, shared by the rehearsal and the campaign (each in its own event loop, one after
the other), so it counts on the wall clock.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from .base import DriverError

DEFAULT_RATE = "2/s"
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|m|h)\s*$")
PERIOD_S = {"s": 1, "m": 60, "h": 3600}
# Slowing down after refusals stops here: a site that refuses one sign-in a minute is judged
# on the re-observations, or its errors say why.
SLOWEST_INTERVAL_S = 60.0
# How long one sign-in the site refuses is tried again, ever more slowly, before the scenario is
# given up for this round: longer than a minute, the usual window of a login rate limit.
PATIENCE_S = 75.0
WAITED = "sign_in_wait_s"  # an observation's note: time spent waiting for sign-in turns


class SignInRefused(DriverError):
    """The site refused a sign-in after it had accepted others with the same credentials (throttling,
    a lockout, a locked database): the scenario is observed again, more slowly."""

    def __init__(self, message: str, answer: str):
        super().__init__(message)
        self.answer = answer  # what the site answered, in its own words


class RateError(ValueError):
    """A --sign-in-rate that does not read as N/s, N/m, N/h or N/10s."""


def interval_of(rate: str) -> float:
    """Seconds between two sign-ins at `rate` (django-ratelimit's syntax: 2/s, 30/m, 100/h, 5/10s)."""
    m = RATE.match(rate or "")
    if not m or int(m.group(1)) < 1:
        raise RateError(f"{rate!r}: use N/s, N/m or N/h (N sign-ins a second, minute or hour), or N/10s")
    return int(m.group(2) or 1) * PERIOD_S[m.group(3)] / int(m.group(1))


@dataclass
class SignInPace:
    rate: str = DEFAULT_RATE
    interval: float = field(init=False)
    accepted: Counter = field(default_factory=Counter)  # site -> sign-ins the site accepted
    refusals: list = field(default_factory=list)  # (site, what the site answered, the interval after)
    _next: dict = field(default_factory=dict)  # site -> the earliest moment of its next sign-in
    _slowed_at: float = 0.0

    def __post_init__(self) -> None:
        self.interval = interval_of(self.rate)

    async def turn(self, site: str) -> float:
        """Wait for this site's next sign-in slot (reserved before waiting: one event loop); returns
        how long that took."""
        now = time.time()
        at = max(now, self._next.get(site, 0.0))
        self._next[site] = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)
        return at - now

    def succeeded(self, site: str) -> None:
        self.accepted[site] += 1

    def refused(self, site: str, answer: str) -> SignInRefused | None:
        """The site did not sign this visitor in. After it accepted the same credentials: slower
        from now on, and the error that has the scenario observed again. Before: None (bad input)."""
        if not self.accepted[site]:
            return None
        now = time.time()
        if now - self._slowed_at > self.interval:  # once per burst: sign-ins already in flight count too
            self.interval, self._slowed_at = min(2 * self.interval, SLOWEST_INTERVAL_S), now
        self.refusals.append((site, answer, self.interval))
        return SignInRefused(
            f"the site refused a sign-in ({answer}) after accepting {self.accepted[site]} with the same "
            f"credentials, and went on refusing it for {PATIENCE_S:.0f} s: it limits repeated or concurrent "
            f"sign-ins (a login rate limit, an account lockout, a locked database). The run signs in more "
            f"slowly now (one every {self.interval:.1f} s); give the site's limit with --sign-in-rate "
            f"(make SIGN_IN_RATE=), or exempt the test account", answer)

    def describe(self) -> dict:
        """For the report: the pace asked for and used, and what the site refused."""
        if not self.accepted and not self.refusals:
            return {}
        return {"rate": self.rate, "interval_s": round(interval_of(self.rate), 3),
                "final_interval_s": round(self.interval, 3), "accepted": sum(self.accepted.values()),
                "refused": len(self.refusals), "refusals": sorted({answer for _, answer, _ in self.refusals})}
