"""Keeping a session busy, which the timeouts family (IDLE-*) and SRV-05's absolute timeout both
do: a read at an interval shorter than anything that ends an idle session, each verified to have
come in time."""

from __future__ import annotations

from conformance.observe import timing
from conformance.observe.stage import Stage


def keepalive_interval(p) -> float:
    """How often a busy visitor makes a request: a fraction of whichever ends an idle session first
    (the idle timeout, the cookie's age, the server's), and never more than a third of an absolute
    timeout (so it is crossed with real requests, not one long gap)."""
    ends = [x for x in (p.idle_timeout, p.max_age, p.server_age) if x]
    interval = timing.KEEPALIVE_FRACTION * min(ends)
    return min(interval, p.absolute_timeout / 3) if p.absolute_timeout else interval


async def busy(stage: Stage, v, last, step: float, until: float, prefix: str, stop_when_out: bool = False):
    """A read every `step` until `until`, each before the previous one's idle deadline, labelled
    `prefix-N` (numbered on from the scenario's earlier reads of that prefix)."""
    n = len(stage.obs.steps(f"{prefix}-"))
    # Each read `step` after the previous one left (a slow page load must not stretch the gap).
    while (last.began_at or last.sent_at) + step < until:
        await timing.until((last.began_at or last.sent_at) + step, stage.obs, prefix)
        # From the last save before this read, and the last request (an idle timeout counts from it).
        alive_until = stage.server_alive_until(stage.obs.step("start"))
        if stage.promise.idle_timeout:
            alive_until = min(alive_until, (last.began_at or last.sent_at) + stage.promise.idle_timeout)
        last, n = await v.read(f"{prefix}-{n}"), n + 1
        # A read that came after the idle deadline would make "signed out early" the site's fault.
        stage.require_before(last, alive_until, f"a {prefix} read")
        if stop_when_out and not last.reply.signed_in:
            break
    return last, n
