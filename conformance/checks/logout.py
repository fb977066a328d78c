"""The logout scenario, which the server-expiry family (SRV-02: the old cookie is refused) and the
sign-in family (AUTH-03: the cookie is deleted) both read: start a session, log out, replay the old
cookie, then read in the browser.

Step labels (checks read them): start, replay-live, logout, replay-after-logout, after-logout.
"""

from __future__ import annotations

from conformance.drivers import DriverError
from conformance.observe import timing
from conformance.observe.scenario import scenario
from conformance.observe.stage import ScenarioInvalid, Stage


@scenario("logout")
async def logout(stage: Stage) -> None:
    """start, logout, then replay the old cookie (refused only because of the logout if the replay
    lands before the session would have expired anyway), then read in the browser."""
    p = stage.promise
    async with stage.begin() as (v, start):
        value = start.session_set_cookie(stage.cookie).value
        await stage.replay_live(start)
        try:
            out = await v.logout("logout")
        except DriverError:  # a logout page that shows no session: late, or the config's fault
            if (over := stage.session_over(start, "the logout")) is not None:
                raise over from None
            raise
        if out.sent_session_cookie is None:
            raise ScenarioInvalid(f"the logout request did not carry the session cookie (sent "
                                  f"+{stage.at(out) - stage.at(start):.2f} s after start): nothing was logged out")
        # The replay first (no page: the quickest request), so that it lands as soon after the
        # logout as it can, well before the session would have expired anyway.
        replay = await stage.replay("replay-after-logout", value)
        if p.server_waitable:
            # From the last save the docs promise (on a sliding site, every request renews it).
            natural_end = timing.honoured_until(stage.obs, stage.counted_save(start),
                                                min(p.enforced_server_age, p.server_age))
            stage.require_before(replay, natural_end - timing.whole_second_early(p.whole_second_store),
                                 "the replay after logout")
        await v.read("after-logout")
