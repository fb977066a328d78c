"""server-expiry: the server itself refuses a session that has expired or was logged out, judged
by replaying the old cookie value from a fresh browser context. Its own scenarios (logout, and a
busy session up to its absolute timeout) are here; the expiry checks read the shared lifecycle.
"""

import asyncio

from conformance.checks.keepalive import busy, keepalive_interval
from conformance.checks.lifecycle import lifecycle
from conformance.checks.logout import logout
from conformance.judge.caveats import SIGNED_LOGOUT, SIGNED_STALE
from conformance.judge.check import SESSIONS, SETTINGS, Family, Run, check
from conformance.judge.verdict import Verdict, judge
from conformance.observe import timing
from conformance.observe.scenario import scenario
from conformance.observe.stage import Stage
from conformance.targets.capabilities import LOGOUT, UNINTERRUPTED
from conformance.targets.promises import WAITABLE_AGE_S

FAMILY = Family("server-expiry", "The server itself refuses an expired or logged-out session when its old cookie is "
                "replayed, and does not end sessions early.")


# --- scenarios ---------------------------------------------------------------------------------

@scenario("absolute")
async def absolute(stage: Stage) -> None:
    """Keep the session busy (a read at an interval shorter than anything that ends an idle
    session) up to just before its absolute timeout and across it, while the same account signs in
    again halfway; then read and replay just after it. Still signed in? Stay busy until the timeout counted from
    that second sign-in, to see whether it moved the deadline."""
    p = stage.promise
    step = keepalive_interval(p)
    stage.obs.notes["keepalive_interval_s"] = step
    async with stage.begin() as (v, start):
        await stage.replay_live(start)
        # The session began while the sign-in was handled: no earlier than its request left, no
        # later than its answer arrived (black-box mode has no server clock, and a login's password
        # hashing alone can take a second). "Before the timeout" is judged against the earliest
        # start, "after" against the latest.
        began = min(stage.at(start), start.began_at or start.sent_at)
        ends = began + p.absolute_timeout
        ends_at_latest = max(stage.at(start), start.received_at) + p.absolute_timeout

        async def sign_in_again():
            await timing.until(began + p.absolute_timeout / 2, stage.obs, "second sign-in")
            async with stage.same_account() as other:
                await other.start("second-sign-in")

        again = asyncio.create_task(sign_in_again())
        try:
            last, n = await busy(stage, v, start, step, ends - timing.BEFORE_EXPIRY_S, "keepalive")
            # A black-box read is a whole page load (its last stylesheet may arrive a second after
            # the document): start the last one early by as long as the previous one took.
            lead = timing.BEFORE_EXPIRY_S + last.received_at - (last.began_at or last.sent_at)
            await timing.until(ends - lead, stage.obs, "before absolute timeout")
            before = await v.read("before-absolute")
            stage.require_before(before, ends, "the read before the absolute timeout")
            # Busy on across the stretch where the timeout falls (as long as the sign-in took), so that
            # no gap between reads longer than the keep-alive interval (an idle timeout) ends it instead;
            # and, while still signed in, until the second sign-in has reached the server: a deadline
            # that follows the account's last sign-in shows only after it.
            last, _ = await busy(stage, v, before, step, ends_at_latest + timing.SERVER_MARGIN_S, "straddle",
                                 stop_when_out=True)
            while not again.done() and last.reply.signed_in:
                last, _ = await busy(stage, v, last, step, (last.began_at or last.sent_at) + step * 1.01, "straddle")
            await again
        finally:
            again.cancel()
        await timing.until(ends_at_latest + timing.SERVER_MARGIN_S, stage.obs, "absolute timeout")
        after = await v.read("after-absolute")
        if last.reply.signed_in and p.idle_timeout:
            # Signed out only because it idled? Then the absolute timeout was not what was seen.
            stage.require_before(after, (last.began_at or last.sent_at) + p.idle_timeout,
                                 "the read after the absolute timeout")
        await stage.replay("replay-after-absolute", stage.latest_value())
        if after.reply.signed_in:
            # Where did the deadline go? Busy on, up to the timeout counted from the second sign-in.
            second = stage.obs.step("second-sign-in")
            # Other sessions of the account (the other browser's run) sign in about then too.
            await busy(stage, v, after, step, second.received_at + p.absolute_timeout
                        + timing.SERVER_MARGIN_S + step + OTHER_SIGN_INS_S, "overtime", stop_when_out=True)


# --- checks ------------------------------------------------------------------------------------


def _persistent_waitable(p):
    if p.browser_length:
        return "browser-length session: see SRV-03"
    if not p.server_waitable:
        return f"server-side age {p.server_age} s is too long to wait out"
    return None


def _server_waitable(p):
    return None if p.server_waitable else f"server-side age {p.server_age} s is too long to wait out"


