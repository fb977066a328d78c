"""browser-close: a browser-length session cookie is gone after the browser restarts; a persistent
one survives. Three kinds of restart: a new context carrying only what a browser keeps, a real
close and relaunch of a persistent profile folder, and the same relaunch of a browser set to
restore the previous session (Chrome's "Continue where you left off", Firefox's "Open previous
windows and tabs"), which brings browser-length cookies back, as Django's docs warn: then only the
server's end of the session, SESSION_COOKIE_AGE after its last save, ends it.

The restarts are grouped scenarios: one run per browser for every profile that needs it (sessions
for the whole group in one browser, then a restart, then a read from each). Cookies are per host,
so a group never holds two profiles of one host (observe/campaign.restart_batches).
"""

import asyncio
import json
import os
import tempfile
import time
from collections import defaultdict

from playwright.async_api import Error as PlaywrightError

from conformance.drivers import Driver, DriverError, open_driver
from conformance.judge.caveats import SESSION_RESTORE
from conformance.judge.check import SESSIONS, Family, Run, check
from conformance.judge.verdict import Verdict, judge
from conformance.observe import timing
from conformance.observe.scenario import scenario
from conformance.observe.stage import NoSessionCookie, ScenarioInvalid, Stage
from conformance.observe.watchdog import Stuck, bounded
from conformance.targets.capabilities import RELAUNCH

DOC = SESSIONS + "#browser-length-vs-persistent-sessions"
# A persistent cookie must outlive the restart itself (a Firefox relaunch takes seconds).
MIN_PERSISTENT_AGE_S = 30
# A restored session must outlive a relaunch to be seen honoured after it (a relaunch took 4 s in
# Chromium and 8 s in Firefox, measured; more on a busy machine).
MIN_RESTORED_AGE_S = 15
# Pages side by side in a restart group: no deadlines to keep, so only CPU bounds it.
PAGES = 4


# --- scenarios ---------------------------------------------------------------------------------

async def _each(stages: list[Stage], context, step, reuse_first: bool = True) -> None:
    """Run one step for every stage of a group, a few side by side, each with a page of its own in
    `context` (its target has its own host, so their cookies do not mix): step(stage, driver). A
    stage that fails drops out with its error recorded (stage.failure), the others go on. A
    relaunched profile opens with a blank page, reused; a restored one with the previous tabs,
    which a driver must not take for pages it opened (`reuse_first=False`)."""
    pages: asyncio.Queue = asyncio.Queue()
    for i in range(min(PAGES, stages[0].in_flight or PAGES, len(stages))):
        pages.put_nowait(context.pages[0] if i == 0 and reuse_first and context.pages else await context.new_page())

    async def one(stage: Stage) -> None:
        if stage.failure is not None:
            return
        page = await pages.get()
        try:
            await bounded(step(stage, open_driver(stage.target, stage.obs, context, page)), what=stage.target.profile)
        except NoSessionCookie:
            stage.failure = NoSessionCookie()
        except (ScenarioInvalid, DriverError, PlaywrightError, Stuck) as exc:
            stage.failure = exc  # one target's trouble must not stop the others
        finally:
            pages.put_nowait(page)

    await asyncio.gather(*(one(stage) for stage in stages))


async def _read_restored(stage: Stage, v: Driver) -> None:
    """The first read after a restoring relaunch. Where CLOSE-04 judges the restored session on the
    server, a refusal says something only while the session must still be alive: a relaunch that
    took longer than its age (a busy machine) is observed again, not judged."""
    after = await v.read("after-restore")
    if after.sent_session_cookie is not None and _restored_server(stage.promise) is None:  # CLOSE-04 judges it
        early = timing.whole_second_early(stage.promise.whole_second_store)
        stage.require_before(after, stage.server_alive_until(stage.obs.step("start")) - early,
                             "the read after the relaunch")


async def _start_and_read(stage: Stage, v: Driver) -> None:
    start = await v.start("start")
    if start.session_set_cookie(stage.cookie) is None:
        raise NoSessionCookie()
    await v.read("before-restart")


CONTROL_COOKIE = "conformance_restart_control"


