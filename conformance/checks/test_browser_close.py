"""browser-close: a browser-length session cookie is gone after the browser restarts; a persistent
one survives. Two kinds of restart: a new context carrying only what a browser keeps, and a real
close and relaunch of a persistent profile folder."""

from conformance.check import SESSIONS, Run, check
from conformance.verdict import Verdict, judge

DOC = SESSIONS + "#browser-length-vs-persistent-sessions"
# A persistent cookie must outlive the restart itself (a Firefox relaunch takes seconds).
MIN_PERSISTENT_AGE_S = 30


def _restartable(p):
    if p.browser_length or p.max_age >= MIN_PERSISTENT_AGE_S:
        return None
    return (f"persistent cookie of {p.max_age} s may expire during a restart; survival is checked "
            f"on profiles with ages of {MIN_PERSISTENT_AGE_S} s or more")


def _after_restart(run: Run, how: str) -> Verdict:
    before, after = run.step("before-restart"), run.step("after-restart")
    if before is None:
        return run.missing("the read before the restart")
    if before.sent_session_cookie is None:
        return Verdict.error("the browser did not send the session cookie before the restart",
                             run.evidence("start", "before-restart"))
    if after is None:
        return run.missing(f"the {how}")
    evidence = run.evidence("start", "before-restart", "after-restart")
    if run.promise.browser_length:
        return judge(after.sent_session_cookie is None, f"no {run.cookie} sent after the {how}",
                     f"Cookie: {after.cookie_header or '(none)'}", evidence)
    return judge(after.sent_session_cookie is not None and after.accepted,
                 f"{run.cookie} still sent and accepted after the {how}",
                 f"Cookie: {after.cookie_header or '(none)'}; "
                 f"server {'accepted' if after.accepted else 'refused'}", evidence)


@check("CLOSE-01", family="browser-close", scenario="restart-context", doc=DOC, applies=_restartable)
def test_context_restart(run: Run):
    """A browser-length session cookie does not survive a restart that keeps only what a browser
    keeps (persistent cookies); a persistent session cookie does.

    "If SESSION_EXPIRE_AT_BROWSER_CLOSE is set to True, Django will use browser-length cookies --
    cookies that expire as soon as the user closes their browser."
    """
    return _after_restart(run, "context restart")


@check("CLOSE-02", family="browser-close", scenario="restart-profile", doc=DOC, applies=_restartable)
def test_profile_relaunch(run: Run):
    """A browser-length session cookie is gone after a real close and relaunch of the browser
    profile; a persistent session cookie is still there.

    "By default, SESSION_EXPIRE_AT_BROWSER_CLOSE is set to False, which means session cookies will
    be stored in users' browsers for as long as SESSION_COOKIE_AGE."
    """
    return _after_restart(run, "browser relaunch")
