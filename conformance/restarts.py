"""Browser restarts, one run per browser for every profile that needs it: sessions for the
whole group in one browser, then a restart, then a read from each. Cookies are per host, so a
group never holds two profiles of one host (campaign.restart_batches).
"""

from __future__ import annotations

import tempfile
import time

from playwright.async_api import Error as PlaywrightError

from .scenarios import NoSessionCookie, ScenarioInvalid, Stage
from .visitor import ProbeCallFailed, Visitor, visitor_for


async def _each(stages: list[Stage], step) -> None:
    """Run one step for every stage of a group; a stage that fails drops out with its error
    recorded (stage.failure), the others go on."""
    for stage in stages:
        if stage.failure is None:
            try:
                await step(stage)
            except NoSessionCookie:
                stage.failure = NoSessionCookie()
            except (ScenarioInvalid, ProbeCallFailed, PlaywrightError) as exc:
                stage.failure = exc  # one target's trouble must not stop the others


async def _start_and_read(stage: Stage, v: Visitor) -> None:
    start = await v.call("start", "start", stage.target.start_params())
    if start.session_set_cookie(stage.cookie) is None:
        raise NoSessionCookie()
    await v.call("before-restart", "read")


CONTROL_COOKIE = "conformance_restart_control"


async def _plant_control(context, stage: Stage) -> None:
    """A persistent cookie (one hour) that every restart must keep: without it, a restart that
    lost the whole cookie store would pass the browser-length checks for the wrong reason."""
    await context.add_cookies([{"name": CONTROL_COOKIE, "value": "1", "url": stage.target.base_url,
                                "expires": time.time() + 3600}])


async def _require_control(context, stages: list[Stage]) -> None:
    if not any(c["name"] == CONTROL_COOKIE for c in await context.cookies()):
        for stage in stages:
            stage.failure = stage.failure or ProbeCallFailed(
                "the restart kept no persistent cookie at all (the control cookie is gone): cannot judge")


async def restart_context(stages: list[Stage]) -> None:
    """Sessions for every profile of the group in one context (each target has its own host, so
    their cookies do not mix), then a new context that keeps only what a browser keeps across a
    restart (persistent cookies), and a read from each."""
    browser, args = stages[0].browser, stages[0].context_args
    context = await browser.new_context(**args)
    try:
        page = await context.new_page()
        await _each(stages, lambda st: _start_and_read(st, visitor_for(st.target, st.obs, context, page)))
        await _plant_control(context, stages[0])
        state = await visitor_for(stages[0].target, stages[0].obs, context, page).restart_state()
    finally:
        await context.close()
    again = await browser.new_context(storage_state=state, **args)
    try:
        page = await again.new_page()
        await _require_control(again, stages)
        await _each(stages, lambda st: visitor_for(st.target, st.obs, again, page).call("after-restart", "read"))
    finally:
        await again.close()


async def restart_profile(stages: list[Stage]) -> None:
    """A real browser restart: sessions for every profile of the group in one persistent profile
    folder, close the browser, relaunch it on the same folder, read from each. One relaunch for
    the whole group: a Firefox start costs seconds of CPU."""
    first = stages[0]
    with tempfile.TemporaryDirectory(prefix="conformance-profile-") as folder:
        async def launch():
            context = await first.browser_type.launch_persistent_context(
                folder, **first.launch_args, **first.context_args)
            return context, (context.pages[0] if context.pages else await context.new_page())

        context, page = await launch()
        try:
            await _each(stages, lambda st: _start_and_read(st, visitor_for(st.target, st.obs, context, page)))
            await _plant_control(context, stages[0])
        finally:
            await context.close()
        context, page = await launch()
        try:
            await _require_control(context, stages)
            await _each(stages, lambda st: visitor_for(st.target, st.obs, context, page).call("after-restart", "read"))
        finally:
            await context.close()


# One run per browser covers every profile that needs it (a list of stages).
GROUP_SCENARIOS = {
    "restart-context": restart_context,
    "restart-profile": restart_profile,
}