async def _plant_control(context, stage: Stage) -> None:
    """A persistent cookie (one hour) that every restart must keep: without it, a restart that
    lost the whole cookie store would pass the browser-length checks for the wrong reason."""
    await context.add_cookies([{"name": CONTROL_COOKIE, "value": "1", "url": stage.target.base_url,
                                "expires": time.time() + 3600}])


async def _require_control(context, stages: list[Stage]) -> None:
    if not any(c["name"] == CONTROL_COOKIE for c in await context.cookies()):
        for stage in stages:
            stage.failure = stage.failure or DriverError(
                "the restart kept no persistent cookie at all (the control cookie is gone): cannot judge")


async def _launch_on(stage: Stage, folder: str, args: dict):
    """The browser launched on this profile folder, within STAGE_TIMEOUT_S: a launch that never
    returns (seen once, a Chromium relaunch with session restore on a busy machine, held for
    Playwright's 180 s) is the machine's, and the group is observed again, not an error."""
    return await bounded(stage.browser_type.launch_persistent_context(folder, **args, **stage.context_args),
                         what=f"{stage.browser_type.name}'s launch on its profile folder")


@scenario("restart-context", grouped=True)
async def restart_context(stages: list[Stage]) -> None:
    """Sessions for every profile of the group in one context (each target has its own host, so
    their cookies do not mix), then a new context that keeps only what a browser keeps across a
    restart (persistent cookies), and a read from each."""
    browser, args = stages[0].browser, stages[0].context_args
    context = await browser.new_context(**args)
    try:
        await _each(stages, context, _start_and_read)
        await _plant_control(context, stages[0])
        state = await open_driver(stages[0].target, stages[0].obs, context).kept_across_restart()
    finally:
        await context.close()
    again = await browser.new_context(storage_state=state, **args)
    try:
        await _require_control(again, stages)
        await _each(stages, again, lambda st, v: v.read("after-restart"))
    finally:
        await again.close()


@scenario("restart-profile", grouped=True)
async def restart_profile(stages: list[Stage]) -> None:
    """A real browser restart: sessions for every profile of the group in one persistent profile
    folder, close the browser, relaunch it on the same folder, read from each. One relaunch for
    the whole group: a Firefox start costs seconds of CPU."""
    first = stages[0]
    with tempfile.TemporaryDirectory(prefix="conformance-profile-") as folder:
        async def launch():
            return await _launch_on(first, folder, first.launch_args)

        context = await launch()
        try:
            await _each(stages, context, _start_and_read)
            await _plant_control(context, stages[0])
        finally:
            await context.close()
        context = await launch()
        try:
            await _require_control(context, stages)
            await _each(stages, context, lambda st, v: v.read("after-restart"))
        finally:
            await context.close()


RESTORE_CONTROL = "conformance_restore_control"
UNRESTORED = "restore_unavailable"  # an observation's note: why the restoring relaunch could not be judged


def _restoring(stage: Stage):
    """How to launch this engine set to restore the previous session: (launch arguments, what to
    write into the profile before the relaunch). Whether it really restores, the control cookie
    says (the headless shell and Playwright's own Firefox build never do)."""
    if stage.browser_type.name == "chromium":
        # The full browser (the headless shell has no session restore), as for the back/forward cache.
        return stage.bfcache_launch_args or stage.launch_args, _chromium_continue_where_left_off
    if stage.browser_type.name == "firefox":
        prefs = {**stage.launch_args.get("firefox_user_prefs", {}), "browser.startup.page": 3}
        return {**stage.launch_args, "firefox_user_prefs": prefs}, lambda folder: None
    return None


def _chromium_continue_where_left_off(folder: str) -> None:
    """The profile's "On startup: Continue where you left off" (session.restore_on_startup = 1)."""
    path = os.path.join(folder, "Default", "Preferences")
    try:
        with open(path) as f:
            prefs = json.load(f)
    except (OSError, ValueError):
        prefs = {}
    prefs.setdefault("session", {})["restore_on_startup"] = 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(prefs, f)


