"""Run every needed scenario at once: one asyncio loop, every browser launched once, pooled contexts
recycled between scenarios (a persistent profile for real restarts). The matrix then costs about its longest scenario, not the
sum. Results are values (an Observation or an error string), never exceptions, so one broken
profile errors only its own checks."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from .browsers import BrowserSpec
from .observe import Observation
from .pool import ContextPool
from .scenarios import SCENARIOS, TIMED, NoSessionCookie, ScenarioInvalid, Stage
from .target import Target
from .visitor import ProbeCallFailed

SCENARIO_TIMEOUT_S = 120.0
# Persistent-profile launches are whole browser processes; one at a time keeps a 2-core machine
# responsive enough for the timed scenarios running beside them.
PARALLEL_PROFILE_LAUNCHES = 1
# Scenarios in flight per browser. Each costs ~0.25 s of CPU over ~5 s of mostly waiting
# (measured), but every slot is a page opened up front (0.35 s Chromium, 0.7 s Firefox).
MAIN_SLOTS = 10

Key = tuple[str, str, str]  # (scenario, profile, browser)


@dataclass
class Outcome:
    observation: Observation | None = None
    error: str | None = None


async def _launch(pw, spec: BrowserSpec, base_args: dict, connect: dict | None):
    browser_type = getattr(pw, spec.name)
    args = {**base_args, **spec.launch_args}
    if connect:
        return browser_type, args, await browser_type.connect(**connect)
    return browser_type, args, await browser_type.launch(**args)


async def _one(key: Key, target: Target, browser, browser_type, launch_args, pool, gate) -> Outcome:
    scenario, profile, browser_name = key
    obs = Observation(scenario, profile, browser_name, target.settings, target.expiry,
                      started_at=time.time())
    stage = Stage(browser, browser_type, launch_args, target, obs, pool)
    program = SCENARIOS[scenario]
    try:
        if scenario == "restart-profile":
            async with gate:
                await asyncio.wait_for(program(stage), SCENARIO_TIMEOUT_S)
        else:
            await asyncio.wait_for(program(stage), SCENARIO_TIMEOUT_S)
    except NoSessionCookie:
        pass  # the checks report the missing cookie from the start exchange
    except (ScenarioInvalid, ProbeCallFailed) as exc:
        return Outcome(obs, f"{scenario}: {exc}")
    except asyncio.TimeoutError:
        return Outcome(obs, f"{scenario}: did not finish within {SCENARIO_TIMEOUT_S:.0f} s")
    except PlaywrightError as exc:
        return Outcome(obs, f"{scenario}: browser error: {str(exc).splitlines()[0]}")
    except Exception as exc:  # a bug in a scenario must not take the other scenarios down with it
        return Outcome(obs, f"{scenario}: internal error: {exc!r} (please report this)")
    finally:
        obs.finished_at = time.time()
    return Outcome(obs)


async def _run(needed: set[Key], targets: dict, specs: dict[str, BrowserSpec], base_args: dict,
               connect: dict | None) -> dict[Key, Outcome]:
    results: dict[Key, Outcome] = {}
    async with async_playwright() as pw:
        names = sorted({b for _, _, b in needed})
        launched = await asyncio.gather(*(_launch(pw, specs[n], base_args, connect) for n in names),
                                        return_exceptions=True)
        browsers = dict(zip(names, launched))
        wanted = {n: sum(1 for k in needed if k[2] == n and k[0] != "restart-profile") for n in names}
        ready = [n for n, h in browsers.items() if not isinstance(h, Exception)]
        warmed = await asyncio.gather(*(ContextPool(browsers[n][2], min(MAIN_SLOTS, wanted[n])).warm()
                                        for n in ready))
        pools = dict(zip(ready, warmed))
        gates = {n: asyncio.Semaphore(PARALLEL_PROFILE_LAUNCHES) for n in names}
        jobs = {}
        for key in sorted(needed):
            scenario, profile, browser_name = key
            target, handle = targets[profile], browsers[browser_name]
            if isinstance(target, Exception):
                results[key] = Outcome(error=f"target {profile}: {target}")
            elif isinstance(handle, Exception):
                results[key] = Outcome(error=f"{browser_name} did not launch: {str(handle).splitlines()[0]}")
            else:
                browser_type, args, browser = handle
                jobs[key] = (browser, browser_type, args, pools[browser_name], gates[browser_name])
        # Timed scenarios first, all together; the browser restarts (CPU-heavy, but with no
        # deadline to meet) afterwards, so they cannot make a timed step late.
        for timed in (True, False):
            keys = [k for k in jobs if (k[0] in TIMED) == timed]
            done = await asyncio.gather(*(_one(k, targets[k[1]], *jobs[k]) for k in keys))
            results.update(zip(keys, done))
        for pool in pools.values():
            await pool.close()
        for handle in browsers.values():
            if not isinstance(handle, Exception):
                await handle[2].close()
    return results


def run(needed: set[Key], targets: dict, specs: dict[str, BrowserSpec], base_args: dict,
        connect: dict | None = None) -> dict[Key, Outcome]:
    """Observe every (scenario, profile, browser) in `needed`; blocks until all are done."""
    return asyncio.run(_run(needed, targets, specs, base_args, connect))
