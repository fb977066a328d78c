"""The campaign's handling of what it could not observe (observe/campaign.py), with stand-in
browsers and scenarios: a scenario cut short is observed again with fewer in flight, each round
reported; one that hangs is named where it hung; a verdict-bearing observation is never repeated."""

import asyncio

import pytest

from conformance.drivers.sign_ins import SignInRefused
from conformance.observe import campaign, watchdog
from conformance.observe.launch import Launched
from conformance.observe.scenario import Scenario, ScenarioKey
from conformance.observe.stage import ScenarioInvalid
from conformance.targets.target import REFERENCE, Target

TARGET = Target("p", REFERENCE, "http://127.0.0.1:1/", "token", {}, "5.2")


def _campaign(fn, name="s"):
    run = campaign.Campaign({name: Scenario(name, fn)}, {"p": TARGET},
                            campaign.BrowserSetup(specs={}), phases={})
    run.browsers = {"chromium": Launched(None, {}, None), "firefox": Launched(None, {}, None)}
    run.pools = {"chromium": (None, None), "firefox": (None, None)}
    run.phases["concurrency"] = {"timed": {"chromium": 12, "firefox": 12}}
    return run


def _observe(run, keys):
    async def go():
        await run.timed(keys)
        await run.reobserve(keys)
    asyncio.run(go())


def test_a_scenario_too_busy_at_first_is_observed_again_and_keeps_its_first_observation():
    calls = []

    async def scenario(stage):
        calls.append(stage.obs.browser)
        if calls.count(stage.obs.browser) == 1:
            raise ScenarioInvalid("the first read reached the server too late")

    run = _campaign(scenario)
    keys = [ScenarioKey("s", "p", "chromium"), ScenarioKey("s", "p", "firefox")]
    _observe(run, keys)
    for key in keys:
        outcome = run.results[key]
        assert outcome.unobserved is None and outcome.error is None
        assert outcome.first_unobserved == campaign.TOO_BUSY and len(outcome.earlier) == 1
        assert outcome.observation.notes["reobserved"] is True
    assert run.phases["concurrency"]["reobserve"] == [
        {"in_flight": 3, "scope": "per browser", "scenarios": 2, "why": {"too busy": 2}, "observed": 2,
         "s": run.phases["concurrency"]["reobserve"][0]["s"]}]


def test_fewer_in_flight_each_round_until_the_bound():
    in_flight, peak = [0], []

    async def scenario(stage):
        in_flight[0] += 1
        peak.append(in_flight[0])
        await asyncio.sleep(0.01)
        in_flight[0] -= 1
        raise ScenarioInvalid("always too late")

    run = _campaign(scenario)
    keys = [ScenarioKey("s", f"p{i}", b) for i in range(4) for b in ("chromium", "firefox")]
    run.targets = {f"p{i}": TARGET for i in range(4)}
    _observe(run, keys)
    rounds = run.phases["concurrency"]["reobserve"]
    assert [(r["in_flight"], r["scope"]) for r in rounds] == list(campaign.REOBSERVE_ROUNDS)
    assert all(r["observed"] == 0 and r["scenarios"] == 8 for r in rounds)
    # The last rounds ran one scenario at a time in the whole run.
    last = peak[-8:]
    assert max(last) == 1, peak
    for key in keys:
        assert len(run.results[key].earlier) == len(campaign.REOBSERVE_ROUNDS)
        assert run.results[key].unobserved == campaign.TOO_BUSY


def test_a_verdict_or_an_error_of_the_site_is_not_observed_again():
    async def scenario(stage):
        raise RuntimeError("a bug")

    run = _campaign(scenario)
    key = ScenarioKey("s", "p", "chromium")
    _observe(run, [key])
    assert run.results[key].unobserved is None and "internal error" in run.results[key].error
    assert run.phases["concurrency"]["reobserve"] == [] and not run.results[key].earlier


def test_a_refused_sign_in_is_observed_again():
    tries = []

    async def scenario(stage):
        tries.append(1)
        if len(tries) == 1:
            raise SignInRefused("start: the site refused a sign-in", "HTTP 429 at /login/")

    run = _campaign(scenario)
    key = ScenarioKey("s", "p", "chromium")
    _observe(run, [key])
    assert run.results[key].first_unobserved == campaign.REFUSED and run.results[key].unobserved is None


def test_a_scenario_that_hangs_says_where(monkeypatch):
    monkeypatch.setattr(campaign, "SCENARIO_TIMEOUT_S", 0.2)
    hung = []

    async def waits_forever():
        await asyncio.Event().wait()

    async def scenario(stage):
        if not hung:
            hung.append(1)
            await waits_forever()

    run = _campaign(scenario)
    key = ScenarioKey("s", "p", "chromium")
    _observe(run, [key])
    first = run.results[key].earlier[0]
    assert run.results[key].first_unobserved == campaign.STUCK and first.notes["unobserved"] == campaign.STUCK
    assert run.results[key].unobserved is None


