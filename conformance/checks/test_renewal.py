"""renewal: does activity move the session's deadline? Reads only with SESSION_SAVE_EVERY_REQUEST;
writes always, unless the expiry is a fixed date. Judged in the browser (is the cookie still sent
after the original deadline?) and on the server (is a replay of it still accepted?).

The family's scenarios (a read or a write at 60 % of the age, then past the original deadline,
then idle; a read right after the start when that timeline cannot run) and its summary ("expiry
resets while the user keeps interacting": for reads and writes, writes only, not at all, or a
fixed deadline by design) are here too.
"""

from collections import defaultdict

from conformance.judge.caveats import SIGNED_STALE
from conformance.judge.check import SESSIONS, SETTINGS, Family, Run, check
from conformance.judge.verdict import Verdict, judge
from conformance.observe import timing
from conformance.observe.scenario import scenario
from conformance.observe.stage import Stage
from conformance.targets.capabilities import UNINTERRUPTED, WRITE

READ_QUOTE_DOC = SESSIONS + "#django.contrib.sessions.backends.base.SessionBase.set_expiry"


# --- scenarios ---------------------------------------------------------------------------------

async def _renewal(stage: Stage, writes: bool) -> None:
    p = stage.promise
    async with stage.begin() as (v, start):
        await stage.replay_live(start)
        age = stage.planned_age(start.session_set_cookie(stage.cookie))
        original_browser = stage.browser_deadline()
        original_server = stage.server_deadline(start)
        # From the earliest moment the start can have saved the session (a sign-in that takes
        # seconds would otherwise leave its activity no time before the original deadline).
        await timing.until(timing.honoured_until(stage.obs, start, timing.ACTIVITY_FRACTION * age), stage.obs,
                           "activity")
        activity = await (v.write if writes else v.read)("activity")
        _require_alive(stage, start, activity)
        early = timing.whole_second_early(p.whole_second_store)
        await timing.until(max(original_browser, original_server), stage.obs, "original deadline")
        after = await v.read("after-original")
        replay = await stage.replay("replay-after-original", stage.latest_value())
        # Had the activity renewed the session, it would live until activity + age at the earliest
        # (whole-second backends: up to 1 s less). Judged later, we could not tell.
        renewed_floor = timing.honoured_until(stage.obs, activity, p.server_age) - early
        stage.require_before(after, renewed_floor, "the read after the original deadline")
        stage.require_before(replay, renewed_floor, "the replay after the original deadline")
        # Idle from here: whatever the last save was, the session must end after it.
        await timing.until(max(stage.browser_deadline() or 0, stage.server_deadline(start)),
                           stage.obs, "idle deadline")
        await v.read("after-idle")
        await stage.replay("replay-after-idle", stage.latest_value())


async def _read_right_away(stage: Stage) -> None:
    """Start, then one read: all REN-01 judges (does a read re-send the cookie?), in the time of a
    sign-in. No timeout ends a session this soon after it began."""
    async with stage.begin() as (v, start):
        activity = await v.read("activity")
        _require_alive(stage, start, activity)


def _require_alive(stage: Stage, start, activity) -> None:
    """The activity reached the server while the session was alive in the browser and on the
    server (whole-second backends: up to 1 s less), or the scenario is invalid."""
    early = timing.whole_second_early(stage.promise.whole_second_store)
    age = stage.planned_age(start.session_set_cookie(stage.cookie))
    stage.require_before(activity, min(timing.honoured_until(stage.obs, start, age), stage.server_alive_until(start))
                         - early, "the activity", anchors=True)


@scenario("renewal-read")
async def renewal_read(stage: Stage) -> None:
    """Read-only activity at 60 % of the age, then past the original deadline, then idle. When that
    timeline cannot be judged (an age too long to wait out, or a timeout that would cut it), REN-02
    and REN-05 are skipped and only a read right after the start is made, for REN-01."""
    if stage.promise.waitable and UNINTERRUPTED not in stage.target.lacks:
        await _renewal(stage, writes=False)
    else:
        await _read_right_away(stage)


@scenario("renewal-write")
async def renewal_write(stage: Stage) -> None:
    """Modifying activity at 60 % of the age, then past the original deadline, then idle."""
    await _renewal(stage, writes=True)


# --- summary -----------------------------------------------------------------------------------

