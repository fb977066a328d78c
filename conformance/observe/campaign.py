"""Run every needed scenario at once: one asyncio loop, each browser launched once, pooled
contexts recycled between scenarios, and one grouped run per browser for the restarts. The timed
scenarios (deadlines to meet) run together first; the restarts (CPU-heavy, no deadline) after.

Results are values (an Observation and maybe an error string), never exceptions, so one broken
profile errors only its own checks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from dataclasses import dataclass, field

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from ..drivers import DriverError
from ..exchange import Observation
from .launch import launch
from .pool import ContextPool
from .scenario import Scenario, ScenarioKey
from .stage import NoSessionCookie, ScenarioInvalid, Stage

SCENARIO_TIMEOUT_S = 120.0
# Re-observing scenarios the machine was too busy for: a few at a time per browser, then (for
# any still too busy) one at a time. At most two more observations per scenario.
QUIET_SLOTS = (3, 1)
# Scenarios in flight per browser (--concurrency). Each costs ~0.3 s of CPU over ~5 s of mostly
# waiting (measured), but every slot is a page opened up front (0.35 s Chromium, 0.7 s Firefox).
DEFAULT_CONCURRENCY = 12
LONGEST_SHOWN = 3  # the longest scenarios per browser named in the report's timings
# Replays need no page (see Visitor.replay_request): cheap contexts, cleared before each use.
REPLAY_SLOTS = 4


@dataclass(frozen=True)
class BrowserSetup:
    """How this run's browsers are launched and their contexts opened: pytest-playwright's
    browser_type_launch_args and browser_context_args (a user's conftest may extend both), the
    engines found (observe/browsers.py), and --connect's browser server."""

    specs: dict  # engine -> BrowserSpec
    launch_args: dict = field(default_factory=dict)
    context_args: dict = field(default_factory=dict)
    connect: dict | None = None  # BrowserType.connect() arguments; None: launch here
    slots: int = DEFAULT_CONCURRENCY  # scenarios in flight per browser (--concurrency)


@dataclass
class Outcome:
    observation: Observation | None = None
    error: str | None = None
    too_busy: bool = False  # ScenarioInvalid: the observation could not be made in time
    # When re-observed: the first observation, cut where the machine was too busy. What it holds
    # was observed in time and is judged first; the re-observation only fills in what is missing.
    first: Observation | None = None


def _describe(scenario: str, exc: BaseException) -> str:
    if isinstance(exc, (ScenarioInvalid, DriverError)):
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


def _stage(key: ScenarioKey, targets: dict, handle, pools, context_args: dict, remote: bool = False) -> Stage:
    scenario, target_id, browser_name = key
    target = targets[target_id]
    browser_type, args, browser, bfcache_args = handle  # a Launched
    obs = Observation(scenario, target_id, browser_name, target.settings, target.expiry, started_at=time.time(),
                      known_clock_offset=0.0 if target.same_clock else None,
                      browser_clock_shared=not remote)
    return Stage(browser, browser_type, args, target, obs, *pools, context_args=context_args,
                 bfcache_launch_args=bfcache_args)


async def _one(scenario: Scenario, stage: Stage, gate: asyncio.Semaphore | None = None) -> Outcome:
    if gate is None:
        error, busy = await _guarded(scenario.name, scenario.run(stage))
    else:
        async with gate:
            error, busy = await _guarded(scenario.name, scenario.run(stage))
    stage.obs.finished_at = time.time()
    return Outcome(stage.obs, error, busy)


async def _group(scenario: Scenario, stages: list[Stage]) -> list[Outcome]:
    error, _ = await _guarded(scenario.name, scenario.run(stages))
    outcomes = []
    for stage in stages:
        stage.obs.finished_at = time.time()
        own = None if stage.failure is None or isinstance(stage.failure, NoSessionCookie) \
            else _describe(scenario.name, stage.failure)
        outcomes.append(Outcome(stage.obs, own or error))
    return outcomes


def own_durations(keys: list[ScenarioKey], results: dict) -> dict:
    """Per browser, each scenario's own duration (its first request to its end, not the wait for
    a slot): their sum is what running them one after another would cost, and the longest is the
    floor no concurrency can go under (make bench reads both from the report)."""
    spans: dict[str, list[tuple[float, ScenarioKey]]] = {}
    for key in keys:
        obs = results[key].observation
        if obs is not None and obs.exchanges and obs.finished_at:
            first = min(e.began_at or e.sent_at for e in obs.exchanges)
            spans.setdefault(key.browser, []).append((obs.finished_at - first, key))
    return {"scenarios_sum_s": {b: round(sum(s for s, _ in v), 1) for b, v in sorted(spans.items())},
            # Under load the ranking is rough: the top few, which make bench then runs alone.
            "longest_scenarios": {b: [{"scenario": k.scenario, "target": k.target, "s": round(s, 2)}
                                      for s, k in sorted(v, reverse=True)[:LONGEST_SHOWN]]
                                  for b, v in sorted(spans.items())}}


def restart_batches(keys: list[ScenarioKey], targets: dict) -> list[list[ScenarioKey]]:
    """Split a restart group so no batch holds two profiles on one host: one browser holds the
    group's sessions together, and cookies are per host (a deployment's profiles share one)."""
    batches: list[list[ScenarioKey]] = []
    for key in keys:
        host = targets[key.target].host
        batch = next((b for b in batches if all(targets[k.target].host != host for k in b)), None)
        if batch is None:
            batches.append(batch := [])
        batch.append(key)
    return batches


async def _run(needed: set[ScenarioKey], scenarios: dict[str, Scenario], targets: dict, setup: BrowserSetup,
               phases: dict) -> dict[ScenarioKey, Outcome]:
    specs, connect, context_args = setup.specs, setup.connect, setup.context_args
    results: dict[ScenarioKey, Outcome] = {}
    mark = time.time()

    def lap(name: str) -> None:
        nonlocal mark
        phases[name] = round(time.time() - mark, 2)
        mark = time.time()

    runnable = []
    for key in sorted(needed):
        target = targets[key.target]
        if isinstance(target, Exception):
            results[key] = Outcome(error=f"target {key.target}: {target}")
        else:
            runnable.append(key)
    async with async_playwright() as pw:
        names = sorted({k.browser for k in runnable})
        launched = await asyncio.gather(*(launch(pw, specs[n], setup.launch_args, connect) for n in names),
                                        return_exceptions=True)
        browsers = dict(zip(names, launched))
        for key in [k for k in runnable if isinstance(browsers[k.browser], BaseException)]:
            results[key] = Outcome(error=f"{key.browser} did not launch: {str(browsers[key.browser]).splitlines()[0]}")
            runnable.remove(key)
        lap("browsers_launch_s")
        ready = sorted({k.browser for k in runnable})
        derived = [k for k in runnable if scenarios[k.scenario].derived]
        runnable = [k for k in runnable if k not in derived]
        single = [k for k in runnable if not scenarios[k.scenario].grouped]
        sizes = [min(setup.slots, sum(1 for k in single if k.browser == n)) for n in ready]
        mains = await asyncio.gather(*(ContextPool(browsers[n].browser, size, context_args=context_args).warm()
                                       for n, size in zip(ready, sizes)))
        replays = await asyncio.gather(*(ContextPool(browsers[n].browser, REPLAY_SLOTS, pages=False,
                                                     context_args=context_args).warm()
                                         for n in ready))
        pools = {n: (m, r) for n, m, r in zip(ready, mains, replays)}
        lap("contexts_open_s")

        def stage(key: ScenarioKey, own_pools) -> Stage:
            return _stage(key, targets, browsers[key.browser], own_pools, context_args, remote=bool(connect))

        groups = {}
        for key in runnable:
            if scenarios[key.scenario].grouped:
                groups.setdefault((key.scenario, key.browser), []).append(key)

        async def restarts(browser_name: str) -> None:
            # One group at a time per browser: relaunches are whole browser starts.
            for (scenario, owner), keys in groups.items():
                if owner != browser_name:
                    continue
                began = time.time()
                for batch in restart_batches(keys, targets):
                    stages = [stage(k, (None, None)) for k in batch]
                    results.update(zip(batch, await _group(scenarios[scenario], stages)))
                # Where the restart phase's time goes, for make bench.
                took = round(time.time() - began, 1)
                phases.setdefault("grouped_s", {}).setdefault(browser_name, {})[scenario] = took

        # The grouped scenarios (restarts, the back/forward cache) come after the timed ones, not
        # beside them: the machine's cores are the bound (make bench), and beside them they made a
        # hundred timed scenarios too late to judge (re-observed, 65 s more).
        done = await asyncio.gather(*(_one(scenarios[k.scenario], stage(k, pools[k.browser])) for k in single))
        results.update(zip(single, done))
        lap("timed_scenarios_s")
        phases.update(own_durations(single, results))

        # A scenario that could not act before a deadline produced no verdict, only the fact that
        # the machine was too busy. Observe it again (at most twice), fewer at a time, so verdicts do not
        # depend on load. Never done for a verdict: a fail observed in time stands.
        busy = [k for k in single if results[k].too_busy]
        reobserved = set()
        for slots in QUIET_SLOTS:
            busy = [k for k in busy if results[k].too_busy]
            if not busy:
                break
            gates = {n: asyncio.Semaphore(min(slots, setup.slots)) for n in ready}
            again = await asyncio.gather(*(_one(scenarios[k.scenario], stage(k, pools[k.browser]), gates[k.browser])
                                           for k in busy))
            for key, outcome in zip(busy, again):
                outcome.observation.notes["reobserved"] = True
                outcome.first = results[key].first or results[key].observation
                results[key] = outcome
            reobserved.update(busy)
        busy = reobserved
        phases["reobserved_scenarios"] = len(busy)
        lap("reobserve_s")

        await asyncio.gather(*(restarts(n) for n in ready))
        lap("restart_scenarios_s")
        for key in derived:  # from everything observed: no browser, no waiting
            try:
                results[key] = Outcome(scenarios[key.scenario].run(key, results))
            except Exception as exc:
                results[key] = Outcome(error=_describe(key.scenario, exc))

        for main_pool, replay_pool in pools.values():
            await main_pool.close()
            await replay_pool.close()
        for handle in browsers.values():
            if not isinstance(handle, BaseException):
                await handle.browser.close()
    return results


def run(needed: set[ScenarioKey], scenarios: dict[str, Scenario], targets: dict, setup: BrowserSetup,
        phases: dict | None = None) -> dict[ScenarioKey, Outcome]:
    """Observe every (scenario, profile, browser) in `needed`; blocks until all are done. `phases`
    receives how long each phase took, for the report.

    Runs in a thread of its own: pytest-playwright's sync Playwright (started by its fixtures, such
    as browser_context_args) keeps an event loop marked running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="conformance-campaign") as pool:
        return pool.submit(asyncio.run, _run(needed, scenarios, targets, setup,
                                             {} if phases is None else phases)).result()
