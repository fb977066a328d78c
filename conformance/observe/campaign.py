"""Run every needed scenario at once: one asyncio loop, each browser launched once, pooled
contexts recycled between scenarios, and one grouped run per browser for the restarts. The timed
scenarios (deadlines to meet) run together first; the restarts (CPU-heavy, no deadline) after.

What the run could not observe (a step too late for its deadline, a browser call that never
returned, a sign-in the site refused) is observed again, with fewer scenarios in flight each
round, until it is observed or REOBSERVE_ROUNDS are spent; the report says what each round ran
and at what concurrency. A verdict is never the reason: a fail observed in time stands.

Results are values (an Observation and maybe an error string), never exceptions, so one broken
profile errors only its own checks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections import Counter
from dataclasses import dataclass, field

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from ..drivers import DriverError, TooSlow
from ..drivers.base import RESENT
from ..drivers.sign_ins import WAITED, SignInRefused
from ..exchange import Observation
from .launch import launch
from .pool import ContextPool
from .scenario import Scenario, ScenarioKey
from .stage import NoSessionCookie, ScenarioInvalid, Stage
from .watchdog import STAGE_TIMEOUT_S, Stuck, abandon, stuck_at

SCENARIO_TIMEOUT_S = 120.0
# Scenarios in flight per browser (--concurrency). Each costs ~0.3 s of CPU over ~5 s of mostly
# waiting (measured), but every slot is a page opened up front (0.35 s Chromium, 0.7 s Firefox).
DEFAULT_CONCURRENCY = 12
# A timed scenario that waits this long or longer takes its slot before the others (most wait a
# few seconds: the reference profiles' ages are 3-5 s, browser-close-20s's is 20 s).
LONG_WAIT_S = 15.0
LONGEST_SHOWN = 3  # the longest scenarios per browser named in the report's timings
# Replays need no page (see Visitor.replay_request): cheap contexts, cleared before each use.
REPLAY_SLOTS = 4

# Why a scenario must be observed again (Outcome.unobserved).
TOO_BUSY, STUCK, REFUSED = "too busy", "stuck", "sign-in refused"
PER_BROWSER, IN_ALL = "per browser", "in all"
# Re-observation rounds: (scenarios in flight, per browser or in the whole run). The last ones run a
# single scenario at a time, both browsers together: the quietest this machine gets. At most this
# many more observations of one scenario.
REOBSERVE_ROUNDS = ((3, PER_BROWSER), (1, PER_BROWSER), (1, IN_ALL), (1, IN_ALL))
# Grouped scenarios run this many groups at a time per browser: the one that mostly waits (the
# session restore) in one lane and the longest (the Back-button walk) in the other, the restarts
# taking whichever frees first. One at a time left Firefox's restarts after its walk on idle CPUs
# (12 s); all at once was slower (75 s against 62 s: whole browsers starting together).
GROUP_LANES = 2
# Grouped scenarios (no deadlines but a short session's walk) are observed again this many times.
GROUP_REOBSERVE_ROUNDS = 2


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
    # Why the observation could not be made (TOO_BUSY, STUCK, REFUSED), when observing it again may.
    unobserved: str | None = None
    # When re-observed: every earlier observation, first first. What the first holds was observed
    # in time and is judged first; the latest only fills in what it is missing.
    earlier: list = field(default_factory=list)

    @property
    def first(self) -> Observation | None:
        return self.earlier[0] if self.earlier else None

    @property
    def first_unobserved(self) -> str | None:
        """Why the first observation is incomplete (the reason it was observed again)."""
        return self.earlier[0].notes.get("unobserved") if self.earlier else None


def _describe(scenario: str, exc: BaseException) -> str:
    if isinstance(exc, (ScenarioInvalid, DriverError, Stuck)):
        return f"{scenario}: {exc}"
    if isinstance(exc, asyncio.TimeoutError):
        return f"{scenario}: did not finish within {SCENARIO_TIMEOUT_S:.0f} s"
    if isinstance(exc, PlaywrightError):
        return f"{scenario}: browser error: {str(exc).splitlines()[0]}"
    return f"{scenario}: internal error: {exc!r} (please report this)"


def unobserved_by(exc: BaseException | None) -> str | None:
    """Whether this failure means the observation could not be made (and may be made again)."""
    if isinstance(exc, (ScenarioInvalid, TooSlow)):
        return TOO_BUSY
    if isinstance(exc, Stuck):
        return STUCK
    if isinstance(exc, SignInRefused):
        return REFUSED
    return None


async def _guarded(scenario: str, coro, observations: list[Observation]) -> tuple[str | None, str | None]:
    """Run a scenario; its failure becomes a message, and whether it only could not be observed. A
    bug in one scenario must not take the others down with it, so everything is caught here, and
    reported. Its time limit does not count waiting for sign-in turns (drivers/sign_ins.py); a
    grouped one's grows with its targets (each of which is bounded on its own: watchdog.bounded)."""
    task = asyncio.ensure_future(coro)
    began, limit = time.time(), SCENARIO_TIMEOUT_S + STAGE_TIMEOUT_S * (len(observations) - 1)

    def left() -> float:
        return began + limit + sum(o.notes.get(WAITED, 0.0) for o in observations) - time.time()

    try:
        while not task.done() and left() > 0:
            await asyncio.wait({task}, timeout=left())
        if not task.done():  # a browser call that never returned: where, for the report
            where = stuck_at(task)
            await abandon(task)
            return f"{scenario}: did not finish within {limit:.0f} s (stuck at {where})", STUCK
        task.result()
    except NoSessionCookie:
        return None, None  # the checks report the missing cookie from the start exchange
    except Exception as exc:
        return _describe(scenario, exc), unobserved_by(exc)
    return None, None


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