def _browser_length_waitable(p):
    if not p.browser_length:
        return "persistent session: see SRV-01"
    if not p.server_waitable:
        return f"SESSION_COOKIE_AGE {p.server_age} s is too long to wait out"
    return None


def _signed_caveat(run: Run) -> str | None:
    p = run.promise
    return SIGNED_STALE if p.client_side_store and p.server_age < p.cookie_age else None


@check("SRV-01", family=FAMILY, scenario=lifecycle, needs=(UNINTERRUPTED,),
       doc=SESSIONS + "#django.contrib.sessions.backends.base.SessionBase.set_expiry",
       applies=_persistent_waitable)
def test_server_refuses_an_expired_session(run: Run):
    """After the session's age, the server refuses the old cookie when it is replayed.

    set_expiry(): "If value is an integer, the session will expire after that many seconds of
    inactivity."
    """
    control = run.replay_control()
    if control:
        return control
    replay = run.step("replay-expired")
    if replay is None:
        return run.missing("the replay after expiry")
    return judge(not replay.accepted, f"session refused {run.promise.server_age} s after its last save",
                 "session accepted" if replay.accepted else "session refused",
                 run.evidence("start", "replay-live", "replay-expired"), caveat=_signed_caveat(run),
                 facts={"accepted_after_age": replay.accepted})


@check("SRV-02", family=FAMILY, scenario=logout, needs=(LOGOUT,),
       doc=SESSIONS + "#django.contrib.sessions.backends.base.SessionBase.flush")
def test_server_refuses_a_logged_out_session(run: Run):
    """After logout (flush), the server refuses the old cookie when it is replayed.

    flush(): "This is used if you want to ensure that the previous session data can't be accessed
    again from the user's browser (for example, the django.contrib.auth.logout() function calls it)."
    """
    control = run.replay_control()
    if control:
        return control
    replay, out, start = run.step("replay-after-logout"), run.step("logout"), run.step("start")
    if replay is None or out is None:
        return run.missing("the replay after logout")
    old = start.session_set_cookie(run.cookie).value
    resent = out.session_set_cookie(run.cookie)
    # flush() "regenerate[s] the session key": the old key must not come back in the logout
    # response (session.clear() instead of flush() keeps it, inviting session fixation).
    kept_key = resent is not None and not resent.deletes and resent.value == old
    observed = ("session accepted" if replay.accepted else "session refused") + (
        "; the logout response re-sent the old session key" if kept_key else "")
    return judge(not replay.accepted and not kept_key,
                 "old session refused after logout, and its key not sent back", observed,
                 run.evidence("start", "logout", "replay-after-logout"),
                 caveat=SIGNED_LOGOUT if run.promise.client_side_store else None,
                 facts={"accepted_after_logout": replay.accepted, "old_key_sent_back": kept_key,
                        "logout_set_cookie": resent.shape() if resent else None})


@check("SRV-03", family=FAMILY, scenario=lifecycle, needs=(UNINTERRUPTED,),
       doc=SESSIONS + "#django.contrib.sessions.backends.base.SessionBase.get_expiry_age",
       applies=_browser_length_waitable)
def test_server_expires_browser_length_sessions(run: Run):
    """A browser-length session is still refused by the server after SESSION_COOKIE_AGE, even
    while the open browser keeps sending its cookie.

    get_expiry_age(): "For sessions with no custom expiration (or those set to expire at browser
    close), this will equal SESSION_COOKIE_AGE."
    """
    control = run.replay_control()
    if control:
        return control
    held, replay = run.step("after-server-expiry"), run.step("replay-expired")
    if held is None or replay is None:
        return run.missing("the server deadline")
    if held.sent_session_cookie is None:
        return Verdict.error("the open browser no longer sent its browser-length cookie, so the server "
                             "was not asked about it", run.evidence("start", "after-server-expiry"))
    alive = [s for s, ex in (("open browser", held), ("replay", replay)) if ex.accepted]
    return judge(not alive, f"session refused {run.promise.cookie_age} s after its last save",
                 f"accepted via {', '.join(alive)}" if alive else "refused",
                 run.evidence("start", "after-server-expiry", "replay-expired"),
                 facts={"accepted_by_open_browser": held.accepted, "accepted_by_replay": replay.accepted})


@check("SRV-04", family=FAMILY, scenario=lifecycle, needs=(UNINTERRUPTED,),
       doc=SETTINGS + "#session-cookie-age", applies=_server_waitable)
