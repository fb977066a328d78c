"""The lifecycle scenario, which the cookie-age, server-expiry and cookie-attributes families all
read: start a session, read it, replay it while alive (the control), replay it just before the
server's deadline, then wait out the browser's and the server's deadlines.

Step labels (checks read them): start, read, replay-live, replay-before-expiry, after-expiry,
replay-expired, after-server-expiry.
"""

from __future__ import annotations

from conformance.observe import timing
from conformance.observe.scenario import scenario
from conformance.observe.stage import Stage


def _waits(p) -> float:
    """It waits out the browser's deadline and the server's, when they are short enough to wait."""
    return max(p.max_age if p.waitable else 0, p.enforced_server_age if p.server_waitable else 0)


@scenario("lifecycle", waits=_waits)
async def lifecycle(stage: Stage) -> None:
    """start, read, replay while alive (control), replay just before the server deadline, then
    wait out the browser and server deadlines."""
    p = stage.promise
    async with stage.begin() as (v, start):
        read = await v.read("read")
        await stage.replay_live(start)
        planned = stage.planned_age(start.session_set_cookie(stage.cookie))
        if planned is not None:
            # The browser counts the age from when it got the answer: not before the save.
            stage.require_before(read, timing.honoured_until(stage.obs, start, planned), "the first read")
        early = timing.whole_second_early(p.whole_second_store)
        if p.server_waitable:
            # SRV-04: still honoured just before its age (signed cookies: a second earlier still,
            # their stamp is whole seconds). Planned BEFORE_EXPIRY_S before the earliest moment the
            # session may end, and a refusal judged only if it reached the server before that
            # moment: with the probe's clock that is when the save was handled; without it (a
            # sign-in whose password hashing takes a second) when its request left, else no
            # refusal could ever be judged.
            stamp = early if p.client_side_store else 0.0
            honoured_until = stage.server_alive_until(start) - stamp
            await timing.until(honoured_until - timing.BEFORE_EXPIRY_S, stage.obs, "before server deadline")
            last = await stage.replay("replay-before-expiry", stage.latest_value())
            stage.require_before(last, honoured_until, "the replay before expiry")
        if p.waitable:
            await timing.until(stage.browser_deadline(), stage.obs, "browser deadline")
            await v.read("after-expiry")
        if p.server_waitable:
            await timing.until(stage.server_deadline(start), stage.obs, "server deadline")
            await stage.replay("replay-expired", stage.latest_value())
            if p.browser_length:
                # The browser still holds a browser-length cookie; the server must refuse it.
                await v.read("after-server-expiry")