def mixed(keys: list[ScenarioKey], waits: dict[ScenarioKey, float] | None = None) -> list[ScenarioKey]:
    """The keys in the order they take their slots: every scenario's n-th key before any scenario's
    (n+1)-th, so the ones that load the CPUs (many pages and visitors) and the ones that mostly
    wait out a session's age share the slots all along. In name order the CPU-heavy ones came
    first, saturating both cores, and the waiting ones after, leaving one idle (the reference
    matrix's timed phase: 73.5 s in name order, 56.6 s mixed). Before them all, longest first, a
    key that waits LONG_WAIT_S or more (`waits`: its scenario's own wait on its target): started in
    turn, the lifecycle of a 20 s session ended a shard's timed phase alone, one core idle."""
    waits = waits or {}
    rank, seen = {}, Counter()
    for key in keys:
        rank[key] = seen[key.scenario, key.browser]
        seen[key.scenario, key.browser] += 1
    long = sorted((k for k in keys if waits.get(k, 0) >= LONG_WAIT_S), key=lambda k: (-waits[k], k))
    return long + sorted((k for k in keys if waits.get(k, 0) < LONG_WAIT_S), key=lambda k: (rank[k], k))


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


class Campaign:
    """One run's browsers, pools and results, and its phases in order (see run())."""

    def __init__(self, scenarios: dict[str, Scenario], targets: dict, setup: BrowserSetup, phases: dict):
        self.scenarios, self.targets, self.setup, self.phases = scenarios, targets, setup, phases
        self.results: dict[ScenarioKey, Outcome] = {}
        self.browsers: dict = {}  # engine -> Launched
        self.pools: dict = {}  # engine -> (main pool, replay pool)
        self.reobserved: set[ScenarioKey] = set()
        self._mark = time.time()

    def lap(self, name: str) -> None:
        self.phases[name] = round(time.time() - self._mark, 2)
        self._mark = time.time()

    def stage(self, key: ScenarioKey, pools=(None, None), in_flight: int | None = None) -> Stage:
        target, (browser_type, args, browser, bfcache_args) = self.targets[key.target], self.browsers[key.browser]
        obs = Observation(key.scenario, key.target, key.browser, target.settings, target.expiry,
                          started_at=time.time(), known_clock_offset=0.0 if target.same_clock else None,
                          browser_clock_shared=not self.setup.connect)
        return Stage(browser, browser_type, args, target, obs, *pools, context_args=self.setup.context_args,
                     bfcache_launch_args=bfcache_args, in_flight=in_flight)

    async def launch(self, pw, keys: list[ScenarioKey]) -> list[ScenarioKey]:
        """Each engine once; the keys whose browser launched."""
        names = sorted({k.browser for k in keys})
        launched = await asyncio.gather(*(launch(pw, self.setup.specs[n], self.setup.launch_args, self.setup.connect)
                                          for n in names), return_exceptions=True)
        ready = []
        for key in keys:
            handle = launched[names.index(key.browser)]
            if isinstance(handle, BaseException):
                self.results[key] = Outcome(error=f"{key.browser} did not launch: {str(handle).splitlines()[0]}")
            else:
                self.browsers[key.browser] = handle
                ready.append(key)
        self.lap("browsers_launch_s")
        return ready

    async def open_pools(self, single: list[ScenarioKey]) -> None:
        """Every context the timed scenarios will lease, opened before any starts."""
        names = sorted(self.browsers)
        sizes = [min(self.setup.slots, sum(1 for k in single if k.browser == n)) for n in names]
        args = self.setup.context_args
        mains = await asyncio.gather(*(ContextPool(self.browsers[n].browser, size, context_args=args).warm()
                                       for n, size in zip(names, sizes)))
        replays = await asyncio.gather(*(ContextPool(self.browsers[n].browser, REPLAY_SLOTS, pages=False,
                                                     context_args=args).warm() for n in names))
        self.pools = {n: (m, r) for n, m, r in zip(names, mains, replays)}
        self.phases["concurrency"] = {"timed": {n: size for n, size in zip(names, sizes)}}
        self.lap("contexts_open_s")

    async def one(self, key: ScenarioKey, gate: asyncio.Semaphore | None = None) -> Outcome:
        stage = self.stage(key, self.pools[key.browser])
        scenario = self.scenarios[key.scenario]
        if gate is None:
            error, unobserved = await _guarded(scenario.name, scenario.run(stage), [stage.obs])
        else:
            async with gate:
                stage.obs.started_at = time.time()
                error, unobserved = await _guarded(scenario.name, scenario.run(stage), [stage.obs])
        stage.obs.finished_at = time.time()
        return Outcome(stage.obs, error, unobserved)

    async def timed(self, single: list[ScenarioKey]) -> None:
        single = mixed(single, {k: self.scenarios[k.scenario].waits(self.targets[k.target].promise)
                                for k in single if self.scenarios[k.scenario].waits})
        done = await asyncio.gather(*(self.one(k) for k in single))
        self.results.update(zip(single, done))
        self.lap("timed_scenarios_s")
        self.phases.update(own_durations(single, self.results))

    def _replace(self, key: ScenarioKey, outcome: Outcome) -> None:
        """The newest observation of a key, keeping the earlier ones (and why each was cut)."""
        old = self.results[key]
        old.observation.notes["unobserved"] = old.unobserved
        outcome.observation.notes["reobserved"] = True
        outcome.earlier = [*old.earlier, old.observation]
        self.results[key] = outcome
        self.reobserved.add(key)

    async def reobserve(self, keys: list[ScenarioKey]) -> None:
        """Observe again what could not be observed, with fewer in flight each round (the report's
        concurrency.reobserve says what each round ran, and why)."""
        rounds = []
        for slots, scope in REOBSERVE_ROUNDS:
            pending = [k for k in keys if self.results[k].unobserved]
            if not pending:
                break
            began, why = time.time(), Counter(self.results[k].unobserved for k in pending)
            shared = asyncio.Semaphore(slots)
            gates = {n: shared if scope == IN_ALL else asyncio.Semaphore(min(slots, self.setup.slots))
                     for n in self.browsers}
            again = await asyncio.gather(*(self.one(k, gates[k.browser]) for k in pending))
            for key, outcome in zip(pending, again):
                self._replace(key, outcome)
            rounds.append({"in_flight": slots, "scope": scope, "scenarios": len(pending), "why": dict(why),
                           "observed": sum(1 for o in again if not o.unobserved), "s": round(time.time() - began, 1)})
        self.phases["concurrency"]["reobserve"] = rounds
        self.lap("reobserve_s")

    async def group(self, name: str, keys: list[ScenarioKey], in_flight: int | None = None) -> None:
        """One grouped scenario for these keys of one browser, in batches that share no host."""
        scenario = self.scenarios[name]
        for batch in restart_batches(keys, self.targets):
            stages = [self.stage(k, in_flight=in_flight) for k in batch]
            error, unobserved = await _guarded(scenario.name, scenario.run(stages), [st.obs for st in stages])
            for key, stage in zip(batch, stages):
                stage.obs.finished_at = time.time()
                failure = None if isinstance(stage.failure, NoSessionCookie) else stage.failure
                own = None if failure is None else _describe(scenario.name, failure)
                outcome = Outcome(stage.obs, own or error, unobserved_by(failure) if own else unobserved)
                if key in self.results:
                    self._replace(key, outcome)
                else:
                    self.results[key] = outcome

    async def grouped(self, keys: list[ScenarioKey]) -> None:
        """The grouped scenarios, GROUP_LANES groups at a time per browser, the browsers side by
        side; then again, one at a time, for what they could not observe."""
        groups: dict[tuple[str, str], list[ScenarioKey]] = {}
        for key in keys:
            groups.setdefault((key.scenario, key.browser), []).append(key)

        async def timed_group(name: str, scenario: str, mine: list[ScenarioKey], lanes: asyncio.Semaphore) -> None:
            async with lanes:
                began = time.time()
                await self.group(scenario, mine)
            # Where the restart phase's time goes, for make bench.
            self.phases.setdefault("grouped_s", {}).setdefault(name, {})[scenario] = round(time.time() - began, 1)

        async def browser(name: str) -> None:
            mine = [(scenario, keys) for (scenario, owner), keys in groups.items() if owner == name]
            # A group that mostly waits (its server deadlines) takes its lane first, so its clock
            # runs from the start; then the others, most targets first (the longest, as in LPT
            # scheduling), each taking whichever lane frees first.
            mine.sort(key=lambda group: (not self.scenarios[group[0]].idle, -len(group[1])))
            lanes = asyncio.Semaphore(GROUP_LANES)
            await asyncio.gather(*(timed_group(name, scenario, keys, lanes) for scenario, keys in mine))

        await asyncio.gather(*(browser(n) for n in sorted(self.browsers)))
        rounds = []
        for _ in range(GROUP_REOBSERVE_ROUNDS):
            pending = [k for k in keys if self.results[k].unobserved]
            if not pending:
                break
            began, why = time.time(), Counter(self.results[k].unobserved for k in pending)
            for (scenario, owner), mine in groups.items():
                again = [k for k in mine if k in pending]
                if again:
                    await self.group(scenario, again, in_flight=1)
            rounds.append({"in_flight": 1, "scope": IN_ALL, "scenarios": len(pending), "why": dict(why),
                           "observed": sum(1 for k in pending if not self.results[k].unobserved),
                           "s": round(time.time() - began, 1)})
        self.phases["concurrency"]["grouped_reobserve"] = rounds
        self.lap("restart_scenarios_s")

    def derive(self, keys: list[ScenarioKey]) -> None:
        for key in keys:  # from everything observed: no browser, no waiting
            try:
                self.results[key] = Outcome(self.scenarios[key.scenario].run(key, self.results))
            except Exception as exc:
                self.results[key] = Outcome(error=_describe(key.scenario, exc))

    async def close(self) -> None:
        # A browser closes its contexts itself: closing them one by one first cost a second.
        await asyncio.gather(*(handle.browser.close() for handle in self.browsers.values()))