@scenario("restart-restore", grouped=True, idle=True)
async def restart_restore(stages: list[Stage]) -> None:
    """A real relaunch of a browser set to restore the previous session: sessions for the group in
    one persistent profile, close, relaunch, read from each; then, for those the browser brought
    back, read again once the server's SESSION_COOKIE_AGE after the last save is over."""
    first = stages[0]
    how = _restoring(first)
    if how is None:
        for stage in stages:
            stage.obs.notes[UNRESTORED] = f"{first.browser_type.name} has no session restore the suite can turn on"
        return
    args, prepare = how
    with tempfile.TemporaryDirectory(prefix="conformance-restore-") as folder:
        async def launch():
            return await _launch_on(first, folder, args)

        context = await launch()
        try:
            await _each(stages, context, _start_and_read)
            await _plant_control(context, first)
            await context.add_cookies([{"name": RESTORE_CONTROL, "value": "1", "url": first.target.base_url}])
        finally:
            await context.close()
        prepare(folder)
        context = await launch()
        try:
            await _require_control(context, stages)
            if not any(c["name"] == RESTORE_CONTROL for c in await context.cookies()):
                for stage in stages:
                    stage.obs.notes[UNRESTORED] = (
                        f"this {first.browser_type.name} did not bring back a session cookie of the suite's own after "
                        "relaunching with session restore on: it does not restore sessions (Chromium's headless "
                        "shell, Playwright's own Firefox build); the full Chromium and the system Firefox do")
                return
            await _each(stages, context, _read_restored, reuse_first=False)
            # What ends a session the browser brought back: the server, its age after the last save.
            back = [st for st in stages if st.failure is None and st.promise.server_waitable
                    and (st.obs.step("after-restore") or _NOT_SENT).sent_session_cookie is not None]
            if back:
                await timing.until(max(st.server_deadline(st.obs.step("start")) for st in back), first.obs,
                                   "server deadline after restore")
                await _each(back, context, lambda st, v: v.read("after-restore-expiry"), reuse_first=False)
        finally:
            await context.close()


class _NotSent:
    sent_session_cookie = None


_NOT_SENT = _NotSent()


# --- the family --------------------------------------------------------------------------------

def _judged(results) -> list:
    return [r for r in results if r.verdict not in ("skip", "error")]


def close_summary(results) -> dict:
    """Per profile, when 'the session ends when the browser closes' held, as observed: in a browser
    that forgets session cookies (CLOSE-01/02), under session restore (CLOSE-03) and what ended it
    then (CLOSE-04); never for a persistent cookie. Errors and skips are 'not judged', never a
    verdict either way."""
    by: dict = defaultdict(lambda: defaultdict(list))
    for r in results:
        if r.family == "browser-close":
            by[r.profile][r.id].append(r)
    out = {"holds_when_forgotten": [], "not_closed": [], "persistent": [], "restored": {}, "not_restored": [],
           "restore_not_judged": []}
    for profile, checks in sorted(by.items()):
        if any(r.facts.get("persistent") for rs in checks.values() for r in rs):
            out["persistent"].append(profile)
            continue
        forgotten = _judged(checks["CLOSE-01"] + checks["CLOSE-02"])
        if forgotten:
            out["holds_when_forgotten" if all(r.verdict == "pass" for r in forgotten) else "not_closed"].append(profile)
        restore = _judged(checks["CLOSE-03"])
        back = sorted({r.browser for r in restore if r.facts.get("restored")})
        if back:
            ends, age = _judged(checks["CLOSE-04"]), next(r.facts.get("server_age") for r in restore)
            out["restored"][profile] = {
                "browsers": back, "server_age_s": age,
                "server": ("ended it" if all(r.verdict == "pass" for r in ends) else "did not end it") if ends
                else "not judged"}
        elif restore:
            out["not_restored"].append(profile)
        elif checks["CLOSE-03"]:
            out["restore_not_judged"].append(profile)
    return {"ends_when_the_browser_closes": out}


