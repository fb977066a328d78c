"""Run every needed scenario at once: one asyncio loop, each browser launched once, pooled
contexts recycled between scenarios, and one grouped run per browser for the restarts. The timed
scenarios (deadlines to meet) run together first; the restarts (CPU-heavy, no deadline) after.

Results are values (an Observation and maybe an error string), never exceptions, so one broken
profile errors only its own checks.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from .browsers import BrowserSpec
from .observe import Observation
from .pool import ContextPool
from .restarts import GROUP_SCENARIOS
from .scenarios import SCENARIOS, NoSessionCookie, ScenarioInvalid, Stage
from .visitor import ProbeCallFailed

SCENARIO_TIMEOUT_S = 120.0
# Scenarios in flight per browser. Each costs ~0.3 s of CPU over ~5 s of mostly waiting
# (measured), but every slot is a page opened up front (0.35 s Chromium, 0.7 s Firefox).
MAIN_SLOTS = 12
# Re-observing scenarios the machine was too busy for: a few at a time per browser, then (for
# any still too busy) one at a time. At most two more observations per scenario.
QUIET_SLOTS = (3, 1)
# Replays need no page (see Visitor.replay_request): cheap contexts, cleared before each use.
REPLAY_SLOTS = 4

Key = tuple[str, str, str]  # (scenario, profile, browser)


@dataclass
class Outcome:
    observation: Observation | None = None
    error: str | None = None
    too_busy: bool = False  # ScenarioInvalid: the observation could not be made in time
    # When re-observed: the first observation, cut where the machine was too busy. What it holds
    # was observed in time and is judged first; the re-observation only fills in what is missing.
    first: Observation | None = None


def _describe(scenario: str, exc: BaseException) -> str:
    if isinstance(exc, (ScenarioInvalid, ProbeCallFailed)):
        return f"{scenario}: {exc}"
    if isinstance(exc, asyncio.TimeoutError):
        return f"{scenario}: did not finish within {SCENARIO_TIMEOUT_S:.0f} s"
    if isinstance(exc, PlaywrightError):
        return f"{scenario}: browser error: {str(exc).splitlines()[0]}"
    return f"{scenario}: internal error: {exc!r} (please report this)"


async def _guarded(scenario: str, coro) -> tuple[str | None, bool]:
    """Run a scenario; its failure becomes a message (and whether it was only too busy). A bug
    in one scenario must not take the others down with it, so everything is caught here, and
    reported."""
    try:
        await asyncio.wait_for(coro, SCENARIO_TIMEOUT_S)
    except NoSessionCookie:
        return None, False  # the checks report the missing cookie from the start exchange
    except Exception as exc:
        return _describe(scenario, exc), isinstance(exc, ScenarioInvalid)
    return None, False


def _stage(key: Key, targets: dict, handle, pools, context_args: dict, remote: bool = False) -> Stage:
    scenario, profile, browser_name = key
    target = targets[profile]
    browser_type, args, browser = handle
    obs = Observation(scenario, profile, browser_name, target.settings, target.expiry, started_at=time.time(),
                      known_clock_offset=0.0 if target.same_clock else None,
                      browser_clock_shared=not remote)
    return Stage(browser, browser_type, args, target, obs, *pools, context_args=context_args)


async def _one(key: Key, stage: Stage, gate: asyncio.Semaphore | None = None) -> Outcome:
    if gate is None:
        error, busy = await _guarded(key[0], SCENARIOS[key[0]](stage))
    else:
        async with gate:
            error, busy = await _guarded(key[0], SCENARIOS[key[0]](stage))
    stage.obs.finished_at = time.time()
    return Outcome(stage.obs, error, busy)


async def _group(scenario: str, stages: list[Stage]) -> list[Outcome]:
    error, _ = await _guarded(scenario, GROUP_SCENARIOS[scenario](stages))
    outcomes = []
    for stage in stages:
        stage.obs.finished_at = time.time()
        own = None if stage.failure is None or isinstance(stage.failure, NoSessionCookie) \
            else _describe(scenario, stage.failure)
        outcomes.append(Outcome(stage.obs, own or error))
    return outcomes


async def launch(pw, spec: BrowserSpec, base_args: dict, connect: dict | None):
    browser_type = getattr(pw, spec.name)
    args = {**base_args, **spec.launch_args}
    if connect:
        # The browser server launches the browser with these options (how pytest-playwright's
        # launch_browser passes them), so a remote system browser gets its executable and args.
        headers = {"x-playwright-launch-options": json.dumps(remote_launch_options(args)),
                   **(connect.get("headers") or {})}
        return browser_type, args, await browser_type.connect(**{**connect, "headers": headers})
    return browser_type, args, await browser_type.launch(**args)


def remote_launch_options(args: dict) -> dict:
    """Launch keyword arguments as the browser server reads them (Playwright's camelCase)."""
    def camel(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(part.title() for part in rest)
    return {camel(k): v for k, v in args.items() if v is not None}


def restart_batches(keys: list[Key], targets: dict) -> list[list[Key]]:
    """Split a restart group so no batch holds two profiles on one host: one browser holds the
    group's sessions together, and cookies are per host (a deployment's profiles share one)."""
    batches: list[list[Key]] = []
    for key in keys:
        host = targets[key[1]].host
        batch = next((b for b in batches if all(targets[k[1]].host != host for k in b)), None)
        if batch is None:
            batches.append(batch := [])
        batch.append(key)
    return batches


async def _run(needed: set[Key], targets: dict, specs: dict[str, BrowserSpec], base_args: dict,
               connect: dict | None, phases: dict, context_args: dict) -> dict[Key, Outcome]:
    results: dict[Key, Outcome] = {}
    mark = time.time()

    def lap(name: str) -> None:
        nonlocal mark
        phases[name] = round(time.time() - mark, 2)
        mark = time.time()

    runnable = []
    for key in sorted(needed):
        target = targets[key[1]]
        if isinstance(target, Exception):
            results[key] = Outcome(error=f"target {key[1]}: {target}")
        else:
            runnable.append(key)
    async with async_playwright() as pw:
        names = sorted({k[2] for k in runnable})
        launched = await asyncio.gather(*(launch(pw, specs[n], base_args, connect) for n in names),
                                        return_exceptions=True)
        browsers = dict(zip(names, launched))
        for key in [k for k in runnable if isinstance(browsers[k[2]], BaseException)]:
            results[key] = Outcome(error=f"{key[2]} did not launch: {str(browsers[key[2]]).splitlines()[0]}")
            runnable.remove(key)
        lap("browsers_launch_s")
        ready = sorted({k[2] for k in runnable})
        single = [k for k in runnable if k[0] in SCENARIOS]
        sizes = [min(MAIN_SLOTS, sum(1 for k in single if k[2] == n)) for n in ready]
        mains = await asyncio.gather(*(ContextPool(browsers[n][2], size, context_args=context_args).warm()
                                       for n, size in zip(ready, sizes)))
        replays = await asyncio.gather(*(ContextPool(browsers[n][2], REPLAY_SLOTS, pages=False,
                                                     context_args=context_args).warm()
                                         for n in ready))
        pools = {n: (m, r) for n, m, r in zip(ready, mains, replays)}
        lap("contexts_open_s")

        def stage(key: Key, own_pools) -> Stage:
            return _stage(key, targets, browsers[key[2]], own_pools, context_args, remote=bool(connect))

        done = await asyncio.gather(*(_one(k, stage(k, pools[k[2]])) for k in single))
        results.update(zip(single, done))
        lap("timed_scenarios_s")

        # A scenario that could not act before a deadline produced no verdict, only the fact that
        # the machine was too busy. Observe it again (at most twice), fewer at a time, so verdicts do not
        # depend on load. Never done for a verdict: a fail observed in time stands.
        busy = [k for k in single if results[k].too_busy]
        reobserved = set()
        for slots in QUIET_SLOTS:
            busy = [k for k in busy if results[k].too_busy]
            if not busy:
                break
            gates = {n: asyncio.Semaphore(slots) for n in ready}
            again = await asyncio.gather(*(_one(k, stage(k, pools[k[2]]), gates[k[2]])
                                           for k in busy))
            for key, outcome in zip(busy, again):
                outcome.observation.notes["reobserved"] = True
                outcome.first = results[key].first or results[key].observation
                results[key] = outcome
            reobserved.update(busy)
        busy = reobserved
        phases["reobserved_scenarios"] = len(busy)
        lap("reobserve_s")

        groups = {}
        for key in runnable:
            if key[0] in GROUP_SCENARIOS:
                groups.setdefault((key[0], key[2]), []).append(key)

        async def restarts(browser_name: str) -> None:
            # One group at a time per browser: relaunches are whole browser starts.
            for (scenario, owner), keys in groups.items():
                if owner != browser_name:
                    continue
                for batch in restart_batches(keys, targets):
                    stages = [stage(k, (None, None)) for k in batch]
                    results.update(zip(batch, await _group(scenario, stages)))

        await asyncio.gather(*(restarts(n) for n in ready))
        lap("restart_scenarios_s")

        for main_pool, replay_pool in pools.values():
            await main_pool.close()
            await replay_pool.close()
        for handle in browsers.values():
            if not isinstance(handle, BaseException):
                await handle[2].close()
    return results


def run(needed: set[Key], targets: dict, specs: dict[str, BrowserSpec], base_args: dict,
        connect: dict | None = None, phases: dict | None = None,
        context_args: dict | None = None) -> dict[Key, Outcome]:
    """Observe every (scenario, profile, browser) in `needed`; blocks until all are done.
    `phases` receives how long each phase took, for the report; `context_args` open every
    browser context (e.g. ignore_https_errors)."""
    return asyncio.run(_run(needed, targets, specs, base_args, connect, {} if phases is None else phases,
                            context_args or {}))