async def _run(needed: set[ScenarioKey], scenarios: dict[str, Scenario], targets: dict, setup: BrowserSetup,
               phases: dict) -> dict[ScenarioKey, Outcome]:
    run = Campaign(scenarios, targets, setup, phases)
    runnable = []
    for key in sorted(needed):
        if isinstance(targets[key.target], Exception):
            run.results[key] = Outcome(error=f"target {key.target}: {targets[key.target]}")
        else:
            runnable.append(key)
    async with async_playwright() as pw:
        runnable = await run.launch(pw, runnable)
        derived = [k for k in runnable if scenarios[k.scenario].derived]
        grouped = [k for k in runnable if scenarios[k.scenario].grouped]
        single = [k for k in runnable if k not in derived and k not in grouped]
        await run.open_pools(single)
        # The grouped scenarios (restarts, the back/forward cache) come after the timed ones, not
        # beside them: the machine's cores are the bound (make bench), and beside them they made a
        # hundred timed scenarios too late to judge (re-observed, 65 s more).
        await run.timed(single)
        await run.reobserve(single)
        await run.grouped(grouped)
        phases["reobserved_scenarios"] = len(run.reobserved)
        # Requests reset before their answer and sent again at once (drivers/base.py direct_get).
        phases["resent_requests"] = sum(o.notes.get(RESENT, 0) for outcome in run.results.values()
                                        for o in (*outcome.earlier, outcome.observation) if o is not None)
        run.derive(derived)
        await run.close()
    return run.results


def run(needed: set[ScenarioKey], scenarios: dict[str, Scenario], targets: dict, setup: BrowserSetup,
        phases: dict | None = None) -> dict[ScenarioKey, Outcome]:
    """Observe every (scenario, profile, browser) in `needed`; blocks until all are done. `phases`
    receives how long each phase took, for the report.

    Runs in a thread of its own: pytest-playwright's sync Playwright (started by its fixtures, such
    as browser_context_args) keeps an event loop marked running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="conformance-campaign") as pool:
        return pool.submit(asyncio.run, _run(needed, scenarios, targets, setup,
                                             {} if phases is None else phases)).result()