def sliding_summary(results) -> dict:
    """Under which profiles 'expiry resets while the user keeps interacting' held, as observed
    (REN-02: reads, REN-04: writes), in every browser that ran them."""
    seen: dict[str, dict[str, list[bool]]] = defaultdict(lambda: {"reads": [], "writes": []})
    fixed = set()  # set_expiry(datetime | timedelta): activity never moves the deadline, by design
    for r in results:
        if r.id in ("REN-02", "REN-04") and "renewed_in_browser" in r.facts:
            renewed = r.facts["renewed_in_browser"] and r.facts["renewed_on_server"]
            seen[r.profile]["reads" if r.id == "REN-02" else "writes"].append(renewed)
            if r.facts.get("fixed_deadline"):
                fixed.add(r.profile)
    out = {"reads_and_writes": [], "writes_only": [], "never": [], "fixed_deadline": [], "mixed": [],
           "partly_checked": [], "reads_writes_unchecked": [], "not_on_reads_writes_unchecked": []}
    for profile, kinds in sorted(seen.items()):
        reads, writes = kinds["reads"], kinds["writes"]
        if reads and not writes and len(set(reads)) == 1:
            # Black-box mode: reads are the only activity the suite can cause.
            out["reads_writes_unchecked" if reads[0] else "not_on_reads_writes_unchecked"].append(profile)
        elif not reads or not writes:
            out["partly_checked"].append(profile)  # only REN-04 ran, or reads differ: no claim
        elif len(set(reads)) > 1 or len(set(writes)) > 1:
            out["mixed"].append(profile)
        elif all(reads) and all(writes):
            out["reads_and_writes"].append(profile)
        elif all(writes):
            out["writes_only"].append(profile)
        else:  # writes did not renew; by design only if reads did not either (else REN-02 fails)
            out["fixed_deadline" if profile in fixed and not any(reads) else "never"].append(profile)
    unjudged = sorted({r.profile for r in results if r.id in ("REN-02", "REN-04")} - set(seen))
    return {"expiry_resets_on_interaction": out, "not_judged": unjudged}


def sliding_lines(summary: dict, results) -> list[str]:
    sliding, unjudged = summary["expiry_resets_on_interaction"], summary["not_judged"]
    if not unjudged and not any(sliding.values()):
        return []  # the family did not run
    lines = ["'Expiry resets while the user keeps interacting' (observed):",
             f"  holds for reads and writes: {', '.join(sliding['reads_and_writes']) or 'none'}",
             f"  holds for writes only (reads do not renew): {', '.join(sliding['writes_only']) or 'none'}",
             f"  does not hold: {', '.join(sliding['never']) or 'none'}"]
    if sliding["fixed_deadline"]:
        lines.append(f"  fixed deadline by design (set_expiry(datetime|timedelta)): "
                     f"{', '.join(sliding['fixed_deadline'])}")
    if sliding["mixed"]:
        lines.append(f"  differs between browsers: {', '.join(sliding['mixed'])}")
    if sliding["reads_writes_unchecked"]:
        lines.append(f"  holds for reads (writes not checked): {', '.join(sliding['reads_writes_unchecked'])}")
    if sliding["not_on_reads_writes_unchecked"]:
        lines.append(f"  does not hold for reads (writes not checked): "
                     f"{', '.join(sliding['not_on_reads_writes_unchecked'])}")
    if unjudged:
        lines.append(f"  not judged (REN-02 and REN-04 skipped): {', '.join(unjudged)}")
    if sliding["partly_checked"]:
        lines.append(f"  not judged (REN-02 or REN-04 did not run): {', '.join(sliding['partly_checked'])}")
    return lines


FAMILY = Family("renewal", "Whether activity moves the session's deadline: reads only with "
                "SESSION_SAVE_EVERY_REQUEST, writes unless the expiry is a fixed date; an idle session ends.",
                summarize=sliding_summary, lines=sliding_lines)


# --- checks ------------------------------------------------------------------------------------


def _renewable(p):
    if p.browser_length:
        return "browser-length cookie: the browser never expires it (server side: SRV-03)"
    if not p.waitable:
        return f"Max-Age {p.max_age} s is too long to wait out"
    return None