def close_lines(summary: dict, results) -> list[str]:
    s = summary["ends_when_the_browser_closes"]
    if not any(v for k, v in s.items() if k != "restore_not_judged"):
        return []  # nothing judged: nothing to say
    lines = ["'The session ends when the browser closes' (observed):",
             f"  holds in a browser that forgets session cookies: {', '.join(s['holds_when_forgotten']) or 'none'}"]
    if s["not_closed"]:
        lines.append(f"  does not hold even in a browser that forgets them: {', '.join(s['not_closed'])}")
    for profile, r in s["restored"].items():
        age = r["server_age_s"]
        server = {"ended it": f"only the server ended it, SESSION_COOKIE_AGE ({age} s) after the last save",
                  "did not end it": f"nor did the server end it SESSION_COOKIE_AGE ({age} s) after the last save",
                  "not judged": f"then only the server ends it, SESSION_COOKIE_AGE ({age} s) after the last save "
                                "(not judged: CLOSE-04 says why)"}[r["server"]]
        lines.append(f"  does not hold under session restore: {profile} (brought back by "
                     f"{', '.join(r['browsers'])}; {server})")
    if s["not_restored"]:
        lines.append(f"  holds under session restore too (not brought back): {', '.join(s['not_restored'])}")
    if s["restore_not_judged"]:
        lines.append(f"  under session restore: not judged for {', '.join(s['restore_not_judged'])} (CLOSE-03 says why)")
    lines.append(f"  never, for a persistent cookie: {', '.join(s['persistent']) or 'none'}")
    return lines


FAMILY = Family("browser-close", "Browser-length session cookies are gone after the browser restarts (a new context, "
                "and a real relaunch of the profile), unless the browser restores the previous session: then the "
                "server still ends the session at its age; persistent cookies survive.",
                summarize=close_summary, lines=close_lines)


# --- checks ------------------------------------------------------------------------------------

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
    facts = {"sent_after_restart": after.sent_session_cookie is not None, "accepted_after_restart": after.accepted,
             **({} if run.promise.browser_length else {"persistent": True})}
    if run.promise.browser_length:
        return judge(after.sent_session_cookie is None, f"no {run.cookie} sent after the {how}",
                     f"Cookie: {after.cookie_header or '(none)'}", evidence, facts=facts)
    return judge(after.sent_session_cookie is not None and after.accepted,
                 f"{run.cookie} still sent and accepted after the {how}",
                 f"Cookie: {after.cookie_header or '(none)'}; "
                 f"server {'accepted' if after.accepted else 'refused'}", evidence, facts=facts)


@check("CLOSE-01", family=FAMILY, scenario=restart_context, doc=DOC, applies=_restartable)
def test_context_restart(run: Run):
    """A browser-length session cookie does not survive a restart that keeps only what a browser
    keeps (persistent cookies); a persistent session cookie does.

    "If SESSION_EXPIRE_AT_BROWSER_CLOSE is set to True, Django will use browser-length cookies --
    cookies that expire as soon as the user closes their browser."
    """
    return _after_restart(run, "context restart")


@check("CLOSE-02", family=FAMILY, scenario=restart_profile, needs=(RELAUNCH,), doc=DOC, applies=_restartable)
def test_profile_relaunch(run: Run):
    """A browser-length session cookie is gone after a real close and relaunch of the browser
    profile; a persistent session cookie is still there.

    "By default, SESSION_EXPIRE_AT_BROWSER_CLOSE is set to False, which means session cookies will
    be stored in users' browsers for as long as SESSION_COOKIE_AGE."
    """
    return _after_restart(run, "browser relaunch")


