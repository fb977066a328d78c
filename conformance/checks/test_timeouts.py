"""timeouts: a site's own idle timeout (an auto-logout middleware; Django has no such setting, so it
is the black-box policy's idle_timeout) holds for each session on its own. Activity more often than
the timeout keeps the session alive; idling past it ends the session in the browser and on the
server, whatever another session of the same account does meanwhile. (The absolute timeout, judged
the same way, is SRV-05.)

Its scenario: sign in, stay busy for one and a half timeouts (a read every half timeout), then idle
past the timeout while another session of the same account signs in and stays busy; then ask in
the browser and replay the old cookie.
"""

from __future__ import annotations

import asyncio
import time

from conformance.checks.keepalive import busy, keepalive_interval
from conformance.judge.check import Family, Run, check
from conformance.judge.verdict import judge
from conformance.observe import timing
from conformance.observe.scenario import scenario
from conformance.observe.stage import Stage
from conformance.targets.promises import WAITABLE_AGE_S

FAMILY = Family("timeouts", "The site's own idle timeout (an auto-logout middleware) holds for each session: "
                "activity keeps it alive, idling past it ends it in the browser and on the server, whatever "
                "other sessions of the same account do.")

OWASP_IDLE = "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#idle-timeout"
BUSY_SPAN = 1.5  # idle timeouts kept busy for: longer than one, so that only activity explains surviving it


# --- scenario ----------------------------------------------------------------------------------

@scenario("idle")
async def idle(stage: Stage) -> None:
    """Busy for BUSY_SPAN idle timeouts, then idle past it while the same account is busy elsewhere."""
    limit = stage.promise.idle_timeout
    step = keepalive_interval(stage.promise)
    stage.obs.notes["keepalive_interval_s"] = step
    async with stage.begin() as (v, start):
        await stage.replay_live(start)
        last, _ = await busy(stage, v, start, step, (start.began_at or start.sent_at) + BUSY_SPAN * limit + step / 2,
                             "busy")
        value = stage.latest_value()
        deadline = last.received_at + limit + timing.SERVER_MARGIN_S
        async with stage.same_account() as other:
            await other.start("other-sign-in")
            while deadline - time.time() > step:
                await asyncio.sleep(step)
                await other.read(f"other-busy-{len(stage.obs.steps('other-busy-'))}")
        await timing.until(deadline, stage.obs, "idle timeout")
        await v.read("after-idle")
        await stage.replay("replay-after-idle", value)


# --- checks ------------------------------------------------------------------------------------

def _applies(p):
    if p.idle_timeout is None:
        return "no idle timeout in the policy (black-box [policy] idle_timeout)"
    if p.idle_timeout > WAITABLE_AGE_S:
        return f"idle timeout {p.idle_timeout} s is too long to wait out"
    span = (BUSY_SPAN + 1) * p.idle_timeout + 2
    if p.absolute_timeout and p.absolute_timeout <= span:
        return (f"the absolute timeout ({p.absolute_timeout} s) ends the session before this timeline "
                f"({span:.0f} s) does")
    if not p.renews_on_read and (p.server_age <= span or (p.max_age is not None and p.max_age <= span)):
        return (f"reads do not renew this session, so its age ({p.server_age} s) ends it before this timeline "
                f"({span:.0f} s) does")
    return None


def _since(run: Run, exchange) -> float:
    return exchange.received_at - run.step("start").received_at


def _other_activity(run: Run, after: float) -> str:
    """What the other session of the same account did while this one idled."""
    mine = [e for e in run.obs.exchanges if e.visitor == "other" and e.reply.signed_in and e.received_at > after]
    if not mine:
        return ""
    return (f"; meanwhile another session of the same account signed in at +{_since(run, mine[0]):.1f} s and made "
            f"requests until +{_since(run, mine[-1]):.1f} s")


@check("IDLE-01", family=FAMILY, scenario=idle, doc=OWASP_IDLE, applies=_applies)
def test_activity_keeps_the_session_alive(run: Run):
    """Activity more often than the idle timeout keeps the session alive, past the timeout.

    OWASP Session Management Cheat Sheet, Idle Timeout: "All sessions should implement an idle or
    inactivity timeout." (Not a Django setting: the policy's idle_timeout, done by the site's middleware.)
    """
    control = run.replay_control()
    if control:
        return control
    busy = run.obs.steps("busy-")
    if not busy:
        return run.missing("the busy reads")
    interval, limit = run.obs.notes.get("keepalive_interval_s", 0), run.promise.idle_timeout
    expected = (f"signed in throughout {_since(run, busy[-1]):.1f} s of a read every {interval:.1f} s "
                f"(idle timeout {limit} s)")
    out = next((e for e in busy if not e.reply.signed_in), None)
    if out is None:
        return judge(True, expected, "signed in throughout", run.evidence("start", busy[0].label, busy[-1].label))
    previous = run.obs.exchanges[run.obs.exchanges.index(out) - 1]
    return judge(False, expected, f"signed out at +{_since(run, out):.1f} s ({out.label}), "
                                  f"{out.received_at - previous.received_at:.1f} s after the previous request",
                 run.evidence("start", previous.label, out.label), facts={"signed_out_while_busy": True})


@check("IDLE-02", family=FAMILY, scenario=idle, doc=OWASP_IDLE, applies=_applies)
def test_idling_past_the_timeout_ends_the_session_in_the_browser(run: Run):
    """Idle past the idle timeout, the session has ended: the browser's next page shows the visitor
    signed out, whatever another session of the same account did meanwhile.

    OWASP Session Management Cheat Sheet, Idle Timeout: "This timeout defines the amount of time a
    session will remain active in case there is no activity in the session, closing and
    invalidating the session upon the defined idle period since the last HTTP request received by
    the web application for a given session ID."
    """
    after = run.step("after-idle")
    busy = run.obs.steps("busy-")
    if after is None or not busy:
        return run.missing("the read after the idle timeout")
    quiet = after.sent_at - busy[-1].received_at
    expected = f"signed out after {quiet:.1f} s without a request (idle timeout {run.promise.idle_timeout} s)"
    alive = after.reply.signed_in
    observed = ("still signed in" + _other_activity(run, busy[-1].received_at)) if alive else "signed out"
    return judge(not alive, expected, observed, run.evidence(busy[-1].label, "other-sign-in", "after-idle"),
                 facts={"alive_after_idle": alive})


@check("IDLE-03", family=FAMILY, scenario=idle, doc=OWASP_IDLE, applies=_applies)
def test_idling_past_the_timeout_ends_the_session_on_the_server(run: Run):
    """Idle past the idle timeout, the server refuses the old session cookie when it is replayed.

    OWASP Session Management Cheat Sheet: "Session timeout management and expiration must be
    enforced server-side."
    """
    control = run.replay_control()
    if control:
        return control
    replay, busy = run.step("replay-after-idle"), run.obs.steps("busy-")
    if replay is None or not busy:
        return run.missing("the replay after the idle timeout")
    quiet = run.step("after-idle").sent_at - busy[-1].received_at if run.step("after-idle") else 0
    alive = replay.reply.signed_in
    return judge(not alive, f"the old cookie refused after {quiet:.1f} s without a request "
                            f"(idle timeout {run.promise.idle_timeout} s)",
                 ("accepted" + _other_activity(run, busy[-1].received_at)) if alive else "refused",
                 run.evidence(busy[-1].label, "after-idle", "replay-after-idle"), facts={"accepted_after_idle": alive})