def _persistent(p):
    """REN-01 judges one read, made right after the start when the age is too long to wait out
    (renewal_read): only a browser-length cookie is left out, as for the other renewal checks."""
    return _renewable(p) if p.browser_length else None


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
    facts = {"renewed_in_browser": in_browser, "renewed_on_server": on_server}
    if run.promise.fixed_deadline:
        # For the summary: not renewing is this profile's design. Only where true, so that reports
        # kept as baselines see no new observation on every other profile.
        facts["fixed_deadline"] = True
    return judge(ok, f"after the original deadline, following {what}: {want} in browser and on server",
                 seen, run.evidence("start", "activity", "after-original", "replay-after-original"),
                 caveat=caveat, facts=facts)


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
    facts = {"resent": sc is not None}
    if not expected:
        return judge(sc is None, f"no Set-Cookie on {what}", sc.raw if sc else "no Set-Cookie",
                     run.evidence("start", "activity"), facts=facts)
    if sc is None:
        return judge(False, f"a Set-Cookie on {what}", "no Set-Cookie", run.evidence("start", "activity"),
                     facts=facts)
    start = run.step("start")
    if p.fixed_deadline:
        remaining = (timing.handled_at(run.obs, start) + start.session_set_cookie(run.cookie).max_age
                     - timing.handled_at(run.obs, activity))
        low, high = remaining - timing.FIXED_DATE_MAX_AGE_BELOW_S, remaining + timing.FIXED_DATE_MAX_AGE_ABOVE_S
        ok = sc.max_age is not None and low <= sc.max_age <= high
        return judge(ok, f"Max-Age in [{low:.1f}, {high:.1f}] s (the fixed date does not move)",
                     f"Max-Age={sc.max_age}", run.evidence("start", "activity"),
                     facts={**facts, "max_age": "time left to the date" if ok else sc.max_age})
    return judge(sc.max_age == p.max_age, f"Max-Age={p.max_age} counted again from the {what}",
                 f"Max-Age={sc.max_age}", run.evidence("start", "activity"), facts={**facts, "max_age": sc.max_age})


# No UNINTERRUPTED: where the timeline could be cut short, renewal_read reads right after the start.
@check("REN-01", family=FAMILY, scenario=renewal_read, doc=SESSIONS + "#when-sessions-are-saved",
       applies=_persistent)
def test_read_resends_cookie_only_when_saving_every_request(run: Run):
    """A read-only request re-sends the session cookie only when SESSION_SAVE_EVERY_REQUEST is True.

    "Note that the session cookie is only sent when a session has been created or modified. If
    SESSION_SAVE_EVERY_REQUEST is True, the session cookie will be sent on every request."
    """
    return _resent(run, run.promise.resends_on_read, "read")


@check("REN-02", family=FAMILY, scenario=renewal_read, needs=(UNINTERRUPTED,), doc=READ_QUOTE_DOC,
       applies=_renewable)
def test_read_renews_only_when_saving_every_request(run: Run):
    """Reading the session extends it past its original deadline only when
    SESSION_SAVE_EVERY_REQUEST is True (and the expiry is not a fixed date).

    "Reading a session is not considered activity for expiration purposes. Session expiration is
    computed from the last time the session was modified."
    """
    return _outlives(run, run.promise.renews_on_read, "a read")


@check("REN-03", family=FAMILY, scenario=renewal_write, needs=(WRITE,),
       doc=SESSIONS + "#when-sessions-are-saved", applies=_renewable)
def test_write_resends_cookie_with_fresh_expiry(run: Run):
    """Modifying the session re-sends the cookie, its Max-Age counted again from now (or the time
    left to a fixed date).

    "the expires part of a session cookie is updated each time the session cookie is sent."
    """
    return _resent(run, True, "write")


@check("REN-04", family=FAMILY, scenario=renewal_write, needs=(WRITE,), doc=READ_QUOTE_DOC, applies=_renewable)
def test_write_renews_relative_expiry(run: Run):
    """Modifying the session extends it past its original deadline, unless the expiry is a fixed
    date (set_expiry(datetime | timedelta)).

    "Session expiration is computed from the last time the session was modified." For a datetime or
    timedelta: "the session will expire at that specific date/time."
    """
    return _outlives(run, run.promise.renews_on_write, "a write")


@check("REN-05", family=FAMILY, scenario=renewal_read, needs=(UNINTERRUPTED,),
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
                 run.evidence("start", "activity", "after-idle", "replay-after-idle"), caveat=caveat,
                 facts={"ended_in_browser": browser.sent_session_cookie is None,
                        "ended_on_server": not replay.accepted})