@check("CLOSE-03", family=FAMILY, scenario=restart_restore, needs=(RELAUNCH,), doc=DOC, applies=_restartable)
def test_session_restore(run: Run):
    """A browser set to restore the previous session (continue where the user left off) keeps a
    persistent session cookie across a real relaunch, and may bring a browser-length one back too:
    a limitation Django documents, reported as a caveat.

    "Some browsers (Chrome, for example) provide settings that allow users to continue browsing
    sessions after closing and reopening the browser. In some cases, this can interfere with the
    SESSION_EXPIRE_AT_BROWSER_CLOSE setting and prevent sessions from expiring on browser close."
    """
    if run.obs.notes.get(UNRESTORED):
        return Verdict.skip(run.obs.notes[UNRESTORED])
    before, after = run.step("before-restart"), run.step("after-restore")
    if before is None:
        return run.missing("the read before the relaunch")
    if before.sent_session_cookie is None:
        return Verdict.error("the browser did not send the session cookie before the relaunch",
                             run.evidence("start", "before-restart"))
    if after is None:
        return run.missing("the relaunch with session restore")
    sent = after.sent_session_cookie is not None
    evidence = run.evidence("start", "before-restart", "after-restore")
    p = run.promise
    facts = {"restored": sent, "server_age": p.server_age, **({} if p.browser_length else {"persistent": True})}
    seen = f"Cookie: {after.cookie_header or '(none)'}; server {'accepted' if after.accepted else 'refused'}"
    if p.browser_length:
        return judge(not sent, f"no {run.cookie} sent after a relaunch that restores the previous session",
                     seen + ("; the restored session lives until the server ends it, SESSION_COOKIE_AGE "
                             f"({p.server_age} s) after its last save (CLOSE-04)" if sent else ""),
                     evidence, caveat=SESSION_RESTORE, facts=facts)
    return judge(sent and after.accepted, f"{run.cookie} still sent and accepted after a relaunch that restores "
                 "the previous session", seen, evidence, facts=facts)


def _restored_server(p):
    if not p.browser_length:
        return "persistent cookie: its end on the server is SRV-01's"
    if not p.server_waitable:
        return (f"a restored session lives until SESSION_COOKIE_AGE ({p.server_age} s) after its last save: too "
                "long to wait out")
    if p.server_age < MIN_RESTORED_AGE_S:
        return (f"a {p.server_age} s session has ended before a relaunch is done, so it cannot be seen honoured "
                f"after it; judged on ages of {MIN_RESTORED_AGE_S} s or more (browser-close-20s)")
    return None


@check("CLOSE-04", family=FAMILY, scenario=restart_restore, needs=(RELAUNCH,), applies=_restored_server,
       doc=SESSIONS + "#django.contrib.sessions.backends.base.SessionBase.get_expiry_age")
def test_a_restored_session_still_ends_on_the_server(run: Run):
    """A browser-length session that a restoring browser brought back is still honoured until, and
    refused after, SESSION_COOKIE_AGE since its last save: the server's end is the only end it has.

    get_expiry_age(): "For sessions with no custom expiration (or those set to expire at browser
    close), this will equal SESSION_COOKIE_AGE."
    """
    if run.obs.notes.get(UNRESTORED):
        return Verdict.skip(run.obs.notes[UNRESTORED])
    after, expired = run.step("after-restore"), run.step("after-restore-expiry")
    if after is None:
        return run.missing("the relaunch with session restore")
    if after.sent_session_cookie is None:
        return Verdict.skip("the browser did not bring the session cookie back (CLOSE-03): nothing for the server "
                            "to end")
    if expired is None:
        return run.missing("the server's deadline after the relaunch")
    if expired.sent_session_cookie is None:
        return Verdict.error("the browser no longer sent the restored cookie after its age: the server's refusal "
                             "could not be seen", run.evidence("start", "after-restore", "after-restore-expiry"))
    start = run.step("start")
    age = run.promise.server_age
    since = timing.handled_at(run.obs, after) - timing.handled_at(run.obs, start)
    early = not after.accepted and timing.handled_at(run.obs, after) < timing.honoured_until(run.obs, start, age) \
        - timing.whole_second_early(run.promise.whole_second_store) - timing.BEFORE_DEADLINE_GUARD_S
    observed = (f"right after the relaunch (+{since:.1f} s): {'accepted' if after.accepted else 'refused'}; "
                f"after its age: {'accepted' if expired.accepted else 'refused'} (Cookie sent: "
                f"{'yes' if expired.sent_session_cookie else 'no'})")
    return judge(not expired.accepted and not early, f"honoured while younger than {age} s, refused after",
                 observed, run.evidence("start", "after-restore", "after-restore-expiry"),
                 facts={"accepted_after_age": expired.accepted, "refused_early": early})
