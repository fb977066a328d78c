"""renewal: does activity move the session's deadline? Reads only with SESSION_SAVE_EVERY_REQUEST;
writes always, unless the expiry is a fixed date. Judged in the browser (is the cookie still sent
after the original deadline?) and on the server (is a replay of it still accepted?)."""

from conformance import timing
from conformance.caveats import SIGNED_STALE
from conformance.check import SESSIONS, SETTINGS, Run, check
from conformance.verdict import Verdict, judge

READ_QUOTE_DOC = SESSIONS + "#django.contrib.sessions.backends.base.SessionBase.set_expiry"


def _renewable(p):
    if p.browser_length:
        return "browser-length cookie: the browser never expires it (server side: SRV-03)"
    if not p.waitable:
        return f"Max-Age {p.max_age} s is too long to wait out"
    return None


def _alive(ex) -> bool:
    return ex is not None and ex.sent_session_cookie is not None and ex.accepted


def _refused_early(run: Run) -> Verdict | None:
    """The activity happened before the session's age; if the server refused it there, nothing
    about renewal can be judged, and the early end is itself the finding."""
    activity = run.step("activity")
    if activity is None or activity.accepted:
        return None
    start = run.step("start")
    at = timing.handled_at(run.obs, activity) - timing.handled_at(run.obs, start)
    return judge(False, f"the session honoured {at:.2f} s after start (its age is {run.promise.server_age} s)",
                 f"Cookie: {activity.cookie_header or '(none)'}; server refused", run.evidence("start", "activity"))


def _outlives(run: Run, expected: bool, what: str) -> Verdict:
    """Compare the session's state after its original deadline with the expectation."""
    control = run.replay_control()
    if control:
        return control
    early = _refused_early(run)
    if early:
        return early
    browser, replay = run.step("after-original"), run.step("replay-after-original")
    if browser is None or replay is None:
        return run.missing("the original deadline")
    in_browser = _alive(browser)
    on_server = replay.accepted
    want = "alive" if expected else "ended"
    seen = f"browser: {'sent and accepted' if in_browser else 'ended'}; " \
           f"server replay: {'accepted' if on_server else 'refused'}"
    ok = in_browser == expected and on_server == expected
    caveat = None
    if not ok and not expected and not in_browser and on_server and _signed_stale(run):
        caveat = SIGNED_STALE
    return judge(ok, f"after the original deadline, following {what}: {want} in browser and on server",
                 seen, run.evidence("start", "activity", "after-original", "replay-after-original"),
                 caveat=caveat, facts={"renewed_in_browser": in_browser, "renewed_on_server": on_server})


def _signed_stale(run: Run) -> bool:
    p = run.promise
    return p.client_side_store and p.server_age < p.cookie_age


def _resent(run: Run, expected: bool, what: str) -> Verdict:
    activity = run.step("activity")
    if activity is None:
        return run.missing("the activity step")
    early = _refused_early(run)
    if early:
        return early
    sc = activity.session_set_cookie(run.cookie)
    p = run.promise
    if not expected:
        return judge(sc is None, f"no Set-Cookie on {what}", sc.raw if sc else "no Set-Cookie",
                     run.evidence("start", "activity"))
    if sc is None:
        return judge(False, f"a Set-Cookie on {what}", "no Set-Cookie", run.evidence("start", "activity"))
    start = run.step("start")
    if p.fixed_deadline:
        remaining = (timing.handled_at(run.obs, start) + start.session_set_cookie(run.cookie).max_age
                     - timing.handled_at(run.obs, activity))
        low, high = remaining - timing.FIXED_DATE_MAX_AGE_BELOW_S, remaining + timing.FIXED_DATE_MAX_AGE_ABOVE_S
        ok = sc.max_age is not None and low <= sc.max_age <= high
        return judge(ok, f"Max-Age in [{low:.1f}, {high:.1f}] s (the fixed date does not move)",
                     f"Max-Age={sc.max_age}", run.evidence("start", "activity"))
    return judge(sc.max_age == p.max_age, f"Max-Age={p.max_age} counted again from the {what}",
                 f"Max-Age={sc.max_age}", run.evidence("start", "activity"))


@check("REN-01", family="renewal", scenario="renewal-read",
       doc=SESSIONS + "#when-sessions-are-saved", applies=_renewable)
def test_read_resends_cookie_only_when_saving_every_request(run: Run):
    """A read-only request re-sends the session cookie only when SESSION_SAVE_EVERY_REQUEST is True.

    "Note that the session cookie is only sent when a session has been created or modified. If
    SESSION_SAVE_EVERY_REQUEST is True, the session cookie will be sent on every request."
    """
    return _resent(run, run.promise.resends_on_read, "read")


@check("REN-02", family="renewal", scenario="renewal-read", doc=READ_QUOTE_DOC, applies=_renewable)
def test_read_renews_only_when_saving_every_request(run: Run):
    """Reading the session extends it past its original deadline only when
    SESSION_SAVE_EVERY_REQUEST is True (and the expiry is not a fixed date).

    "Reading a session is not considered activity for expiration purposes. Session expiration is
    computed from the last time the session was modified."
    """
    return _outlives(run, run.promise.renews_on_read, "a read")


@check("REN-03", family="renewal", scenario="renewal-write",
       doc=SESSIONS + "#when-sessions-are-saved", applies=_renewable)
def test_write_resends_cookie_with_fresh_expiry(run: Run):
    """Modifying the session re-sends the cookie, its Max-Age counted again from now (or the time
    left to a fixed date).

    "the expires part of a session cookie is updated each time the session cookie is sent."
    """
    return _resent(run, True, "write")


@check("REN-04", family="renewal", scenario="renewal-write", doc=READ_QUOTE_DOC, applies=_renewable)
def test_write_renews_relative_expiry(run: Run):
    """Modifying the session extends it past its original deadline, unless the expiry is a fixed
    date (set_expiry(datetime | timedelta)).

    "Session expiration is computed from the last time the session was modified." For a datetime or
    timedelta: "the session will expire at that specific date/time."
    """
    return _outlives(run, run.promise.renews_on_write, "a write")


@check("REN-05", family="renewal", scenario="renewal-read",
       doc=SETTINGS + "#session-save-every-request", applies=_renewable)
def test_idle_session_ends(run: Run):
    """Idle past the (possibly renewed) deadline, the session ends: the browser stops sending the
    cookie and the server refuses a replay of it.

    SESSION_COOKIE_AGE: "The age of session cookies, in seconds." set_expiry(): "the session will
    expire after that many seconds of inactivity."
    """
    control = run.replay_control()
    if control:
        return control
    browser, replay = run.step("after-idle"), run.step("replay-after-idle")
    if browser is None or replay is None:
        return run.missing("the idle deadline")
    in_browser = _alive(browser)
    seen = f"browser: {'sent and accepted' if in_browser else 'ended'}; " \
           f"server replay: {'accepted' if replay.accepted else 'refused'}"
    ok = browser.sent_session_cookie is None and not replay.accepted
    caveat = SIGNED_STALE if browser.sent_session_cookie is None and _signed_stale(run) else None
    return judge(ok, "ended in the browser (cookie not sent) and on the server (replay refused)", seen,
                 run.evidence("start", "activity", "after-idle", "replay-after-idle"), caveat=caveat)