def test_stuck_at_names_the_innermost_line_of_ours():
    async def inner():
        await asyncio.Event().wait()

    async def go():
        task = asyncio.ensure_future(inner())
        await asyncio.sleep(0.01)
        where = watchdog.stuck_at(task)
        task.cancel()
        return where

    where = asyncio.run(go())
    assert where.startswith("tests/test_campaign.py:") and " inner" in where, where


@pytest.mark.parametrize("exc, why", [(ScenarioInvalid("late"), campaign.TOO_BUSY),
                                      (SignInRefused("refused", "HTTP 429"), campaign.REFUSED),
                                      (RuntimeError("bug"), None), (None, None)])
def test_what_counts_as_unobserved(exc, why):
    assert campaign.unobserved_by(exc) == why


def test_a_stage_of_a_grouped_scenario_is_bounded_on_its_own():
    async def go():
        async def forever():
            await asyncio.Event().wait()
        with pytest.raises(watchdog.Stuck, match=r"the walk did not finish within 0 s \(stuck at tests/test_campaign"):
            await watchdog.bounded(forever(), 0.05, "the walk")
        assert await watchdog.bounded(asyncio.sleep(0, "done"), 1) == "done"
    asyncio.run(go())


def test_the_timed_scenarios_take_their_slots_mixed():
    """Every scenario's n-th key before any scenario's (n+1)-th: the CPU-heavy and the waiting ones
    share the slots all along instead of running in name order."""
    keys = [ScenarioKey(s, t, b) for s in ("cache-pages", "lifecycle", "renewal") for t in ("a", "b", "c")
            for b in ("chromium", "firefox") if not (s == "renewal" and t == "c")]
    order = campaign.mixed(keys)
    assert sorted(order) == sorted(keys)
    assert [(k.scenario, k.target) for k in order if k.browser == "chromium"] == [
        ("cache-pages", "a"), ("lifecycle", "a"), ("renewal", "a"), ("cache-pages", "b"), ("lifecycle", "b"),
        ("renewal", "b"), ("cache-pages", "c"), ("lifecycle", "c")]


def test_a_timed_scenario_that_waits_far_longer_takes_its_slot_first():
    """A key that waits LONG_WAIT_S or more goes before all others, the longest first; the rest
    keep their mixed order."""
    keys = [ScenarioKey(s, t, "chromium") for s in ("cache-pages", "lifecycle") for t in ("a", "b", "c")]
    waits = {ScenarioKey("lifecycle", "b", "chromium"): campaign.LONG_WAIT_S,
             ScenarioKey("lifecycle", "c", "chromium"): campaign.LONG_WAIT_S + 5,
             ScenarioKey("lifecycle", "a", "chromium"): campaign.LONG_WAIT_S - 1}
    assert [(k.scenario, k.target) for k in campaign.mixed(keys, waits)] == [
        ("lifecycle", "c"), ("lifecycle", "b"), ("cache-pages", "a"), ("lifecycle", "a"), ("cache-pages", "b"),
        ("cache-pages", "c")]


def test_the_lifecycle_waits_out_the_ages_it_can_wait():
    from conformance.checks.lifecycle import lifecycle
    from conformance.targets.promises import promise_for
    assert lifecycle.waits(promise_for({"SESSION_COOKIE_AGE": 20})) == 20
    assert lifecycle.waits(promise_for({"SESSION_COOKIE_AGE": 1209600})) == 0  # two weeks: not waited out


def test_grouped_scenarios_run_in_lanes_the_waiting_one_first():
    """GROUP_LANES groups at a time per browser, the one that mostly waits taking its lane first, then
    the one with most targets; the others take whichever lane frees first."""
    events = []

    def group(name, seconds):
        async def fn(stages):
            events.append(("start", name, stages[0].obs.browser))
            await asyncio.sleep(seconds)
            events.append(("end", name, stages[0].obs.browser))
        return fn

    scenarios = {"walk": Scenario("walk", group("walk", 0.3), grouped=True),
                 "context": Scenario("context", group("context", 0.05), grouped=True),
                 "profile": Scenario("profile", group("profile", 0.05), grouped=True),
                 "restore": Scenario("restore", group("restore", 0.1), grouped=True, idle=True)}
    targets = {f"p{i}": Target(f"p{i}", REFERENCE, f"http://127.0.0.{i}:1/", "token", {}, "5.2") for i in (1, 2)}
    run = campaign.Campaign(scenarios, targets, campaign.BrowserSetup(specs={}), phases={})
    run.browsers = {"chromium": Launched(None, {}, None)}
    run.phases["concurrency"] = {}
    # The walk has the most targets: it takes the second lane, before the restarts (name order).
    keys = [ScenarioKey(s, "p1", "chromium") for s in sorted(scenarios)] + [ScenarioKey("walk", "p2", "chromium")]
    asyncio.run(run.grouped(keys))
    names = [(what, name) for what, name, _ in events]
    assert names[:2] == [("start", "restore"), ("start", "walk")]  # two lanes, the waiting group first
    assert names.index(("start", "context")) > names.index(("end", "restore"))
    assert names.index(("start", "profile")) > names.index(("end", "context"))
    assert names[-1] == ("end", "walk")  # the restarts ran beside the walk, not after it
    assert set(run.phases["grouped_s"]["chromium"]) == set(scenarios)
