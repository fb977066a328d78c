"""cookie-age: the session cookie's Max-Age/Expires, the browser's stored expiry, and the moment
the browser stops sending it."""

from conformance.checks.lifecycle import lifecycle
from conformance.drivers.base import BROWSER_CLOCK
from conformance.judge.check import SESSIONS, SETTINGS, Family, Run, check
from conformance.judge.verdict import Verdict, judge
from conformance.observe import timing

FAMILY = Family("cookie-age", "The session cookie's Max-Age and Expires, the expiry the browser stores, and the "
                "moment the browser stops sending it.")

BROWSER_MAX_AGE_CAP = 400 * 24 * 3600  # RFC 6265bis: user agents cap Max-Age at 400 days


def _persistent_only(p):
    return "browser-length cookie: no Max-Age or Expires to check (AGE-01 checks their absence)" \
        if p.browser_length else None


def _waitable(p):
    if p.browser_length:
        return "browser-length cookie: it ends with the browser (see CLOSE-01, CLOSE-02)"
    if not p.waitable:
        return f"Max-Age {p.max_age} s is too long to wait out; AGE-01..03 check it by arithmetic"
    return None


def _start_cookie(run: Run):
    start = run.step("start")
    return start, (start.session_set_cookie(run.cookie) if start else None)


def _missing(run: Run) -> Verdict:
    if run.step("start") is None:  # the scenario never got as far (it is observed again)
        return run.missing("start")
    return judge(False, f"a Set-Cookie for {run.cookie!r} on start", "no session cookie was set",
                 run.evidence("start"))


@check("AGE-01", family=FAMILY, scenario=lifecycle,
       doc=SETTINGS + "#session-cookie-age")
def test_max_age_is_the_configured_age(run: Run):
    """The session cookie's Max-Age is the configured or requested age, absent for browser-length.

    SESSION_COOKIE_AGE: "The age of session cookies, in seconds." set_expiry(): "If value is an
    integer, the session will expire after that many seconds of inactivity"; a browser-length
    cookie carries no expiry at all.
    """
    start, sc = _start_cookie(run)
    if sc is None:
        return _missing(run)
    p = run.promise
    # Key observations, stable from run to run (a fixed date's Max-Age counts down: only whether it fits).
    facts = {"set_cookie": sc.shape(keep_max_age=not p.max_age_slack), "persistent": sc.persistent}
    if p.browser_length:
        return judge(not sc.persistent, f"no Max-Age and no Expires ({p.lifetime} cookie)",
                     f"Max-Age={sc.max_age}, Expires={sc.attrs.get('expires')}", run.evidence("start"), facts=facts)
    low = p.max_age - p.max_age_slack
    expected = f"Max-Age={p.max_age}" if not p.max_age_slack else f"Max-Age in [{low}, {p.max_age}]"
    ok = sc.max_age is not None and low <= sc.max_age <= p.max_age
    facts["max_age"] = sc.max_age if not p.max_age_slack else ("as promised" if ok else sc.max_age)
    observed = f"Max-Age={sc.max_age}"
    if not sc.persistent:
        observed = f"no Max-Age and no Expires (a browser-length cookie){_unticked_hint(run)}"
    return judge(ok, expected, observed, run.evidence("start"), facts=facts)


def _unticked_hint(run: Run) -> str:
    """Why a black-box sign-in may have got a browser-length cookie: a "Remember me" box the config
    left unticked (Wagtail's admin and allauth then call set_expiry(0))."""
    boxes = run.obs.notes.get("login_unticked_boxes")
    if not boxes:
        return ""
    return (f"; the login form had unticked checkboxes ({', '.join(boxes)}): a 'Remember me' box left unticked "
            "gives a browser-length session; tick it with [login] remember, or promise both states "
            "([policy.remembered] / [policy.not_remembered])")


@check("AGE-02", family=FAMILY, scenario=lifecycle,
       doc=SESSIONS + "#when-sessions-are-saved", applies=_persistent_only)
def test_expires_agrees_with_max_age(run: Run):
    """Expires names the same moment as Max-Age, for browsers that only read Expires.

    "Similarly, the expires part of a session cookie is updated each time the session cookie is
    sent."
    """
    start, sc = _start_cookie(run)
    if sc is None:
        return _missing(run)
    if sc.expires is None or sc.max_age is None:
        return judge(False, "both Max-Age and Expires", f"Max-Age={sc.max_age}, "
                     f"Expires={sc.attrs.get('expires')}", run.evidence("start"),
                     facts={"max_age": sc.max_age is not None, "expires": sc.expires is not None})
    # Django writes Expires = its clock + Max-Age, truncated to whole seconds, while it makes the
    # response: judged on the clock that best tells when that was (timing.made_between).
    made = timing.made_between(run.obs, start)
    drift = sc.expires - (made.earliest + sc.max_age)
    width = made.latest - made.earliest
    ok = -timing.WHOLE_SECOND_S <= drift <= width
    return judge(ok, f"Expires - (made + Max-Age) within [-{timing.WHOLE_SECOND_S:.1f}, +{width:.2f}] s (Expires is "
                     f"whole seconds; 'made' on {made.clock})",
                 f"Expires - (made + Max-Age) = {drift:+.2f} s", run.evidence("start"), facts={"agree": ok})


