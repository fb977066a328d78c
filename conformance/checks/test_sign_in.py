"""sign-in: signing in starts a session of its own, and logging out ends it in the browser too.
A session key the visitor held before signing in must not be the one in use after it, nor reach
the account when replayed (session fixation: Django's login() cycles the key); after logout the
browser holds no session cookie (flush() deletes it).

Its scenario: an anonymous visitor who holds a session (the probe's own; in black-box mode, the
pages the config names and the login page) signs in, then the pre-sign-in value is replayed
(fixation). The logout checks read the logout scenario (logout.py), as SRV-02 does.
"""

from __future__ import annotations

import time

from conformance.checks.logout import logout
from conformance.drivers import DriverError
from conformance.judge.check import SESSIONS, Family, Run, check
from conformance.judge.verdict import Verdict, judge
from conformance.observe.scenario import scenario
from conformance.observe import timing
from conformance.observe.stage import ScenarioInvalid, Stage
from conformance.targets.capabilities import LOGOUT

FAMILY = Family("sign-in", "Signing in starts a session of its own (a key the visitor held before does not reach "
                "the account: no session fixation), and logging out deletes the session cookie.")

WSTG_SESS_03 = ("https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/"
                "06-Session_Management_Testing/03-Testing_for_Session_Fixation")
NO_ANONYMOUS_SESSION = "no_anonymous_session"  # an obs note: where the visitor looked for one


# --- scenario ----------------------------------------------------------------------------------

@scenario("fixation")
async def fixation(stage: Stage) -> None:
    """An anonymous visitor holding a session signs in; then the value they held before is replayed."""
    async with stage.visitor() as v:
        await v.reserve_sign_in()  # the sign-in must follow the anonymous visit within its session's age
        before = await v.anonymous("anonymous")
        held = before.jar_cookie(stage.cookie)
        if held is None:
            # Nothing to fixate: the checks skip, saying where the visitor looked.
            stage.obs.notes[NO_ANONYMOUS_SESSION] = sorted({ex.url.split("?")[0] for ex in stage.obs.exchanges})
            return
        # The held session must still be alive on the server when the sign-in arrives (a 4 s age
        # on the reference site): otherwise a refused sign-in only says the machine was slow.
        alive_until = stage.server_alive_until(before)
        try:
            signed = await v.sign_in("sign-in")
        except DriverError:
            if time.time() > alive_until - timing.BEFORE_DEADLINE_GUARD_S:
                raise ScenarioInvalid("the sign-in came after the held session's age was up on the server: "
                                      "the machine was too busy to judge this scenario") from None
            raise
        after = await v.read("after-sign-in")
        # Not signed in is the site's answer only while the new session must still be alive (a 3 s
        # age on the reference site): a read after that says the machine was slow; observed again.
        if not after.reply.signed_in and (over := stage.session_over(signed, "the read after signing in")):
            raise over
        await stage.replay("replay-pre-sign-in", held.value)


# --- checks ------------------------------------------------------------------------------------

def _precondition(run: Run) -> Verdict | None:
    """The checks judge a sign-in made from a held session that signed the visitor in."""
    where = run.obs.notes.get(NO_ANONYMOUS_SESSION)
    if where is not None:
        return Verdict.skip(f"the site gives visitors no session before they sign in (none after "
                            f"{', '.join(where) or 'its pages'}): nothing to fixate; name a page that starts one "
                            "(a cart) in [pages] anonymous_session, if the site has one")
    before, signin, after = run.step("anonymous"), run.step("sign-in"), run.step("after-sign-in")
    if before is None or signin is None or after is None:
        return run.missing("the sign-in")
    held = before.jar_cookie(run.cookie).value
    if signin.sent_session_cookie != held:
        return Verdict.error("the sign-in request did not carry the session cookie the visitor held, so it "
                             "proves nothing about fixation", run.evidence("anonymous", "sign-in"))
    if not after.reply.signed_in:
        return Verdict.error("after signing in, the visitor was not signed in (check the credentials and "
                             "[signed_in])", run.evidence("anonymous", "sign-in", "after-sign-in"))
    return None


CYCLE_KEY = SESSIONS + "#django.contrib.sessions.backends.base.SessionBase.cycle_key"


@check("AUTH-01", family=FAMILY, scenario=fixation, doc=CYCLE_KEY)
def test_sign_in_issues_a_new_session_key(run: Run):
    """Signing in issues a new session key: the key a visitor held before is not the one in use after.

    cycle_key(): "Creates a new session key while retaining the current session data.
    django.contrib.auth.login() calls this method to mitigate against session fixation."
    """
    problem = _precondition(run)
    if problem:
        return problem
    held, after = run.step("anonymous").jar_cookie(run.cookie).value, run.step("after-sign-in")
    kept = after.sent_session_cookie == held
    return judge(not kept, "a new session key after signing in",
                 "the same key as before signing in" if kept else "a new key",
                 run.evidence("anonymous", "sign-in", "after-sign-in"), facts={"key_kept_at_sign_in": kept})


@check("AUTH-02", family=FAMILY, scenario=fixation, doc=WSTG_SESS_03)
def test_the_pre_sign_in_key_does_not_reach_the_account(run: Run):
    """The session value a visitor held before signing in, replayed afterwards, does not reach the
    signed-in account.

    OWASP WSTG-SESS-03: "If the victim later authenticates at the target site and the cookies are
    not refreshed upon login, the victim will be identified by the session cookies chosen by the
    attacker."
    """
    problem = _precondition(run)
    if problem:
        return problem
    replay = run.step("replay-pre-sign-in")
    if replay is None:
        return run.missing("the replay of the pre-sign-in value")
    reached = replay.reply.signed_in
    return judge(not reached, "the pre-sign-in value does not reach the signed-in account",
                 "it reached the signed-in account" if reached else "it did not",
                 run.evidence("anonymous", "sign-in", "replay-pre-sign-in"), facts={"pre_sign_in_reached": reached})


@check("AUTH-03", family=FAMILY, scenario=logout, needs=(LOGOUT,),
       doc=SESSIONS + "#django.contrib.sessions.backends.base.SessionBase.flush")
def test_logout_deletes_the_session_cookie(run: Run):
    """After logout the browser holds no session cookie for the site: the logout response deletes it.

    flush(): "Deletes the current session data from the session and deletes the session cookie."
    """
    out, after = run.step("logout"), run.step("after-logout")
    if out is None or after is None:
        return run.missing("the logout")
    old = run.step("start").session_set_cookie(run.cookie).value
    sc = out.session_set_cookie(run.cookie)
    sent = after.sent_session_cookie
    ok = sc is not None and sc.deletes and sent is None
    if sc is None:
        observed = "the logout response did not touch the session cookie"
    elif sc.deletes:
        observed = "deleted (Max-Age=0)" if sent is None else "deleted, but a later response set one again"
    else:
        observed = (f"the logout response set {'the same' if sc.value == old else 'a new'} session key instead "
                    f"({sc.shape()}): something wrote to the session after flush() (a message stored in the "
                    "session, or a backend's own middleware that never deletes)")
    next_sent = ("sent the old key" if sent == old else "sent a session cookie") if sent else "sent none"
    observed += f"; the next request {next_sent}"
    return judge(ok, "the session cookie deleted (Max-Age=0) and not sent again", observed,
                 run.evidence("start", "logout", "after-logout"),
                 facts={"logout_set_cookie": sc.shape() if sc else None, "sent_after_logout": sent is not None})
