"""browser-close: a browser-length session cookie is gone after the browser restarts; a persistent
one survives. Two kinds of restart: a new context carrying only what a browser keeps, and a real
close and relaunch of a persistent profile folder.

The restarts are grouped scenarios: one run per browser for every profile that needs it (sessions
for the whole group in one browser, then a restart, then a read from each). Cookies are per host,
so a group never holds two profiles of one host (observe/campaign.restart_batches).
"""

import asyncio
import tempfile
import time

from playwright.async_api import Error as PlaywrightError

from conformance.drivers import Driver, DriverError, open_driver
from conformance.judge.check import SESSIONS, Family, Run, check
from conformance.judge.verdict import Verdict, judge
from conformance.observe.scenario import scenario
from conformance.observe.stage import NoSessionCookie, ScenarioInvalid, Stage
from conformance.observe.watchdog import Stuck, bounded
from conformance.targets.capabilities import RELAUNCH

FAMILY = Family("browser-close", "Browser-length session cookies are gone after the browser restarts (a new context, "
                "and a real relaunch of the profile); persistent ones survive.")
DOC = SESSIONS + "#browser-length-vs-persistent-sessions"
# A persistent cookie must outlive the restart itself (a Firefox relaunch takes seconds).
MIN_PERSISTENT_AGE_S = 30
# Pages side by side in a restart group: no deadlines to keep, so only CPU bounds it.
PAGES = 4


# --- scenarios ---------------------------------------------------------------------------------

async def _each(stages: list[Stage], context, step) -> None:
    """Run one step for every stage of a group, a few side by side, each with a page of its own in
    `context` (its target has its own host, so their cookies do not mix): step(stage, driver). A
    stage that fails drops out with its error recorded (stage.failure), the others go on."""
    pages: asyncio.Queue = asyncio.Queue()
    for i in range(min(PAGES, stages[0].in_flight or PAGES, len(stages))):  # a relaunched profile opens with a page
        pages.put_nowait(context.pages[0] if i == 0 and context.pages else await context.new_page())

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
            return await first.browser_type.launch_persistent_context(folder, **first.launch_args,
                                                                      **first.context_args)

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
    facts = {"sent_after_restart": after.sent_session_cookie is not None, "accepted_after_restart": after.accepted}
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