def test_server_keeps_the_session_until_its_age(run: Run):
    """The server still honours the session just before its age has passed (it does not end
    sessions early).

    SESSION_COOKIE_AGE: "The age of session cookies, in seconds." set_expiry(): "the session will
    expire after that many seconds of inactivity."
    """
    control = run.replay_control()
    if control:
        return control
    last = run.step("replay-before-expiry")
    if last is None:
        return run.missing("the replay before expiry")
    start = run.step("start")
    at = timing.handled_at(run.obs, last) - timing.handled_at(run.obs, start)
    return judge(last.accepted, f"session honoured {at:.2f} s after its last save (age {run.promise.server_age} s)",
                 "session accepted" if last.accepted else "session refused",
                 run.evidence("start", "replay-live", "replay-before-expiry"),
                 facts={"accepted_before_age": last.accepted})


# How much longer the overtime reads go on after the timeout counted from this run's second
# sign-in: the other browser's run of the same account signs in again within about this.
OTHER_SIGN_INS_S = 3.0
OWASP_ABSOLUTE = "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#absolute-timeout"


def _absolute_applies(p):
    if p.absolute_timeout is None:
        return "no absolute timeout in the policy (black-box [policy] absolute_timeout)"
    if p.absolute_timeout > WAITABLE_AGE_S:
        return f"absolute timeout {p.absolute_timeout} s is too long to wait out"
    if not p.renews_on_read and p.absolute_timeout >= p.server_age:
        return (f"reads do not renew this session, so its idle age ({p.server_age} s) ends it before the "
                f"absolute timeout ({p.absolute_timeout} s)")
    return None


@check("SRV-05", family=FAMILY, scenario=absolute, doc=OWASP_ABSOLUTE, applies=_absolute_applies)
def test_absolute_timeout_ends_a_busy_session(run: Run):
    """A session kept busy is still ended at its absolute timeout, counted from its own sign-in, in
    the browser and on the server, whatever other sessions of the same account do.

    OWASP Session Management Cheat Sheet, Absolute Timeout: "All sessions should implement an
    absolute timeout, regardless of session activity." (Not a Django setting: the policy's
    absolute_timeout, done by the site's middleware.)
    """
    control = run.replay_control()
    if control:
        return control
    before, after = run.step("before-absolute"), run.step("after-absolute")
    replay, start = run.step("replay-after-absolute"), run.step("start")
    if before is None or after is None or replay is None:
        return run.missing("the absolute timeout")
    keepalives, second = run.obs.steps("keepalive-"), run.step("second-sign-in")
    interval, t = run.obs.notes.get("keepalive_interval_s", 0), run.promise.absolute_timeout

    def since(ex) -> float:
        return ex.received_at - start.received_at

    straddles = [k.label for k in run.obs.steps("straddle-")]
    labels = ("start", *(k.label for k in keepalives), "before-absolute", *straddles, "after-absolute",
              "replay-after-absolute")
    expected = (f"signed in until {t} s after sign-in while busy (a read every {interval:.1f} s"
                f"{f'; the same account signed in again at +{since(second):.1f} s' if second else ''}), "
                "then signed out")
    busy = [start, *keepalives, before]
    out = next((i for i, ex in enumerate(busy) if i and not ex.reply.signed_in), None)
    if out is not None:
        gap = busy[out].received_at - busy[out - 1].received_at
        hint = ("" if run.promise.idle_timeout
                else f": an idle timeout shorter than {gap:.1f} s? ([policy] idle_timeout)")
        return judge(False, expected, f"signed out {since(busy[out]):.1f} s after sign-in ({busy[out].label}, "
                                      f"{gap:.1f} s after the previous request){hint}", run.evidence(*labels),
                     facts={"ended_early": True})
    alive = [s for s, ex in (("browser", after), ("replay", replay)) if ex.reply.signed_in]
    observed = f"still signed in after {t} s via {', '.join(alive)}" if alive else "signed out after it"
    if alive:
        observed += _moved(run, since, second, t)
    return judge(not alive, expected, observed, run.evidence(*labels),
                 facts={"ended_early": False, "alive_after": alive})


def _moved(run: Run, since, second, t: int) -> str:
    """Where the deadline went, as far as the overtime reads saw."""
    overtime = run.obs.steps("overtime-")
    ended = next((ex for ex in overtime if not ex.reply.signed_in), None)
    if ended is None:
        last = overtime[-1] if overtime else run.step("after-absolute")
        return f"; still signed in at +{since(last):.1f} s"
    moved = f"; it ended at +{since(ended):.1f} s"
    slack = 2 * run.obs.notes.get("keepalive_interval_s", 1) + 1  # the reads' spacing, and a page load
    # At or after the timeout counted from the second sign-in (later still when another session of
    # the account signed in after it): the deadline follows the account's sign-ins.
    if second is not None and since(ended) >= since(second) + t - slack:
        moved += (f", {since(ended) - since(second):.1f} s after the second sign-in of the same account: the "
                  "deadline counts from the account's last sign-in, not from this session's")
    return moved