@check("AGE-03", family=FAMILY, scenario=lifecycle,
       doc=SESSIONS + "#browser-length-vs-persistent-sessions")
def test_browser_stores_the_expiry(run: Run):
    """The browser stores the cookie with the expiry the server asked for.

    "By default, SESSION_EXPIRE_AT_BROWSER_CLOSE is set to False, which means session cookies will
    be stored in users' browsers for as long as SESSION_COOKIE_AGE."
    """
    start, sc = _start_cookie(run)
    if sc is None:
        return _missing(run)
    jar = start.jar_cookie(run.cookie)
    if jar is None and sc.max_age is not None and start.received_at > timing.handled_at(run.obs, start) + sc.max_age:
        return Verdict.error("the jar was read after the cookie had expired (machine too busy)",
                             run.evidence("start"))
    if jar is None:
        return judge(False, f"{run.cookie!r} in the browser's jar", "not stored", run.evidence("start"),
                     facts={"stored": False})
    set_at = timing.handled_at(run.obs, start)
    # A session cookie's -1 is no date: "set + (-1 - now)" would read as an expiry decades ago.
    stored = "a session cookie (no expiry)" if jar.session else f"stored expiry set + {jar.expires - set_at:.1f} s"
    if run.promise.browser_length:
        return judge(jar.session, "a session cookie (no expiry)", stored, run.evidence("start"),
                     facts={"stored": True, "session_cookie": jar.session})
    asked = min(sc.max_age if sc.max_age is not None else run.promise.max_age, BROWSER_MAX_AGE_CAP)
    if jar.session:
        return judge(False, f"stored expiry = set + {asked} s", stored, run.evidence("start"),
                     facts={"stored": True, "session_cookie": True, "expiry_as_asked": False})
    delta = jar.expires - set_at
    # The browser counts from when it got the response: after the server handled the request,
    # before the answer reached us (late under load), so the window is [set, arrival] + Max-Age.
    # A remote browser's jar is on its own clock, brought onto ours (Driver.jar), less exactly.
    late = max(0.0, start.received_at - set_at)
    remote = run.obs.notes.get(BROWSER_CLOCK)
    tolerance = timing.JAR_TOLERANCE_S + (remote["uncertainty_s"] if remote else 0.0)
    ok = -tolerance <= delta - asked <= late + tolerance
    window = f"±{tolerance:.1f} s" if late < 0.05 else \
        f"-{tolerance:.1f} s to +{late + tolerance:.1f} s (the answer arrived {late:.1f} s later)"
    if remote:
        window += f"; the remote browser's clock, {remote['ahead_s']:+.2f} s from ours"
    # "set": when the server handled the request, on Django's clock (the probe's) brought onto ours,
    # else when its answer arrived here; the jar's expiry is the browser's clock (ours, here).
    how = "Django's clock" if start.server_time is not None else "when the answer arrived"
    return judge(ok, f"stored expiry = set + {asked} s {window} (set: {how})",
                 f"set + {delta:.2f} s", run.evidence("start"),
                 facts={"stored": True, "session_cookie": False, "expiry_as_asked": ok})


@check("AGE-04", family=FAMILY, scenario=lifecycle,
       doc=SETTINGS + "#session-cookie-age", applies=_waitable)
def test_browser_stops_sending_after_the_age(run: Run):
    """After its age passes, the browser no longer sends the session cookie (judged by the Cookie
    header the server received, not by the jar).

    SESSION_COOKIE_AGE: "The age of session cookies, in seconds."
    """
    before, after = run.step("read"), run.step("after-expiry")
    if before is None:
        return run.missing("the first read")
    if before.sent_session_cookie is None:
        return Verdict.error("the browser never sent the session cookie, so its expiry proves nothing",
                             run.evidence("start", "read"))
    if after is None:
        return run.missing("the expiry step")
    waited = timing.handled_at(run.obs, after) - timing.handled_at(run.obs, run.step("start"))
    return judge(after.sent_session_cookie is None,
                 f"no {run.cookie} in the Cookie header {waited:.1f} s after it was set",
                 f"Cookie: {after.cookie_header or '(none)'}", run.evidence("start", "read", "after-expiry"),
                 facts={"sent_after_age": after.sent_session_cookie is not None})
